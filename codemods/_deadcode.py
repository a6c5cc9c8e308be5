"""The one dead-code analysis: what only the removed routes used, across the whole repository.

Phase 3 removes what it finds; `analyze` reports the same finding as phase 3's estimate. The analysis works on
per-file summaries (`summarize`: top-level definitions with their line spans and the names each uses, import
bindings, top-level statements, `__all__`, whether the module registers routes or is a script) made with `ast`
one file at a time, as the analysis asks for them (`RepoSummaries`): its candidates and the files whose text
mentions their modules, found by a byte scan. No source text is kept, and on a large repository only a handful of
files is parsed, so the estimate streams.

Starting from candidates (the names the removed registrations used, the functions left without a route), it
repeats until nothing changes:

- a top-level definition (function or class without decorators other than ``@deprecated``, single-name
  assignment, imported name) is dead when no live code of its module uses it, no live code elsewhere imports it or
  reads it as ``module.name``, ``__all__`` does not list it and no configuration text (pyproject.toml...) names it;
  what it used becomes a candidate in turn;
- a candidate module goes when it registers no route, includes no router, creates no app, is not a test, an
  ``__init__.py``, a script (``if __name__ == "__main__"``) or a protected module (the app, the handler), and every
  import of it is used only by ``include_router(<it>.router)`` statements, which go with it.

Anything the analysis cannot see through (star imports, a module object passed around, dotted ``import a.b``
bindings, names defined twice) counts as a use, so it errs on the side of keeping code.
"""

from __future__ import annotations

import ast
import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, Mapping, Optional

from libcst.helpers import get_absolute_module_from_package

from ._imports import module_name_for, package_for

ALL = "*"  # a module used in ways the analysis cannot enumerate: every name of it counts as used
PURE_DECORATORS = {"deprecated"}
ROUTE_ATTRS = {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "add_api_route",
               "websocket", "add_websocket_route", "include_router", "mount", "add_route"}
