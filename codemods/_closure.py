"""What a piece of route code needs to move: the module-level definitions it uses (transitively) and the imports.

Used by `migrator.movability.assess` to decide whether a route can move (a `problem` makes it manual) and, through
the plan, by the phase-1 codemods to know what to carry along. Definitions of *rewritten* modules (router modules
some of whose routes move) move with the code, into the service module of their own module; everything else is
imported from where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

import libcst as cst
from libcst.metadata import GlobalScope, ImportAssignment

from ._imports import ImportSpec, import_spec_for
from ._source import ModuleIndex, SourceSet, is_route, is_router_object, name_nodes


@dataclass
class Needs:
    helpers: list[tuple[str, str]] = field(default_factory=list)  # (module, name), in discovery order
    imports: set[ImportSpec] = field(default_factory=set)
    problem: Optional[str] = None


def global_referents(index: ModuleIndex, node: cst.CSTNode, scopes: Optional[Mapping] = None) -> Iterable:
    """The module-level assignments (definitions and imports) the names used in `node` refer to, read in `scopes`
    (default: the module's; `ModuleIndex.referent_scopes` resolves them the same at less cost)."""
    scopes = index.scopes if scopes is None else scopes
    for name_node in name_nodes(node):
        scope = scopes.get(name_node)
        if scope is None:
            continue
        try:
            accesses = scope.accesses[name_node]
        except KeyError:
            continue
        for access in accesses:
            for assignment in access.referents:
                if isinstance(assignment.scope, GlobalScope):
                    yield assignment


def _scan(index: ModuleIndex, nodes: Iterable[cst.CSTNode], rewritten: set[str], generated: set[str],
          refs: list[tuple[str, str]], needs: Needs) -> None:
    """Collect the global names `nodes` use: imports into `needs.imports`, definitions into `refs`."""
    for node in nodes:
        for assignment in global_referents(index, node, index.referent_scopes(node)):
            if not isinstance(assignment, ImportAssignment):
                refs.append((index.module, assignment.name))
                continue
            try:
                spec = import_spec_for(assignment, index.module, index.is_package)
            except ValueError as exc:
                needs.problem = needs.problem or f"cannot resolve an import: {exc}"
                continue
            if any(spec.module == g or spec.module.startswith(g if g.endswith("_") else g + ".") for g in generated):
                needs.problem = needs.problem or "already delegates to the generated code"
            elif spec.module in rewritten:
                if spec.name is None:
                    needs.problem = needs.problem or (f"uses the router module {spec.module} as an object: "
                                                      "move it by hand")
                else:
                    refs.append((spec.module, spec.name))
            else:
                needs.imports.add(spec)


def needs_of(index: ModuleIndex, nodes: Iterable[cst.CSTNode], sources: SourceSet, *, rewritten: set[str],
             generated: set[str], routes: dict[str, set[str]], memo: Optional[dict] = None) -> Needs:
    """What `nodes` (a route's body, return annotation, kept parameter annotations and defaults) of `index` need.

    `rewritten`: modules whose definitions move along; `generated`: modules of generated code, or prefixes of their
    names ending in "_" (a reference to them means the route already delegates); `routes`: module -> names of its
    route functions.
    """
    needs = Needs()
    worklist: list[tuple[str, str]] = []
    _scan(index, nodes, rewritten, generated, worklist, needs)
    seen: set[tuple[str, str]] = set()
    while worklist and needs.problem is None:
        module, name = worklist.pop(0)
        if (module, name) in seen:
            continue
        seen.add((module, name))
        owner = index if module == index.module else sources.get_module(module)
        if owner is None:
            needs.problem = f"uses `{name}` of {module}, which cannot be read"
            break
        node = owner.globals_.get(name)
        if node is None:
            needs.problem = f"uses `{name}`, which is not defined at the top level of {module}"
            break
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            # another rewritten module re-exports an import: the moved code imports it from its origin
            spec = owner.import_of(name)
            if spec is None:
                needs.problem = f"cannot resolve the import of `{name}` in {module}"
            elif spec.module in rewritten and spec.name:
                worklist.append((spec.module, spec.name))
            else:
                needs.imports.add(spec)
            continue
        problem = _unmovable(node, name, module, routes.get(module, set()))
        if problem:
            needs.problem = problem
            break
        needs.helpers.append((module, name))
        key = (module, name)
        if memo is None or key not in memo:  # what a helper uses, scanned once per run
            found, refs = Needs(), []
            _scan(owner, [node], rewritten, generated, refs, found)
            if memo is not None:
                memo[key] = (refs, found.imports, found.problem)
        else:
            refs, imports, problem = memo[key]
            found = Needs(imports=set(imports), problem=problem)
        worklist.extend(refs)
        needs.imports |= found.imports
        needs.problem = needs.problem or found.problem
    return needs


def _unmovable(node: cst.CSTNode, name: str, module: str, route_names: set[str]) -> Optional[str]:
    if name in route_names or is_route(node):
        return f"uses the route function `{name}` of {module}: move it by hand"
    if is_router_object(node):
        return f"uses the router object `{name}`: move it by hand"
    if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.SimpleStatementLine)):
        return f"uses `{name}`, defined by a statement the codemod does not move ({type(node).__name__})"
    return None
