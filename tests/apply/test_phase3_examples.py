"""Fresh copies of both examples taken through `migrator apply` phases 1 → 2 → 3 (the acceptance of phases 2 and 3).

A module fixture migrates each copy to phase 2, records the phase-1 answers, and starts the example's own legacy
tests on a copy of the phase-2 tree in a subprocess (both run while the in-process checks do); the tests then check
phase 2 on one copy and apply phase 3 to another (advisor plainly, llm_chatbot with `--gone`).
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from migrator.apply import plan_phase, write_phase
from migrator.testing.headers import parse_deprecation, parse_link, parse_sunset
from shims.deprecation import (
    CallCounter,
    CallRecord,
    set_default_counter,
)

REPO = Path(__file__).resolve().parents[2]
PHASE1 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
PHASE2 = datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc)
PHASE3 = datetime(2027, 1, 5, 10, 0, tzinfo=timezone.utc)
SERVICE_NOW = "2026-11-20T15:00:00"
KEY = "mt_dev_key_12345"  # advisor's development X-API-Key: the alias router gets the same key as the legacy routes


@dataclass(frozen=True)
class Example:
    name: str
    package: str
    app: str
    env: dict
    tenant: str
    gone: bool
    modules_gone: tuple[str, ...]
    handler: str


EXAMPLES = {
    "advisor": Example("advisor", "advisor", "advisor.server",
                       {"ADVISOR_DATA_DIR": "{data}", "ADVISOR_NOW": SERVICE_NOW},
                       "seoul_national_university_101", False,
                       ("advisor/routers/marketplace.py", "advisor/routers/tenant.py", "advisor/routers/dashboard.py"),
                       "advisor/handlers/market_handler.py"),
    "llm_chatbot": Example("llm_chatbot", "llm_chatbot", "llm_chatbot.main",
                           {"LLM_CHATBOT_DB": "{data}/chatbot.db", "LLM_CHATBOT_NOW": SERVICE_NOW},
                           "yonsei_university_201", True,
                           ("llm_chatbot/api/provision.py", "llm_chatbot/api/admin/settings.py"),
                           "llm_chatbot/handlers/market_handler.py"),
}


def forget(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


@contextmanager
def serving(root: Path, example: Example, data: Path, monkeypatch):
    """The example app of `root` with its data in `data` (seeded on start-up): (client, credentials)."""
    for name, value in example.env.items():
        monkeypatch.setenv(name, value.format(data=data))
    monkeypatch.setenv("MARKET_API_KEY", KEY)
    data.mkdir(parents=True, exist_ok=True)
    forget(example.package)
    sys.path.insert(0, str(root))
    try:
        app = importlib.import_module(example.app).app
        with TestClient(app) as client:
            yield client, importlib.import_module(f"{example.package}.seed").demo_credentials()
    finally:
        sys.path.remove(str(root))
        forget(example.package)


def journal(root: Path) -> dict:
    return json.loads((root / ".migrator" / "journal.json").read_text(encoding="utf-8"))


def legacy_gets(root: Path, creds: dict, tenant: str) -> list[tuple[tuple[str, str], str, dict]]:
    """(route, url, headers) of every mapped legacy GET route, called as a legacy admin of `tenant`."""
    user_id = str(creds[tenant]["admin_user_id"])
    headers = {"Authorization": f"Bearer {creds[tenant]['admin_token']}", "X-Tenant-ID": tenant}
    return [(("GET", r["path"]), r["path"].replace("{user_id}", user_id), headers) for r in journal(root)["routes"]
            if r["methods"] == ["GET"] and r["state"] in ("moved", "deprecated") and r["path"].startswith("/admin")]


def kept_calls(tenant: str, user_id: str) -> list[tuple[str, dict]]:
    """Standard and Service Market alias calls: phase 3 must leave their answers as phase 1 gave them."""
    std, alias = {"X-Market-API-Key": KEY}, {"X-API-Key": KEY}
    return [(f"/mt/tenant/{tenant}/stats?period=7d", std), (f"/mt/tenant/{tenant}/stats/costs?period=30d", std),
            (f"/mt/tenant/{tenant}/stats/top-users?period=30d&limit=5", std),
            (f"/mt/tenant/{tenant}/users?limit=5", std), (f"/mt/tenant/{tenant}/users/{user_id}", std),
            (f"/mt/tenant/{tenant}/status", std), (f"/mt/tenant/{tenant}/settings", std),
            (f"/mt/tenant/{tenant}/stats", std), ("/mt/tenant/nope/status", std),
            ("/api/tenant/list", alias), (f"/api/tenant/status/{tenant}", alias),
            (f"/api/tenant/stats/{tenant}?period=7d", alias), (f"/api/tenant/users/{tenant}?limit=3", alias)]


def answers(client, calls) -> list[tuple[int, object]]:
    return [(r.status_code, r.json()) for r in (client.get(url, headers=h) for url, h in calls)]


def ruff_findings(root: Path) -> set[tuple[str, str, str]]:
    ruff = Path(sys.executable).parent / "ruff"
    out = subprocess.run([str(ruff), "check", "--select", "F", "--output-format", "json", "--no-cache", "."],
                         cwd=root, capture_output=True, text=True, check=False)
    return {(Path(f["filename"]).relative_to(root.resolve()).as_posix(), f["code"], f["message"])
            for f in json.loads(out.stdout or "[]")}


@dataclass
class Run:
    phase2: Path  # migrated to phase 2 (checked in process)
    phase3: Path  # a copy of the phase-2 tree that the phase-3 test migrates further
    legacy: subprocess.Popen  # the example's own tests on a third copy of the phase-2 tree
    ruff_before: set
    phase1_legacy: list
    phase1_kept: list


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ruff_cache", "data", "*.db")
    result: dict[str, Run] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MIGRATOR_DEPRECATION_LOG", raising=False)
        set_default_counter(CallCounter())
        for name, example in EXAMPLES.items():
            base = tmp_path_factory.mktemp(name)
            root = base / "phase2"
            shutil.copytree(REPO / "examples" / name, root, ignore=ignore)
            ruff_before = ruff_findings(root)
            write_phase(root, plan_phase(root, 1, now=PHASE1))
            with serving(root, example, base / "data1", mp) as (client, creds):
                legacy = [(route, client.get(url, headers=h)) for route, url, h in legacy_gets(root, creds,
                                                                                                example.tenant)]
                kept = answers(client, kept_calls(example.tenant, str(creds[example.tenant]["admin_user_id"])))
            write_phase(root, plan_phase(root, 2, now=PHASE2))
            shutil.copytree(root, base / "phase3", ignore=ignore)
            shutil.copytree(root, base / "legacy", ignore=ignore)
            proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                     "-W", "ignore::DeprecationWarning", "tests"],
                                    cwd=base / "legacy", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            result[name] = Run(root, base / "phase3", proc, ruff_before,
                               [(route, r.status_code, r.json(), dict(r.headers)) for route, r in legacy], kept)
    set_default_counter(None)
    yield result
    for run in result.values():
        if run.legacy.poll() is None:
            run.legacy.kill()


@pytest.fixture(autouse=True)
def _counter():
    counter = CallCounter()
    set_default_counter(counter)
    yield counter
    set_default_counter(None)


@pytest.mark.parametrize("name", EXAMPLES)
def test_phase_2_on_the_example(name, runs, tmp_path, monkeypatch, _counter):
    run, example = runs[name], EXAMPLES[name]
    deprecated = {(r["methods"][0], r["path"]): r for r in journal(run.phase2)["routes"] if r["state"] == "deprecated"}
    assert deprecated, "phase 2 deprecated nothing"
    with serving(run.phase2, example, tmp_path / "data", monkeypatch) as (client, creds):
        spec = client.get("/openapi.json").json()
        marked = {(m.upper(), p) for p, ops in spec["paths"].items() for m, op in ops.items() if op.get("deprecated")}
        assert marked == set(deprecated)
        assert {op["x-sunset"] for ops in spec["paths"].values() for op in ops.values()
                if op.get("deprecated")} == {"2026-12-23"}
        for route, status, body, headers in run.phase1_legacy:
            url = route[1].replace("{user_id}", str(creds[example.tenant]["admin_user_id"]))
            auth = {"Authorization": f"Bearer {creds[example.tenant]['admin_token']}", "X-Tenant-ID": example.tenant}
            with pytest.warns(DeprecationWarning):
                answer = client.get(url, headers=auth)
            assert (answer.status_code, answer.json()) == (status, body), route
            assert set(answer.headers) - set(headers) == {"deprecation", "sunset", "link"}, route
            assert parse_deprecation(answer.headers["deprecation"]) == datetime(2026, 12, 9, tzinfo=timezone.utc)
            assert parse_sunset(answer.headers["sunset"]) == datetime(2026, 12, 23, tzinfo=timezone.utc)
            (link,) = parse_link(answer.headers["link"])
            successor = deprecated[route]["standard_path"]
            assert link.url == successor.replace("{tenant_id}", example.tenant).replace(
                "{user_id}", str(creds[example.tenant]["admin_user_id"])) and link.rel == "successor-version"
        usage = client.get("/mt/deprecations", headers={"X-Market-API-Key": KEY}).json()
        assert usage["total"] == len(run.phase1_legacy) == _counter.total()
        assert set(usage["calls"]) == {f"GET {route[1]}" for route, *_ in run.phase1_legacy}


@pytest.mark.parametrize("name", EXAMPLES)
def test_phase_3_on_the_example(name, runs, tmp_path, monkeypatch):
    run, example = runs[name], EXAMPLES[name]
    root = run.phase3
    removed = {(r["methods"][0], r["path"]) for r in journal(root)["routes"] if r["state"] == "deprecated"}
    calls = root / ".migrator" / "deprecation-calls.jsonl"
    calls.write_text(CallRecord(ts=datetime(2026, 12, 10, tzinfo=timezone.utc), route="GET /admin/dashboard",
                                caller="ip:10.0.0.9").model_dump_json() + "\n")
    result = plan_phase(root, 3, now=PHASE3, gone=example.gone)
    assert result.details["forced"] == [] and result.manual == []
    write_phase(root, result)
    for module in example.modules_gone:
        assert not (root / module).exists(), module
    assert (root / example.handler).exists()
    assert ruff_findings(root) - run.ruff_before == set()
    states = {(r["methods"][0], r["path"]): r["state"] for r in journal(root)["routes"]}
    assert {k for k, v in states.items() if v in ("removed", "gone")} == removed
    with serving(root, example, tmp_path / "data", monkeypatch) as (client, creds):
        user_id = str(creds[example.tenant]["admin_user_id"])
        auth = {"Authorization": f"Bearer {creds[example.tenant]['admin_token']}", "X-Tenant-ID": example.tenant}
        for method, path in sorted(removed):
            answer = client.request(method, path.replace("{user_id}", user_id), headers=auth)
            assert answer.status_code == (410 if example.gone else 404), (method, path)
            if example.gone:
                assert parse_link(answer.headers["link"])[0].rel == "successor-version"
        assert answers(client, kept_calls(example.tenant, user_id)) == run.phase1_kept
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_legacy_tests_pass_after_phase_2(name, runs):
    proc = runs[name].legacy
    output, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, output[-3000:]
    assert " passed" in output
