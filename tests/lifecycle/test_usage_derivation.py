"""A month's usage derived from the stats family's legacy answers: a monthly series beats a daily one; keys are
matched by meaning; no series is a reason, not a guess."""

from __future__ import annotations

import textwrap
from pathlib import Path

from migrator.lifecycle.usage import SeriesRoute, derive_usage, window_limit
from migrator.shapes import ModuleIndex, infer_response

DASHBOARD = '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/dashboard")
def dashboard():
    months = [{"month": m, "active_users": 3, "requests": 10, "total_tokens": 99} for m in ("2026-10", "2026-11")]
    return {"users": {"total": 4}, "by_month": months}
'''

COSTS = '''
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

router = APIRouter()


class Day(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
    date: str
    question_count: int
    tokens: int
    cost_usd: float


class Costs(BaseModel):
    total: float
    by_day: list[Day]


@router.get("/costs", response_model=Costs)
def costs(days: int = Query(30, ge=1, le=120)):
    return Costs(total=0, by_day=[])
'''

NOTHING = '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/stats")
def stats():
    return {"total_users": 3, "top": [{"name": "a", "score": 1}]}
'''


def _route(tmp_path: Path, name: str, source: str, operation: str, response_model=None, window=None) -> SeriesRoute:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    index = ModuleIndex(tmp_path)
    module = index(name)
    func = next(d for d in module.definitions.values() if getattr(d, "decorators", None))
    return SeriesRoute(operation, f"GET /{name}", infer_response(func, module, index, response_model=response_model),
                       window_param=window)


def test_a_monthly_series_is_preferred_and_its_keys_matched_by_meaning(tmp_path):
    monthly = _route(tmp_path, "dash", DASHBOARD, "get_tenant_stats")
    daily = _route(tmp_path, "costs", COSTS, "get_tenant_costs", "Costs", window="days")
    usage, why = derive_usage([daily, monthly])
    assert usage is not None, why
    assert (usage.route, usage.series, usage.granularity, usage.key) == ("GET /dash", ["by_month"], "month", "month")
    assert usage.fields == {"active_users": "active_users", "api_calls": "requests", "ai_tokens": "total_tokens"}
    assert usage.where.file == "dash.py" and "monthly series" in why


def test_a_daily_series_of_a_response_model_with_camel_case_aliases(tmp_path):
    daily = _route(tmp_path, "costs", COSTS, "get_tenant_costs", "Costs", window="days")
    usage, _ = derive_usage([daily])
    assert (usage.series, usage.granularity, usage.key, usage.window_param) == (["by_day"], "day", "date", "days")
    # a month's active users are not a sum of days: not derived from a daily series
    assert usage.fields == {"api_calls": "questionCount", "ai_tokens": "tokens"}


def test_no_series_is_a_reason(tmp_path):
    usage, why = derive_usage([_route(tmp_path, "stats", NOTHING, "get_tenant_stats")])
    assert usage is None and "no monthly or daily series" in why and "GET /stats" in why
    assert derive_usage([])[0] is None


def test_window_limits():
    assert window_limit("Query(30, ge=1, le=365)") == 365
    assert window_limit("Query(30, lt=91)") == 90
    assert window_limit("30") is None and window_limit(None) is None
