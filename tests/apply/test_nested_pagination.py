"""A listing whose tenant and paging arrive through a dependency chain (`users = Depends(get_paginated_users)`, which
reads `?tenant=` and depends on a pagination dependency reading `?limit=&skip=`): the standard limit/offset reach
those nested query parameters through FastAPI's solver, so /mt pages are the legacy pages (they were the first
legacy page whatever the offset)."""

from __future__ import annotations

import importlib
import sys

import pytest
from fastapi.testclient import TestClient

from migrator.analyze import analyze
from migrator.apply import plan_phase, write_phase

MAIN = '''from fastapi import Depends, FastAPI, Query

app = FastAPI()
USERS = {"acme": [{"id": n, "email": f"u{n}@acme.org", "name": f"User {n}", "is_active": n % 3 != 0,
                   "created_at": f"2026-01-{n:02d}T09:00:00"} for n in range(1, 13)]}


def get_pagination(limit: int = Query(10, ge=1), skip: int = Query(0, ge=0)) -> tuple[int, int]:
    return min(limit, 100), skip


def get_paginated_users(tenant: str = Query(...), pagination: tuple[int, int] = Depends(get_pagination)):
    limit, skip = pagination
    rows = USERS.get(tenant, [])
    return rows[skip:skip + limit], len(rows)


@app.get("/admin/users")
def list_users(paginated=Depends(get_paginated_users)):
    rows, count = paginated
    return {"count": count, "results": [{"id": r["id"], "email": r["email"], "name": r["name"],
                                         "is_active": r["is_active"], "created_at": r["created_at"]} for r in rows]}
'''


@pytest.fixture
def service(tmp_path):
    root = tmp_path / "paged_root"
    for rel, text in {"pyproject.toml": '[project]\nname = "paged"\nversion = "1.0.0"\n',
                      "paged/__init__.py": "", "paged/main.py": MAIN}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    yield root
    for name in [n for n in sys.modules if n == "paged" or n.startswith("paged.")]:
        del sys.modules[name]


def test_standard_pages_reach_the_paging_of_a_nested_dependency(service, monkeypatch):
    planned = next(r for r in analyze(service).plan.routes if r.path == "/admin/users")
    assert planned.verdict.status == "automatic" and planned.verdict.inputs.tenant_in == ("query", "tenant")
    assert planned.verdict.inputs.query == {"limit": "limit", "skip": "offset"}
    write_phase(service, plan_phase(service, 1))
    monkeypatch.setenv("MARKET_API_KEY", "k")
    sys.path.insert(0, str(service))
    try:
        client = TestClient(importlib.import_module("paged.main").app)
    finally:
        sys.path.remove(str(service))
    key = {"X-Market-API-Key": "k"}
    for limit, offset in [(5, 0), (5, 5), (4, 10), (20, 0)]:
        answer = client.get("/mt/tenant/acme/users", params={"limit": limit, "offset": offset}, headers=key).json()
        legacy = client.get("/admin/users", params={"tenant": "acme", "limit": limit, "skip": offset}).json()
        assert answer["total"] == legacy["count"] == 12
        assert [u["email"] for u in answer["users"]] == [r["email"] for r in legacy["results"]], (limit, offset)
