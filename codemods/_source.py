"""Source files parsed once per run: the LibCST module, its scope analysis and its top-level definitions.

`SourceSet` is shared by `migrator.movability.assess` (which decides) and the phase-1 codemods (which carry the
decision out): a file is read and parsed once, its scopes resolved once, and the codemods transform that same
tree (`MigratorCommand` reuses the file's `MetadataWrapper` instead of deep-copying the tree).
"""

from __future__ import annotations

import ast
import dataclasses
import os
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, NamedTuple, Optional, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, Scope, ScopeProvider

from ._imports import ImportSpec, import_spec_for, module_name_for


class SourceError(Exception):
    """A file cannot be read or parsed; the message names it."""


def top_level_definitions(module: cst.Module) -> dict[str, cst.CSTNode]:
    """Top-level name -> the statement defining it (def, class, assignment, import; compound statements too)."""
    out: dict[str, cst.CSTNode] = {}
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                        continue
                    for alias in small.names:
                        bound = alias.evaluated_alias or (get_full_name_for_node(alias.name) or "").split(".")[0]
                        out[bound] = small
                elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        out[target.value] = stmt
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    out[small.target.value] = stmt
        elif isinstance(stmt, cst.BaseCompoundStatement):
            # names bound inside if/try/with at module level: recorded so that a reference to them is refused
            for node in collect(stmt).defs:
                out.setdefault(node.name.value, stmt)
    return out


ImportNode = Union[cst.Import, cst.ImportFrom]


class _Binding(NamedTuple):
    """What `import_spec_for` reads of an import binding (LibCST's `ImportAssignment` has the same two fields)."""

    name: str
    node: ImportNode


def import_bindings(module: cst.Module, functions: bool = True) -> dict[str, ImportNode]:
    """Name -> the first import statement (source order) that binds it in the module's global scope, as LibCST's
    `ScopeProvider` records them, without its scope analysis of the whole module: imports at the top level or
    nested in compound statements (`if`, `try`, `with`, ...), and, when `functions`, imports in a function or
    class body that declares the name `global`. `import a.b.c` binds `a.b.c`, `a.b` and `a`; a star import
    binds nothing."""
    out: dict[str, ImportNode] = {}
    _scan_imports(module, None, functions, out)
    return out


def _scan_imports(node: cst.CSTNode, declared: Optional[set[str]], functions: bool,
                  out: dict[str, ImportNode]) -> None:
    """`declared`: None in the global scope, else the names the enclosing function or class declares global."""
    if isinstance(node, (cst.Import, cst.ImportFrom)):
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            for name in _dotted_names(alias.asname.name if alias.asname is not None else alias.name):
                if declared is None or name in declared:
                    out.setdefault(name, node)
    elif isinstance(node, cst.Global):
        if declared is not None:
            declared.update(item.name.value for item in node.names)
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        if functions:
            _scan_imports(node.body, set(), functions, out)
    elif isinstance(node, (cst.Module, cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.IndentedBlock)):
        for item in node.body:
            _scan_imports(item, declared, functions, out)
    elif not isinstance(node, (cst.BaseSmallStatement, cst.BaseExpression)):
        for field_name in ("body", "handlers", "orelse", "finalbody", "cases"):  # compound statements' blocks
            value = getattr(node, field_name, None)
            for item in value if isinstance(value, (tuple, list)) else () if value is None else (value,):
                if isinstance(item, cst.CSTNode):
                    _scan_imports(item, declared, functions, out)


def _dotted_names(node: cst.BaseExpression) -> list[str]:
    """`a.b.c` -> ["a.b.c", "a.b", "a"] (the names LibCST's scope analysis records for an import alias)."""
    full = get_full_name_for_node(node)
    if not full:
        return []
    parts = full.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


