"""The plan's lifecycle verdicts: the mechanism serving each lifecycle operation (route > derived > registry >
deployment > none), with file:line, as analyze, status and the journal show them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.lifecycle import RouteFacts, plan_lifecycle
from migrator.planner import make_plan

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "advisor": {"activate_tenant": "route", "deactivate_tenant": "registry", "get_tenant_status": "route",
                "get_tenant_usage": "derived"},
    "llm_chatbot": {"activate_tenant": "route", "deactivate_tenant": "registry", "get_tenant_status": "registry",
                    "get_tenant_usage": "derived"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_examples_lifecycle_verdicts(name):
    plan = make_plan(ROOT / "examples" / name, estimate=False).plan
    lifecycle = plan.lifecycle
    assert {op: v.mechanism for op, v in lifecycle.operations.items()} == EXPECTED[name]
    assert lifecycle.reactivation == "registry"
    assert lifecycle.registry.table == "tenants" and lifecycle.registry.column("status").column == "status"
    assert lifecycle.registry_file == f"{name}/handlers/tenant_registry.py"
    assert lifecycle.usage.series == ["monthly_user_trend"] and lifecycle.usage.granularity == "month"
    # none of them answers 501 any more; the plan's phase 1 says how each is implemented
    assert not {"deactivate_tenant", "get_tenant_status", "get_tenant_usage"} & set(plan.unimplemented_operations)
    texts = [c.text for c in plan.phase(1).changes]
    assert any(t.startswith("implement `deactivate_tenant` (registry)") for t in texts)
    assert lifecycle.registry_file in plan.phase(1).files


def test_analyze_json_and_status_show_the_verdicts(tmp_path):
    copy = tmp_path / "llm_chatbot"
    shutil.copytree(ROOT / "examples" / "llm_chatbot", copy, ignore=shutil.ignore_patterns("data", "__pycache__"))
    runner = CliRunner()
    analyzed = runner.invoke(app, ["analyze", str(copy), "--format", "json"])
    assert analyzed.exit_code == 0, analyzed.output
    lifecycle = json.loads(analyzed.output)["plan"]["lifecycle"]
    assert lifecycle["operations"]["get_tenant_status"]["mechanism"] == "registry"
    assert lifecycle["registry"]["written_at"] == {"file": "llm_chatbot/services/tenant_manager.py", "line": 74}
    status = runner.invoke(app, ["status", str(copy), "--format", "json"])
    lines = json.loads(status.output)["lifecycle"]
    assert any(line.startswith("get_tenant_status: registry: read from the tenant registry") for line in lines)
    markdown = runner.invoke(app, ["analyze", str(copy), "--format", "markdown"])
    assert "### Tenant lifecycle" in markdown.output and "deactivate_tenant: registry" in markdown.output


def _route(label, operation=None, automatic=True, reasons=(), variant=None, file="svc/api.py", line=3):
    return RouteFacts(label=label, operation=operation, variant=variant, primary=True, automatic=automatic,
                      reasons=tuple(reasons), file=file, line=line, function=f"svc.api.{label.split()[-1][1:]}",
                      qualname=label.split()[-1][1:])


def test_nothing_to_serve_them_is_501_with_the_reasons(tmp_path):
    routes = [_route("GET /stats", "get_tenant_stats"),
              _route("POST /deactivate", "deactivate_tenant", automatic=False, reasons=["reads the caller's identity"],
                     line=9)]
    plan = plan_lifecycle(tmp_path, routes)
    deactivate = plan.operations["deactivate_tenant"]
    assert deactivate.mechanism == "none"
    assert [str(r) for r in deactivate.reasons] == [
        "svc/api.py:9: POST /deactivate needs a manual move: reads the caller's identity",
        "the legacy logic writes no tenant table with a status column: it writes no table the analysis can read "
        "(from POST /deactivate (svc/api.py:9))"]
    assert plan.operations["get_tenant_usage"].mechanism == "none"
    assert "no monthly or daily series" in str(plan.operations["get_tenant_usage"].reasons[-1])
    assert plan.operations["activate_tenant"].mechanism == "none" and plan.reactivation == "none"


def test_a_single_tenant_deployment_serves_the_lifecycle_itself(tmp_path):
    plan = plan_lifecycle(tmp_path, [_route("GET /dashboard", "get_tenant_stats")],
                          tool={"tenant": "hanul", "tenant_env": "HANUL_TENANT"}, app_file="mentor/main.py")
    assert {op: v.mechanism for op, v in plan.operations.items()} == {
        "get_tenant_status": "deployment", "deactivate_tenant": "deployment", "get_tenant_usage": "none",
        "activate_tenant": "deployment"}
    assert plan.deployment.tenant == "hanul" and plan.deployment.state_env == "MENTOR_LIFECYCLE_FILE"
    assert plan.reactivation == "deployment" and plan.registry is None
