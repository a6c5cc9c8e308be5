"""`analyze` decides once and `apply --phase 1` carries it out: on every example and fixture the routes phase 1
moves are exactly the plan's automatic routes, and a route that stays says why, the same way everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.analyze import analyze
from migrator.apply import plan_phase, write_phase
from migrator.cli import app as cli_app
from migrator.journal import load_journal
from tests.plan.cases import CASES

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/pyproject.toml"))


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _target(name: str, tmp_path: Path) -> Path:
    if name in CASES:
        return _write(tmp_path / name, CASES[name])
    dest = tmp_path / name
    shutil.copytree(REPO / "examples" / name, dest,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    return dest


def _keys(routes) -> set[tuple[str, str]]:
    return {(",".join(r.methods), r.path) for r in routes}


@pytest.mark.parametrize("name", [*sorted(CASES), *EXAMPLES])
def test_the_moved_set_is_the_plans_automatic_set(name, tmp_path):
    root = _target(name, tmp_path)
    report = analyze(root)
    automatic = _keys(r for r in report.routes if r.status == "automatic")
    manual = {(",".join(r.methods), r.path): r.manual_steps for r in report.routes if r.status == "manual"}
    result = plan_phase(root, 1)
    write_phase(root, result)
    journal = load_journal(root)
    assert _keys(r for r in journal.routes if r.state in ("moved", "alias")) == automatic
    if automatic:  # phase 1 ran: the journal keeps the reasons
        assert {(",".join(r.methods), r.path): [r.reason] for r in journal.routes if r.state == "manual"} == {
            key: ["; ".join(reasons)] for key, reasons in manual.items()}
    else:  # nothing moves: nothing is written, and nothing claims phase 1 was applied
        assert journal.current_phase == 0 and not result.changes
    # apply shows the same reasons (file:line), and the status command repeats them
    assert {step.reason for step in result.manual} == {"; ".join(r) for r in manual.values()}
    status = CliRunner().invoke(cli_app, ["status", str(root)])
    for reasons in manual.values():
        assert "; ".join(reasons)[:60] in status.output.replace("\n", "")


def test_session_dependencies_are_decided_once(tmp_path):
    root = _target("session-dependencies", tmp_path)
    report = analyze(root)
    routes = {r.path: r for r in report.routes}
    # a plain function, a generator (yield) and a coroutine: the handler obtains each through FastAPI's solver
    assert {path: r.status for path, r in routes.items()} == {
        "/admin/dashboard": "automatic", "/admin/users": "automatic", "/admin/users/{user_id}": "automatic"}
    providers = {r.path: {p.name: p.provider for p in r.verdict.params if p.role == "resource"}
                 for r in report.plan.routes}
    assert providers == {"/admin/dashboard": {"db": "call"}, "/admin/users": {"db": "generator"},
                         "/admin/users/{user_id}": {"db": "await"}}
    result = plan_phase(root, 1)
    write_phase(root, result)
    handler = (root / "svc/handlers/market_handler.py").read_text()
    assert "def _list_users_inputs(*, db: Session = Depends(get_session)) -> None:" in handler
    assert "async with legacy_inputs(_list_users_inputs) as inputs:" in handler
    # the handler enters the generator as FastAPI did: the session is closed after the call
    import importlib
    import os
    import sys

    from fastapi.testclient import TestClient

    sys.path.insert(0, str(root))
    os.environ["MARKET_API_KEY"] = "k"
    try:
        app = importlib.import_module("svc.main").app
        with TestClient(app) as client:
            answer = client.get("/mt/tenant/t1/users", headers={"X-Market-API-Key": "k"})
            assert answer.status_code == 200, answer.text
            assert answer.json()["users"][0]["name"] == "kim"
            assert client.get("/mt/tenant/t1/users/1", headers={"X-Market-API-Key": "k"}).json()["email"] == \
                "kim@example.org"
            assert client.get("/mt/tenant/t1/stats", headers={"X-Market-API-Key": "k"}).json()["summary"][
                "total_users"] == 1
    finally:
        sys.path.remove(str(root))
        os.environ.pop("MARKET_API_KEY", None)
        for name in [n for n in sys.modules if n == "svc" or n.startswith("svc.")]:
            del sys.modules[name]


def test_a_credential_header_and_global_state_are_decided_once(tmp_path):
    root = _target("body-reads", tmp_path)
    routes = {r.path: r for r in analyze(root).routes}
    assert "reads the request header `x_api_key`" in routes["/admin/settings"].manual_steps[0]
    assert "rebinds module state (global/nonlocal)" in routes["/admin/dashboard"].manual_steps[0]
    # a header the body does not read is simply not passed on
    assert routes["/admin/users/{user_id}"].status == "automatic"


def test_routes_in_the_app_file_are_moved_and_wired_in_one_pass(tmp_path):
    root = _target("app-file-routes", tmp_path)
    result = plan_phase(root, 1)
    app_changes = [c for c in result.changes if c.path == "svc/main.py"]
    assert len(app_changes) == 1  # transformed once, by both codemods, written once
    code = app_changes[0].new
    assert "return legacy_main.get_user(user_id=user_id, tenant_id=tenant_id)" in code
    assert "app.include_router(create_standard_router(market_handler))" in code
    assert "def _user" not in code and "from svc.services.legacy_main import user as _user" in code
    write_phase(root, result)
    again = CliRunner().invoke(cli_app, ["apply", "--phase", "1", str(root)])
    assert again.exit_code == 0 and "nothing to change" in again.output, again.output
    import importlib
    import sys

    from fastapi.testclient import TestClient

    sys.path.insert(0, str(root))
    try:
        for name in [n for n in sys.modules if n == "svc" or n.startswith("svc.")]:
            del sys.modules[name]
        app = importlib.import_module("svc.main").app
        client = TestClient(app)
        headers = {"Authorization": "Bearer t", "X-Tenant-ID": "t1"}
        assert client.get("/admin/users/1", headers=headers).json()["username"] == "kim"
        assert client.get("/health").json()["first"] == "kim"
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "svc" or n.startswith("svc.")]:
            del sys.modules[name]


def test_status_before_phase_1_shows_the_plans_verdicts(tmp_path):
    root = _target("session-dependencies", tmp_path)
    result = CliRunner().invoke(cli_app, ["status", "--format", "json", str(root)])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output)
    assert report["phase"] == 0 and report["next"]["routes"] == 3  # every session dependency is provided
    assert report["manual"] == []
