"""The transformation of the `unwire_deprecation` codemod (`codemods/unwire_deprecation.py` shows it before and after),
without libcst.codemod: phase 3 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ._remove_routes import used_names
from ._transform import Transform, file_context, run_transforms


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


class UnwireDeprecationTransform(Transform):
    """`UnwireDeprecation`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
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
    context = file_context("app.py", "app", state)
    code = run_transforms(cst.parse_module(source), [UnwireDeprecationTransform], context).code
    return (code, state.unwired) if state.unwired else (source, set())
