"""The tenant object (X-Tenant-ID → TenantContext), the school keys, the platform key, and isolation."""

from __future__ import annotations

import pytest

SCHOOL_ROUTES = [
    ("GET", "/v1/users"),
    ("POST", "/v1/users"),
    ("GET", "/v1/users/3"),
    ("PATCH", "/v1/users/3"),
    ("DELETE", "/v1/users/3"),
    ("GET", "/v1/courses"),
    ("GET", "/v1/stats/overview"),
    ("GET", "/v1/stats/usage"),
    ("GET", "/v1/stats/leaderboard"),
]
PLATFORM_ROUTES = [
    ("GET", "/platform/tenants"),
    ("POST", "/platform/tenants"),
    ("GET", "/platform/tenants/1/status"),
    ("POST", "/platform/tenants/1/deactivate"),
    ("POST", "/platform/tenants/4/reactivate"),
]
BODY = {"email": "probe@hanbit.hs.kr", "name": "probe", "reason": "probe"}


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


@pytest.mark.parametrize("method, path", SCHOOL_ROUTES)
def test_without_x_tenant_id_is_422(client, creds, method, path):
    response = client.request(method, path, headers={"X-API-Key": creds[1]["api_key"]}, json=BODY)
    assert response.status_code == 422
    assert ("header", "X-Tenant-ID") in {tuple(item["loc"]) for item in response.json()["detail"]}


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5"])
def test_a_tenant_id_that_is_not_a_positive_integer_is_422(client, creds, value):
    response = client.get("/v1/users", headers={"X-Tenant-ID": value, "X-API-Key": creds[1]["api_key"]})
    assert response.status_code == 422


@pytest.mark.parametrize("method, path", SCHOOL_ROUTES)
def test_an_unknown_tenant_is_404_before_the_key_is_checked(client, method, path):
    response = client.request(method, path, headers={"X-Tenant-ID": "99"}, json=BODY)
    assert response.status_code == 404 and response.json() == error("tenant_not_found", "Tenant 99 not found")


@pytest.mark.parametrize("method, path", SCHOOL_ROUTES)
def test_a_deactivated_school_is_403(client, school, method, path):
    response = client.request(method, path, headers=school(4), json=BODY)
    assert response.status_code == 403 and response.json() == error("tenant_inactive", "Tenant 4 is deactivated")


@pytest.mark.parametrize("method, path", SCHOOL_ROUTES)
def test_a_missing_key_is_401(client, method, path):
    response = client.request(method, path, headers={"X-Tenant-ID": "1"}, json=BODY)
    assert response.status_code == 401 and response.json() == error("unauthorized", "Missing API key")


@pytest.mark.parametrize("key", ["ck_wrong", "cls-platform-dev-7d41", " "])
def test_a_wrong_key_is_401(client, key):
    response = client.get("/v1/users", headers={"X-Tenant-ID": "1", "X-API-Key": key})
    assert response.status_code == 401
    assert response.json()["error"]["message"] in ("Invalid API key", "Missing API key")


@pytest.mark.parametrize("tenant, key_of", [(1, 2), (2, 1), (3, 4)])
def test_another_schools_key_is_403(client, school, sql, tenant, key_of):
    before = sql("SELECT COUNT(*) FROM user")
    response = client.post("/v1/users", headers=school(tenant, key_of=key_of), json=BODY)
    assert response.status_code == 403
    assert response.json() == error("forbidden", "This API key belongs to another school")
    assert sql("SELECT COUNT(*) FROM user") == before


@pytest.mark.parametrize("method, path", PLATFORM_ROUTES)
def test_platform_routes_need_the_platform_key(client, school, sql, method, path):
    before = sql("SELECT id, status FROM tenant")
    for headers in ({}, {"X-Platform-Key": "wrong"}, school(1)):
        response = client.request(method, path, headers=headers, json=BODY)
        assert response.status_code == 401 and response.json() == error("unauthorized", "Invalid platform key")
    assert sql("SELECT id, status FROM tenant") == before


def test_the_platform_key_follows_the_environment(client, monkeypatch):
    monkeypatch.setenv("CLASSROOM_PLATFORM_KEY", "a-rotated-platform-key")
    assert client.get("/platform/tenants", headers={"X-Platform-Key": "cls-platform-dev-7d41"}).status_code == 401
    assert client.get("/platform/tenants", headers={"X-Platform-Key": "a-rotated-platform-key"}).status_code == 200


def test_tenant_context_carries_the_school(data_dir):
    from classroom.db import get_engine
    from classroom.enums import Plan
    from classroom.errors import TenantInactive, TenantNotFound
    from classroom.tenancy import TenantContext
    from sqlmodel import Session

    with Session(get_engine()) as session:
        tenant = TenantContext(session, 3)
        assert (tenant.tenant_id, tenant.name, tenant.slug, tenant.plan, tenant.seats) == (
            3, "Daehan Coding Academy", "daehan-coding", Plan.basic, 64)
        assert isinstance(tenant.tenant_id, int) and "api_key" not in repr(tenant)
        with pytest.raises(TenantNotFound):
            TenantContext(session, 77)
        with pytest.raises(TenantInactive):
            TenantContext(session, 4)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_user_of_another_school_is_404(client, school, scalar, method):
    other = scalar("SELECT MIN(id) FROM user WHERE tenant_id = 2")
    response = client.request(method, f"/v1/users/{other}", headers=school(1), json={"name": "x"})
    assert response.status_code == 404
    assert response.json() == error("user_not_found", f"User {other} not found")
    assert scalar("SELECT name FROM user WHERE id = ?", other) != "x"


def test_lists_never_mix_schools(client, school, sql):
    for tenant in (1, 2, 3):
        ids = [user["id"] for user in client.get("/v1/users", headers=school(tenant), params={"size": 100}).json()
               ["items"]]
        expected = [row[0] for row in sql("SELECT id FROM user WHERE tenant_id = ? ORDER BY id LIMIT 100", tenant)]
        assert ids == expected
