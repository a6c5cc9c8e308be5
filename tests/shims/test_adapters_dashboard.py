"""shims.adapters, dashboard family: legacy /admin/dashboard[/costs|/usage-patterns|/top-users] → standard.

Legacy documents are the manual's §5.3 examples verbatim (seed 001) and documents with the contract's extras;
the standard side is checked against the plan's §3 examples (seed 000).
"""

import json
from datetime import date, datetime, timedelta

import pytest

from shims.adapters import (
    LegacyShapeError,
    costs_from_legacy,
    days_to_period,
    period_to_days,
    stats_from_dashboard,
    top_users_from_legacy,
    usage_patterns_from_legacy,
)
from shims.standard_api import InvalidRequestError
from shims.standard_api.models import CostsResponse, StatsResponse

# --- seed documents, verbatim -----------------------------------------------------------------------------------

MANUAL_DASHBOARD = json.loads("""
{
    "users": {
        "total": 150,
        "active": 145,
        "new_this_week": 10,
        "active_7days": 120,
        "active_30days": 140,
        "admins": 3
    },
    "usage": {
        "total_sessions": 5000,
        "sessions_today": 150,
        "total_messages": 25000,
        "messages_today": 800,
        "total_tokens": 5000000,
        "tokens_today": 150000
    },
    "daily_trend": [
        {"date": "2026-02-01", "messages": 800, "users": 120, "tokens": 150000}
    ],
    "monthly_user_trend": [
        {"month": "2026-01", "users": 100, "messages": 20000, "tokens": 4000000},
        {"month": "2026-02", "users": 150, "messages": 25000, "tokens": 5000000}
    ],
    "model_usage": [
        {"model": "gpt-4", "count": 5000, "tokens": 2000000},
        {"model": "gpt-3.5-turbo", "count": 20000, "tokens": 3000000}
    ]
}
""")

MANUAL_COSTS = json.loads("""
{
    "total_tokens": 5000000,
    "estimated_cost_usd": 125.50,
    "by_model": [
        {"model": "gpt-4", "tokens": 2000000, "cost_usd": 100.00},
        {"model": "gpt-3.5-turbo", "tokens": 3000000, "cost_usd": 25.50}
    ],
    "by_user": [
        {"username": "user1", "tokens": 500000, "cost_usd": 12.50},
        {"username": "user2", "tokens": 400000, "cost_usd": 10.00}
    ],
    "monthly_costs": [
        {"month": "2026-01", "cost_usd": 100.00},
        {"month": "2026-02", "cost_usd": 125.50}
    ]
}
""")

MANUAL_USAGE_PATTERNS = json.loads("""
{
    "hourly_distribution": [
        {"hour": 9, "count": 500},
        {"hour": 10, "count": 800},
        {"hour": 14, "count": 1200}
    ],
    "weekday_distribution": [
        {"day": "Monday", "count": 3000},
        {"day": "Tuesday", "count": 3500},
        {"day": "Wednesday", "count": 4000}
    ],
    "avg_session_length": 15.5
}
""")

PLAN_STATS = json.loads("""
{
  "tenant_id": "hallym_univ",
  "period": "30d",
  "summary": {
    "total_users": 1250,
    "active_users": 890,
    "new_users_this_period": 45,
    "total_sessions": 15680,
    "total_messages": 89450,
    "total_tokens": 12500000,
    "estimated_cost_usd": 125.50
  },
  "trends": {
    "daily": [
      {"date": "2026-01-29", "users": 120, "messages": 3200, "tokens": 450000},
      {"date": "2026-01-28", "users": 115, "messages": 2980, "tokens": 420000}
    ]
  },
  "health": {
    "status": "healthy",
    "last_check": "2026-01-30T10:00:00Z",
    "response_time_ms": 45
  }
}
""")