@dataclass
class ModuleIndex:
    """One parsed source file."""

    path: str  # posix, relative to the root
    module: str  # dotted name
    source: str
    tree: cst.Module
    wrapper: MetadataWrapper
    _globals: Optional[dict[str, cst.CSTNode]] = field(default=None, repr=False)
    _imports: Optional[dict[str, ImportNode]] = field(default=None, repr=False)
    _scopes: Optional[Mapping[cst.CSTNode, Optional[Scope]]] = field(default=None, repr=False)
    _referents: Optional[_ReducedScopes] = field(default=None, repr=False)
    whole_scopes: bool = False  # `referent_scopes` reads the whole module's analysis (the codemods rewrite it next)

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")

    @property
    def scopes(self) -> Mapping[cst.CSTNode, Optional[Scope]]:
        if self._scopes is None:
            self._scopes = self.wrapper.resolve(ScopeProvider)  # resolved once per file
        return self._scopes

    def referent_scopes(self, node: cst.CSTNode) -> Mapping[cst.CSTNode, Optional[Scope]]:
        """Scopes in which the names of `node` (a top-level statement, or the body, return annotation or a part of
        the parameters of a top-level function) resolve exactly as in `scopes`, at a fraction of the cost on a
        module of many functions: `_ReducedScopes`. `scopes` themselves once resolved, or for any other node."""
        if self._scopes is not None or self.whole_scopes:
            return self.scopes
        if self._referents is None:
            self._referents = _ReducedScopes(self)
        found = self._referents.scopes_for(node)
        return self.scopes if found is None else found

    def keep_whole(self, nodes: Iterable[cst.CSTNode]) -> None:
        """The functions holding `nodes` are read by `referent_scopes` next: one analysis keeps them all whole."""
        if self._scopes is None and not self.whole_scopes:
            if self._referents is None:
                self._referents = _ReducedScopes(self)
            self._referents.keep(nodes)

    @property
    def global_scope(self) -> Scope:
        return self.scopes[self.tree]

    @property
    def globals_(self) -> dict[str, cst.CSTNode]:
        if self._globals is None:
            self._globals = top_level_definitions(self.tree)
        return self._globals

    def function(self, name: str) -> Optional[cst.FunctionDef]:
        node = self.globals_.get(name)
        return node if isinstance(node, cst.FunctionDef) else None

    def import_of(self, name: str) -> Optional[ImportSpec]:
        """The absolute import binding top-level `name`, if an import binds it (read from the import statements,
        without the scope analysis of the whole module: `import_bindings`)."""
        if self._imports is None:
            # `global` is the only way a function or class body binds a module-level name: skip their bodies
            # when the word does not occur in the file
            self._imports = import_bindings(self.tree, functions="global" in self.source)
        node = self._imports.get(name)
        if node is None:
            return None
        try:
            return import_spec_for(_Binding(name, node), self.module, self.is_package)
        except ValueError:
            return None

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)


