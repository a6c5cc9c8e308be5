"""The Service Market's expectations, encoded in `migrator conform` so that CI proves them without the SDK: after
phase 1, the full suite fails nothing on every example (501s counted apart), and the market client's lifecycle
sequence (activate exactly the path's id, status, usage of a month, deactivate, the same contact reactivates) passes,
with nothing counted as not implemented in it. A single-tenant deployment is checked on its own tenant
(``--new-tenant`` = ``--tenant``: declared), where the webhook rejects other applicants and only the checks that
create tenants are not applicable; without the declaration conform recognises it from its tenant list and neither
claims nor deactivates it.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from migrator.apply import plan_phase, write_phase
from migrator.conformance.suite import CheckStatus, run_conformance

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-20T15:00:00"
KEY = "lifecycle-conformance-key"


@dataclass(frozen=True)
class Example:
    package: str
    app: str
    env: dict
    tenant: str
    single_tenant: bool = False


EXAMPLES = {
    "advisor": Example("advisor", "advisor.server", {"ADVISOR_DATA_DIR": "{data}", "ADVISOR_NOW": NOW},
                       "seoul_national_university_101"),
    "llm_chatbot": Example("llm_chatbot", "llm_chatbot.main", {"LLM_CHATBOT_DB": "{data}/c.db", "LLM_CHATBOT_NOW": NOW},
                           "yonsei_university_201"),
    "mentor": Example("mentor", "mentor.main", {"MENTOR_DATA_DIR": "{data}", "MENTOR_NOW": NOW,
                                                "MENTOR_LIFECYCLE_FILE": "{data}/lifecycle.json"},
                      "hanul-university", single_tenant=True),
    "classroom": Example("classroom", "classroom.app", {"CLASSROOM_DATA_DIR": "{data}", "CLASSROOM_NOW": NOW}, "1"),
}  # fmt: skip
LIFECYCLE_CHECKS = {
    "activate: new tenant (exactly the path's id)", "activate: new tenant is active",
    "activate: usage of the new tenant (YYYY-MM)", "activate: existing tenant, another contact → 409",
    "deactivate: the new tenant (data preserved)", "deactivate: status is deactivated",
    "reactivate: the same contact activates it again", "reactivate: status is active", "status", "usage: current month",
}  # fmt: skip


#: what does not apply to a single-tenant deployment: the checks that create a tenant for a new applicant
NOT_APPLICABLE_TO_ONE_TENANT = {"webhook: basic call (sandbox payload) → 200",
                                "webhook: a tenant id another e-mail owns → 409"}


@contextmanager
def _served(name, tmp_path, monkeypatch):
    """A TestClient on the example after phase 1, with fresh seeded data."""
    example = EXAMPLES[name]
    copy = tmp_path / name
    shutil.copytree(REPO / "examples" / name, copy,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    result = plan_phase(copy, 1, now=datetime(2026, 11, 25, tzinfo=timezone.utc))
    write_phase(copy, result)
    if not any(copy.rglob("handlers/market_handler.py")):
        pytest.skip(f"phase 1 writes no Standard API handler for {name} yet (its idioms are issue 12's)")
    for key, value in example.env.items():
        monkeypatch.setenv(key, value.format(data=tmp_path / "data"))
    monkeypatch.setenv("MARKET_API_KEYS", KEY)
    monkeypatch.setenv(f"{name.upper()}_PUBLIC_URL", "https://service.example")
    saved = {n: m for n, m in sys.modules.items() if n == example.package or n.startswith(example.package + ".")}
    for module in saved:
        del sys.modules[module]
    monkeypatch.syspath_prepend(str(copy))
    try:
        importlib.import_module(f"{example.package}.seed").reset()
        app = importlib.import_module(example.app).app
        with TestClient(app) as client:
            yield client
    finally:
        for module in [n for n in sys.modules if n == example.package or n.startswith(example.package + ".")]:
            del sys.modules[module]
        sys.modules.update(saved)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_conform_full_passes_with_the_lifecycle_served(name, tmp_path, monkeypatch):
    example = EXAMPLES[name]
    with _served(name, tmp_path, monkeypatch) as client:
        report = run_conformance(client, api_key=KEY, suite="full", tenant_id=example.tenant,
                                 new_tenant=example.tenant if example.single_tenant else None)
    assert report.ok, [(c.name, c.reason) for c in report.failures()]
    lifecycle = {c.name: c for c in report.checks if c.suite == "lifecycle"}
    assert {n for n, c in lifecycle.items() if c.status is CheckStatus.PASSED} >= LIFECYCLE_CHECKS, {
        n: (c.status, c.reason) for n, c in lifecycle.items() if c.status is not CheckStatus.PASSED}
    assert not [c for c in lifecycle.values() if c.status is CheckStatus.NOT_IMPLEMENTED]
    webhook = {c.name: c for c in report.checks if c.suite == "webhook"}
    not_applicable = {n for n, c in webhook.items() if c.status is CheckStatus.NOT_APPLICABLE}
    if example.single_tenant:  # one tenant per deployment: other applicants are rejected, the owner gets it again
        assert not_applicable == NOT_APPLICABLE_TO_ONE_TENANT and report.single_tenant.startswith("declared")
        assert all("single-tenant deployment" in webhook[n].reason for n in not_applicable)
        assert webhook["webhook: another applicant → 200 rejected, no tenant"].status is CheckStatus.PASSED
    else:
        assert not not_applicable and report.single_tenant is None
    assert all(c.status is CheckStatus.PASSED for n, c in webhook.items() if n not in not_applicable), [
        (c.name, c.reason) for c in webhook.values()]


def test_conform_recognises_a_single_tenant_deployment_and_leaves_it_alone(tmp_path, monkeypatch):
    """No --tenant, no --new-tenant: the tenant list marks mentor's one tenant single; nothing fails, the sequence
    that would claim and deactivate it is not applicable (with the way to run it), the deployment stays unclaimed."""
    with _served("mentor", tmp_path, monkeypatch) as client:
        report = run_conformance(client, api_key=KEY, suite="full")
        listed = client.get("/api/tenant/list", headers={"X-API-Key": KEY}).json()["tenants"]
    assert report.ok, [(c.name, c.reason) for c in report.failures()]
    assert report.tenant_id == "hanul-university" and report.single_tenant.startswith("observed")
    checks = {c.name: c for c in report.checks}
    assert checks["activate: another tenant id → 409 (one tenant per deployment)"].status is CheckStatus.PASSED
    assert checks["status"].status is CheckStatus.PASSED and checks["usage: current month"].status is CheckStatus.PASSED
    sequence = [checks[n] for n in LIFECYCLE_CHECKS if n.startswith(("activate: new", "deactivate:", "reactivate:"))]
    assert sequence and all(c.status is CheckStatus.NOT_APPLICABLE for c in sequence)
    assert "--new-tenant hanul-university" in sequence[0].reason
    assert [(t["tenant_id"], t["email"], t["status"]) for t in listed] == [("hanul-university", None, "active")]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_an_operation_answering_501_answers_404_for_a_tenant_the_service_does_not_serve(name, tmp_path, monkeypatch):
    """Every tenant operation lists 404 for an unknown tenant (STANDARD_API.md), also one the service has not
    implemented: the Service Market learns the tenant is not there, not that the operation is missing."""
    from shims.spec import OPERATIONS

    example = EXAMPLES[name]
    reads = [op for op in OPERATIONS if op.method == "GET" and "{tenant_id}" in op.path]
    headers = {"X-Market-API-Key": KEY}
    unimplemented = []
    with _served(name, tmp_path, monkeypatch) as client:
        for op in reads:
            query = "?period=2026-11" if op.name == "get_tenant_usage" else ""
            path = op.path.replace("{user_id}", "nobody") + query
            if client.get(path.format(tenant_id=example.tenant), headers=headers).status_code != 501:
                continue
            unimplemented.append(op.name)
            ghost = client.get(path.format(tenant_id="no-such-university"), headers=headers)
            assert ghost.status_code == 404 and ghost.json()["detail"]["error"] == "TENANT_NOT_FOUND", (op.name, ghost.text)
    assert unimplemented, f"{name} implements every tenant read: nothing to check here"
