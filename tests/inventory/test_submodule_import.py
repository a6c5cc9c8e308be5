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
