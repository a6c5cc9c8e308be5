"""User management: listing, search, CRUD, suspend/activate, and their effects on the data."""

from __future__ import annotations

import json
import logging

import pytest
from llm_chatbot.pricing import PRICES

NOW = "2026-11-20T15:00:00"
YONSEI, POSTECH = "yonsei_university_201", "postech_202"
USER_KEYS = {"id", "username", "display_name", "email", "is_active", "created_at", "last_login", "monthly_cost_usd",
             "role"}
NEW_USER = {"username": "new.student_1", "password": "correct-horse", "display_name": "신입생",
            "email": "new1@yonsei.ac.kr"}


def test_list_pages_through_all_users_in_id_order(client, admin, sql):
    ids = [row[0] for row in sql("SELECT id FROM users WHERE tenant_id = ? ORDER BY id", YONSEI)]
    seen = []
    page = 1
    while True:
        response = client.get("/admin/users", params={"page": page, "limit": 30}, headers=admin(YONSEI))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"users", "total", "page", "limit"}
        assert (body["total"], body["page"], body["limit"]) == (len(ids), page, 30)
        if not body["users"]:
            break
        assert all(set(user) == USER_KEYS for user in body["users"])
        seen += [user["id"] for user in body["users"]]
        page += 1
    assert seen == ids and page == len(ids) // 30 + 2


def test_list_defaults_and_fields(client, admin, sql):
    body = client.get("/admin/users", headers=admin(YONSEI)).json()
    assert (body["page"], body["limit"], len(body["users"])) == (1, 20, 20)
    first = body["users"][0]
    row, = sql("SELECT id, username, display_name, email, is_active, created_at, last_login, role FROM users"
               " WHERE id = ?", first["id"])
    assert (first["id"], first["username"], first["display_name"], first["email"], first["is_active"],
            first["created_at"], first["last_login"], first["role"]) == (*row[:4], bool(row[4]), *row[5:])
    assert "password" not in json.dumps(body) and "pbkdf2" not in json.dumps(body)
    assert {user["role"] for user in body["users"]} == {"admin", "user"}


def test_monthly_cost_is_this_calendar_months_spend(client, admin, sql):
    cases = " ".join(f"WHEN '{m}' THEN input_tokens * {p.input_per_1k} / 1000.0 + output_tokens * {p.output_per_1k}"
                     " / 1000.0" for m, p in PRICES.items())
    expected = dict(sql(f"SELECT user_id, SUM(CASE model {cases} END) FROM messages WHERE tenant_id = ?"
                        " AND created_at >= '2026-11-01T00:00:00' GROUP BY user_id", YONSEI))
    users = client.get("/admin/users", params={"limit": 100}, headers=admin(YONSEI)).json()["users"]
    for user in users:
        assert user["monthly_cost_usd"] == pytest.approx(expected.get(user["id"], 0.0), abs=0.00006)
    assert sum(1 for user in users if user["monthly_cost_usd"] > 0) > 30


@pytest.mark.parametrize("term", ["KIM", "김", "s2025", "yonsei.ac.kr", "_", "Admin"])
def test_search_is_case_insensitive_over_username_display_name_and_email(client, admin, sql, term):
    needle = term.lower()
    expected = [
        row[0] for row in sql("SELECT id, username, display_name, email FROM users WHERE tenant_id = ? ORDER BY id",
                              YONSEI)
        if any(needle in str(value).lower() for value in row[1:])
    ]
    response = client.get("/admin/users", params={"search": term, "limit": 100}, headers=admin(YONSEI))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(expected) > 0
    assert [user["id"] for user in body["users"]] == expected[:100]


def test_search_wildcards_are_literal_and_no_match_is_empty(client, admin):
    # "_" as a LIKE wildcard would match everyone; literally only names with an underscore match.
    underscore = client.get("/admin/users", params={"search": "_"}, headers=admin(YONSEI)).json()
    assert underscore["total"] < 140
    empty = client.get("/admin/users", params={"search": "%zzz-nobody%"}, headers=admin(YONSEI)).json()
    assert empty == {"users": [], "total": 0, "page": 1, "limit": 20}


@pytest.mark.parametrize("params", [{"page": 0}, {"limit": 0}, {"limit": 101}, {"page": "two"}, {"search": "x" * 101}])
def test_list_rejects_bad_paging(client, admin, params):
    assert client.get("/admin/users", params=params, headers=admin(YONSEI)).status_code == 422


