"""`migrator status`: the phase, its dates, what the next phase does and what blocks it."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import typer
from typer.testing import CliRunner

from codemods.tests.phase23_repo_cases import write_repo
from migrator.apply import plan_phase, write_phase
from migrator.status import StatusReport, status_report
from shims.deprecation import CallRecord

PHASE2 = datetime(2026, 12, 9, tzinfo=timezone.utc)
AFTER_SUNSET = datetime(2027, 1, 5, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _no_log_from_the_environment(monkeypatch):
    monkeypatch.delenv("MIGRATOR_DEPRECATION_LOG", raising=False)


def cli() -> typer.Typer:
    from migrator.commands import status

    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """status only"""

    status.register(app)
    return app


def log_call(root, when):
    path = root / ".migrator" / "deprecation-calls.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(CallRecord(ts=when, route="GET /admin/dashboard", caller="ip:10.0.0.1").model_dump_json() + "\n")


def test_a_repo_not_migrated_yet(tmp_path):
    root = write_repo(tmp_path / "svc", journal=False)
    report = status_report(root, now=PHASE2)
    assert (report.phase, report.service, report.service_version) == (0, "svc", "1.0.0")
    assert [p.applied_at for p in report.phases] == [None, None, None]
    assert report.next.phase == 1 and report.next.blockers == [] and "StandardAPIHandler" in report.next.action


def test_after_phase_1_the_next_phase_deprecates_the_moved_routes(tmp_path):
    root = write_repo(tmp_path / "svc")
    report = status_report(root, now=PHASE2)
    assert report.phase == 1
    assert [p.planned for p in report.phases] == ["2026-11-25", "2026-12-09", "2026-12-23"]
    assert report.routes == {"alias": 1, "manual": 1, "moved": 7, "stays": 3}
    assert report.manual == ["POST /admin/users/{user_id}/suspend (svc/routers/users.py:1): reads the Request"]  # (file:line since issue 10)
    assert (report.next.phase, report.next.routes, report.next.sunset) == (2, 7, "2026-12-23")
    assert report.next.blockers == []


def test_after_a_phase_1_that_moved_nothing_phase_2_is_blocked(tmp_path):
    # every mapped route needed a person: phase 2 would write nothing and phase 3 would wait for it forever
    root = write_repo(tmp_path / "svc")
    path = root / ".migrator" / "journal.json"
    journal = json.loads(path.read_text(encoding="utf-8"))
    for route in journal["routes"]:
        if route["state"] == "moved":
            route["state"], route["reason"] = "manual", "needs a person"
    path.write_text(json.dumps(journal), encoding="utf-8")
    report = status_report(root, now=PHASE2)
    assert (report.next.phase, report.next.routes) == (2, 0)
    assert [b.code for b in report.next.blockers] == ["nothing-moved"]
    shown = CliRunner().invoke(cli(), ["status", str(root)], env={"COLUMNS": "200"}).output
    assert "phase 1 moved no legacy route" in shown and "--force" not in shown


def test_after_phase_2_the_guards_of_phase_3_show_as_blockers(tmp_path):
    root = write_repo(tmp_path / "svc")
    write_phase(root, plan_phase(root, 2, now=PHASE2))
    report = status_report(root, now=datetime(2026, 12, 20, tzinfo=timezone.utc))
    assert report.deprecation.model_dump() == {"date": "2026-12-09", "sunset": "2026-12-23", "gone": False}
    assert report.next.phase == 3 and report.next.routes == 8
    assert [b.code for b in report.next.blockers] == ["before-sunset", "no-call-data"]
    log_call(root, datetime(2027, 1, 3, tzinfo=timezone.utc))
    assert [b.code for b in status_report(root, now=AFTER_SUNSET).next.blockers] == ["recent-calls"]
    assert status_report(root, now=AFTER_SUNSET, quiet_days=1).next.blockers == []


def test_after_phase_3_nothing_is_next_and_a_forced_phase_shows(tmp_path):
    root = write_repo(tmp_path / "svc")
    write_phase(root, plan_phase(root, 2, now=PHASE2))
    write_phase(root, plan_phase(root, 3, now=AFTER_SUNSET, force=True, gone=True))
    report = status_report(root, now=AFTER_SUNSET)
    assert report.phase == 3 and report.next is None
    assert [p.forced for p in report.phases] == [False, False, True]
    assert report.deprecation.gone is True and report.routes["gone"] == 7
    out = CliRunner().invoke(cli(), ["status", str(root)])
    assert out.exit_code == 0
    assert "svc 1.0.0: phase 3" in out.output and "(forced)" in out.output
    assert "removed paths answer 410" in out.output
    assert "no phase left; 1 route(s) above still need a person" in out.output


def test_cli_rich_and_json(tmp_path):
    root = write_repo(tmp_path / "svc")
    write_phase(root, plan_phase(root, 2, now=PHASE2))
    rich = CliRunner().invoke(cli(), ["status", str(root)])
    assert rich.exit_code == 0
    assert "Deprecation: 2026-12-09  Sunset: 2026-12-23" in rich.output
    assert "Next: phase 3" in rich.output and "no call data" in rich.output and "--force" in rich.output
    out = CliRunner().invoke(cli(), ["status", "--format", "json", str(root)])
    assert out.exit_code == 0
    report = StatusReport.model_validate(json.loads(out.output))
    assert report.schema_version == 1 and report.phase == 2 and report.next.phase == 3
    assert "no-call-data" in {b.code for b in report.next.blockers}


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "--format must be rich or json"),
    (["--quiet-days", "-1"], "--quiet-days must be 0 or more"),
])
def test_bad_options_exit_2(tmp_path, args, message):
    root = write_repo(tmp_path / "svc")
    out = CliRunner().invoke(cli(), ["status", *args, str(root)])
    assert out.exit_code == 2 and message in out.output


def test_bad_targets_exit_2_with_one_clear_line(tmp_path):
    out = CliRunner().invoke(cli(), ["status", str(tmp_path / "missing")])
    assert out.exit_code == 2 and "no such directory" in out.output and "Traceback" not in out.output
    root = write_repo(tmp_path / "svc")
    (root / ".migrator" / "journal.json").write_text("{not json")
    out = CliRunner().invoke(cli(), ["status", str(root)])
    assert out.exit_code == 2 and "cannot read the migration journal" in out.output


def test_before_phase_1_with_no_route_it_can_move_the_next_step_says_it_would_change_nothing(tmp_path):
    # every mapped route needs a person: `apply --phase 1` changes nothing, and status says so instead of promising
    # a handler
    root = tmp_path / "svc"
    (root / "svc").mkdir(parents=True)
    (root / "svc/__init__.py").write_text("")
    (root / "svc/main.py").write_text(
        "from fastapi import FastAPI, Request\n\napp = FastAPI()\n\n\n"
        "@app.get(\"/admin/dashboard\")\n"
        "def dashboard(request: Request, tenant_id: str):\n"
        "    return {\"total_users\": len(request.url.path), \"active_users\": 1}\n")
    report = status_report(root, now=PHASE2)
    assert report.next.phase == 1 and report.next.routes == 0 and report.next.blockers == []
    assert report.next.idle == "no route can move automatically; the reasons are listed above"
    assert any(line.startswith("GET /admin/dashboard") for line in report.manual)
    rich = CliRunner().invoke(cli(), ["status", str(root)])
    assert "it would change nothing" in rich.output and "will generate" not in rich.output
    assert "nothing blocks it" not in rich.output


def test_a_reason_quoting_a_configuration_table_is_printed_as_written(tmp_path):
    # the reason names `[tool.migrator] tenant = "<id>"`: rich took `[tool.migrator]` for a style and dropped it
    root = tmp_path / "svc"
    (root / "svc").mkdir(parents=True)
    (root / "svc/__init__.py").write_text("")
    (root / "svc/main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get(\"/admin/users\")\n"
        "def list_users(page: int = 1, limit: int = 20):\n"
        "    return {\"users\": [], \"total\": 0, \"page\": page, \"limit\": limit}\n")
    [line] = status_report(root, now=PHASE2).manual
    assert '[tool.migrator] tenant = "<id>"' in line
    rich = CliRunner().invoke(cli(), ["status", str(root)], env={"COLUMNS": "400"})
    assert rich.exit_code == 0
    assert f"  manual: {line}" in rich.output


def test_a_blocked_phase_1_with_no_route_it_can_move_says_both(tmp_path):
    # a pydantic-1 pin blocks phase 1, and no route maps: status names the blocker and does not promise a handler
    root = tmp_path / "svc"
    (root / "svc").mkdir(parents=True)
    (root / "svc/__init__.py").write_text("")
    (root / "requirements.txt").write_text("fastapi>=0.110\npydantic<2\n")
    (root / "svc/main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get(\"/health\")\n"
        "def health():\n"
        "    return {\"ok\": True}\n")
    report = status_report(root, now=PHASE2)
    # nothing maps at all: no reason is listed for status to point at
    assert report.next.idle == "no route maps to a standard operation, so phase 1 has nothing to move"
    assert [b.message for b in report.next.blockers] == [
        "the service runs pydantic 1 (requirements.txt: pydantic<2) and the Standard API runtime (migrator-shims) "
        "needs pydantic >= 2.5: move the service to pydantic 2 first"]
    rich = CliRunner().invoke(cli(), ["status", str(root)])
    assert "it would change nothing" in rich.output and "blocked:" in rich.output
    assert "will generate" not in rich.output and "nothing blocks it" not in rich.output


PER_INSTANCE_ADMIN = """\
from fastapi import APIRouter, FastAPI


