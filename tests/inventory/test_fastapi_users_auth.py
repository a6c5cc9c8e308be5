"""fastapi-users (library code migrator does not read): `FastAPIUsers(get_user_manager, [backend])` or a repository
subclass of it, whose `current_user(...)` dependency authenticates with its backends' transports (CookieTransport
reads a cookie, BearerTransport `Authorization: Bearer`). Its routers (`get_users_router()`, ...) stay reported as
library code."""

from __future__ import annotations

import pytest

from migrator.inventory import build_inventory

AUTH = """
    import os
    import uuid

    from fastapi_users import FastAPIUsers
    from fastapi_users.authentication import AuthenticationBackend, BearerTransport, CookieTransport, JWTStrategy


    def get_strategy() -> JWTStrategy:
        return JWTStrategy(secret="not-a-secret", lifetime_seconds=60)


    async def get_user_manager():
        yield None


    cookie = AuthenticationBackend(name="cookie", transport={transport}, get_strategy=get_strategy)
    bearer = AuthenticationBackend("jwt", BearerTransport(tokenUrl="auth/login"), get_strategy)


    class Users(FastAPIUsers[dict, uuid.UUID]):
        def helper(self) -> str:
            return "own method"


    users = Users(get_user_manager, [cookie])
    plain = FastAPIUsers[dict, uuid.UUID](get_user_manager, [bearer, cookie])

    current_user = users.current_user(active=True)
    current_superuser = plain.current_user(active=True, superuser=True)
"""

MAIN = """
    from typing import Annotated

    from fastapi import Depends, FastAPI

    from usvc.auth import current_superuser, current_user, plain, users

    app = FastAPI()
    app.include_router(plain.get_users_router(dict, dict), prefix="/users")
    app.include_router(users.get_auth_router(None), prefix="/auth")


    @app.get("/notes")
    def notes(user: Annotated[dict, Depends(current_user)]):
        return []


    @app.get("/admin/notes")
    def all_notes(admin: dict = Depends(current_superuser)):
        return []


    @app.get("/public")
    def public():
        return []
"""


def _inventory(make_repo, transport: str):
    root = make_repo({"usvc/__init__.py": "", "usvc/auth.py": AUTH.replace("{transport}", transport),
                      "usvc/main.py": MAIN})
    return build_inventory(root, workers=1)


@pytest.mark.parametrize(("transport", "cookie"), [
    ('CookieTransport(cookie_name="sid")', "cookie:sid"),
    ("CookieTransport()", "cookie:fastapiusersauth"),  # the library's default name
    ('CookieTransport(cookie_name=os.environ["SID"])', "cookie (name set at run time)"),
])
def test_current_user_of_a_fastapi_users_object_authenticates_with_its_transports(make_repo, transport, cookie):
    routes = {r.path: r for r in _inventory(make_repo, transport).routes}
    assert routes["/notes"].auth == [cookie]  # the subclass's object: one cookie backend
    assert routes["/admin/notes"].auth == ["Authorization: Bearer", cookie]  # FastAPIUsers[...] itself: both
    assert routes["/public"].auth == []


def test_its_routers_stay_reported_as_library_code(make_repo):
    inventory = _inventory(make_repo, "CookieTransport()")
    reasons = sorted(u.reason for u in inventory.unresolved)
    assert len(reasons) == 2
    assert all("comes from the library class `fastapi_users.FastAPIUsers`" in reason for reason in reasons)
