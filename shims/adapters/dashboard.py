"""Dashboard family: legacy ``/admin/dashboard[/costs|/usage-patterns|/top-users]`` → standard stats models.

Exactness of `stats_from_dashboard` (the legacy windows are fixed): see docs/ARCHITECTURE.md → ``shims.adapters``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..standard_api.models import (
    CostsResponse,
    DailyCost,
    DailyTrend,
    HourlyCount,
    ModelCost,
    StatsResponse,
    StatsSummary,
    TopUser,
    TopUsersResponse,
    UsagePatternsResponse,
    UserCost,
    WeekdayCount,
)
from ._shape import parse, shape_error
from .legacy_models import (
    LegacyCosts,
    LegacyDailyTrend,
    LegacyDashboard,
    LegacyModelCost,
    LegacyTopUsers,
    LegacyUsagePatterns,
    LegacyUserCost,
)
from .periods import period_to_days

TOP_N = 10


def _day(value: str, path: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise shape_error(path, "expected a date YYYY-MM-DD") from None


def _window(trend: list[LegacyDailyTrend], days: int, root: str) -> list[LegacyDailyTrend]:
    """The entries of the last `days` days, newest first.

    The window ends at the newest date in the trend rather than at "today": the adapters never read a clock, and
    the legacy trend includes today (zero-filled), so both agree on the legacy services.
    """
    if not trend:
        return []
    dated = [(_day(e.date, f"{root}.daily_trend[{i}].date"), i, e) for i, e in enumerate(trend)]
    newest = max(d for d, _, _ in dated)
    inside = [(d, i, e) for d, i, e in dated if (newest - d).days < days]
    inside.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [e for _, _, e in inside]


def stats_from_dashboard(tenant_id: str, period: str, dashboard: Any, costs: Any | None = None) -> StatsResponse:
    days = period_to_days(period)
    legacy = parse(LegacyDashboard, dashboard, "dashboard")
    cost = parse(LegacyCosts, costs, "costs").estimated_cost_usd if costs is not None else 0.0
    window = _window(legacy.daily_trend, days, "dashboard")
    summary = StatsSummary(
        total_users=legacy.users.total,
        # legacy knows 7- and 30-day activity only; 90d uses the 30-day figure (approximate)
        active_users=legacy.users.active_7days if days <= 7 else legacy.users.active_30days,
        # exact for 7d, a lower bound for longer periods
        new_users_this_period=legacy.users.new_this_week,
        total_sessions=legacy.usage.total_sessions,  # all time: legacy has no windowed session count
        total_messages=sum(e.messages for e in window),
        total_tokens=sum(e.tokens for e in window),
        estimated_cost_usd=cost,
    )
    daily = [DailyTrend(date=e.date, users=e.users, messages=e.messages, tokens=e.tokens) for e in window]
    return StatsResponse(tenant_id=tenant_id, period=period, summary=summary, trends={"daily": daily}, health=None)


def _model_cost(row: LegacyModelCost) -> ModelCost:
    """Input/output split from the extras; without them all tokens count as output, so input + output == tokens."""
    given_in, given_out = row.input_tokens, row.output_tokens
    if given_in is None and given_out is None:
        given_in, given_out = 0, row.tokens
    elif given_in is None:
        given_in = max(row.tokens - given_out, 0)
    elif given_out is None:
        given_out = max(row.tokens - given_in, 0)
    return ModelCost(model=row.model, input_tokens=given_in, output_tokens=given_out, cost_usd=row.cost_usd)


def _user_cost(row: LegacyUserCost) -> UserCost:
    user_id = str(row.user_id) if row.user_id is not None else row.username
    return UserCost(user_id=user_id, name=row.display_name or row.username, cost_usd=row.cost_usd, tokens=row.tokens)


def costs_from_legacy(tenant_id: str, period: str, costs: Any) -> CostsResponse:
    period_to_days(period)
    legacy = parse(LegacyCosts, costs, "costs")
    # stable sort: equal costs keep the legacy order
    top = sorted(legacy.by_user, key=lambda row: row.cost_usd, reverse=True)[:TOP_N]
    daily: list[DailyCost] = []
    if legacy.daily_costs:
        dated = [(_day(e.date, f"costs.daily_costs[{i}].date"), i, e) for i, e in enumerate(legacy.daily_costs)]
        dated.sort(key=lambda item: (item[0], item[1]), reverse=True)  # newest first, as stats trends
        daily = [DailyCost(date=e.date, cost_usd=e.cost_usd) for _, _, e in dated]
    return CostsResponse(
        tenant_id=tenant_id,
        period=period,
        total_cost_usd=legacy.estimated_cost_usd,
        by_model=[_model_cost(row) for row in legacy.by_model],
        by_user_top10=[_user_cost(row) for row in top],
        daily_trend=daily,
    )


def usage_patterns_from_legacy(tenant_id: str, period: str, patterns: Any) -> UsagePatternsResponse:
    period_to_days(period)
    legacy = parse(LegacyUsagePatterns, patterns, "patterns")
    return UsagePatternsResponse(
        tenant_id=tenant_id,
        period=period,
        hourly_distribution=[HourlyCount(hour=e.hour, count=e.count) for e in legacy.hourly_distribution],
        weekday_distribution=[WeekdayCount(day=e.day, count=e.count) for e in legacy.weekday_distribution],
        avg_session_length=legacy.avg_session_length,
    )


def top_users_from_legacy(tenant_id: str, period: str, top: Any) -> TopUsersResponse:
    """Legacy order is kept (messages desc, id asc). Null ``email``/``last_active`` become "" (required str)."""
    period_to_days(period)
    legacy = parse(LegacyTopUsers, top, "top")
    users = [
        TopUser(
            user_id=str(u.id),
            name=u.display_name or u.username,
            email=u.email or "",
            sessions=u.sessions,
            messages=u.messages,
            tokens=u.tokens,
            last_active=u.last_active or "",
        )
        for u in legacy.users
    ]
    return TopUsersResponse(tenant_id=tenant_id, period=period, users=users)
