"""The Service Market provisioning webhook (manual §3, FAQ Q1-Q4): its payloads, its answer, and `Provisioner`,
the endpoint `create_service_market_router` mounts at ``/webhook/auto-provision`` and ``/webhook/application-approved``.

Rules (manual §4.1, §9 Q1), each one a refusal rather than a hand-over:
- the applicant's e-mail already owns a tenant → that tenant is answered again (reuse, 200);
- else the tenant id is `tenant_id_for(university, application id)`; if it exists (for another e-mail) → 409
  ``{"detail": "Tenant '<id>' already exists"}``, exactly as the legacy routes answer;
- the handler's answer must name that id, or a tenant the applicant owns (the legacy provisioning's own e-mail
  reuse, checked against the handler's ``get_tenant_summary`` when it has one); anything else → 409 as well.
``access_url`` comes from configuration or the handler's own answer, never from the request (see `public_url_for`).

A single-tenant deployment (the handler's ``deployment``, `shims.lifecycle.DeploymentLifecycle`) has one tenant to
give: the first application claims it, the claiming e-mail gets it again, any other applicant is *rejected* (200,
``success: false``, ``status: "rejected"``, no tenant), the market's own answer to a declined application.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import Any, Literal

from fastapi import HTTPException, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from shims.adapters.lifecycle import public_url_for
from shims.standard_api.errors import InvalidRequestError, StandardAPIError, TenantExistsError
from shims.standard_api.interop import call_operation, translate_foreign_error
from shims.standard_api.models import ActivateRequest, ContactInfo, TenantSummary

logger = logging.getLogger("shims.service_market")

ADMIN_NOTE = "LMS 계정으로 로그인하세요."
BAD_REQUEST_PREFIX = "잘못된 요청 형식"
CREATE_FAILED_PREFIX = "테넌트 생성 실패"
DEPLOYMENT_TAKEN = ("이 서비스는 단일 테넌트로 운영되며 다른 신청자에게 이미 배정되었습니다 (this deployment serves a single "
                    "tenant, already assigned to another applicant)")


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


# --- access URLs --------------------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _activation(approval: Approval, tenant_id: str, features: list[str]) -> ActivateRequest:
    applicant = approval.applicant
    return ActivateRequest(
        tenant_id=tenant_id,
        tenant_name=applicant.university_name,
        plan=approval.kind,
        features=features,
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


class Provisioner:
    """The webhook endpoint: ``await provisioner(request)`` → `WebhookResponse` (or an HTTPException)."""

    def __init__(
        self,
        handler: Any,
        *,
        public_url: str | None = None,
        access_url_template: str | None = None,
        features: list[str] | tuple[str, ...] = ("chat", "rag"),
    ) -> None:
        if access_url_template is not None:
            try:
                access_url_template.format(tenant_id="t", base_url="http://b")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"access_url_template may use only {{tenant_id}} and {{base_url}}: {access_url_template!r} "
                    f"({exc!r})"
                ) from None
        self.handler = handler
        self.public_url = public_url
        self.access_url_template = access_url_template
        self.features = list(features)

    async def url_tenant_id(self, tenant_id: str) -> str:
        """The id a tenant's access URL names: the service's own id when the handler serves the market's ids over
        the service's (`shims.tenant_ids.MarketTenantIds.service_tenant_id`), so that a tenant reused by e-mail gets
        the address its creation answered; else `tenant_id` itself."""
        local = getattr(self.handler, "service_tenant_id", None)
        return str(await local(tenant_id)) if callable(local) else tenant_id

    def access_url(self, tenant_id: str, answered: str | None) -> str | None:
        """Template, else the handler's own answer, else ``<public url>?tenant=<id>`` (manual form), else None;
        `tenant_id` is the id of `url_tenant_id`."""
        base = public_url_for(self.handler, self.public_url)
        if self.access_url_template:
            return self.access_url_template.format(tenant_id=tenant_id, base_url=base or "")
        if answered:
            return answered
        return f"{base}?tenant={tenant_id}" if base else None

    async def find_by_email(self, email: str) -> TenantSummary | None:
        """The tenant this applicant e-mail owns: the handler's ``tenant_of_contact(email)`` (phase 1 generates it
        from the tenant registry) when it has one, else the tenant list's e-mails."""
        lookup = getattr(self.handler, "tenant_of_contact", None)
        if callable(lookup):
            tenant_id = await lookup(email.strip())
            if tenant_id is None:
                return None
            try:
                summary = await call_operation(self.handler, "get_tenant_summary", tenant_id)
            except StandardAPIError:
                return TenantSummary(tenant_id=tenant_id, email=email, status="active")
            return summary if isinstance(summary, TenantSummary) else TenantSummary.model_validate(summary)
        try:
            tenants = await call_operation(self.handler, "list_tenants")
        except StandardAPIError:  # not implemented: the legacy provisioning applies its own reuse rule
            return None
        wanted = email.strip().lower()
        for tenant in tenants:
            summary = tenant if isinstance(tenant, TenantSummary) else TenantSummary.model_validate(tenant)
            if (summary.email or "").strip().lower() == wanted:
                return summary
        return None

    async def __call__(self, request: Request) -> WebhookResponse:
        body = await request.body()
        standard = _standard_activation(body)
        try:
            approval = None if standard is not None else parse_approval(body)
        except InvalidRequestError as exc:
            raise HTTPException(400, detail=f"{BAD_REQUEST_PREFIX}: {exc.message}") from None
        try:
            if standard is not None:
                return await self._activate(standard)
            return await self._provision(approval)
        except InvalidRequestError as exc:
            raise HTTPException(400, detail=f"{BAD_REQUEST_PREFIX}: {exc.message}") from None
        except TenantExistsError as exc:
            raise HTTPException(409, detail=exc.message) from None
        except StandardAPIError as exc:
            logger.warning("tenant creation failed (%s): %s", _label(approval, standard), exc.message)
            raise HTTPException(500, detail=f"{CREATE_FAILED_PREFIX}: {exc.message}") from None
        except HTTPException:
            raise
        except Exception as exc:
            foreign = translate_foreign_error(exc, None)
            if isinstance(foreign, TenantExistsError):
                raise HTTPException(409, detail=foreign.message) from None
            # The exception text may carry internals (paths, DSNs): the caller only learns its type.
            logger.exception("tenant creation failed (%s)", _label(approval, standard))
            raise HTTPException(500, detail=f"{CREATE_FAILED_PREFIX}: 내부 오류 ({type(exc).__name__})") from None

    async def _provision(self, approval: Approval) -> WebhookResponse:
        applicant = approval.applicant
        deployment = _deployment_of(self.handler)
        if deployment is not None:
            return await self._provision_deployment(approval, deployment)
        existing = await self.find_by_email(applicant.email)
        if existing is not None:
            extra = existing.model_extra or {}
            answered = extra.get("access_url") or extra.get("tenant_url")
            return self._approved(approval, existing.tenant_id, answered, created_at=existing.created_at, reused=True,
                                  url_id=await self.url_tenant_id(existing.tenant_id))  # fmt: skip
        tenant_id = tenant_id_for(applicant.university_name, approval.application_id)
        result = await call_operation(self.handler, "activate_tenant", _activation(approval, tenant_id, self.features))
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        if not result.get("success"):
            # FAQ Q3: creation continues asynchronously; the service calls back when done.
            return WebhookResponse(success=False, tenant_id=None, message=str(result.get("message", "")),
                                   access_url=None, status="processing")  # fmt: skip
        answered = result.get("tenant_id")
        if answered != tenant_id:
            # the legacy provisioning reused the applicant's tenant (manual §9 Q1): only if it is theirs
            if not isinstance(answered, str) or not await self._owned_by(answered, applicant.email):
                logger.warning("activation of '%s' answered for '%s': refused with 409", tenant_id, answered)
                raise TenantExistsError(tenant_id)
            return self._approved(approval, answered, result.get("access_url"), created_at=None, reused=True,
                                  url_id=await self.url_tenant_id(answered))  # fmt: skip
        return self._approved(approval, tenant_id, result.get("access_url"), created_at=None, reused=False,
                              url_id=await self.url_tenant_id(tenant_id))  # fmt: skip

    async def _provision_deployment(self, approval: Approval, deployment: Any) -> WebhookResponse:
        """A single-tenant deployment (`shims.lifecycle.DeploymentLifecycle`): the deployment is the one tenant there
        is to give. The first application claims it (activated for that applicant, whatever the manual's id rule
        would derive), the claiming e-mail gets it again (manual §9 Q1), and every other applicant is *rejected*:
        200 with ``success: false``, ``status: "rejected"`` and no tenant, the Service Market's answer to an
        application the service declines (a 4xx would be recorded as a failed delivery)."""
        served = deployment.tenant.tenant_id
        summary = await run_in_threadpool(deployment.summary, served)
        owner = summary.email
        email = approval.applicant.email.strip()
        if owner is not None and owner.strip().lower() != email.lower():
            logger.info("application %s rejected: this deployment's tenant belongs to another applicant",
                        approval.application_id)  # fmt: skip
            return WebhookResponse(success=False, tenant_id=None, message=DEPLOYMENT_TAKEN, access_url=None,
                                   status="rejected", tenant_url=None)  # fmt: skip
        if owner is not None:
            return self._approved(approval, served, None, created_at=summary.created_at, reused=True)
        result = await call_operation(self.handler, "activate_tenant", _activation(approval, served, self.features))
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        return self._approved(approval, served, result.get("access_url"), created_at=None, reused=False)

    async def _activate(self, request: ActivateRequest) -> WebhookResponse:
        """mt_paas's compatibility router takes a standard ActivateRequest here: exactly its tenant, or 409."""
        result = await call_operation(self.handler, "activate_tenant", request)
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        answered = result.get("tenant_id") or None
        if answered not in (None, request.tenant_id) or (answered is None and result.get("success")):
            raise TenantExistsError(request.tenant_id)
        url = self.access_url(await self.url_tenant_id(answered), result.get("access_url")) if answered else None
        return WebhookResponse(
            success=bool(result.get("success")),
            tenant_id=answered,
            message=str(result.get("message", "")),
            access_url=url,
            admin_credentials=AdminCredentials(email=request.contact.email) if answered else None,
            created_at=_now(),
            status="approved" if result.get("success") else "processing",
            tenant_url=url,
        )

    async def _owned_by(self, tenant_id: str, email: str) -> bool:
        """Whether ``tenant_id`` belongs to ``email``, as far as the handler can tell: its summary's e-mail; a handler
        without summaries is trusted (its legacy provisioning reuses by e-mail only)."""
        try:
            summary = await call_operation(self.handler, "get_tenant_summary", tenant_id)
        except StandardAPIError:
            return True
        owner = summary.email if isinstance(summary, TenantSummary) else (summary or {}).get("email")
        return owner is None or owner.strip().lower() == email.strip().lower()

    def _approved(self, approval: Approval, tenant_id: str, answered_url: str | None, *, created_at: str | None,
                  reused: bool, url_id: str | None = None) -> WebhookResponse:  # fmt: skip
        """The approval of `tenant_id`; its access URL names `url_id` (`url_tenant_id`), `tenant_id` by default."""
        university = approval.applicant.university_name
        url = self.access_url(url_id or tenant_id, answered_url)
        return WebhookResponse(
            success=True,
            tenant_id=tenant_id,
            message=f"기존 테넌트 '{university}' 재사용" if reused else f"테넌트 '{university}' 생성 완료",
            access_url=url,
            admin_credentials=AdminCredentials(email=approval.applicant.email),
            created_at=created_at or _now(),
            status="approved",
            tenant_url=url,
        )


def _deployment_of(handler: Any) -> Any:
    """The handler's `DeploymentLifecycle` when it serves a single-tenant deployment (phase 1 generates
    ``deployment = DeploymentLifecycle(...)`` on it), else None."""
    from shims.lifecycle import DeploymentLifecycle

    deployment = getattr(handler, "deployment", None)
    return deployment if isinstance(deployment, DeploymentLifecycle) else None


def _standard_activation(body: bytes) -> ActivateRequest | None:
    """The body as a Standard API ActivateRequest (what mt_paas's compatibility router takes), if it is one."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or "tenant_id" not in data or "application" in data or "application_id" in data:
        return None
    try:
        return ActivateRequest.model_validate(data)
    except ValidationError:
        return None


def _label(approval: Approval | None, standard: ActivateRequest | None) -> str:
    return f"application {approval.application_id}" if approval is not None else f"tenant {standard.tenant_id}"
