"""Running migrator's codemods: one parse per file, every codemod of the phase on that tree, imports edited once.

`MigratorCommand` is a `libcst.codemod.VisitorBasedCodemodCommand` whose typed cross-file state lives in
`context.scratch[STATE]`. `run_codemods` applies several commands to one file in a row (the app file of a service
that declares routes in it gets the route extraction *and* the wiring in one pass), then the import edits they
scheduled with `AddImportsVisitor` / `RemoveImportsVisitor`, once, then sorts the top import block when it was
sorted before (`codemods._imports.sort_top_imports`). Phases 2 and 3 run their codemods' transformations without
this module (`codemods._transform`: it never imports `libcst.codemod`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, ClassVar, Optional, Sequence

import libcst as cst
from libcst import CSTTransformer
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper

from ._imports import (
    DEFAULT_LINE_LENGTH,
    ImportStyle,
    fit_added_imports,
    is_docstring,
    is_import_line,
    relative_imports,
    sort_merged_names,
    sort_top_imports,
    top_block_is_sorted,
    top_import_block,
)
from ._transform import (
    ADD_IMPORTS,
    REMOVE_IMPORTS,
    STATE,
    Transform,
    binds_all,
    names_read,
    unused_aliases,
)


def _once_per_class(gather: Callable[[object], dict]) -> Callable[[object], dict]:
    """`gather(visitor)`, remembered per class when it finds nothing (decorators are a class's, not an instance's)."""
    empty: set[type] = set()

    def gathered(obj: object) -> dict:
        cls = type(obj)
        if cls in empty:
            return {}
        found = gather(obj)
        if not found:
            empty.add(cls)
        return found

    gathered.migrator_once_per_class = True  # type: ignore[attr-defined]
    return gathered


def scan_visitor_classes_once() -> None:
    """LibCST's matcher-decoratable visitors (`AddImportsVisitor`, `RemoveImportsVisitor`, the gatherers they create
    for every file) look for matcher-decorated methods by scanning `dir()` of every new instance, about 13 ms a
    visitor, several per file. A class with no such method has none on any of its instances: scan it once. Classes
    with decorated methods are scanned as before (tests/codemods: test_runner)."""
    try:
        from libcst.matchers import _visitors
    except ImportError:  # pragma: no cover - a LibCST that moved its matcher visitors: no shortcut
        return
    for name in ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs", "_gather_matchers"):
        original = getattr(_visitors, name, None)
        if callable(original) and not getattr(original, "migrator_once_per_class", False):
            setattr(_visitors, name, _once_per_class(original))


scan_visitor_classes_once()


class MigratorCommand(VisitorBasedCodemodCommand):
    """Base class of migrator's codemods (see the module docstring).

    The commands use plain `visit_*` / `leave_*` methods, never matcher decorators: the matcher machinery a
    `VisitorBasedCodemodCommand` inherits (gathering decorated methods on every instantiation, evaluating matchers
    on every node) is bypassed, which makes a pass several times cheaper.
    """

    DESCRIPTION: ClassVar[str] = ""
    #: the phase the codemod belongs to (docs/codemods.md lists the registry by phase)
    PHASE: ClassVar[int] = 0

    def __init__(self, context: CodemodContext) -> None:
        Codemod.__init__(self, context)
        CSTTransformer.__init__(self)
        self._extra_visit_funcs = {}
        self._extra_leave_funcs = {}
        self._matchers = {}

    on_visit = CSTTransformer.on_visit
    on_leave = CSTTransformer.on_leave
    on_visit_attribute = CSTTransformer.on_visit_attribute
    on_leave_attribute = CSTTransformer.on_leave_attribute

    @property
    def state(self) -> Any:
        return self.context.scratch[STATE]

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """A command made of a light `Transform` (phases 2 and 3: `codemods._transform`) runs it, and hands the
        import edits it asked for to LibCST's `AddImportsVisitor` / `RemoveImportsVisitor` (which LibCST's
        `transform_module` and `run_codemods` apply after the command)."""
        if not isinstance(self, Transform):
            return super().transform_module_impl(tree)
        tree = self.transform(tree)
        for module, name in self.context.scratch.pop(ADD_IMPORTS, ()):
            AddImportsVisitor.add_needed_import(self.context, module, name)
        for module, obj, asname in self.context.scratch.pop(REMOVE_IMPORTS, ()):
            RemoveImportsVisitor.remove_unused_import(self.context, module, obj, asname)
        return tree

    def run_on(self, tree: cst.Module, wrapper: Optional[MetadataWrapper] = None) -> cst.Module:
        """`transform_module_impl` with this command's metadata resolved on `wrapper` (a prepared wrapper of
        `tree`, whose metadata may be resolved already) or on a fresh one; the import edits are left to the
        caller (`run_codemods` applies them once per file)."""
        if wrapper is None or wrapper.module is not tree:
            wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        with self.resolve(wrapper):
            self.context = replace(self.context, wrapper=wrapper)
            return self.transform_module_impl(wrapper.module)


def context_for(path: str, module: str, state: Any, package: Optional[str] = None) -> CodemodContext:
    """A codemod context for one file: its name and module, and the phase's shared state."""
    return CodemodContext(filename=path, full_module_name=module, full_package_name=package,
                          scratch={STATE: state})


