"""The tenant of a route is the caller's organisation (`organisation.id`, an integer primary key): the moved service
function takes the id with the type the legacy route passes, so the standard call (`/mt/tenant/1/...`, a string on
the wire) and the legacy call feed the same query the same int."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest
from fastapi.testclient import TestClient

from migrator.analyze import analyze
from migrator.apply import plan_phase, write_phase

DB = '''
import sqlite3
from dataclasses import dataclass

# `org_id` holds integers; declared without a type, SQLite compares it strictly (as Postgres refuses the text '1'
# for an integer): an organisation id given as the string "1" finds no member
connection = sqlite3.connect(":memory:", check_same_thread=False)
connection.executescript("""
    CREATE TABLE organisations (id INTEGER PRIMARY KEY, token TEXT);
    CREATE TABLE members (id INTEGER PRIMARY KEY, org_id, active INTEGER);
    INSERT INTO organisations VALUES (1, 'tok-one'), (2, 'tok-two');
    INSERT INTO members (org_id, active) VALUES (1, 1), (1, 0), (1, 1), (2, 1);
""")


@dataclass
class Organisation:
    id: int
    token: str
'''

MAIN = '''
from fastapi import Depends, FastAPI, Header, HTTPException

from orgdash.db import Organisation, connection

app = FastAPI()


def current_organisation(authorization: str = Header(...)) -> Organisation:
    token = authorization.removeprefix("Bearer ")
    row = connection.execute("SELECT id, token FROM organisations WHERE token = ?", (token,)).fetchone()
    if row is None:
        raise HTTPException(status_code=401)
    return Organisation(*row)


def count_members(org_id: int, active_only: bool = False) -> int:
    query = "SELECT COUNT(*) FROM members WHERE org_id = ?" + (" AND active = 1" if active_only else "")
    return connection.execute(query, (org_id,)).fetchone()[0]


@app.get("/admin/dashboard")
def dashboard(organisation: Organisation = Depends(current_organisation)):
    return {"total_users": count_members(organisation.id), "active_users": count_members(organisation.id, True)}
'''


@pytest.fixture
def orgdash(tmp_path):
    root = tmp_path / "orgdash_root"
    for rel, text in {"orgdash/__init__.py": "", "orgdash/db.py": DB, "orgdash/main.py": MAIN}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    yield root
    for name in [n for n in sys.modules if n == "orgdash" or n.startswith("orgdash.")]:
        del sys.modules[name]


def test_an_integer_identity_tenant_reaches_the_moved_query_as_an_int_from_both_callers(orgdash, monkeypatch):
    [route] = analyze(orgdash).plan.routes
    assert (route.verdict.status, route.tenant_source) == ("automatic", "identity:organisation.id")
    tenant = next(p for p in route.verdict.params if p.role == "tenant")
    assert (tenant.annotation, tenant.substitute, tenant.rename) == ("int", "id", "tenant_id")
    write_phase(orgdash, plan_phase(orgdash, 1))
    assert "def dashboard(*, tenant_id: int):" in (orgdash / "orgdash/services/legacy_main.py").read_text()
    monkeypatch.setenv("MARKET_API_KEY", "k")
    monkeypatch.syspath_prepend(str(orgdash))
    importlib.invalidate_caches()
    client = TestClient(importlib.import_module("orgdash.main").app)
    standard = client.get("/mt/tenant/1/stats", headers={"X-Market-API-Key": "k"})
    assert standard.status_code == 200, standard.text
    summary = standard.json()["summary"]
    assert (summary["total_users"], summary["active_users"]) == (3, 2)
    legacy = client.get("/admin/dashboard", headers={"Authorization": "Bearer tok-two"})
    assert legacy.json() == {"total_users": 1, "active_users": 1}
    assert client.get("/mt/tenant/one/stats", headers={"X-Market-API-Key": "k"}).status_code == 404
