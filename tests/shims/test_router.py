"""shims.standard_api.router: every route, its status codes, query validation and error mapping."""

from __future__ import annotations

import logging

import pytest
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse

from migrator.testing.reference import InMemoryHandler, make_app
from shims.standard_api import (
    FeatureDisabledError,
    InvalidRequestError,
    NotImplementedOperationError,
    QuotaExceededError,
    StandardAPIHandler,
    TenantExistsError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
    create_standard_router,
)
from shims.standard_api.models import StatsResponse, StatsSummary

A, B = "hallym_univ", "yonsei_univ"

# (method, path, operation, success status, JSON body); {t} is the tenant, {u} one of its users
ROUTES = [
    ("GET", "/mt/tenant/{t}/status", "get_tenant_status", 200, None),
    ("GET", "/mt/tenant/{t}/usage?period=2026-11", "get_tenant_usage", 200, None),
    ("GET", "/mt/tenant/{t}/stats", "get_tenant_stats", 200, None),
    ("GET", "/mt/tenant/{t}/stats/costs", "get_tenant_costs", 200, None),
    ("GET", "/mt/tenant/{t}/stats/top-users", "get_top_users", 200, None),
    ("GET", "/mt/tenant/{t}/stats/usage-patterns", "get_usage_patterns", 200, None),
    ("GET", "/mt/tenant/{t}/users", "list_users", 200, None),
    ("POST", "/mt/tenant/{t}/users", "create_user", 201, {"email": "new@example.com", "name": "New"}),
    ("GET", "/mt/tenant/{t}/users/{u}", "get_user", 200, None),
    ("PUT", "/mt/tenant/{t}/users/{u}", "update_user", 200, {"name": "Renamed"}),
    ("DELETE", "/mt/tenant/{t}/users/{u}", "delete_user", 200, None),
    ("GET", "/mt/tenant/{t}/resources", "list_resources", 200, None),
    ("GET", "/mt/tenant/{t}/settings", "get_settings", 200, None),
    ("PUT", "/mt/tenant/{t}/settings", "update_settings", 200, {"features": {"quiz": False}}),
    ("GET", "/mt/tenant/{t}/limits", "get_limits", 200, None),
    ("POST", "/mt/tenant/{t}/deactivate", "deactivate_tenant", 200, {"reason": "end", "preserve_data": True}),
]
OPERATIONS = sorted({r[2] for r in ROUTES} | {"activate_tenant"})
USER_OF = {A: "user_101", B: "user_201"}


