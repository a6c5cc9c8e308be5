"""Provisioning: standard ``ActivateRequest`` ⇄ the legacy marketplace bodies and responses.

advisor takes the nested manual §3.1 payload (``POST /api/marketplace/demo/request``), llm_chatbot a flat body
(``POST /api/marketplace/demo/provision``). What the standard request lacks (applicant id, contact, reason,
service) travels in ``ActivateRequest.config``; `activate_from_webhook_payload` fills it that way.

``POST /mt/tenant/{id}/activate`` must create exactly ``{id}``, and the legacy services name a new tenant by the
manual's rule (`derive_tenant_id`: university name + application id). So the payload builders work the rule
backwards (`legacy_identity`): the application id is the id's trailing number, the university name the request's
``tenant_name`` when the rule maps it onto the id, else the id's own prefix. An id the rule cannot produce, or a
``config.application_id`` that disagrees with it, is refused (400) before anything is created; and the answer
converters refuse (409) an answer about another tenant (the legacy "same e-mail, existing tenant" reuse).
"""

from __future__ import annotations

import re
from typing import Any

from ..standard_api.errors import InvalidRequestError, TenantExistsError
from ..standard_api.models import ActivateRequest, ActivateResponse, ContactInfo
from ._shape import parse
from .legacy_models import LegacyMarketplaceResponse, LegacyProvisionResponse, WebhookPayload

KINDS = ("demo", "service")
_NO_SERVICE = {"id": 0, "slug": "", "title": ""}
_TENANT_FORBIDDEN = re.compile(r"[^a-z0-9]")
#: what `derive_tenant_id` can produce: at most 30 of [a-z0-9_], "_", the application id
_LEGACY_TENANT_ID = re.compile(r"([a-z0-9_]{1,30})_([1-9][0-9]{0,9})")
# flat (sandbox) webhook keys that belong under "application" in the manual's nested form
_FLAT_APPLICATION = {"application_id": "id", "kind": "kind", "contact": "contact", "reason": "reason"}


def derive_tenant_id(university_name: str, application_id: int) -> str:
    """Manual §4.1: university name lower-cased, non ``[a-z0-9]`` → ``_``, cut to 30, then ``_<application id>``."""
    return f"{_TENANT_FORBIDDEN.sub('_', university_name.lower())[:30]}_{application_id}"


def _kind(plan: str) -> str:
    return plan if plan in KINDS else "service"


def _configured_application_id(config: dict[str, Any]) -> int | None:
    value = config.get("application_id")
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError("config.application_id must be an integer (the Service Market application id)")
    return value


def legacy_identity(request: ActivateRequest) -> tuple[str, int]:
    """(university name, application id) for which the legacy id rule yields exactly ``request.tenant_id``."""
    found = _LEGACY_TENANT_ID.fullmatch(request.tenant_id)
    if found is None:
        raise InvalidRequestError(
            f"tenant_id '{request.tenant_id[:80]}' cannot be created by this service: its tenant ids are "
            "<university name, lower-cased, [a-z0-9_], at most 30 characters>_<application id>"
        )
    prefix, application_id = found.group(1), int(found.group(2))
    configured = _configured_application_id(request.config)
    if configured is not None and configured != application_id:
        raise InvalidRequestError(
            f"config.application_id {configured} does not match tenant_id '{request.tenant_id}' (which ends in "
            f"_{application_id})"
        )
    name = request.tenant_name.strip()
    if derive_tenant_id(name, application_id) != request.tenant_id:
        name = prefix  # the rule maps the prefix onto itself; the display name cannot be kept by this service
    return name, application_id


def _expect_tenant(answered: str | None, expected: str | None) -> None:
    if expected is not None and answered and answered != expected:
        raise TenantExistsError(
            expected,
            f"Tenant '{expected}' was not created: the applicant's e-mail already owns tenant '{answered}'",
        )


