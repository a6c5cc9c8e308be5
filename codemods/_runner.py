"""Running migrator's codemods: one parse per file, every codemod of the phase on that tree, imports edited once.

`MigratorCommand` is a `libcst.codemod.VisitorBasedCodemodCommand` whose typed cross-file state lives in
`context.scratch[STATE]`. `run_codemods` applies several commands to one file in a row (the app file of a service
that declares routes in it gets the route extraction *and* the wiring in one pass), then the import edits they
scheduled with `AddImportsVisitor` / `RemoveImportsVisitor`, once, then sorts the top import block when it was
sorted before (`codemods._imports.sort_top_imports`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Optional, Sequence

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper

from ._imports import ImportStyle, sort_merged_names, sort_top_imports, top_block_is_sorted

STATE = "migrator.state"


class MigratorCommand(VisitorBasedCodemodCommand):
    """Base class of migrator's codemods (see the module docstring)."""

    DESCRIPTION: ClassVar[str] = ""
    #: the phase the codemod belongs to (docs/codemods.md lists the registry by phase)
    PHASE: ClassVar[int] = 0

    @property
    def state(self) -> Any:
        return self.context.scratch[STATE]

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


def run_codemods(tree: cst.Module, commands: Sequence[type[MigratorCommand]], context: CodemodContext, *,
                 style: Optional[ImportStyle] = None, wrapper: Optional[MetadataWrapper] = None) -> cst.Module:
    """Apply `commands` to one file's tree in order, then the scheduled import edits once; `wrapper`: a prepared
    MetadataWrapper of `tree` (the first command reuses its resolved metadata instead of resolving it again)."""
    sorted_before = style is not None and top_block_is_sorted(tree, style)
    original = tree
    for command in commands:
        tree = command(context).run_on(tree, wrapper if wrapper is not None and wrapper.module is tree else None)
    if context.scratch.get(AddImportsVisitor.CONTEXT_KEY):
        tree = tree.visit(AddImportsVisitor(context))
        context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, None)
        if not sorted_before:
            tree = sort_merged_names(original, tree)
    if context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY):
        metadata = MetadataWrapper(tree, unsafe_skip_copy=True)
        tree = metadata.visit(RemoveImportsVisitor(replace(context, wrapper=metadata)))
        context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, None)
    if sorted_before:
        tree = sort_top_imports(tree, style)
    return tree
