"""`from pkg import deps` then `Depends(deps.get_tenant)`: the submodule is found even when `pkg/__init__.py` holds no
FastAPI code (an empty package file is never parsed), so the dependency's inputs (the tenant header) are seen."""

from __future__ import annotations

import pytest

from migrator.inventory import build_inventory

DEPS = '''
from fastapi import Header


def get_tenant(x_tenant_id: str = Header(...)):
    return x_tenant_id
'''


@pytest.mark.parametrize("init", ["", "# the package\n", "from fastapi import Depends  # noqa: F401\n"])
@pytest.mark.parametrize("spelling", ["from svc import deps", "from . import deps", "import svc.deps as deps"])
def test_a_dependency_reached_through_its_module_keeps_its_inputs(tmp_path, init, spelling):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text(init)
    (tmp_path / "svc/deps.py").write_text(DEPS)
    (tmp_path / "svc/main.py").write_text(
        f"from fastapi import Depends, FastAPI\n{spelling}\n\napp = FastAPI()\n\n\n"
        "@app.get('/admin/dashboard')\ndef dashboard(tenant: str = Depends(deps.get_tenant)):\n    return {}\n")
    [route] = build_inventory(tmp_path).routes
    [param] = route.params
    assert param.dependency == "svc.deps.get_tenant"
    assert param.headers == ["x-tenant-id"]
    assert route.tenant_source == "header:x-tenant-id"


@pytest.mark.parametrize("annotated", [False, True])
@pytest.mark.parametrize("spelling,reference", [("from svc import deps", "deps.get_db"),
                                                ("import svc.deps as deps", "deps.get_db"),
                                                ("from svc.deps import get_db", "get_db")])
def test_a_dependency_in_a_module_without_fastapi_code_is_read_too(tmp_path, spelling, reference, annotated):
    # db.py imports nothing of FastAPI (its bare `x: int` is still a query parameter FastAPI binds): the prefilter
    # does not parse it for itself, but a route's dependency on it makes the inventory read it
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/deps.py").write_text("def get_db(x: int, cursor: str = 'start'):\n    return x\n")
    param = f"db: Annotated[int, Depends({reference})]" if annotated else f"db=Depends({reference})"
    (tmp_path / "svc/main.py").write_text(
        f"from typing import Annotated\n\nfrom fastapi import Depends, FastAPI\n{spelling}\n\napp = FastAPI()\n\n\n"
        f"@app.get('/a')\ndef a({param}):\n    return db\n")
    [route] = build_inventory(tmp_path).routes
    [param_] = route.params
    assert param_.dependency == "svc.deps.get_db"
    assert (param_.queries, param_.required_queries) == (["x", "cursor"], ["x"])


GET_CALLER = '''
from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer()


async def get_caller(credentials: HTTPAuthorizationCredentials = Depends(bearer)):
    return credentials.credentials
'''


@pytest.mark.parametrize("init", [
    "from .get_caller import get_caller\n",
    "from .other import other  # noqa: F401\nfrom .get_caller import (\n    get_caller,\n)\n",
])
def test_a_function_the_package_re_exports_over_its_own_submodule_is_the_function(tmp_path, init):
    # one function a file, re-exported by the package: `from svc.methods import get_caller` is the function (the
    # package's `from .get_caller import get_caller` rebinds the submodule's name), although the package file holds
    # no FastAPI code; taken for the submodule, the route lost its auth
    (tmp_path / "svc/methods").mkdir(parents=True)
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/methods/__init__.py").write_text(init)
    (tmp_path / "svc/methods/other.py").write_text("def other():\n    return 1\n")
    (tmp_path / "svc/methods/get_caller.py").write_text(GET_CALLER)
    (tmp_path / "svc/main.py").write_text(
        "from fastapi import Depends, FastAPI\nfrom svc.methods import get_caller\n\napp = FastAPI()\n\n\n"
        "@app.get('/items')\nasync def items(caller: str = Depends(get_caller)):\n    return []\n")
    [route] = build_inventory(tmp_path).routes
    [param] = route.params
    assert param.dependency == "svc.methods.get_caller.get_caller"
    assert route.auth == ["Authorization: Bearer"]


def test_a_package_importing_its_submodule_by_name_still_gives_the_submodule(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("from . import deps  # noqa: F401\n")
    (tmp_path / "svc/deps.py").write_text(DEPS)
    (tmp_path / "svc/main.py").write_text(
        "from fastapi import Depends, FastAPI\nfrom svc import deps\n\napp = FastAPI()\n\n\n"
        "@app.get('/admin/dashboard')\ndef dashboard(tenant: str = Depends(deps.get_tenant)):\n    return {}\n")
    [route] = build_inventory(tmp_path).routes
    assert route.params[0].dependency == "svc.deps.get_tenant"
    assert route.tenant_source == "header:x-tenant-id"
