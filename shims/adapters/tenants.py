"""Tenant family: advisor's ``/api/tenant/status/{id}`` and ``/api/tenant/list`` ⇄ standard/Service Market models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..standard_api.models import StatusResponse, TenantSummary
from ._shape import parse, shape_error, to_json
from .legacy_models import LegacyTenantStatus

UNKNOWN_PLAN = "unknown"

# Legacy status words → the three standard ones; anything else is an error naming the path.
_STATUS = {
    "active": "active",
    "suspended": "suspended",
    "paused": "suspended",
    "deactivated": "deactivated",
    "inactive": "deactivated",
    "disabled": "deactivated",
    "deleted": "deactivated",
    "expired": "deactivated",
}


def tenant_status_from_legacy(value: str, path: str = "legacy.status") -> str:
    status = _STATUS.get(value.strip().lower())
    if status is None:
        raise shape_error(path, f"unknown tenant status {value[:40]!r} (known: {', '.join(sorted(_STATUS))})")
    return status


def _features(value: list[str] | dict[str, bool] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):  # {"rag": true, "quiz": false} → the enabled ones, in the legacy order
        return [name for name, enabled in value.items() if enabled]
    return list(value)


def status_from_legacy(legacy: Any) -> StatusResponse:
    """Fallbacks when the extras are absent: plan "unknown", features [], updated_at = created_at."""
    doc = parse(LegacyTenantStatus, legacy, "legacy")
    created = doc.created_at or ""
    return StatusResponse(
        tenant_id=doc.tenant_id,
        status=tenant_status_from_legacy(doc.status),
        plan=doc.plan or UNKNOWN_PLAN,
        features=_features(doc.features),
        created_at=created,
        updated_at=doc.updated_at or created,
    )


def tenant_summary_from_legacy(item: Any) -> TenantSummary:
    """Every given field is kept (extras too); `tenant_list_to_legacy` gives the same document back."""
    return parse(TenantSummary, item, "tenant")


def tenant_list_to_legacy(summaries: Iterable[TenantSummary | dict]) -> dict[str, Any]:
    tenants = []
    for i, summary in enumerate(summaries):
        if not isinstance(summary, TenantSummary):
            summary = parse(TenantSummary, summary, f"tenants[{i}]")
        tenants.append(to_json(summary.model_dump(mode="json", exclude_unset=True)))
    return {"tenants": tenants, "total": len(tenants)}
