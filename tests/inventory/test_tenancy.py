"""Tenant and auth sources beyond parameters: identity objects, context variables and middlewares, Security
schemes named like a tenant, header reads in bodies, `[tool.migrator] tenant_attr / tenant_header`."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.inventory import InventoryInputError, build_inventory

FIXTURE = Path(__file__).parent / "fixtures" / "tenancy"


@pytest.fixture(scope="module")
def routes():
    inventory = build_inventory(FIXTURE, workers=1)
    return {r.path: r for r in inventory.routes}


def _line(rel: str, text: str) -> int:
    return next(i for i, t in enumerate((FIXTURE / rel).read_text().splitlines(), 1) if text in t)


def test_tenant_from_the_callers_identity_with_a_configured_attribute(routes):
    route = routes["/me/projects"]  # `user.cliente_id`, cliente_id from [tool.migrator] tenant_attr
    assert (route.tenant_source, route.tenant_param) == ("identity:user.cliente_id", "user")
    assert route.auth == ["Authorization: Bearer"]


def test_tenant_from_the_identity_read_inside_a_dependency(routes):
    route = routes["/org/stats"]  # org = Depends(org_of); org_of reads `user.org_id` of Depends(current_user)
    assert (route.tenant_source, route.tenant_param) == ("identity:user.org_id", "org")


def test_tenant_from_a_dependency_that_returns_the_tenant_object_itself(routes):
    route = routes["/workspace/runs"]  # workspace = Depends(workspace_of_caller); the body reads `workspace.id`
    assert (route.tenant_source, route.tenant_param) == ("identity:workspace.id", "workspace")
    # `current.id` of a dependency not named like a tenant is a user id (the fixture's context variable answers)
    assert routes["/whoami"].tenant_source == "context:tsvc/context.py:5"


def test_an_auth_library_dependency_is_a_bearer_credential(routes):
    # fastapi-jwt-auth's AuthJWT (outside the repository) reads the Authorization header, through a local dependency
    assert routes["/jwt/items"].auth == ["Authorization: Bearer"]


def test_a_route_named_like_the_dependency_it_uses_reads_the_dependency_bound_before_its_def(routes):
    # `def verify_key(key=Depends(verify_key))`: the default is evaluated before the def rebinds the name
    route = routes["/keys/verify"]
    assert route.auth == ["X-Api-Key"]
    assert [(p.name, p.kind, p.dependency) for p in route.params] == [("key", "depends", "tsvc.deps.verify_key")]


def test_a_security_scheme_named_like_a_tenant_is_the_tenant_not_a_credential(routes):
    route = routes["/scoped/items"]  # router-level Depends(tenant_header) -> Security(APIKeyHeader("x-tenant-id"))
    assert route.tenant_source == "header:x-tenant-id"
    assert route.auth == [] and route.headers == ["x-tenant-id"]


def test_a_bearer_check_inside_the_body_is_auth(routes):
    assert routes["/raw"].auth == ["Authorization: Bearer"]
    assert "Authorization" in routes["/raw"].headers


def test_tenant_from_a_context_variable_with_its_file_and_line(routes):
    line = _line("tsvc/context.py", "current_tenant:")
    assert routes["/ambient"].tenant_source == f"context:tsvc/context.py:{line}"
    assert routes["/ambient"].tenant_param is None


def test_a_middleware_reading_the_tenant_header_is_a_context_source(make_repo):
    root = make_repo({
        "svc/main.py": """
            from fastapi import FastAPI, Request

            app = FastAPI()

            @app.middleware("http")
            async def pick_database(request: Request, call_next):
                request.state.db = request.headers["X-Tenant-ID"]
                return await call_next(request)

            @app.get("/items")
            def items():
                return []
        """,
    })
    [route] = build_inventory(root, workers=1).routes
    assert route.tenant_source == "context:svc/main.py:6"


def test_single_tenant_service_has_no_tenant_source(make_repo):
    root = make_repo({
        "svc/main.py": """
            from fastapi import Depends, FastAPI, Request

            app = FastAPI()

            def current_user(request: Request):
                return request.headers.get("X-API-Key")

            @app.get("/items")
            def items(user=Depends(current_user)):
                return [user.name]
        """,
    })
    [route] = build_inventory(root, workers=1).routes
    assert route.tenant_source is None and route.auth == ["X-API-Key"]


def test_a_configured_tenant_header(make_repo):
    root = make_repo({
        "pyproject.toml": '[tool.migrator]\ntenant_header = "X-Org"\n',
        "svc/main.py": """
            from fastapi import FastAPI, Header

            app = FastAPI()

            @app.get("/items")
            def items(x_org: str = Header()):
                return []
        """,
    })
    [route] = build_inventory(root, workers=1).routes
    assert route.tenant_source == "header:x-org" and route.tenant_param == "x_org"


def test_an_invalid_tenant_setting_is_an_input_error_naming_the_file(make_repo):
    root = make_repo({"pyproject.toml": "[tool.migrator]\ntenant_attr = 3\n", "svc/main.py": "x = 1\n"})
    with pytest.raises(InventoryInputError, match=r"pyproject.toml: \[tool.migrator\] tenant_attr must be"):
        build_inventory(root, workers=1)


ROLE_IN_PATH = {
    "wsvc/__init__.py": "",
    "wsvc/deps.py": """
        import uuid

        from fastapi import Header, HTTPException, Path


        def workspace_role(workspace_id: uuid.UUID = Path(...), authorization: str = Header(...)) -> dict:
            if not authorization.startswith("Bearer "):
                raise HTTPException(status_code=401)
            return {"workspace_id": workspace_id, "user": authorization[7:]}
    """,
    "wsvc/main.py": """
        import uuid

        from fastapi import Depends, FastAPI

        from wsvc.deps import workspace_role

        app = FastAPI()


        @app.get("/workspaces/{workspace_id}/members")
        def list_members(role: dict = Depends(workspace_role), workspace_id: uuid.UUID = ...):
            return {"workspace": str(workspace_id), "members": []}


        @app.get("/workspaces/{workspace_id}/owner")
        def owner(role: dict = Depends(workspace_role)):
            return {"owner": role["user"]}
    """,
}


def test_the_routes_own_tenant_parameter_wins_over_a_dependency_before_it_reading_the_same_path(make_repo):
    routes = {r.path: r for r in build_inventory(make_repo(ROLE_IN_PATH), workers=1).routes}
    members = routes["/workspaces/{workspace_id}/members"]
    assert (members.tenant_source, members.tenant_param) == ("path:workspace_id", "workspace_id")
    # only the dependency reads it: the dependency is the parameter that leads to the tenant
    owner = routes["/workspaces/{workspace_id}/owner"]
    assert (owner.tenant_source, owner.tenant_param) == ("path:workspace_id", "role")


def test_the_tenant_path_parameter_is_not_reported_as_one_without_a_mapping(make_repo):
    from migrator.planner import make_plan

    plan = make_plan(make_repo(ROLE_IN_PATH), workers=1, estimate=False).plan
    members = next(r for r in plan.routes if r.path == "/workspaces/{workspace_id}/members")
    [tenant] = [p for p in members.verdict.params if p.name == "workspace_id"]
    assert tenant.role == "tenant"
    assert not [r.message for r in members.verdict.reasons if "has no mapping" in r.message]
