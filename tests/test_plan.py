"""The phase plan: changes, manual steps, 501 operations, the phase-3 removal estimate, and the journal."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from migrator.analyze import analyze
from migrator.journal import Journal
from migrator.plan import PlanInputError

SERVICE = {
    "pyproject.toml": """
        [project]
        name = "tiny-svc"
        version = "0.3.0"
    """,
    "svc/__init__.py": "",
    "svc/auth.py": """
        from fastapi import Header


        def admin_tenant(authorization: str = Header(...), x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
            if not authorization.startswith("Bearer "):
                raise ValueError("no token")
            return x_tenant_id
    """,
    "svc/tenant_manager.py": """
        import re


        def _slug(name):
            return re.sub(r"[^a-z0-9]", "_", name.lower())[:30]


        def create_tenant(name, application_id):
            return {"tenant_id": f"{_slug(name)}_{application_id}"}
    """,
    "svc/stats.py": """
        def count_users(tenant_id):
            return 3


        def count_messages(tenant_id):
            return 10
    """,
    "svc/routes.py": """
        from fastapi import APIRouter, Depends

        from svc import tenant_manager
        from svc.auth import admin_tenant
        from svc.stats import count_messages, count_users

        router = APIRouter()


        def _format(value):
            return {"value": value}


        @router.get("/admin/dashboard")
        def dashboard(tenant_id: str = Depends(admin_tenant)):
            users = count_users(tenant_id)
            return {"total_users": users, "active_users": users, "messages": _format(count_messages(tenant_id))}


        @router.post("/api/marketplace/demo/request")
        def demo_request(body: dict):
            return tenant_manager.create_tenant(body["name"], body["id"])


        @router.post("/admin/users")
        def create_user(body: dict, tenant_id: str = Depends(admin_tenant)):
            return {"id": 1, "username": body["username"], "email": body["email"], "is_active": True,
                    "created_at": "2026-11-20T15:00:00"}


        @router.post("/admin/users/bulk")
        def create_bulk(items: list[dict], tenant_id: str = Depends(admin_tenant)):
            return [create_user(item, tenant_id) for item in items]


        @router.get("/admin/data/stats")
        def data_stats(tenant_id: str = Depends(admin_tenant)):
            return {"users": count_users(tenant_id)}
    """,
    "svc/main.py": """
        from fastapi import FastAPI

        from svc.routes import router

        app = FastAPI()
        app.include_router(router)
    """,
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def _span(path: Path, start_marker: str, end_marker: str) -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, t in enumerate(lines) if t.startswith(start_marker))
    end = next(i for i, t in enumerate(lines) if i > start and end_marker in t)
    return end - start + 1


@pytest.fixture
def service(tmp_path):
    return _write(tmp_path / "svc-root", SERVICE)


def test_removal_estimate_counts_routes_helpers_and_whole_modules(service):
    report = analyze(service, workers=1)
    estimate = report.plan.phases[2].estimate
    modules = {m.file: m for m in estimate.modules}
    # tenant_manager.py: only the mapped demo_request route uses it -> the whole module goes
    assert modules["svc/tenant_manager.py"].whole_module is True
    assert modules["svc/tenant_manager.py"].lines_removed == _lines(service / "svc/tenant_manager.py")
    # stats.py: count_messages only the dashboard uses; count_users also the staying data_stats route
    assert modules["svc/stats.py"].definitions == ["count_messages"]
    assert modules["svc/stats.py"].whole_module is False
    routes = service / "svc/routes.py"
    assert set(modules["svc/routes.py"].definitions) == {"dashboard", "demo_request", "_format"}
    expected = (_span(routes, "def _format", "return {\"value\"") + _span(routes, "@router.get(\"/admin/dashboard\")",
                "\"messages\"") + _span(routes, "@router.post(\"/api/marketplace", "return tenant_manager"))
    expected += 1  # create_user stays (create_bulk calls it) but loses its route decorator, as phase 3 does it
    assert modules["svc/routes.py"].lines_removed == expected
    assert "svc/auth.py" not in modules  # admin_tenant: still used by the routes that stay
    # create_user is mapped, but create_bulk (stays) calls it: the function is kept
    assert estimate.kept == ["svc/routes.py:create_user (still used by svc/routes.py:create_bulk)"]
    assert report.summary.lines_removed_phase3 == estimate.lines_removed == sum(m.lines_removed for m in estimate.modules)


def test_phases_list_changes_manual_steps_and_501_operations(service):
    report = analyze(service, workers=1)
    p1, p2, p3 = report.plan.phases
    assert [p.weeks for p in report.plan.phases] == ["0–2", "2–4", "4–6"]
    texts = [c.text for c in p1.changes]
    assert any("TinySvcMarketHandler" in t and "svc/handlers/market_handler.py" in t for t in texts)
    assert any(c.route == "GET /admin/dashboard" and c.operation == "get_tenant_stats" for c in p1.changes)
    assert any("MarketAuthMiddleware" in c.text and c.file == "svc/main.py" for c in p1.changes)
    assert "svc/main.py" in p1.files and "svc/routes.py" in p1.files
    # create_user takes a dict body: automatic (body maps to CreateUserRequest)
    assert "list_users" in report.plan.unimplemented_operations
    assert "get_limits" in report.plan.unimplemented_operations  # no get_settings logic either
    assert "check_health" not in report.plan.unimplemented_operations
    assert any("`list_users`" in s.text and "501" in s.text for s in p1.manual_steps)
    assert {c.route for c in p2.changes} == {"GET /admin/dashboard", "POST /api/marketplace/demo/request",
                                            "POST /admin/users"}
    assert any("tenant_manager.py" in c.text and "delete" in c.text for c in p3.changes)
    assert any("keep the function svc/routes.py:create_user" in s.text for s in p3.manual_steps)
    assert sorted(report.plan.stays) == ["GET /admin/data/stats", "POST /admin/users/bulk"]
    assert all(p.status == "pending" and p.planned_start is None for p in report.plan.phases)


def test_journal_marks_done_phases_and_dates(service):
    journal = Journal(service="tiny-svc", service_version="0.3.0")
    journal.record(1, ["svc/routes.py"], "0.1.0", now=datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc))
    (service / ".migrator").mkdir()
    (service / ".migrator/journal.json").write_text(journal.to_text())
    report = analyze(service, workers=1)
    p1, p2, p3 = report.plan.phases
    assert p1.status == "done" and p1.applied_at.startswith("2026-11-25")
    assert (p2.status, p2.planned_start, p2.planned_end) == ("pending", "2026-12-09", "2026-12-23")
    assert (p3.planned_start, p3.planned_end) == ("2026-12-23", "2027-01-06")


def test_invalid_journal_is_an_input_error_naming_the_file(service):
    (service / ".migrator").mkdir()
    (service / ".migrator/journal.json").write_text("{not json")
    with pytest.raises(PlanInputError, match="journal.json"):
        analyze(service, workers=1)


@pytest.mark.parametrize("wanted", ["svc.main:app", "svc/main.py:app"])
def test_the_configured_app_is_named_by_module_or_by_the_file_analyze_reports(tmp_path, wanted):
    files = {"svc/__init__.py": "", "svc/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
             "pyproject.toml": f'[tool.migrator]\napp = "{wanted}"\n'}
    report = analyze(_write(tmp_path, files))
    assert report.plan.app is not None and report.plan.app.file == "svc/main.py"
    assert report.plan.blockers == []


def test_a_configured_app_that_is_not_found_lists_the_apps_found(tmp_path):
    files = {"svc/__init__.py": "", "svc/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
             "pyproject.toml": '[tool.migrator]\napp = "main:app"\n'}
    report = analyze(_write(tmp_path, files))
    assert any(b.endswith("[tool.migrator] app = 'main:app' is not an app the inventory found (found: svc.main:app)")
               for b in report.plan.blockers), report.plan.blockers
