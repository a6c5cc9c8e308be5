"""Provisioning: standard ``ActivateRequest`` ⇄ the legacy marketplace bodies and responses.

advisor takes the nested manual §3.1 payload (``POST /api/marketplace/demo/request``), llm_chatbot a flat body
(``POST /api/marketplace/demo/provision``). What the standard request lacks (application id, applicant id,
contact, reason, service) travels in ``ActivateRequest.config``; `activate_from_webhook_payload` fills it that way.
"""

from __future__ import annotations

import re
from typing import Any

from ..standard_api.errors import InvalidRequestError
from ..standard_api.models import ActivateRequest, ActivateResponse, ContactInfo
from ._shape import parse
from .legacy_models import LegacyMarketplaceResponse, LegacyProvisionResponse, WebhookPayload

KINDS = ("demo", "service")
_NO_SERVICE = {"id": 0, "slug": "", "title": ""}
_TENANT_FORBIDDEN = re.compile(r"[^a-z0-9]")
# flat (sandbox) webhook keys that belong under "application" in the manual's nested form
_FLAT_APPLICATION = {"application_id": "id", "kind": "kind", "contact": "contact", "reason": "reason"}


def derive_tenant_id(university_name: str, application_id: int) -> str:
    """Manual §4.1: university name lower-cased, non ``[a-z0-9]`` → ``_``, cut to 30, then ``_<application id>``."""
    return f"{_TENANT_FORBIDDEN.sub('_', university_name.lower())[:30]}_{application_id}"


def _kind(plan: str) -> str:
    return plan if plan in KINDS else "service"


def _application_id(config: dict[str, Any]) -> int:
    value = config.get("application_id")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        problem = "is required" if value is None else "must be an integer"
        raise InvalidRequestError(f"config.application_id {problem} (the Service Market application id)")
    return value


def _optional_int(config: dict[str, Any], key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(f"config.{key} must be an integer")
    return value


def marketplace_payload_from_activate(request: ActivateRequest) -> dict[str, Any]:
    """The manual §3.1 payload advisor's ``/api/marketplace/demo/request`` takes."""
    config = request.config
    service = config.get("service") or {}
    if not isinstance(service, dict):
        raise InvalidRequestError("config.service must be an object {id, slug, title}")
    # manual §3.1 always sends the three fields (advisor requires them); the standard request has no service info
    service = {**_NO_SERVICE, **service}
    return {
        "application": {
            "id": _application_id(config),
            "kind": _kind(request.plan),
            "contact": config.get("contact", ""),
            "reason": config.get("reason", ""),
        },
        "applicant": {
            "id": _optional_int(config, "applicant_id", 0),
            "name": request.contact.name,
            "email": request.contact.email,
            "university_name": request.tenant_name,
        },
        "service": service,
    }


def activate_from_marketplace(legacy: Any) -> ActivateResponse:
    """Manual §3.2 → standard; the asynchronous answer (FAQ Q3, null id and url) becomes "" for both."""
    doc = parse(LegacyMarketplaceResponse, legacy, "legacy")
    return ActivateResponse(
        success=doc.success, tenant_id=doc.tenant_id or "", access_url=doc.access_url or "", message=doc.message
    )


def provision_payload_from_activate(request: ActivateRequest) -> dict[str, Any]:
    """llm_chatbot's flat body; without features the legacy default (``["chat", "rag"]``) applies."""
    payload: dict[str, Any] = {
        "university_name": request.tenant_name,
        "application_id": _application_id(request.config),
        "admin_email": request.contact.email,
        "admin_name": request.contact.name,
        "kind": _kind(request.plan),
    }
    if request.features:
        payload["features"] = list(request.features)
    return payload


def activate_from_provision(legacy: Any) -> ActivateResponse:
    doc = parse(LegacyProvisionResponse, legacy, "legacy")
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
