"""The inventory on synthetic repositories, one idiom at a time, checked against what FastAPI itself serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.inventory import build_inventory


@pytest.fixture(scope="module")
def idioms(request):
    root = Path(__file__).parent / "fixtures" / "idioms"
    return root, build_inventory(root, workers=1)


@pytest.fixture(scope="module")
def fullstack():
    root = Path(__file__).parent / "fixtures" / "fullstack"
    return root, build_inventory(root, workers=1)


def _route(inventory, method: str, path: str):
    found = [r for r in inventory.routes if r.path == path and method in r.methods]
    assert len(found) == 1, f"{method} {path}: {[(r.methods, r.path) for r in inventory.routes]}"
    return found[0]


# --- truth: the static inventory equals what FastAPI serves --------------------------------------------------


def test_idioms_repo_matches_what_fastapi_serves(idioms, served, inventoried):
    root, inventory = idioms
    assert inventoried(inventory, "svc/main.py:app") == served(root, "svc.main:app")


def test_fullstack_template_matches_what_fastapi_serves(fullstack, served, inventoried):
    root, inventory = fullstack
    assert inventoried(inventory, "backend/app/main.py:app") == served(root / "backend", "app.main:app")


# --- prefixes --------------------------------------------------------------------------------------------------


def test_nested_three_levels_across_packages_with_relative_and_aliased_imports(idioms):
    _, inventory = idioms
    # app -> svc.api.router ("/api", `from . import v1`) -> v1.router (V1 constant, `import ... as things_router`)
    # -> things.router ("/things")
    route = _route(inventory, "GET", "/api/v1/things/all")
    assert route.function == "svc.api.v1.things.list_things"
    assert route.router == "router" and route.router_file == "svc/api/v1/things/__init__.py"
    # `from ..common import router as common_router` included with prefix="/common" under "/api"
    assert _route(inventory, "GET", "/api/common/ping").function == "svc.common.ping"


def test_module_attribute_import_and_f_string_prefix_of_constants(idioms):
    _, inventory = idioms
    # `import svc.extra.mod as reports` ... `reports.router`; prefix REPORTS = f"{BASE}/reports" in another module
    assert _route(inventory, "GET", "/api/reports/daily").file == "svc/extra/mod.py"


def test_settings_defaults_give_the_prefix(fullstack):
    _, inventory = fullstack
    paths = {r.path for r in inventory.routes}
    assert "/api/v1/items/" in paths and "/api/v1/utils/health-check/" in paths
    assert all(p.startswith("/api/v1/") for p in paths)


def test_router_included_twice_gives_two_routes_and_concat_constant_prefix(idioms):
    _, inventory = idioms
    shared = [r for r in inventory.routes if r.function == "svc.shared.shared"]
    assert sorted(r.path for r in shared) == ["/a/shared", "/b/shared", "/legacy/shared"]


def test_include_under_a_test_known_from_defaults_is_not_conditional(idioms, fullstack):
    _, inventory = idioms
    # `if os.environ.get("SVC_BETA", "1") == "1":` and `if settings.ENVIRONMENT == "local":` (the default)
    assert _route(inventory, "GET", "/legacy/shared").conditional is False
    assert _route(inventory, "GET", "/a/shared").conditional is False
    _, full = fullstack
    assert _route(full, "POST", "/api/v1/private/users/").conditional is False
    assert _route(full, "GET", "/api/v1/items/").conditional is False


def test_an_include_decided_by_configuration_is_marked_configured(idioms, fullstack):
    # served by default (listed, not conditional), but only because a settings default or an environment default
    # decided the `if`: a deployment may turn it off, so it is no operation's implementation when another route is
    _, full = fullstack
    assert _route(full, "POST", "/api/v1/private/users/").configured is True
    assert _route(full, "GET", "/api/v1/items/").configured is False
    _, inventory = idioms
    assert _route(inventory, "GET", "/legacy/shared").configured is True  # os.environ.get("SVC_BETA", "1")
    assert _route(inventory, "GET", "/b/shared").configured is False


def test_include_under_an_unknown_test_is_listed_and_marked_conditional(make_repo):
    root = make_repo({
        "svc/main.py": """
            import sys
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            extra = APIRouter()

            @extra.get("/extra")
            def get_extra():
                return {}

            if "--extra" in sys.argv:
                app.include_router(extra)
        """,
    })
    inventory = build_inventory(root, workers=1)
    assert _route(inventory, "GET", "/extra").conditional is True


# --- registrations -------------------------------------------------------------------------------------------


def test_stacked_decorators_give_one_route_each(idioms, def_line):
    root, inventory = idioms
    routes = [r for r in inventory.routes if r.qualname == "list_things"]
    assert sorted(r.path for r in routes) == ["/api/v1/things", "/api/v1/things/all"]
    source = root / "svc/api/v1/things/__init__.py"
    assert {r.line for r in routes} == {def_line(source, "list_things")}
    assert sorted(r.decorator_line for r in routes) == [def_line(source, "list_things") - 2,
                                                         def_line(source, "list_things") - 1]


def test_api_route_methods_and_add_api_route(idioms, def_line):
    root, inventory = idioms
    thing = _route(inventory, "POST", "/api/v1/things/{thing_id}")
    assert thing.methods == ["GET", "POST"]
    removed = _route(inventory, "DELETE", "/api/v1/things/{thing_id}/remove/{tenant_id}")
    assert removed.registration == "add_api_route" and removed.decorator_line is None
    assert removed.line == def_line(root / "svc/api/v1/things/__init__.py", "remove_thing")
    status = _route(inventory, "GET", "/status")  # add_api_route without methods: GET
    assert status.registration == "add_api_route"


def test_mounted_sub_application_under_its_static_prefix(idioms):
    _, inventory = idioms
    route = _route(inventory, "GET", "/sub/ping")
    assert route.app == "svc/main.py:app"
    sub = [a for a in inventory.apps if a.variable == "subapp"]
    assert sub and sub[0].mounted_in == "svc/main.py:app"


def test_route_defined_inside_a_factory_function_is_a_closure(idioms):
    _, inventory = idioms
    made = _route(inventory, "GET", "/factory/made")
    assert made.closure is True
    assert made.function == "svc.factory.make_router.<locals>.made"
    assert _route(inventory, "GET", "/status").closure is False


# --- auth and tenant -------------------------------------------------------------------------------------------


def test_annotated_alias_from_another_module_gives_the_tenant_header(idioms):
    _, inventory = idioms
    route = _route(inventory, "GET", "/api/v1/things")
    assert route.tenant_source == "header:X-Tenant-ID"
    assert route.tenant_param == "tenant"
    tenant = next(p for p in route.params if p.name == "tenant")
    assert (tenant.kind, tenant.alias) == ("header", "X-Tenant-ID")
    limit = next(p for p in route.params if p.name == "limit")
    assert limit.kind == "query" and limit.default == "Query(10)"


def test_header_without_alias_through_dependencies_of_dependencies(idioms):
    _, inventory = idioms
    # Tenant = Annotated[str, Depends(get_tenant)]; get_tenant -> Depends(read_tenant) -> Header() x_tenant_id
    route = _route(inventory, "GET", "/api/v1/things/{thing_id}")
    assert route.tenant_source == "header:x-tenant-id"
    assert route.tenant_param == "tenant"
    param = next(p for p in route.params if p.name == "tenant")
    assert param.kind == "depends" and param.dependency == "svc.deps.get_tenant"
    assert param.headers == ["x-tenant-id"] and param.reads_tenant


def test_router_level_and_include_level_dependencies_give_auth(idioms):
    _, inventory = idioms
    ping = _route(inventory, "GET", "/api/common/ping")  # APIRouter(dependencies=[Depends(verify_key)])
    assert ping.auth == ["X-API-Key"] and ping.dependencies == ["svc.deps.verify_key"]
    daily = _route(inventory, "GET", "/api/reports/daily")  # include_router(..., dependencies=[...HTTPBearer])
    assert daily.auth == ["Authorization: Bearer"]


def test_path_parameter_tenant_and_oauth2_chain(idioms, fullstack):
    _, inventory = idioms
    removed = _route(inventory, "DELETE", "/api/v1/things/{thing_id}/remove/{tenant_id}")
    assert removed.tenant_source == "path:tenant_id" and removed.tenant_param == "tenant_id"
    _, full = fullstack
    items = _route(full, "GET", "/api/v1/items/")
    assert items.auth == ["Authorization: Bearer"]  # CurrentUser -> get_current_user -> OAuth2PasswordBearer
    assert items.tenant_source is None
    users = _route(full, "GET", "/api/v1/users/")
    assert users.dependencies == ["app.api.deps.get_current_active_superuser"]
    create = _route(full, "POST", "/api/v1/items/")
    assert {p.name: p.kind for p in create.params}["item_in"] == "body"


def test_route_fields_for_the_codemods(fullstack, def_line):
    root, inventory = fullstack
    route = _route(inventory, "GET", "/api/v1/users/me")
    assert route.function == "app.api.routes.users.read_user_me"
    assert route.file == "backend/app/api/routes/users.py"
    assert route.line == def_line(root / route.file, "read_user_me")
    assert route.response_model == "UserPublic"
    assert route.is_async is False
    assert _route(inventory, "GET", "/api/v1/utils/health-check/").is_async is True
    assert route.end_line >= route.line


# --- two apps, unresolved ----------------------------------------------------------------------------------------

TWO_APPS = {
    "shop/routers.py": """
        from fastapi import APIRouter

        orders = APIRouter(prefix="/orders")

        @orders.get("/{order_id}")
        def get_order(order_id: int):
            return {}
    """,
    "shop/public.py": """
        from fastapi import FastAPI
        from shop.routers import orders

        app = FastAPI()
        app.include_router(orders, prefix="/v1")

        @app.get("/")
        def index():
            return {}
    """,
    "shop/admin.py": """
        from fastapi import FastAPI
        from shop.routers import orders

        admin_app = FastAPI()
        admin_app.include_router(orders, prefix="/admin")
    """,
}


def test_two_apps_in_one_repo(make_repo, served, inventoried):
    root = make_repo(TWO_APPS)
    inventory = build_inventory(root, workers=1)
    assert {(a.file, a.variable) for a in inventory.apps} == {("shop/public.py", "app"), ("shop/admin.py", "admin_app")}
    assert inventoried(inventory, "shop/public.py:app") == served(root, "shop.public:app")
    assert inventoried(inventory, "shop/admin.py:admin_app") == served(root, "shop.admin:admin_app")
    assert inventoried(inventory, "shop/admin.py:admin_app") == {("GET", "/admin/orders/{order_id}")}


UNRESOLVED = {
    "app/main.py": """
        import os
        from importlib import import_module

        from fastapi import APIRouter, FastAPI

        from app import plugins

        app = FastAPI()
        base = APIRouter()

        @base.get("/known")
        def known():
            return {}

        app.include_router(base)
        app.include_router(base, prefix=os.environ["API_PREFIX"])
        app.include_router(import_module("app.dynamic").router)
        app.include_router(plugins.load("reports"))
    """,
    "app/plugins.py": """
        import json

        def load(name):
            config = json.loads(open(name).read())
            return config["router"]
    """,
    "app/orphan.py": """
        from fastapi import APIRouter

        lonely = APIRouter(prefix="/lonely")

        @lonely.get("/x")
        def x():
            return {}
    """,
}


def test_what_cannot_be_resolved_is_reported_with_file_and_line_never_invented(make_repo):
    root = make_repo(UNRESOLVED)
    inventory = build_inventory(root, workers=1)
    assert [(r.methods, r.path) for r in inventory.routes] == [(["GET"], "/known")]
    reasons = {(u.file, u.line): u.reason for u in inventory.unresolved}
    source = (root / "app/main.py").read_text().splitlines()
    env_line = next(i for i, t in enumerate(source, 1) if "os.environ" in t)
    dynamic_line = next(i for i, t in enumerate(source, 1) if "import_module(" in t)
    plugin_line = next(i for i, t in enumerate(source, 1) if "plugins.load" in t)
    assert "environment" in reasons[("app/main.py", env_line)]
    assert "1 route(s) are not listed" in reasons[("app/main.py", env_line)]
    assert "cannot be resolved" in reasons[("app/main.py", dynamic_line)]
    assert "cannot be resolved" in reasons[("app/main.py", plugin_line)]
    assert any(f == "app/orphan.py" and "not included in any app" in r for (f, _), r in reasons.items())


FACTORIES = {
    "kit/router.py": """
        from fastapi import APIRouter


        def build(prefix: str = "/kit", *, tags=("kit",)):
            router = APIRouter(prefix=prefix, tags=list(tags))

            def route(method: str, path: str, **kwargs):
                return router.api_route(path, methods=[method], **kwargs)

            @route("GET", "/health")
            async def health():
                return {}

            @route("POST", "/items/{item_id}", status_code=201)
            async def create(item_id: str):
                return {}

            return router
    """,
    "kit/app.py": """
        from fastapi import FastAPI

        from kit.router import build


        def make_app(prefix: str = "/v2"):
            app = FastAPI()
            app.include_router(build(prefix=prefix))
            return app


        app = make_app()
    """,
}


def test_router_built_by_functions_with_a_decorator_helper(make_repo, served, inventoried):
    root = make_repo(FACTORIES)
    inventory = build_inventory(root, workers=1)
    assert inventoried(inventory, "kit/app.py:app") == served(root, "kit.app:app")
    assert inventoried(inventory, "kit/app.py:app") == {("GET", "/v2/health"), ("POST", "/v2/items/{item_id}")}
    create = next(r for r in inventory.routes if r.qualname == "build.<locals>.create")
    assert create.closure and create.status_code == "201" and create.tenant_source is None
    assert create.function == "kit.router.build.<locals>.create"  # namespace package: named by its import


APP_LEVEL = {
    "api/main.py": """
        from fastapi import Depends, FastAPI, Security
        from fastapi.security import APIKeyHeader

        key = APIKeyHeader(name="X-Marketplace-Key")


        def check(value: str = Security(key)):
            return value


        app = FastAPI(dependencies=[Depends(check)])


        @app.get("/reports")
        def reports(tenant_id: str, page: int = 1):
            return {}


        @app.get("/tenants/{tenant_id}/reports")
        def tenant_reports(tenant_id: str):
            return {}
    """,
}


def test_app_level_dependencies_security_and_query_tenant(make_repo):
    inventory = build_inventory(make_repo(APP_LEVEL), workers=1)
    reports = _route(inventory, "GET", "/reports")
    assert reports.auth == ["X-Marketplace-Key"] and reports.dependencies == ["main.check"]  # api/ has no __init__.py: module `main`
    assert (reports.tenant_source, reports.tenant_param) == ("query:tenant_id", "tenant_id")
    assert {p.name: p.kind for p in reports.params} == {"tenant_id": "query", "page": "query"}
    scoped = _route(inventory, "GET", "/tenants/{tenant_id}/reports")
    assert scoped.tenant_source == "path:tenant_id" and scoped.params[0].kind == "path"


FACTORY_APP = {
    "srv/main.py": """
        import uvicorn
        from fastapi import APIRouter, FastAPI

        router = APIRouter(prefix="/v1")


        @router.get("/ping")
        def ping():
            return "pong"


        def create_app() -> FastAPI:
            application = FastAPI()
            application.include_router(router)
            return application


        if __name__ == "__main__":
            uvicorn.run(create_app(), port=8000)
    """,
}


def test_uncalled_app_factory_and_main_guard(make_repo):
    inventory = build_inventory(make_repo(FACTORY_APP), workers=1)
    assert [(a.file, a.variable) for a in inventory.apps] == [("srv/main.py", "create_app()")]
    route = _route(inventory, "GET", "/v1/ping")
    assert route.app == "srv/main.py:create_app()" and route.conditional is False
