"""A dependency that reads `request.state` (what a middleware put on the legacy request) cannot be solved for a
Standard API call: the route that uses it needs a person, and the reason names the attribute and its middleware."""

from __future__ import annotations

from migrator.analyze import analyze
from migrator.inventory import build_inventory

DB = '''
from fastapi import Header, Request


class Session:
    def __init__(self, tenant: str) -> None:
        self.tenant = tenant

    def email(self, user_id: int) -> str:
        return f"u{user_id}@{self.tenant}.example"


def session_from_state(request: Request) -> Session:
    return request.state.db


def fresh_session(x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    yield Session(x_tenant_id)


def remember(request: Request) -> int:
    request.state.seen = 1
    return 1
'''

APP = '''
from fastapi import Depends, FastAPI, Header, Request

from svc.db import Session, fresh_session, remember, session_from_state

app = FastAPI()


@app.middleware("http")
async def bind_session(request: Request, call_next):
    tenant = request.headers.get("X-Tenant-ID", "default")
    request.state.db = Session(tenant)
    return await call_next(request)


@app.get("/admin/users/{user_id}")
def get_user(user_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID"),
             db: Session = Depends(session_from_state)):
    return {"id": user_id, "email": db.email(user_id), "name": "Ann", "status": "active",
            "created_at": "2024-01-01T00:00:00Z"}


@app.put("/admin/users/{user_id}")
def update_user(user_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID"),
                db: Session = Depends(fresh_session), seen: int = Depends(remember)):
    return {"id": user_id, "email": db.email(user_id), "name": "Ann", "status": "active",
            "created_at": "2024-01-01T00:00:00Z"}
'''


def _service(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/db.py").write_text(DB)
    (tmp_path / "svc/main.py").write_text(APP)
    return tmp_path


def test_the_inventory_records_the_state_a_dependency_reads_and_the_middleware_setting_it(tmp_path):
    routes = {r.methods[0]: r for r in build_inventory(_service(tmp_path), workers=1).routes}
    db = next(p for p in routes["GET"].params if p.name == "db")
    assert [(s.attr, s.set_at) for s in db.state] == [("db", "svc/main.py:12")]
    # an assignment to `request.state` is no read; a session from a yield dependency reads no state
    assert all(not p.state for p in routes["PUT"].params), routes["PUT"].params


def test_a_route_using_request_state_through_a_dependency_needs_a_person(tmp_path):
    report = analyze(_service(tmp_path))
    routes = {r.methods[0]: r for r in report.routes}
    get = routes["GET"]
    assert (get.operation, get.status) == ("get_user", "manual"), get.manual_steps
    assert get.manual_steps == [
        "the body reads `db.email` from the dependency `svc.db.session_from_state`, which reads `request.state.db` "
        "(set by the middleware at svc/main.py:12): state put on the legacy request before the route ran, which "
        "the handler's solve for a Standard API call does not have: move it by hand"]
    # the same route with a session of its own (and a dependency that only sets state) still moves
    put = routes["PUT"]
    assert (put.operation, put.status) == ("update_user", "automatic"), put.manual_steps


ASGI_MIDDLEWARE = '''
from starlette.types import ASGIApp, Receive, Scope, Send

from svc.db import Session


class SessionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["state"]["db"] = Session("default")
        await self.app(scope, receive, send)
'''

ASGI_APP = '''
from fastapi import Depends, FastAPI

from svc.db import Session, session_from_state
from svc.mw import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware)


@app.get("/admin/users/{user_id}")
def get_user(user_id: int, db: Session = Depends(session_from_state)):
    return {"id": user_id, "email": db.email(user_id)}
'''


def test_a_pure_asgi_middleware_setting_scope_state_is_named(tmp_path):
    """`scope["state"]["db"] = ...` in an ASGI middleware class (no `@app.middleware`) sets `request.state.db`."""
    root = _service(tmp_path)
    (root / "svc/mw.py").write_text(ASGI_MIDDLEWARE)
    (root / "svc/main.py").write_text(ASGI_APP)
    routes = {r.methods[0]: r for r in build_inventory(root, workers=1).routes}
    db = next(p for p in routes["GET"].params if p.name == "db")
    assert [(s.attr, s.set_at) for s in db.state] == [("db", "svc/mw.py:13")]