PLAN_COSTS = json.loads("""
{
  "tenant_id": "hallym_univ",
  "period": "30d",
  "total_cost_usd": 125.50,
  "by_model": [
    {"model": "gpt-4", "input_tokens": 5000000, "output_tokens": 2000000, "cost_usd": 85.00},
    {"model": "gpt-3.5-turbo", "input_tokens": 4000000, "output_tokens": 1500000, "cost_usd": 40.50}
  ],
  "by_user_top10": [
    {"user_id": "user_123", "name": "김철수", "cost_usd": 15.20, "tokens": 1200000}
  ],
  "daily_trend": [
    {"date": "2026-01-29", "cost_usd": 4.50}
  ]
}
""")


def key_tree(value):
    """The structure of a JSON document: keys of objects, the first element of lists."""
    if isinstance(value, dict):
        return {k: key_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [key_tree(value[0])] if value else []
    return None


# --- periods ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("period", "days"), [("7d", 7), ("30d", 30), ("90d", 90)])
def test_period_round_trip(period, days):
    assert period_to_days(period) == days
    assert days_to_period(days) == period


@pytest.mark.parametrize("bad", ["0d", "30", "30D", "", "month", None, 30, "1w", "2026-13", "10y"])
def test_period_to_days_rejects_other_values_naming_the_allowed_ones(bad):
    with pytest.raises(InvalidRequestError) as err:
        period_to_days(bad)
    assert err.value.message.startswith("period: invalid value")
    assert "<N>d (e.g. 7d, 30d, 90d), <N>y or YYYY-MM" in err.value.message


@pytest.mark.parametrize(("period", "days"), [("1d", 1), ("365d", 365), ("1y", 365), ("2y", 730), ("2026-01", 365)])
def test_period_to_days_accepts_what_mt_paas_accepts(period, days):
    assert period_to_days(period) == days


def test_days_to_period_other_counts_and_invalid():
    assert days_to_period(14) == "14d"
    for bad in (0, -3, True, "30", 7.0):
        with pytest.raises(ValueError, match="days"):
            days_to_period(bad)


# --- stats ------------------------------------------------------------------------------------------------------


def test_stats_from_manual_dashboard_and_costs():
    stats = stats_from_dashboard("hallym_univ", "30d", MANUAL_DASHBOARD, MANUAL_COSTS)
    assert stats.model_dump(mode="json") == {
        "tenant_id": "hallym_univ",
        "period": "30d",
        "summary": {
            "total_users": 150,
            "active_users": 140,
            "new_users_this_period": 10,
            "total_sessions": 5000,
            "total_messages": 800,
            "total_tokens": 150000,
            "estimated_cost_usd": 125.5,
        },
        "trends": {"daily": [{"date": "2026-02-01", "users": 120, "messages": 800, "tokens": 150000}]},
        "health": None,
    }


def test_stats_output_has_the_plan_example_structure():
    ours = stats_from_dashboard("hallym_univ", "30d", MANUAL_DASHBOARD, MANUAL_COSTS).model_dump(mode="json")
    plan = StatsResponse.model_validate(PLAN_STATS).model_dump(mode="json")
    assert ours["health"] is None  # legacy has no health probe
    del ours["health"], plan["health"]
    assert key_tree(ours) == key_tree(plan)


def thirty_day_dashboard():
    """The legacy trend: 30 days ascending up to 2026-11-20 (today), day i (1..30) has i messages, 100*i tokens."""
    first = date(2026, 10, 22)
    trend = [
        {"date": (first + timedelta(days=i - 1)).isoformat(), "messages": i, "users": i % 7, "tokens": 100 * i}
        for i in range(1, 31)
    ]
    return {
        "users": {"total": 80, "active": 75, "new_this_week": 4, "active_7days": 33, "active_30days": 61, "admins": 2},
        "usage": {"total_sessions": 900, "sessions_today": 5, "total_messages": 7000, "messages_today": 30,
                  "total_tokens": 700000, "tokens_today": 3000},
        "daily_trend": trend,
        "monthly_user_trend": [],
        "model_usage": [],
    }


# (period, active_users, total_messages, total_tokens, number of daily entries, oldest date in the window)
STATS_PERIODS = [
    ("7d", 33, 24 + 25 + 26 + 27 + 28 + 29 + 30, 18900, 7, "2026-11-14"),
    ("30d", 61, 465, 46500, 30, "2026-10-22"),
    ("90d", 61, 465, 46500, 30, "2026-10-22"),  # legacy keeps 30 days: 90d is capped
]


@pytest.mark.parametrize(("period", "active", "messages", "tokens", "entries", "oldest"), STATS_PERIODS)
def test_stats_each_period_over_a_30_day_trend(period, active, messages, tokens, entries, oldest):
    stats = stats_from_dashboard("t1", period, thirty_day_dashboard())
    assert stats.period == period
    assert stats.summary.active_users == active
    assert stats.summary.total_messages == messages
    assert stats.summary.total_tokens == tokens
    assert stats.summary.total_users == 80
    assert stats.summary.new_users_this_period == 4
    assert stats.summary.total_sessions == 900
    assert stats.summary.estimated_cost_usd == 0.0  # no costs document given
    daily = stats.trends["daily"]
    assert len(daily) == entries
    assert daily[0].date == "2026-11-20" and daily[0].messages == 30  # newest first
    assert daily[-1].date == oldest
    assert [d.date for d in daily] == sorted((d.date for d in daily), reverse=True)
    assert stats.health is None


def test_stats_window_follows_dates_not_positions():
    """A trend with gaps and out of order: the window is the last N calendar days ending at the newest date."""
    dashboard = thirty_day_dashboard()
    dashboard["daily_trend"] = [
        {"date": "2026-11-20", "messages": 5, "users": 1, "tokens": 50},
        {"date": "2026-11-01", "messages": 1000, "users": 9, "tokens": 99999},  # outside 7d
        {"date": "2026-11-14", "messages": 7, "users": 2, "tokens": 70},  # 6 days before: inside 7d
        {"date": "2026-11-13", "messages": 900, "users": 3, "tokens": 90000},  # 7 days before: outside 7d
    ]
    stats = stats_from_dashboard("t1", "7d", dashboard)
    assert [d.date for d in stats.trends["daily"]] == ["2026-11-20", "2026-11-14"]
    assert (stats.summary.total_messages, stats.summary.total_tokens) == (12, 120)


def test_stats_with_empty_trend_and_datetime_values():
    dashboard = thirty_day_dashboard()
    dashboard["daily_trend"] = []
    stats = stats_from_dashboard("t1", "30d", dashboard)
    assert stats.trends == {"daily": []}
    assert (stats.summary.total_messages, stats.summary.total_tokens) == (0, 0)
    # legacy logic may hand back date objects before FastAPI serialises them: same result as the wire JSON
    raw = thirty_day_dashboard()
    for entry in raw["daily_trend"]:
        entry["date"] = date.fromisoformat(entry["date"])
    assert stats_from_dashboard("t1", "7d", raw) == stats_from_dashboard("t1", "7d", thirty_day_dashboard())


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["users"].pop("active_30days"), "dashboard.users.active_30days"),
        (lambda d: d["usage"].update(total_sessions="many"), "dashboard.usage.total_sessions"),
        (lambda d: d["daily_trend"][3].pop("tokens"), "dashboard.daily_trend[3].tokens"),
        (lambda d: d["daily_trend"][5].update(date="yesterday"), "dashboard.daily_trend[5].date"),
        (lambda d: d.pop("users"), "dashboard.users"),
    ],
)
def test_stats_invalid_dashboard_names_the_path(mutate, path):
    dashboard = thirty_day_dashboard()
    mutate(dashboard)
    with pytest.raises(LegacyShapeError) as err:
        stats_from_dashboard("t1", "30d", dashboard)
    assert path in str(err.value)
    assert isinstance(err.value, ValueError) and err.value.status_code == 500


