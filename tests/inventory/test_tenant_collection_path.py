"""The tenant named by the path after a tenant collection (`/v1/workspaces/{id}/members`), whatever its parameter is
called, and read either by the route or by a guard dependency built by a factory (`id: UUID4` in the closure it
returns: pydantic's scalar types are path or query parameters, as FastAPI binds them, not the body)."""

from __future__ import annotations

from migrator.inventory.build import run_inventory
from migrator.inventory.tenancy import tenant_path_params

REPO = {
    "hub/__init__.py": "",
    "hub/guards.py": """
        from typing import Annotated

        from fastapi import Depends, Header
        from pydantic import UUID4, Field

        WorkspaceID = Annotated[UUID4, Field(description="The workspace.")]


        def workspace_guard(scope: str):
            async def dependency(id: WorkspaceID, authorization: str = Header(...)) -> dict:
                return {"workspace": id, "scope": scope}

            return dependency


        MembersRead = Annotated[dict, Depends(workspace_guard("members:read"))]
    """,
    "hub/main.py": """
        from fastapi import FastAPI

        from hub.guards import MembersRead

        app = FastAPI()


        @app.get("/v1/workspaces/{id}/members")
        async def members(authz: MembersRead):
            return []


        @app.get("/v1/orgs/{slug}")
        async def org(slug: str):
            return {}


        @app.get("/v1/products/{id}")
        async def product(id: str):
            return {}


        @app.get("/v1/tenants")
        async def tenants(id: str | None = None):
            return []
    """,
}


def test_the_parameter_after_a_tenant_collection_segment_is_the_tenant(make_repo):
    root = make_repo(REPO)
    routes = {r.path: r for r in run_inventory(root, workers=1).inventory.routes}
    members = routes["/v1/workspaces/{id}/members"]
    assert (members.tenant_source, members.tenant_param) == ("path:id", "authz")
    assert [(p.name, p.paths, p.headers) for p in members.params] == [("authz", ["id"], ["authorization"])]
    assert (routes["/v1/orgs/{slug}"].tenant_source, routes["/v1/orgs/{slug}"].tenant_param) == ("path:slug", "slug")
    assert routes["/v1/products/{id}"].tenant_source is None  # an id after another collection names no tenant
    assert routes["/v1/tenants"].tenant_source is None  # the collection itself, no item of it


def test_tenant_path_params():
    assert tenant_path_params("/v1/organizations/{id}/members/{user_id}") == {"id"}
    assert tenant_path_params("/api/Workspaces/{ws:str}/users") == {"ws"}
    assert tenant_path_params("/tenant/{key}") == {"key"}
    assert tenant_path_params("/users/{id}/organizations") == frozenset()
    assert tenant_path_params("/organizational/{id}") == frozenset()
