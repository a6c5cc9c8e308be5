"""The school dashboard (camelCase): overview, usage, leaderboard — every number cross-checked with SQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

TODAY = date(2026, 11, 20)
PERIODS = {"7d": 7, "30d": 30, "90d": 90}


def first_day(days: int) -> str:
    return str(TODAY - timedelta(days=days - 1))


@pytest.fixture
def questions(sql):
    """questions(tenant) -> [(day, time, user, course, model, prompt, completion, cost)], priced in Python."""
    from classroom.pricing import PRICES

    def load(tenant: int):
        rows = sql("SELECT created_at, user_id, course_id, model, prompt_tokens, completion_tokens FROM question"
                   " WHERE tenant_id = ?", tenant)
        return [(at[:10], at[:19], user, course, model, p, c, (p * PRICES[model][0] + c * PRICES[model][1]) / 1000)
                for at, user, course, model, p, c in rows]

    return load


def test_overview_shape_is_camel_case(client, school):
    body = client.get("/v1/stats/overview", headers=school(1)).json()
    assert list(body) == ["tenantId", "period", "from", "to", "users", "courses", "questions", "daily"]
    assert list(body["users"]) == ["total", "active", "students", "teachers", "admins", "newInPeriod",
                                   "activeInPeriod"]
    assert list(body["courses"]) == ["total", "withActivity"]
    assert list(body["questions"]) == ["total", "inPeriod", "tokensInPeriod", "costUsdInPeriod"]
    assert list(body["daily"][0]) == ["date", "questions", "activeUsers", "tokens"]
    assert (body["tenantId"], body["period"], body["from"], body["to"]) == (1, "30d", first_day(30), str(TODAY))


@pytest.mark.parametrize("tenant", [1, 2, 3])
@pytest.mark.parametrize("period", PERIODS)
def test_overview_numbers(client, school, sql, questions, tenant, period):
    days = PERIODS[period]
    body = client.get("/v1/stats/overview", headers=school(tenant), params={"period": period}).json()
    since = first_day(days)
    rows = [q for q in questions(tenant) if q[0] >= since]
    (total, active, students, teachers, admins, new), = sql(
        "SELECT COUNT(*), SUM(status = 'active'), SUM(role = 'student'), SUM(role = 'teacher'), SUM(role = 'admin'),"
        " SUM(created_at >= ?) FROM user WHERE tenant_id = ?", since, tenant)
    assert body["users"] == {"total": total, "active": active, "students": students, "teachers": teachers,
                             "admins": admins, "newInPeriod": new, "activeInPeriod": len({q[2] for q in rows})}
    assert body["courses"] == {
        "total": sql("SELECT COUNT(*) FROM course WHERE tenant_id = ?", tenant)[0][0],
        "withActivity": len({q[3] for q in rows if q[3] is not None}),
    }
    assert body["questions"]["total"] == len(questions(tenant))
    assert body["questions"]["inPeriod"] == len(rows) > 0
    assert body["questions"]["tokensInPeriod"] == sum(q[5] + q[6] for q in rows)
    assert body["questions"]["costUsdInPeriod"] == pytest.approx(sum(q[7] for q in rows), abs=1e-4)
    expected_days = [str(TODAY - timedelta(days=back)) for back in range(days - 1, -1, -1)]
    assert [point["date"] for point in body["daily"]] == expected_days
    per_day = defaultdict(lambda: [0, set(), 0])
    for q in rows:
        per_day[q[0]][0] += 1
        per_day[q[0]][1].add(q[2])
        per_day[q[0]][2] += q[5] + q[6]
    for point in body["daily"]:
        count, users, tokens = per_day.get(point["date"], [0, set(), 0])
        assert (point["questions"], point["activeUsers"], point["tokens"]) == (count, len(users), tokens)


def test_overview_daily_is_zero_filled(client, school, data_dir):
    import sqlite3

    quiet = str(TODAY - timedelta(days=2))
    conn = sqlite3.connect(data_dir / "classroom.db")
    with conn:
        conn.execute("DELETE FROM question WHERE tenant_id = 1 AND date(created_at) = ?", (quiet,))
    conn.close()
    daily = client.get("/v1/stats/overview", headers=school(1), params={"period": "7d"}).json()["daily"]
    assert {"date": quiet, "questions": 0, "activeUsers": 0, "tokens": 0} in daily and len(daily) == 7


@pytest.mark.parametrize("path", ["/v1/stats/overview", "/v1/stats/usage", "/v1/stats/leaderboard"])
@pytest.mark.parametrize("period", ["14d", "1y", "30", ""])
def test_an_unknown_period_is_422(client, school, path, period):
    assert client.get(path, headers=school(1), params={"period": period}).status_code == 422


@pytest.mark.parametrize("period", PERIODS)
def test_usage_by_model_and_day(client, school, questions, period):
    days = PERIODS[period]
    body = client.get("/v1/stats/usage", headers=school(1), params={"period": period}).json()
    rows = [q for q in questions(1) if q[0] >= first_day(days)]
    assert list(body) == ["tenantId", "period", "totalTokens", "promptTokens", "completionTokens", "costUsd",
                          "byModel", "byDay"]
    assert body["promptTokens"] == sum(q[5] for q in rows) and body["completionTokens"] == sum(q[6] for q in rows)
    assert body["totalTokens"] == body["promptTokens"] + body["completionTokens"]
    assert body["costUsd"] == pytest.approx(sum(q[7] for q in rows), abs=1e-4)
    models = defaultdict(lambda: [0, 0, 0, 0.0])
    for q in rows:
        entry = models[q[4]]
        entry[0], entry[1], entry[2], entry[3] = entry[0] + 1, entry[1] + q[5], entry[2] + q[6], entry[3] + q[7]
    assert [m["model"] for m in body["byModel"]] == sorted(models)
    for m in body["byModel"]:
        assert [m["questions"], m["promptTokens"], m["completionTokens"]] == models[m["model"]][:3]
        assert m["costUsd"] == pytest.approx(models[m["model"]][3], abs=1e-4)
    assert len(body["byDay"]) == days
    assert sum(d["tokens"] for d in body["byDay"]) == body["totalTokens"]
    assert sum(d["costUsd"] for d in body["byDay"]) == pytest.approx(body["costUsd"], abs=1e-3)


def test_usage_of_a_school_with_one_model(client, school, sql):
    body = client.get("/v1/stats/usage", headers=school(3), params={"period": "90d"}).json()
    assert [m["model"] for m in body["byModel"]] == [row[0] for row in sql(
        "SELECT DISTINCT model FROM question WHERE tenant_id = 3 ORDER BY model")]


@pytest.mark.parametrize("period, limit", [("30d", 10), ("7d", 3), ("90d", 50)])
def test_leaderboard(client, school, sql, questions, period, limit):
    body = client.get("/v1/stats/leaderboard", headers=school(1), params={"period": period, "limit": limit}).json()
    rows = [q for q in questions(1) if q[0] >= first_day(PERIODS[period])]
    per_user = defaultdict(lambda: [0, 0, ""])
    for q in rows:
        per_user[q[2]][0] += 1
        per_user[q[2]][1] += q[5] + q[6]
        per_user[q[2]][2] = max(per_user[q[2]][2], q[1])
    ranking = sorted(per_user.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    people = {row[0]: row[1:] for row in sql("SELECT id, name, email, role FROM user WHERE tenant_id = 1")}
    assert isinstance(body, list) and len(body) == limit
    for rank, (entry, (user, (count, tokens, last))) in enumerate(zip(body, ranking), start=1):
        assert entry == {"rank": rank, "userId": user, "name": people[user][0], "email": people[user][1],
                         "role": people[user][2], "questions": count, "tokens": tokens,
                         "lastActive": last.replace(" ", "T")}


@pytest.mark.parametrize("limit", [0, 51, "ten"])
def test_leaderboard_limit_bounds(client, school, limit):
    assert client.get("/v1/stats/leaderboard", headers=school(1), params={"limit": limit}).status_code == 422


def test_stats_follow_the_data(client, school):
    before = client.get("/v1/stats/overview", headers=school(2)).json()
    top = client.get("/v1/stats/leaderboard", headers=school(2), params={"limit": 1}).json()[0]
    client.delete(f"/v1/users/{top['userId']}", headers=school(2))
    after = client.get("/v1/stats/overview", headers=school(2)).json()
    assert after["users"]["total"] == before["users"]["total"] - 1
    assert after["questions"]["inPeriod"] == before["questions"]["inPeriod"] - top["questions"]
    assert client.get("/v1/stats/leaderboard", headers=school(2), params={"limit": 1}).json()[0]["userId"] != \
        top["userId"]
