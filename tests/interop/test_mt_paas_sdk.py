"""The Service Market's own client and sandbox tester against every migrated example, after phases 1, 2 and 3.

Needs a checkout of K-University-OSC/service-market-sdk (`mt_paas` 0.1.0) named by env ``MT_PAAS_SDK`` and an
interpreter with its requirements (env ``MT_PAAS_SDK_PYTHON``, default ``$MT_PAAS_SDK/.venv/bin/python``); skipped
otherwise (CI has no copy: `migrator conform` encodes the same expectations, see tests/shims/test_testing_conformance.py
and docs/mt_paas.md).

Per example and phase: `mt_paas.market.client.ServiceClient` makes its 7 calls on a new tenant (health, activate
with the tenant id in the path, status, usage of a month, deactivate, activate again, status), and
``python -m sandbox.sdk.cli test URL --api-key K --webhook-path /api/tenant/webhook/auto-provision --json`` runs its
5 checks. Every tester check must pass, on a single-tenant deployment too (its one tenant is the client's, which
claimed it: the tester's applicants are rejected with 200 ``status: "rejected"`` and no tenant, docs/lifecycle.md).
A client call may fail only with a 501 for an operation phase 1 reported as having no legacy logic (or because such
an operation failed before it); ``MT_PAAS_STRICT=1`` demands 7/7. The
figures are printed (``-s``) and written to ``$MT_PAAS_REPORT`` when set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import EXAMPLES, MARKET_KEY, migrated_copy, serve, skip_unless_migrated

SDK = os.environ.get("MT_PAAS_SDK", "")
SDK_PYTHON = os.environ.get("MT_PAAS_SDK_PYTHON") or (str(Path(SDK) / ".venv" / "bin" / "python") if SDK else "")
WEBHOOK = "/api/tenant/webhook/auto-provision"
MONTH = "2026-11"  # the examples' frozen clock

pytestmark = pytest.mark.skipif(
    not (SDK and (Path(SDK) / "mt_paas" / "market" / "client.py").is_file() and Path(SDK_PYTHON).is_file()),
    reason="set MT_PAAS_SDK to a checkout of K-University-OSC/service-market-sdk (and MT_PAAS_SDK_PYTHON to a "
    "Python with its requirements, default $MT_PAAS_SDK/.venv/bin/python)",
)

# Runs under the SDK's interpreter: the market client's calls, one result line of JSON.
CLIENT_SCRIPT = r"""
import asyncio, json, sys
import httpx
from mt_paas.market.client import ServiceClient

url, key, tenant, month = sys.argv[1:5]

async def main():
    client = ServiceClient(base_url=url, api_key=key)
    results = []

    async def call(name, coro, ok):
        try:
            value = await coro
            results.append({"call": name, "ok": bool(ok(value)), "status": 200, "answer": value})
        except httpx.HTTPStatusError as exc:
            results.append({"call": name, "ok": False, "status": exc.response.status_code,
                            "answer": exc.response.text[:300]})
        except Exception as exc:
            results.append({"call": name, "ok": False, "status": 0, "answer": f"{type(exc).__name__}: {exc}"})

    activate = lambda: client.activate_tenant(tenant_id=tenant, tenant_name="Interop University", plan="demo",
                                              features=["chat"], contact_email=f"interop@{tenant}.example",
                                              contact_name="Interop")
    await call("health", client.health_check(), lambda v: v.get("status") == "healthy" and "error" not in v)
    await call("activate", activate(), lambda v: v.get("success") is True and v.get("tenant_id") == tenant)
    await call("status", client.get_tenant_status(tenant),
               lambda v: v.get("tenant_id") == tenant and v.get("status") == "active")
    await call("usage", client.get_tenant_usage(tenant, month),
               lambda v: v.get("tenant_id") == tenant and v.get("period") == month)
    await call("deactivate", client.deactivate_tenant(tenant, reason="interop check"),
               lambda v: v.get("success") is True and v.get("status") == "deactivated")
    await call("reactivate", activate(), lambda v: v.get("success") is True and v.get("tenant_id") == tenant)
    await call("status after reactivation", client.get_tenant_status(tenant),
               lambda v: v.get("tenant_id") == tenant and v.get("status") == "active")
    await client.close()
    print(json.dumps(results, default=str))

