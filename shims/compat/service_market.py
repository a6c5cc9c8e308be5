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
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field, ValidationError

from shims.middleware.market_auth import key_digests, key_matches, load_market_keys
from shims.spec import ALIAS_BY_NAME, ALIASES
from shims.standard_api.errors import (
    InvalidRequestError,
    NotImplementedOperationError,
    StandardAPIError,
    TenantExistsError,
    TenantNotFoundError,
)
from shims.standard_api.handler import StandardAPIHandler
from shims.standard_api.limits import body_limited_route
from shims.standard_api.models import (
    ActivateRequest,
    ContactInfo,
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

logger = logging.getLogger("shims.service_market")

API_KEY_HEADER = "X-API-Key"
ADMIN_NOTE = "LMS 계정으로 로그인하세요."
BAD_REQUEST_PREFIX = "잘못된 요청 형식"
CREATE_FAILED_PREFIX = "테넌트 생성 실패"

_T = TypeVar("_T")


# --- tenant id rule (manual §4.1) -------------------------------------------------------------------------------


def tenant_id_for(university_name: str, application_id: int | str) -> str:
    """University name lower-cased, every character outside `[a-z0-9]` replaced by `_`, cut to 30, then
    `_<application id>`. Non-ASCII names (서울대학교) become all underscores: that is the manual's rule, kept so
    that ids match the ones the legacy services already issued."""
    base = re.sub(r"[^a-z0-9]", "_", university_name.lower())[:30]
    return f"{base}_{application_id}"


# --- webhook payloads -------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = {"extra": "ignore", "str_strip_whitespace": True}


class Applicant(_Strict):
    id: int
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    university_name: str = Field(min_length=1)


class ServiceRef(_Strict):
    id: int
    slug: str
    title: str


class ApplicationRef(_Strict):
    id: int = Field(ge=0)
    kind: Literal["demo", "service"] = "demo"
    contact: str = ""
    reason: str = ""


class NestedApproval(_Strict):
    """Manual §3.1: the Service Market's payload."""

    application: ApplicationRef
    applicant: Applicant
    service: ServiceRef
    start_date: str | None = None
    end_date: str | None = None


class FlatApproval(_Strict):
    """The mt_paas sandbox's payload (simulator and SDK tester): application fields at the top level."""

    application_id: int = Field(ge=0)
    kind: Literal["demo", "service"] = "demo"
    contact: str = ""
    reason: str = ""
    applicant: Applicant
    service: ServiceRef
    start_date: str | None = None
    end_date: str | None = None


class Approval(BaseModel):
    """Either payload, normalised."""

    application_id: int
    kind: str
    contact: str
    reason: str
    applicant: Applicant
    service: ServiceRef
    start_date: str | None = None
    end_date: str | None = None


class AdminCredentials(BaseModel):
    email: str
    note: str = ADMIN_NOTE


class WebhookResponse(BaseModel):
    """Manual §3.2 plus the sandbox validator's `status` and `tenant_url`."""

    success: bool
    tenant_id: str | None
    message: str
    access_url: str | None
    admin_credentials: AdminCredentials | None = None
    created_at: str | None = None
    status: Literal["approved", "processing", "rejected", "error"]
    tenant_url: str | None = None


class TenantListResponse(BaseModel):
    tenants: list[dict[str, Any]]
    total: int


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined: `openapi_extra` is pasted into the document as is, where
    a `#/$defs/...` reference would point nowhere."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def parse_approval(body: bytes) -> Approval:
    """Parse either webhook payload; raise `InvalidRequestError` naming what is wrong."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestError("본문이 올바른 JSON이 아닙니다 (malformed JSON)") from None
    if not isinstance(data, dict):
        raise InvalidRequestError("본문은 JSON 객체여야 합니다 (body must be a JSON object)")
    try:
        if "application" in data:
            nested = NestedApproval.model_validate(data)
            app = nested.application
            return Approval(
                application_id=app.id,
                kind=app.kind,
                contact=app.contact,
                reason=app.reason,
                applicant=nested.applicant,
                service=nested.service,
                start_date=nested.start_date,
                end_date=nested.end_date,
            )
        if "application_id" in data:
            flat = FlatApproval.model_validate(data)
            return Approval(
                **flat.model_dump(exclude={"applicant", "service"}), applicant=flat.applicant, service=flat.service
            )
    except ValidationError as exc:
        raise InvalidRequestError(_describe(exc)) from None
    raise InvalidRequestError("application 또는 application_id 필드가 없습니다 (missing application)")


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


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


async def _standard(call: Awaitable[_T]) -> _T:
    """Await a handler call and turn a domain error into its standard HTTP error (as the standard router does)."""
    try:
        return await call
    except StandardAPIError as exc:
        raise HTTPException(exc.status_code, detail=exc.detail()) from None
    except HTTPException:
        raise
    except Exception:
        logger.exception("handler failed behind a Service Market alias")
        raise HTTPException(
            500, detail={"success": False, "error": "INTERNAL_ERROR", "message": "Internal error"}
        ) from None


async def _manual(call: Awaitable[_T]) -> _T:
    """As `_standard`, with the manual's error body (§5.4: ``{"detail": "Tenant not found"}``): the tenant list and
    status aliases replace legacy routes of that shape, and the Service Market reads them as such."""
    try:
        return await call
    except TenantNotFoundError:
        raise HTTPException(404, detail="Tenant not found") from None
    except StandardAPIError as exc:
        raise HTTPException(exc.status_code, detail=exc.message) from None
    except HTTPException:
        raise
    except Exception:
        logger.exception("handler failed behind a Service Market alias")
        raise HTTPException(500, detail="Internal error") from None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def create_service_market_router(
    handler: StandardAPIHandler,
    *,
    api_keys: Iterable[str] | str | None = None,
    prefix: str = "/api/tenant",
    access_url_template: str | None = None,
    features: Sequence[str] = ("chat", "rag"),
    max_body_bytes: int | None = None,
) -> APIRouter:
    """The alias router. `api_keys` default to env `MARKET_API_KEYS`/`MARKET_API_KEY` (read now); none → 503.

    `access_url_template` (placeholders `{tenant_id}`, `{base_url}`) builds the webhook's `access_url`; without it
    a new tenant gets the handler's `access_url`, a reused one its summary's `access_url`/`tenant_url` or
    `<base url>?tenant=<id>` (the manual's form). `features` are those a webhook-created tenant starts with.
    """
    if access_url_template is not None:
        try:
            access_url_template.format(tenant_id="t", base_url="http://b")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"access_url_template may use only {{tenant_id}} and {{base_url}}: {access_url_template!r} ({exc!r})"
            ) from None
    guard = _api_key_guard(load_market_keys(api_keys))
    router = APIRouter(prefix=prefix, tags=["service-market"], dependencies=[Depends(guard)],
                       route_class=body_limited_route(max_body_bytes))  # 413 over the limit (limits.py)
    default_features = list(features)

    def access_url(request: Request, tenant_id: str, fallback: str | None) -> str:
        base = str(request.base_url).rstrip("/")
        if access_url_template:
            return access_url_template.format(tenant_id=tenant_id, base_url=base)
        return fallback or f"{base}?tenant={tenant_id}"

    async def find_by_email(email: str) -> TenantSummary | None:
        try:
            tenants = await handler.list_tenants()
        except NotImplementedOperationError:
            return None
        wanted = email.strip().lower()
        return next((t for t in tenants if (t.email or "").strip().lower() == wanted), None)

    async def provision(request: Request) -> WebhookResponse:
        try:
            approval = parse_approval(await request.body())
        except InvalidRequestError as exc:
            raise HTTPException(400, detail=f"{BAD_REQUEST_PREFIX}: {exc.message}") from None
        applicant = approval.applicant
        university = applicant.university_name
        credentials = AdminCredentials(email=applicant.email)

        def reused(tenant_id: str, summary: TenantSummary | None) -> WebhookResponse:
            extra = (summary.model_extra or {}) if summary else {}
            url = access_url(request, tenant_id, extra.get("access_url") or extra.get("tenant_url"))
            return WebhookResponse(
                success=True,
                tenant_id=tenant_id,
                message=f"기존 테넌트 '{university}' 재사용",
                access_url=url,
                admin_credentials=credentials,
                created_at=(summary.created_at if summary else None) or _now(),
                status="approved",
                tenant_url=url,
            )

        try:
            existing = await find_by_email(applicant.email)
            if existing is not None:
                return reused(existing.tenant_id, existing)
            tenant_id = tenant_id_for(university, approval.application_id)
            activate = ActivateRequest(
                tenant_id=tenant_id,
                tenant_name=university,
                plan=approval.kind,
                features=default_features,
                config={
                    "application_id": approval.application_id,
                    "applicant_id": applicant.id,
                    "contact": approval.contact,
                    "reason": approval.reason,
                    "service": approval.service.model_dump(),
                    "start_date": approval.start_date,
                    "end_date": approval.end_date,
                },
                contact=ContactInfo(email=applicant.email, name=applicant.name),
            )
            try:
                result = await handler.activate_tenant(activate)
            except TenantExistsError as exc:
                return reused(exc.tenant_id, None)
        except InvalidRequestError as exc:
            raise HTTPException(400, detail=f"{BAD_REQUEST_PREFIX}: {exc.message}") from None
        except StandardAPIError as exc:
            logger.warning("tenant creation failed for application %s: %s", approval.application_id, exc.message)
            raise HTTPException(500, detail=f"{CREATE_FAILED_PREFIX}: {exc.message}") from None
        except Exception as exc:
            # The exception text may carry internals (paths, DSNs): the caller only learns its type.
            logger.exception("tenant creation failed for application %s", approval.application_id)
            raise HTTPException(500, detail=f"{CREATE_FAILED_PREFIX}: 내부 오류 ({type(exc).__name__})") from None

        if not result.success:
            # FAQ Q3: creation continues asynchronously; the service calls back when done.
            return WebhookResponse(
                success=False, tenant_id=None, message=result.message, access_url=None, status="processing"
            )
        url = access_url(request, result.tenant_id, result.access_url)
        return WebhookResponse(
            success=True,
            tenant_id=result.tenant_id,
            message=f"테넌트 '{university}' 생성 완료",
            access_url=url,
            admin_credentials=credentials,
            created_at=_now(),
            status="approved",
            tenant_url=url,
        )

    webhook_doc = (
        "Accepts the Service Market payload (`application{...}, applicant{...}, service{...}`) and the sandbox's "
        'flat one (`application_id, kind, ...`). A bad body answers 400 `{"detail": "잘못된 요청 형식: ..."}`.'
    )
    webhook_body = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [_inline_schema(NestedApproval), _inline_schema(FlatApproval)]}
                }
            },
        }
    }
    # Explicit operation ids: a legacy service often has its own `list_tenants` at the same path, and FastAPI's
    # default ids (function name + path) would then collide in the OpenAPI document.
    def alias(name: str, model: type[BaseModel] | None):
        spec = ALIAS_BY_NAME[name]  # paths are defined once, in shims.spec
        return router.api_route(spec.router_path, methods=[spec.method], response_model=model, name=name,
                                operation_id=name)

    for webhook in (a for a in ALIASES if a.operation == "activate_tenant"):
        router.add_api_route(
            webhook.router_path,
            provision,
            methods=[webhook.method],
            response_model=WebhookResponse,
            description=webhook_doc,
            openapi_extra=webhook_body,
            name=webhook.name,
        )

    @alias("service_market_list_tenants", TenantListResponse)
    async def list_tenants() -> TenantListResponse:
        tenants = await _manual(handler.list_tenants())
        dumped = [t.model_dump(mode="json", exclude_unset=True) for t in tenants]
        return TenantListResponse(tenants=dumped, total=len(dumped))

    async def summary_or_status(tenant_id: str) -> dict[str, Any]:
        try:
            summary = await handler.get_tenant_summary(tenant_id)
        except NotImplementedOperationError:
            return (await handler.get_tenant_status(tenant_id)).model_dump(mode="json")
        return summary.model_dump(mode="json", exclude_unset=True)

    @alias("service_market_tenant_status", None)
    async def tenant_status(tenant_id: str) -> dict[str, Any]:
        return await _manual(summary_or_status(tenant_id))

    @alias("service_market_tenant_stats", StatsResponse)
    async def tenant_stats(tenant_id: str, period: str = Query("30d", pattern=r"^(7d|30d|90d)$")) -> StatsResponse:
        return await _standard(handler.get_tenant_stats(tenant_id, period))

    @alias("service_market_tenant_users", UsersListResponse)
    async def tenant_users(
        tenant_id: str,
        limit: int = Query(20, ge=1, le=100),
        offset: int = Query(0, ge=0),
        role: UserRole | None = None,
        status: UserStatus | None = None,
        search: str | None = None,
    ) -> UsersListResponse:
        filters = UserFilters(role=role, status=status, search=search, limit=limit, offset=offset)
        return await _standard(handler.list_users(tenant_id, filters))

    def resources_route(kind: ResourceType) -> Callable[..., Awaitable[ResourcesResponse]]:
        async def tenant_resources(
            tenant_id: str,
            limit: int = Query(20, ge=1, le=100),
            offset: int = Query(0, ge=0),
            search: str | None = None,
        ) -> ResourcesResponse:
            filters = ResourceFilters(type=kind, search=search, limit=limit, offset=offset)
            return await _standard(handler.list_resources(tenant_id, filters))

        return tenant_resources

    for name, kind in (("service_market_courses", ResourceType.COURSE),
                       ("service_market_discussions", ResourceType.DISCUSSION)):
        alias(name, ResourcesResponse)(resources_route(kind))
    return router
