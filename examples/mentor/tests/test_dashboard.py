"""Dashboard and cost report: exact shapes, every number cross-checked with separate SQL and Python."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, timedelta

import pytest

API = "/api/v1"
TODAY = date(2026, 11, 20)


def since(days: int) -> str:
    return f"{TODAY - timedelta(days=days - 1)} 00:00:00"


@pytest.fixture
def answers(sql):
    """Every answer as (day, user_id, model, prompt, completion, cost in USD), priced in Python."""
    from mentor.pricing import PRICE_PER_MILLION

    rows = sql("SELECT created_at, user_id, model, prompt_tokens, completion_tokens FROM messages"
               " WHERE role = 'assistant'")
    return [(at[:10], user, model, prompt, completion,
             (prompt * PRICE_PER_MILLION[model][0] + completion * PRICE_PER_MILLION[model][1]) / 1_000_000)
            for at, user, model, prompt, completion in rows]


def cost_since(answers, days: int) -> float:
    first = str(TODAY - timedelta(days=days - 1))
    return sum(row[5] for row in answers if row[0] >= first)


def test_dashboard_shape(client, admin):
    response = client.get(f"{API}/admin/dashboard", headers=admin)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["generated_at", "total_users", "active_users", "admin_count", "new_users_7_days",
                          "active_7_days", "active_30_days", "totals", "today", "recent_activity",
                          "messages_by_day", "costs"]
    assert body["generated_at"] == "2026-11-20T15:00:00Z"
    assert set(body["totals"]) == set(body["today"]) == {"conversations", "messages", "tokens"}
    assert set(body["costs"]) == {"currency", "today", "last_7_days", "last_30_days", "month_to_date"}


def test_dashboard_user_numbers(client, admin, scalar):
    body = client.get(f"{API}/admin/dashboard", headers=admin).json()
    assert body["total_users"] == scalar("SELECT COUNT(*) FROM users") == 260
    assert body["active_users"] == scalar("SELECT COUNT(*) FROM users WHERE is_active = 1")
    assert body["admin_count"] == scalar("SELECT COUNT(*) FROM users WHERE is_admin = 1") == 3
    assert body["new_users_7_days"] == scalar("SELECT COUNT(*) FROM users WHERE created_at >= ?", since(7)) == 6
    for days in (7, 30):
        expected = scalar("SELECT COUNT(DISTINCT user_id) FROM messages WHERE role = 'user' AND created_at >= ?",
                          since(days))
        assert body[f"active_{days}_days"] == expected > 0
    assert body["active_7_days"] < body["active_30_days"] < body["active_users"]


def test_dashboard_totals_and_today(client, admin, scalar):
    body = client.get(f"{API}/admin/dashboard", headers=admin).json()
    assert body["totals"] == {
        "conversations": scalar("SELECT COUNT(*) FROM conversations"),
        "messages": scalar("SELECT COUNT(*) FROM messages"),
        "tokens": scalar("SELECT SUM(prompt_tokens + completion_tokens) FROM messages"),
    }
    assert body["today"] == {
        "conversations": scalar("SELECT COUNT(*) FROM conversations WHERE date(created_at) = ?", str(TODAY)),
        "messages": scalar("SELECT COUNT(*) FROM messages WHERE date(created_at) = ?", str(TODAY)),
        "tokens": scalar("SELECT SUM(prompt_tokens + completion_tokens) FROM messages WHERE date(created_at) = ?",
                         str(TODAY)),
    }
    assert body["today"]["messages"] > 0


def test_messages_by_day_covers_thirty_days_zero_filled(client, admin, sql):
    series = client.get(f"{API}/admin/dashboard", headers=admin).json()["messages_by_day"]
    assert [entry["day"] for entry in series] == [str(TODAY - timedelta(days=back)) for back in range(29, -1, -1)]
    expected = {day: (messages, users, tokens) for day, messages, users, tokens in sql(
        "SELECT date(created_at), COUNT(*), COUNT(DISTINCT CASE WHEN role = 'user' THEN user_id END),"
        " SUM(prompt_tokens + completion_tokens) FROM messages GROUP BY date(created_at)")}
    for entry in series:
        assert (entry["messages"], entry["users"], entry["tokens"]) == expected.get(entry["day"], (0, 0, 0))
    assert sum(entry["messages"] for entry in series) == sum(v[0] for d, v in expected.items() if d >= series[0]["day"])


def test_messages_by_day_zero_fills_a_quiet_day(client, admin, data_dir):
    quiet = str(TODAY - timedelta(days=3))
    conn = sqlite3.connect(data_dir / "mentor.db")
    with conn:
        conn.execute("DELETE FROM messages WHERE date(created_at) = ?", (quiet,))
    conn.close()
    series = client.get(f"{API}/admin/dashboard", headers=admin).json()["messages_by_day"]
    assert {"day": quiet, "messages": 0, "users": 0, "tokens": 0} in series


def test_recent_activity(client, admin, sql):
    recent = client.get(f"{API}/admin/dashboard", headers=admin).json()["recent_activity"]
    expected = sql(
        "SELECT c.id, c.title, c.user_id, u.username, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id),"
        " replace(substr(c.updated_at, 1, 19), ' ', 'T') FROM conversations c JOIN users u ON u.id = c.user_id"
        " ORDER BY c.updated_at DESC, c.id DESC LIMIT 10")
    assert [tuple(item.values()) for item in recent] == expected
    assert list(recent[0]) == ["conversation_id", "title", "user_id", "username", "messages", "updated_at"]


def test_dashboard_costs(client, admin, answers):
    costs = client.get(f"{API}/admin/dashboard", headers=admin).json()["costs"]
    assert costs["currency"] == "USD"
    assert costs["today"] == pytest.approx(round(cost_since(answers, 1), 2), abs=0.006)
    assert costs["last_7_days"] == pytest.approx(round(cost_since(answers, 7), 2), abs=0.006)
    assert costs["last_30_days"] == pytest.approx(round(cost_since(answers, 30), 2), abs=0.006)
    month = sum(row[5] for row in answers if row[0] >= "2026-11-01")
    assert costs["month_to_date"] == pytest.approx(round(month, 2), abs=0.006)
    assert 0 < costs["today"] < costs["last_7_days"] < costs["month_to_date"] < costs["last_30_days"]


def test_the_dashboard_follows_the_data(client, admin, scalar):
    before = client.get(f"{API}/admin/dashboard", headers=admin).json()
    lost = scalar("SELECT COUNT(*) FROM messages WHERE user_id = 2")
    client.delete(f"{API}/admin/users/2", headers=admin)
    after = client.get(f"{API}/admin/dashboard", headers=admin).json()
    assert after["total_users"] == before["total_users"] - 1
    assert after["totals"]["messages"] == before["totals"]["messages"] - lost


@pytest.mark.parametrize("days", [1, 7, 30, 90, 365])
def test_costs_report_matches_python_pricing(client, admin, answers, days):
    response = client.get(f"{API}/admin/usage/costs", headers=admin, params={"days": days})
    assert response.status_code == 200
    body = response.json()
    first = str(TODAY - timedelta(days=days - 1))
    window = [row for row in answers if row[0] >= first]
    assert (body["days"], body["since"], body["until"], body["currency"]) == (days, first, str(TODAY), "USD")
    assert body["total_cost"] == pytest.approx(sum(row[5] for row in window), abs=1e-4)
    assert body["prompt_tokens"] == sum(row[3] for row in window)
    assert body["completion_tokens"] == sum(row[4] for row in window)
    per_model = defaultdict(lambda: [0, 0, 0, 0.0])
    for _day, _user, model, prompt, completion, cost in window:
        stats = per_model[model]
        stats[0] += 1
        stats[1] += prompt
        stats[2] += completion
        stats[3] += cost
    assert list(body["models"]) == sorted(per_model)
    for model, (count, prompt, completion, cost) in per_model.items():
        entry = body["models"][model]
        assert (entry["answers"], entry["prompt_tokens"], entry["completion_tokens"]) == (count, prompt, completion)
        assert entry["cost"] == pytest.approx(cost, abs=1e-4)
    assert len(body["daily"]) == days and body["daily"][0]["day"] == first
    assert sum(entry["answers"] for entry in body["daily"]) == len(window)


def test_retired_models_show_up_only_in_long_windows(client, admin):
    short = client.get(f"{API}/admin/usage/costs", headers=admin, params={"days": 30}).json()["models"]
    long = client.get(f"{API}/admin/usage/costs", headers=admin, params={"days": 120}).json()["models"]
    assert "gpt-4-turbo" not in short and "gpt-4-turbo" in long


def test_top_spenders(client, admin, answers, sql):
    body = client.get(f"{API}/admin/usage/costs", headers=admin).json()
    first = str(TODAY - timedelta(days=29))
    per_user = defaultdict(lambda: [0, 0.0])
    for day, user, _model, prompt, completion, cost in answers:
        if day >= first:
            per_user[user][0] += prompt + completion
            per_user[user][1] += cost
    ranking = sorted(per_user.items(), key=lambda item: (-item[1][1], item[0]))[:10]
    names = dict((row[0], row[1:]) for row in sql("SELECT id, username, full_name FROM users"))
    assert [spender["user_id"] for spender in body["top_spenders"]] == [user for user, _ in ranking]
    for spender, (user, (tokens, cost)) in zip(body["top_spenders"], ranking):
        assert (spender["username"], spender["full_name"]) == names[user]
        assert spender["tokens"] == tokens and spender["cost"] == pytest.approx(cost, abs=1e-4)


@pytest.mark.parametrize("days", [0, 366, -5, "week"])
def test_costs_days_out_of_range_is_422(client, admin, days):
    assert client.get(f"{API}/admin/usage/costs", headers=admin, params={"days": days}).status_code == 422


def test_costs_default_window_is_thirty_days(client, admin):
    assert client.get(f"{API}/admin/usage/costs", headers=admin).json()["days"] == 30
