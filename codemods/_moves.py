"""Phase 1's typed cross-file state: what moves where, under which name. Built from the plan, shared by the
phase-1 codemods through `context.scratch` (`codemods._runner.STATE`).

The plan decided which routes move and what their code carries along (`Verdict.helpers`, `Verdict.imports`);
this module only works out the mechanics: every definition moves into the service module of the router module it
comes from; a private one that another module still needs (the router's remaining code, another service module, a
module importing it from the router) gets a public name; names are rewritten where the moved code refers to them.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import libcst as cst
from libcst.metadata import GlobalScope, ImportAssignment

from ._closure import global_referents
from ._imports import ImportSpec, ImportStyle, import_spec_for, module_name_for
from ._signature import declared_params, kept_nodes
from ._source import ModuleIndex, SourceSet, name_nodes, names_used


@dataclass
class HelperMove:
    """A top-level definition of a router module moving into that module's service module."""

    module: str  # the router module it comes from
    name: str
    service: str  # the service module it goes to
    target: str  # its name there
    node: cst.CSTNode  # the statement in the router module
    position: int  # index in the router module's body
    copied: bool = False  # `logger = logging.getLogger(__name__)`: each module keeps its own


@dataclass
class FunctionMove:
    """A route function whose body becomes a service function."""

    module: str  # the router module
    function: str  # the route function's name
    service: str  # the service module
    name: str  # the service function's name
    params: list  # migrator.plan.ParamPlan of the kept parameters (roles tenant/path/query/body/resource)
    is_async: bool
    route: str  # dotted name of the route function


@dataclass
class ServiceModule:
    module: str
    file: str
    origin: ModuleIndex  # the router module it comes from
    alias: str  # how routers and the handler bind it (`legacy_users`)
    functions: list[FunctionMove] = field(default_factory=list)
    helpers: list[HelperMove] = field(default_factory=list)
    imports: set[ImportSpec] = field(default_factory=set)
    renames: dict[str, str] = field(default_factory=dict)  # name in the router module -> name here


@dataclass
class Phase1State:
    """Everything the phase-1 codemods share (one object for all files of the run)."""

    root: Path
    sources: SourceSet
    service_name: str
    service_version: Optional[str]  # None: the service declares none (the handler reports the app's)
    handler_module: str
    handler_class: str
    instance: str
    services_package: str
    style: ImportStyle
    wiring: object = None  # codemods.wire_standard_api.AppWiring
    services: dict[str, ServiceModule] = field(default_factory=dict)  # by service module
    by_origin: dict[str, ServiceModule] = field(default_factory=dict)  # by router module
    helpers: dict[tuple[str, str], HelperMove] = field(default_factory=dict)
    functions: dict[tuple[str, str], FunctionMove] = field(default_factory=dict)
    #: router module -> names other (not rewritten) modules import from it
    external: dict[str, set[str]] = field(default_factory=dict)
    operations: dict = field(default_factory=dict)  # codemods._standard_methods.Operation by name
    single_tenant: object = None  # migrator.plan.SingleTenantFact of a single-tenant deployment
    #: the generated answer mappings: operation -> parameters of `<operation>_from_legacy`, and where they live
    shapes: dict[str, list[str]] = field(default_factory=dict)
    shapes_module: Optional[str] = None
    #: (router module, route function) -> the parameter names its inputs function copies (Verdict.inputs)
    inputs: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    not_implemented: dict[str, str] = field(default_factory=dict)  # operation -> why it answers 501
    #: (service module, function) the handler calls; the service modules are written after the handler, and say
    #: which of their functions only the legacy routes call (a held route's: its operation answers 501)
    handler_calls: set[tuple[str, str]] = field(default_factory=set)
    template_errors: dict[str, str] = field(default_factory=dict)  # operation -> why its template failed
    #: the plan's lifecycle (migrator.lifecycle.model.LifecyclePlan) and where the registry module goes
    lifecycle: object = None
    registry_module: Optional[str] = None  # dotted, when the plan found a tenant registry
    #: the package of a service whose modules import each other relatively: the imports phase 1 adds inside it are
    #: written relative too (`migrator.planner.relative_home`)
    relative_home: Optional[str] = None

    def service_of(self, module: str) -> Optional[ServiceModule]:
        return self.by_origin.get(module)


