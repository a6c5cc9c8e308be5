"""Routers re-exported lazily by a package (PEP 562 module `__getattr__` reading a name -> (module, attribute) table):
`from pkg.routes import users_router` is served, so the inventory follows the table instead of reporting the name as
"not found in the repository" and dropping every route behind it."""

from __future__ import annotations

import pytest

from migrator.inventory import build_inventory

ROUTES_USERS = '''
from fastapi import APIRouter

router = APIRouter(prefix="/users")


@router.get("")
def list_users():
    return []


@router.get("/{user_id}")
def get_user(user_id: int):
    return {}
'''

ROUTES_STATS = '''
from fastapi import APIRouter

stats_router = APIRouter(prefix="/stats")


@stats_router.get("")
def tenant_stats():
    return {}
'''

MAIN = '''
from fastapi import APIRouter, FastAPI

from svc.routes import stats_router, users_router

api = APIRouter(prefix="/api")
api.include_router(users_router)
api.include_router(stats_router)

app = FastAPI()
app.include_router(api)
'''

# name -> ("absolute.module", "attribute")
TUPLE_TABLE = '''
from __future__ import annotations

import importlib

_EXPORTS = {
    "users_router": ("svc.routes.users", "router"),
    "stats_router": ("svc.routes.stats", "stats_router"),
}


def __getattr__(name):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(name)
    module_name, attr = target
    return getattr(importlib.import_module(module_name), attr)
'''

# name -> ".relative_module" (the attribute has the exported name)
STRING_TABLE = '''
from importlib import import_module

_lazy = {"users_router": ".users", "stats_router": ".stats"}


def __getattr__(attr_name: str):
    module = import_module(_lazy[attr_name], package=__name__)
    return getattr(module, attr_name)
'''

SERVED = {("GET", "/api/users"), ("GET", "/api/users/{user_id}"), ("GET", "/api/stats")}


def _repo(make_repo, init: str, users_attr: str = "router"):
    return make_repo({
        "svc/__init__.py": "",
        "svc/main.py": MAIN,
        "svc/routes/__init__.py": init,
        "svc/routes/users.py": ROUTES_USERS.replace("router", users_attr),
        "svc/routes/stats.py": ROUTES_STATS,
    })


def test_a_table_of_module_and_attribute_pairs_is_followed(make_repo, served, inventoried):
    root = _repo(make_repo, TUPLE_TABLE)
    assert served(root, "svc.main:app") == SERVED
    inventory = build_inventory(root)
    assert inventoried(inventory, "svc/main.py:app") == SERVED
    assert not [u for u in inventory.unresolved if "users_router" in u.reason or "stats_router" in u.reason]


def test_a_table_of_relative_modules_exporting_the_same_name_is_followed(make_repo, served, inventoried):
    root = _repo(make_repo, STRING_TABLE, users_attr="users_router")
    assert served(root, "svc.main:app") == SERVED
    inventory = build_inventory(root)
    assert inventoried(inventory, "svc/main.py:app") == SERVED


@pytest.mark.parametrize("init", [
    TUPLE_TABLE.replace('"stats_router": ("svc.routes.stats", "stats_router"),', ""),  # the table does not hold the name
    TUPLE_TABLE.replace("def __getattr__(name):", "def lookup(name):"),  # a table but no module __getattr__
])
def test_a_name_the_table_does_not_export_stays_unresolved(make_repo, inventoried, init):
    root = _repo(make_repo, init)
    inventory = build_inventory(root)
    paths = {path for _, path in inventoried(inventory, "svc/main.py:app")}
    assert "/api/stats" not in paths
    assert any("svc.routes.stats_router" in u.reason and "not found" in u.reason for u in inventory.unresolved)