def _optional_int(config: dict[str, Any], key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(f"config.{key} must be an integer")
    return value


def marketplace_payload_from_activate(request: ActivateRequest) -> dict[str, Any]:
    """The manual §3.1 payload advisor's ``/api/marketplace/demo/request`` takes, for exactly ``tenant_id``."""
    university, application_id = legacy_identity(request)
    config = request.config
    service = config.get("service") or {}
    if not isinstance(service, dict):
        raise InvalidRequestError("config.service must be an object {id, slug, title}")
    # manual §3.1 always sends the three fields (advisor requires them); the standard request has no service info
    service = {**_NO_SERVICE, **service}
    return {
        "application": {
            "id": application_id,
            "kind": _kind(request.plan),
            "contact": config.get("contact", ""),
            "reason": config.get("reason", ""),
        },
        "applicant": {
            "id": _optional_int(config, "applicant_id", 0),
            "name": request.contact.name,
            "email": request.contact.email,
            "university_name": university,
        },
        "service": service,
    }


def activate_from_marketplace(legacy: Any, expected_tenant_id: str | None = None) -> ActivateResponse:
    """Manual §3.2 → standard; the asynchronous answer (FAQ Q3, null id and url) becomes "" for both.

    With ``expected_tenant_id``, an answer about another tenant raises `TenantExistsError` (409).
    """
    doc = parse(LegacyMarketplaceResponse, legacy, "legacy")
    _expect_tenant(doc.tenant_id, expected_tenant_id)
    return ActivateResponse(
        success=doc.success, tenant_id=doc.tenant_id or "", access_url=doc.access_url or "", message=doc.message
    )


def provision_payload_from_activate(request: ActivateRequest) -> dict[str, Any]:
    """llm_chatbot's flat body, for exactly ``tenant_id``; without features the legacy default applies."""
    university, application_id = legacy_identity(request)
    payload: dict[str, Any] = {
        "university_name": university,
        "application_id": application_id,
        "admin_email": request.contact.email,
        "admin_name": request.contact.name,
        "kind": _kind(request.plan),
    }
    if request.features:
        payload["features"] = list(request.features)
    return payload


def activate_from_provision(legacy: Any, expected_tenant_id: str | None = None) -> ActivateResponse:
    """llm_chatbot's answer → standard; with ``expected_tenant_id`` another tenant raises `TenantExistsError`."""
    doc = parse(LegacyProvisionResponse, legacy, "legacy")
    _expect_tenant(doc.tenant_id, expected_tenant_id)
    if doc.status == "created":
        message = f"Tenant '{doc.tenant_id}' created"
    else:
        message = f"Existing tenant '{doc.tenant_id}' reused"
    return ActivateResponse(success=True, tenant_id=doc.tenant_id, access_url=doc.tenant_url, message=message)


def _nested(payload: Any) -> Any:
    """Fold the sandbox's flat form (``application_id``, ``kind``, ... at the top) into the manual's nested form."""
    if not isinstance(payload, dict) or "application" in payload:
        return payload
    nested = {k: v for k, v in payload.items() if k not in _FLAT_APPLICATION}
    nested["application"] = {new: payload[old] for old, new in _FLAT_APPLICATION.items() if old in payload}
    return nested


def activate_from_webhook_payload(payload: Any, tenant_id: str | None = None) -> ActivateRequest:
    """A Service Market webhook body (nested or flat) → the standard request.

    `tenant_id` defaults to the manual's rule (`derive_tenant_id`); pass the existing tenant's id when the
    applicant's e-mail already owns one. `marketplace_payload_from_activate` gives the nested payload back.
    """
    doc = parse(WebhookPayload, _nested(payload), "payload", client_input=True)
    app, applicant = doc.application, doc.applicant
    config: dict[str, Any] = {"application_id": app.id}
    if applicant.id is not None:
        config["applicant_id"] = applicant.id
    for key, value in (
        ("contact", app.contact),
        ("reason", app.reason),
        ("service", doc.service),
        ("start_date", doc.start_date),
        ("end_date", doc.end_date),
    ):
        if value is not None:
            config[key] = value
    return ActivateRequest(
        tenant_id=tenant_id or derive_tenant_id(applicant.university_name, app.id),
        tenant_name=applicant.university_name,
        plan=app.kind,
        features=[],
        config=config,
        contact=ContactInfo(email=applicant.email, name=applicant.name),
    )