def test_stats_invalid_period_is_an_invalid_request():
    with pytest.raises(InvalidRequestError, match="period"):
        stats_from_dashboard("t1", "1w", MANUAL_DASHBOARD)


def test_stats_rejects_a_document_that_is_not_an_object():
    with pytest.raises(LegacyShapeError, match="dashboard"):
        stats_from_dashboard("t1", "30d", ["not", "a", "dashboard"])
    with pytest.raises(LegacyShapeError, match=r"costs\.estimated_cost_usd"):
        stats_from_dashboard("t1", "30d", MANUAL_DASHBOARD, {"total_tokens": 5})


# --- costs ------------------------------------------------------------------------------------------------------

COSTS_WITH_EXTRAS = {
    "total_tokens": 7000,
    "estimated_cost_usd": 1.23,
    "by_model": [
        {"model": "gpt-4o", "tokens": 5000, "cost_usd": 1.0, "input_tokens": 3000, "output_tokens": 2000},
        {"model": "gpt-4o-mini", "tokens": 2000, "cost_usd": 0.23, "input_tokens": 1500},
    ],
    "by_user": [
        {"username": "kim", "tokens": 4000, "cost_usd": 0.8, "user_id": 7, "display_name": "김철수"},
        {"username": "lee", "tokens": 3000, "cost_usd": 0.43, "user_id": 3},
    ],
    "monthly_costs": [{"month": "2026-11", "cost_usd": 1.23}],
    "daily_costs": [
        {"date": "2026-11-18", "cost_usd": 0.2},
        {"date": "2026-11-19", "cost_usd": 0.0},
        {"date": "2026-11-20", "cost_usd": 1.03},
    ],
}

