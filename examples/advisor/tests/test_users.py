"""/admin/users family: listing, paging, search, create (single and bulk), get, update, delete, suspend/activate."""

from __future__ import annotations

import re

import pytest

SEOUL = "seoul_national_university_101"
USER_KEYS = {"id", "username", "display_name", "email", "is_active", "created_at", "last_login", "monthly_cost_usd",
             "role"}
NEW_USER = {
    "username": "new.student", "password": "s3cret-pass", "display_name": "새학생", "email": "new.student@snu.ac.kr",
}


def test_list_first_page(client, admin_headers, scalar):
    response = client.get("/admin/users", headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"users", "total", "page", "limit"}
    assert (body["page"], body["limit"]) == (1, 20)
    assert body["total"] == scalar("SELECT COUNT(*) FROM users")
    assert [u["id"] for u in body["users"]] == list(range(1, 21))
    assert all(set(u) == USER_KEYS for u in body["users"])
    assert all(u["role"] in ("admin", "user") for u in body["users"])
    assert "password" not in response.text
    assert not re.search(r"[0-9a-f]{32}", response.text)  # no hash, salted or not


def test_list_values_match_the_data(client, admin_headers, tenant_db):
    user = client.get("/admin/users?limit=100", headers=admin_headers()).json()["users"][1]
    row = tenant_db(SEOUL).execute("SELECT * FROM users WHERE id = ?", (user["id"],)).fetchone()
    assert user["username"] == row["username"] and user["email"] == row["email"]
    assert user["is_active"] is bool(row["is_active"])
    assert user["created_at"] == row["created_at"] and user["last_login"] == row["last_login"]
    month = tenant_db(SEOUL).execute(
        "SELECT model, SUM(input_tokens), SUM(output_tokens) FROM messages"
        " WHERE user_id = ? AND created_at >= '2026-11-01T00:00:00' GROUP BY model",
        (user["id"],),
    ).fetchall()
    from advisor.pricing import PRICES

    expected = sum(i / 1000 * PRICES[m][0] + o / 1000 * PRICES[m][1] for m, i, o in month)
    assert user["monthly_cost_usd"] == round(expected, 4) and expected > 0


def test_users_who_never_logged_in_have_null_last_login(client, admin_headers, scalar):
    never = scalar("SELECT COUNT(*) FROM users WHERE last_login IS NULL")
    assert never > 0
    users = []
    for page in (1, 2):
        users += client.get(f"/admin/users?limit=100&page={page}", headers=admin_headers()).json()["users"]
    assert sum(u["last_login"] is None for u in users) == never