class Spy(InMemoryHandler):
    """The reference handler, recording each call and raising a scripted exception per operation."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple]] = []
        self.raises: dict[str, BaseException] = {}


def _spy_method(name: str):
    async def method(self, *args):
        self.calls.append((name, args))
        if name in self.raises:
            raise self.raises[name]
        return await getattr(InMemoryHandler, name)(self, *args)

    method.__name__ = name
    return method


for _name in OPERATIONS:
    setattr(Spy, _name, _spy_method(_name))


@pytest.fixture(scope="module")
def served():
    """One app and client for the module (fast); `spy` resets the handler before every test."""
    handler = Spy()
    with TestClient(make_app(handler), raise_server_exceptions=False) as client:
        yield handler, client


@pytest.fixture
def spy(served) -> Spy:
    handler = served[0]
    handler.reset()
    handler.calls.clear()
    handler.raises.clear()
    return handler


@pytest.fixture
def client(served, spy) -> TestClient:
    return served[1]


def _call(client: TestClient, method: str, path: str, body=None, tenant: str = A, **kwargs):
    url = path.format(t=tenant, u=USER_OF.get(tenant, "user_1"))
    return client.request(method, url, json=body, **kwargs)


def _activate_body(tenant_id: str) -> dict:
    return {
        "tenant_id": tenant_id,
        "tenant_name": "New University",
        "plan": "basic",
        "features": ["chat", "rag", "analytics"],
        "contact": {"email": "admin@new.ac.kr", "name": "Admin"},
    }


# --- success paths --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method,path,operation,status,body", ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_every_route_answers_its_success_status_and_calls_its_operation(client, spy, method, path, operation, status,
                                                                        body):  # fmt: skip
    response = _call(client, method, path, body)
    assert response.status_code == status, response.text
    assert spy.calls[0][0] == operation  # (update_settings and get_limits then read the settings themselves)
    assert all(args[0] == A for _, args in spy.calls)  # the path tenant, first argument of every operation


def test_the_app_serves_exactly_the_documented_paths():
    paths = make_app().openapi()["paths"]
    documented = {
        ("GET", "/mt/health"),
        ("POST", "/mt/tenant/{tenant_id}/activate"),
        *((m, p.replace("{t}", "{tenant_id}").replace("{u}", "{user_id}").split("?")[0]) for m, p, *_ in ROUTES),
    }
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert served == documented


def test_operation_ids_are_stable_and_named_after_the_handler_method():
    paths = make_app().openapi()["paths"]
    assert paths["/mt/tenant/{tenant_id}/stats"]["get"]["operationId"] == "mt_get_tenant_stats"
    assert paths["/mt/tenant/{tenant_id}/users/{user_id}"]["delete"]["operationId"] == "mt_delete_user"
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert all(op["tags"] == ["standard-api"] for ops in paths.values() for op in ops.values())


def test_health_comes_from_the_handler(client):
    response = client.get("/mt/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "version": "1.0.0-reference", "timestamp": "2026-11-20T15:00:00Z"}


def test_health_reports_unhealthy_when_the_check_raises(caplog):
    class Sick(InMemoryHandler):
        async def check_health(self):
            raise RuntimeError("database down")

    client = TestClient(make_app(Sick()), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="shims.standard_api"):
        response = client.get("/mt/health")
    assert response.status_code == 200
    assert response.json()["status"] == "unhealthy"
    assert "database down" not in response.text
    assert "database down" in caplog.text


def test_health_accepts_an_mt_paas_v1_style_string_status():
    class Legacy(InMemoryHandler):
        async def check_health(self):
            return "degraded"

    body = TestClient(make_app(Legacy())).get("/mt/health").json()
    assert body["status"] == "degraded" and body["version"] == "1.0.0-reference" and body["timestamp"].endswith("Z")


def test_create_user_answers_201_with_the_created_user(client):
    response = client.post(f"/mt/tenant/{A}/users", json={"email": "neo@hallym.ac.kr", "name": "Neo", "role": "instructor"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user_id", "email", "name", "role", "status", "created_at", "temporary_password"}
    assert (body["email"], body["role"], body["status"], body["temporary_password"]) == (
        "neo@hallym.ac.kr", "instructor", "active", True)  # fmt: skip
    assert client.get(f"/mt/tenant/{A}/users/{body['user_id']}").json()["name"] == "Neo"


def test_delete_user_answers_200_with_a_delete_response(client):
    response = client.delete(f"/mt/tenant/{A}/users/user_103")
    assert response.status_code == 200
    assert response.json() == {"success": True, "user_id": "user_103", "message": "User deleted"}
    assert client.get(f"/mt/tenant/{A}/users/user_103").status_code == 404


# --- query parameters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/stats", "/stats/costs", "/stats/top-users", "/stats/usage-patterns"])
def test_period_defaults_to_30d_and_is_passed_through(client, spy, path):
    assert client.get(f"/mt/tenant/{A}{path}").json()["period"] == "30d"
    assert client.get(f"/mt/tenant/{A}{path}?period=90d").json()["period"] == "90d"
    assert [args[1] for _, args in spy.calls] == ["30d", "90d"]


@pytest.mark.parametrize("path", ["/stats", "/stats/costs", "/stats/top-users", "/stats/usage-patterns"])
@pytest.mark.parametrize("period", ["1w", "30", "30D", "", "0d", "1000d", "10y", "2026-13", "٣٠d", "30d "])
def test_a_bad_dashboard_period_is_422_before_the_handler(client, spy, path, period):
    response = client.get(f"/mt/tenant/{A}{path}", params={"period": period})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "period"]
    assert "should match pattern" in response.json()["detail"][0]["msg"]
    assert spy.calls == []


@pytest.mark.parametrize("path", ["/stats", "/stats/costs", "/stats/top-users", "/stats/usage-patterns"])
@pytest.mark.parametrize("period", ["7d", "1d", "365d", "1y", "2026-01"])
def test_mt_paas_periods_reach_the_handler(client, spy, path, period):
    """mt_paas documents 7d/30d/90d and its own lifecycle test asks costs for 2026-01; 1y is its other example."""
    assert client.get(f"/mt/tenant/{A}{path}", params={"period": period}).status_code == 200
    assert [args[1] for _, args in spy.calls] == [period]


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-01", "2026/01", "november", "2026-00", "٢٠٢٦-01"])
def test_a_bad_usage_month_is_400_invalid_request(client, spy, period):
    response = client.get(f"/mt/tenant/{A}/usage", params={"period": period})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["success"] is False and detail["error"] == "INVALID_REQUEST"
    assert "YYYY-MM" in detail["message"]
    assert spy.calls == []


def test_usage_without_period_is_422(client):
    assert client.get(f"/mt/tenant/{A}/usage").status_code == 422


@pytest.mark.parametrize(
    "path,params",
    [
        ("/users", {"limit": 0}),
        ("/users", {"limit": 101}),
        ("/users", {"offset": -1}),
        ("/users", {"limit": "ten"}),
        ("/users", {"role": "owner"}),
        ("/users", {"status": "deleted"}),
        ("/stats/top-users", {"limit": 0}),
        ("/stats/top-users", {"limit": 51}),
        ("/resources", {"limit": 0}),
        ("/resources", {"limit": 101}),
        ("/resources", {"offset": -5}),
        ("/resources", {"type": "spaceship"}),
    ],
)
def test_out_of_bounds_query_values_are_422(client, spy, path, params):
    response = client.get(f"/mt/tenant/{A}{path}", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["query", next(iter(params))]
    assert spy.calls == []


def test_list_filters_reach_the_handler(client, spy):
    response = client.get(
        f"/mt/tenant/{A}/users", params={"role": "admin", "status": "active", "search": "kim", "limit": 100, "offset": 0}
    )
    assert response.status_code == 200
    filters = spy.calls[0][1][1]
    assert (filters.role.value, filters.status.value, filters.search, filters.limit, filters.offset) == (
        "admin", "active", "kim", 100, 0)  # fmt: skip
    assert [u["user_id"] for u in response.json()["users"]] == ["user_101"]


def test_query_bounds_at_their_limits_are_accepted(client, spy):
    assert client.get(f"/mt/tenant/{A}/users?limit=1&offset=0").json()["limit"] == 1
    assert client.get(f"/mt/tenant/{A}/users?limit=100").json()["limit"] == 100
    assert len(client.get(f"/mt/tenant/{A}/stats/top-users?limit=50").json()["users"]) <= 50
    assert client.get(f"/mt/tenant/{A}/stats/top-users?limit=1").status_code == 200
    top_args = [args for name, args in spy.calls if name == "get_top_users"]
    assert [a[2] for a in top_args] == [50, 1]
    resources = client.get(f"/mt/tenant/{A}/resources?type=course&limit=1").json()
    assert resources["resource_type"] == "course" and resources["total"] == 2 and len(resources["items"]) == 1


# --- bodies ---------------------------------------------------------------------------------------------------


def test_activate_rejects_a_body_naming_another_tenant(client, spy):
    response = client.post("/mt/tenant/new_univ/activate", json=_activate_body("other_univ"))
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["error"] == "INVALID_REQUEST" and detail["success"] is False
    assert "other_univ" in detail["message"] and "new_univ" in detail["message"]
    assert spy.calls == []


def test_activate_creates_the_tenant_then_409_on_a_second_time(client):
    first = client.post("/mt/tenant/new_univ/activate", json=_activate_body("new_univ"))
    assert first.status_code == 200
    assert first.json() == {
        "success": True,
        "tenant_id": "new_univ",
        "access_url": "https://reference.invalid/new_univ",
        "message": "Tenant 'New University' activated",
    }
    status = client.get("/mt/tenant/new_univ/status").json()
    assert status["status"] == "active" and status["features"] == ["rag", "chat", "analytics"]
    again = client.post("/mt/tenant/new_univ/activate", json=_activate_body("new_univ"))
    assert again.status_code == 409
    assert again.json()["detail"]["error"] == "TENANT_EXISTS"


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("POST", "/mt/tenant/{t}/users", {}),
        ("POST", "/mt/tenant/{t}/users", {"email": "x@y.z"}),
        ("POST", "/mt/tenant/{t}/users", {"email": "x@y.z", "name": "X", "role": "root"}),
        ("POST", "/mt/tenant/{t}/users", [1, 2]),
        ("PUT", "/mt/tenant/{t}/users/{u}", {"status": "banned"}),
        ("PUT", "/mt/tenant/{t}/settings", {"features": {"rag": "maybe"}}),
        ("PUT", "/mt/tenant/{t}/settings", {"limits": {"daily_tokens": "lots"}}),
        ("POST", "/mt/tenant/{t}/deactivate", {"preserve_data": True}),
        ("POST", "/mt/tenant/{t}/activate", {"tenant_id": "hallym_univ"}),
    ],
)
def test_bad_bodies_are_422_before_the_handler(client, spy, method, path, body):
    response = _call(client, method, path, body)
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], list)
    assert spy.calls == []


def test_malformed_json_is_422(client):
    response = client.post(f"/mt/tenant/{A}/users", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


# --- error mapping --------------------------------------------------------------------------------------------

ERRORS = [
    (InvalidRequestError("bad input"), 400, "INVALID_REQUEST"),
    (TenantNotFoundError("ghost"), 404, "TENANT_NOT_FOUND"),
    (TenantExistsError("dup"), 409, "TENANT_EXISTS"),
    (UserNotFoundError("user_9"), 404, "USER_NOT_FOUND"),
    (UserExistsError("a@b.c"), 409, "USER_EXISTS"),
    (QuotaExceededError("users", 6), 429, "QUOTA_EXCEEDED"),
    (FeatureDisabledError("custom_branding"), 403, "FEATURE_DISABLED"),
    (NotImplementedOperationError("get_tenant_stats"), 501, "NOT_IMPLEMENTED"),
]


@pytest.mark.parametrize("error,status,code", ERRORS, ids=[e[2] for e in ERRORS])
def test_each_standard_error_becomes_its_status_and_body(client, spy, error, status, code):
    spy.raises["get_tenant_stats"] = error
    response = client.get(f"/mt/tenant/{A}/stats")
    assert response.status_code == status
    assert response.json() == {"detail": {"success": False, "error": code, "message": error.message}}


@pytest.mark.parametrize("method,path,operation,status,body", ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_every_route_maps_handler_errors(client, spy, method, path, operation, status, body):
    spy.raises[operation] = TenantNotFoundError(A)
    response = _call(client, method, path, body)
    assert response.status_code == 404
    assert response.json()["detail"] == {"success": False, "error": "TENANT_NOT_FOUND", "message": f"Tenant '{A}' not found"}


UNIMPLEMENTED_ON_A_TENANT = [r for r in ROUTES if r[2] != "get_tenant_status"]


@pytest.mark.parametrize("method,path,operation,status,body", UNIMPLEMENTED_ON_A_TENANT,
                         ids=[f"{r[0]} {r[1]}" for r in UNIMPLEMENTED_ON_A_TENANT])
@pytest.mark.parametrize("error", [NotImplementedOperationError("x"), NotImplementedError()], ids=["standard", "builtin"])
def test_an_unimplemented_operation_on_an_unknown_tenant_answers_its_404(client, spy, method, path, operation, status,
                                                                         body, error):
    """STANDARD_API.md lists 404 for an unknown tenant on every tenant operation: the handler's status says so."""
    spy.raises[operation] = error
    response = _call(client, method, path, body, tenant="ghost_univ")
    assert response.status_code == 404
    assert response.json()["detail"]["error"] == "TENANT_NOT_FOUND"
    assert ("get_tenant_status", ("ghost_univ",)) in spy.calls