ROUTE_ATTRS_APP = frozenset(ROUTE_ATTRS | {"FastAPI"})
SKIP_DIRS = {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages"}
CONFIG_SUFFIXES = {".toml", ".cfg", ".ini", ".yaml", ".yml"}


@dataclass(frozen=True)
class Uses:
    """What one piece of code reads: names, names not used as `x.attr` bases, and `a.b.c` chains."""

    names: frozenset[str] = frozenset()
    bare: frozenset[str] = frozenset()
    chains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Binding:
    bound: str
    module: str  # absolute module named by the import statement
    name: Optional[str]  # the imported name (None for `import x`)
    top_level: bool
    dotted: bool = False  # `import a.b` (binds `a`)
    star: bool = False
    line: int = 0  # of the import statement


@dataclass(frozen=True)
class Unit:
    """A top-level statement: a definition (name set) or anything else (an `include_router(...)` call...)."""

    line: int  # first line (the first decorator's for a decorated definition)
    end: int
    uses: Uses
    name: Optional[str] = None
    kind: str = "statement"  # def | class | assign | import | statement
    removable: bool = True
    include: bool = False  # `x.include_router(...)`


@dataclass
class Summary:
    """One Python file, without its text."""

    path: str
    module: str
    lines: int
    units: list[Unit]
    bindings: list[Binding]
    all_names: frozenset[str]
    ambiguous: frozenset[str]  # names bound more than once at the top level
    has_routes: bool
    is_script: bool

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")

    def definition(self, name: str) -> Optional[Unit]:
        if name in self.ambiguous:
            return None
        return next((u for u in self.units if u.name == name), None)


def is_test_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    name = parts[-1]
    return (any(p in ("tests", "test") for p in parts[:-1]) or name.startswith("test_") or name.endswith("_test.py")
            or name == "conftest.py")


# --- summaries ---------------------------------------------------------------------------------------------------


def _chain(node: ast.AST) -> Optional[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return (_chain(target) or "").rsplit(".", 1)[-1]


def _bindings(node: ast.stmt, module: str, package: str, top_level: bool) -> list[Binding]:
    out = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            out.append(Binding(bound, alias.name, None, top_level, dotted=alias.asname is None and "." in alias.name,
                               line=node.lineno))
    elif isinstance(node, ast.ImportFrom):
        base = get_absolute_module_from_package(package or None, node.module, node.level) if node.level else (
            node.module or "")
        for alias in node.names:
            if alias.name == "*":
                out.append(Binding("*", base or "", "*", top_level, star=True, line=node.lineno))
            else:
                out.append(Binding(alias.asname or alias.name, base or "", alias.name, top_level, line=node.lineno))
    return out


class _Reads:
    """What one unit reads, gathered while the file is walked (`Uses` once frozen)."""

    __slots__ = ("names", "bare", "chains")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.bare: set[str] = set()
        self.chains: set[str] = set()

    def uses(self) -> Uses:
        return Uses(frozenset(self.names), frozenset(self.bare), frozenset(self.chains))


def _unit(node: ast.stmt, reads: Optional[_Reads]) -> list[Unit]:
    """The unit of a top-level statement; `reads`: what the walk gathered for it (None for imports)."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    end = node.end_lineno or node.lineno
    uses = reads.uses() if reads is not None else Uses()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        pure = all(_decorator_name(d) in PURE_DECORATORS for d in node.decorator_list)
        kind = "class" if isinstance(node, ast.ClassDef) else "def"
        return [Unit(start, end, uses, node.name, kind, pure)]
    if _single_assign(node):
        return [Unit(start, end, uses, _assigned(node), "assign")]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return []  # bindings
    include = (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
               and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "include_router")
    return [Unit(start, end, uses, include=include)]


def _single_assign(node: ast.stmt) -> bool:
    """`name = value` or `name: T = value`: a unit named `name` whose uses are its value's (and annotation's)."""
    if isinstance(node, ast.Assign):
        return len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    return isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None


def _assigned(node: ast.Assign | ast.AnnAssign) -> str:
    return node.targets[0].id if isinstance(node, ast.Assign) else node.target.id


def _walk(tree: ast.Module, module: str, package: str) -> tuple[list[Optional[_Reads]], list[Binding], bool]:
    """One breadth-first walk of the file (the order `ast.walk` visits): per top-level statement what it reads
    (`uses_of` of its unit's nodes: a whole definition or statement, an assignment's value and annotation only),
    the import bindings in walk order, and whether a route, router inclusion or app is made anywhere."""
    reads: list[Optional[_Reads]] = []
    queue: deque[tuple[ast.AST, Optional[_Reads], bool]] = deque()
    for stmt in tree.body:
        unit = None if isinstance(stmt, (ast.Import, ast.ImportFrom)) else _Reads()
        reads.append(unit)
        queue.append((stmt, unit, False))
    top = {id(n) for n in tree.body}
    assigned = {id(stmt) for stmt in tree.body if _single_assign(stmt)}
    bindings: list[Binding] = []
    routes = False
    name, attribute, call, imports = ast.Name, ast.Attribute, ast.Call, (ast.Import, ast.ImportFrom)
    while queue:
        node, unit, base = queue.popleft()
        kind = type(node)
        if kind is name:
            if unit is not None:
                unit.names.add(node.id)
                if not base:
                    unit.bare.add(node.id)
        elif kind is attribute:
            if unit is not None:
                chain = _chain(node)
                if chain:
                    unit.chains.add(chain)
        elif kind is call:
            func = node.func
            if type(func) is attribute and func.attr in ROUTE_ATTRS_APP or type(func) is name and func.id == "FastAPI":
                routes = True
        elif kind in imports:
            bindings += _bindings(node, module, package, id(node) in top)
        if id(node) in assigned:  # the target is walked (a call in it may make a route) but is not a use
            value_fields = ("value", "annotation")
            for field, child in ast.iter_fields(node):
                for item in child if isinstance(child, list) else [child]:
                    if isinstance(item, ast.AST):
                        queue.append((item, unit if field in value_fields else None, False))
            continue
        for child in ast.iter_child_nodes(node):
            queue.append((child, unit, kind is attribute and type(child) is name))
    return reads, bindings, routes


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
        node, (ast.AnnAssign, ast.AugAssign)) else []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def summarize(path: str, source: str | bytes) -> Summary:
    """The summary of one file; raises SyntaxError / ValueError when it does not parse."""
    tree = ast.parse(source)
    module, package = module_name_for(path), package_for(path)
    reads, bindings, has_routes = _walk(tree, module, package)
    units: list[Unit] = []
    counts: dict[str, int] = {}
    all_names: set[str] = set()
    is_script = False
    for node, gathered in zip(tree.body, reads):
        units += _unit(node, gathered)
        for name in _bound_names(node):
            counts[name] = counts.get(name, 0) + 1
        if isinstance(node, (ast.Assign, ast.AugAssign)) and "__all__" in _bound_names(node):
            all_names |= {c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name) \
                and node.test.left.id == "__name__":
            is_script = True
    for binding in bindings:
        if binding.top_level and binding.bound != "*":
            units.append(Unit(binding.line, binding.line, Uses(), binding.bound, "import"))
    text = source if isinstance(source, str) else source.decode("utf-8", "replace")
    return Summary(path, module, text.count("\n") + (0 if text.endswith("\n") or not text else 1), units, bindings,
                   frozenset(all_names), frozenset(n for n, c in counts.items() if c > 1), has_routes, is_script)


def python_files(root: Path) -> Iterator[str]:
    """The repository's Python files (posix, relative), tests included (they keep what they import alive)."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part in SKIP_DIRS for part in rel.parts[:-1]):
            continue
        yield rel.as_posix()


def config_text(root: Path) -> str:
    """Configuration files that may name a module or a function (small, kept whole)."""
    texts = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.suffix in CONFIG_SUFFIXES and path.is_file() and not any(
                part.startswith(".") or part in SKIP_DIRS for part in rel.parts[:-1]):
            try:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    return "\n".join(texts)


class RepoSummaries(Mapping[str, Summary]):
    """The summaries of a repository's Python files (`overrides`: path -> the source a phase made, None: deleted),
    each made when the analysis first asks for it and kept; no source text is kept.

    The analysis asks for its candidates and, through `mentioning`, for the files whose text could refer to a
    module: on a repository of thousands of files that is a handful, found by a byte scan of each file instead of a
    parse of every one (the memory held grows with the files parsed, not with the repository). A file that does not
    parse is summarised as `_opaque`, one that cannot be read too.
    """

    def __init__(self, root: Path, overrides: Mapping[str, Optional[str]] = {}):
        self.root = Path(root)
        self.overrides = dict(overrides)
        deleted = {path for path, source in self.overrides.items() if source is None}
        self.paths = sorted((set(python_files(self.root)) | set(self.overrides)) - deleted)
        self.modules = {path: module_name_for(path) for path in self.paths}  # also: which paths exist
        self._summaries: dict[str, Summary] = {}
        self._mentions: dict[str, list[str]] = {}
        self.wanted: set[str] = set()  # modules the next scan looks for as well (the analysis' candidates)

    def __getitem__(self, path: str) -> Summary:
        if path not in self.modules:
            raise KeyError(path)
        found = self._summaries.get(path)
        if found is None:
            found = self._summaries[path] = self._summarize(path)
        return found

    def __contains__(self, path: object) -> bool:
        return path in self.modules

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def parsed(self) -> int:
        """How many files were summarised so far."""
        return len(self._summaries)

    def _source(self, path: str) -> Optional[str | bytes]:
        if path in self.overrides:
            return self.overrides[path]
        try:
            with open(os.path.join(self.root, path), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def _summarize(self, path: str) -> Summary:
        source = self._source(path)
        if source is None:
            return _opaque(path)
        try:
            return summarize(path, source)
        except (SyntaxError, ValueError, RecursionError):
            return _opaque(path)

    def mentioning(self, module: str) -> list[str]:
        """The files whose text may refer to `module`, in path order: those holding its last name as a word (every
        import or `a.b.c` chain that reaches it names it), and for a package the files under it with a relative
        import (`from . import x` names no package). A superset of the files that import or read it."""
        if module not in self._mentions:
            self._scan({module} | {m for m in self.wanted if m not in self._mentions})
        return self._mentions[module]

    def _scan(self, modules: set[str]) -> None:
        words = {module: module.rpartition(".")[2] for module in modules}
        if not all(words.values()):  # the root package itself: every file may refer to it
            self._mentions.update({module: list(self.paths) for module, word in words.items() if not word})
            words = {module: word for module, word in words.items() if word}
        packages = {self.modules[path]: path[: -len("__init__.py")] for path in self.paths
                    if path.endswith("__init__.py") and self.modules[path] in words}
        found: dict[str, list[str]] = {module: [] for module in words}
        if not words:
            return
        encoded = sorted({word.encode() for word in words.values()})
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(word) for word in encoded) + rb")\b")
        for path in self.paths:
            source = self._source(path)
            if source is None:
                continue
            data = source.encode("utf-8", "replace") if isinstance(source, str) else source
            # a substring test first (most files name none of the words); the regex then checks word boundaries
            hits = ({hit.decode("utf-8", "replace") for hit in pattern.findall(data)}
                    if any(word in data for word in encoded) else set())
            relative = b"from ." in data
            for module, word in words.items():
                if word in hits or (relative and module in packages and path.startswith(packages[module])):
                    found[module].append(path)
        self._mentions.update(found)


