"""Bearer JWT authentication, the admin check, and sign-in."""

from __future__ import annotations

import pytest

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN_ROUTES = [
    ("GET", f"{API}/admin/dashboard"),
    ("GET", f"{API}/admin/usage/costs"),
    ("GET", f"{API}/admin/users"),
    ("POST", f"{API}/admin/users"),
    ("GET", f"{API}/admin/users/2"),
    ("PUT", f"{API}/admin/users/2"),
    ("DELETE", f"{API}/admin/users/2"),
    ("POST", f"{API}/admin/users/2/deactivate"),
    ("POST", f"{API}/admin/users/2/activate"),
]
UNAUTHORIZED = {"detail": "Not authenticated"}


@pytest.mark.parametrize("method, path", ADMIN_ROUTES + [("GET", f"{API}/auth/me"), ("GET", f"{API}/conversations")])
def test_no_token_is_401_with_a_bearer_challenge(client, method, path):
    response = client.request(method, path, json={})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method, path", ADMIN_ROUTES)
def test_a_student_token_is_403_on_admin_routes(client, student, sql, method, path):
    before = sql("SELECT id, email, is_active FROM users ORDER BY id")
    response = client.request(method, path, headers=student, json={"full_name": "x"})
    assert response.status_code == 403 and response.json() == {"detail": "Not enough privileges"}
    assert sql("SELECT id, email, is_active FROM users ORDER BY id") == before  # nothing happened


@pytest.mark.parametrize("header", ["Basic YWRtaW46cGFzcw==", "Bearer", "Bearer ", "Token abc", "bearer"])
def test_other_schemes_and_empty_tokens_are_401(client, header):
    response = client.get(f"{API}/auth/me", headers={"Authorization": header})
    assert response.status_code == 401 and response.json() == UNAUTHORIZED


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."])
def test_malformed_tokens_are_401(client, token):
    response = client.get(f"{API}/auth/me", headers=bearer(token))
    assert response.status_code == 401 and response.json() == {"detail": "Could not validate credentials"}


def test_a_token_signed_with_another_key_is_401(client, creds):
    response = client.get(f"{API}/admin/dashboard", headers=bearer(creds["forged_token"]))
    assert response.status_code == 401 and response.json() == {"detail": "Could not validate credentials"}


def test_an_expired_token_is_401(client, creds):
    response = client.get(f"{API}/admin/dashboard", headers=bearer(creds["expired_token"]))
    assert response.status_code == 401 and response.json() == {"detail": "Token has expired"}


def test_tokens_die_when_the_secret_changes(client, admin, monkeypatch):
    assert client.get(f"{API}/auth/me", headers=admin).status_code == 200
    monkeypatch.setenv("MENTOR_JWT_SECRET", "a-rotated-secret-of-at-least-32-bytes!")
    assert client.get(f"{API}/auth/me", headers=admin).status_code == 401


def test_the_token_of_a_deleted_user_is_401(client, admin, creds):
    from mentor.core.security import create_access_token

    assert client.delete(f"{API}/admin/users/7", headers=admin).status_code == 204
    response = client.get(f"{API}/auth/me", headers=bearer(create_access_token(7, "gone", False)))
    assert response.status_code == 401 and response.json() == {"detail": "Could not validate credentials"}


def test_a_deactivated_user_is_403(client, admin, student):
    assert client.post(f"{API}/admin/users/2/deactivate", headers=admin).status_code == 200
    response = client.get(f"{API}/auth/me", headers=student)
    assert response.status_code == 403 and response.json() == {"detail": "Inactive user"}


def test_admin_rights_come_from_the_database_not_the_token(client, admin, creds):
    from mentor.core.security import create_access_token

    # user 4 is a seeded admin; demoted, their still-valid token loses its admin rights
    token = bearer(create_access_token(4, "whoever", True))
    assert client.get(f"{API}/admin/users", headers=token).status_code == 200
    assert client.put(f"{API}/admin/users/4", headers=admin, json={"is_admin": False}).status_code == 200
    assert client.get(f"{API}/admin/users", headers=token).status_code == 403
    # and a token that claims admin for a student does not make them one
    assert client.get(f"{API}/admin/users", headers=bearer(create_access_token(2, "x", True))).status_code == 403


def test_me_is_the_current_user_dict(client, student, creds):
    response = client.get(f"{API}/auth/me", headers=student)
    assert response.status_code == 200
    assert response.json() == {"id": 2, "username": "jiwoo.park", "email": "jiwoo.park@hanul.ac.kr",
                               "full_name": "박지우", "is_admin": False, "is_active": True}


def test_login_returns_a_working_token_and_records_the_login(client, creds, scalar):
    account = creds["student"]
    response = client.post(f"{API}/auth/login", json={"username": "Jiwoo.Park", "password": account["password"]})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    me = client.get(f"{API}/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == 2
    assert scalar("SELECT last_login_at FROM users WHERE id = 2") == "2026-11-20 15:00:00.000000"


def test_a_login_token_expires_after_eight_hours(client, creds, monkeypatch):
    token = client.post(f"{API}/auth/login", json={"username": "admin", "password": creds["admin"]["password"]}
                        ).json()["access_token"]
    monkeypatch.setenv("MENTOR_NOW", "2026-11-20T22:59:59")
    assert client.get(f"{API}/auth/me", headers=bearer(token)).status_code == 200
    monkeypatch.setenv("MENTOR_NOW", "2026-11-20T23:00:00")
    assert client.get(f"{API}/auth/me", headers=bearer(token)).json() == {"detail": "Token has expired"}


@pytest.mark.parametrize("username, password", [("admin", "wrong-password"), ("nobody", "whatever1"),
                                                ("jiwoo.park", "")])
def test_login_failures(client, username, password):
    response = client.post(f"{API}/auth/login", json={"username": username, "password": password})
    if password:
        assert response.status_code == 401 and response.json() == {"detail": "Incorrect username or password"}
    else:
        assert response.status_code == 422


def test_login_of_a_deactivated_user_is_403(client, admin, creds):
    client.post(f"{API}/admin/users/2/deactivate", headers=admin)
    response = client.post(f"{API}/auth/login", json={"username": "jiwoo.park",
                                                      "password": creds["student"]["password"]})
    assert response.status_code == 403 and response.json() == {"detail": "Inactive user"}


def test_login_without_a_body_is_422(client):
    assert client.post(f"{API}/auth/login").status_code == 422
    assert client.post(f"{API}/auth/login", json={"username": "admin"}).status_code == 422
