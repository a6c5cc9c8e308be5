"""Provisioning never hands a tenant to the wrong caller, through the standard (`/mt/.../activate`) and the Service
Market (`/api/tenant/webhook/...`) paths, with a handler shaped like the one phase 1 generates: legacy provisioning
logic (manual §4.1 id rule, same e-mail → existing tenant) behind the `shims.adapters` conversions.

The legacy path itself is covered by each example's own tests (examples/*/tests/test_*provision*)."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from migrator.testing.reference import InMemoryHandler
from shims import adapters
from shims.compat.service_market import create_service_market_router
from shims.standard_api import TenantExistsError, TenantNotFoundError, create_standard_router
from shims.standard_api.models import StatusResponse, TenantSummary

KEY = "provisioning-key-0123"
LEGACY_PUBLIC_URL = "https://legacy.example"


class LegacyShapedHandler(InMemoryHandler):
    """`activate_tenant` as phase 1 generates it: existence check, legacy payload, legacy answer converted."""

    def __init__(self, *, pass_expected_id: bool = False):
        super().__init__()
        self.pass_expected_id = pass_expected_id
        self.registry: dict[str, dict] = {
            "kaist_104": {"email": "admin@kaist.ac.kr", "university": "KAIST"},
        }

    def _legacy_request_demo(self, payload: dict) -> dict:
        """The legacy provisioning: id from university + application id; same e-mail → that tenant (any id)."""
        applicant, app = payload["applicant"], payload["application"]
        owned = next((tid for tid, t in self.registry.items() if t["email"].lower() == applicant["email"].lower()),
                     None)  # fmt: skip
        if owned is not None:
            return {"success": True, "tenant_id": owned, "message": "reused",
                    "access_url": f"{LEGACY_PUBLIC_URL}?tenant={owned}"}  # fmt: skip
        tenant_id = re.sub(r"[^a-z0-9]", "_", applicant["university_name"].lower())[:30] + f"_{app['id']}"
        if tenant_id in self.registry:
            raise TenantExistsError(tenant_id)
        self.registry[tenant_id] = {"email": applicant["email"], "university": applicant["university_name"]}
        return {"success": True, "tenant_id": tenant_id, "message": "created",
                "access_url": f"{LEGACY_PUBLIC_URL}?tenant={tenant_id}"}  # fmt: skip

    async def get_tenant_status(self, tenant_id):
        if tenant_id not in self.registry:
            raise TenantNotFoundError(tenant_id)
        return StatusResponse(tenant_id=tenant_id, status="active", plan="demo", features=[],
                              created_at="2026-01-01", updated_at="2026-01-01")  # fmt: skip

    async def activate_tenant(self, request):
        try:
            await self.get_tenant_status(request.tenant_id)
        except TenantNotFoundError:
            pass
        else:
            raise TenantExistsError(request.tenant_id)
        legacy = self._legacy_request_demo(adapters.marketplace_payload_from_activate(request))
        expected = request.tenant_id if self.pass_expected_id else None
        return adapters.activate_from_marketplace(legacy, expected)

    async def list_tenants(self):
        return [TenantSummary(tenant_id=tid, university_name=t["university"], email=t["email"], status="active")
                for tid, t in self.registry.items()]  # fmt: skip


def _app(handler, **compat):
    app = FastAPI()
    app.include_router(create_standard_router(handler))
    app.include_router(create_service_market_router(handler, api_keys=[KEY], **compat))
    return app


def _call(app, method, url, *, host="svc.test", **kwargs):
    import asyncio

    async def run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(run())


def _activate(tenant_id, name, email, **config):
    return {"tenant_id": tenant_id, "tenant_name": name, "plan": "demo", "features": [], "config": config,
            "contact": {"email": email, "name": "Applicant"}}  # fmt: skip


def _webhook(application_id, university, email):
    return {"application": {"id": application_id, "kind": "demo"},
            "applicant": {"id": 1, "name": "Applicant", "email": email, "university_name": university},
            "service": {"id": 1, "slug": "s", "title": "S"}}  # fmt: skip


# --- /mt/tenant/{id}/activate creates exactly {id} or fails ----------------------------------------------------


@pytest.mark.parametrize("pass_expected_id", [False, True])
def test_activate_creates_exactly_the_path_tenant(pass_expected_id):
    handler = LegacyShapedHandler(pass_expected_id=pass_expected_id)
    response = _call(_app(handler), "POST", "/mt/tenant/foo_1/activate",
                     json=_activate("foo_1", "Bar University", "new@bar.ac.kr"))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["tenant_id"] == "foo_1"
    assert "foo_1" in handler.registry and not any(t.startswith("bar_university") for t in handler.registry)


@pytest.mark.parametrize("pass_expected_id", [False, True])
def test_activate_for_an_applicant_who_owns_another_tenant_is_409(pass_expected_id):
    handler = LegacyShapedHandler(pass_expected_id=pass_expected_id)
    response = _call(_app(handler), "POST", "/mt/tenant/kaist_777/activate",
                     json=_activate("kaist_777", "KAIST", "admin@kaist.ac.kr"))  # fmt: skip
    assert response.status_code == 409
    assert response.json()["detail"]["error"] == "TENANT_EXISTS"
    assert "kaist_104" not in response.json()["detail"].get("tenant_id", "")


def test_activate_of_an_existing_tenant_is_409_and_an_impossible_id_is_400():
    app = _app(LegacyShapedHandler())
    response = _call(app, "POST", "/mt/tenant/kaist_104/activate", json=_activate("kaist_104", "KAIST", "x@y.kr"))
    assert (response.status_code, response.json()["detail"]["error"]) == (409, "TENANT_EXISTS")
    response = _call(app, "POST", "/mt/tenant/hallym_univ/activate", json=_activate("hallym_univ", "Hallym", "x@y.kr"))
    assert (response.status_code, response.json()["detail"]["error"]) == (400, "INVALID_REQUEST")
    assert "cannot be created by this service" in response.json()["detail"]["message"]
    response = _call(app, "POST", "/mt/tenant/foo_1/activate",
                     json=_activate("foo_1", "Foo", "x@y.kr", application_id=2))  # fmt: skip
    assert response.status_code == 400 and "does not match" in response.json()["detail"]["message"]


# --- the webhook --------------------------------------------------------------------------------------------------


def test_webhook_id_taken_by_another_email_is_409_as_the_legacy_route():
    handler = LegacyShapedHandler()
    handler.registry["bar_university_77"] = {"email": "first@bar.ac.kr", "university": "Bar University"}
    response = _call(_app(handler), "POST", "/api/tenant/webhook/auto-provision",
                     json=_webhook(77, "Bar University", "second@bar.ac.kr"), headers={"X-API-Key": KEY})  # fmt: skip
    assert response.status_code == 409
    assert response.json() == {"detail": "Tenant 'bar_university_77' already exists"}
    assert handler.registry["bar_university_77"]["email"] == "first@bar.ac.kr"


def test_webhook_same_email_gets_its_own_tenant_back():
    handler = LegacyShapedHandler()
    response = _call(_app(handler, public_url="https://public.example"), "POST", "/api/tenant/webhook/auto-provision",
                     json=_webhook(9, "Whatever", "ADMIN@kaist.ac.kr"), headers={"X-API-Key": KEY})  # fmt: skip
    body = response.json()
    assert (response.status_code, body["tenant_id"], body["status"]) == (200, "kaist_104", "approved")
    assert body["access_url"] == "https://public.example?tenant=kaist_104"


def test_access_url_never_comes_from_the_request_host(monkeypatch):
    monkeypatch.delenv("MARKET_PUBLIC_URL", raising=False)
    monkeypatch.delenv("TESTS_PUBLIC_URL", raising=False)
    handler = LegacyShapedHandler()
    app = _app(handler)
    headers = {"X-API-Key": KEY, "X-Forwarded-Host": "evil.example"}
    reused = _call(app, "POST", "/api/tenant/webhook/auto-provision", host="evil.example",
                   json=_webhook(9, "Whatever", "admin@kaist.ac.kr"), headers=headers).json()  # fmt: skip
    assert reused["tenant_id"] == "kaist_104"
    assert reused["access_url"] is None  # nothing configured: no URL rather than a forged one
    created = _call(app, "POST", "/api/tenant/webhook/auto-provision", host="evil.example",
                    json=_webhook(5, "New Univ", "new@new.ac.kr"), headers=headers).json()  # fmt: skip
    assert created["access_url"] == f"{LEGACY_PUBLIC_URL}?tenant=new_univ_5"  # the service's own configuration
    monkeypatch.setenv("MARKET_PUBLIC_URL", "https://market-configured.example/")
    reused = _call(app, "POST", "/api/tenant/webhook/auto-provision", host="evil.example",
                   json=_webhook(9, "Whatever", "admin@kaist.ac.kr"), headers=headers).json()  # fmt: skip
    assert reused["access_url"] == "https://market-configured.example?tenant=kaist_104"
    assert "evil" not in str(reused)


def test_the_public_url_setting_order():
    from shims.compat.webhook import public_url_for

    class Handler:
        public_url = "https://attribute.example"

    assert public_url_for(Handler(), "https://explicit.example") == "https://explicit.example"
    assert public_url_for(Handler()) == "https://attribute.example"
    assert public_url_for(object(), "not a url") in (None, public_url_for(object()))


class NoListing(LegacyShapedHandler):
    """No tenant list: the webhook relies on the legacy e-mail reuse, checked against the tenant's summary."""

    def __init__(self, lying_owner: str | None = None):
        super().__init__()
        self.lying_owner = lying_owner

    async def list_tenants(self):
        from shims.standard_api import NotImplementedOperationError

        raise NotImplementedOperationError("list_tenants")

    async def get_tenant_summary(self, tenant_id):
        owner = self.lying_owner or self.registry[tenant_id]["email"]
        return TenantSummary(tenant_id=tenant_id, email=owner, status="active")