class Base:
    def __init__(self):
        self.router = APIRouter()
        self.setup()

    def setup(self):
        pass


class Users(Base):
    def setup(self):
        @self.router.get("/users")
        async def list_users():
            return []

        @self.router.delete("/users/{user_id}")
        async def delete_user(user_id: str):
            return None


app = FastAPI()
"""


@pytest.mark.parametrize("health", [False, True])
def test_routes_seen_but_placed_in_no_app_are_not_called_unmapped(tmp_path, health):
    # the user administration is registered per instance (out of static reach): 'no route maps' would be a guess
    root = tmp_path / "svc"
    (root / "svc").mkdir(parents=True)
    (root / "svc/__init__.py").write_text("")
    extra = '\n\n@app.get("/health")\ndef health():\n    return {}\n' if health else ""
    (root / "svc/main.py").write_text(PER_INSTANCE_ADMIN + extra)
    idle = status_report(root, now=PHASE2).next.idle
    if health:
        assert idle.startswith("none of the 1 route(s) placed in an app maps to a standard operation, and 2 other "
                               "route(s) seen in the source are not registered on an app statically")
    else:
        assert idle.startswith("no route is placed in an app: the 2 route(s) seen in the source are not registered "
                               "on an app statically")
    assert "whether they map is unknown" in idle
    result = plan_phase(root, 1, now=PHASE2)
    assert result.changes == [] and result.unchanged_reason == idle
