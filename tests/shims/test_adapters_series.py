"""shims.adapters.usage_from_series: a month's usage from a legacy monthly or daily series."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from shims.adapters import LegacyShapeError, usage_from_series
from shims.standard_api.errors import InvalidRequestError

MONTHLY = {"monthly_user_trend": [{"month": "2026-10", "users": 12, "messages": 340, "tokens": 9000},
                                  {"month": "2026-11", "users": 9, "messages": 120, "tokens": 4000}]}
DAILY = {"usage": {"byDay": [{"date": "2026-10-31", "questions": 5, "tokens": 50},
                             {"date": "2026-11-01", "questions": 7, "tokens": 70},
                             {"date": "2026-11-02T00:00:00", "questions": 1, "tokens": None}]}}


def test_the_months_row_of_a_monthly_series():
    usage = usage_from_series("t1", "2026-10", MONTHLY, ("monthly_user_trend",), month="month", active_users="users",
                              api_calls="messages", ai_tokens="tokens")
    assert usage.model_dump() == {"tenant_id": "t1", "period": "2026-10", "usage": {
        "active_users": 12, "total_sessions": 0, "api_calls": 340, "ai_tokens": 9000, "storage_mb": 0}}
    empty = usage_from_series("t1", "2025-01", MONTHLY, ("monthly_user_trend",), month="month", api_calls="messages")
    assert empty.usage.api_calls == 0


def test_the_sum_of_the_months_days_of_a_daily_series_and_models_as_input():
    class Day(BaseModel):
        date: str
        questions: int

    usage = usage_from_series("t1", "2026-11", DAILY, ("usage", "byDay"), date="date", api_calls="questions",
                              ai_tokens="tokens")
    assert (usage.usage.api_calls, usage.usage.ai_tokens) == (8, 70)
    models = {"days": [Day(date="2026-11-03", questions=4)]}
    assert usage_from_series("t", "2026-11", models, ("days",), date="date", api_calls="questions").usage.api_calls == 4


def test_bad_input():
    with pytest.raises(InvalidRequestError):
        usage_from_series("t", "30d", MONTHLY, ("monthly_user_trend",), month="month")
    with pytest.raises(LegacyShapeError, match="legacy.nope"):
        usage_from_series("t", "2026-10", {"nope": 3}, ("nope",), month="month")
    with pytest.raises(LegacyShapeError, match="expected an object with `missing`"):
        usage_from_series("t", "2026-10", MONTHLY, ("missing",), month="month")
    with pytest.raises(LegacyShapeError, match="expected a number"):
        usage_from_series("t", "2026-10", {"m": [{"month": "2026-10", "n": "many"}]}, ("m",), month="month",
                          api_calls="n")
    with pytest.raises(TypeError):
        usage_from_series("t", "2026-10", MONTHLY, ("monthly_user_trend",), month="month", date="date")
