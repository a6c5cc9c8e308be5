"""Lifecycle: the pieces a handler's ``deactivate_tenant`` / reactivating ``activate_tenant`` needs around the one
legacy write it makes (its tenant registry's status column), and the tenant's access URL.

Pure: the caller passes the clock (``now``) and the facts it read from the legacy store.

    async def deactivate_tenant(self, tenant_id, request):
        status = await self.get_tenant_status(tenant_id)            # 404 for an unknown tenant
        <UPDATE tenants SET status = 'deactivated', updated_at = now WHERE tenant_id = ?>
        return adapters.deactivation_response(tenant_id, request, now=clock.now())

    async def activate_tenant(self, request):
        existing = <the registry row of request.tenant_id, or None>
        if existing is not None:
            adapters.check_reactivation(request, status=existing["status"], owner_email=existing["email"])
            <UPDATE tenants SET status = 'active' ...>
            return adapters.reactivation_response(request.tenant_id, adapters.access_url_for(public_url, ...))
        ...  # create, through the legacy provisioning (marketplace_payload_from_activate)
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from ..standard_api.errors import TenantExistsError
from ..standard_api.models import ActivateRequest, ActivateResponse, DeactivateRequest, DeactivateResponse
from .tenants import tenant_status_from_legacy

logger = logging.getLogger("shims.adapters")
#: the environment variable every service may set for its public URL (after ``<PACKAGE>_PUBLIC_URL``)
PUBLIC_URL_ENV = "MARKET_PUBLIC_URL"

#: how long a deactivated tenant's data is kept when ``preserve_data`` is true (mt_paas's example: 90 days)
RETENTION_DAYS = 90


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def deactivation_response(
    tenant_id: str, request: DeactivateRequest, *, now: datetime, retention_days: int = RETENTION_DAYS
) -> DeactivateResponse:
    """The answer once the tenant's status is ``deactivated``; ``data_retention_until`` only when data is kept."""
    until = _iso(now + timedelta(days=retention_days)) if request.preserve_data else None
    return DeactivateResponse(
        success=True,
        tenant_id=tenant_id,
        status="deactivated",
        data_preserved=request.preserve_data,
        data_retention_until=until,
    )


def check_reactivation(request: ActivateRequest, *, status: str, owner_email: str | None) -> None:
    """An activation of an existing tenant is a reactivation only for its own contact and only when it is not
    active; anything else is 409 TENANT_EXISTS (the tenant is never handed to another applicant)."""
    if (owner_email or "").strip().lower() != request.contact.email.strip().lower():
        raise TenantExistsError(request.tenant_id)  # the legacy routes' own words: nothing about who owns it
    if tenant_status_from_legacy(status) == "active":
        raise TenantExistsError(request.tenant_id)


def reactivation_response(tenant_id: str, access_url: str) -> ActivateResponse:
    return ActivateResponse(success=True, tenant_id=tenant_id, access_url=access_url,
                            message=f"Tenant '{tenant_id}' reactivated")  # fmt: skip


def access_url_for(public_url: str, tenant_id: str) -> str:
    """The manual's access URL form, ``<public url>?tenant=<id>``, from the service's configured public URL."""
    base = (public_url or "").strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"the service's public URL is not configured as an http(s) URL: {base[:60]!r}")
    return f"{base}?tenant={tenant_id}"


def public_url_for(handler: Any, explicit: Optional[str] = None) -> Optional[str]:
    """The service's configured public URL, first found: ``explicit`` (a router setting), the handler's
    ``public_url`` attribute, env ``<PACKAGE>_PUBLIC_URL`` (``PACKAGE`` = the top-level package of the handler's
    class, e.g. ``ADVISOR_PUBLIC_URL``), env ``MARKET_PUBLIC_URL``. Only http(s) URLs count; never a request header."""
    package = type(handler).__module__.split(".")[0].upper()
    candidates = (
        explicit,
        getattr(handler, "public_url", None),
        os.environ.get(f"{package}_PUBLIC_URL"),
        os.environ.get(PUBLIC_URL_ENV),
    )
    for value in candidates:
        if isinstance(value, str) and value.strip().startswith(("http://", "https://")):
            return value.strip().rstrip("/")
    return None


def access_url_of(handler: Any, tenant_id: str) -> str:
    """``<public url>?tenant=<id>`` from the handler's configuration (`public_url_for`); "" (logged) when the
    service has no public URL configured."""
    base = public_url_for(handler)
    if base is None:
        logger.warning("no public URL configured for %s: set %s_PUBLIC_URL or %s", type(handler).__name__,
                       type(handler).__module__.split(".")[0].upper(), PUBLIC_URL_ENV)
        return ""
    return access_url_for(base, tenant_id)