class _ReducedScopes:
    """The scope analysis of a module reduced to the statements the names read can refer to.

    The statements read (roots: the route functions, the helpers `codemods._closure` follows) are analysed whole;
    of the other top-level statements only those that may bind a name they read are kept, and so on transitively:
    a function or class when its name is used (then whole, decorators included), any other statement when a name
    it holds is used (`import a.b` holds `a`; an assignment its targets). A function or class body is a scope of
    its own and binds no global name unless it declares one `global` (such a definition is kept when a name it
    holds is used; an attribute's or a keyword argument's name is no name it uses). So every name of a kept statement resolves to the same global assignments as in the analysis
    of the whole module (`codemods._closure.global_referents` reads the same referents; LibCST orders assignments
    and accesses of one scope by a counter that every assignment statement advances, so dropping statements keeps
    that order), while the analysis skips the code no verdict reads (dispatch's auth views, 4 routes of 13
    functions: 0.05 s -> 0.03 s). A helper named by a kept statement is kept in the first run; a read of a
    statement left out re-runs it with that statement kept too; after two runs the whole module is analysed.
    """

    MAX_RUNS = 2

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.roots: set[int] = set()  # ids of the top-level statements whose names are read
        self.included: set[int] = set()  # ids of the statements of the last analysis (roots and what they need)
        self.runs = 0
        self._scopes: Optional[Mapping[cst.CSTNode, Optional[Scope]]] = None
        self._owners: Optional[dict[int, cst.CSTNode]] = None

    def owner(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The top-level statement `node` is, or the function whose body, returns or parameters hold it."""
        if self._owners is None:
            owners: dict[int, cst.CSTNode] = {}
            for stmt in self.index.tree.body:
                owners[id(stmt)] = stmt
                if isinstance(stmt, cst.FunctionDef):
                    owners[id(stmt.body)] = stmt
                    if stmt.returns is not None:
                        owners[id(stmt.returns)] = stmt
                    stack: list[cst.CSTNode] = [stmt.params]
                    while stack:
                        current = stack.pop()
                        owners[id(current)] = stmt
                        stack.extend(children(current))
            self._owners = owners
        return self._owners.get(id(node))

    def keep(self, nodes: Iterable[cst.CSTNode]) -> None:
        for node in nodes:
            owner = self.owner(node)
            if owner is not None and id(owner) not in self.roots:
                self.roots.add(id(owner))
                if id(owner) not in self.included:
                    self._scopes = None

    def scopes_for(self, node: cst.CSTNode) -> Optional[Mapping[cst.CSTNode, Optional[Scope]]]:
        """None: read the whole module's analysis instead."""
        if self.owner(node) is None:
            return None
        self.keep([node])
        if self._scopes is None:
            if self.runs >= self.MAX_RUNS:
                return None
            self.runs += 1
            self._scopes = self._analyse()
        return self._scopes

    def _analyse(self) -> Mapping[cst.CSTNode, Optional[Scope]]:
        self.included = self._needed()
        body = [stmt for stmt in self.index.tree.body if id(stmt) in self.included]
        wrapper = MetadataWrapper(self.index.tree.with_changes(body=body), unsafe_skip_copy=True)
        return wrapper.resolve(ScopeProvider)

    def _needed(self) -> set[int]:
        """The roots and, transitively, the top-level statements that may bind a name a kept statement holds."""
        may_declare = "global" in self.index.source
        by_name: dict[str, list[cst.CSTNode]] = {}
        for stmt in self.index.tree.body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                found = collect(stmt) if may_declare else None
                triggers = scope_names(stmt) if found and cst.Global in found.types else set()
                triggers.add(stmt.name.value)
            else:
                triggers = _binds(stmt)
            for name in triggers:
                by_name.setdefault(name, []).append(stmt)
        included: set[int] = set()
        used: set[str] = set()
        pending = [stmt for stmt in self.index.tree.body if id(stmt) in self.roots]
        while pending:
            stmt = pending.pop()
            if id(stmt) in included:
                continue
            included.add(id(stmt))
            for name in _reads(stmt) - used:
                used.add(name)
                pending.extend(by_name.get(name, ()))
        return included


def _binds(stmt: cst.CSTNode) -> set[str]:
    """The names a top-level statement other than a def or class may bind (a superset): an assignment's targets
    (and its names when it holds a `:=`), an import's names, every name of any other statement."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return scope_names(stmt)
    out: set[str] = set()
    for small in stmt.body:
        if isinstance(small, cst.Assign):
            targets, values = [t.target for t in small.targets], [small.value]
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            targets = [small.target]
            values = [small.value] + ([small.annotation] if isinstance(small, cst.AnnAssign) else [])
        elif isinstance(small, cst.Expr):
            targets, values = [], [small.value]
        else:
            targets, values = [small], []
        for node in targets + [v for v in values if v is not None and cst.NamedExpr in collect(v).types]:
            out |= scope_names(node)
    return out


def _reads(stmt: cst.CSTNode) -> set[str]:
    """The names a top-level statement may read (a superset): none for imports, which only bind."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return set().union(*(scope_names(small) for small in stmt.body
                             if not isinstance(small, (cst.Import, cst.ImportFrom))))
    return scope_names(stmt)