def _opaque(path: str) -> Summary:
    """A file that cannot be parsed: it defines nothing removable and may use anything (star import of all)."""
    return Summary(path, module_name_for(path), 0, [], [Binding("*", "", "*", True, star=True)], frozenset(),
                   frozenset(), True, True)


# --- the analysis ------------------------------------------------------------------------------------------------


@dataclass
class Decisions:
    """What goes: per file, the dead top-level names and the lines of the statements to drop; deleted files."""

    dead: dict[str, set[str]] = field(default_factory=dict)
    dropped: dict[str, set[int]] = field(default_factory=dict)  # first lines of statements to drop
    deleted: list[str] = field(default_factory=list)
    unwired: dict[str, list[str]] = field(default_factory=dict)  # file -> deleted modules it no longer includes
    kept: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # candidate root -> files still using it

    def lines_removed(self, summaries: Mapping[str, Summary]) -> dict[str, int]:
        out: dict[str, int] = {}
        for path in self.deleted:
            out[path] = summaries[path].lines
        for path, names in self.dead.items():
            if path in self.deleted:
                continue
            units = [u for u in summaries[path].units if u.name in names and u.kind != "import"]
            count = sum(u.end - u.line + 1 for u in units)
            if count:
                out[path] = out.get(path, 0) + count
        return out


