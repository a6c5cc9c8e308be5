"""Dashboard endpoints: exact shapes, and every number cross-checked with independent SQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from llm_chatbot.pricing import PRICES

NOW = "2026-11-20T15:00:00"
TODAY = date(2026, 11, 20)
YONSEI, POSTECH = "yonsei_university_201", "postech_202"


def since(days: int) -> str:
    return f"{(TODAY - timedelta(days=days - 1)).isoformat()}T00:00:00"


def cost_sql() -> str:
    """The price table as a SQL expression, so SQLite does the cost arithmetic on its own."""
    cases = " ".join(
        f"WHEN '{model}' THEN input_tokens * {p.input_per_1k} / 1000.0 + output_tokens * {p.output_per_1k} / 1000.0"
        for model, p in PRICES.items()
    )
    return f"(CASE model {cases} END)"


@pytest.mark.parametrize("tenant", [YONSEI, POSTECH])
def test_dashboard_shape_and_numbers(client, admin, sql, tenant):
    response = client.get("/admin/dashboard", headers=admin(tenant))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"users", "usage", "daily_trend", "monthly_user_trend", "model_usage"}
    assert set(body["users"]) == {"total", "active", "new_this_week", "active_7days", "active_30days", "admins"}
    assert set(body["usage"]) == {
        "total_sessions", "sessions_today", "total_messages", "messages_today", "total_tokens", "tokens_today",
    }

    (total, active, new, admins), = sql(
        "SELECT COUNT(*), SUM(is_active), SUM(created_at >= ?), SUM(role = 'admin') FROM users WHERE tenant_id = ?",
        since(7), tenant,
    )
    (d7,), = sql("SELECT COUNT(DISTINCT user_id) FROM messages WHERE tenant_id = ? AND created_at >= ?",
                 tenant, since(7))
    (d30,), = sql("SELECT COUNT(DISTINCT user_id) FROM messages WHERE tenant_id = ? AND created_at >= ?",
                  tenant, since(30))
    assert body["users"] == {"total": total, "active": active, "new_this_week": new, "active_7days": d7,
                             "active_30days": d30, "admins": admins}

    (sessions,), = sql("SELECT COUNT(*) FROM conversations WHERE tenant_id = ?", tenant)
    (sessions_today,), = sql("SELECT COUNT(*) FROM conversations WHERE tenant_id = ? AND date(started_at) = ?",
                             tenant, TODAY.isoformat())
    (messages, tokens), = sql("SELECT COUNT(*), SUM(input_tokens + output_tokens) FROM messages WHERE tenant_id = ?",
                              tenant)
    (messages_today, tokens_today), = sql(
        "SELECT COUNT(*), SUM(input_tokens + output_tokens) FROM messages WHERE tenant_id = ? AND date(created_at) = ?",
        tenant, TODAY.isoformat(),
    )
    assert body["usage"] == {"total_sessions": sessions, "sessions_today": sessions_today,
                             "total_messages": messages, "messages_today": messages_today,
                             "total_tokens": tokens, "tokens_today": tokens_today}
    # No constant zeros: the seed gives every figure real data.
    assert all(value > 0 for value in [*body["users"].values(), *body["usage"].values()])

    trend = body["daily_trend"]
    assert [point["date"] for point in trend] == [(TODAY - timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert all(set(point) == {"date", "messages", "users", "tokens"} for point in trend)
    expected = {
        d: (m, u, t)
        for d, m, u, t in sql(
            "SELECT date(created_at), COUNT(*), COUNT(DISTINCT user_id), SUM(input_tokens + output_tokens)"
            " FROM messages WHERE tenant_id = ? AND created_at >= ? GROUP BY 1",
            tenant, since(30),
        )
    }
    assert {p["date"]: (p["messages"], p["users"], p["tokens"]) for p in trend if p["messages"]} == expected
    assert trend[-1]["messages"] == messages_today

    monthly = sql(
        "SELECT strftime('%Y-%m', created_at), COUNT(DISTINCT user_id), COUNT(*), SUM(input_tokens + output_tokens)"
        " FROM messages WHERE tenant_id = ? GROUP BY 1 ORDER BY 1",
        tenant,
    )
    assert [tuple(m.values()) for m in body["monthly_user_trend"]] == monthly
    assert all(list(m) == ["month", "users", "messages", "tokens"] for m in body["monthly_user_trend"])
    assert [m["month"] for m in body["monthly_user_trend"]] == ["2026-08", "2026-09", "2026-10", "2026-11"]

    models = sql(
        "SELECT model, COUNT(*), SUM(input_tokens + output_tokens) FROM messages WHERE tenant_id = ?"
        " GROUP BY model ORDER BY 2 DESC, model",
        tenant,
    )
    assert [(m["model"], m["count"], m["tokens"]) for m in body["model_usage"]] == models
    assert len(models) >= 3


def test_tenants_see_only_their_own_numbers(client, admin):
    yonsei = client.get("/admin/dashboard", headers=admin(YONSEI)).json()
    postech = client.get("/admin/dashboard", headers=admin(POSTECH)).json()
    assert yonsei["users"]["total"] != postech["users"]["total"]
    assert yonsei["usage"]["total_messages"] != postech["usage"]["total_messages"]


@pytest.mark.parametrize("days", [1, 7, 30, 90, 365])
def test_costs_match_the_price_table(client, admin, sql, days):
    response = client.get("/admin/dashboard/costs", params={"days": days}, headers=admin(YONSEI))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total_tokens", "estimated_cost_usd", "by_model", "by_user", "monthly_costs", "daily_costs"}

    rows = sql(
        f"SELECT model, SUM(input_tokens), SUM(output_tokens), SUM({cost_sql()}) FROM messages"
        " WHERE tenant_id = ? AND created_at >= ? GROUP BY model",
        YONSEI, since(days),
    )
    total_cost = sum(r[3] for r in rows)
    assert body["total_tokens"] == sum(r[1] + r[2] for r in rows) > 0
    assert body["estimated_cost_usd"] == pytest.approx(total_cost, abs=0.006)
    assert body["estimated_cost_usd"] == round(body["estimated_cost_usd"], 2)

    by_model = {m["model"]: m for m in body["by_model"]}
    assert set(by_model) == {r[0] for r in rows}
    for model, inp, out, cost in rows:
        entry = by_model[model]
        assert set(entry) == {"model", "tokens", "cost_usd", "input_tokens", "output_tokens"}
        assert (entry["input_tokens"], entry["output_tokens"], entry["tokens"]) == (inp, out, inp + out)
        assert entry["cost_usd"] == pytest.approx(cost, abs=0.00006)
    costs_listed = [m["cost_usd"] for m in body["by_model"]]
    assert costs_listed == sorted(costs_listed, reverse=True)

    users = sql(
        f"SELECT u.id, u.username, u.display_name, SUM(input_tokens + output_tokens), SUM({cost_sql()}) AS c"
        " FROM messages m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ? AND m.created_at >= ?"
        " GROUP BY u.id ORDER BY c DESC, u.id LIMIT 10",
        YONSEI, since(days),
    )
    assert len(body["by_user"]) == min(10, len(users))
    for entry, (uid, username, display, tokens, cost) in zip(body["by_user"], users, strict=True):
        assert set(entry) == {"username", "tokens", "cost_usd", "user_id", "display_name"}
        assert (entry["user_id"], entry["username"], entry["display_name"], entry["tokens"]) == (
            uid, username, display, tokens)
        assert entry["cost_usd"] == pytest.approx(cost, abs=0.00006)

    daily = body["daily_costs"]
    assert [d["date"] for d in daily] == [(TODAY - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]
    assert sum(d["cost_usd"] for d in daily) == pytest.approx(total_cost, abs=0.0001 * days + 0.006)
    months = sorted({d["date"][:7] for d in daily if d["cost_usd"]})
    assert [m["month"] for m in body["monthly_costs"]] == months
    assert sum(m["cost_usd"] for m in body["monthly_costs"]) == pytest.approx(total_cost, abs=0.006)


@pytest.mark.parametrize("days", [7, 30, 90])
def test_usage_patterns(client, admin, sql, days):
    response = client.get("/admin/dashboard/usage-patterns", params={"days": days}, headers=admin(POSTECH))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hourly_distribution", "weekday_distribution", "avg_session_length"}
    hours = dict(sql(
        "SELECT CAST(strftime('%H', created_at) AS INTEGER), COUNT(*) FROM messages"
        " WHERE tenant_id = ? AND created_at >= ? GROUP BY 1", POSTECH, since(days)))
    assert body["hourly_distribution"] == [{"hour": h, "count": hours.get(h, 0)} for h in range(24)]
    names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    weekdays = {names[int(w)]: n for w, n in sql(
        "SELECT strftime('%w', created_at), COUNT(*) FROM messages WHERE tenant_id = ? AND created_at >= ?"
        " GROUP BY 1", POSTECH, since(days))}
    assert [d["day"] for d in body["weekday_distribution"]] == names[1:] + names[:1]
    assert {d["day"]: d["count"] for d in body["weekday_distribution"]} == {n: weekdays.get(n, 0) for n in names}
    (avg,), = sql(
        "SELECT AVG((julianday(ended_at) - julianday(started_at)) * 24 * 60) FROM conversations"
        " WHERE tenant_id = ? AND started_at >= ?", POSTECH, since(days))
    assert body["avg_session_length"] == round(avg, 1) > 0


def test_top_users_and_the_legacy_spelling(client, admin, sql):
    params = {"days": 14, "limit": 7}
    dashed = client.get("/admin/dashboard/top-users", params=params, headers=admin(YONSEI))
    underscored = client.get("/admin/dashboard/top_users", params=params, headers=admin(YONSEI))
    assert dashed.status_code == underscored.status_code == 200
    assert dashed.json() == underscored.json()
    body = dashed.json()
    assert set(body) == {"period_days", "users"} and body["period_days"] == 14
    expected = sql(
        "SELECT u.id, u.username, u.display_name, u.email, COUNT(DISTINCT m.conversation_id), COUNT(*),"
        " SUM(m.input_tokens + m.output_tokens), MAX(m.created_at) FROM messages m JOIN users u ON u.id = m.user_id"
        " WHERE m.tenant_id = ? AND m.created_at >= ? GROUP BY u.id ORDER BY COUNT(*) DESC, u.id LIMIT 7",
        YONSEI, since(14),
    )
    assert len(expected) == 7
    assert [tuple(u.values()) for u in body["users"]] == expected
    assert all(list(u) == ["id", "username", "display_name", "email", "sessions", "messages", "tokens",
                           "last_active"] for u in body["users"])

    default = client.get("/admin/dashboard/top_users", headers=admin(YONSEI)).json()
    assert default["period_days"] == 30 and len(default["users"]) == 10
    assert default == client.get("/admin/dashboard/top-users", headers=admin(YONSEI)).json()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/admin/dashboard/costs", {"days": 0}),
        ("/admin/dashboard/costs", {"days": 366}),
        ("/admin/dashboard/costs", {"days": "thirty"}),
        ("/admin/dashboard/usage-patterns", {"days": -1}),
        ("/admin/dashboard/usage-patterns", {"days": "1.5"}),
        ("/admin/dashboard/top-users", {"limit": 0}),
        ("/admin/dashboard/top_users", {"limit": 51}),
        ("/admin/dashboard/top-users", {"days": 400}),
    ],
)
def test_bad_query_parameters_are_422(client, admin, path, params):
    response = client.get(path, params=params, headers=admin(YONSEI))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"
