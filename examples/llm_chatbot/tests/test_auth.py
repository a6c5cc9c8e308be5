"""Admin Bearer tokens and the provisioning service token: 401, 403 and 422 exactly as the contract says."""

from __future__ import annotations

import pytest

YONSEI, POSTECH, PUSAN = "yonsei_university_201", "postech_202", "pusan_national_university_203"
UNAUTHORIZED = {"detail": "Invalid or missing token"}
FOREIGN = {"detail": "Token does not belong to this tenant"}
ADMIN_ROUTES = [
    ("GET", "/admin/dashboard"), ("GET", "/admin/dashboard/costs"), ("GET", "/admin/dashboard/usage-patterns"),
    ("GET", "/admin/dashboard/top-users"), ("GET", "/admin/dashboard/top_users"), ("GET", "/admin/users"),
    ("POST", "/admin/users"), ("GET", "/admin/users/1"), ("PUT", "/admin/users/1"), ("DELETE", "/admin/users/1"),
    ("POST", "/admin/users/1/suspend"), ("POST", "/admin/users/1/activate"), ("GET", "/admin/settings"),
    ("PUT", "/admin/settings"),
]


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "lcb_raw"])
def test_missing_or_invalid_token_is_401(client, method, path, authorization):
    headers = {"X-Tenant-ID": YONSEI}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.request(method, path, headers=headers, json={})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_token_of_another_tenant_is_403(client, creds, sql, method, path):
    headers = {"Authorization": f"Bearer {creds[POSTECH]['admin_token']}", "X-Tenant-ID": YONSEI}
    before = sql("SELECT COUNT(*), SUM(is_active) FROM users")
    response = client.request(method, path, headers=headers, json={"username": "intruder", "password": "x" * 10,
                                                                   "email": "i@x.kr"})
    assert (response.status_code, response.json()) == (403, FOREIGN)
    assert sql("SELECT COUNT(*), SUM(is_active) FROM users") == before


def test_unknown_tenant_header_with_a_valid_token_is_403(client, creds):
    headers = {"Authorization": f"Bearer {creds[YONSEI]['admin_token']}", "X-Tenant-ID": "no_such_tenant_9"}
    response = client.get("/admin/dashboard", headers=headers)
    assert (response.status_code, response.json()) == (403, FOREIGN)


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_missing_tenant_header_is_422(client, creds, method, path):
    headers = {"Authorization": f"Bearer {creds[YONSEI]['admin_token']}"}
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 422
    assert {"loc": ["header", "X-Tenant-ID"], "type": "missing"}.items() <= response.json()["detail"][0].items()


@pytest.mark.parametrize("tenant", [YONSEI, POSTECH, PUSAN])
def test_every_seeded_admin_token_works_for_its_tenant(client, admin, tenant):
    assert client.get("/admin/users", headers=admin(tenant)).status_code == 200


def test_non_admin_and_demoted_admin_tokens_are_401(client, admin, db_path):
    import sqlite3

    from llm_chatbot.security import hash_token
    from llm_chatbot.seed import admin_token

    # A token row for a plain user does not make them an admin.
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO api_tokens VALUES (?, ?, 10)", (hash_token("lcb_user_token"), YONSEI))
    plain = {"Authorization": "Bearer lcb_user_token", "X-Tenant-ID": YONSEI}
    assert client.get("/admin/users", headers=plain).status_code == 401

    second = {"Authorization": f"Bearer {admin_token(YONSEI, 2)}", "X-Tenant-ID": YONSEI}
    assert client.put("/admin/users/2", json={"role": "user"}, headers=admin(YONSEI)).status_code == 200
    assert (client.get("/admin/users", headers=second).json()) == UNAUTHORIZED


PROVISION = {"university_name": "Test University", "application_id": 77, "admin_email": "t@test.ac.kr",
             "admin_name": "Tester"}


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Bearer ", "svc-dev-3b9d7e", "Basic c3ZjOnN2Yw=="])
def test_provisioning_needs_the_service_token(client, sql, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/api/marketplace/demo/provision", json=PROVISION, headers=headers)
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid service token"})
    assert sql("SELECT COUNT(*) FROM tenants") == [(3,)]


def test_admin_token_is_not_a_service_token(client, creds):
    headers = {"Authorization": f"Bearer {creds[YONSEI]['admin_token']}"}
    assert client.post("/api/marketplace/demo/provision", json=PROVISION, headers=headers).status_code == 401


def test_service_token_comes_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("LLM_CHATBOT_SERVICE_TOKEN", "svc-prod-rotated")
    default = client.post("/api/marketplace/demo/provision", json=PROVISION,
                          headers={"Authorization": "Bearer svc-dev-3b9d7e"})
    assert default.status_code == 401
    rotated = client.post("/api/marketplace/demo/provision", json=PROVISION,
                          headers={"Authorization": "Bearer svc-prod-rotated"})
    assert rotated.status_code == 200
