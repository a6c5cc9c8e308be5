"""Phase 3 — nothing deprecated is left to count: the app stops serving phase 2's deprecation report.

Before::

    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

    # migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market
    # key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.
    app.include_router(create_deprecation_router())
    app.add_middleware(DeprecationHeadersMiddleware)

After::

    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

The names the removed statements used become dead-code candidates (their imports go when nothing else uses them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ._runner import MigratorCommand, context_for, run_codemods
from .remove_routes import used_names


def _call(stmt: cst.CSTNode):
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr) \
            and isinstance(stmt.body[0].value, cst.Call) and isinstance(stmt.body[0].value.func, cst.Attribute):
        return stmt.body[0].value
    return None


def is_deprecation_wiring(stmt: cst.CSTNode) -> bool:
    """The phase-2 wiring: the /mt/deprecations router and the deprecation-headers middleware."""
    call = _call(stmt)
    if call is None or not call.args:
        return False
    first = call.args[0].value
    if call.func.attr.value == "include_router":
        return isinstance(first, cst.Call) and isinstance(first.func, cst.Name) and (
            first.func.value == "create_deprecation_router")
    if call.func.attr.value == "add_middleware":
        return isinstance(first, cst.Name) and first.value == "DeprecationHeadersMiddleware"
    return False


class UnwireDeprecation(MigratorCommand):
    DESCRIPTION = "Remove phase 2's GET /mt/deprecations and deprecation-headers middleware from the app."
    PHASE = 3
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if not self.state.unwire():
            return tree  # a deprecated route is still there: its calls keep being counted
        return tree.visit(_Drop(self.state.unwired))


class _Drop(cst.CSTTransformer):
    def __init__(self, found: set[str]) -> None:
        self.found = found

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if is_deprecation_wiring(original):
            self.found.update(used_names(original)[0])
            return cst.RemoveFromParent()
        return updated


@dataclass
class _Unwired:
    unwired: set[str] = field(default_factory=set)

    def unwire(self) -> bool:
        return True


def unwire_deprecation_router(source: str) -> tuple[str, set[str]]:
    """The app without the phase-2 wiring, and the names it used (unchanged and empty when there is none)."""
    state = _Unwired()
    code = run_codemods(cst.parse_module(source), [UnwireDeprecation], context_for("app.py", "app", state)).code
    return (code, state.unwired) if state.unwired else (source, set())