def test_create_user(client, admin, sql):
    response = client.post("/admin/users", json=NEW_USER, headers=admin(YONSEI))
    assert response.status_code == 201
    user = response.json()
    assert set(user) == USER_KEYS
    assert user | {"id": 0} == {"id": 0, "username": "new.student_1", "display_name": "신입생",
                                 "email": "new1@yonsei.ac.kr", "is_active": True, "created_at": NOW,
                                 "last_login": None, "monthly_cost_usd": 0.0, "role": "user"}
    listed = client.get("/admin/users", params={"search": "new.student_1"}, headers=admin(YONSEI)).json()
    assert listed["total"] == 1 and listed["users"][0] == user
    detail = client.get(f"/admin/users/{user['id']}", headers=admin(YONSEI)).json()
    assert detail == {**user, "stats": {"sessions": 0, "messages": 0, "tokens": 0}}
    (stored,), = sql("SELECT password_hash FROM users WHERE id = ?", user["id"])
    assert stored.startswith("pbkdf2_sha256$") and NEW_USER["password"] not in stored
    # Tenant isolation: the new user is invisible to another tenant.
    assert client.get(f"/admin/users/{user['id']}", headers=admin(POSTECH)).status_code == 404


def test_create_defaults_display_name_to_username(client, admin):
    body = {k: v for k, v in NEW_USER.items() if k != "display_name"}
    assert client.post("/admin/users", json=body, headers=admin(YONSEI)).json()["display_name"] == "new.student_1"


def test_create_duplicates_are_409(client, admin, sql):
    (taken_name, taken_email), = sql("SELECT username, email FROM users WHERE tenant_id = ? AND id = 10", YONSEI)
    response = client.post("/admin/users", json={**NEW_USER, "username": taken_name}, headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (409, {"detail": "Username already exists"})
    response = client.post("/admin/users", json={**NEW_USER, "email": taken_email.upper()}, headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (409, {"detail": "Email already exists"})
    # The same username is free in another tenant.
    response = client.post("/admin/users", json={**NEW_USER, "username": taken_name}, headers=admin(POSTECH))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {**NEW_USER, "username": "ab"},
        {**NEW_USER, "username": "Upper.Case"},
        {**NEW_USER, "username": "has space"},
        {**NEW_USER, "username": "x" * 51},
        {**NEW_USER, "username": 12345},
        {**NEW_USER, "password": "short"},
        {**NEW_USER, "email": "not-an-email"},
        {k: v for k, v in NEW_USER.items() if k != "email"},
        {k: v for k, v in NEW_USER.items() if k != "password"},
        {**NEW_USER, "display_name": ""},
        [NEW_USER],
        "just a string",
    ],
)
def test_create_rejects_bad_bodies(client, admin, body):
    response = client.post("/admin/users", json=body, headers=admin(YONSEI))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_create_rejects_malformed_json(client, admin):
    headers = {**admin(YONSEI), "Content-Type": "application/json"}
    response = client.post("/admin/users", content=b'{"username": "abc", ', headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_plan_user_limit_is_429(client, admin, sql, db_path):
    import sqlite3

    (count,), = sql("SELECT COUNT(*) FROM users WHERE tenant_id = ?", POSTECH)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE tenants SET settings = json_set(settings, '$.max_users', ?) WHERE tenant_id = ?",
                     (count, POSTECH))
    response = client.post("/admin/users", json=NEW_USER, headers=admin(POSTECH))
    assert response.status_code == 429
    assert response.json() == {"detail": f"User limit of the plan reached (max_users={count})"}


def test_get_user_with_all_time_stats(client, admin, sql):
    uid = 4
    (sessions,), = sql("SELECT COUNT(*) FROM conversations WHERE user_id = ?", uid)
    (messages, tokens), = sql("SELECT COUNT(*), SUM(input_tokens + output_tokens) FROM messages WHERE user_id = ?", uid)
    body = client.get(f"/admin/users/{uid}", headers=admin(YONSEI)).json()
    assert set(body) == USER_KEYS | {"stats"}
    assert body["stats"] == {"sessions": sessions, "messages": messages, "tokens": tokens}
    assert messages > 0


