"""Fresh copies of both examples through `migrator apply --phase 1` (the acceptance of phase 1).

A module fixture copies each example, records its `ruff --select F` findings, applies phase 1 in process and starts
the example's own legacy tests on the copy in a subprocess (they run while the in-process checks do).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from migrator.apply import plan_phase, write_phase
from migrator.cli import app as cli_app
from migrator.journal import load_journal
from shims import adapters

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-20T15:00:00"
MARKET_KEY = "phase1-test-market-key"
APPLIED = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Example:
    name: str
    package: str
    app_module: str
    env: dict
    tenants: tuple[str, ...]
    manual: dict  # function -> fragment of the reason it stays


EXAMPLES = {
    "advisor": Example(
        "advisor", "advisor", "advisor.server", {"ADVISOR_DATA_DIR": "{data}", "ADVISOR_NOW": NOW},
        ("seoul_national_university_101", "hallym_university_102", "korea_university_103", "kaist_104"),
        {"remove_admin": "caller's identity"},
    ),
    "llm_chatbot": Example(
        "llm_chatbot", "llm_chatbot", "llm_chatbot.main", {"LLM_CHATBOT_DB": "{data}/chatbot.db", "LLM_CHATBOT_NOW": NOW},
        ("yonsei_university_201", "postech_202", "pusan_national_university_203"),
        {"suspend_user": "BackgroundTasks"},
    ),
}


def _copy(name: str, dest: Path) -> Path:
    shutil.copytree(REPO / "examples" / name, dest,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    return dest


def _ruff(folder: Path) -> set[tuple[str, str]]:
    """(file, code) of every `ruff check --select I,F` finding (line numbers move when code moves)."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "I,F", "--no-cache", "--output-format",
                           "json", "."],
                          cwd=folder, capture_output=True, text=True)
    return {(str(Path(item["filename"]).relative_to(folder)), item["code"]) for item in json.loads(proc.stdout or "[]")}


@dataclass
class Migrated:
    example: Example
    original: Path
    copy: Path
    result: object
    ruff_before: set
    legacy_tests: subprocess.Popen


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def migrated(request, tmp_path_factory):
    example = EXAMPLES[request.param]
    base = tmp_path_factory.mktemp(f"phase1-{example.name}")
    original = _copy(example.name, base / "original")
    copy = _copy(example.name, base / "copy")
    ruff_before = _ruff(original)
    result = plan_phase(copy, 1, now=APPLIED)
    write_phase(copy, result)
    legacy = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=copy,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield Migrated(example, original, copy, result, ruff_before, legacy)
    if legacy.poll() is None:
        legacy.kill()
        legacy.communicate()


