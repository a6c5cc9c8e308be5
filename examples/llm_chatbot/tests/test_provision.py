"""POST /api/marketplace/demo/provision: tenant id rule, e-mail reuse, and a new tenant that works."""

from __future__ import annotations

import json

import pytest
from llm_chatbot.services.tenant_manager import tenant_id_for

NOW = "2026-11-20T15:00:00"
SERVICE = {"Authorization": "Bearer svc-dev-3b9d7e"}
KEYS = {"tenant_id", "status", "tenant_url", "admin_email", "plan", "created_at"}


def provision(client, **overrides):
    body = {"university_name": "Hanyang University", "application_id": 310, "admin_email": "ai@hanyang.ac.kr",
            "admin_name": "김한양", **overrides}
    return client.post("/api/marketplace/demo/provision", json=body, headers=SERVICE)


@pytest.mark.parametrize(
    ("university", "application_id", "expected"),
    [
        ("Seoul National University", 17, "seoul_national_university_17"),
        ("KAIST", 5, "kaist_5"),
        ("Korea Advanced Institute of Science and Technology", 9, "korea_advanced_institute_of_sc_9"),
        ("서울대학교", 27, "______27"),  # five Hangul syllables, then "_27"
        ("Ewha Womans Univ. (Seoul)", 1200, "ewha_womans_univ___seoul__1200"),
        ("  Spaced  ", 3, "spaced_3"),
    ],
)
def test_tenant_id_rule(client, sql, university, application_id, expected):
    response = provision(client, university_name=university, application_id=application_id,
                         admin_email=f"admin{application_id}@example.ac.kr")
    assert response.status_code == 200
    assert response.json()["tenant_id"] == expected == tenant_id_for(university.strip(), application_id)
    assert sql("SELECT university_name, application_id FROM tenants WHERE tenant_id = ?", expected) == [
        (university.strip(), application_id)]


def test_seeded_tenant_ids_follow_the_rule(sql):
    rows = sql("SELECT tenant_id, university_name, application_id FROM tenants ORDER BY tenant_id")
    assert [r[0] for r in rows] == ["postech_202", "pusan_national_university_203", "yonsei_university_201"]
    assert all(tenant_id == tenant_id_for(name, app) for tenant_id, name, app in rows)


def test_created_response(client, sql):
    response = provision(client, kind="service", features=["chat", "rag", "quiz"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    assert body == {"tenant_id": "hanyang_university_310", "status": "created",
                    "tenant_url": "http://localhost:8000/?tenant=hanyang_university_310",
                    "admin_email": "ai@hanyang.ac.kr", "plan": "standard", "created_at": NOW}
    (features, settings, status), = sql("SELECT features, settings, status FROM tenants WHERE tenant_id = ?",
                                        body["tenant_id"])
    assert json.loads(features) == {"rag": True, "chat": True, "quiz": True, "api_integration": False,
                                    "custom_branding": False}
    assert json.loads(settings)["subscription"] == {"start_date": "2026-11-20", "end_date": "2027-11-20",
                                                    "auto_renew": True}
    assert status == "active"
    assert sql("SELECT username, display_name, email, role, is_active, password_hash FROM users WHERE tenant_id = ?",
               body["tenant_id"]) == [("ai_admin", "김한양", "ai@hanyang.ac.kr", "admin", 1, None)]


def test_demo_is_the_default_kind(client, sql):
    body = provision(client).json()
    assert body["plan"] == "demo"
    (settings,), = sql("SELECT settings FROM tenants WHERE tenant_id = ?", body["tenant_id"])
    assert json.loads(settings)["subscription"]["end_date"] == "2026-12-20"


def test_public_url_setting(client, monkeypatch):
    monkeypatch.setenv("LLM_CHATBOT_PUBLIC_URL", "https://chat.example.ac.kr/")
    assert provision(client).json()["tenant_url"] == "https://chat.example.ac.kr/?tenant=hanyang_university_310"


def test_same_email_reuses_the_tenant(client, sql):
    first = provision(client).json()
    again = provision(client, university_name="Hanyang Univ ERICA", application_id=311,
                      admin_email="AI@Hanyang.ac.kr", kind="service")
    assert again.status_code == 200
    assert again.json() == {**first, "status": "existing"}
    assert sql("SELECT COUNT(*) FROM tenants") == [(4,)]
    # The seeded tenants' admins are reused too.
    seeded = provision(client, university_name="Yonsei", application_id=999, admin_email="chatbot-admin@yonsei.ac.kr")
    assert (seeded.json()["tenant_id"], seeded.json()["status"], seeded.json()["plan"]) == (
        "yonsei_university_201", "existing", "premium")


def test_same_id_with_another_email_is_409(client):
    assert provision(client).status_code == 200
    response = provision(client, admin_email="someone-else@hanyang.ac.kr")
    assert response.status_code == 409
    assert response.json() == {"detail": "Tenant 'hanyang_university_310' already exists"}


def test_new_tenant_is_usable(client, db_path):
    from llm_chatbot.db import Database
    from llm_chatbot.services.tenant_manager import issue_admin_token

    tenant = provision(client, features=["chat"]).json()["tenant_id"]
    token = issue_admin_token(Database(db_path), tenant)
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant}

    dashboard = client.get("/admin/dashboard", headers=headers).json()
    assert dashboard["users"] == {"total": 1, "active": 1, "new_this_week": 1, "active_7days": 0,
                                  "active_30days": 0, "admins": 1}
    assert set(dashboard["usage"].values()) == {0}
    assert len(dashboard["daily_trend"]) == 30 and {p["messages"] for p in dashboard["daily_trend"]} == {0}
    assert dashboard["monthly_user_trend"] == [] and dashboard["model_usage"] == []

    settings = client.get("/admin/settings", headers=headers).json()
    assert settings["plan"] == "demo" and settings["features"]["chat"] and not settings["features"]["rag"]
    costs = client.get("/admin/dashboard/costs", headers=headers).json()
    assert costs["estimated_cost_usd"] == 0 and len(costs["daily_costs"]) == 30
    patterns = client.get("/admin/dashboard/usage-patterns", headers=headers).json()
    assert patterns["avg_session_length"] == 0 and len(patterns["hourly_distribution"]) == 24

    created = client.post("/admin/users", json={"username": "first.student", "password": "pass-word-1",
                                                "email": "s1@hanyang.ac.kr"}, headers=headers)
    assert created.status_code == 201
    listed = client.get("/admin/users", headers=headers).json()
    assert [u["username"] for u in listed["users"]] == ["ai_admin", "first.student"]
    # The new tenant's token opens nothing elsewhere.
    other = {**headers, "X-Tenant-ID": "postech_202"}
    assert client.get("/admin/users", headers=other).status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"application_id": "abc"},
        {"application_id": 0},
        {"application_id": 2**40},
        {"application_id": None},
        {"kind": "trial"},
        {"features": ["chat", "teleport"]},
        {"features": "chat"},
        {"admin_email": "nobody"},
        {"university_name": ""},
        {"university_name": "   "},
        {"admin_name": ""},
    ],
)
def test_bad_bodies_are_422(client, sql, change):
    response = provision(client, **change)
    assert response.status_code == 422
    assert sql("SELECT COUNT(*) FROM tenants") == [(3,)]


@pytest.mark.parametrize("missing", ["university_name", "application_id", "admin_email", "admin_name"])
def test_required_fields(client, missing):
    body = {"university_name": "X", "application_id": 1, "admin_email": "x@x.kr", "admin_name": "X"}
    del body[missing]
    response = client.post("/api/marketplace/demo/provision", json=body, headers=SERVICE)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", missing]
