"""Phases 2 and 3 without `libcst.codemod`: their codemods' transformations, and the import edits they ask for.

Importing `libcst.codemod` costs about 0.2 s (it builds every `libcst.matchers` class), more than phase 2's whole
work on a service. So each codemod of phases 2 and 3 keeps its transformation in a `Transform` (a private module
that needs `libcst` only), and its registered command class (`codemods/<name>.py`) is that transform on
`MigratorCommand`. Phases 2 and 3 run the transforms with `run_transforms`, which does what
`codemods._runner.run_codemods` does with LibCST's `AddImportsVisitor` / `RemoveImportsVisitor`, directly:

- `from module import name` requests: merged into the first import of that module in the top import block, else one
  new statement per module after that block: what `AddImportsVisitor` does, node for node (`add_from_imports`);
- unused-import removals: the aliases of the top import block that nothing else in the module reads, edited as
  `RemoveImportsVisitor` edits them (`remove_imports`); a module with `__all__`, or a block line holding several
  statements, goes through LibCST's visitor as before (imported then).

Run as a LibCST command instead (`MigratorCommand.transform_module_impl`), a transform's import requests are
handed to LibCST's visitors; tests/codemods check that both ways give the same code.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, TypeVar

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import, get_full_name_for_node

from ._imports import (
    DEFAULT_LINE_LENGTH,
    ImportStyle,
    fit_added_imports,
    sort_merged_names,
    sort_top_imports,
    top_block_is_sorted,
    top_import_block,
)
from ._source import names_and_strings

STATE = "migrator.state"
#: context.scratch keys of the import edits a transform asks for: [(module, name)] and [(module, obj, asname)]
ADD_IMPORTS = "migrator.add_imports"
REMOVE_IMPORTS = "migrator.remove_imports"


@dataclass
class FileContext:
    """What a transform reads of its context: the fields of a `libcst.codemod.CodemodContext` it uses."""

    filename: str
    full_module_name: str
    full_package_name: Optional[str] = None
    scratch: dict = field(default_factory=dict)


def file_context(path: str, module: str, state: Any, package: Optional[str] = None) -> FileContext:
    """The context of one file: its name and module, and the phase's shared state."""
    return FileContext(path, module, package, {STATE: state})


class Transform:
    """One codemod's transformation of a file (`transform`), with the phase's state and import requests."""

    def __init__(self, context: FileContext) -> None:
        self.context = context

    @property
    def state(self) -> Any:
        return self.context.scratch[STATE]

    def transform(self, tree: cst.Module) -> cst.Module:
        raise NotImplementedError

    def add_import(self, module: str, name: str) -> None:
        """Ask for `from module import name` (nothing happens when the top import block has it already)."""
        self.context.scratch.setdefault(ADD_IMPORTS, []).append((module, name))

    def remove_import(self, module: str, obj: Optional[str] = None, asname: Optional[str] = None) -> None:
        """Ask for the import of `module` (or `obj` of it), bound as `asname`, to go if nothing reads it."""
        self.context.scratch.setdefault(REMOVE_IMPORTS, []).append((module, obj, asname))


def run_transforms(tree: cst.Module, transforms: Sequence[type[Transform]], context: FileContext, *,
                   style: Optional[ImportStyle] = None) -> cst.Module:
    """`transforms` on one file's tree in order, then the import edits they asked for, once; the top import block
    is sorted again when it was sorted before (as `codemods._runner.run_codemods`)."""
    sorted_before = style is not None and top_block_is_sorted(tree, style)
    original = tree
    for transform in transforms:
        tree = transform(context).transform(tree)
    adds = context.scratch.pop(ADD_IMPORTS, None)
    if adds:
        tree = add_from_imports(tree, adds, context.full_package_name)
        if not sorted_before:
            tree = sort_merged_names(original, tree)
            tree = fit_added_imports(original, tree, style.line_length if style is not None else DEFAULT_LINE_LENGTH)
    removals = context.scratch.pop(REMOVE_IMPORTS, None)
    if removals:
        tree = remove_imports(tree, removals, context)
    if sorted_before:
        tree = sort_top_imports(tree, style)
    return tree


# --- adding `from module import name` ------------------------------------------------------------------------------


def _single_import(stmt: cst.CSTNode) -> Optional[cst.Import | cst.ImportFrom]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
            stmt.body[0], (cst.Import, cst.ImportFrom)):
        return stmt.body[0]
    return None


def _skips_first(module: cst.Module) -> bool:
    """A leading docstring or `__strict__ = ...`: imports never go above it (as LibCST decides)."""
    if not module.body or not isinstance(module.body[0], cst.SimpleStatementLine) or len(module.body[0].body) != 1:
        return False
    small = module.body[0].body[0]
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString)
    return isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
        small.targets[0].target, cst.Name) and small.targets[0].target.value == "__strict__"


