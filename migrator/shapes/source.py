"""Parsed modules for the inference: top-level definitions, imports, line numbers, and a lazy index by module name.

The caller (phase 1) has parsed the route modules already and passes them in; modules they import are parsed on
demand from the service root. Nothing is imported or executed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

from migrator.cst_lines import LineIndex, start_lines

from .model import Where

Definition = Union[cst.FunctionDef, cst.ClassDef, cst.Assign, cst.AnnAssign]


@dataclass(frozen=True)
class ImportRef:
    """A name bound by an import: ``module`` (absolute) and the attribute of it, or None for the module itself."""

    module: str
    name: Optional[str]


@dataclass
class SourceModule:
    """One parsed module. `path` is how file:line evidence names it (posix, relative to the service root)."""

    name: str
    path: str
    tree: cst.Module
    is_package: bool = False
    source: Optional[str] = field(default=None, repr=False)  # the text of `tree`: lines per statement (LineIndex)
    _lines: Optional[LineIndex | Mapping[cst.CSTNode, int]] = field(default=None, repr=False)
    _defs: Optional[dict[str, Definition]] = field(default=None, repr=False)
    _imports: Optional[dict[str, ImportRef]] = field(default=None, repr=False)

    @classmethod
    def from_file(cls, file: Path, name: str, display_path: Optional[str] = None) -> "SourceModule":
        source = file.read_text(encoding="utf-8")
        return cls(name, display_path or file.as_posix(), cst.parse_module(source), is_package=file.name == "__init__.py",
                   source=source)

    # -- positions -----------------------------------------------------------------------------------------------

    def origin(self, node: cst.CSTNode) -> Optional[Where]:
        if self._lines is None:
            # the tree's own nodes (e.g. the route FunctionDef the caller passes in) are the ones looked up
            self._lines = start_lines(self.tree) if self.source is None else LineIndex(self.tree, self.source)
        line = self._lines.line(node) if isinstance(self._lines, LineIndex) else self._lines.get(node)
        return Where(file=self.path, line=line) if line is not None else None

    # -- top-level names -----------------------------------------------------------------------------------------

    @property
    def definitions(self) -> dict[str, Definition]:
        """Top-level functions, classes and assignments by name (the last one wins, as at run time)."""
        if self._defs is None:
            self._defs = {}
            for stmt in _top_level(self.tree.body):
                if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                    self._defs[stmt.name.value] = stmt
                elif isinstance(stmt, cst.Assign):
                    for target in stmt.targets:
                        if isinstance(target.target, cst.Name):
                            self._defs[target.target.value] = stmt
                elif isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
                    self._defs[stmt.target.value] = stmt
        return self._defs

    @property
    def imports(self) -> dict[str, ImportRef]:
        """Local name -> what it imports (relative imports made absolute)."""
        if self._imports is None:
            self._imports = {}
            for stmt in _top_level(self.tree.body):
                if isinstance(stmt, cst.Import):
                    for alias in stmt.names:
                        dotted = get_full_name_for_node(alias.name) or ""
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            self._imports[alias.asname.name.value] = ImportRef(dotted, None)
                        else:
                            head = dotted.split(".")[0]
                            self._imports[head] = ImportRef(head, None)
                elif isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
                    base = self._absolute(stmt)
                    for alias in stmt.names:
                        name = get_full_name_for_node(alias.name) or ""
                        local = name
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            local = alias.asname.name.value
                        self._imports[local] = ImportRef(base, name)
        return self._imports

    def _absolute(self, stmt: cst.ImportFrom) -> str:
        module = get_full_name_for_node(stmt.module) if stmt.module is not None else ""
        dots = len(stmt.relative)
        if not dots:
            return module or ""
        package = self.name if self.is_package else self.name.rpartition(".")[0]
        for _ in range(dots - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{module}" if module and package else (module or package)


def _top_level(body: Iterator[cst.CSTNode] | tuple) -> Iterator[cst.CSTNode]:
    """Top-level statements, also inside ``if``/``try`` blocks (``if TYPE_CHECKING:``, optional imports)."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        elif isinstance(stmt, (cst.If, cst.Try)):
            yield from _top_level(stmt.body.body)
            orelse = getattr(stmt, "orelse", None)
            if orelse is not None and hasattr(orelse, "body"):
                yield from _top_level(getattr(orelse.body, "body", ()))
        else:
            yield stmt


Resolver = Callable[[str], Optional[SourceModule]]


class ModuleIndex:
    """Modules by dotted name: the ones the caller parsed, else parsed on demand from `root` (``a/b.py`` or
    ``a/b/__init__.py``); None for modules outside the service (``fastapi``, ``datetime``)."""

    def __init__(self, root: Optional[Path] = None, modules: Optional[Mapping[str, SourceModule]] = None) -> None:
        self.root = root
        self._modules: dict[str, Optional[SourceModule]] = dict(modules or {})

    def add(self, module: SourceModule) -> None:
        self._modules[module.name] = module

    def __call__(self, name: str) -> Optional[SourceModule]:
        if name in self._modules:
            return self._modules[name]
        found = None
        if self.root is not None and name:
            base = self.root.joinpath(*name.split("."))
            for file in (base.with_suffix(".py"), base / "__init__.py"):
                if file.is_file():
                    try:
                        found = SourceModule.from_file(file, name, file.relative_to(self.root).as_posix())
                    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError):
                        found = None
                    break
        self._modules[name] = found
        return found


def resolve_name(
    module: SourceModule, name: str, modules: Resolver, depth: int = 0
) -> tuple[Optional[SourceModule], Optional[Definition], Optional[SourceModule]]:
    """Where `name` (as seen in `module`) is defined: (defining module, definition, or the module it names).

    Follows ``from x import y`` (and re-exports) up to a few hops; a name that is a module gives it as the third item.
    """
    if depth > 5:
        return None, None, None
    if name in module.definitions:
        return module, module.definitions[name], None
    ref = module.imports.get(name)
    if ref is None:
        return None, None, None
    if ref.name is None:
        return None, None, modules(ref.module)
    submodule = modules(f"{ref.module}.{ref.name}")
    if submodule is not None:
        return None, None, submodule
    target = modules(ref.module)
    if target is None:
        return None, None, None
    return resolve_name(target, ref.name, modules, depth + 1)


def resolve_expr(
    module: SourceModule, expr: cst.BaseExpression, modules: Resolver
) -> tuple[Optional[SourceModule], Optional[Definition]]:
    """The definition a ``Name`` or ``module.attr`` expression refers to, if it is in the service's code."""
    if isinstance(expr, cst.Name):
        where, definition, _ = resolve_name(module, expr.value, modules)
        return where, definition
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, (cst.Name, cst.Attribute)):
        dotted = get_full_name_for_node(expr.value)
        if dotted is None:
            return None, None
        head, *rest = dotted.split(".")
        _, _, target = resolve_name(module, head, modules)
        for part in rest:
            if target is None:
                return None, None
            _, _, target = resolve_name(target, part, modules)
        if target is None:
            ref = module.imports.get(head)  # ``import a.b`` then ``a.b.f``
            target = modules(dotted) if ref is not None else None
        if target is not None:
            where, definition, _ = resolve_name(target, expr.attr.value, modules)
            return where, definition
    return None, None
