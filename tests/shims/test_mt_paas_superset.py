"""The shims are a superset of mt_paas (the Service Market SDK, 0.1.0) both ways, without importing it.

- what mt_paas's models and routers accept, the shims accept (roles, statuses, periods, optional fields, bodies);
- a handler written the mt_paas way (not a `StandardAPIHandler`, mt_paas-named exceptions, a string health) runs
  on the shims router with mt_paas's statuses;
- a shims handler's errors are FastAPI `HTTPException`s, so any router (mt_paas's included) passes them through;
- 405 answers name every allowed method; the OpenAPI document lists every error status with the body sent.

The mt_paas-style handler below is a fixture written for this test (same method names and exception class names
as the SDK's `StandardAPIHandlerV2`), not SDK code. tests/interop/ runs the real SDK when `MT_PAAS_SDK` is set.
"""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from shims.standard_api import (
    StandardAPIHandler,
    TenantNotFoundError,
    UserExistsError,
    create_standard_router,
)
from shims.standard_api.models import (
    DeactivateRequest,
    TenantConfig,
    UpdateUserRequest,
    UserRole,
    UserStatus,
)

T = "mt_tenant_1"


# --- exceptions named as mt_paas names them (defined here, as a service using the SDK would import them) ---------


class TenantNotFoundErrorMT(Exception):
    def __init__(self, tenant_id):
        self.tenant_id = tenant_id
        super().__init__(f"Tenant {tenant_id} not found")


TenantNotFoundErrorMT.__name__ = "TenantNotFoundError"


class UserExistsErrorMT(Exception):
    def __init__(self, email):
        self.email = email
        super().__init__(f"User {email} already exists")


UserExistsErrorMT.__name__ = "UserExistsError"


class UserNotFoundErrorMT(Exception):
    def __init__(self, user_id):
        self.user_id = user_id
        super().__init__(f"User {user_id} not found")


UserNotFoundErrorMT.__name__ = "UserNotFoundError"


class QuotaExceededErrorMT(Exception):
    def __init__(self, resource, limit):
        self.resource, self.limit = resource, limit
        super().__init__(f"{resource} quota exceeded (limit: {limit})")


QuotaExceededErrorMT.__name__ = "QuotaExceededError"


class FeatureDisabledErrorMT(Exception):
    def __init__(self, feature):
        self.feature = feature
        super().__init__(f"Feature {feature} is disabled for this tenant")


FeatureDisabledErrorMT.__name__ = "FeatureDisabledError"


class MtPaasStyleHandler:
    """Duck-typed: the SDK's method names, dict answers, a health string, no `list_resources`/`get_limits`."""

    service_version = "2.0.0"

    def __init__(self):
        self.tenants = {T: {"email": "admin@mt.example", "status": "active"}}
        self.seen: list[tuple] = []

    async def check_health(self):
        return "degraded"

    def _tenant(self, tenant_id):
        if tenant_id not in self.tenants:
            raise TenantNotFoundErrorMT(tenant_id)
        return self.tenants[tenant_id]

    async def activate_tenant(self, request):
        if request.tenant_id in self.tenants:
            raise type("TenantExistsError", (Exception,), {})(f"Tenant {request.tenant_id} already exists")
        self.tenants[request.tenant_id] = {"email": request.contact.email, "status": "active"}
        return {"success": True, "tenant_id": request.tenant_id, "access_url": "https://mt.example/x",
                "message": "ok"}  # fmt: skip

    async def before_activate(self, request):
        self.seen.append(("before_activate", request.tenant_id))

    async def after_activate(self, response):
        self.seen.append(("after_activate", response.tenant_id))

    async def after_deactivate(self, response):
        self.seen.append(("after_deactivate", response.status))

    async def deactivate_tenant(self, tenant_id, request):
        self._tenant(tenant_id)["status"] = "deactivated"
        self.seen.append(("deactivate", request.preserve_data))
        return {"success": True, "tenant_id": tenant_id, "status": "deactivated", "data_preserved": True}

    async def get_tenant_status(self, tenant_id):
        tenant = self._tenant(tenant_id)
        return {"tenant_id": tenant_id, "status": tenant["status"], "plan": "basic", "features": [],
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}  # fmt: skip

    async def get_tenant_usage(self, tenant_id, period):
        self._tenant(tenant_id)
        return {"tenant_id": tenant_id, "period": period, "usage": {"active_users": 3}}

    async def get_tenant_stats(self, tenant_id, period="30d"):
        self._tenant(tenant_id)
        self.seen.append(("stats", period))
        return {"tenant_id": tenant_id, "period": period, "summary": {"total_users": 3}}

    async def get_tenant_costs(self, tenant_id, period="30d"):
        self._tenant(tenant_id)
        self.seen.append(("costs", period))
        return {"tenant_id": tenant_id, "period": period, "total_cost_usd": 1.5}

    async def list_users(self, tenant_id, filters):
        self._tenant(tenant_id)
        self.seen.append(("list_users", filters.role, filters.status))
        return {"tenant_id": tenant_id, "total": 0, "limit": filters.limit, "offset": filters.offset, "users": []}

    async def create_user(self, tenant_id, request):
        self._tenant(tenant_id)
        if request.email == "taken@mt.example":
            raise UserExistsErrorMT(request.email)
        if request.email == "full@mt.example":
            raise QuotaExceededErrorMT("users", 5)
        return {"user_id": "u1", "email": request.email, "name": request.name, "role": request.role,
                "status": "active", "created_at": "2026-01-01T00:00:00Z", "temporary_password": True}  # fmt: skip

    async def get_user(self, tenant_id, user_id):
        self._tenant(tenant_id)
        raise UserNotFoundErrorMT(user_id)

    async def update_user(self, tenant_id, user_id, request):
        self._tenant(tenant_id)
        self.seen.append(("update_user", request.model_dump(exclude_none=True)))
        return {"user_id": user_id, "email": "m@mt.example", "name": "M", "role": request.role or "moderator",
                "status": request.status or "inactive", "created_at": "2026-01-01T00:00:00Z"}  # fmt: skip

    async def delete_user(self, tenant_id, user_id):
        self._tenant(tenant_id)
        return {"success": True, "user_id": user_id, "message": "deleted"}

    async def get_settings(self, tenant_id):
        self._tenant(tenant_id)
        # mt_paas's TenantConfig: max_* optional, features/limits defaulted
        return {"tenant_id": tenant_id, "config": {}, "subscription": {"plan": "basic", "start_date": "2026-01-01"}}

    async def update_settings(self, tenant_id, request):
        self._tenant(tenant_id)
        raise FeatureDisabledErrorMT("custom_branding")


