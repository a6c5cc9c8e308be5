"""Small helpers shared by the codemods: module names, global-name resolution, import specs and their rendering."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import BuiltinAssignment, GlobalScope, ImportAssignment


def module_name_for(path: str) -> str:
    """Dotted module name of a file path relative to the import root (`advisor/routers/users.py`)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(module: str, is_package: bool = False) -> str:
    return module if is_package else module.rpartition(".")[0]


def absolute_module(current_module: str, relative_level: int, module: Optional[str], is_package: bool = False) -> str:
    """Resolve `from ..x import y` written in `current_module` to an absolute module name."""
    if relative_level == 0:
        return module or ""
    base = package_of(current_module, is_package).split(".")
    if relative_level > 1:
        base = base[: len(base) - (relative_level - 1)]
    return ".".join([p for p in base if p] + ([module] if module else []))


@dataclass(frozen=True, order=True)
class ImportSpec:
    """One imported name: ``from module import name as asname`` or, with name None, ``import module as asname``."""

    module: str
    name: Optional[str] = None
    asname: Optional[str] = None

    @property
    def bound_name(self) -> str:
        if self.asname:
            return self.asname
        if self.name:
            return self.name
        return self.module.split(".")[0]


def import_spec_for(assignment: ImportAssignment, current_module: str, is_package: bool = False) -> ImportSpec:
    """The absolute import that binds `assignment.name` the same way the source module does."""
    node = assignment.node
    bound = assignment.name
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = get_full_name_for_node(alias.name) or ""
            asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if asname == bound:
                return ImportSpec(full, None, asname)
            if asname is None and full.split(".")[0] == bound:
                return ImportSpec(full, None, None)
        raise ValueError(f"import of {bound!r} not found")
    assert isinstance(node, cst.ImportFrom)
    level = len(node.relative)
    module = get_full_name_for_node(node.module) if node.module else None
    absolute = absolute_module(current_module, level, module, is_package)
    if isinstance(node.names, cst.ImportStar):
        raise ValueError(f"{bound!r} comes from a star import")
    for alias in node.names:
        name = get_full_name_for_node(alias.name) or ""
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        if (asname or name) == bound:
            return ImportSpec(absolute, name, asname)
    raise ValueError(f"import of {bound!r} not found")


def is_global_or_builtin(assignment) -> bool:
    return isinstance(assignment, BuiltinAssignment) or isinstance(assignment.scope, GlobalScope)


def import_group(spec: ImportSpec, first_party: set[str]) -> int:
    top = spec.module.split(".")[0]
    if top == "__future__":
        return 0
    if top in sys.stdlib_module_names:
        return 1
    if top in first_party:
        return 3
    return 2


def render_imports(specs: Iterable[ImportSpec], first_party: set[str]) -> str:
    """isort-style block: future, stdlib, third party, first party; `import x` lines before `from x import`."""
    groups: dict[int, dict[tuple, set]] = {}
    for spec in set(specs):
        group = groups.setdefault(import_group(spec, first_party), {})
        if spec.name is None:
            group.setdefault((0, spec.module, spec.asname or ""), set())
        else:
            group.setdefault((1, spec.module, ""), set()).add((spec.name, spec.asname))
    blocks = []
    for key in sorted(groups):
        lines = []
        for (kind, module, asname), names in sorted(groups[key].items()):
            if kind == 0:
                lines.append(f"import {module} as {asname}" if asname else f"import {module}")
                continue
            rendered = sorted(f"{n} as {a}" if a else n for n, a in names)
            one_line = f"from {module} import {', '.join(rendered)}"
            if len(one_line) <= 100:
                lines.append(one_line)
            else:
                body = "".join(f"    {item},\n" for item in rendered)
                lines.append(f"from {module} import (\n{body})")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def has_import(module: cst.Module, spec: ImportSpec) -> bool:
    """Whether `module` already binds `spec` at its top level with the same import."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar) and not small.relative:
                if (get_full_name_for_node(small.module) if small.module else "") != spec.module:
                    continue
                for alias in small.names:
                    asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
                    if get_full_name_for_node(alias.name) == spec.name and asname == spec.asname:
                        return True
    return False


def add_imports(module: cst.Module, specs: Iterable[ImportSpec]) -> cst.Module:
    """`module` with one `from m import a, b` line per module of the missing specs, after its last top-level import.

    A plain insertion: LibCST's AddImportsVisitor would re-resolve scope metadata for the whole module (and import
    libcst.codemod), which costs more than the rest of a phase-1 run.
    """
    by_module: dict[str, list[str]] = {}
    for spec in specs:
        if spec.name and not has_import(module, spec):
            by_module.setdefault(spec.module, []).append(f"{spec.name} as {spec.asname}" if spec.asname else spec.name)
    lines = [cst.parse_statement(f"from {name} import {', '.join(sorted(set(items)))}\n")
             for name, items in sorted(by_module.items())]
    if not lines:
        return module
    body = list(module.body)
    last = max((i for i, stmt in enumerate(body) if isinstance(stmt, cst.SimpleStatementLine)
                and any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body)), default=None)
    if last is None:
        at = 1 if body and is_docstring(body[0]) else 0
    else:
        at = last + 1
    return module.with_changes(body=[*body[:at], *lines, *body[at:]])


def is_docstring(stmt: cst.CSTNode) -> bool:
    """Whether a statement is a bare string: a module's or a function's docstring when it comes first."""
    return (isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))
