"""`migrator analyze`: the report (schema v1), its three renderings, exit codes, and the two examples."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.analyze import AnalysisReport, analyze, report_schema
from migrator.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
runner = CliRunner()

SMALL = {
    "svc/main.py": """
        from fastapi import Depends, FastAPI, Header

        app = FastAPI()


        def tenant(x_tenant_id: str = Header(..., alias="X-Tenant-ID"), authorization: str = Header(...)):
            return x_tenant_id


        @app.get("/zeta")
        def zeta():
            return {}


        @app.put("/admin/users/{uid}")
        @app.get("/admin/users/{uid}")
        def user(uid: int, tenant_id: str = Depends(tenant)):
            return {"id": uid, "email": "a@example.com", "name": "A", "status": "active",
                    "created_at": "2024-01-01T00:00:00Z"}


        @app.get("/admin/dashboard")
        def dashboard(tenant_id: str = Depends(tenant)):
            return {"total_users": 3, "active_users": 2}
    """,
}


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return tmp_path


def test_committed_json_schema_is_the_generated_one():
    committed = json.loads((ROOT / "docs" / "analyze.schema.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(report_schema())), (
        "regenerate with: python -m migrator.analyze > docs/analyze.schema.json"
    )


def test_json_output_has_the_stable_fields_and_sorted_routes(tmp_path):
    root = _repo(tmp_path, SMALL)
    result = runner.invoke(app, ["analyze", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    AnalysisReport.model_validate(data)
    assert data["version"] == 1 and data["root"] == str(root)
    route_keys = {"methods", "path", "function", "file", "line", "auth", "tenant_source", "operation",
                  "standard_path", "automatic", "manual_steps"}
    assert all(route_keys <= set(r) for r in data["routes"])
    assert [(r["path"], r["methods"]) for r in data["routes"]] == [
        ("/admin/dashboard", ["GET"]), ("/admin/users/{uid}", ["GET"]), ("/admin/users/{uid}", ["PUT"]),
        ("/zeta", ["GET"]),
    ]
    dashboard = data["routes"][0]
    assert dashboard["operation"] == "get_tenant_stats"
    assert dashboard["standard_path"] == "/mt/tenant/{tenant_id}/stats"
    assert dashboard["automatic"] is True and dashboard["manual_steps"] == []
    assert dashboard["auth"] == ["Authorization"] and dashboard["tenant_source"] == "header:X-Tenant-ID"
    get_user = data["routes"][1]
    assert get_user["param_map"] == {"uid": "user_id"} and get_user["operation"] == "get_user"
    zeta = data["routes"][3]
    assert (zeta["operation"], zeta["automatic"], zeta["status"]) == (None, False, "stays")
    assert [p["phase"] for p in data["plan"]["phases"]] == [1, 2, 3]
    for phase in data["plan"]["phases"]:
        assert {"phase", "weeks", "changes", "manual_steps"} <= set(phase)
    assert {"unresolved", "skipped"} <= set(data)


def test_a_route_that_stays_reports_the_tenant_the_inventory_found(tmp_path):
    # no standard operation for /widgets, yet it is tenant-scoped: the report says so instead of "no tenant"
    files = {"svc/main.py": SMALL["svc/main.py"] + """

        @app.get("/widgets")
        def widgets(tenant_id: str = Depends(tenant)):
            return []
    """}
    data = json.loads(runner.invoke(app, ["analyze", str(_repo(tmp_path, files)), "--format", "json"]).stdout)
    by_path = {r["path"]: r for r in data["routes"]}
    assert (by_path["/widgets"]["status"], by_path["/widgets"]["tenant_source"]) == ("stays", "header:X-Tenant-ID")
    assert by_path["/zeta"]["tenant_source"] is None


def test_a_namespace_package_routes_answer_is_read_from_its_file(tmp_path):
    # `svc` has no __init__.py: the inventory names the function `main.dashboard`, its module is found by its file
    files = {"svc/main.py": SMALL["svc/main.py"].replace('return {"total_users": 3, "active_users": 2}',
                                                          'return {"visits": 3}')}
    data = json.loads(runner.invoke(app, ["analyze", str(_repo(tmp_path, files)), "--format", "json"]).stdout)
    dashboard = data["routes"][0]
    assert dashboard["path"] == "/admin/dashboard" and dashboard["automatic"] is False
    assert [step.split(" and ")[0] for step in dashboard["manual_steps"]] == [
        "`get_tenant_stats` needs `summary.total_users`", "`get_tenant_stats` needs `summary.active_users`"]
    assert data["routes"][1]["automatic"] is True  # the user routes answer every field


UNMAPPED_WITH_TENANT = {
    "svc/main.py": """
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/orgs/{org_id}/agents/runs")
        def runs(org_id: int):
            return []
    """,
}


def test_an_unmapped_route_reports_the_tenant_source_the_inventory_found(tmp_path):
    # a route no operation maps keeps its tenant in the report (it used to read "no tenant" for every unmapped route)
    root = _repo(tmp_path, UNMAPPED_WITH_TENANT)
    data = json.loads(runner.invoke(app, ["analyze", str(root), "--format", "json"]).stdout)
    (route,) = data["routes"]
    assert (route["status"], route["operation"]) == ("stays", None)
    assert (route["tenant_source"], route["tenant_param"]) == ("path:org_id", "org_id")
    text = runner.invoke(app, ["analyze", str(root)]).stdout
    assert "path:org_id" in text and "no tenant" not in text


def test_output_file_format_from_suffix_and_atomic_write(tmp_path):
    root = _repo(tmp_path / "repo", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("old")
    assert runner.invoke(app, ["analyze", str(root), "-o", str(out / "report.json")]).exit_code == 0
    assert json.loads((out / "report.json").read_text())["version"] == 1
    assert runner.invoke(app, ["analyze", str(root), "-o", str(out / "report.md")]).exit_code == 0
    markdown = (out / "report.md").read_text()
    assert markdown.startswith("## migrator analyze") and "## Plan" in markdown
    assert "| GET | `/admin/dashboard` |" in markdown and "- [ ] " in markdown
    assert runner.invoke(app, ["analyze", str(root), "-o", str(out / "report.txt")]).exit_code == 0
    text = (out / "report.txt").read_text()
    assert "Routes" in text and "/admin/dashboard" in text and "Phase 1" in text and "\x1b[" not in text
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md", "report.txt"]  # no temp files


def test_rich_output_without_a_terminal_is_plain_text(tmp_path):
    root = _repo(tmp_path, SMALL)
    result = runner.invoke(app, ["analyze", str(root)])
    assert result.exit_code == 0
    assert "get_tenant_stats" in result.stdout and "\x1b[" not in result.stdout


def test_empty_repo_says_so_and_exits_0(tmp_path):
    result = runner.invoke(app, ["analyze", str(tmp_path), "--format", "markdown"])
    assert result.exit_code == 0
    assert "No FastAPI app found (0 Python files scanned)" in result.stdout
    plain = runner.invoke(app, ["analyze", str(tmp_path)])
    assert plain.exit_code == 0 and "No FastAPI app found" in plain.stdout


@pytest.mark.parametrize("case", ["missing", "file", "format", "catalog", "journal", "output-dir"])
def test_usage_and_input_errors_exit_2_with_one_line(tmp_path, case):
    root = _repo(tmp_path / "repo", SMALL)
    args = ["analyze", str(root)]
    expected = ""
    if case == "missing":
        args = ["analyze", str(tmp_path / "nope")]
        expected = "no such directory"
    elif case == "file":
        args = ["analyze", str(root / "svc/main.py")]
        expected = "not a directory"
    elif case == "format":
        args += ["--format", "yaml"]
        expected = "unknown --format"
    elif case == "catalog":
        (root / "pyproject.toml").write_text("[[tool.migrator.catalog.entries]]\noperation = 'nope'\n")
        expected = "pyproject.toml"
    elif case == "journal":
        (root / ".migrator").mkdir()
        (root / ".migrator/journal.json").write_text("[")
        expected = "journal.json"
    elif case == "output-dir":
        args += ["-o", str(tmp_path)]
        expected = "is a directory"
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.output


def test_console_script_runs_analyze(tmp_path):
    root = _repo(tmp_path, SMALL)
    proc = subprocess.run([sys.executable, "-m", "migrator", "analyze", str(root), "-f", "json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["routes"] == 4


def _example(name: str) -> Path:
    folder = EXAMPLES / name
    if not (folder / "pyproject.toml").is_file():
        pytest.skip(f"examples/{name} not in the tree yet")
    return folder


def _by_key(report):
    return {(m, r.path): r for r in report.routes for m in r.methods}


def test_advisor_report():
    report = analyze(_example("advisor"))
    routes = _by_key(report)
    assert report.service == "advisor" and report.summary.unresolved == 0
    remove_admin = routes[("DELETE", "/admin/admins/{user_id}")]
    assert remove_admin.operation == "update_user" and remove_admin.variant == "demote"
    assert not remove_admin.automatic and any("identity" in s for s in remove_admin.manual_steps)
    assert routes[("GET", "/admin/data/stats")].status == "stays"
    assert routes[("POST", "/admin/users/bulk")].status == "stays"
    demo = routes[("POST", "/api/marketplace/demo/request")]
    assert demo.automatic and demo.auth == ["X-Marketplace-Key"]
    assert "marketplace_payload_from_activate" in demo.adapters
    assert routes[("GET", "/api/tenant/list")].auth == ["X-API-Key"]
    assert routes[("GET", "/admin/dashboard")].auth == ["Authorization: Bearer"]
    assert routes[("GET", "/admin/dashboard")].tenant_source == "header:X-Tenant-ID"
    # phase 3's own analysis: the seed and the tests still import tenant_manager, so only what the moved routes
    # alone used goes; the router modules left without routes go whole (changed by design in issue 10)
    modules = {m.file: m for m in report.plan.phases[2].estimate.modules}
    assert not modules["advisor/tenant_manager.py"].whole_module
    assert {"provision_tenant", "count_users"} <= set(modules["advisor/tenant_manager.py"].definitions)
    assert "make_tenant_id" not in modules["advisor/tenant_manager.py"].definitions
    assert modules["advisor/routers/tenant.py"].whole_module
    assert "get_settings" in report.plan.unimplemented_operations


def test_llm_chatbot_report():
    report = analyze(_example("llm_chatbot"))
    routes = _by_key(report)
    provision = routes[("POST", "/api/marketplace/demo/provision")]
    assert provision.operation == "activate_tenant" and "provision_payload_from_activate" in provision.adapters
    assert provision.auth == ["Authorization: Bearer"]
    assert routes[("GET", "/admin/settings")].operation == "get_settings"
    assert routes[("PUT", "/admin/settings")].operation == "update_settings"
    assert routes[("GET", "/admin/users")].tenant_source == "header:X-Tenant-ID"
    assert "get_settings" not in report.plan.unimplemented_operations
