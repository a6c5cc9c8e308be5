"""Two routes create users: an open sign-up (`POST /users/`) and a superuser's `POST /users/create`. The Standard
API's create_user is an administrator creating a user of the tenant, so the admin route holds the operation's logic
and the sign-up is reported as a candidate, with the reason. A small service written for this test."""

from __future__ import annotations

import importlib
import json
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from migrator.analyze import analyze
from migrator.apply import plan_phase, write_phase
from migrator.primary import admin_guard, primary_order

FILES = {
    "pyproject.toml": '[project]\nname = "clubhouse"\nversion = "1.0.0"\ndependencies = ["fastapi>=0.110"]\n\n'
                      '[tool.migrator]\ntenant = "club"\n',
    "clubhouse/__init__.py": "",
    "clubhouse/main.py": '''from fastapi import FastAPI

from clubhouse.people import router

app = FastAPI()
app.include_router(router, prefix="/api/v2/users")
''',
    "clubhouse/security.py": '''from fastapi import Depends, Header, HTTPException

SESSIONS = {"owner-session": {"email": "owner@example.org", "is_superuser": True}}


def current_person(authorization: str = Header(...)) -> dict:
    person = SESSIONS.get(authorization.removeprefix("Bearer "))
    if person is None:
        raise HTTPException(status_code=401, detail="who are you?")
    return person


def require_superuser(person: dict = Depends(current_person)) -> dict:
    if not person["is_superuser"]:
        raise HTTPException(status_code=403, detail="superusers only")
    return person
''',
    "clubhouse/people.py": '''from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import BaseModel

from clubhouse.security import require_superuser

router = APIRouter()
PEOPLE: list[dict] = []


class NewPerson(BaseModel):
    email: str
    full_name: str = ""
    password: str | None = None


def _stored(email: str, full_name: str, confirmed: bool) -> dict:
    if any(p["email"] == email for p in PEOPLE):
        raise HTTPException(status_code=400, detail="taken")
    person = {"id": len(PEOPLE) + 1, "email": email, "full_name": full_name, "is_active": confirmed,
              "created_at": "2026-12-01T10:00:00"}
    PEOPLE.append(person)
    return person


@router.post("/")
def create_account(email: str = Body(...), password: str = Body(...), full_name: str = Body("")):
    """Anyone may register: the account waits for its e-mail confirmation."""
    return _stored(email, full_name, confirmed=False)


@router.post("/create")
def create_user(new: NewPerson, admin: dict = Depends(require_superuser)):
    """A superuser adds a confirmed account."""
    return _stored(new.email, new.full_name, confirmed=True)
''',
}


@pytest.fixture
def clubhouse(tmp_path):
    root = tmp_path / "clubhouse_root"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    yield root
    for name in [n for n in sys.modules if n == "clubhouse" or n.startswith("clubhouse.")]:
        del sys.modules[name]


def _client(root: Path) -> TestClient:
    sys.path.insert(0, str(root))
    os.environ["MARKET_API_KEY"] = "k"
    try:
        importlib.invalidate_caches()
        return TestClient(importlib.import_module("clubhouse.main").app)
    finally:
        sys.path.remove(str(root))


def test_the_admin_route_holds_create_user_and_the_sign_up_is_a_candidate(clubhouse):
    report = analyze(clubhouse)
    routes = {r.path: r for r in report.routes}
    assert (routes["/api/v2/users/create"].operation, routes["/api/v2/users/create"].status) == (
        "create_user", "automatic")
    assert (routes["/api/v2/users/"].operation, routes["/api/v2/users/"].status) == ("create_user", "automatic")
    assert routes["/api/v2/users/create"].candidate is None
    reason = routes["/api/v2/users/"].candidate
    assert "`POST /api/v2/users/create`" in reason and "`require_superuser`" in reason
    assert reason.endswith("this route is open (migrator sees no admin guard or authentication)")
    moves = {item.route: item.text for phase in report.plan.phases if phase.phase == 1 for item in phase.changes
             if item.route}
    assert moves["POST /api/v2/users/create"].endswith("and `create_user` calls it")
    assert moves["POST /api/v2/users/"].endswith(f"({reason})")  # its logic moves, but create_user does not call it


def test_one_operation_has_one_primary_route(clubhouse):
    """The sign-up keeps `candidate` and gives up `primary`: the report never names two routes holding the logic."""
    report = analyze(clubhouse)
    primaries = [r.path for r in report.routes if r.operation == "create_user" and r.primary]
    assert primaries == ["/api/v2/users/create"]
    assert next(r for r in report.routes if r.path == "/api/v2/users/").primary is False


def test_phase_1_implements_create_user_from_the_admin_route(clubhouse):
    write_phase(clubhouse, plan_phase(clubhouse, 1))
    handler = (clubhouse / "clubhouse/handlers/market_handler.py").read_text()
    assert "legacy_people.create_user," in handler and "legacy_people.create_account" not in handler
    client = _client(clubhouse)
    created = client.post("/mt/tenant/club/users", json={"email": "ana@example.org", "name": "Ana"},
                          headers={"X-Market-API-Key": "k"})
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "active"  # the superuser's logic: a sign-up would wait for confirmation
    signed = client.post("/api/v2/users/", json={"email": "bo@example.org", "password": "pw"})
    assert signed.status_code == 200 and signed.json()["is_active"] is False  # the sign-up keeps its own logic


