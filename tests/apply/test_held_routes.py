"""No silent half-success: a legacy route whose standard operation answers 501 stays where it is. Phase 1 moves its
logic (a variant such as suspend, while the operation's own route is left to a person), records it as held, and
phases 2 and 3 neither deprecate nor remove it, not even with --force."""

from __future__ import annotations

import importlib
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from migrator.analyze import analyze
from migrator.apply import plan_phase, write_phase
from migrator.journal import load_journal

FILES = {
    "pyproject.toml": '[project]\nname = "held"\nversion = "1.0.0"\ndependencies = ["fastapi>=0.110"]\n',
    "svc/__init__.py": "",
    "svc/main.py": '''from fastapi import FastAPI

from svc.users import router

app = FastAPI()
app.include_router(router, prefix="/admin")
''',
    "svc/users.py": '''from fastapi import APIRouter, Header, Request

router = APIRouter()
USERS = {1: {"id": 1, "username": "kim", "email": "kim@example.org", "is_active": True,
             "created_at": "2026-01-05T09:00:00"}}


def _user(user_id: int) -> dict:
    row = USERS[user_id]
    return {"id": row["id"], "username": row["username"], "email": row["email"], "is_active": row["is_active"],
            "created_at": row["created_at"]}


@router.get("/users/{user_id}")
def get_user(user_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    return _user(user_id)


@router.put("/users/{user_id}")
async def update_user(user_id: int, request: Request, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    changes = await request.json()
    USERS[user_id].update(changes)
    return _user(user_id)


@router.post("/users/{user_id}/suspend")
def suspend_user(user_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    USERS[user_id]["is_active"] = False
    return {"message": "User suspended", "user_id": user_id}
''',
}

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=timezone.utc)


def _write(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _states(root: Path) -> dict[str, str]:
    return {f"{r.methods[0]} {r.path}": r.state for r in load_journal(root).routes}


def test_a_variant_whose_operation_answers_501_is_held_through_every_phase(tmp_path):
    root = _write(tmp_path / "svc_root")
    plan = analyze(root).plan
    held = {r.key: r.state for r in plan.routes if r.mapped}
    assert held == {"GET /admin/users/{user_id}": "moved", "PUT /admin/users/{user_id}": "manual",
                    "POST /admin/users/{user_id}/suspend": "held"}
    assert "update_user" in plan.unimplemented_operations
    assert {c.route for c in plan.phase(2).changes} == {"GET /admin/users/{user_id}"}  # not the held one
    assert any("POST /admin/users/{user_id}/suspend" in s.text and "501" in s.text for s in plan.phase(1).manual_steps)

    result = plan_phase(root, 1, now=NOW)
    write_phase(root, result)
    assert _states(root)["POST /admin/users/{user_id}/suspend"] == "held"
    journal = load_journal(root)
    reason = next(r.reason for r in journal.routes if r.path.endswith("/suspend"))
    assert "`update_user` answers 501 NOT_IMPLEMENTED" in reason
    assert any("kept, neither deprecated nor removed: POST /admin/users/{user_id}/suspend" in n for n in result.notes)

    second = plan_phase(root, 2, sunset=date(2027, 1, 6), now=NOW)
    write_phase(root, second, allow_dirty=True)
    states = _states(root)
    assert states["GET /admin/users/{user_id}"] == "deprecated" and states["POST /admin/users/{user_id}/suspend"] == "held"
    users = (root / "svc/users.py").read_text()
    suspend = users[users.index('@router.post("/users/{user_id}/suspend")'):]
    assert "deprecated" not in suspend  # no deprecation mark on the held route

    third = plan_phase(root, 3, force=True, now=datetime(2027, 3, 1, tzinfo=timezone.utc))
    write_phase(root, third, allow_dirty=True)
    states = _states(root)
    assert states["GET /admin/users/{user_id}"] == "removed"
    assert states["POST /admin/users/{user_id}/suspend"] == "held"  # --force does not take it away
    assert '@router.post("/users/{user_id}/suspend")' in (root / "svc/users.py").read_text()
    assert any("suspend" in n and "501" in n for n in third.notes)


ADMINS = {
    "pyproject.toml": '[project]\nname = "held"\nversion = "1.0.0"\ndependencies = ["fastapi>=0.110"]\n\n'
                      '[tool.migrator]\ntenant = "crew"\n',
    "crew/__init__.py": "",
    "crew/db.py": '''ROWS = [{"id": 1, "username": "kim", "email": "kim@example.org", "is_admin": True}]


def get_db():
    yield ROWS
''',
    "crew/main.py": '''from fastapi import Depends, FastAPI, Request

from crew.db import get_db

app = FastAPI()


@app.get("/api/users")
def list_users(request: Request, db: list = Depends(get_db)):
    return {"users": db, "asked_by": request.client.host}


@app.get("/api/admins")
def list_admins(limit: int = 10, db: list = Depends(get_db)):
    return [row for row in db if row["is_admin"]][:limit]
''',
}


def test_a_held_variant_leaves_no_inputs_function_in_the_handler(tmp_path):
    # the admins variant moves, and FastAPI would solve its database for the standard method; but list_users's own
    # route needs a person, so no standard method calls it: the handler carries no inputs function for it
    root = tmp_path / "crew_root"
    for rel, text in ADMINS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    states = {r.key: r.state for r in analyze(root).plan.routes if r.mapped}
    assert states == {"GET /api/users": "manual", "GET /api/admins": "held"}
    write_phase(root, plan_phase(root, 1))
    handler = (root / "crew/handlers/market_handler.py").read_text()
    compile(handler, "market_handler.py", "exec")
    assert "_inputs" not in handler and "get_db" not in handler and "Depends" not in handler
    assert "def list_admins(" in (root / "crew/services/legacy_main.py").read_text()  # its logic did move


def test_a_single_tenant_service_answers_404_for_another_tenant_before_any_501(tmp_path, monkeypatch):
    # crew serves one tenant; its handler implements no operation (list_users is held), and answers 501 for its own
    # tenant. Any other tenant id names no tenant: 404 on every tenant operation, the generated 501 stubs and the
    # base class's alike (STANDARD_API.md lists 404 for an unknown tenant on each of them)
    from fastapi.testclient import TestClient

    from shims.spec import OPERATIONS, STANDARD_PREFIX

    root = tmp_path / "crew_root"
    for rel, text in ADMINS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    write_phase(root, plan_phase(root, 1))
    monkeypatch.setenv("MARKET_API_KEYS", "k")
    monkeypatch.syspath_prepend(str(root))
    try:
        client = TestClient(importlib.import_module("crew.main").app)
        reads = [op for op in OPERATIONS if op.method == "GET" and op.path.startswith(STANDARD_PREFIX + "/tenant/")]
        answers = {}
        for op in reads:
            path = op.path.replace("{user_id}", "1") + ("?period=2026-11" if op.name == "get_tenant_usage" else "")
            own = client.get(path.format(tenant_id="crew"), headers={"X-Market-API-Key": "k"})
            other = client.get(path.format(tenant_id="other"), headers={"X-Market-API-Key": "k"})
            answers[op.name] = (own.status_code, other.status_code, other.json()["detail"]["error"])
    finally:
        for name in [n for n in sys.modules if n == "crew" or n.startswith("crew.")]:
            del sys.modules[name]
    assert {name: own for name, (own, _, _) in answers.items()} == {name: 501 for name in answers}
    assert {name: (other, code) for name, (_, other, code) in answers.items()} == {
        name: (404, "TENANT_NOT_FOUND") for name in answers}
