"""Tenant settings: feature flags, usage limits, branding and the subscription."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException

from ...core.clock import iso, utcnow
from ...db import TenantSession
from ...deps import CurrentAdmin, Db, TenantId
from ...schemas import SettingsOut, SettingsUpdate
from ...services.tenant_manager import load_features, load_settings

router = APIRouter(prefix="/admin/settings", tags=["admin-settings"])


def _view(s: TenantSession) -> dict:
    stored = load_settings(s.tenant)
    return {
        "tenant_id": s.tenant_id,
        "plan": s.tenant["plan"],
        "max_users": stored["max_users"],
        "max_storage_mb": stored["max_storage_mb"],
        "features": load_features(s.tenant),
        "limits": stored["limits"],
        "branding": stored["branding"],
        "subscription": stored["subscription"],
    }


@router.get("", response_model=SettingsOut)
def get_settings(tenant_id: TenantId, admin: CurrentAdmin, db: Db):
    with db.tenant_scope(tenant_id) as s:
        return _view(s)


@router.put("", response_model=SettingsOut)
async def update_settings(body: SettingsUpdate, tenant_id: TenantId, admin: CurrentAdmin, db: Db):
    with db.tenant_scope(tenant_id) as s:
        stored = load_settings(s.tenant)
        features = load_features(s.tenant)
        if body.features:
            features.update({k: v for k, v in body.features.model_dump(exclude_unset=True).items() if v is not None})
        if body.limits:
            limits = body.limits.model_dump(exclude_unset=True)
            stored["limits"].update({k: v for k, v in limits.items() if v is not None})
        if body.branding:
            # Fields sent as null clear the value; fields left out keep it.
            branding = {**stored["branding"], **body.branding.model_dump(exclude_unset=True)}
            # Judged on the flags this same request leaves in place, so one PUT may enable and use it.
            if branding != stored["branding"] and not features["custom_branding"]:
                raise HTTPException(403, "Feature 'custom_branding' is disabled")
            stored["branding"] = branding
        s.execute(
            "UPDATE tenants SET features = :features, settings = :settings, updated_at = :now"
            " WHERE tenant_id = :tenant_id",
            {"features": json.dumps(features), "settings": json.dumps(stored), "now": iso(utcnow())},
        )
        s.tenant = s.one("SELECT * FROM tenants WHERE tenant_id = :tenant_id")
        return _view(s)
