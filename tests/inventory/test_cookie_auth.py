"""Credentials carried in a cookie: a body reading `request.cookies`, a class dependency whose other method reads
the cookie named by an attribute, `APIKeyCookie` and `Cookie()` parameters named like a credential."""

from __future__ import annotations

from migrator.inventory import build_inventory

_SESSION = """
    from fastapi import Depends, Request

    SESSION_COOKIE = "sid_token"


    class Session:
        def __init__(self, request: Request):
            self.request = request
            self._cookie_name = "notes_jwt"

        def claims(self) -> dict:
            raw = self.request.cookies.get(self._cookie_name)
            return {"user": raw, "org_id": 1}


    class Caller:
        def __init__(self, org_id: int):
            self.org_id = org_id


    def current_caller(session: Session = Depends()) -> Caller:
        return Caller(session.claims()["org_id"])


    def legacy_caller(request: Request) -> Caller:
        request.cookies.get(SESSION_COOKIE)
        return Caller(int(request.cookies["org"]))
"""

_MAIN = """
    from fastapi import APIRouter, Cookie, Depends, FastAPI, Request
    from fastapi.security import APIKeyCookie

    from svc.session import Caller, current_caller, legacy_caller

    app = FastAPI()
    cookie_key = APIKeyCookie(name="api_key_cookie")


    @app.get("/notes")
    def notes(caller: Caller = Depends(current_caller)):
        return {"org": caller.org_id}


    @app.get("/legacy")
    def legacy(caller: Caller = Depends(legacy_caller)):
        return {"org": caller.org_id}


    @app.get("/keyed")
    def keyed(key: str = Depends(cookie_key)):
        return {}


    @app.get("/param")
    def param(access_token: str = Cookie(None), theme: str = Cookie("light"), sessionid: str = Cookie(None)):
        return {}


    @app.get("/locale")
    def locale(request: Request):
        return {"lang": request.cookies.get("locale")}
"""


def _routes(make_repo):
    root = make_repo({"svc/__init__.py": "", "svc/session.py": _SESSION, "svc/main.py": _MAIN})
    return {r.path: r for r in build_inventory(root, workers=1).routes}


def test_a_class_dependency_reading_its_cookie_in_another_method_is_a_cookie_credential(make_repo):
    route = _routes(make_repo)["/notes"]
    assert route.auth == ["cookie:notes_jwt"]
    assert route.params[0].auth == ["cookie:notes_jwt"]
    assert (route.tenant_source, route.tenant_param) == ("identity:caller.org_id", "caller")
    assert route.headers == []  # a cookie is not a header


def test_a_body_reading_a_cookie_named_by_a_module_constant(make_repo):
    # `org` names no credential; `SESSION_COOKIE = "sid_token"` does
    assert _routes(make_repo)["/legacy"].auth == ["cookie:sid_token"]


def test_cookie_schemes_and_cookie_parameters(make_repo):
    routes = _routes(make_repo)
    assert routes["/keyed"].auth == ["cookie:api_key_cookie"]
    assert routes["/param"].auth == ["cookie:access_token", "cookie:sessionid"]  # `theme` is no credential
    assert [(p.name, p.kind) for p in routes["/param"].params] == [
        ("access_token", "cookie"), ("theme", "cookie"), ("sessionid", "cookie")]
    assert routes["/locale"].auth == []


# the cookie's name is a settings field (a default read in a module without FastAPI code), in the three ways a
# service names its session cookie
_CONFIG = """
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        SESSION_COOKIE: str = "portal_session"


    settings = Settings()
"""
_PORTAL = """
    from fastapi import Cookie, Depends, FastAPI, HTTPException, Request
    from fastapi.security import APIKeyCookie

    from portal.config import settings

    app = FastAPI()
    scheme = APIKeyCookie(name=settings.SESSION_COOKIE)
    unnamed = APIKeyCookie(name=settings.MISSING_FIELD)


    def by_parameter(session: str = Cookie(..., alias=settings.SESSION_COOKIE)):
        return {"id": 1}


    def by_request(request: Request):
        if not request.cookies.get(settings.SESSION_COOKIE):
            raise HTTPException(401)
        return {"id": 1}


    @app.get("/admin/users")
    def list_users(user=Depends(by_parameter)):
        return []


    @app.get("/admin/users/{user_id}")
    def get_user(user_id: int, admin=Depends(by_request)):
        return {}


    @app.delete("/admin/users/{user_id}")
    def delete_user(user_id: int, key: str = Depends(scheme)):
        return {}


    @app.post("/admin/users")
    def create_user(key: str = Depends(unnamed)):
        return {}
"""


def test_a_cookie_named_by_a_settings_field_is_read_by_its_value(make_repo):
    root = make_repo({"portal/__init__.py": "", "portal/config.py": _CONFIG, "portal/main.py": _PORTAL})
    routes = {(r.methods[0], r.path): r for r in build_inventory(root, workers=1).routes}
    assert routes[("GET", "/admin/users")].auth == ["cookie:portal_session"]  # Cookie(alias=...)
    assert routes[("GET", "/admin/users/{user_id}")].auth == ["cookie:portal_session"]  # request.cookies.get(...)
    assert routes[("DELETE", "/admin/users/{user_id}")].auth == ["cookie:portal_session"]  # APIKeyCookie(name=...)
    # a name migrator cannot read: no "cookie:None"
    assert routes[("POST", "/admin/users")].auth == ["cookie (name set at run time)"]
