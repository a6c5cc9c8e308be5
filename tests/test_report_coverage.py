"""The analyze report's coverage (line, unplaced routes first, JSON numbers) and rich text that is never markup."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from migrator.analyze import analyze
from migrator.cli import app
from migrator.report.markdown import render_markdown
from migrator.report.terminal import render_rich

runner = CliRunner()

LOW = {
    "svc/main.py": """
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/admin/users/{uid}")
        def user(uid: int):
            return {}
    """,
    "svc/extra.py": """
        from fastapi import APIRouter

        router = APIRouter(prefix="/extra")

        @router.get("/one")
        def one():
            return {}

        @router.get("/two")
        def two():
            return {}
    """,
}


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return tmp_path


def _rich(report, width: int = 200) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    render_rich(report, console)
    return console.export_text()


def test_json_carries_the_coverage_numbers_and_the_unplaced_routes(tmp_path):
    root = _repo(tmp_path, LOW)
    result = runner.invoke(app, ["analyze", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    summary = data["summary"]
    assert (summary["routes_seen"], summary["routes_placed"]) == (3, 1)
    assert summary["coverage"] == round(1 / 3, 4) and summary["low_coverage"] is True
    assert [(u["file"], u["function"]) for u in data["unplaced"]] == [("svc/extra.py", "one"), ("svc/extra.py", "two")]
    assert all("not included in any app" in u["reason"] for u in data["unplaced"])


def test_rich_view_says_low_coverage_and_lists_unplaced_routes_before_the_route_table(tmp_path):
    text = _rich(analyze(_repo(tmp_path, LOW), workers=1))
    lines = text.splitlines()
    coverage = next(i for i, t in enumerate(lines) if t.startswith("coverage: 1 of 3"))
    assert "under 90%" in lines[coverage]
    unplaced = next(i for i, t in enumerate(lines) if "not placed in any app" in t)
    routes = next(i for i, t in enumerate(lines) if t.strip() == "Routes")
    assert coverage < unplaced < routes
    assert "svc/extra.py:3" in text  # where the router is made, in the reason


def test_markdown_has_the_coverage_line_and_the_unplaced_table_first(tmp_path):
    text = render_markdown(analyze(_repo(tmp_path, LOW), workers=1))
    assert "**Coverage: 1 of 3 route decorators and `add_api_route` calls placed in an app (33%)." in text
    assert text.index("Routes seen but not placed") < text.index("| method | path |")
    assert "| svc/extra.py:5 | `one` |" in text


def test_full_coverage_is_not_alarming(tmp_path):
    report = analyze(_repo(tmp_path, {"svc/main.py": LOW["svc/main.py"]}), workers=1)
    assert report.summary.low_coverage is False and report.unplaced == []
    assert "coverage: 1 of 1 route decorators and add_api_route calls placed in an app (100%)" in _rich(report)


def test_rich_view_never_swallows_bracketed_text(tmp_path):
    # a mapped route phase 1 cannot move: its manual step says "map it in [tool.migrator.catalog]"
    root = _repo(tmp_path, {"svc/main.py": LOW["svc/main.py"].replace("def user(uid: int)", "def user(uid: int, q: str)")})
    (root / "svc/[odd].py").write_text("from fastapi import APIRouter\nx = (\n", encoding="utf-8")
    report = analyze(root, workers=1)
    steps = [s for r in report.routes for s in r.manual_steps]
    assert any("[tool.migrator.catalog]" in s for s in steps), steps
    text = _rich(report, width=400)
    assert "[tool.migrator.catalog]" in text
    assert "svc/[odd].py" in text


SUGGESTED = {
    "svc/main.py": """
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/api/v1/members/{id}")
        def get(id: int):
            return {}

        @app.get("/api/v1/stats/overview")
        def stats_overview():
            return {}
    """,
}


def test_suggestions_and_shape_matches_are_shown_with_confidence_and_evidence(tmp_path):
    report = analyze(_repo(tmp_path, SUGGESTED), workers=1)
    routes = {r.path: r for r in report.routes}
    member = routes["/api/v1/members/{id}"]
    assert member.operation is None and member.suggestion == "get_user" and member.confidence < 0.8
    stats = routes["/api/v1/stats/overview"]
    assert stats.operation == "get_tenant_stats" and 0.8 <= stats.confidence < 1 and stats.evidence
    assert report.summary.suggested == 1
    text = _rich(report, width=300)
    assert "Suggested mappings (confirm each with an entry in [tool.migrator.catalog]" in text
    assert 'paths = ["/api/v1/members/{id}"]' in text
    markdown = render_markdown(report)
    assert "### Suggested mappings" in markdown and 'operation = "get_user"' in markdown
