"""Provisioning for the platform operator: register, list, status, deactivate, reactivate."""

from __future__ import annotations

import pytest

REGISTRATION = {"name": "Maru Science High", "slug": "maru-science", "plan": "standard",
                "contact_email": "it@maru.hs.kr", "seats": 120}


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def test_list_is_a_bare_list_in_id_order(client, platform, sql):
    body = client.get("/platform/tenants", headers=platform).json()
    assert isinstance(body, list)
    assert [(t["id"], t["slug"], t["plan"], t["status"], t["seats"]) for t in body] == sql(
        "SELECT id, slug, plan, status, seats FROM tenant ORDER BY id")
    assert list(body[0]) == ["id", "name", "slug", "plan", "status", "seats", "created_at"]
    assert body[0]["created_at"] == "2025-10-16T15:00:00"


@pytest.mark.parametrize("status, ids", [("active", [1, 2, 3]), ("deactivated", [4])])
def test_list_by_status(client, platform, status, ids):
    body = client.get("/platform/tenants", headers=platform, params={"status": status}).json()
    assert [t["id"] for t in body] == ids


def test_list_by_an_unknown_status_is_422(client, platform):
    assert client.get("/platform/tenants", headers=platform, params={"status": "paused"}).status_code == 422


def test_register_answers_201_and_the_key_works(client, platform, sql):
    response = client.post("/platform/tenants", headers=platform, json=REGISTRATION)
    assert response.status_code == 201
    body = response.json()
    key = body.pop("api_key")
    assert body == {"id": 5, "name": "Maru Science High", "slug": "maru-science", "plan": "standard",
                    "status": "active", "seats": 120, "created_at": "2026-11-20T15:00:00",
                    "contact_email": "it@maru.hs.kr"}
    assert key.startswith("ck_") and len(key) > 30
    assert key not in str(sql("SELECT * FROM tenant WHERE id = 5"))  # stored hashed only
    users = client.get("/v1/users", headers={"X-Tenant-ID": "5", "X-API-Key": key})
    assert users.status_code == 200 and users.json() == {"items": [], "total": 0, "page": 1, "size": 20, "pages": 0}
    assert client.get("/v1/users", headers={"X-Tenant-ID": "1", "X-API-Key": key}).status_code == 403


def test_register_defaults(client, platform):
    body = client.post("/platform/tenants", headers=platform,
                       json={"name": "Tiny", "slug": "tiny", "contact_email": "a@tiny.kr"}).json()
    assert (body["plan"], body["seats"], body["status"]) == ("basic", 50, "active")


def test_register_a_taken_slug_is_409(client, platform, scalar):
    response = client.post("/platform/tenants", headers=platform, json={**REGISTRATION, "slug": "hanbit-high"})
    assert response.status_code == 409 and response.json() == error("tenant_exists", "Slug 'hanbit-high' is taken")
    assert scalar("SELECT COUNT(*) FROM tenant") == 4


@pytest.mark.parametrize("change", [{"slug": "Has Caps"}, {"slug": "-dash"}, {"slug": "ab"}, {"plan": "gold"},
                                    {"seats": 0}, {"seats": 5001}, {"contact_email": "nope"}, {"name": "x"},
                                    {"id": 9}])
def test_register_invalid_is_422(client, platform, change):
    assert client.post("/platform/tenants", headers=platform, json={**REGISTRATION, **change}).status_code == 422


def test_status_counts_match_sql(client, platform, sql):
    body = client.get("/platform/tenants/1/status", headers=platform).json()
    (users, students, teachers, admins), = sql(
        "SELECT COUNT(*), SUM(role = 'student'), SUM(role = 'teacher'), SUM(role = 'admin') FROM user"
        " WHERE tenant_id = 1")
    (recent, last), = sql("SELECT SUM(created_at >= '2026-10-22'), MAX(created_at) FROM question WHERE tenant_id = 1")
    assert list(body) == ["id", "name", "slug", "status", "plan", "seats", "counts", "last_activity_at", "created_at",
                          "deactivated_at", "deactivation_reason"]
    assert body["seats"] == {"used": users, "total": 400}
    assert body["counts"] == {"users": users, "students": students, "teachers": teachers, "admins": admins,
                              "courses": sql("SELECT COUNT(*) FROM course WHERE tenant_id = 1")[0][0],
                              "questions_30d": recent}
    assert body["last_activity_at"] == last[:19].replace(" ", "T")
    assert (body["status"], body["deactivated_at"], body["deactivation_reason"]) == ("active", None, None)


def test_status_of_the_deactivated_school(client, platform):
    body = client.get("/platform/tenants/4/status", headers=platform).json()
    assert (body["status"], body["deactivated_at"], body["deactivation_reason"]) == (
        "deactivated", "2026-10-21T15:00:00", "Contract ended")
    assert body["counts"]["questions_30d"] == 0 and body["last_activity_at"] < "2026-10-21T15:00:00"


@pytest.mark.parametrize("method, path", [("GET", "/platform/tenants/42/status"),
                                          ("POST", "/platform/tenants/42/deactivate"),
                                          ("POST", "/platform/tenants/42/reactivate")])
def test_unknown_tenant_is_404(client, platform, method, path):
    response = client.request(method, path, headers=platform, json={"reason": "whatever"})
    assert response.status_code == 404 and response.json() == error("tenant_not_found", "Tenant 42 not found")


def test_status_of_a_non_integer_tenant_is_422(client, platform):
    assert client.get("/platform/tenants/hanbit-high/status", headers=platform).status_code == 422


def test_deactivate_then_reactivate(client, platform, school, scalar):
    response = client.post("/platform/tenants/2/deactivate", headers=platform, json={"reason": "Unpaid invoice"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["deactivated_at"], body["deactivation_reason"]) == (
        "deactivated", "2026-11-20T15:00:00", "Unpaid invoice")
    assert body["counts"]["users"] == scalar("SELECT COUNT(*) FROM user WHERE tenant_id = 2")  # data kept
    assert client.get("/v1/users", headers=school(2)).status_code == 403
    again = client.post("/platform/tenants/2/deactivate", headers=platform, json={"reason": "twice"})
    assert again.status_code == 409 and again.json() == error("tenant_state", "Tenant 2 is already deactivated")
    back = client.post("/platform/tenants/2/reactivate", headers=platform)
    assert back.status_code == 200
    assert (back.json()["status"], back.json()["deactivated_at"], back.json()["deactivation_reason"]) == (
        "active", None, None)
    assert client.get("/v1/users", headers=school(2)).status_code == 200


def test_reactivating_an_active_school_is_409(client, platform):
    response = client.post("/platform/tenants/1/reactivate", headers=platform)
    assert response.status_code == 409 and response.json() == error("tenant_state", "Tenant 1 is already active")


@pytest.mark.parametrize("body", [{}, {"reason": "no"}, {"reason": "x" * 201}, {"reason": "ok reason", "force": True}])
def test_deactivate_needs_a_reason(client, platform, scalar, body):
    assert client.post("/platform/tenants/1/deactivate", headers=platform, json=body).status_code == 422
    assert scalar("SELECT status FROM tenant WHERE id = 1") == "active"


def test_health_counts_active_schools(client, platform):
    assert client.get("/healthz").json() == {"status": "ok", "version": "0.9.4", "active_tenants": 3}
    client.post("/platform/tenants/4/reactivate", headers=platform)
    assert client.get("/healthz").json()["active_tenants"] == 4
