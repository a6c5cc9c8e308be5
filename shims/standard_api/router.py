"""`create_standard_router(handler)`: the Standard API v2 routes (STANDARD_API.md) served from a handler.

Every migrated service mounts this router, so the Service Market sees one set of paths, status codes, JSON shapes
and error bodies. The router owns the wire; the handler owns the logic:
- it passes exactly the path ``tenant_id`` to the handler (never a header), validates query parameters and bodies
  (FastAPI's 422), and re-validates what the handler returns against the documented response model, so a handler
  bug becomes a logged 500 instead of a silently different shape;
- it maps `StandardAPIError` to its status and ``{"detail": {"success": false, "error": CODE, "message": ...}}``,
  ``NotImplementedOperationError``/``NotImplementedError`` to 501 (404 when the tenant is unknown: every tenant
  operation lists 404, `call_for_tenant`), and anything unexpected to a generic 500 whose body never carries the
  exception text (the traceback goes to the log); these errors (and FastAPI's 422) are answered by the router's own
  routes, so the serving app's exception handlers never reshape them (own_errors.py);
- it adds no authentication: ``shims.middleware.market_auth.MarketAuthMiddleware`` protects ``/mt/``;
- ``POST /tenant/{id}/activate`` creates exactly ``{id}`` or fails: an answer naming another tenant (legacy code
  that reused the applicant's existing tenant) becomes 409 TENANT_EXISTS;
- it serves any object with the handler's methods (an mt_paas handler, see `interop`): a method it lacks answers
  501, mt_paas's exceptions get mt_paas's statuses;
- every path answers the methods it does not serve with 405 and an ``Allow`` header listing those it does, and the
  OpenAPI document lists every error status with the body actually sent (`openapi`).

A handler may return a Starlette ``Response`` to take over the wire for one call (FastAPI's own rule for
endpoints, and what mt_paas's router allows); such a response is passed through unvalidated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Sequence
from typing import Any, Optional, TypeVar

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request
from fastapi.params import Depends
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..request_context import remember_request
from ..spec import BY_NAME
from .errors import (
    InvalidRequestError,
    NotImplementedOperationError,
    StandardAPIError,
    TenantExistsError,
    TenantNotFoundError,
)
from .handler import StandardAPIHandler
from .interop import call_hook, call_operation, check_handler, health_from, translate_foreign_error
from .limits import body_limited_route
from .models import (
    MONTH_PATTERN,
    PERIOD_PATTERN,
    ActivateRequest,
    ActivateResponse,
    CostsResponse,
    CreateUserRequest,
    CreateUserResponse,
    DeactivateRequest,
    DeactivateResponse,
    DeleteUserResponse,
    HealthResponse,
    LimitsResponse,
    ResourceFilters,
    ResourcesResponse,
    ResourceType,
    SettingsResponse,
    StatsResponse,
    StatusResponse,
    TopUsersResponse,
    UpdateSettingsRequest,
    UpdateUserRequest,
    UsagePatternsResponse,
    UsageResponse,
    UserFilters,
    UserInfo,
    UserRole,
    UsersListResponse,
    UserStatus,
)
from .openapi import add_method_not_allowed, error_responses
from .own_errors import own_errors

__all__ = ["call_for_tenant", "create_standard_router", "error_detail", "http_error", "invoke"]

logger = logging.getLogger("shims.standard_api")

_MONTH = re.compile(MONTH_PATTERN)  # ASCII digits only (\d also matches other scripts)

M = TypeVar("M", bound=BaseModel)

# Codes for an HTTPException a handler raised itself (e.g. legacy code it delegates to) without a standard body.
_CODE_BY_STATUS = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "FEATURE_DISABLED",
    404: "TENANT_NOT_FOUND",
    409: "TENANT_EXISTS",
    422: "INVALID_REQUEST",
    429: "QUOTA_EXCEEDED",
    501: "NOT_IMPLEMENTED",
    503: "SERVICE_UNAVAILABLE",
}


def error_detail(code: str, message: str) -> dict[str, Any]:
    """The ``detail`` of every Standard API error response."""
    return {"success": False, "error": code, "message": message}


def http_error(err: StandardAPIError) -> HTTPException:
    return HTTPException(status_code=err.status_code, detail=err.body())


def _is_standard_detail(detail: Any) -> bool:
    return isinstance(detail, dict) and detail.get("success") is False and isinstance(detail.get("error"), str)


def _reshape(exc: StarletteHTTPException, operation: str) -> HTTPException:
    """Give a handler-raised HTTPException the standard body, keeping its status and headers."""
    if _is_standard_detail(exc.detail):
        return HTTPException(status_code=exc.status_code, detail=exc.detail, headers=exc.headers)
    status = exc.status_code
    if status >= 500:
        # A server-side message may carry internals: replace it, as for any unexpected failure.
        code = _CODE_BY_STATUS.get(status, "INTERNAL_ERROR")
        message = f"Internal error while handling '{operation}'"
    else:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = _CODE_BY_STATUS.get(status, "INVALID_REQUEST")
        lowered = message.lower()
        if status == 404 and "user" in lowered:
            code = "USER_NOT_FOUND"
        elif status == 409 and ("user" in lowered or "email" in lowered or "e-mail" in lowered):
            code = "USER_EXISTS"
    return HTTPException(status_code=status, detail=error_detail(code, message), headers=exc.headers)


async def invoke(
    operation: str, call: Awaitable[Any], model: type[M] | None = None, *, tenant_id: str | None = None,
    user_id: str | None = None,
) -> Any:
    """Await one handler call and translate its outcome into the Standard API wire.

    ``model`` is the documented response model: a returned model or dict is re-validated into it (a mismatch is a
    handler bug: logged, answered 500). A returned ``Response`` is passed through. mt_paas's exceptions are
    recognised by name (``tenant_id``/``user_id`` fill what they do not carry). Reusable by other routers that
    serve a handler (the Service Market alias router).
    """
    try:
        result = await call
    except StandardAPIError as err:
        raise http_error(err) from None
    except NotImplementedError:
        # Generated handler stubs may use Python's builtin; same answer as NotImplementedOperationError.
        raise http_error(NotImplementedOperationError(operation)) from None
    except StarletteHTTPException as exc:  # FastAPI's HTTPException is a subclass
        raise _reshape(exc, operation) from None
    except Exception as exc:
        foreign = translate_foreign_error(exc, tenant_id, user_id)
        if foreign is not None:
            raise http_error(foreign) from None
        logger.exception("Standard API operation '%s' failed", operation)
        raise HTTPException(
            status_code=500, detail=error_detail("INTERNAL_ERROR", f"Internal error while handling '{operation}'")
        ) from None
    if model is None or isinstance(result, Response):
        return result
    try:
        payload = result.model_dump(mode="json", warnings=False) if isinstance(result, BaseModel) else result
        return model.model_validate(payload)
    except ValidationError as err:
        logger.error(
            "Standard API operation '%s' returned a value that is not a valid %s:\n%s", operation, model.__name__, err
        )
        raise HTTPException(
            status_code=500,
            detail=error_detail("INTERNAL_ERROR", f"Internal error while handling '{operation}'"),
        ) from None


def _check_month(period: str) -> None:
    if not _MONTH.match(period):
        raise http_error(InvalidRequestError(f"period must be a month in YYYY-MM format, got '{period[:20]}'"))


def _same_tenant(answer: Any, tenant_id: str) -> Any:
    """The activation answer, if it is about ``tenant_id``; otherwise 409 (nothing is handed to the caller)."""
    if isinstance(answer, Response):
        return answer
    answered = answer.tenant_id
    if answered == tenant_id or (not answer.success and not answered):
        return answer
    logger.warning("activate_tenant for '%s' answered for tenant '%s': refused with 409", tenant_id, answered)
    raise http_error(
        TenantExistsError(
            tenant_id,
            f"Tenant '{tenant_id}' was not created: the service answered for another tenant (the contact e-mail "
            "may own one already)",
        )
    )


def create_standard_router(
    handler: StandardAPIHandler | Any,
    prefix: str = "/mt",
    *,
    tags: Sequence[str] = ("standard-api",),
    dependencies: Optional[Sequence[Depends]] = None,
    max_body_bytes: Optional[int] = None,
) -> APIRouter:
    """Build the ``/mt`` router of STANDARD_API.md for ``handler``.

    ``dependencies`` are added to every route (e.g. a request-scoped database session); authentication belongs to
    ``MarketAuthMiddleware``, not here. Operation ids are ``mt_<handler method>`` and stable. ``handler`` may be
    any object with the handler's methods (e.g. built on mt_paas's ``StandardAPIHandlerV2``).
    """
    check_handler(handler)
    # remember_request: handler code reaches the serving app (shims.legacy_deps honours its dependency_overrides)
    router = APIRouter(
        prefix=prefix,
        tags=list(tags),
        dependencies=[Depends(remember_request), *list(dependencies or ())],
        # 413 over the limit (limits.py); errors answered by the route, not the app's handlers (own_errors.py)
        route_class=own_errors(body_limited_route(max_body_bytes)),
    )
    routes = _Routes(router, handler)
    for add_family in (_add_lifecycle, _add_dashboard, _add_users, _add_resources, _add_settings):
        add_family(routes)
    add_method_not_allowed(router, _method_not_allowed_body)
    return router


class _Routes:
    """What every route registration needs: the router, the handler, and the two helpers built on them."""

    def __init__(self, router: APIRouter, handler: Any) -> None:
        self.router = router
        self.handler = handler

    def route(self, operation: str, model: type[BaseModel]):
        """The decorator registering the endpoint of `operation` (method, path, status and summary are defined
        once, in shims.spec)."""
        spec = BY_NAME[operation]
        return self.router.api_route(
            spec.router_path,
            methods=[spec.method],
            response_model=model,
            status_code=spec.status_code,
            summary=spec.summary,
            operation_id=f"mt_{operation}",
            name=f"mt_{operation}",
            responses=error_responses(operation),
        )

    def call(self, operation: str, model: type[BaseModel], tenant_id: str, *args: Any,
             user_id: str | None = None) -> Any:
        """``handler.<operation>(tenant_id, *args)``, answered on the wire (activate passes the request alone)."""
        if operation == "activate_tenant":  # creates the tenant: there is none to find first
            return invoke(operation, call_operation(self.handler, operation, *args), model, tenant_id=tenant_id)
        return invoke(operation, call_for_tenant(self.handler, operation, tenant_id, *args), model,
                      tenant_id=tenant_id, user_id=user_id)  # fmt: skip


async def call_for_tenant(handler: Any, operation: str, tenant_id: str, *args: Any) -> Any:
    """``await handler.<operation>(tenant_id, *args)``, except that an operation the handler does not implement, asked
    about a tenant the handler does not know, answers that tenant's 404 rather than 501.

    STANDARD_API.md lists 404 for an unknown tenant on every tenant operation; a service that has not implemented an
    operation still knows its tenants. The handler's own ``get_tenant_status`` is the probe (asked only on the 501
    path); when it cannot tell (not implemented, or failing), the operation's 501 stands.
    """
    try:
        return await call_operation(handler, operation, tenant_id, *args)
    except (NotImplementedError, NotImplementedOperationError):
        if operation != "get_tenant_status" and await _unknown_tenant(handler, tenant_id):
            raise TenantNotFoundError(tenant_id) from None
        raise


async def _unknown_tenant(handler: Any, tenant_id: str) -> bool:
    """Whether the handler's ``get_tenant_status`` says ``tenant_id`` names no tenant (its 404, in any form)."""
    try:
        await call_operation(handler, "get_tenant_status", tenant_id)
    except TenantNotFoundError:
        return True
    except StarletteHTTPException as exc:
        return exc.status_code == 404
    except Exception as exc:  # noqa: BLE001 - not implemented or failing: the operation's 501 stands
        return isinstance(translate_foreign_error(exc, tenant_id), TenantNotFoundError)
    return False


