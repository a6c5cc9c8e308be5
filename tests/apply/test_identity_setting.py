"""`[tool.migrator] identity = "pkg.module:function"`: the identity a Standard API call acts as.

A small admin API written for this test: its routes take `admin: Admin = Depends(current_admin)` (a Bearer token)
and the bodies read `admin.username` or pass `admin` on to a service function. Without the setting they stay manual
with a hint naming it; with it they move, and the handler solves `admin` with the maintainer's `service_admin` (which
depends on `shims.legacy_deps.standard_tenant_id`) for the standard call only: the legacy routes keep their auth.
"""

from __future__ import annotations

import ast
import importlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from migrator.apply import ApplyError, plan_phase, write_phase
from migrator.cli import app as cli

SETTING = 'identity = "wardens.identity:service_admin"\n'
PYPROJECT = ('[project]\nname = "wardens"\nversion = "0.3.0"\ndependencies = ["fastapi>=0.110"]\n\n'
             "[tool.migrator]\n")
FILES = {
    "wardens/__init__.py": "",
    "wardens/main.py": '''from fastapi import FastAPI

from wardens.admin import router

app = FastAPI()
app.include_router(router, prefix="/admin")
''',
    "wardens/auth.py": '''from fastapi import Header, HTTPException
from pydantic import BaseModel


class Admin(BaseModel):
    username: str
    is_sudo: bool = False


TOKENS = {"Bearer root-token": Admin(username="root", is_sudo=True), "Bearer ana-token": Admin(username="ana")}


def current_admin(authorization: str = Header(default="")) -> Admin:
    admin = TOKENS.get(authorization)
    if admin is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return admin
''',
    "wardens/identity.py": '''from fastapi import Depends

from shims.legacy_deps import standard_tenant_id
from wardens.auth import Admin

SEEN: list[str] = []


def service_admin(tenant_id: str = Depends(standard_tenant_id)) -> Admin:
    """The admin a Standard API call acts as: the Service Market, with every right in the tenant."""
    SEEN.append(tenant_id)
    return Admin(username=f"service-market@{tenant_id}", is_sudo=True)
''',
    "wardens/admin.py": '''from fastapi import APIRouter, Depends, Header, HTTPException

from wardens.auth import Admin, current_admin

router = APIRouter()
USERS = {
    "acme": [
        {"id": 1, "email": "bo@acme.test", "name": "Bo", "role": "member", "is_active": True,
         "created_at": "2026-03-01T09:00:00", "created_by": "root"},
        {"id": 2, "email": "cy@acme.test", "name": "Cy", "role": "member", "is_active": False,
         "created_at": "2026-03-02T09:00:00", "created_by": "ana"},
    ],
}


def visible_users(tenant: str, admin: Admin) -> list[dict]:
    users = USERS.get(tenant)
    if users is None:
        raise HTTPException(status_code=404, detail="Tenant not found")
    return users if admin.is_sudo else [u for u in users if u["created_by"] == admin.username]


@router.get("/users")
def list_users(x_tenant_id: str = Header(alias="X-Tenant-ID"), admin: Admin = Depends(current_admin)):
    users = visible_users(x_tenant_id, admin)
    return {"users": users, "total": len(users)}


@router.get("/users/{user_id}")
def read_user(user_id: int, x_tenant_id: str = Header(alias="X-Tenant-ID"), admin: Admin = Depends(current_admin)):
    for user in visible_users(x_tenant_id, admin):
        if user["id"] == user_id:
            return {**user, "viewed_by": admin.username}
    raise HTTPException(status_code=404, detail="User not found")
''',
}
PHASE1 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
runner = CliRunner()


def _files(setting: str) -> dict[str, str]:
    return {"pyproject.toml": PYPROJECT + setting, **FILES}


@pytest.fixture
def wardens(service_repo):
    return service_repo(_files(SETTING), "wardens_root")


