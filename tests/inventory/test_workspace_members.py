"""A monorepo whose service imports routers from another distribution of the same repository (a uv workspace
member under packages/<name>/, installed beside the service): the absolute import is looked up at the top of each
folder below the root that holds a project (pyproject.toml, setup.py, setup.cfg), and at its src/."""

from __future__ import annotations

import pytest

from migrator.inventory import build_inventory

SERVICE = {
    "pyproject.toml": """
        [project]
        name = "hub"
        version = "1.0.0"
        dependencies = ["hub-extra"]

        [tool.uv.workspace]
        members = ["packages/*"]
    """,
    "hub/__init__.py": "",
    "hub/deps.py": """
        from fastapi import Header


        def current_tenant(x_tenant_id: str = Header(...)) -> str:
            return x_tenant_id
    """,
    "hub/main.py": """
        from fastapi import FastAPI

        from hub_extra.admin.router import router as admin_router

        app = FastAPI()


        @app.get("/health")
        def health():
            return {"ok": True}


        def create_app() -> FastAPI:
            from hub_extra.audit import router as audit_router

            inner = FastAPI()
            inner.include_router(audit_router, prefix="/audit")
            return inner


        app.include_router(admin_router, prefix="/admin")
    """,
}

MEMBER_FLAT = {
    "packages/hub-extra/pyproject.toml": '[project]\nname = "hub-extra"\nversion = "1.0.0"\n',
    "packages/hub-extra/hub_extra/__init__.py": "",
    "packages/hub-extra/hub_extra/admin/__init__.py": "",
    "packages/hub-extra/hub_extra/admin/router.py": """
        from fastapi import APIRouter, Depends

        from hub.deps import current_tenant

        router = APIRouter(prefix="/members")


        @router.get("")
        def list_members(tenant: str = Depends(current_tenant)):
            return []


        @router.delete("/{member_id}")
        def remove_member(member_id: int, tenant: str = Depends(current_tenant)):
            return {"removed": member_id}
    """,
    "packages/hub-extra/hub_extra/audit.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/events")
        def events():
            return []
    """,
}

EXPECTED = {("GET", "/health"), ("GET", "/admin/members"), ("DELETE", "/admin/members/{member_id}")}


def _src_layout(files: dict[str, str]) -> dict[str, str]:
    prefix = "packages/hub-extra/"
    return {(prefix + "src/" + rel[len(prefix):] if rel.startswith(prefix + "hub_extra/") else rel): text
            for rel, text in files.items()}


@pytest.mark.parametrize("layout", ["flat", "src"])
def test_routers_of_a_workspace_member_are_found(make_repo, served, inventoried, layout):
    member = MEMBER_FLAT if layout == "flat" else _src_layout(MEMBER_FLAT)
    root = make_repo({**SERVICE, **member})
    member_root = root / "packages/hub-extra" / ("src" if layout == "src" else "")
    assert served(root, "hub.main:app", {"PYTHONPATH": str(member_root)}) == EXPECTED
    inventory = build_inventory(root, workers=1)
    assert inventoried(inventory, "hub/main.py:app") == EXPECTED
    assert not [u for u in inventory.unresolved if "hub_extra" in u.reason or "not included" in u.reason]
    listing = next(r for r in inventory.routes if r.path == "/admin/members")
    assert listing.function == "hub_extra.admin.router.list_members"
    assert listing.tenant_source == "header:x-tenant-id"


def test_a_member_is_not_searched_for_a_name_it_only_holds_as_a_plain_folder(make_repo):
    # packages/tools/ has a project file and a folder `hub_extra` without __init__.py or modules: not a package
    root = make_repo({
        **SERVICE, **MEMBER_FLAT,
        "packages/aaa-tools/pyproject.toml": '[project]\nname = "aaa-tools"\nversion = "0"\n',
        "packages/aaa-tools/hub_extra/data/readme.py": "NOTE = 'not the package'\n",
    })
    inventory = build_inventory(root, workers=1)
    listing = next(r for r in inventory.routes if r.path == "/admin/members")
    assert listing.file == "packages/hub-extra/hub_extra/admin/router.py"


def test_without_the_member_the_include_stays_unresolved(make_repo):
    root = make_repo(SERVICE)
    inventory = build_inventory(root, workers=1)
    assert {(r.path) for r in inventory.routes} == {"/health"}
    assert any("hub_extra.admin.router" in u.reason for u in inventory.unresolved)
