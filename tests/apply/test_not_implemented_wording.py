"""An operation phase 1 could not implement answers 501 with a short reason for the caller (a move is pending, or
the service has no logic for it); the maintainer's reason — the legacy route's file and line, the function, the
dependency in the way — is the generated method's docstring and phase 1's report, never the wire's. A small
single-tenant service written for this test: its user update reads the caller's identity, so it stays manual."""

from __future__ import annotations

import ast
import importlib
import os
import sys

import pytest
from fastapi.testclient import TestClient

from migrator.apply import plan_phase, write_phase

FILES = {
    "pyproject.toml": '[project]\nname = "roster"\nversion = "1.2.0"\ndependencies = ["fastapi>=0.110"]\n\n'
                      '[tool.migrator]\ntenant = "crew"\n',
    "roster/__init__.py": "",
    "roster/main.py": '''from fastapi import FastAPI

from roster.admin import router

app = FastAPI()
app.include_router(router, prefix="/admin")
''',
    "roster/admin.py": '''from fastapi import APIRouter, Depends, Header, HTTPException

router = APIRouter()
PEOPLE = {1: {"id": 1, "email": "ana@example.org", "name": "Ana", "role": "member", "is_active": True,
              "created_at": "2026-03-01T09:00:00"}}


def current_admin(authorization: str = Header(...)) -> dict:
    if authorization != "Bearer root":
        raise HTTPException(status_code=401, detail="no")
    return {"email": "root@example.org", "team": "ops"}


@router.get("/users/{user_id}")
def read_user(user_id: int, admin: dict = Depends(current_admin)):
    if user_id not in PEOPLE:
        raise HTTPException(status_code=404, detail="no such user")
    return PEOPLE[user_id]


@router.patch("/users/{user_id}")
def edit_user(user_id: int, name: str, admin: dict = Depends(current_admin)):
    PEOPLE[user_id]["name"] = name
    PEOPLE[user_id]["edited_by"] = admin["email"]
    return PEOPLE[user_id]
''',
}


@pytest.fixture
def roster(tmp_path):
    root = tmp_path / "roster_root"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    yield root
    for name in [n for n in sys.modules if n == "roster" or n.startswith("roster.")]:
        del sys.modules[name]


def _method(handler: str, name: str) -> ast.AsyncFunctionDef:
    tree = ast.parse(handler)
    return next(n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef) and n.name == name)


def test_the_reason_is_the_docstring_and_the_caller_reads_a_short_one(roster):
    result = plan_phase(roster, 1)
    reason = result.not_implemented["update_user"]
    assert reason.startswith("its legacy route needs a manual move: PATCH /admin/users/{user_id} (roster/admin.py:")
    write_phase(roster, result)
    handler = (roster / "roster/handlers/market_handler.py").read_text(encoding="utf-8")
    update = _method(handler, "update_user")
    doc = " ".join(ast.get_docstring(update).split())
    assert doc.startswith("Answers 501 until implemented: its legacy route needs a manual move: PATCH "
                          "/admin/users/{user_id} (roster/admin.py:")
    assert isinstance(update.body[1], ast.Expr) and ast.unparse(update.body[1]) == "SERVED.check(tenant_id)"
    raised = ast.unparse(update.body[-1])
    assert raised == "raise NotImplementedOperationError('update_user', 'its legacy route needs a manual move')"
    assert all(len(line) <= 88 for line in handler.splitlines())

    sys.path.insert(0, str(roster))
    os.environ["MARKET_API_KEY"] = "k"
    try:
        importlib.invalidate_caches()
        client = TestClient(importlib.import_module("roster.main").app)
    finally:
        sys.path.remove(str(roster))
    headers = {"X-Market-API-Key": "k"}
    answer = client.put("/mt/tenant/crew/users/1", json={"name": "Bo"}, headers=headers)
    assert answer.status_code == 501, answer.text
    message = answer.json()["detail"]["message"]
    assert message == "This service does not implement 'update_user': its legacy route needs a manual move"
    assert client.put("/mt/tenant/other/users/1", json={"name": "Bo"}, headers=headers).status_code == 404
    assert client.get("/mt/tenant/crew/users/1", headers=headers).status_code == 200
