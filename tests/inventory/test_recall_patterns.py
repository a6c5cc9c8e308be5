"""Miss patterns met on real services, one small fixture each (tests/inventory/fixtures/recall/<pattern>/), checked
against what FastAPI itself serves when it imports the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.inventory import build_inventory

RECALL = Path(__file__).parent / "fixtures" / "recall"

# pattern folder, import target, app id in the inventory, the (method, path) pairs FastAPI serves
CASES = [
    ("envprefix", "envsvc.main:app", "envsvc/main.py:app",
     {("GET", "/api/v2/notes/"), ("GET", "/api/v2/notes/{note_id}"), ("DELETE", "/admin/notes/{note_id}")}),
    ("ifelse", "ifsvc.main:app", "ifsvc/main.py:app", {("GET", "/items"), ("GET", "/health"), ("GET", "/legacy")}),
    ("factory", "fsvc.main:app", "fsvc/core/registrar.py:register_app()",
     {("GET", "/api/v1/users"), ("POST", "/api/v1/users")}),
    ("factoryargs", "asvc.main:app", "asvc/main.py:app", {("GET", "/api/v1/members"), ("GET", "/api/v1/members/{name}")}),
    ("routersub", "rsvc.main:app", "rsvc/main.py:app",
     {("GET", "/plain/a"), ("PUT", "/v1/tagged/b/{b_id}"), ("PATCH", "/v1/tagged/c")}),
    ("nesteddeco", "nsvc.main:app", "nsvc/main.py:app", {("GET", "/slow")}),
    ("unpacked", "upsvc.main:app", "upsvc/main.py:app",
     {("GET", "/notes/shared"), ("GET", "/v2/notes/{note_id}"), ("DELETE", "/v2/notes/{note_id}"),
      ("GET", "/boards"), ("POST", "/boards/admin/{board_id}/lock"), ("GET", "/boards/keys/{board_id}")}),
]


@pytest.fixture(scope="module")
def inventories():
    return {name: build_inventory(RECALL / name, workers=1) for name, *_ in CASES}


@pytest.mark.parametrize(("name", "target", "app", "expected"), CASES, ids=[c[0] for c in CASES])
def test_pattern_matches_what_fastapi_serves(inventories, served, inventoried, name, target, app, expected):
    inventory = inventories[name]
    assert not inventory.skipped, inventory.skipped
    assert served(RECALL / name, target) == expected
    unconditional = {(m, r.path) for r in inventory.routes_of(app) if not r.conditional for m in r.methods}
    assert unconditional == expected
    assert all(route.app == app for route in inventory.routes)


def test_environment_defaults_give_the_prefix_like_settings_defaults(inventories):
    inventory = inventories["envprefix"]
    assert not inventory.unresolved


def test_app_assigned_in_both_branches_of_an_if_is_one_app(inventories):
    inventory = inventories["ifelse"]
    assert [(a.file, a.variable) for a in inventory.apps] == [("ifsvc/main.py", "app")]
    assert not inventory.unresolved
    # registered inside one branch: served only when DEBUG is set, so listed and marked conditional
    debug = [r for r in inventory.routes if r.path == "/debug/echo"]
    assert len(debug) == 1 and debug[0].conditional
    assert not next(r for r in inventory.routes if r.path == "/health").conditional


def test_tests_known_statically_take_one_branch_as_python_would(inventories):
    inventory = inventories["ifelse"]
    paths = {r.path: r for r in inventory.routes}
    # unset variable -> false; a default -> the elif; the else is never reached
    assert "/beta" not in paths and "/modern" not in paths
    assert not paths["/legacy"].conditional


def test_factory_with_any_name_called_from_a_module_without_routing_code(inventories):
    inventory = inventories["factory"]
    assert [a.variable for a in inventory.apps] == ["register_app()"]


def test_factory_taking_the_router_is_called_by_its_caller_without_routing_code(inventories):
    # main.py has no routing code of its own: the prefilter leaves it unparsed, and the factory cannot be called
    # without its `router` argument; the module calling it is run so that the call with its arguments builds the app
    inventory = inventories["factoryargs"]
    assert [(a.file, a.variable) for a in inventory.apps] == [("asvc/main.py", "app")]
    assert inventory.unresolved == []


def test_valid_files_with_decorated_nested_functions_are_never_skipped(inventories):
    inventory = inventories["nesteddeco"]
    assert inventory.skipped == [] and inventory.unresolved == []


def test_routers_unpacked_from_a_factory_keep_their_own_prefix_and_dependencies(inventories):
    # `public, private = router_pair()`: each name is its own router of the tuple the factory returns
    inventory = inventories["unpacked"]
    assert inventory.unresolved == []
    auth = {route.path: route.auth for route in inventory.routes}
    assert auth["/notes/shared"] == [] and auth["/v2/notes/{note_id}"] == ["x-token"]
    routers = {route.function.rsplit(".", 1)[-1]: route.router for route in inventory.routes}
    assert routers["shared_notes"] == "public" and routers["read_note"] == "private"
    assert routers["board_by_key"] == "board_keys"


@pytest.mark.parametrize(("target", "why"), [
    ("first, second = make()", "3 values for 2 names"),
    ("first, *rest = make()", "is assigned by unpacking"),
    ("first, second = unknown_factory()", "name `unknown_factory` is not defined"),
])
def test_an_unpacking_that_does_not_fit_leaves_the_routers_unresolved_with_why(make_repo, target, why):
    root = make_repo({
        "svc/main.py": f"""
            from fastapi import APIRouter, FastAPI

            def make():
                return APIRouter(), APIRouter(), APIRouter()

            {target}
            app = FastAPI()

            @first.get("/a")
            def a():
                return {{}}

            app.include_router(first)
        """,
    })
    inventory = build_inventory(root, workers=1)
    assert inventory.routes == []
    assert any(why in u.reason and "cannot resolve `first`" in u.reason for u in inventory.unresolved), \
        inventory.unresolved


def test_a_route_module_of_an_apirouter_subclass_in_another_package_is_followed(make_repo, inventoried):
    root = make_repo({
        "core/routing.py": """
            import fastapi

            class BaseRouter(fastapi.APIRouter):
                def __init__(self, **kwargs):
                    super().__init__(**kwargs)
        """,
        "svc/users.py": """
            from core.routing import BaseRouter

            router = BaseRouter(prefix="/users")

            @router.get("/{user_id}")
            def one(user_id: int):
                return {}
        """,
        "svc/main.py": """
            import fastapi
            from svc import users

            app = fastapi.FastAPI()
            app.include_router(users.router)
        """,
    })
    inventory = build_inventory(root, workers=1)
    assert inventoried(inventory, "svc/main.py:app") == {("GET", "/users/{user_id}")}


def test_a_settings_class_reads_its_env_file(make_repo, inventoried):
    root = make_repo({
        ".env": "# local development\nexport APP_ENVIRONMENT='development'\nAPP_API_PREFIX=/api/v2  # comment\n",
        "backend/app/config.py": """
            from typing import Literal

            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file="../.env", env_prefix="APP_")
                ENVIRONMENT: Literal["development", "production"] | None = None
                API_PREFIX: str = "/api/v1"

            settings = Settings()
        """,
        "backend/app/main.py": """
            from fastapi import APIRouter, FastAPI

            from app.config import settings

            app = FastAPI()
            dev = APIRouter()

            @dev.get("/debug")
            def debug():
                return {}

            if settings.ENVIRONMENT == "development":
                app.include_router(dev, prefix=settings.API_PREFIX)
        """,
    })
    inventory = build_inventory(root / "backend", workers=1)
    assert inventoried(inventory, "app/main.py:app") == {("GET", "/api/v2/debug")}
    assert inventory.routes[0].conditional is False


def test_python_decouple_config_reads_take_their_default_like_os_getenv(make_repo, inventoried):
    # python-decouple: `config("X", default=..., cast=...)` is the environment (or a .env the deployment provides),
    # else the default passed through `cast` (bool reads "true"/"off"/... strings)
    root = make_repo({
        "svc/config.py": """
            from decouple import config

            SUBSCRIPTION_PATH = config("SUBSCRIPTION_PATH", default="sub").strip("/")
            DEBUG = config("DEBUG", default="off", cast=bool)
            PAGE = config("PAGE_SIZE", default="25", cast=int)
            SECRET = config("SECRET")
        """,
        "svc/main.py": """
            from fastapi import APIRouter, FastAPI

            from svc.config import DEBUG, PAGE, SECRET, SUBSCRIPTION_PATH

            app = FastAPI()
            subscription = APIRouter(prefix=f"/{SUBSCRIPTION_PATH}")
            secret = APIRouter(prefix=f"/{SECRET}")

            @subscription.get("/{token}")
            def user_subscription(token: str):
                return {}

            @secret.get("/hidden")
            def hidden():
                return {}

            if DEBUG:
                @app.get("/debug")
                def debug():
                    return {}

            if PAGE > 10:
                @app.get("/paged")
                def paged():
                    return {}

            app.include_router(subscription)
            app.include_router(secret)
        """,
    })
    inventory = build_inventory(root, workers=1)
    assert inventoried(inventory, "svc/main.py:app") == {("GET", "/sub/{token}"), ("GET", "/paged")}
    assert [u.line for u in inventory.unresolved] == [7]  # `config("SECRET")` has no default: not invented


def test_a_name_imported_before_an_if_whose_last_branch_raises_is_still_the_import_after_it(
        make_repo, served, inventoried):
    # the branches that use `APIRouter` resolve the import in their own copy of the names, the raising one does not:
    # that is no second binding, and `APIRouter` after the `if` is still fastapi's
    root = make_repo({
        "modesvc/__init__.py": "",
        "modesvc/main.py": """
            import os

            from fastapi import APIRouter, FastAPI

            MODE = os.environ["MODE"]

            if MODE == "tree":
                items = APIRouter(prefix="/items")
            elif MODE == "flat":
                items = APIRouter(prefix="/items")
            else:
                raise RuntimeError(f"unknown MODE {MODE}")

            extra = APIRouter(prefix="/extra")


            @items.get("/{item_id}")
            def one(item_id: int):
                return {"id": item_id}


            @extra.get("/ping")
            def ping():
                return {"ok": True}


            app = FastAPI()
            app.include_router(items)
            app.include_router(extra)
        """,
    })
    expected = {("GET", "/items/{item_id}"), ("GET", "/extra/ping")}
    assert served(root, "modesvc.main:app", {"MODE": "flat"}) == expected
    inventory = build_inventory(root, workers=1)
    assert inventoried(inventory, "modesvc/main.py:app") == expected
