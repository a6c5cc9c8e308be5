"""Class-based views (fastapi-utils' `@cbv(router)` and the copies services keep of it): route methods whose `self`
FastAPI builds per request from the dependencies the class (and its bases) declare as attributes. The inventory
reads `self` as a dependency on the class, so the routes carry the auth those attributes read; phase 1 says why it
leaves such a method alone."""

from __future__ import annotations

import libcst as cst

from migrator.catalog import builtin_catalog
from migrator.inventory import build_inventory
from migrator.movability import assess

_BASE = """
    from fastapi import Depends, Header
    from fastapi.security import OAuth2PasswordBearer

    bearer = OAuth2PasswordBearer(tokenUrl="/token")


    def current_user(token: str = Depends(bearer)) -> dict:
        return {"token": token}


    def current_admin(user: dict = Depends(current_user)) -> dict:
        return user


    class UserView:
        user: dict = Depends(current_user)
        locale: str = Header("en", alias="X-Locale")
        _cache: dict = Depends(lambda: {})


    class AdminView(UserView):
        user: dict = Depends(current_admin)
"""

_VIEWS = """
    from fastapi import APIRouter, FastAPI

    from svc.base import AdminView
    from svc.views import as_view

    router = APIRouter(prefix="/admin/users")


    @as_view(router)
    class UserAdmin(AdminView):
        @router.get("")
        def list_users(self, limit: int = 10):
            return []

        @router.get("/count")
        @staticmethod
        def count(limit: int = 10):
            return 0


    app = FastAPI()
    app.include_router(router)
"""

_AS_VIEW = """
    def as_view(router):
        def decorate(cls):
            return cls
        return decorate
"""


def _routes(make_repo):
    root = make_repo({"svc/__init__.py": "", "svc/base.py": _BASE, "svc/views.py": _AS_VIEW, "svc/main.py": _VIEWS})
    return root, {route.path: route for route in build_inventory(root, workers=1).routes}


def test_self_of_a_view_method_is_a_dependency_on_its_class_and_brings_its_auth(make_repo):
    _, routes = _routes(make_repo)
    route = routes["/admin/users"]
    self_param, limit = route.params
    assert (self_param.name, self_param.kind, self_param.dependency) == ("self", "depends", "svc.main.UserAdmin")
    assert self_param.auth == ["Authorization: Bearer"]  # `user` of the base, overridden by the subclass's
    assert "X-Locale" in self_param.headers  # a marker attribute of a base
    assert (limit.name, limit.kind) == ("limit", "query")
    assert route.auth == ["Authorization: Bearer"]
    count = routes["/admin/users/count"]  # a static method has no `self`: nothing of the class is read
    assert [(p.name, p.kind) for p in count.params] == [("limit", "query")] and count.auth == []


def test_phase_1_says_a_view_method_is_left_alone_because_of_its_class(make_repo):
    root, routes = _routes(make_repo)
    route = routes["/admin/users"]
    module = cst.parse_module((root / "svc/main.py").read_text())
    verdict = assess(route, module, match=builtin_catalog().match(route))
    assert not verdict.automatic
    assert verdict.reasons == ["`UserAdmin.list_users` is a method of the class-based view `UserAdmin`, whose `self` "
                               "FastAPI builds per request from the dependencies the class declares; a handler "
                               "method cannot get them: move it by hand"]
