"""User management: listing, search, detail, create, update, delete, deactivate/activate."""

from __future__ import annotations

import pytest

API = "/api/v1"
USERS = f"{API}/admin/users"
USER_FIELDS = {"id", "username", "email", "full_name", "is_admin", "is_active", "created_at", "last_login_at"}
NEW_USER = {"username": "new.student", "email": "New.Student@Hanul.ac.kr", "password": "a-good-password",
            "full_name": "신입생"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_list_is_ordered_by_id_with_the_total(client, admin, scalar):
    body = client.get(USERS, headers=admin).json()
    assert set(body) == {"items", "total", "skip", "limit"}
    assert body["total"] == scalar("SELECT COUNT(*) FROM users") == 260
    assert (body["skip"], body["limit"]) == (0, 50)
    assert [user["id"] for user in body["items"]] == list(range(1, 51))
    assert all(set(user) == USER_FIELDS for user in body["items"])


def test_skip_and_limit_page_through_everyone(client, admin, sql):
    seen = []
    for skip in range(0, 300, 70):
        page = client.get(USERS, headers=admin, params={"skip": skip, "limit": 70}).json()
        seen += [user["id"] for user in page["items"]]
    assert seen == [row[0] for row in sql("SELECT id FROM users ORDER BY id")]


@pytest.mark.parametrize("params", [{"skip": -1}, {"limit": 0}, {"limit": 201}, {"skip": "x"},
                                    {"is_active": "maybe"}, {"search": "x" * 101}])
def test_bad_paging_and_filters_are_422(client, admin, params):
    assert client.get(USERS, headers=admin, params=params).status_code == 422


@pytest.mark.parametrize("search", ["park", "PARK", "LEE@HANUL", "박", "jiwoo.p"])
def test_search_matches_username_email_and_name_case_insensitively(client, admin, sql, search):
    body = client.get(USERS, headers=admin, params={"search": search, "limit": 200}).json()
    needle = search.lower()
    expected = [row[0] for row in sql("SELECT id, username, email, full_name FROM users ORDER BY id")
                if any(needle in (value or "").lower() for value in row[1:])]
    assert [user["id"] for user in body["items"]] == expected and body["total"] == len(expected)
    assert expected


@pytest.mark.parametrize("search", ["%", "_", "\\"])
def test_like_wildcards_are_literal(client, admin, search):
    body = client.get(USERS, headers=admin, params={"search": search}).json()
    assert body["total"] == 0 and body["items"] == []


def test_is_active_filter(client, admin, scalar):
    inactive = client.get(USERS, headers=admin, params={"is_active": False, "limit": 200}).json()
    assert inactive["total"] == scalar("SELECT COUNT(*) FROM users WHERE is_active = 0") > 0
    assert all(not user["is_active"] for user in inactive["items"])


def test_detail_counts_match_sql(client, admin, scalar):
    from mentor.pricing import PRICE_PER_MILLION

    body = client.get(f"{USERS}/2", headers=admin).json()
    assert set(body) == USER_FIELDS | {"conversation_count", "message_count", "total_tokens", "total_cost"}
    assert body["conversation_count"] == scalar("SELECT COUNT(*) FROM conversations WHERE user_id = 2") > 0
    assert body["message_count"] == scalar("SELECT COUNT(*) FROM messages WHERE user_id = 2")
    assert body["total_tokens"] == scalar("SELECT SUM(prompt_tokens + completion_tokens) FROM messages"
                                          " WHERE user_id = 2")
    rows = scalar("SELECT group_concat(model || ':' || prompt_tokens || ':' || completion_tokens) FROM messages"
                  " WHERE user_id = 2 AND role = 'assistant'").split(",")
    cost = 0.0
    for row in rows:
        model, prompt, completion = row.split(":")
        cost += (int(prompt) * PRICE_PER_MILLION[model][0] + int(completion) * PRICE_PER_MILLION[model][1]) / 1e6
    assert body["total_cost"] == pytest.approx(cost, abs=1e-4)
    assert body["created_at"] == "2026-01-26T18:00:00"


def test_detail_of_a_user_who_never_chatted(client, admin, sql):
    (silent,), = sql("SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM messages) ORDER BY id LIMIT 1")
    body = client.get(f"{USERS}/{silent}", headers=admin).json()
    assert (body["conversation_count"], body["message_count"], body["total_tokens"], body["total_cost"]) == (0, 0, 0, 0)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_user_is_404(client, admin, method):
    response = client.request(method, f"{USERS}/9999", headers=admin, json={})
    assert response.status_code == 404 and response.json() == {"detail": "User not found"}


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_unknown_user_is_404_on_actions(client, admin, action):
    response = client.post(f"{USERS}/9999/{action}", headers=admin)
    assert response.status_code == 404 and response.json() == {"detail": "User not found"}


def test_a_non_integer_id_is_422(client, admin):
    assert client.get(f"{USERS}/abc", headers=admin).status_code == 422


def test_create_normalises_stores_a_hash_and_answers_201(client, admin, sql):
    response = client.post(USERS, headers=admin, json=NEW_USER)
    assert response.status_code == 201
    body = response.json()
    assert body == {"id": 261, "username": "new.student", "email": "new.student@hanul.ac.kr", "full_name": "신입생",
                    "is_admin": False, "is_active": True, "created_at": "2026-11-20T15:00:00", "last_login_at": None}
    (stored,), = sql("SELECT hashed_password FROM users WHERE id = 261")
    assert stored.startswith("pbkdf2_sha256$120000$") and NEW_USER["password"] not in stored
    login = client.post(f"{API}/auth/login", json={"username": "new.student", "password": NEW_USER["password"]})
    assert login.status_code == 200


def test_create_an_admin(client, admin):
    body = client.post(USERS, headers=admin, json={**NEW_USER, "is_admin": True}).json()
    login = client.post(f"{API}/auth/login", json={"username": "new.student", "password": NEW_USER["password"]})
    assert body["is_admin"] is True
    assert client.get(f"{API}/admin/dashboard", headers=bearer(login.json()["access_token"])).status_code == 200


@pytest.mark.parametrize("clash, detail", [({"username": "JIWOO.PARK"}, "Username already registered"),
                                           ({"email": "admin@hanul.ac.kr"}, "Email already registered")])
def test_create_duplicates_are_409(client, admin, scalar, clash, detail):
    response = client.post(USERS, headers=admin, json={**NEW_USER, **clash})
    assert response.status_code == 409 and response.json() == {"detail": detail}
    assert scalar("SELECT COUNT(*) FROM users") == 260


@pytest.mark.parametrize("change", [{"username": "ab"}, {"username": "has space"}, {"username": "x" * 33},
                                    {"email": "not-an-email"}, {"password": "short"}, {"full_name": "n" * 101},
                                    {"is_admin": "sometimes"}])
def test_create_invalid_is_422(client, admin, change):
    assert client.post(USERS, headers=admin, json={**NEW_USER, **change}).status_code == 422


@pytest.mark.parametrize("missing", ["username", "email", "password"])
def test_create_missing_field_is_422(client, admin, missing):
    body = {key: value for key, value in NEW_USER.items() if key != missing}
    assert client.post(USERS, headers=admin, json=body).status_code == 422


def test_update_is_partial(client, admin, sql):
    before = client.get(f"{USERS}/5", headers=admin).json()
    response = client.put(f"{USERS}/5", headers=admin, json={"full_name": "새 이름"})
    assert response.status_code == 200
    after = response.json()
    assert after == {**{key: before[key] for key in after}, "full_name": "새 이름"}
    assert sql("SELECT full_name FROM users WHERE id = 5") == [("새 이름",)]


def test_update_email_and_password(client, admin, creds):
    response = client.put(f"{USERS}/2", headers=admin, json={"email": "JP@Hanul.ac.kr", "password": "brand-new-pw"})
    assert response.status_code == 200 and response.json()["email"] == "jp@hanul.ac.kr"
    old = client.post(f"{API}/auth/login", json={"username": "jiwoo.park", "password": creds["student"]["password"]})
    new = client.post(f"{API}/auth/login", json={"username": "jiwoo.park", "password": "brand-new-pw"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_update_to_a_taken_email_is_409_but_own_email_is_fine(client, admin):
    clash = client.put(f"{USERS}/2", headers=admin, json={"email": "admin@hanul.ac.kr"})
    assert clash.status_code == 409 and clash.json() == {"detail": "Email already registered"}
    assert client.put(f"{USERS}/2", headers=admin, json={"email": "jiwoo.park@hanul.ac.kr"}).status_code == 200


@pytest.mark.parametrize("body", [{"email": None}, {"is_active": None}, {"email": "nope"}, {"password": "short"},
                                  {"is_admin": []}])
def test_update_invalid_is_422(client, admin, body):
    assert client.put(f"{USERS}/2", headers=admin, json=body).status_code == 422


def test_delete_removes_the_user_and_their_history(client, admin, scalar):
    assert scalar("SELECT COUNT(*) FROM messages WHERE user_id = 2") > 0
    response = client.delete(f"{USERS}/2", headers=admin)
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"{USERS}/2", headers=admin).status_code == 404
    assert scalar("SELECT COUNT(*) FROM conversations WHERE user_id = 2") == 0
    assert scalar("SELECT COUNT(*) FROM messages WHERE user_id = 2") == 0
    assert scalar("SELECT COUNT(*) FROM messages WHERE conversation_id NOT IN (SELECT id FROM conversations)") == 0


def test_an_admin_cannot_delete_or_deactivate_themselves(client, admin, scalar):
    delete = client.delete(f"{USERS}/1", headers=admin)
    deactivate = client.post(f"{USERS}/1/deactivate", headers=admin)
    assert delete.status_code == 400 and delete.json() == {"detail": "You cannot delete your own account"}
    assert deactivate.status_code == 400 and deactivate.json() == {"detail": "You cannot deactivate your own account"}
    assert scalar("SELECT is_active FROM users WHERE id = 1") == 1


def test_deactivate_and_activate(client, admin, scalar):
    off = client.post(f"{USERS}/2/deactivate", headers=admin)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert scalar("SELECT is_active FROM users WHERE id = 2") == 0
    again = client.post(f"{USERS}/2/deactivate", headers=admin)  # idempotent
    assert again.status_code == 200 and again.json()["is_active"] is False
    on = client.post(f"{USERS}/2/activate", headers=admin)
    assert on.status_code == 200 and on.json()["is_active"] is True
    assert scalar("SELECT is_active FROM users WHERE id = 2") == 1


def test_no_answer_ever_holds_a_password_hash(client, admin):
    texts = [client.get(USERS, headers=admin).text, client.get(f"{USERS}/2", headers=admin).text,
             client.post(USERS, headers=admin, json=NEW_USER).text, client.get(f"{API}/auth/me", headers=admin).text]
    assert not any("pbkdf2" in text or "hashed_password" in text for text in texts)