asyncio.run(main())
"""

OPERATION = {"status": "get_tenant_status", "usage": "get_tenant_usage", "deactivate": "deactivate_tenant",
             "status after reactivation": "get_tenant_status", "activate": "activate_tenant",
             "reactivate": "activate_tenant"}  # fmt: skip


def _client_calls(url: str, tenant: str) -> list[dict]:
    proc = subprocess.run([SDK_PYTHON, "-c", CLIENT_SCRIPT, url, MARKET_KEY, tenant, MONTH], cwd=SDK,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _tester(url: str) -> dict:
    proc = subprocess.run(
        [SDK_PYTHON, "-m", "sandbox.sdk.cli", "test", url, "--api-key", MARKET_KEY, "--webhook-path", WEBHOOK,
         "--json"],
        cwd=SDK, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    text = proc.stdout
    return json.loads(text[text.index("{"):])


def _not_implemented(copy: Path) -> set[str]:
    """What phase 1 reported as answering 501 (from the journal's plan, else from the handler source)."""
    handler = next(copy.rglob("handlers/market_handler.py")).read_text()
    return {op for op in OPERATION.values() if f'NotImplementedOperationError(\n            "{op}"' in handler
            or f'NotImplementedOperationError("{op}"' in handler}  # fmt: skip


def _explained(call: dict, missing: set[str], earlier: list[dict]) -> bool:
    """A failure phase 1 announced: a 501 of an operation it reported, or a consequence of one (reactivating a
    tenant that could not be deactivated, a status that cannot be read)."""
    operation = OPERATION.get(call["call"])
    if call["status"] == 501 and operation in missing:
        return True
    blocked = {"reactivate": "deactivate", "status after reactivation": "deactivate"}.get(call["call"])
    return blocked is not None and any(c["call"] == blocked and not c["ok"] for c in earlier) and (
        call["status"] in (409, 501))


def _report(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False))
    target = os.environ.get("MT_PAAS_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("phase", [1, 2, 3])
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_market_client_and_the_sandbox_tester(name, phase, tmp_path):
    example = EXAMPLES[name]
    copy = migrated_copy(name, phase, tmp_path)
    skip_unless_migrated(copy, name)
    tenant = f"interop_university_{900 + phase}"
    with serve(copy, example, tmp_path / "data", tenant) as url:
        calls = _client_calls(url, tenant)
        tester = _tester(url)
    missing = _not_implemented(copy)
    passed = sum(c["ok"] for c in calls)
    summary = tester["summary"]
    _report({"example": name, "phase": phase, "client": f"{passed}/{len(calls)}",
             "tester": f"{summary['passed']}/{summary['total']}",
             "failed_calls": {c["call"]: c["status"] for c in calls if not c["ok"]},
             "failed_checks": [t["name"] for t in tester["tests"] if not t["passed"]],
             "phase1_not_implemented": sorted(missing)})  # fmt: skip
    assert summary["passed"] == summary["total"] == 5, tester["tests"]
    if example.tenant_env:  # the client's contact claimed the deployment: the tester's applicants got no tenant
        reuse = next(t for t in tester["tests"] if "first_tenant" in t)
        assert (reuse["first_tenant"], reuse["second_tenant"]) == (None, None), reuse
    unexplained = [c for i, c in enumerate(calls) if not c["ok"] and not _explained(c, missing, calls[:i])]
    assert not unexplained, unexplained
    if os.environ.get("MT_PAAS_STRICT") == "1":
        assert passed == len(calls) == 7, calls
    assert sys.version_info >= (3, 10)