COSTS_CASES = [
    pytest.param(
        MANUAL_COSTS,
        {
            "tenant_id": "hallym_univ",
            "period": "30d",
            "total_cost_usd": 125.5,
            "by_model": [  # no input/output extras: all tokens count as output
                {"model": "gpt-4", "input_tokens": 0, "output_tokens": 2000000, "cost_usd": 100.0},
                {"model": "gpt-3.5-turbo", "input_tokens": 0, "output_tokens": 3000000, "cost_usd": 25.5},
            ],
            "by_user_top10": [  # no user_id/display_name extras: the username is both
                {"user_id": "user1", "name": "user1", "cost_usd": 12.5, "tokens": 500000},
                {"user_id": "user2", "name": "user2", "cost_usd": 10.0, "tokens": 400000},
            ],
            "daily_trend": [],  # no daily_costs extra
        },
        id="manual-example",
    ),
    pytest.param(
        COSTS_WITH_EXTRAS,
        {
            "tenant_id": "hallym_univ",
            "period": "30d",
            "total_cost_usd": 1.23,
            "by_model": [
                {"model": "gpt-4o", "input_tokens": 3000, "output_tokens": 2000, "cost_usd": 1.0},
                {"model": "gpt-4o-mini", "input_tokens": 1500, "output_tokens": 500, "cost_usd": 0.23},
            ],
            "by_user_top10": [
                {"user_id": "7", "name": "김철수", "cost_usd": 0.8, "tokens": 4000},
                {"user_id": "3", "name": "lee", "cost_usd": 0.43, "tokens": 3000},
            ],
            "daily_trend": [
                {"date": "2026-11-20", "cost_usd": 1.03},
                {"date": "2026-11-19", "cost_usd": 0.0},
                {"date": "2026-11-18", "cost_usd": 0.2},
            ],
        },
        id="with-extras",
    ),
]


@pytest.mark.parametrize(("legacy", "expected"), COSTS_CASES)
def test_costs_from_legacy(legacy, expected):
    assert costs_from_legacy("hallym_univ", "30d", legacy).model_dump(mode="json") == expected


def test_costs_output_has_the_plan_example_structure():
    ours = costs_from_legacy("hallym_univ", "30d", COSTS_WITH_EXTRAS).model_dump(mode="json")
    assert key_tree(ours) == key_tree(CostsResponse.model_validate(PLAN_COSTS).model_dump(mode="json"))


def test_costs_top10_by_cost_keeps_legacy_order_on_ties():
    by_user = [{"username": f"u{i:02d}", "tokens": i, "cost_usd": float(i % 6)} for i in range(14)]
    costs = costs_from_legacy("t", "7d", {"estimated_cost_usd": 9.0, "by_user": by_user})
    # costs 5,5 (u05,u11), 4,4 (u04,u10), 3,3 (u03,u09), 2,2 (u02,u08), 1,1 (u01,u07); 0s are cut
    assert [u.user_id for u in costs.by_user_top10] == [
        "u05", "u11", "u04", "u10", "u03", "u09", "u02", "u08", "u01", "u07",
    ]