def test_the_sign_up_is_held_through_phases_2_and_3_its_callers_keep_it(clubhouse):
    """No standard operation runs the sign-up's logic (create_user is the superuser's): phase 2 does not point its
    callers at a successor that does something else, and phase 3 does not take the route away."""
    report = analyze(clubhouse)
    deprecations = [item.route for phase in report.plan.phases if phase.phase == 2 for item in phase.changes
                    if item.route]
    assert deprecations == ["POST /api/v2/users/create"]
    first = plan_phase(clubhouse, 1)
    assert any(note.startswith("kept, neither deprecated nor removed: POST /api/v2/users/ (a candidate for "
                               "`create_user`") for note in first.notes)
    write_phase(clubhouse, first)
    journal = json.loads((clubhouse / ".migrator/journal.json").read_text())
    states = {r["path"]: (r["state"], bool(r.get("candidate"))) for r in journal["routes"]}
    assert states == {"/api/v2/users/": ("held", True), "/api/v2/users/create": ("moved", False)}
    second = plan_phase(clubhouse, 2, sunset=date(2027, 2, 1), now=datetime(2027, 1, 5, tzinfo=timezone.utc))
    write_phase(clubhouse, second, allow_dirty=True)
    third = plan_phase(clubhouse, 3, force=True, now=datetime(2027, 3, 1, tzinfo=timezone.utc))
    write_phase(clubhouse, third, allow_dirty=True)
    assert any("POST /api/v2/users/ (a candidate" in note for note in third.notes)
    people = (clubhouse / "clubhouse/people.py").read_text()
    assert '@router.post("/create")' not in people and '@router.post("/")' in people
    assert "deprecated" not in people.lower()
    client = _client(clubhouse)
    signed = client.post("/api/v2/users/", json={"email": "cy@example.org", "password": "pw"})
    assert signed.status_code == 200 and "Deprecation" not in signed.headers, signed.text
    assert signed.json()["is_active"] is False
    created = client.post("/mt/tenant/club/users", json={"email": "di@example.org", "name": "Di"},
                          headers={"X-Market-API-Key": "k"})
    assert created.status_code == 201 and created.json()["status"] == "active"


def _route(path: str, deps: tuple[str, ...] = (), auth: tuple[str, ...] = (), levels: tuple[str, ...] = ()):
    params = [SimpleNamespace(dependency=d) for d in deps]
    return SimpleNamespace(path=path, params=params, dependencies=list(levels), auth=list(auth),
                           conditional=False, configured=False)


@pytest.mark.parametrize("dependency, guard", [
    ("app.api.deps.get_current_active_superuser", True),
    ("app.models.admin.Admin.get_current", True),  # a method of the admin class
    ("svc.auth.require_admin", True),
    ("svc.admin_tools.get_db", False),  # a module named admin: not what guards the route
    ("svc.auth.get_current_user", False),
])
def test_an_admin_guard_is_read_from_the_dependency_name(dependency, guard):
    assert (admin_guard(_route("/users", deps=(dependency,))) is not None) is guard


def test_the_order_puts_admin_guards_then_authentication_then_the_path_first():
    open_signup = _route("/users/")
    says_create = _route("/users/create")
    authenticated = _route("/users/", auth=("Authorization: Bearer",))
    router_guard = _route("/users/", levels=("svc.auth.require_staff",))
    ordered = sorted([open_signup, says_create, authenticated, router_guard], key=primary_order)
    assert ordered == [router_guard, authenticated, says_create, open_signup]


def test_a_route_scoped_to_a_tenant_comes_before_an_admin_route_that_is_not():
    platform = _route("/admin/users", deps=("svc.auth.require_superuser",))
    scoped = _route("/workspaces/{workspace_id}/members", auth=("Authorization: Bearer",))
    scoped.tenant_source = "path:workspace_id"
    assert sorted([platform, scoped], key=primary_order) == [scoped, platform]
    # without tenants anywhere (a single-tenant app) the admin guard decides, as before; a query parameter
    # (`?tenant=` narrowing a listing) does not scope the route
    for source in (None, "query:tenant"):
        scoped.tenant_source = source
        assert sorted([scoped, platform], key=primary_order) == [platform, scoped]


MULTI = {
    "svc/__init__.py": "",
    "svc/main.py": '''from fastapi import Depends, FastAPI, Header, HTTPException

app = FastAPI()
MEMBERS = {"w1": [{"id": 1, "email": "a@example.org"}]}


def require_superuser(authorization: str = Header(...)) -> dict:
    if authorization != "Bearer root":
        raise HTTPException(status_code=403)
    return {"root": True}


@app.get("/admin/users")
def list_all_users(admin: dict = Depends(require_superuser)):
    return [m for members in MEMBERS.values() for m in members]


@app.get("/workspaces/{workspace_id}/members")
def list_workspace_members(workspace_id: str):
    return MEMBERS.get(workspace_id, [])
''',
}


def test_in_a_multi_tenant_app_the_tenants_route_holds_list_users_and_the_platform_route_says_why(tmp_path):
    from migrator.planner import make_plan

    for rel, text in MULTI.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    plan = make_plan(tmp_path, workers=1, estimate=False).plan
    routes = {r.path: r for r in plan.routes if r.operation == "list_users"}
    assert set(routes) == {"/admin/users", "/workspaces/{workspace_id}/members"}
    assert routes["/workspaces/{workspace_id}/members"].primary
    assert not routes["/admin/users"].primary
    assert "it is scoped to a tenant (`path:workspace_id`), this route is not" in routes["/admin/users"].candidate
