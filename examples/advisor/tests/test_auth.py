"""Authentication of every route family: admin Bearer token + X-Tenant-ID, X-API-Key, X-Marketplace-Key."""

from __future__ import annotations

import pytest

SEOUL = "seoul_national_university_101"
KOREA = "korea_university_103"

ADMIN_ROUTES = [
    ("GET", "/admin/dashboard"),
    ("GET", "/admin/dashboard/costs"),
    ("GET", "/admin/dashboard/usage-patterns"),
    ("GET", "/admin/dashboard/top-users"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/bulk"),
    ("GET", "/admin/users/2"),
    ("PUT", "/admin/users/2"),
    ("DELETE", "/admin/users/2"),
    ("POST", "/admin/users/2/suspend"),
    ("POST", "/admin/users/2/activate"),
    ("GET", "/admin/admins"),
    ("POST", "/admin/admins"),
    ("DELETE", "/admin/admins/2"),
    ("GET", "/admin/data/stats"),
]

INVALID = {"detail": "Invalid or missing token"}


def _body(method: str, path: str):
    if path.endswith("/bulk"):
        return [{"username": "auth.test", "password": "password1", "email": "auth.test@snu.ac.kr"}]
    if method == "POST" and path.endswith(("/users", "/admins")):
        return {"username": "auth.test", "password": "password1", "email": "auth.test@snu.ac.kr"}
    if method == "PUT":
        return {"display_name": "x"}
    return None


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_admin_routes_reject_missing_or_bad_tokens(client, method, path, creds, scalar):
    snapshot = "SELECT COUNT(*) || '/' || SUM(is_active) || '/' || group_concat(display_name || role) FROM users"
    users_before = scalar(snapshot)
    token = creds[SEOUL]["admin_token"]
    for authorization in (None, "", "Bearer", "Bearer ", "Bearer wrong-token", f"Basic {token}", token,
                          f"Bearer {token}x"):
        headers = {"X-Tenant-ID": SEOUL}
        if authorization is not None:
            headers["Authorization"] = authorization
        response = client.request(method, path, headers=headers, json=_body(method, path))
        assert response.status_code == 401, authorization
        assert response.json() == INVALID
    # nothing was changed by the rejected calls
    assert scalar(snapshot) == users_before


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_a_token_of_another_tenant_is_403(client, method, path, admin_headers):
    response = client.request(method, path, headers=admin_headers(SEOUL, token_of=KOREA), json=_body(method, path))
    assert response.status_code == 403
    assert response.json() == {"detail": "Token does not belong to this tenant"}


def test_missing_tenant_header_is_422(client, creds):
    response = client.get("/admin/users", headers={"Authorization": f"Bearer {creds[SEOUL]['admin_token']}"})
    assert response.status_code == 422


def test_unknown_tenant_header_is_403(client, admin_headers):
    for tenant in ("no_such_tenant_1", "../../etc/passwd", "SEOUL_NATIONAL_UNIVERSITY_101"):
        response = client.get("/admin/users", headers=admin_headers(SEOUL) | {"X-Tenant-ID": tenant})
        assert response.status_code == 403


def test_bearer_scheme_is_case_insensitive(client, creds):
    headers = {"Authorization": f"bearer {creds[SEOUL]['admin_token']}", "X-Tenant-ID": SEOUL}
    assert client.get("/admin/data/stats", headers=headers).status_code == 200


def test_a_tenant_cannot_read_another_tenants_users(client, admin_headers):
    korea = client.get("/admin/users?limit=100", headers=admin_headers(KOREA)).json()
    assert korea["users"] and all(u["email"].endswith("@korea.ac.kr") for u in korea["users"])
    assert all("snu.ac.kr" not in u["email"] for u in korea["users"])
    assert client.get("/admin/users?limit=100", headers=admin_headers(SEOUL, token_of=KOREA)).status_code == 403


def test_a_suspended_admin_is_locked_out(client, admin_headers, scalar):
    from advisor.tenant_manager import issue_admin_token

    other = scalar("SELECT id FROM users WHERE role = 'admin' AND id != 1 ORDER BY id LIMIT 1")
    theirs = {"Authorization": f"Bearer {issue_admin_token(SEOUL, other)}", "X-Tenant-ID": SEOUL}
    assert client.get("/admin/data/stats", headers=theirs).status_code == 200
    assert client.post(f"/admin/users/{other}/suspend", headers=admin_headers()).status_code == 200
    assert client.get("/admin/data/stats", headers=theirs).json() == INVALID


@pytest.mark.parametrize("path", ["/api/tenant/list", f"/api/tenant/status/{SEOUL}"])
def test_tenant_api_needs_the_api_key(client, creds, path):
    for headers in ({}, {"X-API-Key": ""}, {"X-API-Key": "wrong"}, {"X-API-Key": creds["marketplace_key"]},
                    {"Authorization": f"Bearer {creds['api_key']}"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, headers
        assert response.json() == {"detail": "Invalid API key"}
    assert client.get(path, headers={"X-API-Key": creds["api_key"]}).status_code == 200


def test_marketplace_needs_the_marketplace_key(client, creds, scalar):
    payload = {
        "application": {"id": 900, "kind": "demo", "contact": "02-000-0000", "reason": "test"},
        "applicant": {"id": 1, "name": "테스트", "email": "auth@example.ac.kr", "university_name": "Auth University"},
        "service": {"id": 18, "slug": "advisor", "title": "Advisor"},
    }
    for headers in ({}, {"X-Marketplace-Key": "wrong"}, {"X-Marketplace-Key": creds["api_key"]},
                    {"X-API-Key": creds["marketplace_key"]}):
        response = client.post("/api/marketplace/demo/request", json=payload, headers=headers)
        assert response.status_code == 401, headers
        assert response.json() == {"detail": "Invalid marketplace key"}
    listed = client.get("/api/tenant/list", headers={"X-API-Key": creds["api_key"]}).json()
    assert "auth_university_900" not in [t["tenant_id"] for t in listed["tenants"]]


def test_keys_come_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("ADVISOR_API_KEY", "rotated-key")
    assert client.get("/api/tenant/list", headers={"X-API-Key": "mt_dev_key_12345"}).status_code == 401
    assert client.get("/api/tenant/list", headers={"X-API-Key": "rotated-key"}).status_code == 200
    monkeypatch.setenv("ADVISOR_API_KEY", "")  # an empty key never matches
    assert client.get("/api/tenant/list", headers={"X-API-Key": ""}).status_code == 401