def test_webhook_accepts_the_legacy_reuse_only_for_the_owner():
    payload, headers = _webhook(9, "Whatever", "admin@kaist.ac.kr"), {"X-API-Key": KEY}
    ok = _call(_app(NoListing()), "POST", "/api/tenant/webhook/auto-provision", json=payload, headers=headers)
    assert (ok.status_code, ok.json()["tenant_id"]) == (200, "kaist_104")
    assert ok.json()["message"] == "기존 테넌트 'Whatever' 재사용"
    refused = _call(_app(NoListing(lying_owner="someone@else.kr")), "POST", "/api/tenant/webhook/auto-provision",
                    json=payload, headers=headers)  # fmt: skip
    assert refused.status_code == 409 and "kaist_104" not in refused.text


def test_the_webhook_also_takes_mt_paas_s_activate_request_for_exactly_its_tenant():
    """mt_paas's compatibility router maps the webhook onto activate_tenant with a standard ActivateRequest."""
    app, headers = _app(LegacyShapedHandler()), {"X-API-Key": KEY}
    created = _call(app, "POST", "/api/tenant/webhook/auto-provision", headers=headers,
                    json=_activate("new_univ_8", "New Univ", "n@new.ac.kr"))  # fmt: skip
    body = created.json()
    assert (created.status_code, body["success"], body["tenant_id"]) == (200, True, "new_univ_8")
    assert body["access_url"] == f"{LEGACY_PUBLIC_URL}?tenant=new_univ_8"
    owners = _call(app, "POST", "/api/tenant/webhook/auto-provision", headers=headers,
                   json=_activate("kaist_999", "KAIST", "aDmin@kaist.ac.kr"))  # fmt: skip
    assert owners.status_code == 409  # exactly the requested tenant, or nothing
