"""The Service Market alias router: `/api/tenant/...` paths served by a `StandardAPIHandler`.

The Service Market (integration manual §3, §5.3.1) and the mt_paas sandbox call these paths with an `X-API-Key`
header; the Standard API plan (§2.2) maps each onto a standard operation:

    POST /webhook/application-approved, /webhook/auto-provision  -> activate_tenant
    GET  /list                                                   -> list_tenants
    GET  /status/{tenant_id}                                     -> get_tenant_summary (else get_tenant_status)
    GET  /stats/{tenant_id}?period=30d                           -> get_tenant_stats
    GET  /users/{tenant_id}?limit&offset&role&status&search      -> list_users
    GET  /courses/{tenant_id}, /discussions/{tenant_id}          -> list_resources(type=course|discussion)

The webhook speaks the manual's dialect, not the Standard API's: errors are `{"detail": "<text>"}`, a bad body is
400 `잘못된 요청 형식: ...` (FAQ Q4, never FastAPI's 422) and a failed creation is 500 `테넌트 생성 실패: ...`.
Summaries are dumped with `exclude_unset` so that, after phase 3, `/list` and `/status/{id}` reproduce the
recorded legacy documents field for field.

Provisioning never hands a tenant to the wrong caller: the applicant's e-mail gets its own tenant back (manual §9
Q1); a tenant id (manual §4.1 rule) that exists for another e-mail is refused with 409, as the legacy routes do;
an activation answer about another tenant is refused too. ``access_url`` comes from configuration
(`access_url_template`, `public_url`, the handler's ``public_url``, env ``<PACKAGE>_PUBLIC_URL`` of the handler's
top-level package, env ``MARKET_PUBLIC_URL``) or from the handler's own answer, never from request headers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from shims.middleware.market_auth import key_digests, key_matches, load_market_keys
from shims.request_context import remember_request
from shims.spec import ALIAS_BY_NAME, ALIASES
from shims.standard_api.errors import (
    NotImplementedOperationError,
    StandardAPIError,
    TenantNotFoundError,
)
from shims.standard_api.handler import StandardAPIHandler
from shims.standard_api.interop import call_operation, check_handler, translate_foreign_error
from shims.standard_api.limits import body_limited_route
from shims.standard_api.models import (
    PERIOD_PATTERN,
    ErrorResponse,
    MessageErrorResponse,
    ResourceFilters,
    ResourcesResponse,
    ResourceType,
    StatsResponse,
    TenantSummary,
    UserFilters,
    UserRole,
    UsersListResponse,
    UserStatus,
)
from shims.standard_api.openapi import add_method_not_allowed, responses_for
from shims.standard_api.own_errors import answering_own_errors
from shims.standard_api.router import invoke

from .webhook import (
    ADMIN_NOTE,
    BAD_REQUEST_PREFIX,
    CREATE_FAILED_PREFIX,
    AdminCredentials,
    Applicant,
    Approval,
    FlatApproval,
    NestedApproval,
    Provisioner,
    WebhookResponse,
    _inline_schema,
    parse_approval,
    public_url_for,
    tenant_id_for,
)

logger = logging.getLogger("shims.service_market")

API_KEY_HEADER = "X-API-Key"
__all__ = [
    "ADMIN_NOTE",
    "API_KEY_HEADER",
    "BAD_REQUEST_PREFIX",
    "CREATE_FAILED_PREFIX",
    "AdminCredentials",
    "Applicant",
    "Approval",
    "Provisioner",
    "TenantListResponse",
    "WebhookResponse",
    "create_service_market_router",
    "parse_approval",
    "public_url_for",
    "tenant_id_for",
]

_T = TypeVar("_T")


class TenantListResponse(BaseModel):
    tenants: list[dict[str, Any]]
    total: int


# --- auth ---------------------------------------------------------------------------------------------------------


def _api_key_guard(keys: Sequence[str]) -> Callable[..., Awaitable[None]]:
    digests = key_digests(keys)
    scheme = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Service Market API key")

    async def require_api_key(request: Request, api_key: str | None = Security(scheme)) -> None:
        if not digests:
            logger.warning(
                "refused %s %s with 503: no market API key is configured (set MARKET_API_KEYS or MARKET_API_KEY)",
                request.method,
                request.url.path,
            )
            raise HTTPException(503, detail="Service Market API key is not configured on this service")
        if not key_matches(api_key, digests):
            # The manual words it differently per section (§4.1 webhook "Invalid API Key", §5.4 tenant API
            # "Invalid API key"); each alias answers as the legacy route it replaces did.
            webhook = request.url.path.rstrip("/").rsplit("/", 2)[-2:-1] == ["webhook"]
            raise HTTPException(401, detail="Invalid API Key" if webhook else "Invalid API key")

    return require_api_key


# --- router -------------------------------------------------------------------------------------------------------


async def _manual(call: Awaitable[_T], tenant_id: str | None = None) -> _T:
    """Await a handler call with the manual's error body (§5.4: ``{"detail": "Tenant not found"}``): the tenant
    list and status aliases replace legacy routes of that shape, and the Service Market reads them as such."""
    try:
        return await call
    except TenantNotFoundError:
        raise HTTPException(404, detail="Tenant not found") from None
    except StandardAPIError as exc:
        raise HTTPException(exc.status_code, detail=exc.message) from None
    except HTTPException:
        raise
    except Exception as exc:
        foreign = translate_foreign_error(exc, tenant_id)
        if foreign is not None:
            raise HTTPException(foreign.status_code, detail="Tenant not found" if foreign.status_code == 404
                                else foreign.message) from None  # fmt: skip
        logger.exception("handler failed behind a Service Market alias")
        raise HTTPException(500, detail="Internal error") from None


def create_service_market_router(
    handler: StandardAPIHandler | Any,
    *,
    api_keys: Iterable[str] | str | None = None,
    prefix: str = "/api/tenant",
    access_url_template: str | None = None,
    public_url: str | None = None,
    features: Sequence[str] = ("chat", "rag"),
    max_body_bytes: int | None = None,
) -> APIRouter:
    """The alias router. `api_keys` default to env `MARKET_API_KEYS`/`MARKET_API_KEY` (read now); none → 503.

    The webhook's ``access_url``: `access_url_template` (placeholders ``{tenant_id}``, ``{base_url}`` = the
    configured public URL) if given; else the handler's answer for a new tenant, the summary's
    ``access_url``/``tenant_url`` for a reused one; else ``<public url>?tenant=<id>`` (the manual's form) with the
    public URL from `public_url`, the handler's ``public_url``, env ``<PACKAGE>_PUBLIC_URL`` or env
    ``MARKET_PUBLIC_URL`` (`shims.compat.webhook.public_url_for`). `features` are those a webhook-created tenant
    starts with. ``handler`` may be any object with the handler's methods (e.g. an mt_paas handler).
    """
    check_handler(handler)
    provision = Provisioner(handler, public_url=public_url, access_url_template=access_url_template,
                            features=tuple(features))  # fmt: skip
    guard = _api_key_guard(load_market_keys(api_keys))
    router = APIRouter(prefix=prefix, tags=["service-market"], dependencies=[Depends(guard), Depends(remember_request)],
                       route_class=answering_own_errors(body_limited_route(max_body_bytes)))  # limits, own_errors

    for webhook in (a for a in ALIASES if a.operation == "activate_tenant"):
        router.add_api_route(
            webhook.router_path,
            provision.__call__,  # a bound method: older FastAPI resolves string annotations in __globals__
            methods=[webhook.method],
            response_model=WebhookResponse,
            description=_WEBHOOK_DOC,
            openapi_extra=_WEBHOOK_BODY,
            name=webhook.name,
            operation_id=webhook.name,
            responses=responses_for((400, 401, 409, 500, 503), MessageErrorResponse, _WEBHOOK_ERRORS),
        )
    _add_reads(router, handler)
    add_method_not_allowed(router, lambda method, allow: {"detail": "Method Not Allowed"})
    return router


_WEBHOOK_DOC = (
    "Accepts the Service Market payload (`application{...}, applicant{...}, service{...}`) and the sandbox's "
    'flat one (`application_id, kind, ...`). A bad body answers 400 `{"detail": "잘못된 요청 형식: ..."}`; an '
    "applicant whose e-mail owns a tenant gets it back; a tenant id that exists for another e-mail is 409. A "
    "single-tenant deployment gives its one tenant to the first applicant and rejects every other one with 200 "
    '`{"success": false, "status": "rejected", "tenant_id": null}`.'
)
_WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"oneOf": [_inline_schema(NestedApproval), _inline_schema(FlatApproval)]}}
        },
    }
}
_WEBHOOK_ERRORS = {
    400: "Malformed payload: `잘못된 요청 형식: <what>` (never FastAPI's 422)",
    401: "Missing or invalid X-API-Key: `Invalid API Key`",
    409: "The tenant id exists for another applicant: `Tenant '<id>' already exists`",
    500: "Creation failed: `테넌트 생성 실패: <reason>`",
    503: "No market API key is configured on the service",
}
_MANUAL_ERRORS = {401: "Missing or invalid X-API-Key: `Invalid API key`", 404: "`Tenant not found`",
                  503: "No market API key is configured on the service"}  # fmt: skip


def _alias_responses(*, manual: bool) -> dict[int | str, dict[str, Any]]:
    """401/503 come from the key guard in the manual's shape; handler errors in the standard or manual shape."""
    docs = responses_for((401, 503), MessageErrorResponse, _MANUAL_ERRORS)
    handler_errors = (404, 500, 501) if manual else (400, 404, 500, 501)
    docs.update(responses_for(handler_errors, MessageErrorResponse if manual else ErrorResponse, _MANUAL_ERRORS
                              if manual else None))  # fmt: skip
    return docs


def _add_reads(router: APIRouter, handler: Any) -> None:
    """The read aliases; explicit operation ids, since a legacy service often has its own `list_tenants` at the
    same path and FastAPI's default ids (function name + path) would then collide in the OpenAPI document."""
    _add_tenant_reads(router, handler)
    _add_stats_and_users(router, handler)
    _add_resource_reads(router, handler)


def _alias(router: APIRouter, name: str, model: type[BaseModel] | None, *, manual: bool = False):
    """The decorator registering the alias `name` (paths are defined once, in shims.spec)."""
    spec = ALIAS_BY_NAME[name]
    return router.api_route(spec.router_path, methods=[spec.method], response_model=model, name=name,
                            operation_id=name, responses=_alias_responses(manual=manual))  # fmt: skip


def _add_tenant_reads(router: APIRouter, handler: Any) -> None:
    """The tenant list and one tenant's summary, in the manual's shapes."""

    @_alias(router, "service_market_list_tenants", TenantListResponse, manual=True)
    async def list_tenants() -> TenantListResponse:
        tenants = await _manual(call_operation(handler, "list_tenants"))
        dumped = [_summary(t).model_dump(mode="json", exclude_unset=True) for t in tenants]
        return TenantListResponse(tenants=dumped, total=len(dumped))

    async def summary_or_status(tenant_id: str) -> dict[str, Any]:
        try:
            summary = await call_operation(handler, "get_tenant_summary", tenant_id)
        except NotImplementedOperationError:
            status = await call_operation(handler, "get_tenant_status", tenant_id)
            return status.model_dump(mode="json") if isinstance(status, BaseModel) else dict(status)
        return _summary(summary).model_dump(mode="json", exclude_unset=True)

    @_alias(router, "service_market_tenant_status", None, manual=True)
    async def tenant_status(tenant_id: str) -> dict[str, Any]:
        return await _manual(summary_or_status(tenant_id), tenant_id)


def _add_stats_and_users(router: APIRouter, handler: Any) -> None:
    """A tenant's statistics and users, answered as the standard operations answer them."""

    @_alias(router, "service_market_tenant_stats", StatsResponse)
    async def tenant_stats(tenant_id: str, period: str = Query("30d", pattern=PERIOD_PATTERN)) -> Any:
        return await invoke("get_tenant_stats", call_operation(handler, "get_tenant_stats", tenant_id, period),
                            StatsResponse, tenant_id=tenant_id)  # fmt: skip

    @_alias(router, "service_market_tenant_users", UsersListResponse)
    async def tenant_users(
        tenant_id: str,
        limit: int = Query(20, ge=1, le=100),
        offset: int = Query(0, ge=0),
        role: UserRole | None = None,
        status: UserStatus | None = None,
        search: str | None = None,
    ) -> Any:
        filters = UserFilters(role=role, status=status, search=search, limit=limit, offset=offset)
        return await invoke("list_users", call_operation(handler, "list_users", tenant_id, filters), UsersListResponse,
                            tenant_id=tenant_id)  # fmt: skip


def _add_resource_reads(router: APIRouter, handler: Any) -> None:
    """The courses and discussions: the standard resource listing of one type each."""

    def resources_route(kind: ResourceType) -> Callable[..., Awaitable[Any]]:
        async def tenant_resources(
            tenant_id: str,
            limit: int = Query(20, ge=1, le=100),
            offset: int = Query(0, ge=0),
            search: str | None = None,
        ) -> Any:
            filters = ResourceFilters(type=kind, search=search, limit=limit, offset=offset)
            return await invoke("list_resources", call_operation(handler, "list_resources", tenant_id, filters),
                                ResourcesResponse, tenant_id=tenant_id)  # fmt: skip

        return tenant_resources

    for name, kind in (("service_market_courses", ResourceType.COURSE),
                       ("service_market_discussions", ResourceType.DISCUSSION)):  # fmt: skip
        _alias(router, name, ResourcesResponse)(resources_route(kind))


def _summary(value: Any) -> TenantSummary:
    return value if isinstance(value, TenantSummary) else TenantSummary.model_validate(
        value.model_dump(mode="json") if isinstance(value, BaseModel) else value)  # fmt: skip