def _analyze(root: Path) -> dict:
    result = runner.invoke(cli, ["analyze", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _statuses(report: dict) -> dict[str, tuple[str, list[str]]]:
    return {r["path"]: (r["status"], r["manual_steps"]) for r in report["routes"]}


def test_without_the_setting_the_identity_routes_stay_manual_with_a_hint(service_repo):
    report = _analyze(service_repo(_files(""), "plain", commit=False))
    statuses = _statuses(report)
    assert statuses["/admin/users"] == ("manual", ["the body passes the caller's identity `admin` on (dependency "
                                                   "`wardens.auth.current_admin`)"])
    assert statuses["/admin/users/{user_id}"][0] == "manual"
    assert "`admin.username`" in statuses["/admin/users/{user_id}"][1][0]
    [hint] = report["plan"]["suggestions"]
    assert hint.startswith("2 route(s) wait only for the caller's identity") and "[tool.migrator] identity" in hint


def test_with_the_setting_they_move_and_no_hint_is_left(wardens):
    report = _analyze(wardens)
    assert {path: status for path, (status, _) in _statuses(report).items()} == {
        "/admin/users": "automatic", "/admin/users/{user_id}": "automatic"}
    assert report["plan"]["suggestions"] == []
    inputs = [r["verdict"]["inputs"] for r in report["plan"]["routes"]]
    assert [i["identity"] for i in inputs] == [{"admin": "wardens.identity:service_admin"}] * 2


@pytest.mark.parametrize(("value", "message"), [
    ('"wardens.identity"', 'expected "pkg.module:function"'),
    ("3", 'expected "pkg.module:function"'),
    ('"wardens.nowhere:service_admin"', "no module wardens.nowhere under"),
    ('"wardens.identity:nobody"', "defines no `nobody` at its top level"),
])
def test_a_bad_setting_is_one_line_and_exit_2(service_repo, value, message):
    root = service_repo(_files(f"identity = {value}\n"), "bad", commit=False)
    for args in (["analyze", str(root)], ["apply", "--phase", "1", str(root)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and "[tool.migrator] identity" in lines[0], lines
        assert "Traceback" not in result.output
    assert not (root / "wardens" / "handlers").exists()


def test_phase_1_solves_the_identity_for_standard_calls_only(wardens, commit_all, monkeypatch):
    written = write_phase(wardens, plan_phase(wardens, 1, now=PHASE1))
    handler = (wardens / "wardens/handlers/market_handler.py").read_text(encoding="utf-8")
    for rel in written:
        if rel.endswith(".py"):
            compile((wardens / rel).read_text(encoding="utf-8"), rel, "exec")
    calls = [node for node in ast.walk(ast.parse(handler))
             if isinstance(node, ast.Call) and ast.unparse(node.func) == "legacy_inputs"]
    assert len(calls) == 2 and all(
        {k.arg: ast.unparse(k.value) for k in call.keywords} == {"tenant_id": "tenant_id",
                                                                "identity": "{'admin': service_admin}"}
        for call in calls)
    assert "from wardens.identity import service_admin" in handler
    commit_all(wardens, "phase 1")
    again = plan_phase(wardens, 1, now=PHASE1)
    assert not again.changes  # applied already: a second run changes nothing

    monkeypatch.setenv("MARKET_API_KEY", "k")
    monkeypatch.syspath_prepend(str(wardens))
    importlib.invalidate_caches()
    client = TestClient(importlib.import_module("wardens.main").app)
    seen = importlib.import_module("wardens.identity").SEEN
    market = {"X-Market-API-Key": "k"}
    users = client.get("/mt/tenant/acme/users", headers=market)
    assert users.status_code == 200, users.text
    # both users: the configured identity is sudo (the legacy `ana` sees only the one she created)
    assert [u["user_id"] for u in users.json()["users"]] == ["1", "2"] and seen == ["acme"]
    assert client.get("/mt/tenant/acme/users/2", headers=market).json()["email"] == "cy@acme.test"
    assert client.get("/mt/tenant/globex/users", headers=market).json()["detail"]["error"] == "TENANT_NOT_FOUND"
    assert client.get("/mt/tenant/acme/users").status_code == 401  # no market key
    legacy = {"X-Tenant-ID": "acme"}
    assert client.get("/admin/users", headers=legacy).status_code == 401  # its own auth, not the identity
    ana = client.get("/admin/users", headers={**legacy, "Authorization": "Bearer ana-token"})
    assert [u["id"] for u in ana.json()["users"]] == [2]
    assert seen == ["acme", "acme", "globex"]


def test_phases_2_and_3_run_and_keep_the_auth_the_handler_solves(wardens, commit_all, monkeypatch):
    write_phase(wardens, plan_phase(wardens, 1, now=PHASE1))
    commit_all(wardens, "phase 1")
    write_phase(wardens, plan_phase(wardens, 2, now=PHASE1))
    commit_all(wardens, "phase 2")
    with pytest.raises(ApplyError, match="Sunset"):
        plan_phase(wardens, 3, now=PHASE1)
    write_phase(wardens, plan_phase(wardens, 3, now=PHASE1, force=True))
    assert not (wardens / "wardens/admin.py").exists()
    assert "def current_admin" in (wardens / "wardens/auth.py").read_text(encoding="utf-8")  # the handler uses it
    monkeypatch.setenv("MARKET_API_KEY", "k")
    monkeypatch.syspath_prepend(str(wardens))
    importlib.invalidate_caches()
    client = TestClient(importlib.import_module("wardens.main").app)
    answer = client.get("/mt/tenant/acme/users", headers={"X-Market-API-Key": "k"})
    assert answer.status_code == 200 and answer.json()["total"] == 2
    assert client.get("/admin/users", headers={"X-Tenant-ID": "acme"}).status_code == 404  # removed
