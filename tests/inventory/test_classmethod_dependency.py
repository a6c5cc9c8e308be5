"""`Depends(Identity.current_admin)` where `current_admin` is a classmethod (possibly inherited): FastAPI calls the bound
method, so `cls` is no parameter of the request. The inventory must not report it as a required query parameter
(that made routes "manual: requires the query parameter `cls`"); a staticmethod looked up on an instance keeps its
first parameter."""

from __future__ import annotations

import json
import subprocess
import sys

from migrator.inventory import build_inventory

IDENTITY = '''
from fastapi import Depends, Header


class Token:
    def __init__(self, authorization: str = Header(...)):
        self.value = authorization


class BaseIdentity:
    def __init__(self, name: str):
        self.name = name

    @classmethod
    async def current(cls, token: Token = Depends()):
        return cls(token.value)

    @classmethod
    async def current_admin(cls, token: Token = Depends(), realm: str = "main"):
        return await cls.current(token)

    @staticmethod
    def scope(area: str):
        return area


class Identity(BaseIdentity):
    """The subclass the routes name: the classmethods are inherited."""


identity = Identity("probe")
'''

MAIN = '''
from fastapi import Depends, FastAPI

from svc.identity import Identity, identity

app = FastAPI()


@app.get("/admin/users")
async def list_users(page: int = 1, user: Identity = Depends(Identity.current_admin)):
    return {"page": page}


@app.get("/admin/scope")
async def scope(area: str = Depends(identity.scope)):
    return {"area": area}
'''

OPENAPI_QUERIES = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from svc.main import app
out = {}
for path, ops in app.openapi()["paths"].items():
    out[path] = sorted(p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query")
print(json.dumps(out))
"""


def test_a_classmethod_dependency_takes_no_cls_parameter(make_repo):
    root = make_repo({"svc/__init__.py": "", "svc/identity.py": IDENTITY, "svc/main.py": MAIN})
    proc = subprocess.run([sys.executable, "-c", OPENAPI_QUERIES, str(root)], capture_output=True, text=True,
                          check=True, timeout=120)
    served = json.loads(proc.stdout)
    assert served == {"/admin/users": ["page", "realm"], "/admin/scope": ["area"]}
    routes = {route.path: route for route in build_inventory(root).routes}
    [user] = [p for p in routes["/admin/users"].params if p.name == "user"]
    assert (user.queries, user.required_queries) == (["realm"], [])  # `page` is the route's own parameter
    assert "authorization" in user.headers
    [area] = [p for p in routes["/admin/scope"].params if p.name == "area"]
    assert (area.queries, area.required_queries) == (["area"], ["area"])