# Fresh parameter objects per route: FastAPI keeps per-parameter state on them.
def _tenant_param() -> Any:
    return Path(description="Tenant id; the only tenant the handler is asked about.")


def _user_param() -> Any:
    return Path(description="User id (a string on the standard side).")


def _period_query(description: str = "Dashboard period") -> Any:
    return Query("30d", pattern=PERIOD_PATTERN, description=f"{description}: <N>d, <N>y or a month YYYY-MM.")


def _add_lifecycle(r: _Routes) -> None:
    """Health, activation, deactivation, status and monthly usage."""
    handler = r.handler

    @r.route("check_health", HealthResponse)
    async def check_health(request: Request) -> Any:
        try:
            return health_from(await call_operation(handler, "check_health"), handler, request.app.version)
        except Exception:
            # The contract has no error for /health: report "unhealthy" (as mt_paas does) and log why.
            logger.exception("Standard API health check failed")
            return health_from("unhealthy", handler, request.app.version)

    @r.route("activate_tenant", ActivateResponse)
    async def activate_tenant(request: ActivateRequest, tenant_id: str = _tenant_param()) -> Any:
        if request.tenant_id != tenant_id:
            raise http_error(
                InvalidRequestError(
                    f"tenant_id in the body ('{request.tenant_id}') does not match the path ('{tenant_id}')"
                )
            )
        await invoke("activate_tenant", call_hook(handler, "before_activate", request), tenant_id=tenant_id)
        answer = _same_tenant(await r.call("activate_tenant", ActivateResponse, tenant_id, request), tenant_id)
        await invoke("activate_tenant", call_hook(handler, "after_activate", answer), tenant_id=tenant_id)
        return answer

    @r.route("deactivate_tenant", DeactivateResponse)
    async def deactivate_tenant(request: DeactivateRequest, tenant_id: str = _tenant_param()) -> Any:
        await invoke("deactivate_tenant", call_hook(handler, "before_deactivate", tenant_id, request),
                     tenant_id=tenant_id)  # fmt: skip
        answer = await r.call("deactivate_tenant", DeactivateResponse, tenant_id, request)
        await invoke("deactivate_tenant", call_hook(handler, "after_deactivate", answer), tenant_id=tenant_id)
        return answer

    @r.route("get_tenant_status", StatusResponse)
    async def get_tenant_status(tenant_id: str = _tenant_param()) -> Any:
        return await r.call("get_tenant_status", StatusResponse, tenant_id)

    @r.route("get_tenant_usage", UsageResponse)
    async def get_tenant_usage(
        tenant_id: str = _tenant_param(),
        period: str = Query(..., description="Month, YYYY-MM (400 INVALID_REQUEST otherwise, as mt_paas)."),
    ) -> Any:
        _check_month(period)
        return await r.call("get_tenant_usage", UsageResponse, tenant_id, period)


