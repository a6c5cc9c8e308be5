"""`create_standard_router(handler)`: the Standard API v2 routes (STANDARD_API.md) served from a handler.

Every migrated service mounts this router, so the Service Market sees one set of paths, status codes, JSON shapes
and error bodies. The router owns the wire; the handler owns the logic:
- it passes exactly the path ``tenant_id`` to the handler (never a header), validates query parameters and bodies
  (FastAPI's 422), and re-validates what the handler returns against the documented response model, so a handler
  bug becomes a logged 500 instead of a silently different shape;
- it maps `StandardAPIError` to its status and ``{"detail": {"success": false, "error": CODE, "message": ...}}``,
  ``NotImplementedOperationError``/``NotImplementedError`` to 501, and anything unexpected to a generic 500 whose
  body never carries the exception text (the traceback goes to the log);
- it adds no authentication: ``shims.middleware.market_auth.MarketAuthMiddleware`` protects ``/mt/``.

A handler may return a Starlette ``Response`` to take over the wire for one call (FastAPI's own rule for
endpoints, and what mt_paas's router allows); such a response is passed through unvalidated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Sequence
from datetime import datetime, timezone
from typing import Any, Literal, Optional, TypeVar

from fastapi import APIRouter, Body, HTTPException, Path, Query
from fastapi.params import Depends
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..spec import BY_NAME
from .errors import InvalidRequestError, NotImplementedOperationError, StandardAPIError
from .handler import StandardAPIHandler
from .limits import body_limited_route
from .models import (
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

__all__ = ["Period", "create_standard_router", "error_detail", "http_error", "invoke"]

logger = logging.getLogger("shims.standard_api")

#: the dashboard periods of the contract; FastAPI answers 422 for anything else
Period = Literal["7d", "30d", "90d"]

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")  # ASCII digits only (\d also matches other scripts)

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
    return HTTPException(status_code=err.status_code, detail=err.detail())


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


async def invoke(operation: str, call: Awaitable[Any], model: type[M] | None = None) -> Any:
    """Await one handler call and translate its outcome into the Standard API wire.

    ``model`` is the documented response model: a returned model or dict is re-validated into it (a mismatch is a
    handler bug: logged, answered 500). A returned ``Response`` is passed through. Reusable by other routers that
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
    except Exception:
        logger.exception("Standard API operation '%s' failed", operation)
        raise HTTPException(
            status_code=500, detail=error_detail("INTERNAL_ERROR", f"Internal error while handling '{operation}'")
        ) from None
    if model is None or isinstance(result, Response):
        return result
    try:
        payload = result.model_dump(warnings=False) if isinstance(result, BaseModel) else result
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


