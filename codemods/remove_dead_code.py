"""Phase 3 — remove what only the removed routes used, as the dead-code analysis (`codemods._deadcode`) decided.

Before (the route registration of `get_costs` already removed by `remove_routes`)::

    from fastapi import APIRouter, Depends, Query

    WINDOW_MAX = 365


    def _clamp(days: int) -> int:
        return min(days, WINDOW_MAX)


    async def get_costs(days: int = Query(30, ge=1, le=365)):
        return {"days": _clamp(days)}

After: the function, the helper, the constant and the import of `Query` are gone (nothing else used them)::

    from fastapi import APIRouter, Depends

A removed statement's blank lines go to the next statement when that one has none; `include_router(...)`
statements of deleted router modules are dropped; the imports nothing uses any more are removed as LibCST's
`RemoveImportsVisitor` removes them (only when the module no longer references them: `codemods._transform`).
"""

from __future__ import annotations

from ._remove_dead_code import (
    DeadCodeResult,
    DeadCodeState,
    RemoveDeadCodeTransform,
    apply_all,
    apply_decisions,
    remove_dead_code,
    statement_lines,
)
from ._runner import MigratorCommand

__all__ = [
    "DeadCodeResult", "DeadCodeState", "RemoveDeadCode", "RemoveDeadCodeTransform", "apply_all", "apply_decisions",
    "remove_dead_code", "statement_lines",
]


class RemoveDeadCode(MigratorCommand, RemoveDeadCodeTransform):
    DESCRIPTION = "Remove the definitions, imports and router wiring only the removed routes used."
    PHASE = 3
    METADATA_DEPENDENCIES = ()