def _add_dashboard(r: _Routes) -> None:
    """The statistics: summary, costs, top users, usage patterns."""

    @r.route("get_tenant_stats", StatsResponse)
    async def get_tenant_stats(tenant_id: str = _tenant_param(), period: str = _period_query()) -> Any:
        return await r.call("get_tenant_stats", StatsResponse, tenant_id, period)

    @r.route("get_tenant_costs", CostsResponse)
    async def get_tenant_costs(tenant_id: str = _tenant_param(), period: str = _period_query()) -> Any:
        return await r.call("get_tenant_costs", CostsResponse, tenant_id, period)

    @r.route("get_top_users", TopUsersResponse)
    async def get_top_users(
        tenant_id: str = _tenant_param(),
        period: str = _period_query(),
        limit: int = Query(10, ge=1, le=50, description="1-50"),
    ) -> Any:
        return await r.call("get_top_users", TopUsersResponse, tenant_id, period, limit)

    @r.route("get_usage_patterns", UsagePatternsResponse)
    async def get_usage_patterns(tenant_id: str = _tenant_param(), period: str = _period_query()) -> Any:
        return await r.call("get_usage_patterns", UsagePatternsResponse, tenant_id, period)


def _add_users(r: _Routes) -> None:
    """The user listing and CRUD."""

    @r.route("list_users", UsersListResponse)
    async def list_users(
        tenant_id: str = _tenant_param(),
        role: Optional[UserRole] = Query(None),
        status: Optional[UserStatus] = Query(None),
        search: Optional[str] = Query(None, max_length=200),
        limit: int = Query(20, ge=1, le=100, description="1-100"),
        offset: int = Query(0, ge=0),
    ) -> Any:
        filters = UserFilters(role=role, status=status, search=search, limit=limit, offset=offset)
        return await r.call("list_users", UsersListResponse, tenant_id, filters)

    @r.route("create_user", CreateUserResponse)
    async def create_user(request: CreateUserRequest, tenant_id: str = _tenant_param()) -> Any:
        return await r.call("create_user", CreateUserResponse, tenant_id, request)

    @r.route("get_user", UserInfo)
    async def get_user(tenant_id: str = _tenant_param(), user_id: str = _user_param()) -> Any:
        return await r.call("get_user", UserInfo, tenant_id, user_id, user_id=user_id)

    @r.route("update_user", UserInfo)
    async def update_user(
        request: Optional[UpdateUserRequest] = Body(None, description="Fields to change; no body changes nothing."),
        tenant_id: str = _tenant_param(),
        user_id: str = _user_param(),
    ) -> Any:
        request = request or UpdateUserRequest()
        return await r.call("update_user", UserInfo, tenant_id, user_id, request, user_id=user_id)

    @r.route("delete_user", DeleteUserResponse)
    async def delete_user(tenant_id: str = _tenant_param(), user_id: str = _user_param()) -> Any:
        return await r.call("delete_user", DeleteUserResponse, tenant_id, user_id, user_id=user_id)


