"""Standard method templates of the dashboard family: stats, costs, usage patterns, top users."""

from __future__ import annotations

import libcst as cst

from ._standard_methods import (
    Operation,
    Renderer,
    method,
)

_PERIOD_READ = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {answer}
'''

_PERIOD_ADAPTERS = {"get_tenant_costs": "costs_from_legacy", "get_usage_patterns": "usage_patterns_from_legacy",
                    "get_top_users": "top_users_from_legacy"}


def _period_read(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    inputs = {"days": r.expr("{a}.period_to_days(period)", a=r.a()), "period": cst.Name("period")}
    if op.name == "get_top_users":
        inputs["limit"] = cst.Name("limit")
    values = {"tenant_id": cst.Name("tenant_id"), "period": cst.Name("period"), "legacy": cst.Name("legacy")}
    return method(_PERIOD_READ, op.name, r, errors=r.errors(op.name), call=r.call(op.primary, op, **inputs),
                  answer=r.answer(op.name, values, _PERIOD_ADAPTERS[op.name], ["tenant_id", "period", "legacy"]))


_STATS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        dashboard = {call}
    return {answer}
'''
_STATS_WITH_COSTS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        dashboard = {call}
        costs = {costs}
    return {answer}
'''


def _stats(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    costs = ops.get("get_tenant_costs")
    period = {"days": r.expr("{a}.period_to_days(period)", a=r.a()), "period": cst.Name("period")}
    values = {name: cst.Name(name) for name in ("tenant_id", "period", "dashboard", "costs")}
    parts = {"errors": r.errors(op.name), "call": r.call(op.primary, op, **period)}
    if costs is None or costs.primary is None:
        fixed = ["tenant_id", "period", "dashboard"]
        return method(_STATS, op.name, r, answer=r.answer(op.name, values, "stats_from_dashboard", fixed), **parts)
    fixed = ["tenant_id", "period", "dashboard", "costs"]
    return method(_STATS_WITH_COSTS, op.name, r, costs=r.call(costs.primary, costs, **period),
                  answer=r.answer(op.name, values, "stats_from_dashboard", fixed), **parts)


TEMPLATES = {
    "get_tenant_stats": _stats,
    "get_tenant_costs": _period_read,
    "get_usage_patterns": _period_read,
    "get_top_users": _period_read,
}
