"""shims.tenant_ids: a handler whose service numbers its tenants itself, served under the market's ids: exactly the
path's id after activation, every answer naming it, the service's own tenants kept, no tenant under two names."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shims import adapters
from shims.compat.service_market import create_service_market_router
from shims.middleware.market_auth import MarketAuthMiddleware
from shims.standard_api import (
    ActivateResponse,
    DeactivateResponse,
    StandardAPIHandler,
    StatusResponse,
    TenantNotFoundError,
    TenantSummary,
    UsageData,
    UsageResponse,
    create_standard_router,
)
from shims.tenant_ids import MarketTenantIds, TenantIdMap

KEY = "tenant-ids-key"
H = {"X-Market-API-Key": KEY}


class Numbered(StandardAPIHandler):
    """Tenants numbered 1, 2, ... by the service (a seeded one exists)."""

    service_version = "9.9.9"
    public_url = "https://school.example"

    def __init__(self) -> None:
        self.tenants = {"1": {"status": "active", "email": "seed@school.example", "name": "Seeded"}}

    def _get(self, tenant_id):
        if tenant_id not in self.tenants:
            raise TenantNotFoundError(tenant_id)
        return self.tenants[tenant_id]

    async def activate_tenant(self, request):
        if request.tenant_id in self.tenants:  # a reactivation
            tenant = self.tenants[request.tenant_id]
            adapters.check_reactivation(request, status=tenant["status"], owner_email=tenant["email"])
            tenant["status"] = "active"
            return adapters.reactivation_response(request.tenant_id, adapters.access_url_of(self, request.tenant_id))
        new = str(len(self.tenants) + 1)
        self.tenants[new] = {"status": "active", "email": request.contact.email, "name": request.tenant_name}
        return ActivateResponse(success=True, tenant_id=new, access_url=adapters.access_url_of(self, new),
                                message="created")

    async def deactivate_tenant(self, tenant_id, request):
        self._get(tenant_id)["status"] = "deactivated"
        return DeactivateResponse(success=True, tenant_id=tenant_id, status="deactivated", data_preserved=True)

    async def get_tenant_status(self, tenant_id):
        tenant = self._get(tenant_id)
        now = datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat()
        return StatusResponse(tenant_id=tenant_id, status=tenant["status"], plan="basic", features=[], created_at=now,
                              updated_at=now)

    async def get_tenant_usage(self, tenant_id, period):
        self._get(tenant_id)
        return UsageResponse(tenant_id=tenant_id, period=period, usage=UsageData())

    async def list_tenants(self):
        return [TenantSummary(tenant_id=k, email=v["email"], status=v["status"]) for k, v in self.tenants.items()]

    get_tenant_stats = get_tenant_costs = list_users = create_user = get_user = update_user = None
    delete_user = get_settings = None


Numbered.__abstractmethods__ = frozenset()


def _app(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_API_KEY", KEY)
    handler = MarketTenantIds(Numbered(), TenantIdMap(path_env="SCHOOL_TENANT_IDS",
                                                      default_path=tmp_path / "ids.sqlite3"))
    app = FastAPI()
    app.include_router(create_standard_router(handler))
    app.include_router(create_service_market_router(handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
    return app, handler


def _body(tenant, email="owner@new.example"):
    return {"tenant_id": tenant, "tenant_name": "New School", "plan": "basic", "features": [], "config": {},
            "contact": {"email": email, "name": "Owner"}}


def test_activation_creates_exactly_the_market_id_and_every_answer_names_it(tmp_path, monkeypatch):
    app, handler = _app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        created = client.post("/mt/tenant/new_school_7/activate", json=_body("new_school_7"), headers=H)
        assert created.status_code == 200 and created.json()["tenant_id"] == "new_school_7"
        assert created.json()["access_url"] == "https://school.example?tenant=2"  # the service's own access URL
        assert created.json()["message"] == "created"
        assert handler.ids.service_id_of("new_school_7") == "2"
        status = client.get("/mt/tenant/new_school_7/status", headers=H).json()
        assert status["tenant_id"] == "new_school_7" and status["status"] == "active"
        usage = client.get("/mt/tenant/new_school_7/usage?period=2026-11", headers=H).json()
        assert usage["tenant_id"] == "new_school_7"
        gone = client.post("/mt/tenant/new_school_7/deactivate", json={"reason": "r"}, headers=H).json()
        assert gone["tenant_id"] == "new_school_7" and handler.handler.tenants["2"]["status"] == "deactivated"
        other = client.post("/mt/tenant/new_school_7/activate", json=_body("new_school_7", "x@y.example"), headers=H)
        assert other.status_code == 409 and "'new_school_7'" in other.json()["detail"]["message"]
        again = client.post("/mt/tenant/new_school_7/activate", json=_body("new_school_7"), headers=H)
        assert again.status_code == 200 and again.json()["tenant_id"] == "new_school_7"
        # the service's own tenants keep their ids; a mapped one has only its market name
        assert client.get("/mt/tenant/1/status", headers=H).json()["tenant_id"] == "1"
        assert client.get("/mt/tenant/2/status", headers=H).status_code == 404
        assert client.post("/mt/tenant/2/activate", json=_body("2"), headers=H).status_code == 409
        listed = client.get("/api/tenant/list", headers={"X-API-Key": KEY}).json()["tenants"]
        assert [t["tenant_id"] for t in listed] == ["1", "new_school_7"]
        assert client.get("/mt/health").json()["version"] == "9.9.9"


def test_the_webhook_creates_and_reuses_under_the_market_id(tmp_path, monkeypatch):
    app, handler = _app(tmp_path, monkeypatch)
    payload = {"application_id": 9001, "kind": "demo", "applicant": {"id": 1, "name": "A", "email": "a@b.example",
               "university_name": "North High"}, "service": {"id": 1, "slug": "s", "title": "S"}}
    with TestClient(app) as client:
        first = client.post("/api/tenant/webhook/auto-provision", json=payload, headers={"X-API-Key": KEY})
        assert first.status_code == 200 and first.json()["tenant_id"] == "north_high_9001"
        again = client.post("/api/tenant/webhook/auto-provision", json={**payload, "application_id": 9002},
                            headers={"X-API-Key": KEY})
        assert again.status_code == 200 and again.json()["tenant_id"] == "north_high_9001"  # the e-mail's own
        # the tenant reused by e-mail has the address its creation answered (the service's own id), whatever Host
        assert first.json()["access_url"] == "https://school.example?tenant=2"
        reused = client.post("/api/tenant/webhook/auto-provision", json={**payload, "application_id": 9003},
                             headers={"X-API-Key": KEY, "Host": "evil.example"})  # fmt: skip
        assert reused.json()["access_url"] == reused.json()["tenant_url"] == first.json()["access_url"]
    assert handler.ids.service_id_of("north_high_9001") == "2" and len(handler.handler.tenants) == 2


def test_the_map_persists_and_follows_its_environment_variable(tmp_path, monkeypatch):
    ids = TenantIdMap(path_env="SCHOOL_TENANT_IDS", default_path=tmp_path / "a.sqlite3")
    assert ids.record_market_id("m1", "5") and not ids.record_market_id("m1", "6")
    assert not ids.record_market_id("m2", "5")
    again = TenantIdMap(path_env="SCHOOL_TENANT_IDS", default_path=tmp_path / "a.sqlite3")
    assert again.service_id_of("m1") == "5" and again.market_id_of("5") == "m1" and again.service_id_of("m2") is None
    monkeypatch.setenv("SCHOOL_TENANT_IDS", str(tmp_path / "b.sqlite3"))
    assert again.service_id_of("m1") is None and again.path == tmp_path / "b.sqlite3"


def test_the_reuse_rule_reads_the_handlers_contact_lookup_and_names_the_market_id(tmp_path, monkeypatch):
    app, handler = _app(tmp_path, monkeypatch)
    looked_up = []

    async def tenant_of_contact(email):
        looked_up.append(email)
        return next((k for k, v in handler.handler.tenants.items() if v["email"] == email.lower()), None)

    handler.handler.tenant_of_contact = tenant_of_contact
    handler.handler.list_tenants = None  # the lookup, not the list, answers
    payload = {"application_id": 7, "kind": "demo", "applicant": {"id": 1, "name": "A", "email": "a@b.example",
               "university_name": "South"}, "service": {"id": 1, "slug": "s", "title": "S"}}
    with TestClient(app) as client:
        first = client.post("/api/tenant/webhook/auto-provision", json=payload, headers={"X-API-Key": KEY})
        again = client.post("/api/tenant/webhook/auto-provision", json={**payload, "application_id": 8},
                            headers={"X-API-Key": KEY})
    assert first.json()["tenant_id"] == again.json()["tenant_id"] == "south_7"
    assert looked_up == ["a@b.example", "a@b.example"]