def _add_resources(r: _Routes) -> None:
    """The resource listing (courses, documents, ... of the tenant)."""

    @r.route("list_resources", ResourcesResponse)
    async def list_resources(
        tenant_id: str = _tenant_param(),
        type: Optional[ResourceType] = Query(None),
        search: Optional[str] = Query(None, max_length=200),
        limit: int = Query(20, ge=1, le=100, description="1-100"),
        offset: int = Query(0, ge=0),
    ) -> Any:
        filters = ResourceFilters(type=type, search=search, limit=limit, offset=offset)
        return await r.call("list_resources", ResourcesResponse, tenant_id, filters)


def _add_settings(r: _Routes) -> None:
    """The tenant's settings and the limits derived from them."""

    @r.route("get_settings", SettingsResponse)
    async def get_settings(tenant_id: str = _tenant_param()) -> Any:
        return await r.call("get_settings", SettingsResponse, tenant_id)

    @r.route("update_settings", SettingsResponse)
    async def update_settings(request: UpdateSettingsRequest, tenant_id: str = _tenant_param()) -> Any:
        return await r.call("update_settings", SettingsResponse, tenant_id, request)

    @r.route("get_limits", LimitsResponse)
    async def get_limits(tenant_id: str = _tenant_param()) -> Any:
        return await r.call("get_limits", LimitsResponse, tenant_id)


def _method_not_allowed_body(method: str, allow: str) -> dict[str, Any]:
    return {"detail": error_detail("METHOD_NOT_ALLOWED", f"{method} is not allowed here; allowed: {allow}")}
