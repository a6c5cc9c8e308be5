"""A folder whose code imports it by its own package name (`from shop.api import router` in `shop/`, run from the
folder above) cannot be phase 1's root: the modules it writes are named from the root (`handlers.market_handler`),
which the running service could not import. Phase 1 refuses and names the folder to run it on; analyze says why;
from that folder phase 1 runs. A small service written for this test."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.analyze import analyze
from migrator.apply import ApplyError, plan_phase, write_phase

FILES = {
    "shop/__init__.py": "",
    "shop/pyproject.toml": '[project]\nname = "shop"\nversion = "1.0.0"\n\n[tool.migrator]\ntenant = "main"\n',
    "shop/main.py": '''from fastapi import FastAPI

from shop.admin import router

app = FastAPI()
app.include_router(router, prefix="/admin")
''',
    "shop/admin.py": '''from fastapi import APIRouter

router = APIRouter()
USERS = [{"id": 1, "email": "ana@example.org", "name": "Ana", "is_active": True, "created_at": "2026-01-01"}]


@router.get("/users")
def list_users(skip: int = 0, limit: int = 20):
    return {"items": USERS[skip:skip + limit], "total": len(USERS)}
''',
}


@pytest.fixture
def checkout(tmp_path) -> Path:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text((tmp_path / "shop/pyproject.toml").read_text(), encoding="utf-8")
    return tmp_path


def test_phase_1_refuses_the_package_folder_and_names_the_one_above(checkout):
    root = checkout / "shop"
    report = analyze(root)
    assert [r.path for r in report.routes] == ["/admin/users"]  # the inventory reads it all the same
    assert any("the code imports this folder as the package `shop`" in b for b in report.plan.blockers)
    with pytest.raises(ApplyError) as refused:
        plan_phase(root, 1)
    assert f"run migrator on {checkout.resolve()}," in str(refused.value)
    assert not (root / ".migrator").exists() and not (root / "handlers").exists()


def test_from_the_folder_above_phase_1_writes_modules_named_as_the_service_imports_them(checkout):
    report = analyze(checkout)
    assert not report.plan.blockers
    write_phase(checkout, plan_phase(checkout, 1))
    wired = (checkout / "shop/main.py").read_text(encoding="utf-8")
    assert "from shop.handlers.market_handler import market_handler" in wired