@pytest.fixture()
def served():
    handler = MtPaasStyleHandler()
    app = FastAPI()
    app.include_router(create_standard_router(handler))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield handler, client


def _error(response, status, code):
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["success"] is False and detail["error"] == code and detail["message"]


# --- models: what mt_paas accepts --------------------------------------------------------------------------------


def test_roles_statuses_and_optional_fields_of_mt_paas_are_accepted():
    assert {"admin", "user", "moderator"} <= {r.value for r in UserRole}
    assert {"active", "inactive", "suspended"} <= {s.value for s in UserStatus}
    assert DeactivateRequest(reason="x").preserve_data is True
    config = TenantConfig()
    assert config.max_users is None and config.max_storage_mb is None
    assert config.features.rag is True and config.limits.daily_tokens == 1_000_000


# --- an mt_paas-style handler on the shims router -----------------------------------------------------------------


def test_a_handler_not_built_on_the_shims_base_is_served(served):
    handler, client = served
    health = client.get("/mt/health").json()
    assert health["status"] == "degraded" and health["version"] == "2.0.0"
    assert client.get(f"/mt/tenant/{T}/status").json()["status"] == "active"
    assert client.get(f"/mt/tenant/{T}/usage", params={"period": "2026-01"}).json()["usage"]["active_users"] == 3
    settings = client.get(f"/mt/tenant/{T}/settings").json()
    assert settings["config"]["max_users"] is None
    # get_limits is derived from get_settings; list_resources is missing: 501
    assert client.get(f"/mt/tenant/{T}/limits").json()["daily_tokens"] == 1_000_000
    _error(client.get(f"/mt/tenant/{T}/resources"), 501, "NOT_IMPLEMENTED")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/mt/tenant/nope/status", None, 404, "TENANT_NOT_FOUND"),
        ("GET", "/mt/tenant/nope/stats", None, 404, "TENANT_NOT_FOUND"),
        ("POST", "/mt/tenant/nope/deactivate", {"reason": "x"}, 404, "TENANT_NOT_FOUND"),
        ("GET", f"/mt/tenant/{T}/users/u9", None, 404, "USER_NOT_FOUND"),
        ("POST", f"/mt/tenant/{T}/users", {"email": "taken@mt.example", "name": "x"}, 409, "USER_EXISTS"),
        ("POST", f"/mt/tenant/{T}/users", {"email": "full@mt.example", "name": "x"}, 429, "QUOTA_EXCEEDED"),
        ("PUT", f"/mt/tenant/{T}/settings", {"branding": {"logo_url": "x"}}, 403, "FEATURE_DISABLED"),
        ("POST", f"/mt/tenant/{T}/activate", {"tenant_id": T, "tenant_name": "x", "plan": "p", "features": [],
                                              "contact": {"email": "a@b.c", "name": "n"}}, 409, "TENANT_EXISTS"),
    ],
)  # fmt: skip
def test_mt_paas_exceptions_get_mt_paas_statuses(served, method, path, body, status, code):
    _, client = served
    _error(client.request(method, path, json=body), status, code)


@pytest.mark.parametrize("period", ["7d", "30d", "90d", "1y", "2026-01"])
def test_mt_paas_periods_reach_the_handler(served, period):
    handler, client = served
    assert client.get(f"/mt/tenant/{T}/stats", params={"period": period}).status_code == 200
    assert client.get(f"/mt/tenant/{T}/stats/costs", params={"period": period}).status_code == 200
    assert handler.seen[-2:] == [("stats", period), ("costs", period)]


