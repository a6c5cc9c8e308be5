"""The Service Market webhook on a single-tenant deployment: the first application claims the deployment's tenant,
the claiming e-mail gets it again, every other applicant is rejected (200, ``status: "rejected"``, no tenant) and
never sees the tenant; a standard ActivateRequest for another id stays 409."""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from migrator.testing.deployment import DeploymentHandler
from shims.compat.service_market import create_service_market_router
from shims.legacy_deps import SingleTenant
from shims.lifecycle import DeploymentLifecycle
from shims.standard_api import create_standard_router

KEY = "single-tenant-webhook-key"
WEBHOOK = "/api/tenant/webhook/auto-provision"
H = {"X-API-Key": KEY}



def _client(tmp_path, monkeypatch) -> tuple[TestClient, DeploymentLifecycle]:
    monkeypatch.setenv("MARKET_API_KEY", KEY)
    deployment = DeploymentLifecycle(SingleTenant("hanul"), state_env="SVC_LIFECYCLE_FILE",
                                     default_path=tmp_path / "lifecycle.json",
                                     clock=lambda: datetime(2026, 11, 20, 15, 0))  # fmt: skip
    handler = DeploymentHandler(deployment)
    app = FastAPI()
    app.add_api_route("/health", lambda: {"status": "ok"})
    app.include_router(create_standard_router(handler))
    app.include_router(create_service_market_router(handler))
    return TestClient(app), deployment


def _application(application_id: int, email: str, university: str = "Some University") -> dict:
    return {"application_id": application_id, "kind": "demo", "contact": "02", "reason": "r",
            "applicant": {"id": 1, "name": "Applicant", "email": email, "university_name": university},
            "service": {"id": 1, "slug": "s", "title": "S"}}  # fmt: skip


def test_the_first_application_claims_the_deployment_and_its_e_mail_gets_it_again(tmp_path, monkeypatch):
    client, deployment = _client(tmp_path, monkeypatch)
    first = client.post(WEBHOOK, json=_application(9001, "owner@hanul.example"), headers=H)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["success"], body["status"], body["tenant_id"]) == (True, "approved", "hanul")
    assert body["tenant_url"] == body["access_url"] == "https://mentor.example?tenant=hanul"
    assert deployment.summary("hanul").email == "owner@hanul.example"
    again = client.post(WEBHOOK, json=_application(9002, "OWNER@hanul.example", "Other Name"), headers=H).json()
    assert (again["success"], again["status"], again["tenant_id"]) == (True, "approved", "hanul")
    assert "재사용" in again["message"]


def test_another_applicant_is_rejected_without_the_tenant(tmp_path, monkeypatch):
    client, deployment = _client(tmp_path, monkeypatch)
    client.post(WEBHOOK, json=_application(9001, "owner@hanul.example"), headers=H)
    for application, email in ((9002, "format_test@test.com"), (1001, "reuse@test.com"), (1002, "reuse@test.com")):
        response = client.post(WEBHOOK, json=_application(application, email), headers=H)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["success"], body["status"], body["tenant_id"], body["tenant_url"], body["access_url"]) == (
            False, "rejected", None, None, None)
        assert "hanul" not in response.text and body.get("admin_credentials") is None
    assert deployment.summary("hanul").email == "owner@hanul.example"  # still the claiming applicant's


def test_a_deactivated_deployment_still_rejects_others_and_the_owner_reactivates_through_mt(tmp_path, monkeypatch):
    client, deployment = _client(tmp_path, monkeypatch)
    client.post(WEBHOOK, json=_application(9001, "owner@hanul.example"), headers=H)
    client.post("/mt/tenant/hanul/deactivate", json={"reason": "r"}, headers={"X-Market-API-Key": KEY})
    assert client.post(WEBHOOK, json=_application(9002, "x@x.example"), headers=H).json()["status"] == "rejected"
    assert not deployment.is_active()


def test_a_standard_activation_on_the_webhook_for_another_id_is_still_409(tmp_path, monkeypatch):
    client, _ = _client(tmp_path, monkeypatch)
    body = {"tenant_id": "other_1", "tenant_name": "Other", "plan": "demo", "features": [], "config": {},
            "contact": {"email": "o@o.example", "name": "O"}}  # fmt: skip
    response = client.post(WEBHOOK, json=body, headers=H)
    assert response.status_code == 409


# --- what `migrator conform` checks of it ------------------------------------------------------------------------


def _conform(client, **kwargs):
    from migrator.conformance.suite import run_conformance

    return run_conformance(client, api_key=KEY, suite="webhook", **kwargs)


def _statuses(report):
    return {c.name: (c.status.value, c.reason) for c in report.checks}


def test_conform_recognises_the_deployment_and_checks_the_rejection_once_claimed(tmp_path, monkeypatch):
    client, deployment = _client(tmp_path, monkeypatch)
    unclaimed = _conform(client)
    assert unclaimed.ok and unclaimed.tenant_id == "hanul" and unclaimed.single_tenant.startswith("observed")
    statuses = _statuses(unclaimed)
    assert statuses["webhook: another applicant → 200 rejected, no tenant"][0] == "not-applicable"
    assert "not claimed yet" in statuses["webhook: another applicant → 200 rejected, no tenant"][1]
    assert deployment.summary("hanul").email is None  # conform claimed nothing
    client.post(WEBHOOK, json=_application(9001, "owner@hanul.example"), headers=H)
    claimed = _statuses(_conform(client))
    for name in ("webhook: another applicant → 200 rejected, no tenant", "webhook: the answer has the sandbox's fields",
                 "webhook: the same e-mail again → the same tenant", "webhook: wrong X-API-Key → 401",
                 "webhook: malformed body → 400"):
        assert claimed[name][0] == "passed", (name, claimed[name])
    for name in ("webhook: basic call (sandbox payload) → 200", "webhook: a tenant id another e-mail owns → 409"):
        assert claimed[name][0] == "not-applicable" and "single-tenant deployment" in claimed[name][1]
    assert deployment.summary("hanul").email == "owner@hanul.example"


def test_conform_fails_a_deployment_that_hands_its_tenant_to_another_applicant(tmp_path, monkeypatch):
    from shims.compat import webhook

    client, _ = _client(tmp_path, monkeypatch)
    client.post(WEBHOOK, json=_application(9001, "owner@hanul.example"), headers=H)

    async def hand_over(self, approval, deployment):  # every applicant gets the one tenant
        return self._approved(approval, deployment.tenant.tenant_id, None, created_at=None, reused=True)

    monkeypatch.setattr(webhook.Provisioner, "_provision_deployment", hand_over)
    report = _conform(client)
    check = _statuses(report)["webhook: another applicant → 200 rejected, no tenant"]
    assert not report.ok and check[0] == "failed" and "handed to the wrong caller" in check[1], check
