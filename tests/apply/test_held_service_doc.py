"""A held route's logic moves into a service module, and its legacy route delegates to it: the function is not
dead, but the Standard API handler does not call it (its operation answers 501); nor does it call a variant the
operation's primary serves. The service module's docstring says so instead of claiming the handler calls every
function, and phase 3, which keeps held routes, does not rewrite it as if the module's routes were gone."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

from migrator.apply import plan_phase, write_phase

_ENTRY = '[[tool.migrator.catalog.entries]]\noperation = "{op}"\n{variant}methods = ["{method}"]\npaths = ["{path}"]\n'

FILES = {
    "pyproject.toml": '[project]\nname = "depot"\nversion = "0.3.0"\ndependencies = ["fastapi>=0.110"]\n\n'
    + _ENTRY.format(op="get_user", variant="", method="GET", path="/v1/members/{member_id}") + "\n"
    + _ENTRY.format(op="update_user", variant='variant = "suspend"\nprimary = false\n', method="POST",
                    path="/v1/members/{member_id}/suspend") + "\n"
    + _ENTRY.format(op="update_user", variant='variant = "lock"\nprimary = false\n', method="POST",
                    path="/v1/staff/{member_id}/lock"),
    "depot/__init__.py": "",
    "depot/app.py": '''from fastapi import FastAPI

from depot import members, staff

app = FastAPI()
app.include_router(members.router, prefix="/v1")
app.include_router(staff.router, prefix="/v1")
''',
    "depot/members.py": '''from fastapi import APIRouter, Header

router = APIRouter()
PEOPLE = {7: {"id": 7, "username": "ode", "email": "ode@example.net", "is_active": True,
              "created_at": "2026-02-01T08:30:00"}}


@router.get("/members/{member_id}")
def read_member(member_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    return PEOPLE[member_id]


@router.post("/members/{member_id}/suspend")
def suspend_member(member_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    PEOPLE[member_id]["is_active"] = False
    return {"suspended": member_id}
''',
    "depot/staff.py": '''from fastapi import APIRouter, Header

router = APIRouter()
FLAGS = {"night_shift": True}


@router.post("/staff/{member_id}/lock")
def lock_staff(member_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    FLAGS[str(member_id)] = False
    return {"locked": member_id}
''',
}


def _write(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _doc(text: str) -> str:
    return " ".join(text[: text.index('"""', 3)].split())


def test_the_docstring_names_the_functions_only_the_legacy_routes_call(tmp_path):
    root = _write(tmp_path / "depot_root")
    write_phase(root, plan_phase(root, 1))
    handler = (root / "depot/handlers/market_handler.py").read_text()
    assert "legacy_members.read_member" in handler and "suspend_member" not in handler and "legacy_staff" not in handler
    members = _doc((root / "depot/services/legacy_members.py").read_text())
    assert ("and so does the Standard API handler (`depot.handlers.market_handler`), except `suspend_member`, which "
            "only its legacy route calls (its standard operation answers 501 NOT_IMPLEMENTED") in members
    assert "read_member" not in members
    staff = _doc((root / "depot/services/legacy_staff.py").read_text())
    assert "calls none of them yet (their standard operations answer 501" in staff and "and so does" not in staff
    # the legacy routes delegate to every moved function: none is dead
    assert "legacy_staff.lock_staff(" in (root / "depot/staff.py").read_text()
    assert "legacy_members.suspend_member(" in (root / "depot/members.py").read_text()


def test_phase_3_leaves_the_docstring_of_a_module_its_held_routes_still_use(tmp_path):
    root = _write(tmp_path / "depot_root")
    write_phase(root, plan_phase(root, 1))
    before = (root / "depot/services/legacy_staff.py").read_text()
    write_phase(root, plan_phase(root, 2, sunset=date(2027, 2, 1), now=datetime(2027, 1, 5, tzinfo=timezone.utc)),
                allow_dirty=True)
    write_phase(root, plan_phase(root, 3, force=True, now=datetime(2027, 3, 1, tzinfo=timezone.utc)),
                allow_dirty=True)
    assert "legacy_staff.lock_staff(" in (root / "depot/staff.py").read_text()  # held: kept, still delegating
    assert (root / "depot/services/legacy_staff.py").read_text() == before
    assert "@router.get(" not in (root / "depot/members.py").read_text()  # the moved read route is gone


def test_a_variant_the_primary_serves_is_named_without_a_501(tmp_path):
    # advisor's update_user is implemented by its primary route: the suspend and activate variants' functions are
    # called only by their legacy routes, and their operation does not answer 501
    root = tmp_path / "advisor"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples/advisor", root,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    write_phase(root, plan_phase(root, 1))
    users = _doc((root / "advisor/services/legacy_users.py").read_text())
    assert "except `suspend_user`, `activate_user`, which only their legacy routes call:" in users
    assert "501" not in users
    handler = (root / "advisor/handlers/market_handler.py").read_text()
    assert "legacy_users.update_user(" in handler and "legacy_users.suspend_user(" not in handler


def test_phase_3_rewrites_a_docstring_that_names_variants_once_their_routes_are_gone(tmp_path):
    root = tmp_path / "advisor"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples/advisor", root,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    write_phase(root, plan_phase(root, 1))
    write_phase(root, plan_phase(root, 2, sunset=date(2027, 2, 1), now=datetime(2027, 1, 5, tzinfo=timezone.utc)),
                allow_dirty=True)
    write_phase(root, plan_phase(root, 3, force=True, now=datetime(2027, 3, 1, tzinfo=timezone.utc)),
                allow_dirty=True)
    users = _doc((root / "advisor/services/legacy_users.py").read_text())
    assert users.startswith('"""The logic of the legacy routes of `advisor/routers/users.py`, which phase 3 removed.')
    assert "suspend_user" not in users
