"""Service Market side: tenant list/status (X-API-Key) and provisioning (X-Marketplace-Key, manual §3)."""

from __future__ import annotations

import sqlite3

import pytest
from advisor.tenant_manager import make_tenant_id

SEEDED = ["seoul_national_university_101", "hallym_university_102", "korea_university_103", "kaist_104"]
LIST_KEYS = {"tenant_id", "university_name", "email", "status", "created_at", "users_count"}
STATUS_KEYS = LIST_KEYS | {"active_users", "plan", "features", "updated_at"}
RESPONSE_KEYS = {"success", "tenant_id", "message", "access_url", "admin_credentials", "created_at"}


def application(app_id=555, university="Sogang University", email="ai@sogang.ac.kr", kind="demo", name="정서강"):
    return {
        "application": {"id": app_id, "kind": kind, "contact": "02-705-8114", "reason": "AI 튜터 데모 신청"},
        "applicant": {"id": 27, "name": name, "email": email, "university_name": university},
        "service": {"id": 18, "slug": "advisor", "title": "Advisor"},
    }


@pytest.fixture
def api(creds):
    return {"X-API-Key": creds["api_key"]}


@pytest.fixture
def market(creds):
    return {"X-Marketplace-Key": creds["marketplace_key"]}


def test_tenant_list(client, api, scalar):
    response = client.get("/api/tenant/list", headers=api)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"tenants", "total"}
    assert body["total"] == 4 == len(body["tenants"])
    assert [t["tenant_id"] for t in body["tenants"]] == SEEDED
    for tenant in body["tenants"]:
        assert set(tenant) == LIST_KEYS
        assert tenant["status"] == "active"
        assert tenant["users_count"] == scalar("SELECT COUNT(*) FROM users", tenant_id=tenant["tenant_id"])
    assert body["tenants"][0]["university_name"] == "Seoul National University"


def test_tenant_status(client, api, scalar):
    response = client.get("/api/tenant/status/kaist_104", headers=api)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == STATUS_KEYS
    assert body["tenant_id"] == "kaist_104" and body["university_name"] == "KAIST"
    assert body["users_count"] == scalar("SELECT COUNT(*) FROM users", tenant_id="kaist_104")
    assert body["active_users"] == scalar("SELECT COUNT(*) FROM users WHERE is_active = 1", tenant_id="kaist_104")
    assert body["active_users"] < body["users_count"]
    assert body["plan"] == "demo" and body["features"] == ["chat", "rag"]
    assert body["created_at"] == body["updated_at"] == "2026-07-19T15:00:00"


@pytest.mark.parametrize("tenant_id", ["unknown_1", "KAIST_104", "kaist_104 ", "kaist", "kaist_104%00", "%C3%A9"])
def test_unknown_tenant_status_is_404(client, api, tenant_id):
    response = client.get(f"/api/tenant/status/{tenant_id}", headers=api)
    assert response.status_code == 404
    assert response.json() == {"detail": "Tenant not found"}


@pytest.mark.parametrize(
    "university,app_id,expected",
    [
        ("Seoul National University", 101, "seoul_national_university_101"),
        ("KAIST", 104, "kaist_104"),
        ("Ewha Womans University (Seoul)", 9, "ewha_womans_university__seoul__9"),
        ("Pohang University of Science and Technology", 12, "pohang_university_of_science_a_12"),
        ("서울대학교", 17, "______17"),
    ],
)
def test_tenant_id_rule(university, app_id, expected):
    assert make_tenant_id(university, app_id) == expected


def test_provisioning_creates_a_usable_tenant(client, market, api, data_dir):
    response = client.post("/api/marketplace/demo/request", json=application(), headers=market)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body == {
        "success": True,
        "tenant_id": "sogang_university_555",
        "message": "테넌트 'Sogang University' 생성 완료",
        "access_url": "http://localhost:8000?tenant=sogang_university_555",
        "admin_credentials": {"email": "ai@sogang.ac.kr", "note": "LMS 계정으로 로그인하세요."},
        "created_at": "2026-11-20T15:00:00",
    }
    listed = client.get("/api/tenant/list", headers=api).json()
    assert listed["total"] == 5 and listed["tenants"][-1]["tenant_id"] == "sogang_university_555"
    status = client.get("/api/tenant/status/sogang_university_555", headers=api).json()
    assert (status["users_count"], status["active_users"], status["plan"]) == (1, 1, "demo")
    assert status["email"] == "ai@sogang.ac.kr" and status["university_name"] == "Sogang University"
    assert (data_dir / "tenants" / "sogang_university_555.db").is_file()