def test_pagination_last_page_and_beyond(client, admin_headers, scalar):
    total = scalar("SELECT COUNT(*) FROM users")
    limit = 50
    last = -(-total // limit)
    body = client.get(f"/admin/users?page={last}&limit={limit}", headers=admin_headers()).json()
    assert len(body["users"]) == total - (last - 1) * limit
    assert body["users"][-1]["id"] == scalar("SELECT MAX(id) FROM users")
    assert (body["page"], body["limit"], body["total"]) == (last, limit, total)
    beyond = client.get(f"/admin/users?page={last + 1}&limit={limit}", headers=admin_headers()).json()
    assert beyond["users"] == [] and beyond["total"] == total
    huge = client.get("/admin/users?page=9223372036854775807&limit=100", headers=admin_headers())
    assert huge.status_code == 200 and huge.json()["users"] == []


def test_pages_do_not_overlap(client, admin_headers):
    first = client.get("/admin/users?page=1&limit=7", headers=admin_headers()).json()["users"]
    second = client.get("/admin/users?page=2&limit=7", headers=admin_headers()).json()["users"]
    assert [u["id"] for u in first + second] == list(range(1, 15))


@pytest.mark.parametrize("query", ["page=0", "page=-1", "limit=0", "limit=101", "page=abc", "limit=2.5",
                                   "search=" + "x" * 101])
def test_bad_list_parameters_are_422(client, admin_headers, query):
    assert client.get(f"/admin/users?{query}", headers=admin_headers()).status_code == 422


def test_search_is_case_insensitive_over_username_name_and_email(client, admin_headers, scalar):
    expected = scalar(
        "SELECT COUNT(*) FROM users WHERE lower(username) LIKE '%kim%' OR lower(display_name) LIKE '%kim%'"
        " OR lower(email) LIKE '%kim%'"
    )
    assert expected > 0
    for term in ("kim", "KIM", "Kim"):
        body = client.get(f"/admin/users?search={term}&limit=100", headers=admin_headers()).json()
        assert body["total"] == expected
        assert all("kim" in (u["username"] + u["display_name"] + u["email"]).lower() for u in body["users"])
    hangul = client.get("/admin/users", params={"search": "김", "limit": 100}, headers=admin_headers()).json()
    assert hangul["total"] == scalar("SELECT COUNT(*) FROM users WHERE display_name LIKE '%김%'") > 0
    by_domain = client.get("/admin/users?search=SNU.AC.KR", headers=admin_headers()).json()
    assert by_domain["total"] == scalar("SELECT COUNT(*) FROM users")


def test_search_treats_wildcards_literally(client, admin_headers):
    assert client.get("/admin/users?search=%25", headers=admin_headers()).json()["total"] == 0
    underscore = client.get("/admin/users?search=_", headers=admin_headers()).json()
    assert [u["username"] for u in underscore["users"]] == ["ai_admin"]
    assert client.get("/admin/users?search=", headers=admin_headers()).json()["total"] > 100


def test_create_user(client, admin_headers, tenant_db):
    response = client.post("/admin/users", json=NEW_USER, headers=admin_headers())
    assert response.status_code == 200
    user = response.json()
    assert set(user) == USER_KEYS
    assert user["username"] == "new.student" and user["display_name"] == "새학생"
    assert user["role"] == "user" and user["is_active"] is True
    assert user["created_at"] == "2026-11-20T15:00:00" and user["last_login"] is None
    assert user["monthly_cost_usd"] == 0
    assert "password" not in response.text
    listed = client.get("/admin/users?search=new.student", headers=admin_headers()).json()
    assert [u["id"] for u in listed["users"]] == [user["id"]]
    assert client.get(f"/admin/users/{user['id']}", headers=admin_headers()).status_code == 200
    stored = tenant_db(SEOUL).execute("SELECT password_hash FROM users WHERE id = ?", (user["id"],)).fetchone()[0]
    assert NEW_USER["password"] not in stored


def test_create_user_defaults_display_name_to_username(client, admin_headers):
    body = {"username": "plain", "password": "12345678", "email": "plain@snu.ac.kr"}
    assert client.post("/admin/users", json=body, headers=admin_headers()).json()["display_name"] == "plain"


def test_create_user_conflicts_are_409(client, admin_headers):
    assert client.post("/admin/users", json=NEW_USER, headers=admin_headers()).status_code == 200
    again = client.post("/admin/users", json=NEW_USER, headers=admin_headers())
    assert again.status_code == 409 and again.json() == {"detail": "Username already exists"}
    same_email = dict(NEW_USER, username="other.name", email="NEW.Student@SNU.ac.kr")
    conflict = client.post("/admin/users", json=same_email, headers=admin_headers())
    assert conflict.status_code == 409 and conflict.json() == {"detail": "Email already exists"}


@pytest.mark.parametrize(
    "body",
    [
        {k: v for k, v in NEW_USER.items() if k != "email"},
        {k: v for k, v in NEW_USER.items() if k != "password"},
        dict(NEW_USER, username="ab"),
        dict(NEW_USER, username="Has.Upper"),
        dict(NEW_USER, username="with space"),
        dict(NEW_USER, username="x" * 51),
        dict(NEW_USER, password="short"),
        dict(NEW_USER, email="not-an-email"),
        dict(NEW_USER, username=12345),
        dict(NEW_USER, display_name=""),
        [NEW_USER],
        "just a string",
    ],
)
def test_create_user_bad_body_is_422(client, admin_headers, body):
    assert client.post("/admin/users", json=body, headers=admin_headers()).status_code == 422


def test_malformed_json_is_422(client, admin_headers):
    headers = dict(admin_headers(), **{"Content-Type": "application/json"})
    for raw in (b'{"username": "abc", ', b"", b"\xff\xfe", b"null"):
        response = client.post("/admin/users", content=raw, headers=headers)
        assert response.status_code == 422, raw


def test_bulk_create_reports_per_user_errors(client, admin_headers, scalar):
    before = scalar("SELECT COUNT(*) FROM users")
    batch = [
        {"username": "bulk.one", "password": "password1", "email": "bulk.one@snu.ac.kr"},
        {"username": "ai_admin", "password": "password2", "email": "dupe@snu.ac.kr"},
        {"username": "bulk.two", "password": "password3", "email": "bulk.two@snu.ac.kr", "display_name": "둘"},
        {"username": "bulk.three", "password": "password4", "email": "BULK.ONE@snu.ac.kr"},
    ]
    response = client.post("/admin/users/bulk", json=batch, headers=admin_headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"created", "users", "errors"}
    assert body["created"] == 2 == len(body["users"])
    assert [u["username"] for u in body["users"]] == ["bulk.one", "bulk.two"]
    assert all(set(u) == USER_KEYS for u in body["users"])
    assert body["errors"] == [
        {"username": "ai_admin", "detail": "Username already exists"},
        {"username": "bulk.three", "detail": "Email already exists"},
    ]
    assert scalar("SELECT COUNT(*) FROM users") == before + 2


def test_bulk_create_validates_the_whole_body(client, admin_headers, scalar):
    before = scalar("SELECT COUNT(*) FROM users")
    bad = [{"username": "fine.user", "password": "password1", "email": "fine@snu.ac.kr"}, {"username": "x"}]
    assert client.post("/admin/users/bulk", json=bad, headers=admin_headers()).status_code == 422
    assert client.post("/admin/users/bulk", json=NEW_USER, headers=admin_headers()).status_code == 422
    assert scalar("SELECT COUNT(*) FROM users") == before
    empty = client.post("/admin/users/bulk", json=[], headers=admin_headers())
    assert empty.status_code == 200 and empty.json() == {"created": 0, "users": [], "errors": []}


def test_get_user_with_all_time_stats(client, admin_headers, scalar):
    user_id = scalar("SELECT user_id FROM messages GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1")
    response = client.get(f"/admin/users/{user_id}", headers=admin_headers())
    assert response.status_code == 200
    user = response.json()
    assert set(user) == USER_KEYS | {"stats"}
    assert user["stats"] == {
        "sessions": scalar("SELECT COUNT(*) FROM sessions WHERE user_id = ?", user_id),
        "messages": scalar("SELECT COUNT(*) FROM messages WHERE user_id = ?", user_id),
        "tokens": scalar("SELECT SUM(input_tokens + output_tokens) FROM messages WHERE user_id = ?", user_id),
    }
    assert user["stats"]["messages"] > 0


@pytest.mark.parametrize("user_id", ["99999", "0", "-3", str(2**63), str(2**70)])
def test_unknown_user_is_404(client, admin_headers, user_id):
    for method, suffix in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/suspend"), ("POST", "/activate")):
        kwargs = {"json": {"display_name": "x"}} if method == "PUT" else {}
        response = client.request(method, f"/admin/users/{user_id}{suffix}", headers=admin_headers(), **kwargs)
        assert response.status_code == 404, (method, suffix)
        assert response.json() == {"detail": "User not found"}


def test_non_integer_user_id_is_422(client, admin_headers):
    assert client.get("/admin/users/abc", headers=admin_headers()).status_code == 422
    assert client.delete("/admin/users/1.5", headers=admin_headers()).status_code == 422


def test_update_user(client, admin_headers):
    change = {"display_name": "바뀐이름", "email": "changed@snu.ac.kr", "role": "admin", "is_active": False}
    response = client.put("/admin/users/5", json=change, headers=admin_headers())
    assert response.status_code == 200
    user = response.json()
    assert set(user) == USER_KEYS
    assert {k: user[k] for k in change} == change
    stored = client.get("/admin/users/5", headers=admin_headers()).json()
    assert {k: stored[k] for k in change} == change
    admins = client.get("/admin/admins", headers=admin_headers()).json()["admins"]
    assert 5 in [a["id"] for a in admins]


def test_partial_and_empty_updates(client, admin_headers):
    before = client.get("/admin/users/6", headers=admin_headers()).json()
    unchanged = client.put("/admin/users/6", json={}, headers=admin_headers())
    assert unchanged.status_code == 200
    assert unchanged.json() == {k: v for k, v in before.items() if k != "stats"}
    renamed = client.put(
        "/admin/users/6", json={"display_name": "새이름", "email": None}, headers=admin_headers()
    ).json()
    assert renamed["display_name"] == "새이름" and renamed["email"] == before["email"]


def test_update_conflicts_and_bad_values(client, admin_headers):
    other_email = client.get("/admin/users/7", headers=admin_headers()).json()["email"]
    conflict = client.put("/admin/users/6", json={"email": other_email.upper()}, headers=admin_headers())
    assert conflict.status_code == 409 and conflict.json() == {"detail": "Email already exists"}
    own = client.get("/admin/users/6", headers=admin_headers()).json()["email"]
    assert client.put("/admin/users/6", json={"email": own}, headers=admin_headers()).status_code == 200
    for bad in ({"role": "superuser"}, {"email": "nope"}, {"is_active": "maybe"}, {"display_name": ""}, [1]):
        assert client.put("/admin/users/6", json=bad, headers=admin_headers()).status_code == 422, bad


def test_delete_user_removes_the_user_and_their_history(client, admin_headers, scalar):
    user_id = scalar("SELECT user_id FROM messages GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1")
    their_messages = scalar("SELECT COUNT(*) FROM messages WHERE user_id = ?", user_id)
    total = client.get("/admin/dashboard", headers=admin_headers()).json()["usage"]["total_messages"]
    response = client.delete(f"/admin/users/{user_id}", headers=admin_headers())
    assert response.status_code == 200
    assert response.json() == {"message": "User deleted", "user_id": user_id}
    assert client.get(f"/admin/users/{user_id}", headers=admin_headers()).status_code == 404
    assert client.delete(f"/admin/users/{user_id}", headers=admin_headers()).status_code == 404
    assert scalar("SELECT COUNT(*) FROM messages WHERE user_id = ?", user_id) == 0
    after = client.get("/admin/dashboard", headers=admin_headers()).json()["usage"]["total_messages"]
    assert after == total - their_messages


def test_suspend_and_activate(client, admin_headers):
    active_before = client.get("/admin/dashboard", headers=admin_headers()).json()["users"]["active"]
    suspended = client.post("/admin/users/8/suspend", headers=admin_headers())
    assert suspended.status_code == 200
    assert suspended.json() == {"message": "User suspended", "user_id": 8}
    assert client.get("/admin/users/8", headers=admin_headers()).json()["is_active"] is False
    assert client.get("/admin/dashboard", headers=admin_headers()).json()["users"]["active"] == active_before - 1
    # suspending twice is harmless
    assert client.post("/admin/users/8/suspend", headers=admin_headers()).status_code == 200
    activated = client.post("/admin/users/8/activate", headers=admin_headers())
    assert activated.json() == {"message": "User activated", "user_id": 8}
    assert client.get("/admin/users/8", headers=admin_headers()).json()["is_active"] is True
    assert client.get("/admin/dashboard", headers=admin_headers()).json()["users"]["active"] == active_before


def test_users_are_scoped_to_their_tenant(client, admin_headers, scalar):
    korea = "korea_university_103"
    assert client.post("/admin/users", json=NEW_USER, headers=admin_headers(korea)).status_code == 200
    # invisible in Seoul, and its username and e-mail are still free there
    assert client.get("/admin/users?search=new.student", headers=admin_headers()).json()["total"] == 0
    assert client.post("/admin/users", json=NEW_USER, headers=admin_headers()).status_code == 200
    korea_users = client.get("/admin/users?limit=100&page=2", headers=admin_headers(korea)).json()
    assert korea_users["total"] == scalar("SELECT COUNT(*) FROM users", tenant_id=korea)
    assert all(u["email"].endswith("@korea.ac.kr") for u in korea_users["users"][:-1])