def add_from_imports(tree: cst.Module, requests: Sequence[tuple[str, str]], package: Optional[str]) -> cst.Module:
    """`from module import name` for each request the top import block lacks: added in front of the names of the
    block's first import from that module, else as a new statement after the block (modules and names sorted), with
    a blank line before the next statement: `AddImportsVisitor`'s edit."""
    wanted: dict[str, set[str]] = {}
    for module, name in requests:
        wanted.setdefault(module, set()).add(name)
    missing = {module: set(wanted[module]) for module in sorted(wanted)}
    body = list(tree.body)
    start = 1 if _skips_first(tree) else 0
    end = start
    while end < len(body) and _single_import(body[end]) is not None:
        end += 1
    have: dict[str, set[str]] = {}
    for stmt in body[start:end]:
        node = _single_import(stmt)
        module = get_absolute_module_from_package_for_import(package, node) if isinstance(
            node, cst.ImportFrom) else None
        if module is None:
            continue
        if isinstance(node.names, cst.ImportStar):
            have[module] = {"*"}
            continue
        names = {alias.evaluated_name for alias in node.names if alias.asname is None}
        if names and "*" not in have.setdefault(module, set()):
            have[module] |= names
    for module, names in have.items():
        if module in missing:
            missing[module] = set() if "*" in names else missing[module] - names
            if not missing[module]:
                del missing[module]
    for index in range(start, end):
        node = body[index].body[0]
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            continue
        module = get_absolute_module_from_package_for_import(package, node)
        if module is None or module not in missing:
            continue
        added = [cst.ImportAlias(name=cst.Name(name)) for name in sorted(missing.pop(module))]
        body[index] = body[index].with_changes(body=[node.with_changes(names=[*added, *node.names])])
    if not missing:
        return tree.with_changes(body=body)
    after = body[end:]
    if after and not after[0].leading_lines:
        after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(),))
    elif after and after[0].leading_lines[0].comment is not None:
        after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(), *after[0].leading_lines))
    config = tree.config_for_parsing
    new = {module: cst.parse_statement(f"from {module} import {', '.join(sorted(names))}", config=config)
           for module, names in missing.items()}
    future = [stmt for module, stmt in new.items() if module == "__future__"]
    others = [stmt for module, stmt in new.items() if module != "__future__"]
    return tree.with_changes(body=[*body[:start], *future, *body[start:end], *others, *after])


# --- removing unused imports ---------------------------------------------------------------------------------------


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a string that could be a type annotation: `"Foo"`, `"list[Foo]"`, `"Optional[pkg.Foo]"`, `"A | None"`
_ANNOTATION = re.compile(r"^[rbuRBU]*['\"]{1,3}[A-Za-z_][\w.]*(\[[\w.,\[\] |]*\])?( *\| *[A-Za-z_][\w.]*)*['\"]{1,3}$")


def names_read(statements: Sequence[cst.CSTNode]) -> set[str]:
    """Every name the statements read, and the names in strings that could be annotations; not an attribute's
    name (`router.delete`) nor a keyword argument's (`f(select=...)`): they read no module-level name."""
    used: set[str] = set()
    for stmt in statements:
        names, strings = names_and_strings(stmt)
        used |= names
        for string in strings:
            if _ANNOTATION.match(string):
                used |= set(_IDENTIFIER.findall(string.strip("rbuRBU'\"")))
    return {name for name in used if name.isidentifier() and not keyword.iskeyword(name)}