@contextmanager
def _client(migrated: Migrated, tmp_path: Path, monkeypatch):
    """The migrated app in this process, on freshly seeded data; sys.modules and env are restored afterwards."""
    example = migrated.example
    data = tmp_path / "data"
    for key, value in example.env.items():
        monkeypatch.setenv(key, value.format(data=data))
    monkeypatch.setenv("MARKET_API_KEYS", MARKET_KEY)
    saved = {n: m for n, m in sys.modules.items() if n == example.package or n.startswith(example.package + ".")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(migrated.copy))
    try:
        seed = importlib.import_module(f"{example.package}.seed")
        seed.reset()
        app = importlib.import_module(example.app_module).app
        with TestClient(app) as client:
            yield client, seed.demo_credentials()
    finally:
        sys.path.remove(str(migrated.copy))
        for name in [n for n in sys.modules if n == example.package or n.startswith(example.package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


def _admin(creds: dict, tenant: str) -> dict:
    return {"Authorization": f"Bearer {creds[tenant]['admin_token']}", "X-Tenant-ID": tenant}


MARKET = {"X-Market-API-Key": MARKET_KEY}


# --- the legacy surface is unchanged ----------------------------------------------------------------------------


def test_the_examples_own_legacy_tests_pass_unchanged(migrated):
    output, _ = migrated.legacy_tests.communicate(timeout=900)
    assert migrated.legacy_tests.returncode == 0, output[-3000:]
    assert " passed" in output
    # the tests themselves are the ones shipped with the example
    for test in (migrated.original / "tests").glob("*.py"):
        assert (migrated.copy / "tests" / test.name).read_bytes() == test.read_bytes()


def test_ruff_reports_nothing_new(migrated):
    assert _ruff(migrated.copy) - migrated.ruff_before == set()


def _generated_modules(migrated: Migrated) -> list[Path]:
    journal = load_journal(migrated.copy)
    return [migrated.copy / journal.handler.file, *(migrated.copy / f for f in journal.services)]


def test_moved_routes_are_thin_delegates_to_public_service_functions(migrated):
    # (the layout changed by design in issue 10: the logic lives in services/legacy_<router>.py, not in the handler)
    journal = load_journal(migrated.copy)
    moved = [r for r in journal.routes if r.state in ("moved", "alias")]
    assert len(moved) >= 12
    for route in moved:
        tree = ast.parse((migrated.copy / route.file).read_text())
        name = route.function.rsplit(".", 1)[1]
        func = next(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)
        body = [s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        assert len(body) == 1 and isinstance(body[0], ast.Return), f"{route.file}:{name} is not a delegate"
        source = ast.unparse(body[0])
        service, function = route.service.split(":")
        assert f"{service.rsplit('.', 1)[1]}.{function}(" in source and "SELECT" not in source, source


def test_the_service_modules_hold_the_logic_as_plain_typed_functions(migrated):
    journal = load_journal(migrated.copy)
    assert journal.services and all(f.split("/")[-1].startswith("legacy_") for f in journal.services)
    code = "".join((migrated.copy / f).read_text() for f in journal.services)
    assert "SELECT" in code
    for path in journal.services:
        module = ast.parse((migrated.copy / path).read_text())
        assert ast.get_docstring(module)
        functions = {n.name: n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for route in journal.routes:
            if route.service and route.service.startswith(module_name(path) + ":"):
                func = functions[route.service.split(":")[1]]
                assert not func.decorator_list and not func.args.args, ast.unparse(func.args)
                assert all(a.annotation is not None for a in func.args.kwonlyargs), route.function
    # multi-line SQL keeps its text: every line of a moved string is a line of the original
    legacy_lines = {line for path in migrated.original.rglob("*.py") for line in path.read_text().splitlines()}
    for path in journal.services:
        lines = (migrated.copy / path).read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(ast.Module(body=tree.body[1:], type_ignores=[])):  # the module docstring is new
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
                for line in lines[node.lineno:node.end_lineno]:  # the string's lines after its first
                    assert line in legacy_lines or not line.strip(), (path, line)


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def test_the_handler_is_a_thin_adapter_and_routers_import_no_private_generated_name(migrated):
    journal = load_journal(migrated.copy)
    code = (migrated.copy / journal.handler.file).read_text()
    module = ast.parse(code)
    assert ast.get_docstring(module), "the generated handler module has a docstring"
    assert "SELECT" not in code and "class " + journal.handler.class_ + "(StandardAPIHandler)" in code
    classes = [n for n in module.body if isinstance(n, ast.ClassDef)]
    assert [c.name for c in classes] == [journal.handler.class_]
    for method in classes[0].body:
        if isinstance(method, ast.AsyncFunctionDef):
            assert method.returns is not None and all(a.annotation for a in method.args.args[1:]), method.name
            assert not method.name.startswith("legacy_")
    assert all(line == line.rstrip() for line in code.splitlines())
    generated = {module_name(f) for f in [journal.handler.file, *journal.services]}
    for path in migrated.copy.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in generated:
                assert not any(a.name.startswith("_") for a in node.names), (path, ast.unparse(node))
    for path in _generated_modules(migrated):
        assert "migrator" not in path.read_text().lower(), f"{path} tells its reader about migrator"


def test_routes_that_need_a_person_are_left_untouched_and_reported(migrated):
    reported = {step.route: step for step in migrated.result.manual}
    for function, fragment in migrated.example.manual.items():
        step = next(s for s in migrated.result.manual if fragment in s.reason)
        file, line = step.where.rsplit(":", 1)
        original = ast.parse((migrated.original / file).read_text())
        copy = ast.parse((migrated.copy / file).read_text())
        before = next(n for n in original.body if getattr(n, "name", None) == function)
        after = next(n for n in copy.body if getattr(n, "name", None) == function)
        assert ast.dump(before) == ast.dump(after)
        assert int(line) == before.lineno
    assert reported


def test_second_run_is_a_no_op_and_check_passes(migrated):
    snapshot = {p: p.read_bytes() for p in migrated.copy.rglob("*.py")}
    runner = CliRunner()
    check = runner.invoke(cli_app, ["apply", "--phase", "1", "--check", str(migrated.copy)])
    assert check.exit_code == 0, check.output
    again = runner.invoke(cli_app, ["apply", "--phase", "1", str(migrated.copy)])
    assert again.exit_code == 0 and "nothing to change" in again.output
    assert {p: p.read_bytes() for p in migrated.copy.rglob("*.py")} == snapshot


def test_check_on_the_original_reports_pending_changes(migrated):
    result = CliRunner().invoke(cli_app, ["apply", "--phase", "1", "--check", str(migrated.original)])
    assert result.exit_code == 1
    assert "would change" in result.output
    assert not (migrated.original / ".migrator").exists()


# --- the standard API serves the same logic ---------------------------------------------------------------------


def test_standard_reads_equal_the_adapters_applied_to_legacy_answers(migrated, tmp_path, monkeypatch):
    with _client(migrated, tmp_path, monkeypatch) as (client, creds):
        for tenant in migrated.example.tenants:
            legacy = _admin(creds, tenant)
            mt = f"/mt/tenant/{tenant}"
            for period, days in (("7d", 7), ("30d", 30)):
                dashboard = client.get("/admin/dashboard", headers=legacy).json()
                costs = client.get(f"/admin/dashboard/costs?days={days}", headers=legacy).json()
                stats = client.get(f"{mt}/stats?period={period}", headers=MARKET)
                assert stats.status_code == 200
                assert stats.json() == adapters.stats_from_dashboard(tenant, period, dashboard, costs).model_dump(
                    mode="json")
                assert stats.json()["summary"]["total_messages"] > 0
                assert client.get(f"{mt}/stats/costs?period={period}", headers=MARKET).json() == \
                    adapters.costs_from_legacy(tenant, period, costs).model_dump(mode="json")
                patterns = client.get(f"/admin/dashboard/usage-patterns?days={days}", headers=legacy).json()
                assert client.get(f"{mt}/stats/usage-patterns?period={period}", headers=MARKET).json() == \
                    adapters.usage_patterns_from_legacy(tenant, period, patterns).model_dump(mode="json")
                top = client.get(f"/admin/dashboard/top-users?days={days}&limit=5", headers=legacy).json()
                assert client.get(f"{mt}/stats/top-users?period={period}&limit=5", headers=MARKET).json() == \
                    adapters.top_users_from_legacy(tenant, period, top).model_dump(mode="json")
            for page, limit in ((1, 20), (3, 7)):
                users = client.get(f"/admin/users?page={page}&limit={limit}", headers=legacy).json()
                standard = client.get(f"{mt}/users?limit={limit}&offset={(page - 1) * limit}", headers=MARKET).json()
                expected = adapters.users_list_from_legacy(tenant, users["users"], users["total"], limit,
                                                           (page - 1) * limit)
                assert standard == expected.model_dump(mode="json")
            first = users["users"][0]["id"]
            detail = client.get(f"/admin/users/{first}", headers=legacy).json()
            assert client.get(f"{mt}/users/{first}", headers=MARKET).json() == \
                adapters.user_from_legacy(detail).model_dump(mode="json")
            if migrated.example.name == "advisor":
                status = client.get(f"/api/tenant/status/{tenant}", headers={"X-API-Key": "mt_dev_key_12345"}).json()
                assert client.get(f"{mt}/status", headers=MARKET).json() == \
                    adapters.status_from_legacy(status).model_dump(mode="json")
            else:
                settings = client.get("/admin/settings", headers=legacy).json()
                assert client.get(f"{mt}/settings", headers=MARKET).json() == \
                    adapters.settings_from_legacy(settings).model_dump(mode="json")


def test_users_crud_through_the_standard_api_is_visible_to_the_legacy_api(migrated, tmp_path, monkeypatch):
    with _client(migrated, tmp_path, monkeypatch) as (client, creds):
        tenant = migrated.example.tenants[0]
        mt = f"/mt/tenant/{tenant}/users"
        created = client.post(mt, json={"email": "crud.check@example.ac.kr", "name": "Crud Check"}, headers=MARKET)
        assert created.status_code == 201, created.text
        user_id = created.json()["user_id"]
        assert created.json()["temporary_password"] is True
        legacy = client.get(f"/admin/users/{user_id}", headers=_admin(creds, tenant))
        assert legacy.status_code == 200 and legacy.json()["email"] == "crud.check@example.ac.kr"
        duplicate = client.post(mt, json={"email": "crud.check@example.ac.kr", "name": "Again"}, headers=MARKET)
        assert duplicate.status_code == 409
        assert duplicate.json()["detail"]["error"] == "USER_EXISTS"
        updated = client.put(f"{mt}/{user_id}", json={"name": "Renamed", "status": "suspended"}, headers=MARKET)
        assert updated.status_code == 200 and updated.json()["name"] == "Renamed"
        assert updated.json()["status"] == "suspended"
        assert client.get(f"/admin/users/{user_id}", headers=_admin(creds, tenant)).json()["is_active"] is False
        assert client.delete(f"{mt}/{user_id}", headers=MARKET).json()["success"] is True
        missing = client.get(f"{mt}/{user_id}", headers=MARKET)
        assert missing.status_code == 404 and missing.json()["detail"]["error"] == "USER_NOT_FOUND"
        assert client.get(f"{mt}/999999", headers=MARKET).status_code == 404
        assert client.get("/mt/tenant/no_such_tenant/users", headers=MARKET).json()["detail"]["error"] == \
            "TENANT_NOT_FOUND"


def test_market_key_guards_mt_and_legacy_routes_keep_their_own_auth(migrated, tmp_path, monkeypatch):
    with _client(migrated, tmp_path, monkeypatch) as (client, creds):
        tenant = migrated.example.tenants[0]
        assert client.get(f"/mt/tenant/{tenant}/stats").status_code == 401
        assert client.get(f"/mt/tenant/{tenant}/stats", headers={"X-Market-API-Key": "wrong"}).status_code == 401
        assert client.get(f"/mt/tenant/{tenant}/stats", headers=MARKET).status_code == 200
        assert client.get("/mt/health").status_code == 200
        # the market key opens nothing on the legacy side
        assert client.get("/admin/dashboard", headers={**MARKET, "X-Tenant-ID": tenant}).status_code == 401
        assert client.get("/admin/dashboard", headers=_admin(creds, tenant)).status_code == 200


def test_operations_without_legacy_logic_answer_501(migrated, tmp_path, monkeypatch):
    # (usage, status and deactivate answered 501 before the lifecycle plan: they are implemented now, see below)
    from migrator.planner import make_plan
    from shims import spec

    unimplemented = make_plan(migrated.original, estimate=False).plan.unimplemented_operations
    assert set(migrated.result.not_implemented) <= set(unimplemented)
    with _client(migrated, tmp_path, monkeypatch) as (client, creds):
        tenant = migrated.example.tenants[0]
        for op in unimplemented:
            if op in ("list_tenants", "get_tenant_summary") or spec.BY_NAME[op].method != "GET":
                continue
            path = spec.BY_NAME[op].path.replace("{tenant_id}", tenant)
            answer = client.get(path, headers=MARKET)
            assert answer.status_code == 501 and answer.json()["detail"]["error"] == "NOT_IMPLEMENTED", op


def test_the_lifecycle_operations_are_served_from_the_legacy_data(migrated, tmp_path, monkeypatch):
    """Usage of a month is the legacy dashboard's row of that month; a new tenant is created with exactly its id,
    deactivated in the legacy registry (the legacy status route says so too) and reactivated by its contact only."""
    tenant = migrated.example.tenants[0]
    new = "lifecycle_university_811"
    body = {"tenant_id": new, "tenant_name": "Lifecycle University", "plan": "demo", "features": ["chat"],
            "config": {}, "contact": {"email": "owner@lifecycle.example", "name": "Owner"}}
    with _client(migrated, tmp_path, monkeypatch) as (client, creds):
        dashboard = client.get("/admin/dashboard", headers=_admin(creds, tenant)).json()
        row = next(r for r in dashboard["monthly_user_trend"] if r["month"] == "2026-10")
        usage = client.get(f"/mt/tenant/{tenant}/usage?period=2026-10", headers=MARKET).json()
        assert usage["usage"]["api_calls"] == row["messages"] > 0 and usage["usage"]["ai_tokens"] == row["tokens"]
        assert usage["usage"]["active_users"] == row["users"] and usage["period"] == "2026-10"
        assert client.get(f"/mt/tenant/{tenant}/usage?period=2026-13", headers=MARKET).status_code == 400
        assert client.get("/mt/tenant/nobody_1/usage?period=2026-10", headers=MARKET).status_code == 404
        created = client.post(f"/mt/tenant/{new}/activate", json=body, headers=MARKET)
        assert created.status_code == 200 and created.json()["tenant_id"] == new
        assert client.get(f"/mt/tenant/{new}/status", headers=MARKET).json()["status"] == "active"
        gone = client.post(f"/mt/tenant/{new}/deactivate", json={"reason": "test"}, headers=MARKET)
        assert gone.status_code == 200 and gone.json()["status"] == "deactivated"
        assert client.get(f"/mt/tenant/{new}/status", headers=MARKET).json()["status"] == "deactivated"
        legacy_status = client.get(f"/api/tenant/status/{new}", headers={"X-API-Key": MARKET_KEY})
        if legacy_status.status_code == 200:  # the Service Market's status path reads the same registry row
            assert legacy_status.json()["status"] == "deactivated"
        other = {**body, "contact": {"email": "someone@else.example", "name": "Else"}}
        refused = client.post(f"/mt/tenant/{new}/activate", json=other, headers=MARKET)
        assert refused.status_code == 409 and refused.json()["detail"]["error"] == "TENANT_EXISTS"
        again = client.post(f"/mt/tenant/{new}/activate", json=body, headers=MARKET)
        assert again.status_code == 200 and again.json()["tenant_id"] == new
        assert client.get(f"/mt/tenant/{new}/status", headers=MARKET).json()["status"] == "active"
        assert client.post(f"/mt/tenant/{new}/activate", json=body, headers=MARKET).status_code == 409  # active
        unknown = client.post("/mt/tenant/nobody_1/deactivate", json={"reason": "x"}, headers=MARKET)
        assert unknown.status_code == 404


def test_the_journal_records_phase_1(migrated):
    journal = load_journal(migrated.copy)
    assert journal.current_phase == 1
    entry = journal.entry(1)
    assert entry.applied_at.startswith("2026-11-25")
    assert journal.handler.file in entry.files
    assert os.path.exists(migrated.copy / journal.handler.file)


def test_the_conformance_suite_passes_on_what_the_legacy_service_has_logic_for(migrated, tmp_path, monkeypatch):
    from migrator.conformance.suite import CheckStatus, run_conformance
    from shims.standard_api import StandardAPIHandler

    suites = ["dashboard", "users"] + (["settings"] if migrated.example.name == "llm_chatbot" else [])
    with _client(migrated, tmp_path, monkeypatch) as (client, _):
        tenant = migrated.example.tenants[0]
        for suite in suites:
            report = run_conformance(client, api_key=MARKET_KEY, suite=suite, tenant_id=tenant)
            assert report.ok, [(c.name, c.reason) for c in report.failures()]
        full = run_conformance(client, api_key=MARKET_KEY, suite="full", tenant_id=tenant)
    # the full suite fails nothing; what it counts as "not implemented" is exactly what phase 1 reported as having no
    # legacy logic (a 501), and the checks that need such an operation are skipped; the lifecycle operations are all
    # served (from the legacy registry, routes and dashboard series), so none of them is among those
    assert full.ok, [(c.name, c.reason) for c in full.failures()]
    not_implemented = [c for c in full.checks if c.status is CheckStatus.NOT_IMPLEMENTED]
    assert not any(c.suite == "lifecycle" for c in not_implemented), not_implemented
    optional = {name for name, member in vars(StandardAPIHandler).items()
                if callable(member) and not getattr(member, "__isabstractmethod__", False)}  # fmt: skip
    for check in not_implemented:
        assert "501 Not Implemented" in check.reason, (check.name, check.reason)
        named = {op for op in (*migrated.result.not_implemented, *optional) if f"'{op}'" in check.reason}
        assert named, (check.name, check.reason)
    assert set(full.mandatory_not_implemented) <= set(migrated.result.not_implemented)


def test_a_file_of_the_app_that_does_not_parse_stops_phase_1_and_nothing_is_written(tmp_path):
    copy = _copy("advisor", tmp_path / "advisor")
    users = copy / "advisor" / "routers" / "users.py"
    users.write_text(users.read_text() + "\ndef broken(:\n")
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli_app, ["apply", "--phase", "1", str(copy)])
    assert result.exit_code == 2
    assert "advisor/routers/users.py: syntax error at line" in result.output
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
