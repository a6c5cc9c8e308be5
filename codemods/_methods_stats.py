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
    return {adapters}.{convert}(tenant_id, period, legacy)
'''

_PERIOD_ADAPTERS = {"get_tenant_costs": "costs_from_legacy", "get_usage_patterns": "usage_patterns_from_legacy",
                    "get_top_users": "top_users_from_legacy"}


def _period_read(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    inputs = {"days": r.expr("{a}.period_to_days(period)", a=r.a())}
    if op.name == "get_top_users":
        inputs["limit"] = cst.Name("limit")
    return method(_PERIOD_READ, op.name, r, errors=r.errors(op.name), call=r.call(op.primary, op, **inputs),
                  adapters=r.a(), convert=cst.Name(_PERIOD_ADAPTERS[op.name]))


_STATS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        dashboard = {call}
    return {adapters}.stats_from_dashboard(tenant_id, period, dashboard)
'''
_STATS_WITH_COSTS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        dashboard = {call}
        costs = {costs}
    return {adapters}.stats_from_dashboard(tenant_id, period, dashboard, costs)
'''


def _stats(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    costs = ops.get("get_tenant_costs")
    parts = {"errors": r.errors(op.name), "call": r.call(op.primary, op), "adapters": r.a()}
    if costs is None or costs.primary is None:
        return method(_STATS, op.name, r, **parts)
    days = r.expr("{a}.period_to_days(period)", a=r.a())
    return method(_STATS_WITH_COSTS, op.name, r, costs=r.call(costs.primary, costs, days=days), **parts)


TEMPLATES = {
    "get_tenant_stats": _stats,
    "get_tenant_costs": _period_read,
    "get_usage_patterns": _period_read,
    "get_top_users": _period_read,
}
