"""`migrator apply --phase 3` on the `svc` fixture after phase 2: the guards, the removal, the 410 stubs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from codemods.tests.phase23_repo_cases import DEPRECATED, JOURNAL, load_app, write_repo
from migrator.apply import ApplyError, plan_phase, write_phase
from migrator.testing.headers import parse_link
from shims.deprecation import CallCounter, CallRecord, set_default_counter

PHASE2 = datetime(2026, 12, 9, 9, 30, tzinfo=timezone.utc)  # Sunset 2026-12-23
AFTER_SUNSET = datetime(2027, 1, 5, 12, 0, tzinfo=timezone.utc)
MARKET_KEY = "fixture-market-key"
ADMIN = {"Authorization": "Bearer fixture-admin-token", "X-Tenant-ID": "t1"}
STANDARD = {"X-Market-API-Key": MARKET_KEY}
STANDARD_CALLS = ["/mt/tenant/hallym_univ/stats?period=7d", "/mt/tenant/hallym_univ/stats/costs?period=30d",
                  "/mt/tenant/hallym_univ/users?limit=5", "/mt/tenant/yonsei_univ/status",
                  "/mt/tenant/yonsei_univ/settings", "/mt/tenant/nope/stats"]
ALIAS_CALLS = ["/api/tenant/status/hallym_univ", "/api/tenant/stats/yonsei_univ?period=7d",
               "/api/tenant/users/hallym_univ?limit=2"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEY", MARKET_KEY)
    monkeypatch.delenv("MIGRATOR_DEPRECATION_LOG", raising=False)
    set_default_counter(CallCounter())
    yield
    set_default_counter(None)


def write_calls(path: Path, *moments: datetime, route: str = "GET /admin/dashboard") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for moment in moments:
            fh.write(CallRecord(ts=moment, route=route, caller="key:0123456789ab").model_dump_json() + "\n")
    return path


@pytest.fixture
def repo(tmp_path):
    """The fixture after phase 2, with a call log whose last call is well before the quiet window."""
    root = write_repo(tmp_path / "svc_repo")
    write_phase(root, plan_phase(root, 2, now=PHASE2))
    write_calls(root / ".migrator/deprecation-calls.jsonl", datetime(2026, 12, 10, tzinfo=timezone.utc))
    return root


def apply(root, **options):
    result = plan_phase(root, 3, **options)
    return result, write_phase(root, result)


def cli() -> typer.Typer:
    from migrator.commands import apply as apply_command

    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """apply only"""

    apply_command.register(app)
    return app


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
            and "__pycache__" not in p.parts}


def ruff_findings(root: Path) -> set[tuple[str, str, str]]:
    ruff = Path(sys.executable).parent / "ruff"
    out = subprocess.run([str(ruff), "check", "--select", "F", "--output-format", "json", "--no-cache", "."],
                         cwd=root, capture_output=True, text=True, check=False)
    return {(Path(f["filename"]).name, f["code"], f["message"]) for f in json.loads(out.stdout or "[]")}


# --- guards ---------------------------------------------------------------------------------------------------


def test_refused_before_the_sunset(repo):
    before = snapshot(repo)
    with pytest.raises(ApplyError, match="the Sunset date is 2026-12-23 and today is 2026-12-20"):
        plan_phase(repo, 3, now=datetime(2026, 12, 20, tzinfo=timezone.utc))
    assert snapshot(repo) == before


def test_refused_while_the_counter_shows_recent_calls(repo):
    write_calls(repo / ".migrator/deprecation-calls.jsonl", datetime(2027, 1, 1, tzinfo=timezone.utc),
                datetime(2027, 1, 2, tzinfo=timezone.utc), route="GET /admin/users/{user_id}")
    with pytest.raises(ApplyError, match=r"2 call\(s\) to deprecated routes in the last 7 day\(s\) "
                                         r"\(GET /admin/users/\{user_id\}: 2\)"):
        plan_phase(repo, 3, now=AFTER_SUNSET)
    assert plan_phase(repo, 3, now=AFTER_SUNSET, quiet_days=2).changes  # quiet for the last 2 days


def test_refused_without_call_data(repo):
    (repo / ".migrator/deprecation-calls.jsonl").unlink()
    with pytest.raises(ApplyError, match="no call data: .*deprecation-calls.jsonl does not exist"):
        plan_phase(repo, 3, now=AFTER_SUNSET)


def test_refused_when_phase_2_is_not_in_the_journal(tmp_path):
    root = write_repo(tmp_path / "p1")
    write_calls(root / ".migrator/deprecation-calls.jsonl")
    with pytest.raises(ApplyError, match="phase 2 is not in the journal"):
        plan_phase(root, 3, now=AFTER_SUNSET)


def test_refused_without_phase_1_even_with_force(tmp_path):
    root = write_repo(tmp_path / "p0", journal=False)
    with pytest.raises(ApplyError, match="phase 1 is not in the journal"):
        plan_phase(root, 3, force=True)


def test_force_overrides_and_is_recorded(repo):
    (repo / ".migrator/deprecation-calls.jsonl").unlink()
    result, _ = apply(repo, now=datetime(2026, 12, 20, tzinfo=timezone.utc), force=True)
    entry = json.loads((repo / ".migrator/journal.json").read_text())["phases"][-1]
    assert entry["phase"] == 3 and entry["forced"] is True
    assert [o["code"] for o in entry["details"]["overridden"]] == ["before-sunset", "no-call-data"]
    assert any(note.startswith("forced past: the Sunset date") for note in result.notes)


def test_call_log_from_option_and_environment(repo, tmp_path, monkeypatch):
    (repo / ".migrator/deprecation-calls.jsonl").unlink()
    recent = write_calls(tmp_path / "logs/recent.jsonl", datetime(2027, 1, 4, tzinfo=timezone.utc))
    monkeypatch.setenv("MIGRATOR_DEPRECATION_LOG", str(recent))
    with pytest.raises(ApplyError, match=r"1 call\(s\).*recent.jsonl"):
        plan_phase(repo, 3, now=AFTER_SUNSET)
    quiet = write_calls(tmp_path / "logs/quiet.jsonl", datetime(2026, 12, 11, tzinfo=timezone.utc))
    assert plan_phase(repo, 3, now=AFTER_SUNSET, calls=quiet).changes  # --calls wins over the variable
    with pytest.raises(ApplyError, match="--calls .*missing.jsonl: no such file"):
        plan_phase(repo, 3, now=AFTER_SUNSET, calls=tmp_path / "missing.jsonl", force=True)


def test_cli_refusal_is_one_clear_error_with_exit_2(repo):
    out = CliRunner().invoke(cli(), ["apply", "--phase", "3", "--calls", str(repo / "nope.jsonl"), str(repo)])
    assert out.exit_code == 2 and "no such file" in out.output and "Traceback" not in out.output
    out = CliRunner().invoke(cli(), ["apply", "--phase", "2", "--calls", "x", str(repo)])
    assert out.exit_code == 2 and "belong to --phase 3" in out.output


# --- the removal --------------------------------------------------------------------------------------------------


def test_phase_3_removes_the_routes_and_the_code_only_they_used(repo):
    findings_before = ruff_findings(repo)
    result, written = apply(repo, now=AFTER_SUNSET)
    assert sorted(written) == [".migrator/journal.json", "svc/auth.py", "svc/provisioning.py",
                               "svc/routers/dashboard.py", "svc/routers/marketplace.py", "svc/routers/tenant.py",
                               "svc/routers/users.py", "svc/schemas.py", "svc/server.py"]
    for gone in ("svc/provisioning.py", "svc/routers/marketplace.py", "svc/routers/tenant.py"):
        assert not (repo / gone).exists()
    auth = (repo / "svc/auth.py").read_text()
    assert "def verify_admin" in auth and "verify_marketplace_key" not in auth and "verify_api_key" not in auth
    schemas = (repo / "svc/schemas.py").read_text()
    assert "class ActionResult" in schemas and "UserOut" not in schemas and "UserList" not in schemas
    server = (repo / "svc/server.py").read_text()
    assert "from svc.routers import dashboard, users\n" in server
    assert "marketplace" not in server and "create_deprecation_router" not in server
    assert (repo / "tests/test_store.py").exists() and (repo / "svc/handlers/market_handler.py").exists()
    assert ruff_findings(repo) - findings_before == set()
    # the report: lines removed per file, the estimate beside them
    lines = {f["file"]: f for f in result.details["lines"]}
    assert lines["svc/provisioning.py"] == {"file": "svc/provisioning.py", "removed": 8, "added": 0,
                                            "deleted": True, "estimate": lines["svc/provisioning.py"]["estimate"]}
    assert result.notes[0].startswith(f"lines removed: {sum(f['removed'] for f in lines.values())} (")
    journal = json.loads((repo / ".migrator/journal.json").read_text())
    states = {(r["methods"][0], r["path"]): r["state"] for r in journal["routes"]}
    assert {k for k, v in states.items() if v == "removed"} == set(DEPRECATED)
    assert states[("GET", "/api/tenant/list")] == "alias"
    assert journal["phases"][-1]["details"]["deleted"] == ["svc/provisioning.py", "svc/routers/marketplace.py",
                                                           "svc/routers/tenant.py"]


def test_after_phase_3_legacy_paths_404_and_everything_else_behaves_as_before(repo):
    old = TestClient(load_app(repo))
    standard_before = [(old.get(u, headers=STANDARD).status_code, old.get(u, headers=STANDARD).json())
                       for u in STANDARD_CALLS]
    alias_before = [(old.get(u, headers={"X-API-Key": MARKET_KEY}).status_code,
                     old.get(u, headers={"X-API-Key": MARKET_KEY}).json()) for u in ALIAS_CALLS]
    apply(repo, now=AFTER_SUNSET)
    client = TestClient(load_app(repo))
    for method, path in DEPRECATED:
        url = path.replace("{user_id}", "1")
        assert client.request(method, url, headers=ADMIN).status_code == 404, url
    assert [(client.get(u, headers=STANDARD).status_code, client.get(u, headers=STANDARD).json())
            for u in STANDARD_CALLS] == standard_before
    assert [(client.get(u, headers={"X-API-Key": MARKET_KEY}).status_code,
             client.get(u, headers={"X-API-Key": MARKET_KEY}).json()) for u in ALIAS_CALLS] == alias_before
    # the alias path whose legacy route went is served by the Service Market alias router now
    tenants = client.get("/api/tenant/list", headers={"X-API-Key": MARKET_KEY})
    assert tenants.status_code == 200 and {t["tenant_id"] for t in tenants.json()["tenants"]} >= {"hallym_univ"}
    for url in ("/admin/dashboard/top_users", "/admin/dashboard/export", "/health"):
        assert client.get(url, headers=ADMIN).status_code == 200, url
    assert client.post("/admin/users/1/suspend", headers=ADMIN).status_code == 200
    spec = client.get("/openapi.json").json()
    assert not [op for ops in spec["paths"].values() for op in ops.values() if op.get("deprecated")]


def test_gone_keeps_a_410_stub_with_the_successor_link(repo):
    apply(repo, now=AFTER_SUNSET, gone=True)
    counter = CallCounter()
    set_default_counter(counter)
    client = TestClient(load_app(repo))
    answer = client.get("/admin/users/7", headers=ADMIN)
    assert answer.status_code == 410
    assert answer.json() == {"detail": "GET /admin/users/{user_id} was removed; use /mt/tenant/t1/users/7",
                             "successor": "/mt/tenant/t1/users/7"}
    (link,) = parse_link(answer.headers["link"])
    assert (link.url, link.rel) == ("/mt/tenant/t1/users/7", "successor-version")
    for method, path in DEPRECATED:
        assert client.request(method, path.replace("{user_id}", "1"), headers=ADMIN).status_code == 410, path
    assert client.get("/admin/dashboard/top_users", headers=ADMIN).status_code == 200  # the kept spelling
    usage = client.get("/mt/deprecations", headers=STANDARD).json()  # still counting who calls
    assert usage["calls"]["GET /admin/users/{user_id}"] and counter.total() == 1 + len(DEPRECATED)
    journal = json.loads((repo / ".migrator/journal.json").read_text())
    assert journal["deprecation"]["gone"] is True
    assert {(r["methods"][0], r["path"]) for r in journal["routes"] if r["state"] == "gone"} == set(DEPRECATED)
    assert "/admin/users/{user_id}" not in client.get("/openapi.json").json()["paths"]


def test_a_second_run_changes_nothing_and_a_later_gone_adds_the_stubs(repo):
    apply(repo, now=AFTER_SUNSET)
    assert not [c for c in plan_phase(repo, 3, now=AFTER_SUNSET).changes if c.changed]
    out = CliRunner().invoke(cli(), ["apply", "--phase", "3", str(repo)])  # guards are not asked again
    assert out.exit_code == 0 and "nothing to change" in out.output
    result, written = apply(repo, now=AFTER_SUNSET, gone=True)
    assert sorted(written) == [".migrator/journal.json", "svc/server.py"]
    assert TestClient(load_app(repo)).get("/admin/dashboard", headers=ADMIN).status_code == 410
    assert not [c for c in plan_phase(repo, 3, now=AFTER_SUNSET, gone=True).changes if c.changed]


def test_check_and_diff_write_nothing(repo):
    before = snapshot(repo)
    runner = CliRunner()
    check = runner.invoke(cli(), ["apply", "--phase", "3", "--force", "--check", str(repo)])
    assert check.exit_code == 1 and "would change: svc/routers/tenant.py" in check.output
    diff = runner.invoke(cli(), ["apply", "--phase", "3", "--force", "--diff", str(repo)])
    assert diff.exit_code == 0 and "+++ /dev/null" in diff.output and "--- a/svc/routers/tenant.py" in diff.output
    assert snapshot(repo) == before


def test_a_journal_route_the_code_lost_is_a_manual_step(repo):
    journal = json.loads((repo / ".migrator/journal.json").read_text())
    for route in journal["routes"]:
        if route["path"] == "/admin/dashboard/costs":
            route["function"] = "svc.routers.dashboard.renamed"
    (repo / ".migrator/journal.json").write_text(json.dumps(journal))
    result, _ = apply(repo, now=AFTER_SUNSET)
    assert [s.route for s in result.manual] == ["GET /admin/dashboard/costs"]
    states = {r["path"]: r["state"] for r in json.loads((repo / ".migrator/journal.json").read_text())["routes"]}
    assert states["/admin/dashboard/costs"] == "deprecated" and states["/admin/dashboard"] == "removed"
    # the route left behind still counts its callers and still sends its headers
    assert "app.include_router(create_deprecation_router())" in (repo / "svc/server.py").read_text()
    answer = TestClient(load_app(repo)).get("/admin/dashboard/costs", headers=ADMIN)
    assert answer.status_code == 200 and answer.headers["sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"


def test_forced_without_phase_2_removes_the_moved_routes(tmp_path):
    root = write_repo(tmp_path / "p1")
    result, _ = apply(root, now=AFTER_SUNSET, force=True)
    assert [b["code"] for b in result.details["forced"]] == ["no-phase-2", "no-call-data"]
    assert len(result.moved) == len(DEPRECATED) + 1  # and the alias route
    assert not (root / "svc/routers/marketplace.py").exists()
    assert JOURNAL["routes"][0]["state"] == "moved"  # the fixture itself is untouched


# --- guards that do not trust the journal (issue 14) -------------------------------------------------------------


def test_refused_when_the_code_lost_phase_2s_deprecation_marks(repo):
    """The journal says "deprecated", but the registration in the code is not: nothing is removed blindly."""
    dashboard = repo / "svc" / "routers" / "dashboard.py"
    text = dashboard.read_text()
    stripped = text.replace("deprecated_endpoint(", "other_dependency(", 1)
    assert stripped != text
    dashboard.write_text(stripped)
    before = snapshot(repo)
    with pytest.raises(ApplyError, match=r"carry no deprecation in the code: GET /admin/dashboard"):
        plan_phase(repo, 3, now=AFTER_SUNSET)
    assert snapshot(repo) == before
    result, written = apply(repo, now=AFTER_SUNSET, force=True)
    assert written and any(b["code"] == "not-deprecated" for b in result.details["forced"])


def test_a_call_log_without_one_parsable_line_blocks_phase_3_unless_forced(repo):
    log = repo / ".migrator" / "deprecation-calls.jsonl"
    log.write_text("not json\n{\"route\": 3}\n\n")
    with pytest.raises(ApplyError, match=r"none of them is a call record"):
        plan_phase(repo, 3, now=AFTER_SUNSET)
    runner = CliRunner().invoke(cli(), ["apply", "--phase", "3", str(repo)])
    assert runner.exit_code == 2 and "none of them is a call record" in runner.output
    result, written = apply(repo, now=AFTER_SUNSET, force=True)
    assert written and [b["code"] for b in result.details["forced"]] == ["unparsable-calls"]


def test_an_empty_call_log_means_no_call(repo):
    (repo / ".migrator" / "deprecation-calls.jsonl").write_text("")
    _result, written = apply(repo, now=AFTER_SUNSET)
    assert written