@pytest.mark.parametrize("method,suffix,body", [
    ("GET", "", None), ("PUT", "", {"display_name": "x"}), ("DELETE", "", None),
    ("POST", "/suspend", None), ("POST", "/activate", None),
])
@pytest.mark.parametrize("user_id", ["99999", "-1", "0", "145", "9" * 30])
def test_unknown_or_foreign_user_is_404(client, admin, method, suffix, body, user_id):
    # 145 exists, but belongs to POSTECH.
    response = client.request(method, f"/admin/users/{user_id}{suffix}", json=body, headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (404, {"detail": "User not found"})


def test_non_integer_user_id_is_422(client, admin):
    assert client.get("/admin/users/abc", headers=admin(YONSEI)).status_code == 422


def test_update_user(client, admin, sql):
    before = client.get("/admin/users/20", headers=admin(YONSEI)).json()
    before.pop("stats")
    response = client.put("/admin/users/20", json={"display_name": "새 이름", "email": "renamed@yonsei.ac.kr",
                                                   "role": "admin", "is_active": False}, headers=admin(YONSEI))
    assert response.status_code == 200
    after = response.json()
    assert set(after) == USER_KEYS
    assert after == {**before, "display_name": "새 이름", "email": "renamed@yonsei.ac.kr", "role": "admin",
                     "is_active": False}
    detail = client.get("/admin/users/20", headers=admin(YONSEI)).json()
    detail.pop("stats")
    assert detail == after
    assert sql("SELECT display_name, email, role, is_active FROM users WHERE id = 20") == [
        ("새 이름", "renamed@yonsei.ac.kr", "admin", 0)]


def test_update_is_partial_and_empty_body_changes_nothing(client, admin):
    before = client.get("/admin/users/21", headers=admin(YONSEI)).json()
    before.pop("stats")
    assert client.put("/admin/users/21", json={}, headers=admin(YONSEI)).json() == before
    after = client.put("/admin/users/21", json={"display_name": "부분 수정"}, headers=admin(YONSEI)).json()
    assert after == {**before, "display_name": "부분 수정"}


def test_update_conflicts_and_validation(client, admin, sql):
    (taken,), = sql("SELECT email FROM users WHERE id = 30")
    response = client.put("/admin/users/31", json={"email": taken}, headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (409, {"detail": "Email already exists"})
    own = sql("SELECT email FROM users WHERE id = 31")[0][0]
    assert client.put("/admin/users/31", json={"email": own}, headers=admin(YONSEI)).status_code == 200
    for body in ({"role": "superuser"}, {"is_active": "perhaps"}, {"email": "nope"}, {"display_name": ""}):
        assert client.put("/admin/users/31", json=body, headers=admin(YONSEI)).status_code == 422


def test_delete_user_removes_their_data(client, admin, sql):
    uid = 4  # a heavy user
    (messages,), = sql("SELECT COUNT(*) FROM messages WHERE user_id = ?", uid)
    before = client.get("/admin/dashboard", headers=admin(YONSEI)).json()
    response = client.delete(f"/admin/users/{uid}", headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (200, {"message": "User deleted", "user_id": uid})
    assert client.get(f"/admin/users/{uid}", headers=admin(YONSEI)).status_code == 404
    after = client.get("/admin/dashboard", headers=admin(YONSEI)).json()
    assert after["users"]["total"] == before["users"]["total"] - 1
    assert after["usage"]["total_messages"] == before["usage"]["total_messages"] - messages > 0
    assert sql("SELECT COUNT(*) FROM conversations WHERE user_id = ?", uid) == [(0,)]
    assert client.delete(f"/admin/users/{uid}", headers=admin(YONSEI)).status_code == 404


def test_suspend_and_activate(client, admin, sql, caplog):
    uid = 12
    (email,), = sql("SELECT email FROM users WHERE id = ?", uid)
    with caplog.at_level(logging.INFO, logger="llm_chatbot"):
        response = client.post(f"/admin/users/{uid}/suspend", headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (200, {"message": "User suspended", "user_id": uid})
    assert client.get(f"/admin/users/{uid}", headers=admin(YONSEI)).json()["is_active"] is False
    # The notification ran as a background task, logged with a masked address and no credentials.
    notices = [r.getMessage() for r in caplog.records if r.name == "llm_chatbot.services.notifications"]
    assert len(notices) == 1
    assert f"to={email[0]}***@yonsei.ac.kr" in notices[0] and "suspended" in notices[0]
    assert email not in caplog.text and admin(YONSEI)["Authorization"].split()[1] not in caplog.text

    response = client.post(f"/admin/users/{uid}/activate", headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (200, {"message": "User activated", "user_id": uid})
    assert client.get(f"/admin/users/{uid}", headers=admin(YONSEI)).json()["is_active"] is True
    assert sql("SELECT is_active FROM users WHERE id = ?", uid) == [(1,)]


def test_suspended_admin_loses_access(client, admin, creds):
    from llm_chatbot.seed import admin_token

    second = {"Authorization": f"Bearer {admin_token(YONSEI, 2)}", "X-Tenant-ID": YONSEI}
    assert client.get("/admin/users", headers=second).status_code == 200
    client.post("/admin/users/2/suspend", headers=admin(YONSEI))
    response = client.get("/admin/users", headers=second)
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid or missing token"})
    client.post("/admin/users/2/activate", headers=admin(YONSEI))
    assert client.get("/admin/users", headers=second).status_code == 200
