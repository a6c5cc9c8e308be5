"""Settings family: llm_chatbot's ``/admin/settings`` ⇄ standard ``SettingsResponse`` / ``UpdateSettingsRequest``."""

from __future__ import annotations

from typing import Any

from ..standard_api.models import SettingsResponse, SubscriptionInfo, TenantConfig, UpdateSettingsRequest, UsageLimits
from ._shape import parse
from .legacy_models import LegacySettings


def settings_from_legacy(legacy: Any) -> SettingsResponse:
    """Limits absent in the legacy document take the standard defaults; max_users/max_storage_mb come from the top."""
    doc = parse(LegacySettings, legacy, "legacy")
    limits = UsageLimits(
        **doc.limits.model_dump(exclude_none=True), max_users=doc.max_users, max_storage_mb=doc.max_storage_mb
    )
    config = TenantConfig(
        max_users=doc.max_users,
        max_storage_mb=doc.max_storage_mb,
        features=doc.features,
        limits=limits,
        branding=doc.branding,
    )
    subscription = SubscriptionInfo(
        plan=doc.plan,
        start_date=doc.subscription.start_date,
        end_date=doc.subscription.end_date,
        auto_renew=doc.subscription.auto_renew,
    )
    return SettingsResponse(tenant_id=doc.tenant_id, config=config, subscription=subscription)


def update_settings_payload(request: UpdateSettingsRequest) -> dict[str, Any]:
    """Legacy ``PUT /admin/settings`` body with only what the request set.

    ``limits.max_users``/``max_storage_mb`` live at the top level of the legacy settings, so they move there (a
    legacy service that cannot change them keeps its value, which the returned settings then show).
    """
    # nested nulls are kept (``branding.logo_url: null`` clears the logo); a null section means "not given"
    payload = {k: v for k, v in request.model_dump(mode="json", exclude_unset=True).items() if v is not None}
    limits = payload.get("limits")
    if limits is not None:
        for key in ("max_users", "max_storage_mb"):
            if key in limits:
                payload[key] = limits.pop(key)
        if not limits:
            del payload["limits"]
    return payload
