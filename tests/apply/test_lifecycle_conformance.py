"""The Service Market's expectations, encoded in `migrator conform` so that CI proves them without the SDK: after
phase 1, the full suite fails nothing on every example, and the market client's lifecycle sequence (activate exactly
the path's id, status, usage of a month, deactivate, the same contact reactivates) passes, with nothing counted as
not implemented in it. A single-tenant deployment is checked on its own tenant (``--new-tenant`` = ``--tenant``).
"""

from __future__ import annotations

import importlib
import shutil
import sys
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
FULLY = {"advisor", "llm_chatbot"}
LIFECYCLE_CHECKS = {
    "activate: new tenant (exactly the path's id)", "activate: new tenant is active",
    "activate: usage of the new tenant (YYYY-MM)", "activate: existing tenant, another contact → 409",
    "deactivate: the new tenant (data preserved)", "deactivate: status is deactivated",
    "reactivate: the same contact activates it again", "reactivate: status is active", "status", "usage: current month",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_conform_full_passes_with_the_lifecycle_served(name, tmp_path, monkeypatch):
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
            report = run_conformance(client, api_key=KEY, suite="full", tenant_id=example.tenant,
                                     new_tenant=example.tenant if example.single_tenant else None)
    finally:
        for module in [n for n in sys.modules if n == example.package or n.startswith(example.package + ".")]:
            del sys.modules[module]
        sys.modules.update(saved)
    # the lifecycle, the webhook and auth fail nothing anywhere; the other suites are phase 1's dashboard and user
    # templates, whose gaps on the issue-12 examples are theirs (FULLY lists the examples they pass on)
    assert not [c for c in report.failures() if c.suite in ("lifecycle", "webhook", "auth")], report.failures()
    if name in FULLY:
        assert report.ok, [(c.name, c.reason) for c in report.failures()]
    lifecycle = {c.name: c for c in report.checks if c.suite == "lifecycle"}
    assert {n for n, c in lifecycle.items() if c.status is CheckStatus.PASSED} >= LIFECYCLE_CHECKS, {
        n: (c.status, c.reason) for n, c in lifecycle.items() if c.status is not CheckStatus.PASSED}
    assert not [c for c in lifecycle.values() if c.status is CheckStatus.NOT_IMPLEMENTED]
    webhook = [c for c in report.checks if c.suite == "webhook"]
    if example.single_tenant:  # a single-tenant deployment creates no tenant for other applicants
        assert {c.status for c in webhook if "basic call" in c.name} == {CheckStatus.SKIPPED}
    else:
        assert all(c.status is CheckStatus.PASSED for c in webhook), [(c.name, c.reason) for c in webhook]
