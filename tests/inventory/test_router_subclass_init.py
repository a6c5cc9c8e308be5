"""An APIRouter subclassed in the repository whose `__init__` passes router options up (`super().__init__(prefix=...,
dependencies=[Depends(require_admin)], **kwargs)`): the routes of every router made from it are served under that
prefix and behind those dependencies, as FastAPI does; the inventory reports them so (auth, paths)."""

from __future__ import annotations

from migrator.inventory import build_inventory

_ROUTERS = """
    from fastapi import APIRouter, Depends
    from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

    bearer = OAuth2PasswordBearer(tokenUrl="/token")
    partner_key = APIKeyHeader(name="X-Partner-Key")


    def require_admin(token: str = Depends(bearer)) -> str:
        return token


    class AdminRouter(APIRouter):
        def __init__(self, tags: list[str] | None = None, prefix: str = "", **kwargs):
            super().__init__(tags=tags, prefix=prefix, dependencies=[Depends(require_admin)], **kwargs)


    class PartnerRouter(APIRouter):
        def __init__(self, *args, **kwargs) -> None:
            super(PartnerRouter, self).__init__(*args, dependencies=[Depends(partner_key)], **kwargs)


    class VersionedRouter(APIRouter):
        def __init__(self, prefix: str = "") -> None:
            super().__init__(prefix="/v2" + prefix)


    class PlainRouter(APIRouter):
        pass
"""

_MAIN = """
    from fastapi import APIRouter, FastAPI

    from svc.routers import AdminRouter, PartnerRouter, PlainRouter, VersionedRouter

    users = APIRouter(prefix="/users")


    @users.get("")
    def list_users():
        return []


    admin = AdminRouter(prefix="/admin")
    admin.include_router(users)

    partner = PartnerRouter(prefix="/partner")


    @partner.get("/orders")
    def orders():
        return []


    versioned = VersionedRouter(prefix="/items")


    @versioned.get("")
    def items():
        return []


    plain = PlainRouter(prefix="/open")


    @plain.get("")
    def open_route():
        return []


    app = FastAPI()
    app.include_router(admin)
    app.include_router(partner)
    app.include_router(versioned)
    app.include_router(plain)
"""


def test_a_router_subclass_init_gives_its_routes_the_dependencies_and_prefix_it_passes_up(make_repo, served):
    root = make_repo({"svc/__init__.py": "", "svc/routers.py": _ROUTERS, "svc/main.py": _MAIN})
    routes = {route.path: route for route in build_inventory(root, workers=1).routes}
    assert set(routes) == {path for _, path in served(root, "svc.main:app")}
    assert routes["/admin/users"].auth == ["Authorization: Bearer"]  # a router included in the subclass's router
    assert routes["/partner/orders"].auth == ["X-Partner-Key"]  # `super(Cls, self)`, options forwarded by **kwargs
    assert routes["/v2/items"].auth == []  # a prefix the subclass computes
    assert routes["/open"].auth == []  # no `__init__` of its own: the call's own options