def _add_imports(tree: cst.Module, context: CodemodContext) -> cst.Module:
    """`AddImportsVisitor` on the part of the module it reads and edits: the leading docstring, the top import
    block and the statement after it (which may get a blank line). The result is the same as visiting the whole
    module, without walking every function body twice through the matcher machinery."""
    body = tree.body
    index = 1 if body and is_docstring(body[0]) else 0
    while index < len(body) and is_import_line(body[index]):
        index += 1
    rest = list(body[index:])
    # the statement after the block only matters for its blank lines: a stand-in carries them through the visit
    stand_in = [cst.SimpleStatementLine([cst.Pass()], leading_lines=rest[0].leading_lines)] if rest else []
    new_head = tree.with_changes(body=[*body[:index], *stand_in]).visit(AddImportsVisitor(context))
    if rest:
        rest[0] = rest[0].with_changes(leading_lines=new_head.body[-1].leading_lines)
        return tree.with_changes(body=[*new_head.body[:-1], *rest])
    return tree.with_changes(body=list(new_head.body))


def _remove_imports(tree: cst.Module, context: CodemodContext) -> cst.Module:
    """`RemoveImportsVisitor` on the top import block, with the rest of the module stood in for by a function that
    reads every name the rest reads (and the names in strings that could be annotations) and by its `__all__`: the
    visitor removes the same imports as on the whole module (or keeps one more, never fewer), without resolving
    scopes and qualified names of every function body. Without an `__all__`, which imports that stand-in leaves
    unused is plain (`_transform.unused_aliases`): LibCST's visitor then only edits the block, with no scope
    analysis."""
    body = list(tree.body)
    start, end = top_import_block(body)
    rest = [*body[:start], *body[end:]]
    used = names_read(rest)
    exports = [s for s in rest if binds_all(s)]
    if not exports:
        block_module = tree.with_changes(body=body[start:end])
        new = block_module.visit(_KnownUnusedImports(context, unused_aliases(body[start:end], used)))
        return tree.with_changes(body=[*body[:start], *new.body, *body[end:]])
    names = [cst.Element(cst.Name(name)) for name in sorted(used)]
    reads = cst.Expr(cst.Tuple(names + [cst.Element(cst.Name("None"))]))
    stand_in = cst.FunctionDef(cst.Name("__uses__"), cst.Parameters(),
                               cst.IndentedBlock([cst.SimpleStatementLine([reads])]))
    extras = [*exports, stand_in]
    reduced = tree.with_changes(body=[*body[start:end], *extras])
    metadata = MetadataWrapper(reduced, unsafe_skip_copy=True)
    new = metadata.visit(RemoveImportsVisitor(replace(context, wrapper=metadata)))
    block = list(new.body[: len(new.body) - len(extras)])
    return tree.with_changes(body=[*body[:start], *block, *body[end:]])


class _KnownUnusedImports(RemoveImportsVisitor):
    """LibCST's `RemoveImportsVisitor` (its edits, comments and commas), told which aliases are unused instead of
    finding them with the scope analysis (`GatherUnusedImportsVisitor`)."""

    METADATA_DEPENDENCIES = ()

    def __init__(self, context: CodemodContext, unused: dict[cst.ImportAlias, cst.Import | cst.ImportFrom]) -> None:
        super().__init__(context)
        self._known = unused

    def visit_Module(self, node: cst.Module) -> None:
        self._unused_imports = self._known


def run_codemods(tree: cst.Module, commands: Sequence[type[MigratorCommand]], context: CodemodContext, *,
                 style: Optional[ImportStyle] = None, wrapper: Optional[MetadataWrapper] = None) -> cst.Module:
    """Apply `commands` to one file's tree in order, then the scheduled import edits once; `wrapper`: a prepared
    MetadataWrapper of `tree` (the first command reuses its resolved metadata instead of resolving it again)."""
    sorted_before = style is not None and top_block_is_sorted(tree, style)
    original = tree
    for command in commands:
        tree = command(context).run_on(tree, wrapper if wrapper is not None and wrapper.module is tree else None)
    if context.scratch.get(AddImportsVisitor.CONTEXT_KEY):
        tree = _add_imports(tree, context)
        context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, None)
        home = getattr(context.scratch.get(STATE), "relative_home", None)
        if home and context.full_package_name:
            tree = relative_imports(original, tree, context.full_package_name, home)
        if not sorted_before:
            tree = sort_merged_names(original, tree)
            tree = fit_added_imports(original, tree, style.line_length if style is not None else DEFAULT_LINE_LENGTH)
    if context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY):
        tree = _remove_imports(tree, context)
        context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, None)
    if sorted_before:
        tree = sort_top_imports(tree, style)
    return tree