def test_mt_paas_roles_and_statuses_pass_filters_and_updates(served):
    handler, client = served
    assert client.get(f"/mt/tenant/{T}/users", params={"role": "moderator", "status": "inactive"}).status_code == 200
    assert handler.seen[-1] == ("list_users", UserRole.MODERATOR, UserStatus.INACTIVE)
    answer = client.put(f"/mt/tenant/{T}/users/u1", json={"role": "moderator", "status": "inactive"}).json()
    assert (answer["role"], answer["status"]) == ("moderator", "inactive")


def test_put_user_without_a_body_is_accepted_as_no_change(served):
    handler, client = served
    response = client.put(f"/mt/tenant/{T}/users/u1")
    assert response.status_code == 200
    assert handler.seen[-1] == ("update_user", {})


def test_deactivate_without_preserve_data_defaults_to_true(served):
    handler, client = served
    assert client.post(f"/mt/tenant/{T}/deactivate", json={"reason": "subscription_expired"}).status_code == 200
    assert handler.seen[-2:] == [("deactivate", True), ("after_deactivate", "deactivated")]


def test_mt_paas_hooks_run_around_activation(served):
    handler, client = served
    body = {"tenant_id": "hooked_1", "tenant_name": "x", "plan": "p", "features": [],
            "contact": {"email": "a@b.c", "name": "n"}}  # fmt: skip
    assert client.post("/mt/tenant/hooked_1/activate", json=body).status_code == 200
    assert handler.seen[-2:] == [("before_activate", "hooked_1"), ("after_activate", "hooked_1")]


def test_objects_without_the_handler_methods_are_refused():
    with pytest.raises(TypeError, match="activate_tenant"):
        create_standard_router(object())
    with pytest.raises(TypeError, match="instance"):
        create_standard_router(MtPaasStyleHandler)


# --- a shims handler on any router --------------------------------------------------------------------------------


def test_shims_errors_are_http_exceptions_any_router_passes_through():
    """What mt_paas's router does with an exception it has no `except` for: FastAPI's own handling."""
    router = APIRouter()

    @router.get("/plain/{tenant_id}")
    async def plain(tenant_id: str):
        raise TenantNotFoundError(tenant_id)

    @router.post("/plain/users")
    async def plain_user():
        raise UserExistsError("a@b.c")

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    _error(client.get("/plain/t9"), 404, "TENANT_NOT_FOUND")
    _error(client.post("/plain/users"), 409, "USER_EXISTS")
    # mt_paas's activate route maps any exception whose text mentions "exists" to 409: the text is the message
    assert str(UserExistsError("a@b.c")) == "A user with e-mail 'a@b.c' already exists"


def test_the_base_health_is_the_status_string_mt_paas_expects():
    class Minimal(StandardAPIHandler):
        async def activate_tenant(self, request): ...
        async def deactivate_tenant(self, tenant_id, request): ...
        async def get_tenant_status(self, tenant_id): ...
        async def get_tenant_usage(self, tenant_id, period): ...
        async def get_tenant_stats(self, tenant_id, period): ...
        async def get_tenant_costs(self, tenant_id, period): ...
        async def list_users(self, tenant_id, filters): ...
        async def create_user(self, tenant_id, request): ...
        async def get_user(self, tenant_id, user_id): ...
        async def update_user(self, tenant_id, user_id, request): ...
        async def delete_user(self, tenant_id, user_id): ...
        async def get_settings(self, tenant_id): ...

    import asyncio

    assert asyncio.run(Minimal().check_health()) == "healthy"
    assert UpdateUserRequest().model_dump(exclude_none=True) == {}


# --- 405 and OpenAPI ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", f"/mt/tenant/{T}/users", "GET, POST"),
        ("DELETE", f"/mt/tenant/{T}/users", "GET, POST"),
        ("POST", f"/mt/tenant/{T}/users/u1", "DELETE, GET, PUT"),
        ("POST", f"/mt/tenant/{T}/settings", "GET, PUT"),
        ("GET", f"/mt/tenant/{T}/activate", "POST"),
        ("POST", "/mt/health", "GET"),
    ],
)
def test_405_lists_every_allowed_method(served, method, path, allow):
    _, client = served
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    _error(response, 405, "METHOD_NOT_ALLOWED")


def test_openapi_documents_every_error_status_with_the_body_sent(served):
    _, client = served
    doc = client.get("/openapi.json").json()
    error_ref = "#/components/schemas/ErrorResponse"
    detail = doc["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) >= {"error", "message"}
    ops = {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()}
    for (method, path), op in ops.items():
        statuses = set(op["responses"])
        if path == "/mt/health":
            continue
        assert {"400", "401", "404", "422", "500", "501", "503"} <= statuses, (method, path, statuses)
        for status in statuses - {"200", "201", "422"}:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": error_ref}, (method, path, status)
    assert "409" in ops[("POST", "/mt/tenant/{tenant_id}/activate")]["responses"]
    assert {"409", "429"} <= set(ops[("POST", "/mt/tenant/{tenant_id}/users")]["responses"])