def test_the_applicant_is_the_first_admin_of_the_new_tenant(client, market):
    from advisor.tenant_manager import issue_admin_token

    client.post("/api/marketplace/demo/request", json=application(), headers=market)
    headers = {"Authorization": f"Bearer {issue_admin_token('sogang_university_555', 1)}",
               "X-Tenant-ID": "sogang_university_555"}
    admins = client.get("/admin/admins", headers=headers).json()
    assert admins["total"] == 1
    admin = admins["admins"][0]
    assert (admin["username"], admin["display_name"], admin["email"], admin["role"]) == (
        "admin_ai", "정서강", "ai@sogang.ac.kr", "admin",  # usernames have at least 3 characters
    )
    dashboard = client.get("/admin/dashboard", headers=headers).json()
    assert dashboard["users"]["total"] == 1 and dashboard["usage"]["total_messages"] == 0
    assert len(dashboard["daily_trend"]) == 30 and dashboard["model_usage"] == []
    costs = client.get("/admin/dashboard/costs", headers=headers).json()
    assert costs["estimated_cost_usd"] == 0 and costs["by_model"] == costs["by_user"] == []
    assert costs["monthly_costs"] == [{"month": "2026-10", "cost_usd": 0.0}, {"month": "2026-11", "cost_usd": 0.0}]
    patterns = client.get("/admin/dashboard/usage-patterns", headers=headers).json()
    assert patterns["avg_session_length"] == 0 and len(patterns["hourly_distribution"]) == 24


def test_same_email_reuses_the_tenant(client, market, api, monkeypatch):
    first = client.post("/api/marketplace/demo/request", json=application(), headers=market).json()
    monkeypatch.setenv("ADVISOR_NOW", "2026-11-21T09:30:00")
    again = client.post(
        "/api/marketplace/demo/request",
        json=application(app_id=777, university="Sogang Univ.", email="AI@Sogang.ac.kr", kind="service"),
        headers=market,
    )
    assert again.status_code == 200
    body = again.json()
    assert body["tenant_id"] == first["tenant_id"] == "sogang_university_555"
    assert body["message"] == "기존 테넌트 'Sogang Univ.' 재사용"
    assert body["created_at"] == first["created_at"]  # the tenant's creation, not this call
    assert client.get("/api/tenant/list", headers=api).json()["total"] == 5


def test_seeded_tenant_is_reused_by_its_contact_email(client, market, api):
    body = client.post(
        "/api/marketplace/demo/request",
        json=application(app_id=999, university="Seoul National University", email="ai-admin@snu.ac.kr"),
        headers=market,
    ).json()
    assert body["tenant_id"] == "seoul_national_university_101"
    assert client.get("/api/tenant/list", headers=api).json()["total"] == 4


def test_service_application_gets_the_standard_plan(client, market, api):
    body = client.post(
        "/api/marketplace/demo/request",
        json=application(app_id=31, university="Pohang University of Science and Technology", email="x@postech.ac.kr",
                         kind="service"),
        headers=market,
    ).json()
    assert body["tenant_id"] == "pohang_university_of_science_a_31"
    status = client.get(f"/api/tenant/status/{body['tenant_id']}", headers=api).json()
    assert status["plan"] == "standard" and status["features"] == ["chat", "rag", "quiz"]


def test_a_taken_tenant_id_with_another_email_is_409(client, market, api):
    response = client.post(
        "/api/marketplace/demo/request", json=application(app_id=104, university="KAIST", email="other@kaist.ac.kr"),
        headers=market,
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Tenant 'kaist_104' already exists"}
    assert client.get("/api/tenant/list", headers=api).json()["total"] == 4


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.pop("applicant"),
        lambda p: p.pop("application"),
        lambda p: p["application"].update(kind="trial"),
        lambda p: p["application"].update(id="abc"),
        lambda p: p["application"].update(id=0),
        lambda p: p["application"].update(id=-5),
        lambda p: p["application"].update(id=10**30),
        lambda p: p["applicant"].update(email="not-an-email"),
        lambda p: p["applicant"].update(university_name=""),
        lambda p: p["applicant"].pop("email"),
        lambda p: p.update(application=[1, 2]),
    ],
)
def test_bad_provisioning_payload_is_422(client, market, api, mutate):
    payload = application()
    mutate(payload)
    response = client.post("/api/marketplace/demo/request", json=payload, headers=market)
    assert response.status_code == 422
    assert client.get("/api/tenant/list", headers=api).json()["total"] == 4


def test_malformed_provisioning_json_is_422(client, market):
    headers = dict(market, **{"Content-Type": "application/json"})
    assert client.post("/api/marketplace/demo/request", content=b"{not json", headers=headers).status_code == 422


def test_tenant_registry_and_database_agree(client, market, data_dir):
    client.post("/api/marketplace/demo/request", json=application(), headers=market)
    with sqlite3.connect(data_dir / "tenants.db") as registry:
        rows = registry.execute("SELECT tenant_id, plan, status, application_id FROM tenants ORDER BY rowid").fetchall()
    registry.close()
    assert rows[-1] == ("sogang_university_555", "demo", "active", 555)
    assert {p.stem for p in (data_dir / "tenants").glob("*.db")} == {r[0] for r in rows}