def binds_all(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        targets = small.targets if isinstance(small, cst.Assign) else [small] if isinstance(
            small, (cst.AnnAssign, cst.AugAssign)) else []
        for target in targets:
            if isinstance(target.target, cst.Name) and target.target.value == "__all__":
                return True
    return False


def unused_aliases(block: Sequence[cst.CSTNode], used: set[str]) -> dict[cst.ImportAlias, cst.Import | cst.ImportFrom]:
    """The aliases of the import block that `GatherUnusedImportsVisitor` finds unused in the block followed by a
    function reading `used` (and no `__all__`): every name an alias binds (`import a.b` binds `a.b` and `a`) is
    unread. `from __future__`, star and `from . import` imports are never candidates, as there."""
    unused = {}
    for line in block:
        for node in line.body:
            if isinstance(node, cst.ImportFrom) and (
                    isinstance(node.names, cst.ImportStar) or node.module is None
                    or (isinstance(node.module, cst.Name) and node.module.value == "__future__")):
                continue
            for alias in node.names:
                dotted = get_full_name_for_node(alias.asname.name if alias.asname is not None else alias.name) or ""
                parts = dotted.split(".")
                if not any(".".join(parts[:end]) in used for end in range(1, len(parts) + 1)):
                    unused[alias] = node
    return unused


def remove_imports(tree: cst.Module, removals: Sequence[tuple[str, Optional[str], Optional[str]]],
                   context: FileContext) -> cst.Module:
    """The requested imports that nothing else in the module reads, removed from the top import block."""
    body = list(tree.body)
    start, end = top_import_block(body)
    rest = [*body[:start], *body[end:]]
    if any(binds_all(s) for s in rest) or any(len(line.body) != 1 for line in body[start:end]):
        return _remove_with_libcst(tree, removals, context)
    unused = unused_aliases(body[start:end], names_read(rest))
    modules = {module: alias for module, obj, alias in removals if obj is None}
    objects: dict[str, set[tuple[str, Optional[str]]]] = {}
    for module, obj, alias in removals:
        if obj is not None:
            objects.setdefault(module, set()).add((obj, alias))
    block = []
    for line in body[start:end]:
        node = line.body[0]
        if isinstance(node, cst.Import):
            new = _without_modules(node, modules, unused)
        else:
            new = _without_objects(node, objects, unused, context.full_package_name)
        if new is not None:
            block.append(line if new is node else line.with_changes(body=[new]))
    return tree.with_changes(body=[*body[:start], *block, *body[end:]])


def _without_modules(node: cst.Import, modules: dict[str, Optional[str]],
                     unused: dict) -> Optional[cst.Import]:
    """`RemoveImportsVisitor.leave_Import`: None when every alias goes."""
    keep = [alias for alias in node.names if alias.evaluated_name not in modules
            or alias.evaluated_alias != modules[alias.evaluated_name] or alias not in unused]
    return _with_aliases(node, keep)


def _without_objects(node: cst.ImportFrom, objects: dict[str, set[tuple[str, Optional[str]]]], unused: dict,
                     package: Optional[str]) -> Optional[cst.ImportFrom]:
    """`RemoveImportsVisitor.leave_ImportFrom`: the comments after a removed alias's comma move to the alias before
    it (or the opening parenthesis); None when every alias goes."""
    if isinstance(node.names, cst.ImportStar):
        return node
    module = get_absolute_module_from_package_for_import(package, node)
    if module is None or module not in objects:
        return node
    updates: dict[str, Any] = {}
    keep: list[cst.ImportAlias] = []
    for alias in node.names:
        if (alias.evaluated_name, alias.evaluated_alias) not in objects[module] or alias not in unused:
            keep.append(alias)
            continue
        comma = alias.comma
        if not isinstance(comma, cst.Comma):
            continue
        if keep:
            previous = keep[-1]
            if isinstance(previous.comma, cst.Comma):
                previous = previous.with_deep_changes(previous.comma, whitespace_after=_merged_whitespace(
                    previous.comma.whitespace_after, comma.whitespace_after))
            else:
                previous = previous.with_changes(comma=comma)
            keep[-1] = previous
        elif isinstance(node.lpar, cst.LeftParen):  # from the statement's own parenthesis, as LibCST does
            updates["lpar"] = node.lpar.with_changes(whitespace_after=_merged_whitespace(node.lpar.whitespace_after,
                                                                                          comma.whitespace_after))
    return _with_aliases(node, keep, **updates)


_ImportT = TypeVar("_ImportT", cst.Import, cst.ImportFrom)


def _with_aliases(node: _ImportT, keep: list[cst.ImportAlias], **updates: Any) -> Optional[_ImportT]:
    """`node` with the aliases `keep` (the last one without its comma); None when none is kept."""
    if len(keep) == len(node.names):
        return node
    if not keep:
        return None
    if keep[-1] is not node.names[-1]:
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=keep, **updates)


def _merged_whitespace(left: cst.BaseParenthesizableWhitespace,
                       right: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if not isinstance(right, cst.ParenthesizedWhitespace):
        return left
    if not isinstance(left, cst.ParenthesizedWhitespace):
        return right
    return left.with_changes(empty_lines=tuple(line for line in right.empty_lines if line.comment is not None))


def _remove_with_libcst(tree: cst.Module, removals, context: FileContext) -> cst.Module:
    """The cases `remove_imports` leaves to LibCST's visitor (`codemods._runner`, which imports libcst.codemod)."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    from ._runner import _remove_imports

    heavy = CodemodContext(filename=context.filename, full_module_name=context.full_module_name,
                           full_package_name=context.full_package_name,
                           scratch={RemoveImportsVisitor.CONTEXT_KEY: list(removals)})
    return _remove_imports(tree, heavy)
