"""shims.lifecycle: a single-tenant deployment's status, activation (claim, reactivation, refusals) and deactivation,
persisted in its state file, through the standard router; the guard closes the legacy routes while deactivated."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from migrator.testing.deployment import DeploymentHandler
from shims.legacy_deps import SingleTenant
from shims.lifecycle import DeactivationGuard, DeploymentLifecycle, LifecycleStateError
from shims.standard_api import create_standard_router

KEY = "lifecycle-test-key"
H = {"X-Market-API-Key": KEY}



def _app(tmp_path, monkeypatch, clock=None):
    monkeypatch.setenv("MARKET_API_KEY", KEY)
    monkeypatch.setenv("SVC_TENANT", "hanul")
    deployment = DeploymentLifecycle(SingleTenant(env="SVC_TENANT"), state_env="SVC_LIFECYCLE_FILE",
                                     default_path=tmp_path / ".migrator" / "lifecycle.json",
                                     clock=clock or (lambda: datetime(2026, 11, 20, 15, 0)), features=["chat"])
    app = FastAPI()

    @app.get("/api/v1/conversations")
    def legacy():
        return {"conversations": []}

    @app.get("/health")
    def health():
        return {"status": "ok"}

    from shims.middleware.market_auth import MarketAuthMiddleware

    app.include_router(create_standard_router(DeploymentHandler(deployment)))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
    app.add_middleware(DeactivationGuard, lifecycle=deployment)
    return app, deployment


def _body(tenant="hanul", email="owner@hanul.example"):
    return {"tenant_id": tenant, "tenant_name": "Hanul", "plan": "demo", "features": ["chat", "quiz"], "config": {},
            "contact": {"email": email, "name": "Owner"}}


def test_the_deployment_lifecycle_through_the_standard_router(tmp_path, monkeypatch):
    app, deployment = _app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        status = client.get("/mt/tenant/hanul/status", headers=H).json()
        assert status == {"tenant_id": "hanul", "status": "active", "plan": "single-tenant", "features": ["chat"],
                          "created_at": "2026-11-20T15:00:00Z", "updated_at": "2026-11-20T15:00:00Z"}
        assert client.get("/mt/tenant/other/status", headers=H).status_code == 404
        # another id can never be created here, whoever asks
        other = client.post("/mt/tenant/acme_1/activate", json=_body("acme_1"), headers=H)
        assert other.status_code == 409 and "serves the tenant 'hanul' only" in other.json()["detail"]["message"]
        claimed = client.post("/mt/tenant/hanul/activate", json=_body(), headers=H)
        assert claimed.status_code == 200 and claimed.json() == {
            "success": True, "tenant_id": "hanul", "access_url": "https://mentor.example?tenant=hanul",
            "message": "Tenant 'hanul' activated"}
        assert client.get("/mt/tenant/hanul/status", headers=H).json()["features"] == ["chat", "quiz"]
        # an active deployment is not handed over, nor re-activated
        assert client.post("/mt/tenant/hanul/activate", json=_body(email="x@y.example"), headers=H).status_code == 409
        assert client.post("/mt/tenant/hanul/activate", json=_body(), headers=H).status_code == 409
        assert client.get("/api/v1/conversations").status_code == 200
        gone = client.post("/mt/tenant/hanul/deactivate", json={"reason": "contract ended"}, headers=H)
        assert gone.status_code == 200 and gone.json() == {
            "success": True, "tenant_id": "hanul", "status": "deactivated", "data_preserved": True,
            "data_retention_until": "2027-02-18T15:00:00Z"}
        # the legacy routes are closed, the standard ones and health are not
        closed = client.get("/api/v1/conversations")
        assert closed.status_code == 403 and closed.json() == {"detail": "This deployment is deactivated"}
        assert client.get("/health").status_code == 200
        assert client.get("/mt/tenant/hanul/status", headers=H).json()["status"] == "deactivated"
        assert client.post("/mt/tenant/hanul/deactivate", json={"reason": "again"}, headers=H).status_code == 200
        assert client.post("/mt/tenant/hanul/activate", json=_body(email="x@y.example"), headers=H).status_code == 409
        again = client.post("/mt/tenant/hanul/activate", json=_body(email="OWNER@hanul.example "), headers=H)
        assert again.status_code == 200 and again.json()["message"] == "Tenant 'hanul' reactivated"
        assert client.get("/api/v1/conversations").status_code == 200
    state = json.loads((tmp_path / ".migrator" / "lifecycle.json").read_text())
    assert state["owner_email"] == "owner@hanul.example" and state["status"] == "active"


def test_the_state_survives_a_restart_and_follows_its_environment_variable(tmp_path, monkeypatch):
    app, _ = _app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        client.post("/mt/tenant/hanul/activate", json=_body(), headers=H)
        client.post("/mt/tenant/hanul/deactivate", json={"reason": "r", "preserve_data": False}, headers=H)
    app, _ = _app(tmp_path, monkeypatch)  # a new process: the same file
    with TestClient(app) as client:
        assert client.get("/api/v1/conversations").status_code == 403
        assert client.get("/mt/tenant/hanul/status", headers=H).json()["status"] == "deactivated"
    elsewhere = tmp_path / "elsewhere.json"
    monkeypatch.setenv("SVC_LIFECYCLE_FILE", str(elsewhere))
    app, deployment = _app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        assert client.get("/api/v1/conversations").status_code == 200
        client.get("/mt/tenant/hanul/status", headers=H)
    assert deployment.path == elsewhere and elsewhere.is_file()


def test_a_broken_state_file_fails_closed_and_names_the_file(tmp_path, monkeypatch):
    app, deployment = _app(tmp_path, monkeypatch)
    deployment.path.parent.mkdir(parents=True)
    deployment.path.write_text("{not json")
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/conversations").status_code == 403
    with pytest.raises(LifecycleStateError, match=str(deployment.path)):
        deployment.status("hanul")


def test_deactivation_without_preserved_data_promises_no_retention(tmp_path, monkeypatch):
    app, _ = _app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        answer = client.post("/mt/tenant/hanul/deactivate", json={"reason": "r", "preserve_data": False}, headers=H)
        assert answer.json()["data_preserved"] is False and answer.json()["data_retention_until"] is None
        assert client.post("/mt/tenant/nope/deactivate", json={"reason": "r"}, headers=H).status_code == 404


def test_conform_checks_a_single_tenant_deployment_on_its_own_tenant(tmp_path, monkeypatch):
    """`migrator conform --new-tenant <the deployment's id>`: the market's sequence (claim, status, deactivate, the
    contact reactivates) passes, nothing else is created, and the deployment is left active."""
    from migrator.conformance.suite import CheckStatus, run_conformance

    app, deployment = _app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        report = run_conformance(client, api_key=KEY, suite="lifecycle", tenant_id="hanul", new_tenant="hanul")
    assert report.ok, [(c.name, c.reason) for c in report.failures()]
    passed = {c.name for c in report.checks if c.status is CheckStatus.PASSED}
    assert {"activate: new tenant (exactly the path's id)", "deactivate: the new tenant (data preserved)",
            "reactivate: the same contact activates it again", "reactivate: status is active"} <= passed
    assert "activate: clean up the test tenant" not in {c.name for c in report.checks}
    assert deployment.is_active() and deployment.tenants()[0].email.startswith("conformance-")
