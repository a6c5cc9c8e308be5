"""/admin/dashboard family: exact key sets, and numbers cross-checked against the data with SQL written here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from advisor.pricing import PRICES

SEOUL = "seoul_national_university_101"
KAIST = "kaist_104"
TODAY = date(2026, 11, 20)  # the frozen clock of conftest


def since(days: int) -> str:
    return (TODAY - timedelta(days=days - 1)).isoformat() + "T00:00:00"


def sql_cost(tenant_db, tenant_id: str, start: str) -> float:
    rows = tenant_db(tenant_id).execute(
        "SELECT model, SUM(input_tokens), SUM(output_tokens) FROM messages WHERE created_at >= ? GROUP BY model",
        (start,),
    ).fetchall()
    return sum(i / 1000 * PRICES[m][0] + o / 1000 * PRICES[m][1] for m, i, o in rows)


def test_dashboard_keys_and_user_counts(client, admin_headers, scalar):
    response = client.get("/admin/dashboard", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"users", "usage", "daily_trend", "monthly_user_trend", "model_usage"}
    users = body["users"]
    assert set(users) == {"total", "active", "new_this_week", "active_7days", "active_30days", "admins"}
    assert users["total"] == scalar("SELECT COUNT(*) FROM users")
    assert users["active"] == scalar("SELECT COUNT(*) FROM users WHERE is_active = 1")
    assert users["admins"] == scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'") == 3
    assert users["new_this_week"] == scalar("SELECT COUNT(*) FROM users WHERE created_at >= ?", since(7))
    assert users["active_7days"] == scalar(
        "SELECT COUNT(DISTINCT user_id) FROM messages WHERE created_at >= '2026-11-14T00:00:00'"
    )
    assert users["active_30days"] == scalar(
        "SELECT COUNT(DISTINCT user_id) FROM messages WHERE created_at >= '2026-10-22T00:00:00'"
    )
    # real aggregates of a living tenant, not placeholders
    assert 0 < users["new_this_week"] < users["active_7days"] < users["active_30days"] <= users["total"]
    assert users["active"] < users["total"]


def test_dashboard_usage_totals(client, admin_headers, scalar):
    usage = client.get("/admin/dashboard", headers=admin_headers()).json()["usage"]
    assert set(usage) == {
        "total_sessions", "sessions_today", "total_messages", "messages_today", "total_tokens", "tokens_today",
    }
    assert usage["total_sessions"] == scalar("SELECT COUNT(*) FROM sessions")
    assert usage["sessions_today"] == scalar("SELECT COUNT(*) FROM sessions WHERE started_at LIKE '2026-11-20%'")
    assert usage["total_messages"] == scalar("SELECT COUNT(*) FROM messages")
    assert usage["messages_today"] == scalar("SELECT COUNT(*) FROM messages WHERE created_at LIKE '2026-11-20%'")
    assert usage["total_tokens"] == scalar("SELECT SUM(input_tokens + output_tokens) FROM messages")
    assert usage["tokens_today"] == scalar(
        "SELECT SUM(input_tokens + output_tokens) FROM messages WHERE created_at LIKE '2026-11-20%'"
    )
    assert 0 < usage["messages_today"] < usage["total_messages"]


def test_daily_trend_is_30_zero_filled_days_ending_today(client, admin_headers, scalar):
    trend = client.get("/admin/dashboard", headers=admin_headers()).json()["daily_trend"]
    assert [entry["date"] for entry in trend] == [(TODAY - timedelta(days=n)).isoformat() for n in range(29, -1, -1)]
    assert all(set(entry) == {"date", "messages", "users", "tokens"} for entry in trend)
    assert sum(e["messages"] for e in trend) == scalar("SELECT COUNT(*) FROM messages WHERE created_at >= ?", since(30))
    assert sum(e["tokens"] for e in trend) == scalar(
        "SELECT SUM(input_tokens + output_tokens) FROM messages WHERE created_at >= ?", since(30)
    )
    # the last seven entries are the seven days of active_7days / new_this_week
    assert sum(e["messages"] for e in trend[-7:]) == scalar(
        "SELECT COUNT(*) FROM messages WHERE created_at >= ?", since(7)
    )
    sunday = next(e for e in trend if e["date"] == "2026-11-15")
    assert sunday["users"] == scalar(
        "SELECT COUNT(DISTINCT user_id) FROM messages WHERE created_at LIKE '2026-11-15%'"
    )


def test_daily_trend_zero_fills_days_without_messages(client, admin_headers, tenant_db):
    tenant_db(KAIST).execute("DELETE FROM messages WHERE created_at LIKE '2026-11-18%'")
    tenant_db(KAIST).commit()
    trend = client.get("/admin/dashboard", headers=admin_headers(KAIST)).json()["daily_trend"]
    assert len(trend) == 30
    assert next(e for e in trend if e["date"] == "2026-11-18") == {
        "date": "2026-11-18", "messages": 0, "users": 0, "tokens": 0,
    }


def test_monthly_trend_and_model_usage(client, admin_headers, scalar):
    body = client.get("/admin/dashboard", headers=admin_headers()).json()
    months = body["monthly_user_trend"]
    assert [m["month"] for m in months] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert all(set(m) == {"month", "users", "messages", "tokens"} for m in months)
    assert sum(m["messages"] for m in months) == body["usage"]["total_messages"]
    assert months[2]["users"] == scalar("SELECT COUNT(DISTINCT user_id) FROM messages WHERE created_at LIKE '2026-10%'")

    models = body["model_usage"]
    assert all(set(m) == {"model", "count", "tokens"} for m in models)
    assert {m["model"] for m in models} == set(PRICES) - {"claude-3-5-sonnet"}
    assert sum(m["count"] for m in models) == body["usage"]["total_messages"]
    assert sum(m["tokens"] for m in models) == body["usage"]["total_tokens"]
    assert [m["count"] for m in models] == sorted((m["count"] for m in models), reverse=True)


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_costs_are_consistent(client, admin_headers, tenant_db, scalar, days):
    response = client.get(f"/admin/dashboard/costs?days={days}", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total_tokens", "estimated_cost_usd", "by_model", "by_user", "monthly_costs", "daily_costs"}
    assert body["total_tokens"] == scalar(
        "SELECT SUM(input_tokens + output_tokens) FROM messages WHERE created_at >= ?", since(days)
    )
    expected = sql_cost(tenant_db, SEOUL, since(days))
    assert body["estimated_cost_usd"] == round(expected, 2) and expected > 0

    by_model = body["by_model"]
    assert all(set(m) == {"model", "tokens", "cost_usd", "input_tokens", "output_tokens"} for m in by_model)
    assert all(m["tokens"] == m["input_tokens"] + m["output_tokens"] for m in by_model)
    assert sum(m["tokens"] for m in by_model) == body["total_tokens"]
    assert sum(m["cost_usd"] for m in by_model) == pytest.approx(body["estimated_cost_usd"], abs=0.01)
    assert [m["cost_usd"] for m in by_model] == sorted((m["cost_usd"] for m in by_model), reverse=True)

    daily = body["daily_costs"]
    assert [d["date"] for d in daily] == [(TODAY - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    assert sum(d["cost_usd"] for d in daily) == pytest.approx(expected, abs=0.0001 * days)
    assert sum(m["cost_usd"] for m in body["monthly_costs"]) == pytest.approx(expected, abs=0.001)
    months = [m["month"] for m in body["monthly_costs"]]
    assert months == sorted(months) and months[-1] == "2026-11"


def test_costs_by_user_is_top_ten_by_cost(client, admin_headers, tenant_db):
    body = client.get("/admin/dashboard/costs?days=30", headers=admin_headers()).json()
    by_user = body["by_user"]
    assert len(by_user) == 10
    assert all(set(u) == {"username", "tokens", "cost_usd", "user_id", "display_name"} for u in by_user)
    costs = [u["cost_usd"] for u in by_user]
    assert costs == sorted(costs, reverse=True)
    top = by_user[0]
    rows = tenant_db(SEOUL).execute(
        "SELECT model, SUM(input_tokens), SUM(output_tokens) FROM messages WHERE user_id = ? AND created_at >= ?"
        " GROUP BY model",
        (top["user_id"], since(30)),
    ).fetchall()
    assert top["cost_usd"] == round(sum(i / 1000 * PRICES[m][0] + o / 1000 * PRICES[m][1] for m, i, o in rows), 4)
    assert top["tokens"] == sum(i + o for _, i, o in rows)
    username = tenant_db(SEOUL).execute("SELECT username FROM users WHERE id = ?", (top["user_id"],)).fetchone()[0]
    assert top["username"] == username
    # nobody outside the top ten costs more than the tenth
    per_user = tenant_db(SEOUL).execute(
        "SELECT user_id, model, SUM(input_tokens), SUM(output_tokens) FROM messages WHERE created_at >= ?"
        " GROUP BY user_id, model",
        (since(30),),
    ).fetchall()
    totals: dict = {}
    for user_id, model, i, o in per_user:
        totals[user_id] = totals.get(user_id, 0.0) + i / 1000 * PRICES[model][0] + o / 1000 * PRICES[model][1]
    assert sorted(totals.values(), reverse=True)[9] == pytest.approx(costs[9], abs=0.0001)


def test_costs_monthly_split_for_30_days(client, admin_headers, tenant_db):
    body = client.get("/admin/dashboard/costs?days=30", headers=admin_headers()).json()
    assert [m["month"] for m in body["monthly_costs"]] == ["2026-10", "2026-11"]
    october = sql_cost(tenant_db, SEOUL, since(30)) - sql_cost(tenant_db, SEOUL, "2026-11-01T00:00:00")
    assert body["monthly_costs"][0]["cost_usd"] == pytest.approx(october, abs=0.0001)


def test_usage_patterns(client, admin_headers, scalar, tenant_db):
    response = client.get("/admin/dashboard/usage-patterns?days=30", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hourly_distribution", "weekday_distribution", "avg_session_length"}
    hourly, weekly = body["hourly_distribution"], body["weekday_distribution"]
    assert [h["hour"] for h in hourly] == list(range(24))
    assert [d["day"] for d in weekly] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]
    in_window = scalar("SELECT COUNT(*) FROM messages WHERE created_at >= ?", since(30))
    assert sum(h["count"] for h in hourly) == sum(d["count"] for d in weekly) == in_window
    assert hourly[10]["count"] == scalar(
        "SELECT COUNT(*) FROM messages WHERE created_at >= ? AND substr(created_at, 12, 2) = '10'", since(30)
    )
    # 2026-11-15 is a Sunday: the Sunday count includes it
    sundays = [(TODAY - timedelta(days=n)).isoformat() for n in range(30) if (TODAY - timedelta(days=n)).weekday() == 6]
    assert "2026-11-15" in sundays
    assert weekly[6]["count"] == sum(
        scalar("SELECT COUNT(*) FROM messages WHERE created_at LIKE ?", day + "%") for day in sundays
    )
    # office hours beat the night, weekdays beat the weekend
    counts = [h["count"] for h in hourly]
    assert sum(counts[9:18]) / 9 > 4 * sum(counts[1:7]) / 6
    assert min(d["count"] for d in weekly[:5]) > max(d["count"] for d in weekly[5:])

    durations = [
        row[0] for row in tenant_db(SEOUL).execute(
            "SELECT (julianday(ended_at) - julianday(started_at)) * 1440 FROM sessions"
            " WHERE started_at >= ? AND ended_at IS NOT NULL",
            (since(30),),
        )
    ]
    assert body["avg_session_length"] == round(sum(durations) / len(durations), 1)
    assert 2 < body["avg_session_length"] < 60


def test_usage_patterns_of_one_day(client, admin_headers, scalar):
    body = client.get("/admin/dashboard/usage-patterns?days=1", headers=admin_headers()).json()
    assert sum(h["count"] for h in body["hourly_distribution"]) == scalar(
        "SELECT COUNT(*) FROM messages WHERE created_at LIKE '2026-11-20%'"
    )
    assert all(h["count"] == 0 for h in body["hourly_distribution"][16:])  # the clock is at 15:00
    assert [d["count"] > 0 for d in body["weekday_distribution"]] == [False] * 4 + [True] + [False] * 2  # a Friday


def test_top_users(client, admin_headers, scalar):
    response = client.get("/admin/dashboard/top-users?days=30&limit=5", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"period_days", "users"} and body["period_days"] == 30
    users = body["users"]
    assert len(users) == 5
    assert all(
        set(u) == {"id", "username", "display_name", "email", "sessions", "messages", "tokens", "last_active"}
        for u in users
    )
    assert [(-u["messages"], u["id"]) for u in users] == sorted((-u["messages"], u["id"]) for u in users)
    first = users[0]
    assert first["messages"] == scalar(
        "SELECT COUNT(*) FROM messages WHERE user_id = ? AND created_at >= ?", first["id"], since(30)
    )
    assert first["messages"] == scalar(
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM messages WHERE created_at >= ? GROUP BY user_id)", since(30)
    )
    assert first["sessions"] == scalar(
        "SELECT COUNT(DISTINCT session_id) FROM messages WHERE user_id = ? AND created_at >= ?", first["id"], since(30)
    )
    assert first["last_active"] == scalar("SELECT MAX(created_at) FROM messages WHERE user_id = ?", first["id"])


def test_top_users_defaults(client, admin_headers):
    body = client.get("/admin/dashboard/top-users", headers=admin_headers()).json()
    assert body["period_days"] == 30 and len(body["users"]) == 10


@pytest.mark.parametrize(
    "path",
    [
        "/admin/dashboard/costs?days=0",
        "/admin/dashboard/costs?days=366",
        "/admin/dashboard/costs?days=abc",
        "/admin/dashboard/costs?days=1.5",
        "/admin/dashboard/usage-patterns?days=-1",
        "/admin/dashboard/top-users?limit=0",
        "/admin/dashboard/top-users?limit=51",
        "/admin/dashboard/top-users?days=99999999999999999999999",
    ],
)
def test_bad_query_parameters_are_422(client, admin_headers, path):
    response = client.get(path, headers=admin_headers())
    assert response.status_code == 422


def test_data_stats(client, admin_headers, scalar):
    response = client.get("/admin/data/stats", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "documents": {
            "total": scalar("SELECT COUNT(*) FROM documents"),
            "indexed": scalar("SELECT COUNT(*) FROM documents WHERE is_indexed = 1"),
        },
        "videos": {
            "total": scalar("SELECT COUNT(*) FROM videos"),
            "transcribed": scalar("SELECT COUNT(*) FROM videos WHERE is_transcribed = 1"),
        },
        "crawl_sites": {
            "total": scalar("SELECT COUNT(*) FROM crawl_sites"),
            "active": scalar("SELECT COUNT(*) FROM crawl_sites WHERE is_active = 1"),
        },
        "storage_used_mb": round(
            (scalar("SELECT SUM(size_bytes) FROM documents") + scalar("SELECT SUM(size_bytes) FROM videos"))
            / 1048576,
            1,
        ),
    }
    assert 0 < body["documents"]["indexed"] < body["documents"]["total"]


def test_each_tenant_sees_its_own_numbers(client, admin_headers, scalar):
    for tenant_id in (SEOUL, KAIST):
        body = client.get("/admin/dashboard", headers=admin_headers(tenant_id)).json()
        assert body["usage"]["total_messages"] == scalar("SELECT COUNT(*) FROM messages", tenant_id=tenant_id)