def _copied(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and "__name__" in names_used(node)


def _public(name: str, taken: set[str], prefix: str) -> str:
    base = name.lstrip("_") or name
    for candidate in (base, f"{prefix}_{base}", *(f"{base}_{n}" for n in range(2, 100))):
        if candidate not in taken:
            return candidate
    raise ValueError(f"no free public name for {name}")  # pragma: no cover


def build_state(state: Phase1State, plan) -> Phase1State:
    """Fill `state` from the plan (migrator.plan.MigrationPlan): services, functions, helpers and their names."""
    for service in plan.services:
        origin = state.sources.get(service.origin)
        module = ServiceModule(service.module, service.file, origin, service.module.rsplit(".", 1)[-1])
        state.services[service.module] = module
        state.by_origin[origin.module] = module
    for route in plan.automatic:
        origin = module_name_for(route.file)
        service = state.by_origin[origin]
        if (origin, route.qualname) in state.functions:
            continue
        kept = [p for p in route.verdict.params if p.role != "dropped"]
        move = FunctionMove(origin, route.qualname, service.module, route.move.function, kept,
                            route.verdict.is_async, route.function)
        if route.verdict.inputs is not None:
            state.inputs[(origin, route.qualname)] = list(route.verdict.inputs.params)
        state.functions[(origin, route.qualname)] = move
        service.functions.append(move)
        for helper in route.verdict.helpers:
            module, _, name = helper.partition(":")
            _add_helper(state, module, name)
    for service in state.services.values():
        service.helpers.sort(key=lambda h: h.position)
        body = service.origin.tree.body
        service.functions.sort(key=lambda f: body.index(service.origin.function(f.function)))
    _external_imports(state)
    _name_helpers(state)
    for service in state.services.values():
        _service_imports(state, service)
    return state


def _add_helper(state: Phase1State, module: str, name: str) -> None:
    if (module, name) in state.helpers:
        return
    service = state.by_origin[module]
    node = service.origin.globals_[name]
    move = HelperMove(module, name, service.module, name, node, service.origin.tree.body.index(node), _copied(node))
    state.helpers[(module, name)] = move
    service.helpers.append(move)


def moved_regions(state: Phase1State, origin: ModuleIndex) -> set[int]:
    """ids of the Name nodes of a router module that move out (route bodies and moved, not copied, helpers)."""
    nodes: list[cst.CSTNode] = []
    for (module, function), move in state.functions.items():
        if module == origin.module:
            func = origin.function(function)
            nodes.append(func.body)
    for (module, name), helper in state.helpers.items():
        if module == origin.module and not helper.copied:
            nodes.append(helper.node)
    return {id(n) for node in nodes for n in name_nodes(node)}


def used_outside(origin: ModuleIndex, name: str, inside: set[int]) -> bool:
    """Does code of the router module that stays refer to its top-level `name`?"""
    return any(id(access.node) not in inside
               for assignment in origin.global_scope.assignments[name] for access in assignment.references)


def _name_helpers(state: Phase1State) -> None:
    """A private helper another module needs gets a public name (routers never import private names)."""
    needed: set[tuple[str, str]] = set()
    for service in state.services.values():
        inside = moved_regions(state, service.origin)
        for helper in service.helpers:
            if helper.copied:
                continue
            if used_outside(service.origin, helper.name, inside) or helper.name in state.external.get(helper.module, ()):
                needed.add((helper.module, helper.name))
        for other_module, other_name in _foreign_refs(state, service):
            needed.add((other_module, other_name))
    for key in sorted(needed):
        helper = state.helpers[key]
        if not helper.name.startswith("_"):
            continue
        service = state.services[helper.service]
        taken = set(service.origin.globals_) | {f.name for f in service.functions} | {
            h.target for h in service.helpers}
        helper.target = _public(helper.name, taken, service.alias.removeprefix("legacy_"))
        service.renames[helper.name] = helper.target


def _foreign_refs(state: Phase1State, service: ServiceModule) -> set[tuple[str, str]]:
    """(module, name) of definitions of other router modules the service's code refers to."""
    out = set()
    for node in _service_nodes(state, service):
        for assignment in global_referents(service.origin, node):
            if isinstance(assignment, ImportAssignment):
                try:
                    spec = import_spec_for(assignment, service.origin.module, service.origin.is_package)
                except ValueError:
                    continue
                if spec.name and (spec.module, spec.name) in state.helpers:
                    out.add((spec.module, spec.name))
    return out


def _service_nodes(state: Phase1State, service: ServiceModule) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = [h.node for h in service.helpers]
    for move in service.functions:
        func = service.origin.function(move.function)
        nodes.append(func.body)
        if func.returns is not None:
            nodes.append(func.returns)
        declared = declared_params(func)
        for param in move.params:  # the kept parameters' annotations and defaults go into the signature
            node = declared.get(param.name)
            if node is not None:
                role = "resource" if param.role == "tenant" and param.solved else param.role
                nodes += [n for n in kept_nodes(node, role) if n is not None]
    return nodes


def _service_imports(state: Phase1State, service: ServiceModule) -> None:
    """The imports the service's code needs, and the local names of definitions of other service modules."""
    origin = service.origin
    if origin.import_of("annotations") == ImportSpec("__future__", "annotations"):
        service.imports.add(ImportSpec("__future__", "annotations"))  # the moved annotations mean the same
    for node in _service_nodes(state, service):
        for assignment in global_referents(origin, node):
            if not isinstance(assignment, ImportAssignment):
                continue
            try:
                spec = import_spec_for(assignment, origin.module, origin.is_package)
            except ValueError:
                continue
            helper = state.helpers.get((spec.module, spec.name)) if spec.name else None
            if helper is None:
                service.imports.add(spec)
                continue
            # a definition of another router module: it lives in that module's service module now
            local = assignment.name
            if helper.target != local:
                service.renames[local] = helper.target
            service.imports.add(ImportSpec(helper.service, helper.target))


def _external_imports(state: Phase1State) -> None:
    """Names other files of the repo (tests included) import from the router modules: they must keep working.

    A read-only scan of import statements: `ast` is enough here and far cheaper than LibCST.
    """
    from libcst.helpers import get_absolute_module_from_package

    from codemods._imports import package_for

    routers = set(state.by_origin)
    wanted = {m.rsplit(".", 1)[-1].encode() for m in routers}
    for path in state.root.rglob("*.py"):
        rel = path.relative_to(state.root).as_posix()
        if any(part.startswith(".") or part in {"__pycache__", "node_modules"} for part in path.parts):
            continue
        current = module_name_for(rel)
        if current in routers:
            continue  # the extraction handles imports between the modules it rewrites
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"import" not in data or not any(w in data for w in wanted):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        for node in _import_froms(tree):
            module = get_absolute_module_from_package(package_for(rel) or None, node.module, node.level) \
                if node.level else node.module
            if module in routers:
                state.external.setdefault(module, set()).update(alias.name for alias in node.names)


#: the fields holding statements (and the `except` handlers and `case`s that hold them)
_STATEMENT_BLOCKS = ("body", "handlers", "orelse", "finalbody", "cases")


def _import_froms(tree: ast.Module) -> Iterator[ast.ImportFrom]:
    """The `from ... import` statements of a module at any depth, in `ast.walk`'s order (breadth first, fields in
    order): an import is a statement, so only the statement blocks are walked, never an expression."""
    pending = deque([tree])
    while pending:
        node = pending.popleft()
        if isinstance(node, ast.ImportFrom):
            yield node
        for name in _STATEMENT_BLOCKS:
            block = getattr(node, name, None)
            if isinstance(block, list):
                pending.extend(block)


def renamed(index: ModuleIndex, node: cst.CSTNode, targets: dict[str, str]) -> cst.CSTNode:
    """`node` (of `index`) with references to the module-level names in `targets` renamed."""
    if not targets:
        return node
    scopes = index.scopes
    renames: dict[int, str] = {}
    for name_node in name_nodes(node):
        new = targets.get(name_node.value)
        if new is None:
            continue
        scope = scopes.get(name_node)
        if scope is None:
            continue
        try:
            accesses = scope.accesses[name_node]
        except KeyError:
            accesses = ()
        if any(isinstance(a.scope, GlobalScope) for acc in accesses for a in acc.referents):
            renames[id(name_node)] = new
    return node.visit(_Rename(renames)) if renames else node


class _Rename(cst.CSTTransformer):
    def __init__(self, renames: dict[int, str]) -> None:
        self.renames = renames

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(id(original))
        return updated.with_changes(value=new) if new else updated


def rename_definition(node: cst.CSTNode, old: str, new: str) -> cst.CSTNode:
    if old == new:
        return node
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.name.value == old:
        return node.with_changes(name=cst.Name(new))
    if isinstance(node, cst.SimpleStatementLine):
        small = node.body[0]
        if isinstance(small, cst.Assign):
            return node.with_changes(body=[small.with_changes(targets=[cst.AssignTarget(cst.Name(new))])])
        if isinstance(small, cst.AnnAssign):
            return node.with_changes(body=[small.with_changes(target=cst.Name(new))])
    return node
