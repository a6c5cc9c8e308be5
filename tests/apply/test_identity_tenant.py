"""The caller's identity that is also the route's tenant (`identity:admin.tenant_id`), with
`[tool.migrator] identity` set: a body that reads more of it than its tenant id (`admin.is_sudo`) moves, the
identity solved with the maintainer's dependency for standard calls only; a parameter holding something its
dependency derives from the identity (`org: Org`, `auditor: Auditor`) is never given a tenant id string or the
identity in its place.

A small admin API written for this test (tracecat's `role.workspace_id` / openreplay's `context.tenant_id` read
beside other attributes of the same object were the real cases).
"""

from __future__ import annotations

import importlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from migrator.apply import plan_phase, write_phase
from migrator.cli import app as cli

SETTING = 'identity = "keepers.identity:service_admin"\n'
PYPROJECT = '[project]\nname = "keepers"\nversion = "0.3.0"\n\n[tool.migrator]\n'
FILES = {
    "keepers/__init__.py": "",
    "keepers/main.py": '''from fastapi import FastAPI

from keepers.admin import router

app = FastAPI()
app.include_router(router, prefix="/admin")
''',
    "keepers/auth.py": '''from fastapi import Header, HTTPException
from pydantic import BaseModel


class Admin(BaseModel):
    username: str
    tenant_id: str
    is_sudo: bool = False


TOKENS = {"Bearer ana-token": Admin(username="ana", tenant_id="acme")}


def current_admin(authorization: str = Header(default="")) -> Admin:
    admin = TOKENS.get(authorization)
    if admin is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return admin
''',
    "keepers/identity.py": '''from fastapi import Depends

from keepers.auth import Admin
from shims.legacy_deps import standard_tenant_id


def service_admin(tenant_id: str = Depends(standard_tenant_id)) -> Admin:
    return Admin(username=f"service-market@{tenant_id}", tenant_id=tenant_id, is_sudo=True)
''',
    "keepers/admin.py": '''from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel

from keepers.auth import Admin, current_admin

router = APIRouter()
USERS = {
    "acme": [
        {"id": 1, "email": "bo@acme.test", "name": "Bo", "role": "member", "is_active": True,
         "created_at": "2026-03-01T09:00:00", "created_by": "root"},
        {"id": 2, "email": "cy@acme.test", "name": "Cy", "role": "member", "is_active": False,
         "created_at": "2026-03-02T09:00:00", "created_by": "ana"},
    ],
}


class Org(BaseModel):
    id: str
    name: str


def current_org(admin: Admin = Depends(current_admin)) -> Org:
    return Org(id=admin.tenant_id, name=admin.tenant_id.title())


def describe(org: Org) -> dict:
    return {"tenant_id": org.id, "name": org.name, "users": len(USERS.get(org.id, []))}


class Auditor(BaseModel):
    name: str


def current_auditor(admin: Admin = Depends(current_admin)) -> Auditor:
    return Auditor(name=admin.username)


@router.get("/users")
def list_users(x_tenant_id: str = Header(alias="X-Tenant-ID"), auditor: Auditor = Depends(current_auditor)):
    users = USERS.get(x_tenant_id, [])
    return {"users": users, "total": len(users), "audited_by": auditor.name}


@router.get("/users/{user_id}")
def read_user(user_id: int, admin: Admin = Depends(current_admin)):
    for user in USERS.get(admin.tenant_id, []):
        if user["id"] == user_id and (admin.is_sudo or user["created_by"] == admin.username):
            return {**user, "viewed_by": admin.username}
    raise HTTPException(status_code=404, detail="User not found")


@router.get("/settings")
def read_settings(org: Org = Depends(current_org)):
    return describe(org)
''',
}
PHASE1 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
runner = CliRunner()


def _files(setting: str) -> dict[str, str]:
    return {"pyproject.toml": PYPROJECT + setting, **FILES}