def test_an_unimplemented_operation_stays_501_when_the_status_cannot_tell(client, spy):
    """The status probe itself unimplemented (or failing): the operation's own 501 stands, never a guess."""
    spy.raises["get_settings"] = NotImplementedOperationError("get_settings")
    for failure in (NotImplementedOperationError("get_tenant_status"), RuntimeError("database down")):
        spy.raises["get_tenant_status"] = failure
        response = client.get("/mt/tenant/ghost_univ/settings")
        assert response.status_code == 501, failure
        assert "get_settings" in response.json()["detail"]["message"]


def test_a_foreign_or_http_404_from_the_status_counts_as_an_unknown_tenant(client, spy):
    class TenantNotFoundError(Exception):  # mt_paas's, recognised by name
        pass

    spy.raises["list_resources"] = NotImplementedOperationError("list_resources")
    for answer in (TenantNotFoundError("no such tenant"), HTTPException(status_code=404, detail="no tenant")):
        spy.raises["get_tenant_status"] = answer
        assert client.get("/mt/tenant/ghost_univ/resources").status_code == 404, answer


@pytest.mark.parametrize("method,path,operation,status,body", ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_every_route_answers_501_naming_the_operation(client, spy, method, path, operation, status, body):
    spy.raises[operation] = NotImplementedOperationError(operation)
    response = _call(client, method, path, body)
    assert response.status_code == 501
    detail = response.json()["detail"]
    assert detail["error"] == "NOT_IMPLEMENTED" and operation in detail["message"]


def test_a_bare_handler_leaves_optional_operations_at_501():
    class Minimal(StandardAPIHandler):
        pass

    for name in Minimal.__abstractmethods__:
        setattr(Minimal, name, lambda self, *a: None)
    Minimal.__abstractmethods__ = frozenset()
    client = TestClient(make_app(Minimal()))
    for path, operation in [("/stats/top-users", "get_top_users"), ("/stats/usage-patterns", "get_usage_patterns"),
                            ("/resources", "list_resources")]:  # fmt: skip
        response = client.get(f"/mt/tenant/{A}{path}")
        assert response.status_code == 501
        assert response.json()["detail"]["message"] == f"This service does not implement '{operation}'"
    response = client.put(f"/mt/tenant/{A}/settings", json={})
    assert response.status_code == 501 and "update_settings" in response.json()["detail"]["message"]


def test_builtin_not_implemented_error_is_also_501(client, spy):
    spy.raises["get_settings"] = NotImplementedError("TODO: move the settings logic")
    response = client.get(f"/mt/tenant/{A}/settings")
    assert response.status_code == 501
    assert response.json()["detail"] == {
        "success": False, "error": "NOT_IMPLEMENTED", "message": "This service does not implement 'get_settings'"}  # fmt: skip


def test_an_unexpected_exception_is_a_generic_500_logged_with_its_traceback(client, spy, caplog):
    spy.raises["list_users"] = RuntimeError("connection to postgres://admin:hunter2@db failed")
    with caplog.at_level(logging.ERROR, logger="shims.standard_api"):
        response = client.get(f"/mt/tenant/{A}/users")
    assert response.status_code == 500
    assert response.json() == {
        "detail": {"success": False, "error": "INTERNAL_ERROR", "message": "Internal error while handling 'list_users'"}
    }
    assert "hunter2" not in response.text and "postgres" not in response.text
    assert "Traceback" in caplog.text and "list_users" in caplog.text


def test_a_handler_returning_the_wrong_shape_is_a_500_not_a_different_wire(client, spy, caplog):
    class Bad(InMemoryHandler):
        async def get_tenant_stats(self, tenant_id, period):
            return StatsResponse.model_construct(tenant_id=tenant_id, period=period)  # no summary

        async def get_tenant_costs(self, tenant_id, period):
            return {"tenant_id": tenant_id, "period": period, "total_cost_usd": "lots"}

    bad = TestClient(make_app(Bad()), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="shims.standard_api"):
        stats = bad.get(f"/mt/tenant/{A}/stats")
        costs = bad.get(f"/mt/tenant/{A}/stats/costs")
    assert stats.status_code == 500 and stats.json()["detail"]["error"] == "INTERNAL_ERROR"
    assert costs.status_code == 500 and "lots" not in costs.text
    assert "not a valid StatsResponse" in caplog.text and "summary" in caplog.text


def test_a_dict_of_the_right_shape_is_accepted_and_completed_with_defaults():
    class Dicts(InMemoryHandler):
        async def get_tenant_stats(self, tenant_id, period):
            return {"tenant_id": tenant_id, "period": period, "summary": {"total_users": 3}}

    body = TestClient(make_app(Dicts())).get(f"/mt/tenant/{A}/stats").json()
    assert body["summary"] == StatsSummary(total_users=3).model_dump()
    assert body["trends"] is None and body["health"] is None


def test_a_response_object_from_the_handler_is_passed_through():
    class Custom(InMemoryHandler):
        async def get_tenant_status(self, tenant_id):
            return JSONResponse({"custom": True}, status_code=202, headers={"X-Extra": "1"})

    response = TestClient(make_app(Custom())).get(f"/mt/tenant/{A}/status")
    assert (response.status_code, response.json(), response.headers["x-extra"]) == (202, {"custom": True}, "1")


@pytest.mark.parametrize(
    "exc,status,code,message",
    [
        (HTTPException(404, "User not found"), 404, "USER_NOT_FOUND", "User not found"),
        (HTTPException(404, "Tenant not found"), 404, "TENANT_NOT_FOUND", "Tenant not found"),
        (HTTPException(409, "Email already exists"), 409, "USER_EXISTS", "Email already exists"),
        (HTTPException(400, "bad"), 400, "INVALID_REQUEST", "bad"),
        (HTTPException(403, "Feature 'x' is disabled"), 403, "FEATURE_DISABLED", "Feature 'x' is disabled"),
        (HTTPException(500, "db password=hunter2"), 500, "INTERNAL_ERROR", "Internal error while handling 'get_user'"),
    ],
)
def test_a_legacy_http_exception_gets_the_standard_body(client, spy, exc, status, code, message):
    spy.raises["get_user"] = exc
    response = client.get(f"/mt/tenant/{A}/users/user_101")
    assert response.status_code == status
    assert response.json() == {"detail": {"success": False, "error": code, "message": message}}


def test_a_starlette_http_exception_is_reshaped_too(client, spy):
    from starlette.exceptions import HTTPException as StarletteHTTPException

    spy.raises["get_user"] = StarletteHTTPException(404, "User not found")
    response = client.get(f"/mt/tenant/{A}/users/user_101")
    assert response.status_code == 404
    assert response.json()["detail"] == {"success": False, "error": "USER_NOT_FOUND", "message": "User not found"}


def test_an_http_exception_with_a_standard_body_is_kept_with_its_headers(client, spy):
    detail = {"success": False, "error": "QUOTA_EXCEEDED", "message": "slow down"}
    spy.raises["get_user"] = HTTPException(429, detail, headers={"Retry-After": "30"})
    response = client.get(f"/mt/tenant/{A}/users/user_101")
    assert response.status_code == 429 and response.json() == {"detail": detail}
    assert response.headers["retry-after"] == "30"


# --- router options -------------------------------------------------------------------------------------------


def test_prefix_tags_and_dependencies_are_applied():
    seen = []

    def marker() -> None:
        seen.append("called")

    app = FastAPI()
    app.include_router(create_standard_router(InMemoryHandler(), "/std", tags=("a", "b"), dependencies=[Depends(marker)]))
    client = TestClient(app)
    assert client.get(f"/std/tenant/{A}/status").status_code == 200
    assert client.get(f"/mt/tenant/{A}/status").status_code == 404
    assert seen == ["called"]
    assert app.openapi()["paths"]["/std/health"]["get"]["tags"] == ["a", "b"]


def test_the_router_refuses_something_that_is_not_a_handler():
    with pytest.raises(TypeError, match="StandardAPIHandler"):
        create_standard_router(object())  # type: ignore[arg-type]
