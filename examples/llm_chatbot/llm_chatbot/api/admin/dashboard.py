"""Tenant admin dashboard: usage, costs, patterns and the most active users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ...core.clock import utcnow
from ...deps import CurrentAdmin, Db, TenantId
from ...schemas import Costs, Dashboard, TopUsers, UsagePatterns
from ...services import analytics

router = APIRouter(prefix="/admin/dashboard", tags=["admin-dashboard"])

Days = Annotated[int, Query(ge=1, le=365, description="Window in calendar days, today included")]


@router.get("", response_model=Dashboard)
async def get_dashboard(tenant_id: TenantId, admin: CurrentAdmin, db: Db):
    with db.tenant_scope(tenant_id) as s:
        return analytics.dashboard(s, utcnow())


@router.get("/costs", response_model=Costs)
async def get_costs(tenant_id: TenantId, admin: CurrentAdmin, db: Db, days: Days = 30):
    with db.tenant_scope(tenant_id) as s:
        return analytics.costs(s, utcnow(), days)


# "/top_users" is the spelling the 2024 admin frontend still calls; both must answer the same.
# Both spellings normalise to one default operation id, hence the explicit one.
@router.get("/top-users", response_model=TopUsers)
@router.get("/top_users", response_model=TopUsers, operation_id="get_top_users_legacy_spelling")
async def get_top_users(
    tenant_id: TenantId,
    admin: CurrentAdmin,
    db: Db,
    days: Days = 30,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
):
    with db.tenant_scope(tenant_id) as s:
        return analytics.top_users(s, utcnow(), days, limit)


async def get_usage_patterns(tenant_id: TenantId, admin: CurrentAdmin, db: Db, days: Days = 30):
    with db.tenant_scope(tenant_id) as s:
        return analytics.usage_patterns(s, utcnow(), days)


router.add_api_route(
    "/usage-patterns", get_usage_patterns, methods=["GET"], response_model=UsagePatterns
)