@pytest.fixture
def keepers(service_repo):
    return service_repo(_files(SETTING), "keepers_root")


def _routes(root: Path) -> dict[str, dict]:
    result = runner.invoke(cli, ["analyze", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return {r["path"]: r for r in report["routes"]} | {"": report["plan"]}


def test_without_the_setting_the_identity_tenant_waits_for_it_and_an_object_is_not_an_id(service_repo):
    routes = _routes(service_repo(_files(""), "plain", commit=False))
    user = routes["/admin/users/{user_id}"]
    assert (user["tenant_source"], user["status"]) == ("identity:admin.tenant_id", "manual")
    assert user["manual_steps"] == ["the body reads the caller's identity `admin.is_sudo` (dependency "
                                    "`keepers.auth.current_admin`): the handler only gets the tenant id"]
    assert routes["/admin/users"]["manual_steps"] == [
        "the body reads the caller's identity `auditor.name` (dependency `keepers.admin.current_auditor`): the "
        "handler only gets the tenant id"]
    [hint] = routes[""]["suggestions"]
    assert hint.startswith("2 route(s) wait only for the caller's identity")
    # `describe(org)` needs the Org: giving it the tenant id string would answer 500 on every standard call
    settings = routes["/admin/settings"]
    assert (settings["tenant_param"], settings["status"]) == ("org", "manual")
    assert settings["manual_steps"][0] == (
        "the body passes `org` on, what the authenticated dependency (dependency `keepers.admin.current_org`) "
        "returns, and the handler only has the tenant id: move it by hand")


def test_with_the_setting_the_identity_tenant_moves_and_what_derives_from_it_stays(keepers):
    routes = _routes(keepers)
    assert routes["/admin/users/{user_id}"]["status"] == "automatic"
    [plan] = [r for r in routes[""]["routes"] if r["path"] == "/admin/users/{user_id}"]
    assert plan["verdict"]["inputs"]["identity"] == {"admin": "keepers.identity:service_admin"}
    settings = routes["/admin/settings"]
    assert settings["status"] == "manual"
    assert settings["manual_steps"][0].startswith("the body passes `org` on")
    # an identity parameter of another class than the setting's is not solved with it
    users = routes["/admin/users"]
    assert users["status"] == "manual"
    assert users["manual_steps"] == [
        "`auditor` holds `Auditor`, which its dependency `keepers.admin.current_auditor` derives from the caller's "
        "identity, while [tool.migrator] identity gives `Admin`: only a parameter holding the identity itself is "
        "solved with it; move it by hand"]
    assert routes[""]["suggestions"] == []


def test_phase_1_serves_the_standard_call_as_the_configured_identity(keepers, commit_all, monkeypatch):
    written = write_phase(keepers, plan_phase(keepers, 1, now=PHASE1))
    assert "keepers/handlers/market_handler.py" in written
    commit_all(keepers, "phase 1")
    assert not plan_phase(keepers, 1, now=PHASE1).changes
    monkeypatch.setenv("MARKET_API_KEY", "k")
    monkeypatch.syspath_prepend(str(keepers))
    importlib.invalidate_caches()
    client = TestClient(importlib.import_module("keepers.main").app)
    market = {"X-Market-API-Key": "k"}
    # the service identity is sudo in the path's tenant: it sees the user `ana` did not create
    first = client.get("/mt/tenant/acme/users/1", headers=market)
    assert first.status_code == 200, first.text
    assert first.json()["email"] == "bo@acme.test"
    assert client.get("/mt/tenant/globex/users/1", headers=market).status_code == 404
    ana = {"Authorization": "Bearer ana-token"}
    assert client.get("/admin/users/1", headers=ana).status_code == 404  # legacy: still ana's own rights
    assert client.get("/admin/users/2", headers=ana).json()["viewed_by"] == "ana"
    assert client.get("/admin/settings", headers=ana).json() == {"tenant_id": "acme", "name": "Acme", "users": 2}
