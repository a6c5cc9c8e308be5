"""Shared by the property tests: a small FastAPI service written into a temp folder, generated route modules, and
the phases run through their public entry points."""

from __future__ import annotations

import ast
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional

from hypothesis import strategies as st

PYPROJECT = """\
[project]
name = "propsvc"
version = "1.0.0"

[tool.migrator]
app = "app.main:app"
"""

MAIN = """\
from fastapi import FastAPI

from app.routers import admin{extra_import}

app = FastAPI()
app.include_router(admin.router, prefix="/admin"){extra_include}


@app.get("/health")
def health():
    return {{"status": "ok"}}
"""

ADMIN = '''\
from fastapi import APIRouter, Header, HTTPException, Query

router = APIRouter()

USERS = {"t1": [{"id": 1, "username": "kim", "display_name": "Kim", "email": "kim@x.kr", "is_active": True,
                 "created_at": "2026-01-01T00:00:00", "last_login": None, "monthly_cost_usd": 0.0}]}


@router.get("/users")
def list_users(page: int = Query(1, ge=1), limit: int = Query(20, ge=1, le=100), search: str = "",
               x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    users = USERS.get(x_tenant_id)
    if users is None:
        raise HTTPException(404, detail="Tenant not found")
    return {"users": users[(page - 1) * limit: page * limit], "total": len(users), "page": page, "limit": limit}


@router.get("/users/{user_id}")
async def get_user(user_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    for user in USERS.get(x_tenant_id, []):
        if user["id"] == user_id:
            return user
    raise HTTPException(404, detail="User not found")
'''

# phase 1, phase 2 (with its Sunset), phase 3 (after the Sunset; the call-log guard is overridden with force)
DATES = {1: datetime(2027, 1, 5, 12, 0, tzinfo=timezone.utc), 2: datetime(2027, 1, 10, 12, 0, tzinfo=timezone.utc),
         3: datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)}
SUNSET = date(2027, 2, 1)


def write_service(root: Path, *, generated: Optional[str] = None, routes: Optional[str] = None) -> None:
    """The service: `app/main.py` (the app), `app/routers/admin.py` (two catalog routes); ``generated`` becomes
    `app/generated.py` (imported by nothing), ``routes`` becomes `app/routers/extra.py` (a router the app
    includes under /admin)."""
    (root / "app" / "routers").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "routers" / "__init__.py").write_text("", encoding="utf-8")
    extra_import, extra_include = "", ""
    if routes is not None:
        extra_import = ", extra"
        extra_include = '\napp.include_router(extra.router, prefix="/admin")'
        (root / "app" / "routers" / "extra.py").write_text(routes, encoding="utf-8")
    main = MAIN.format(extra_import=extra_import, extra_include=extra_include)
    (root / "app" / "main.py").write_text(main, encoding="utf-8")
    (root / "app" / "routers" / "admin.py").write_text(ADMIN, encoding="utf-8")
    if generated is not None:
        (root / "app" / "generated.py").write_bytes(generated.encode("utf-8"))  # byte for byte (CRLF stays)


def phase_options(phase: int) -> dict:
    if phase == 1:
        return {"now": DATES[1]}
    if phase == 2:
        return {"sunset": SUNSET, "now": DATES[2]}
    return {"force": True, "now": DATES[3]}


def run_phase(root: Path, phase: int) -> list[str]:
    """Plan and write ``phase``; every produced Python file must parse. Returns the files written."""
    from migrator.apply import plan_phase, write_phase

    result = plan_phase(root, phase, **phase_options(phase))
    for change in result.changes:
        if change.changed and change.path.endswith(".py") and change.new is not None:
            ast.parse(change.new, filename=change.path)
    return write_phase(root, result)


def pending(root: Path, phase: int) -> list[str]:
    """The files a second run of ``phase`` would change (must be none)."""
    from migrator.apply import plan_phase

    return [c.path for c in plan_phase(root, phase, **phase_options(phase)).changes if c.changed]


# --- generated route modules --------------------------------------------------------------------------------------

IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(
    lambda s: s not in {"router", "app", "self", "cls", "x_tenant_id", "user_id"} and not s.startswith("legacy_")
    and s.isidentifier() and s not in __import__("keyword").kwlist)
# (method, path) pairs the catalog maps (under /admin), and others
CATALOG = [("get", "/dashboard"), ("get", "/dashboard/costs"), ("get", "/dashboard/usage-patterns"),
           ("get", "/dashboard/top-users"), ("post", "/users"), ("put", "/users/{user_id}"),
           ("delete", "/users/{user_id}"), ("post", "/users/{user_id}/suspend"), ("post", "/users/{user_id}/activate"),
           ("get", "/settings"), ("put", "/settings")]
PATHS = [path for _, path in CATALOG] + ["/data/stats", "/items/{user_id}"]
METHODS = ["get", "post", "put", "delete"]
TENANT = 'x_tenant_id: str = Header(..., alias="X-Tenant-ID")'
PARAMS = ['days: int = Query(30, ge=1, le=365)', "page: int = 1", "limit: int = Query(20, ge=1, le=100)",
          'search: str = ""', "payload: dict = Body(default_factory=dict)", "flag: bool = False"]
BODIES = [
    "return {{\"ok\": True, \"tenant\": x_tenant_id}}",
    "total = {value}\nreturn {{\"total\": total, \"tenant\": x_tenant_id}}",
    "if not x_tenant_id:\n    raise HTTPException(404, detail=\"Tenant not found\")\nreturn {{\"value\": {value}}}",
    "items = [i * {value} for i in range(3)]\nreturn {{\"items\": items}}",
    "try:\n    return {{\"value\": int(str({value}))}}\nexcept ValueError:\n    return {{\"value\": 0}}",
    "result = helper_{name}({value})\nreturn {{\"result\": result}}",
]


@st.composite
def route_modules(draw) -> str:
    """A router module of 1-4 generated routes (catalog paths and others, assorted parameters and bodies)."""
    lines = ["from fastapi import APIRouter, Body, Header, HTTPException, Query", "", "router = APIRouter()", ""]
    names = draw(st.lists(IDENT, min_size=1, max_size=4, unique=True))
    for name in names:
        method, path = draw(st.sampled_from(CATALOG) | st.tuples(
            st.sampled_from(METHODS), st.sampled_from(PATHS) | IDENT.map(lambda s: "/" + s)))
        params = draw(st.lists(st.sampled_from(PARAMS), max_size=3, unique=True))
        if "{user_id}" in path:
            params.insert(0, "user_id: int")
        if draw(st.integers(0, 3)) > 0:  # mostly with a tenant source, sometimes without (a manual step)
            params.append(TENANT)
        value = draw(st.integers(-5, 10**6) | st.sampled_from(["user_id" if "{user_id}" in path else "1", "len(x_tenant_id)"]
                                                               if TENANT in params else ["2"]))
        body = draw(st.sampled_from(BODIES)).format(value=value, name=name)
        if TENANT not in params:
            body = 'x_tenant_id = "none"\n' + body  # a route without a tenant source (phase 1: a manual step)
        if "helper_" in body:
            lines += [f"def helper_{name}(value):", "    return value * 2", "", ""]
        prefix = "async def" if draw(st.booleans()) else "def"
        lines += [f'@router.{method}("{path}")', f"{prefix} {name}({', '.join(params)}):",
                  textwrap.indent(body, "    "), "", ""]
    return "\n".join(lines).rstrip() + "\n"
