"""Phase 3's dead-code pass: remove what only the removed routes used, across the whole repository, safely.

Input: every Python file of the repository (path -> source, the route registrations already removed), the names
the removed code used (per file), and the modules that lost routes. The pass repeats until nothing changes:

- a top-level definition (function or class without decorators other than ``@deprecated``, single-name assignment,
  imported name) that is a candidate is removed when its own module no longer references it (LibCST scopes), no
  other file imports it or reads it as ``module.name``, it is not listed in ``__all__``, and no configuration text
  (pyproject.toml...) names it; what it used becomes a candidate in turn;
- a candidate module is deleted when it registers no route, includes no router, creates no app, is not a test, an
  ``__init__.py``, a ``conftest.py``, a script (``if __name__ == "__main__"``) or a protected module (the app, the
  handler), and nothing imports it (an unused import counts) — except where every use of the import is an
  ``include_router(<it>.router)`` statement: those statements and the import are removed with the module (the app
  module's wiring of a router module that lost all its routes).

Anything the analysis cannot see through (star imports, a module object passed around, dotted ``import a.b``
bindings) counts as a use, so the pass errs on the side of keeping code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping, Optional

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node
from libcst.metadata import GlobalScope, MetadataWrapper, ScopeProvider

from ._phase23_routes import has_routes
from ._util import absolute_module, module_name_for

ALL = "*"  # a module used in ways the analysis cannot enumerate: every name of it counts as used
_PURE_DECORATORS = {"deprecated"}


@dataclass
class Binding:
    """One name an import statement binds in a file."""

    bound: str
    module: str  # absolute module named by the statement
    name: Optional[str]  # the imported name (None for `import x`)
    target: Optional[str]  # the first-party module this binding *is*, when it binds a module
    top_level: bool
    dotted: bool = False  # `import a.b` (binds `a`)


@dataclass
class FileInfo:
    path: str
    module: str
    tree: cst.Module
    bindings: list[Binding]
    refs: dict[str, set[str]]  # first-party module -> names used from it (ALL inside: everything)
    imports: set[str]  # first-party modules imported in any form
    scope: Optional[GlobalScope] = None  # LibCST's global scope of `tree`, computed when first needed


@dataclass
class DeadCode:
    sources: dict[str, Optional[str]] = field(default_factory=dict)  # changed files: new source, None = deleted
    removed: dict[str, list[str]] = field(default_factory=dict)  # file -> names removed
    deleted: list[str] = field(default_factory=list)
    unwired: dict[str, list[str]] = field(default_factory=dict)  # file -> deleted modules it no longer includes


def is_test_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    name = parts[-1]
    return (any(p in ("tests", "test") for p in parts[:-1]) or name.startswith("test_") or name.endswith("_test.py")
            or name == "conftest.py")


class _Uses(cst.CSTVisitor):
    """Uses of one name outside import statements: bare uses and `name.attr` attributes."""

    def __init__(self, name: str) -> None:
        self.name, self.total, self.attrs, self.bases = name, 0, set(), 0
        self._skip: set[int] = set()

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.attrs.add(node.attr.value)
            self.bases += 1

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name and id(node) not in self._skip:
            self.total += 1


def name_uses(node: cst.CSTNode, name: str) -> _Uses:
    visitor = _Uses(name)
    node.visit(visitor)
    return visitor


class Repo:
    def __init__(self, files: Mapping[str, str], texts: str = "") -> None:
        self.sources: dict[str, Optional[str]] = dict(files)
        self.by_module = {module_name_for(p): p for p in files}
        self.texts = texts
        self._info: dict[str, FileInfo] = {}

    # --- analysis ------------------------------------------------------------------------------------------------

    def first_party(self, module: str) -> Optional[str]:
        return module if module in self.by_module else None

    def info(self, path: str) -> FileInfo:
        if path not in self._info:
            self._info[path] = self._analyse(path, cst.parse_module(self.sources[path]))
        return self._info[path]

    def set_tree(self, path: str, tree: cst.Module) -> None:
        self.sources[path] = tree.code
        self._info[path] = self._analyse(path, tree)

    def live_paths(self) -> list[str]:
        return [p for p, s in self.sources.items() if s is not None]

    def _analyse(self, path: str, tree: cst.Module) -> FileInfo:
        module = module_name_for(path)
        is_package = path.endswith("__init__.py")
        top = {id(s.body[0]) for s in tree.body if isinstance(s, cst.SimpleStatementLine) and s.body}
        bindings: list[Binding] = []
        for node in m.findall(tree, m.Import() | m.ImportFrom()):
            top_level = id(node) in top
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = get_full_name_for_node(alias.name) or ""
                    if alias.asname is not None:
                        bound = get_full_name_for_node(alias.asname.name) or ""
                        bindings.append(Binding(bound, full, None, self.first_party(full), top_level))
                    else:
                        bindings.append(Binding(full.split(".")[0], full, None, self.first_party(full), top_level,
                                                dotted="." in full))
                continue
            base = absolute_module(module, len(node.relative),
                                   get_full_name_for_node(node.module) if node.module else None, is_package)
            if isinstance(node.names, cst.ImportStar):
                bindings.append(Binding("*", base, "*", None, top_level))
                continue
            for alias in node.names:
                name = get_full_name_for_node(alias.name) or ""
                bound = get_full_name_for_node(alias.asname.name) if alias.asname else name
                bindings.append(Binding(bound or name, base, name, self.first_party(f"{base}.{name}"), top_level))

        refs: dict[str, set[str]] = {}
        imports: set[str] = set()
        chains: Optional[set[str]] = None  # every dotted `a.b.c` of the file, computed when a module binding needs it
        for b in bindings:
            owner = self.first_party(b.module)
            if owner:
                imports.add(owner)
            if b.name == "*":
                if owner:
                    refs.setdefault(owner, set()).add(ALL)
                continue
            if b.target is not None or b.dotted:
                if b.target is not None:
                    imports.add(b.target)
                if chains is None:
                    chains = {get_full_name_for_node(a) or "" for a in m.findall(tree, m.Attribute())}
                # `alias.x.y`: `y` of module `<target>.x` when that is a module of the repo, else `x` of the target
                base = b.bound if b.dotted else b.target
                for chain in chains:
                    if chain.startswith(b.bound + "."):
                        parts = [*base.split("."), *chain[len(b.bound) + 1:].split(".")]
                        for end in range(len(parts) - 1, 0, -1):
                            if ".".join(parts[:end]) in self.by_module:
                                refs.setdefault(".".join(parts[:end]), set()).add(parts[end])
                                break
                if b.target is not None and not b.dotted:
                    uses = name_uses(tree, b.bound)
                    if uses.total > uses.bases:  # the module object itself is passed around
                        refs.setdefault(b.target, set()).add(ALL)
            elif owner and b.name:
                refs.setdefault(owner, set()).add(b.name)
        return FileInfo(path, module, tree, bindings, refs, imports)

    # --- questions -----------------------------------------------------------------------------------------------

    def used_elsewhere(self, path: str, name: str) -> bool:
        module = module_name_for(path)
        for other in self.live_paths():
            if other == path:
                continue
            used = self.info(other).refs.get(module)
            if used and (name in used or ALL in used):
                return True
        return bool(re.search(rf"\b{re.escape(module)}[:.]{re.escape(name)}\b", self.texts))

    def imported_by(self, path: str) -> list[str]:
        module = module_name_for(path)
        return [p for p in self.live_paths() if p != path and module in self.info(p).imports]


def _definition(tree: cst.Module, name: str) -> Optional[tuple[int, str]]:
    """(index, kind) of the single top-level statement defining `name`: def, class, assign or import."""
    found = []
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.name.value == name:
            found.append((index, "def"))
        elif isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and m.matches(small.targets[0].target,
                                                                                      m.Name(name)):
                found.append((index, "assign"))
            elif isinstance(small, cst.AnnAssign) and m.matches(small.target, m.Name(name)) and small.value:
                found.append((index, "assign"))
            elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname else alias.name
                    if isinstance(small, cst.Import) and alias.asname is None:
                        bound_name = (get_full_name_for_node(alias.name) or "").split(".")[0]
                    else:
                        bound_name = get_full_name_for_node(bound) or ""
                    if bound_name == name:
                        found.append((index, "import"))
    return found[0] if len(found) == 1 else None


def _all_names(tree: cst.Module) -> set[str]:
    for stmt in tree.body:
        if m.matches(stmt, m.SimpleStatementLine([m.Assign(targets=[m.AssignTarget(m.Name("__all__"))])])):
            return {n.evaluated_value for n in m.findall(stmt, m.SimpleString())}
    return set()


def _referenced_locally(info: FileInfo, name: str) -> bool:
    if info.scope is None:  # one scope analysis per version of the file
        info.scope = MetadataWrapper(info.tree, unsafe_skip_copy=True).resolve(ScopeProvider)[info.tree]
    assignments = list(info.scope.assignments[name])
    return len(assignments) != 1 or any(a.references for a in assignments) or name in _all_names(info.tree)


def _removable_def(stmt: cst.CSTNode) -> bool:
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        for decorator in stmt.decorators:
            expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            if (get_full_name_for_node(expr) or "") not in _PURE_DECORATORS:
                return False
    return True


def _without(body: list, index: int) -> list:
    """`body` without statement `index`; its blank lines go to the next statement if that one has none."""
    removed = body[index]
    rest = [*body[:index], *body[index + 1:]]
    if index < len(rest):
        following = rest[index]
        blanks = [line for line in removed.leading_lines if line.comment is None]
        if not following.leading_lines and blanks and hasattr(following, "leading_lines"):
            rest[index] = following.with_changes(leading_lines=blanks)
    return rest


def _drop_alias(stmt: cst.SimpleStatementLine, name: str) -> Optional[cst.SimpleStatementLine]:
    node = stmt.body[0]
    names = list(node.names)
    keep = []
    for alias in names:
        if isinstance(node, cst.Import) and alias.asname is None:
            bound = (get_full_name_for_node(alias.name) or "").split(".")[0]
        else:
            bound = get_full_name_for_node(alias.asname.name if alias.asname else alias.name)
        if bound != name:
            keep.append(alias)
    if not keep:
        return None
    if keep[-1] is not names[-1]:
        keep[-1] = keep[-1].with_changes(comma=names[-1].comma)
    return stmt.with_changes(body=[node.with_changes(names=keep)])


class _DropStatements(cst.CSTTransformer):
    def __init__(self, doomed: set[int]) -> None:
        self.doomed = doomed

    def leave_Module(self, original, updated):
        return updated.with_changes(body=self._filter(original.body, updated.body))

    def leave_IndentedBlock(self, original, updated):
        body = self._filter(original.body, updated.body)
        return updated.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def _filter(self, original, updated):
        body = list(updated)
        for index in reversed(range(len(original))):
            if id(original[index]) in self.doomed:
                body = _without(body, index)
        return body


def remove_dead_code(files: Mapping[str, str], candidates: Mapping[str, set[str]],
                     attributes: Mapping[str, set[tuple[str, str]]], modules: set[str], *,
                     protected: set[str] = frozenset(), texts: str = "") -> DeadCode:
    """Run the pass (see the module docstring) and return what changed."""
    repo = Repo(files, texts)
    result = DeadCode()
    pending: dict[str, set[str]] = {p: set(n) for p, n in candidates.items() if p in files}
    module_pending: set[str] = {p for p in modules if p in files}

    def add(path: Optional[str], name: Optional[str] = None) -> None:
        if path is None or repo.sources.get(path) is None:
            return
        if name is None:
            module_pending.add(path)
        else:
            pending.setdefault(path, set()).add(name)

    for path, pairs in attributes.items():
        if path not in files:
            continue
        info = repo.info(path)
        for base, attr in pairs:
            for b in info.bindings:
                if b.bound == base and b.target and not b.dotted:
                    add(repo.by_module.get(b.target), attr)

    progress = True
    while progress:
        progress = False
        for path in sorted(pending):
            names, pending[path] = pending[path], set()
            if names and repo.sources.get(path) is not None:
                removed = _remove_names(repo, path, names, add)
                if removed:
                    result.removed.setdefault(path, []).extend(removed)
                    progress = True
        for path in sorted(module_pending):
            module_pending.discard(path)
            if repo.sources.get(path) is not None and _delete_module(repo, path, protected, add, result):
                progress = True
    for path, source in repo.sources.items():
        if source != files.get(path):
            result.sources[path] = source
    return result


def _removable(repo: Repo, info: FileInfo, name: str) -> bool:
    found = _definition(info.tree, name)
    if found is None or name.startswith("__") or not _removable_def(info.tree.body[found[0]]):
        return False
    return not _referenced_locally(info, name) and not repo.used_elsewhere(info.path, name)


def _remove_names(repo: Repo, path: str, names: set[str], add) -> list[str]:
    """Remove the candidates of one file that nothing uses (judged on the file as it is: one scope analysis);
    what they used becomes a candidate for the next round."""
    info = repo.info(path)
    doomed = [name for name in sorted(names) if _removable(repo, info, name)]
    tree = info.tree
    for name in doomed:
        index, kind = _definition(tree, name)
        stmt = tree.body[index]
        body = list(tree.body)
        if kind == "import":
            for b in info.bindings:
                if b.bound == name and b.top_level:
                    owner = repo.first_party(b.module)
                    if b.target:
                        add(repo.by_module.get(b.target))
                    elif owner:
                        add(repo.by_module[owner], b.name)
                        add(repo.by_module[owner])
            new_stmt = _drop_alias(stmt, name)
            if new_stmt is None:
                body = _without(body, index)
            else:
                body[index] = new_stmt
        else:
            for used in {n.value for n in m.findall(stmt, m.Name())} - {name}:
                add(path, used)
            for attribute in m.findall(stmt, m.Attribute(value=m.Name())):
                for b in info.bindings:
                    if b.bound == attribute.value.value and b.target and not b.dotted:
                        add(repo.by_module.get(b.target), attribute.attr.value)
            body = _without(body, index)
        tree = tree.with_changes(body=body)
    if doomed:
        repo.set_tree(path, tree)
    return doomed


def _include_statements(tree: cst.Module) -> list[cst.SimpleStatementLine]:
    return m.findall(tree, m.SimpleStatementLine([m.Expr(m.Call(func=m.Attribute(attr=m.Name("include_router"))))]))


def _deletable(repo: Repo, path: str, protected) -> bool:
    info = repo.info(path)
    name = PurePosixPath(path).name
    if path in protected or name == "__init__.py" or is_test_file(path) or has_routes(info.tree):
        return False
    if m.findall(info.tree, m.If(test=m.Comparison(left=m.Name("__name__")))):
        return False
    return not re.search(rf"\b{re.escape(info.module)}\b", repo.texts)


def _delete_module(repo: Repo, path: str, protected, add, result: DeadCode) -> bool:
    if not _deletable(repo, path, protected):
        return False
    module = module_name_for(path)
    plans: dict[str, tuple[list[str], list[cst.SimpleStatementLine]]] = {}
    for other in repo.imported_by(path):
        info = repo.info(other)
        mine = [b for b in info.bindings
                if b.target == module or (b.name and repo.first_party(b.module) == module and b.target is None)]
        if not mine or any(not b.top_level or b.dotted or b.name == "*" for b in mine):
            return False  # imported in a form only a person can judge
        statements = []
        for b in mine:
            uses = name_uses(info.tree, b.bound)
            includes = [s for s in _include_statements(info.tree) if name_uses(s, b.bound).total]
            if not includes or uses.total != sum(name_uses(s, b.bound).total for s in includes):
                return False  # used (or merely imported) outside `include_router(...)`
            statements += includes
        plans[other] = ([b.bound for b in mine], statements)

    old = repo.info(path)
    for used_module, names in old.refs.items():
        target = repo.by_module.get(used_module)
        for name in names - {ALL}:
            add(target, name)
    for used_module in old.imports:
        add(repo.by_module.get(used_module))
    repo.sources[path] = None
    result.deleted.append(path)
    for other, (bound, statements) in plans.items():
        tree = repo.info(other).tree
        for stmt in statements:
            for used in {n.value for n in m.findall(stmt, m.Name())}:
                add(other, used)
        tree = tree.visit(_DropStatements({id(s) for s in statements}))
        for name in bound:
            found = _definition(tree, name)
            if found is not None:
                index, _kind = found
                new_stmt = _drop_alias(tree.body[index], name)
                body = list(tree.body)
                if new_stmt is None:
                    body = _without(body, index)
                else:
                    body[index] = new_stmt
                tree = tree.with_changes(body=body)
        repo.set_tree(other, tree)
        result.unwired.setdefault(other, []).append(module)
    return True