def test_costs_output_only_extra_and_minimal_document():
    costs = costs_from_legacy(
        "t", "90d", {"estimated_cost_usd": 2, "by_model": [{"model": "m", "tokens": 10, "cost_usd": 2,
                                                             "output_tokens": 4}]}
    )
    assert costs.by_model[0].model_dump() == {"model": "m", "input_tokens": 6, "output_tokens": 4, "cost_usd": 2.0}
    assert costs.total_cost_usd == 2.0 and costs.by_user_top10 == [] and costs.daily_trend == []


@pytest.mark.parametrize(
    ("legacy", "path"),
    [
        ({"by_model": []}, "costs.estimated_cost_usd"),
        ({"estimated_cost_usd": 1, "by_model": [{"model": "m", "cost_usd": 1}]}, "costs.by_model[0].tokens"),
        ({"estimated_cost_usd": 1, "by_user": [{"tokens": 1, "cost_usd": 1}]}, "costs.by_user[0].username"),
        ({"estimated_cost_usd": 1, "daily_costs": [{"date": "20.11.2026", "cost_usd": 1}]},
         "costs.daily_costs[0].date"),
    ],
)
def test_costs_invalid_document_names_the_path(legacy, path):
    with pytest.raises(LegacyShapeError) as err:
        costs_from_legacy("t", "30d", legacy)
    assert path in str(err.value)


# --- usage patterns ---------------------------------------------------------------------------------------------


def test_usage_patterns_from_manual_example():
    result = usage_patterns_from_legacy("hallym_univ", "7d", MANUAL_USAGE_PATTERNS)
    assert result.model_dump(mode="json") == {"tenant_id": "hallym_univ", "period": "7d", **MANUAL_USAGE_PATTERNS}


def test_usage_patterns_invalid_hour_names_the_path():
    legacy = {"hourly_distribution": [{"hour": 24, "count": 1}], "weekday_distribution": [], "avg_session_length": 1}
    with pytest.raises(LegacyShapeError, match=r"patterns\.hourly_distribution\[0\]\.hour"):
        usage_patterns_from_legacy("t", "30d", legacy)


# --- top users --------------------------------------------------------------------------------------------------

TOP_USERS_LEGACY = {
    "period_days": 30,
    "users": [
        {"id": 12, "username": "kim01", "display_name": "김철수", "email": "kim@hallym.ac.kr", "sessions": 40,
         "messages": 300, "tokens": 45000, "last_active": "2026-11-20T09:12:00"},
        {"id": 4, "username": "lee02", "display_name": None, "email": None, "sessions": 2,
         "messages": 300, "tokens": 100, "last_active": None},
    ],
}


def test_top_users_from_legacy():
    result = top_users_from_legacy("hallym_univ", "30d", TOP_USERS_LEGACY)
    assert result.model_dump(mode="json") == {
        "tenant_id": "hallym_univ",
        "period": "30d",
        "users": [
            {"user_id": "12", "name": "김철수", "email": "kim@hallym.ac.kr", "sessions": 40, "messages": 300,
             "tokens": 45000, "last_active": "2026-11-20T09:12:00"},
            # null display_name → username; null email / last_active → "" (the standard fields are required str)
            {"user_id": "4", "name": "lee02", "email": "", "sessions": 2, "messages": 300, "tokens": 100,
             "last_active": ""},
        ],
    }


def test_top_users_serialises_datetimes_like_fastapi():
    legacy = json.loads(json.dumps(TOP_USERS_LEGACY))
    legacy["users"][0]["last_active"] = datetime(2026, 11, 20, 9, 12)
    assert top_users_from_legacy("t", "30d", legacy).users[0].last_active == "2026-11-20T09:12:00"


def test_top_users_missing_counter_names_the_path():
    legacy = json.loads(json.dumps(TOP_USERS_LEGACY))
    del legacy["users"][1]["messages"]
    with pytest.raises(LegacyShapeError, match=r"top\.users\[1\]\.messages"):
        top_users_from_legacy("t", "30d", legacy)