def _health_from(value: Any, handler: StandardAPIHandler) -> HealthResponse:
    # mt_paas v1 handlers return the status string; accept that too.
    if isinstance(value, str):
        return HealthResponse(
            status=value,
            version=str(getattr(handler, "service_version", "0.0.0")),
            timestamp=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    return value


def create_standard_router(
    handler: StandardAPIHandler,
    prefix: str = "/mt",
    *,
    tags: Sequence[str] = ("standard-api",),
    dependencies: Optional[Sequence[Depends]] = None,
    max_body_bytes: Optional[int] = None,
) -> APIRouter:
    """Build the ``/mt`` router of STANDARD_API.md for ``handler``.

    ``dependencies`` are added to every route (e.g. a request-scoped database session); authentication belongs to
    ``MarketAuthMiddleware``, not here. Operation ids are ``mt_<handler method>`` and stable.
    """
    if not isinstance(handler, StandardAPIHandler):
        raise TypeError(f"handler must be a StandardAPIHandler, got {type(handler).__name__}")
    router = APIRouter(prefix=prefix, tags=list(tags), dependencies=list(dependencies or ()),
                       route_class=body_limited_route(max_body_bytes))  # 413 over the limit (limits.py)

    # Fresh parameter objects per route: FastAPI keeps per-parameter state on them.
    def tenant_param() -> Any:
        return Path(description="Tenant id; the only tenant the handler is asked about.")

    def user_param() -> Any:
        return Path(description="User id (a string on the standard side).")

    def period_query(description: str = "Dashboard period") -> Any:
        return Query("30d", description=f"{description}: 7d, 30d or 90d.")

    def route(operation: str, model: type[BaseModel]):
        spec = BY_NAME[operation]  # method, path, status and summary are defined once, in shims.spec
        return router.api_route(
            spec.router_path,
            methods=[spec.method],
            response_model=model,
            status_code=spec.status_code,
            summary=spec.summary,
            operation_id=f"mt_{operation}",
            name=f"mt_{operation}",
        )

    # --- health and lifecycle -------------------------------------------------------------------------------

    @route("check_health", HealthResponse)
    async def check_health() -> Any:
        try:
            value = await handler.check_health()
            return HealthResponse.model_validate(_health_from(value, handler).model_dump(warnings=False))
        except Exception:
            # The contract has no error for /health: report "unhealthy" (as mt_paas does) and log why.
            logger.exception("Standard API health check failed")
            return _health_from("unhealthy", handler)

    @route("activate_tenant", ActivateResponse)
    async def activate_tenant(request: ActivateRequest, tenant_id: str = tenant_param()) -> Any:
        if request.tenant_id != tenant_id:
            raise http_error(
                InvalidRequestError(
                    f"tenant_id in the body ('{request.tenant_id}') does not match the path ('{tenant_id}')"
                )
            )
        return await invoke("activate_tenant", handler.activate_tenant(request), ActivateResponse)

    @route("deactivate_tenant", DeactivateResponse)
    async def deactivate_tenant(request: DeactivateRequest, tenant_id: str = tenant_param()) -> Any:
        return await invoke("deactivate_tenant", handler.deactivate_tenant(tenant_id, request), DeactivateResponse)

    @route("get_tenant_status", StatusResponse)
    async def get_tenant_status(tenant_id: str = tenant_param()) -> Any:
        return await invoke("get_tenant_status", handler.get_tenant_status(tenant_id), StatusResponse)

    @route("get_tenant_usage", UsageResponse)
    async def get_tenant_usage(
        tenant_id: str = tenant_param(),
        period: str = Query(..., description="Month, YYYY-MM (400 INVALID_REQUEST otherwise)."),
    ) -> Any:
        _check_month(period)
        return await invoke("get_tenant_usage", handler.get_tenant_usage(tenant_id, period), UsageResponse)

    # --- dashboard ------------------------------------------------------------------------------------------

    @route("get_tenant_stats", StatsResponse)
    async def get_tenant_stats(tenant_id: str = tenant_param(), period: Period = period_query()) -> Any:
        return await invoke("get_tenant_stats", handler.get_tenant_stats(tenant_id, period), StatsResponse)

    @route("get_tenant_costs", CostsResponse)
    async def get_tenant_costs(tenant_id: str = tenant_param(), period: Period = period_query()) -> Any:
        return await invoke("get_tenant_costs", handler.get_tenant_costs(tenant_id, period), CostsResponse)

    @route("get_top_users", TopUsersResponse)
    async def get_top_users(
        tenant_id: str = tenant_param(),
        period: Period = period_query(),
        limit: int = Query(10, ge=1, le=50, description="1-50"),
    ) -> Any:
        return await invoke("get_top_users", handler.get_top_users(tenant_id, period, limit), TopUsersResponse)

    @route("get_usage_patterns", UsagePatternsResponse)
    async def get_usage_patterns(tenant_id: str = tenant_param(), period: Period = period_query()) -> Any:
        return await invoke(
            "get_usage_patterns", handler.get_usage_patterns(tenant_id, period), UsagePatternsResponse
        )

    # --- users ----------------------------------------------------------------------------------------------

    @route("list_users", UsersListResponse)
    async def list_users(
        tenant_id: str = tenant_param(),
        role: Optional[UserRole] = Query(None),
        status: Optional[UserStatus] = Query(None),
        search: Optional[str] = Query(None, max_length=200),
        limit: int = Query(20, ge=1, le=100, description="1-100"),
        offset: int = Query(0, ge=0),
    ) -> Any:
        filters = UserFilters(role=role, status=status, search=search, limit=limit, offset=offset)
        return await invoke("list_users", handler.list_users(tenant_id, filters), UsersListResponse)

    @route("create_user", CreateUserResponse)
    async def create_user(request: CreateUserRequest, tenant_id: str = tenant_param()) -> Any:
        return await invoke("create_user", handler.create_user(tenant_id, request), CreateUserResponse)

    @route("get_user", UserInfo)
    async def get_user(tenant_id: str = tenant_param(), user_id: str = user_param()) -> Any:
        return await invoke("get_user", handler.get_user(tenant_id, user_id), UserInfo)

    @route("update_user", UserInfo)
    async def update_user(
        request: UpdateUserRequest = Body(...), tenant_id: str = tenant_param(), user_id: str = user_param()
    ) -> Any:
        return await invoke("update_user", handler.update_user(tenant_id, user_id, request), UserInfo)

    @route("delete_user", DeleteUserResponse)
    async def delete_user(tenant_id: str = tenant_param(), user_id: str = user_param()) -> Any:
        return await invoke("delete_user", handler.delete_user(tenant_id, user_id), DeleteUserResponse)

    # --- resources ------------------------------------------------------------------------------------------

    @route("list_resources", ResourcesResponse)
    async def list_resources(
        tenant_id: str = tenant_param(),
        type: Optional[ResourceType] = Query(None),
        search: Optional[str] = Query(None, max_length=200),
        limit: int = Query(20, ge=1, le=100, description="1-100"),
        offset: int = Query(0, ge=0),
    ) -> Any:
        filters = ResourceFilters(type=type, search=search, limit=limit, offset=offset)
        return await invoke("list_resources", handler.list_resources(tenant_id, filters), ResourcesResponse)

    # --- settings -------------------------------------------------------------------------------------------

    @route("get_settings", SettingsResponse)
    async def get_settings(tenant_id: str = tenant_param()) -> Any:
        return await invoke("get_settings", handler.get_settings(tenant_id), SettingsResponse)

    @route("update_settings", SettingsResponse)
    async def update_settings(request: UpdateSettingsRequest, tenant_id: str = tenant_param()) -> Any:
        return await invoke("update_settings", handler.update_settings(tenant_id, request), SettingsResponse)

    @route("get_limits", LimitsResponse)
    async def get_limits(tenant_id: str = tenant_param()) -> Any:
        return await invoke("get_limits", handler.get_limits(tenant_id), LimitsResponse)

    return router