class DeadCode:
    def __init__(self, summaries: Mapping[str, Summary], *, protected: set[str] = frozenset(), texts: str = ""):
        self.files = summaries if isinstance(summaries, RepoSummaries) else dict(summaries)
        modules = self.files.modules if isinstance(self.files, RepoSummaries) else {
            p: module_name_for(p) for p in self.files}  # each summary's module, without making the summary
        self.by_module = {module: p for p, module in modules.items()}
        self.protected = protected
        self.texts = texts
        self.decisions = Decisions()
        self._refs: dict[str, tuple[dict[str, set[str]], set[str]]] = {}

    # -- liveness -------------------------------------------------------------------------------------------------

    def _dead(self, path: str) -> set[str]:
        return self.decisions.dead.setdefault(path, set())

    def live_units(self, path: str) -> list[Unit]:
        dead, dropped = self._dead(path), self.decisions.dropped.get(path, set())
        return [u for u in self.files[path].units
                if not (u.name is not None and u.name in dead) and u.line not in dropped]

    def live_paths(self) -> list[str]:
        return [p for p in self.files if p not in self.decisions.deleted]

    def may_use(self, path: str) -> list[str]:
        """Live files other than `path` that may use its module: those mentioning it (`RepoSummaries`), else all."""
        if isinstance(self.files, RepoSummaries):
            candidates = self.files.mentioning(self.files.modules[path])
        else:
            candidates = list(self.files)
        return [p for p in candidates if p != path and p not in self.decisions.deleted]

    def first_party(self, module: str) -> Optional[str]:
        return module if module in self.by_module else None

    def target(self, binding: Binding) -> Optional[str]:
        """The first-party module a binding *is* (`from pkg import mod`, `import pkg.mod as m`)."""
        if binding.star:
            return None
        if binding.name is None:
            return self.first_party(binding.module) if not binding.dotted else None
        return self.first_party(f"{binding.module}.{binding.name}")

    def refs(self, path: str) -> tuple[dict[str, set[str]], set[str]]:
        """(first-party module -> names live code of `path` uses from it, modules it imports in any form)."""
        if path in self._refs:
            return self._refs[path]
        summary, dead = self.files[path], self._dead(path)
        units = [u for u in self.live_units(path) if u.kind != "import"]
        chains = set().union(*(u.uses.chains for u in units)) if units else set()
        bare = set().union(*(u.uses.bare for u in units)) if units else set()
        refs: dict[str, set[str]] = {}
        imports: set[str] = set()
        for b in summary.bindings:
            if b.top_level and b.bound in dead:
                continue
            owner, target = self.first_party(b.module), self.target(b)
            if owner:
                imports.add(owner)
            if b.star:
                if owner:
                    refs.setdefault(owner, set()).add(ALL)
                continue
            if target is not None or b.dotted:
                if target is not None:
                    imports.add(target)
                base = b.bound if b.dotted else target
                for chain in chains:  # `alias.x.y`: `y` of module `<target>.x` when that is a module, else `x`
                    if chain.startswith(b.bound + "."):
                        parts = [*base.split("."), *chain[len(b.bound) + 1:].split(".")]
                        for end in range(len(parts) - 1, 0, -1):
                            if ".".join(parts[:end]) in self.by_module:
                                refs.setdefault(".".join(parts[:end]), set()).add(parts[end])
                                break
                if target is not None and not b.dotted and b.bound in bare:  # the module object is passed around
                    refs.setdefault(target, set()).add(ALL)
            elif owner and b.name:
                refs.setdefault(owner, set()).add(b.name)
        self._refs[path] = (refs, imports)
        return refs, imports

    def _changed(self, path: str) -> None:
        self._refs.pop(path, None)

    # -- questions ------------------------------------------------------------------------------------------------

    def used_locally(self, path: str, name: str) -> bool:
        for unit in self.live_units(path):
            if unit.name == name or unit.kind == "import":
                continue
            if name in unit.uses.names:
                return True
        return name in self.files[path].all_names

    def users(self, path: str, name: str) -> list[str]:
        """Other live files using `name` of `path` (and "config" when a configuration text names it)."""
        module = self.files[path].module
        out = [other for other in self.may_use(path)
               if (lambda used: used and (name in used or ALL in used))(self.refs(other)[0].get(module))]
        if self._named_in_texts(module, name):
            out.append("config")
        return out

    def _named_in_texts(self, module: str, name: str) -> bool:
        """`module:name` or `module.name` in the configuration texts (a substring test first: the regex, which
        starts with a word boundary, scans every character)."""
        if f"{module}:{name}" not in self.texts and f"{module}.{name}" not in self.texts:
            return False
        return re.search(rf"\b{re.escape(module)}[:.]{re.escape(name)}\b", self.texts) is not None

    def importers(self, path: str) -> list[str]:
        module = self.files[path].module
        return [p for p in self.may_use(path) if module in self.refs(p)[1]]

    def removable(self, path: str, name: str) -> bool:
        unit = self.files[path].definition(name)
        if unit is None or name.startswith("__") or not unit.removable or name in self._dead(path):
            return False
        return not self.used_locally(path, name) and not self.users(path, name)

    # -- the pass -------------------------------------------------------------------------------------------------

    def run(self, candidates: Mapping[str, set[str]], attributes: Mapping[str, set[tuple[str, str]]] = {},
            modules: Iterable[str] = (), roots: Iterable[tuple[str, str]] = ()) -> Decisions:
        """Remove what is dead, starting from `candidates` (path -> names), `attributes` (path -> `alias.name`
        pairs the removed code read) and candidate `modules`; `roots` are reported in `kept` when they stay."""
        pending: dict[str, set[str]] = {p: set(n) for p, n in candidates.items() if p in self.files}
        module_pending: set[str] = {p for p in modules if p in self.files}

        wanted = self.files.wanted if isinstance(self.files, RepoSummaries) else set()
        wanted.update(module_name_for(p) for p in [*pending, *module_pending])

        def add(path: Optional[str], name: Optional[str] = None) -> None:
            if path is None or path not in self.files or path in self.decisions.deleted:
                return
            wanted.add(module_name_for(path))
            if name is None:
                module_pending.add(path)
            else:
                pending.setdefault(path, set()).add(name)

        for path, pairs in attributes.items():
            for base, attr in pairs if path in self.files else ():
                for b in self.files[path].bindings:
                    target = self.target(b)
                    if b.bound == base and target and not b.dotted:
                        add(self.by_module.get(target), attr)
        progress = True
        while progress:
            progress = False
            for path in sorted(pending):
                names, pending[path] = pending[path], set()
                for name in sorted(names):
                    if path not in self.decisions.deleted and self.removable(path, name):
                        self._remove(path, name, add)
                        progress = True
            for path in sorted(module_pending):
                module_pending.discard(path)
                if path not in self.decisions.deleted and self._delete_module(path, add):
                    progress = True
        for path, name in roots:
            if path in self.files and path not in self.decisions.deleted and name not in self._dead(path) \
                    and self.files[path].definition(name) is not None:
                local = [f"{path}:{u.name or '<module>'}" for u in self.live_units(path)
                         if u.name != name and u.kind != "import" and name in u.uses.names]
                self.decisions.kept[(path, name)] = local + self.users(path, name)
        self.decisions.dead = {p: n for p, n in self.decisions.dead.items() if n}
        return self.decisions

    def _remove(self, path: str, name: str, add: Callable) -> None:
        summary = self.files[path]
        unit = summary.definition(name)
        self._dead(path).add(name)
        self._changed(path)
        if unit.kind == "import":
            for b in summary.bindings:
                if b.bound == name and b.top_level:
                    target, owner = self.target(b), self.first_party(b.module)
                    if target:
                        add(self.by_module.get(target))
                    elif owner and b.name:
                        add(self.by_module[owner], b.name)
                        add(self.by_module[owner])
            return
        for used in unit.uses.names - {name}:
            add(path, used)
        for chain in unit.uses.chains:
            base, _, rest = chain.partition(".")
            for b in summary.bindings:
                target = self.target(b)
                if b.bound == base and target and not b.dotted:
                    add(self.by_module.get(target), rest.split(".")[0])

    def _deletable(self, path: str) -> bool:
        summary = self.files[path]
        if path in self.protected or summary.is_package or is_test_file(path) or summary.has_routes:
            return False
        return not summary.is_script and not (summary.module in self.texts
                                              and re.search(rf"\b{re.escape(summary.module)}\b", self.texts))

    def _delete_module(self, path: str, add: Callable) -> bool:
        if not self._deletable(path):
            return False
        module = self.files[path].module
        plans: dict[str, tuple[list[str], list[Unit]]] = {}
        for other in self.importers(path):
            summary, dead = self.files[other], self._dead(other)
            mine = [b for b in summary.bindings if not (b.top_level and b.bound in dead)
                    and (self.target(b) == module or (b.name and self.first_party(b.module) == module
                                                      and self.target(b) is None))]
            if not mine or any(not b.top_level or b.dotted or b.star for b in mine):
                return False  # imported in a form only a person can judge
            units = [u for u in self.live_units(other) if u.kind != "import"]
            includes = []
            for b in mine:
                users = [u for u in units if b.bound in u.uses.names]
                if not users or any(not u.include for u in users):
                    return False  # used (or merely imported) outside `include_router(...)`
                includes += users
            plans[other] = ([b.bound for b in mine], includes)
        refs, imports = self.refs(path)
        for used_module, names in refs.items():
            for name in names - {ALL}:
                add(self.by_module.get(used_module), name)
        for used_module in imports:
            add(self.by_module.get(used_module))
        self.decisions.deleted.append(path)
        for other, (bound, includes) in plans.items():
            dropped = self.decisions.dropped.setdefault(other, set())
            for unit in includes:
                dropped.add(unit.line)
                for used in unit.uses.names:
                    add(other, used)
            self._dead(other).update(bound)
            self._changed(other)
            self.decisions.unwired.setdefault(other, []).append(module)
        return True