class SourceSet:
    """The files of one target, each read and parsed at most once per run.

    `whole_scopes`: the run rewrites what it reads (phase 1), so the codemods need each module's whole scope
    analysis anyway; the verdicts read it too instead of first analysing a reduced module (`_ReducedScopes`, which
    pays off only when nothing else needs the whole analysis: `analyze`)."""

    def __init__(self, root: str | os.PathLike, *, whole_scopes: bool = False) -> None:
        self.root = os.fspath(root)
        self.whole_scopes = whole_scopes
        self._files: dict[str, ModuleIndex | SourceError] = {}
        self._syntax_trees: dict[str, Optional[ast.Module]] = {}
        self._class_names: dict[str, Optional[frozenset[str]]] = {}

    def get(self, path: str) -> ModuleIndex:
        """The parsed file `path` (posix, relative to the root); raises SourceError."""
        found = self._files.get(path)
        if found is None:
            found = self._load(path)
            self._files[path] = found
        if isinstance(found, SourceError):
            raise found
        return found

    def exists(self, path: str) -> bool:
        return os.path.isfile(os.path.join(self.root, path))

    def module_path(self, module: str) -> Optional[str]:
        """The file of a dotted module of the target (`pkg/mod.py` or `pkg/mod/__init__.py`), if any."""
        base = module.replace(".", "/")
        for rel in (f"{base}.py", f"{base}/__init__.py"):
            if self.exists(rel):
                return rel
        return None

    def get_module(self, module: str) -> Optional[ModuleIndex]:
        path = self.module_path(module)
        if path is None:
            return None
        try:
            return self.get(path)
        except SourceError:
            return None

    def syntax_tree(self, module: str) -> Optional[ast.Module]:
        """The `ast` tree of a dotted module of the target (cached; the LibCST tree, if loaded, is not needed):
        None when it is missing, unreadable, or newer syntax than the interpreter's `ast` knows."""
        path = self.module_path(module)
        return None if path is None else self.syntax_tree_at(path)

    def syntax_tree_at(self, path: str) -> Optional[ast.Module]:
        """`syntax_tree` of the file `path` (posix, relative to the root)."""
        if path not in self._syntax_trees:
            try:
                with open(os.path.join(self.root, path), "rb") as handle:
                    self._syntax_trees[path] = ast.parse(handle.read())
            except (OSError, SyntaxError, ValueError, RecursionError):
                self._syntax_trees[path] = None
        return self._syntax_trees[path]

    def may_define_class(self, module: str, name: str) -> bool:
        """False when the dotted module's `ast` tree has no class named `name` anywhere (so its LibCST tree need
        not be parsed to look for one); True when it has one or the file cannot be read with `ast`."""
        if module not in self._class_names:
            tree = self.syntax_tree(module)
            self._class_names[module] = None if tree is None else _class_names(tree)
        names = self._class_names[module]
        return names is None or name in names

    def put(self, path: str, source: str) -> ModuleIndex:
        """Register a source that is not (yet) on disk, e.g. a file as an earlier step rewrote it."""
        index = _index(path, source)
        self._files[path] = index
        return index

    def loaded(self) -> Iterator[ModuleIndex]:
        return (f for f in self._files.values() if isinstance(f, ModuleIndex))

    def _load(self, path: str) -> ModuleIndex | SourceError:
        try:
            # newline="" keeps CRLF files byte-identical where the codemods do not touch them
            with open(os.path.join(self.root, path), encoding="utf-8", newline="") as handle:
                source = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            return SourceError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}")
        try:
            index = _index(path, source)
        except (cst.ParserSyntaxError, RecursionError) as exc:
            line = getattr(exc, "raw_line", None)
            return SourceError(f"{path}{f':{line}' if line else ''}: cannot parse: {str(exc).splitlines()[0]}")
        index.whole_scopes = self.whole_scopes
        return index


