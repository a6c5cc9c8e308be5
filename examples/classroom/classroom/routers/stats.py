"""The school dashboard: overview, usage and costs, leaderboard. Registered from a table with `add_api_route`."""

from __future__ import annotations

from fastapi import Query

from classroom.db import SessionDep
from classroom.enums import Period
from classroom.schemas import LeaderboardEntry, StatsOverview, UsageReport
from classroom.stats_repository import StatsRepository
from classroom.tenancy import Tenant, TenantRouter


def overview(tenant: Tenant, session: SessionDep, period: Period = Period.month) -> StatsOverview:
    return StatsRepository(session, tenant.tenant_id).overview(period)


def usage(tenant: Tenant, session: SessionDep, period: Period = Period.month) -> UsageReport:
    return StatsRepository(session, tenant.tenant_id).usage(period)


def leaderboard(tenant: Tenant, session: SessionDep, period: Period = Period.month,
                limit: int = Query(10, ge=1, le=50)) -> list[LeaderboardEntry]:
    return StatsRepository(session, tenant.tenant_id).leaderboard(period, limit)


ENDPOINTS = (
    ("/overview", overview, StatsOverview, "Users, courses and questions of the period, day by day"),
    ("/usage", usage, UsageReport, "Tokens and estimated cost of the period, by model and by day"),
    ("/leaderboard", leaderboard, list[LeaderboardEntry], "The members who asked the most questions"),
)

router = TenantRouter(prefix="/v1/stats", tags=["stats"])
for path, endpoint, model, summary in ENDPOINTS:
    router.add_api_route(path, endpoint, methods=["GET"], response_model=model, summary=summary)
