"""A handler built on the shims base runs on mt_paas's own router (`create_standard_router_v2`), and mt_paas's own
router tests pass against the shims router with only the factory and handler-base imports changed.

Both run under the SDK's interpreter (env ``MT_PAAS_SDK``, ``MT_PAAS_SDK_PYTHON``) with this repository on
``PYTHONPATH``; skipped without a checkout, like tests/interop/test_mt_paas_sdk.py.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from .harness import REPO
from .test_mt_paas_sdk import SDK, SDK_PYTHON, pytestmark  # noqa: F401  (the same skip condition)

# Runs under the SDK's interpreter: the reference handler (a shims StandardAPIHandler) on mt_paas's router.
ON_SDK_ROUTER = r"""
import json, os
os.environ["MARKET_API_KEY"] = "sdk-router-key"
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mt_paas.standard_api import create_standard_router_v2
from migrator.testing.reference import InMemoryHandler
from shims.standard_api import StandardAPIHandler


class Generated(InMemoryHandler):
    check_health = StandardAPIHandler.check_health  # what a phase-1 handler inherits (the reference stamps its clock)


app = FastAPI()
app.include_router(create_standard_router_v2(Generated()))
client = TestClient(app, raise_server_exceptions=False)
key = {"X-Market-API-Key": "sdk-router-key"}
t = "hallym_univ"
out = {}
for name, method, path, body in [
    ("health", "GET", "/mt/health", None),
    ("status", "GET", f"/mt/tenant/{t}/status", None),
    ("usage", "GET", f"/mt/tenant/{t}/usage?period=2026-11", None),
    ("stats", "GET", f"/mt/tenant/{t}/stats?period=30d", None),
    ("costs of a month", "GET", f"/mt/tenant/{t}/stats/costs?period=2026-11", None),
    # mt_paas's UserInfo knows neither "instructor" nor "pending" (shims extras): list its roles only
    ("users", "GET", f"/mt/tenant/{t}/users?role=admin", None),
    ("unknown tenant", "GET", "/mt/tenant/nope/stats", None),
    ("unknown tenant status", "GET", "/mt/tenant/nope/status", None),
    ("unknown user", "GET", f"/mt/tenant/{t}/users/nobody", None),
    ("duplicate user", "POST", f"/mt/tenant/{t}/users", {"email": "minji.kim@hallym.ac.kr", "name": "x"}),
    ("existing tenant", "POST", f"/mt/tenant/{t}/activate",
     {"tenant_id": t, "tenant_name": "x", "plan": "p", "features": [], "contact": {"email": "a@b.c", "name": "n"}}),
]:
    response = client.request(method, path, json=body, headers=key)
    out[name] = [response.status_code, response.json()]
print(json.dumps(out))
"""


def _sdk(*args: str, cwd: str | Path = SDK) -> subprocess.CompletedProcess:
    return subprocess.run([SDK_PYTHON, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})  # fmt: skip


def test_a_shims_handler_runs_on_the_sdk_router():
    proc = _sdk("-c", ON_SDK_ROUTER)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["health"][0] == 200 and out["health"][1]["status"] == "healthy"
    for name in ("status", "usage", "stats", "costs of a month", "users"):
        assert out[name][0] == 200, (name, out[name])
    for name, status, code in [("unknown tenant", 404, "TENANT_NOT_FOUND"), ("unknown tenant status", 404,
                               "TENANT_NOT_FOUND"), ("unknown user", 404, "USER_NOT_FOUND"),
                               ("duplicate user", 409, "USER_EXISTS"), ("existing tenant", 409, "TENANT_EXISTS")]:
        assert out[name][0] == status, (name, out[name])
        assert out[name][1]["detail"]["error"] == code, (name, out[name])


#: the only edit: mt_paas's router factory and handler base become the shims ones (docs/mt_paas.md)
IMPORT_EDITS = [
    (r"from mt_paas\.standard_api import create_standard_router_v2, StandardAPIHandlerV2$",
     "from shims.standard_api import create_standard_router as create_standard_router_v2, "
     "StandardAPIHandler as StandardAPIHandlerV2"),
    (r"from mt_paas\.standard_api import StandardAPIHandler, StandardAPIHandlerV2$",
     "from shims.standard_api import StandardAPIHandler, StandardAPIHandler as StandardAPIHandlerV2"),
    (r"from mt_paas\.standard_api import StandardAPIHandlerV2$",
     "from shims.standard_api import StandardAPIHandler as StandardAPIHandlerV2"),
]  # fmt: skip
ROUTER_TESTS = ("test_integration_v2.py", "test_standard_api_v2.py")


def test_the_sdk_router_tests_pass_against_the_shims_router(tmp_path):
    edited = 0
    for name in ROUTER_TESTS:
        text = (Path(SDK) / "tests" / name).read_text(encoding="utf-8")
        for pattern, replacement in IMPORT_EDITS:
            text, count = re.subn(pattern, replacement, text, flags=re.M)
            edited += count
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert edited >= 5  # the imports of the handler base and the router factory
    proc = _sdk("-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"\b49 passed\b", proc.stdout), proc.stdout[-500:]