def _class_names(tree: ast.Module) -> frozenset[str]:
    """The names of every class the module defines, at any depth: a class is a statement, so only the statement
    blocks are walked (bodies, `else`, `finally`, handlers, match cases), never an expression."""
    names: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        for field_name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, field_name, None)
            if isinstance(block, list):
                stack.extend(block)
    return frozenset(names)


def _index(path: str, source: str) -> ModuleIndex:
    tree = cst.parse_module(source)
    # the tree is ours alone: skip the defensive deep copy (it costs as much as the parse)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    return ModuleIndex(path, module_name_for(path), source, wrapper.module, wrapper)


# --- small tree queries -------------------------------------------------------------------------------------------


_SKIP_FIELDS = frozenset(
    {"lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
     "trailing_whitespace", "newline", "indent", "empty_lines", "first_line", "last_line", "lbracket", "rbracket",
     "lbrace", "rbrace", "colon", "equal", "star", "dot", "asynchronous", "operator"}
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(node_type: type) -> tuple[str, ...]:
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node_type)
                      if not f.name.startswith("whitespace") and f.name not in _SKIP_FIELDS)
        _FIELDS[node_type] = names
    return names


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The child nodes that carry code (not whitespace or punctuation), by direct field access: an order of
    magnitude faster than `CSTNode.children` or a `CSTVisitor`, which go through the visitor machinery."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


@dataclass
class Collected:
    names: list[cst.Name] = field(default_factory=list)  # Name nodes, in no particular order
    types: set[type] = field(default_factory=set)  # node types present
    defs: list = field(default_factory=list)  # nested FunctionDef / ClassDef nodes
    strings: list[str] = field(default_factory=list)  # the text of every simple string literal


def collect(node: cst.CSTNode) -> Collected:
    """Name nodes, node types and nested definitions of a subtree, in one walk."""
    out = Collected()
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        out.types.add(kind)
        if kind is cst.Name:
            out.names.append(current)
            continue
        if kind is cst.SimpleString:
            out.strings.append(current.value)
            continue
        if kind is cst.FunctionDef or kind is cst.ClassDef:
            out.defs.append(current)
        stack.extend(children(current))
    return out


def scope_names(node: cst.CSTNode) -> set[str]:
    """The names a subtree may read or bind: those of its Name nodes but an attribute's (`x.attr`) and a keyword
    argument's (`f(key=...)`), which LibCST's scope analysis records as neither."""
    return names_and_strings(node)[0]


def names_and_strings(node: cst.CSTNode) -> tuple[set[str], list[str]]:
    """`scope_names(node)` and the text of every simple string literal of the subtree, in one walk."""
    names: set[str] = set()
    strings: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is cst.Name:
            names.add(current.value)
        elif kind is cst.SimpleString:
            strings.append(current.value)
        elif kind is cst.Attribute or kind is cst.Arg:
            stack.append(current.value)
        else:
            stack.extend(children(current))
    return names, strings


def name_nodes(node: cst.CSTNode) -> list[cst.Name]:
    return collect(node).names


def names_used(node: cst.CSTNode) -> set[str]:
    return {n.value for n in name_nodes(node)}


def call_name(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Call):
        name = get_full_name_for_node(node.func)
        return name.rsplit(".", 1)[-1] if name else None
    return None


ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "api_route", "route", "websocket", "head", "options"}


def is_route(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.FunctionDef) and any(
        (call_name(d.decorator) or "") in ROUTE_DECORATORS for d in node.decorators)


def is_router_object(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        value = getattr(node.body[0], "value", None)
        return call_name(value) in {"APIRouter", "FastAPI"} if value is not None else False
    return False


