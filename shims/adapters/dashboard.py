"""Dashboard family: legacy ``/admin/dashboard[/costs|/usage-patterns|/top-users]`` → standard stats models.

Exactness of `stats_from_dashboard` (the legacy windows are fixed): see docs/ARCHITECTURE.md → ``shims.adapters``.
A month period (``YYYY-MM``) keeps that month's dated rows and takes the month's totals from
``monthly_user_trend`` / ``monthly_costs`` when the legacy answer has them; `usage_from_dashboard` builds the
lifecycle ``GET /usage`` answer from the same monthly rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..standard_api.errors import InvalidRequestError
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
    UsageData,
    UsagePatternsResponse,
    UsageResponse,
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
from .periods import month_of, period_to_days

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


def _in_month(trend: list[Any], month: str, root: str, field: str) -> list[Any]:
    """The rows of one calendar month, newest first."""
    dated = [(_day(e.date, f"{root}.{field}[{i}].date"), i, e) for i, e in enumerate(trend)]
    inside = [(d, i, e) for d, i, e in dated if e.date[:7] == month]
    inside.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [e for _, _, e in inside]


def _total_cost(costs: LegacyCosts, month: str | None) -> float:
    if month is None:
        return costs.estimated_cost_usd
    monthly = {row.month: row.cost_usd for row in costs.monthly_costs}
    if month in monthly:
        return round(monthly[month], 2)
    return round(sum(e.cost_usd for e in _in_month(costs.daily_costs or [], month, "costs", "daily_costs")), 2)


def stats_from_dashboard(tenant_id: str, period: str, dashboard: Any, costs: Any | None = None) -> StatsResponse:
    days, month = period_to_days(period), month_of(period)
    legacy = parse(LegacyDashboard, dashboard, "dashboard")
    cost = _total_cost(parse(LegacyCosts, costs, "costs"), month) if costs is not None else 0.0
    if month is None:
        window = _window(legacy.daily_trend, days, "dashboard")
        # legacy knows 7- and 30-day activity only; longer periods use the 30-day figure (approximate)
        active = legacy.users.active_7days if days <= 7 else legacy.users.active_30days
        messages, tokens = sum(e.messages for e in window), sum(e.tokens for e in window)
    else:
        window = _in_month(legacy.daily_trend, month, "dashboard", "daily_trend")
        row = next((r for r in legacy.monthly_user_trend if r.month == month), None)
        active = row.users if row else max((e.users for e in window), default=0)
        messages = row.messages if row else sum(e.messages for e in window)
        tokens = row.tokens if row else sum(e.tokens for e in window)
    summary = StatsSummary(
        total_users=legacy.users.total,
        active_users=active,
        # exact for 7d, a lower bound for longer periods
        new_users_this_period=legacy.users.new_this_week,
        total_sessions=legacy.usage.total_sessions,  # all time: legacy has no windowed session count
        total_messages=messages,
        total_tokens=tokens,
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
    """A month period: the month's total and daily rows; by model and by user stay those of the legacy window."""
    period_to_days(period)
    month = month_of(period)
    legacy = parse(LegacyCosts, costs, "costs")
    # stable sort: equal costs keep the legacy order
    top = sorted(legacy.by_user, key=lambda row: row.cost_usd, reverse=True)[:TOP_N]
    daily: list[DailyCost] = []
    if legacy.daily_costs and month is not None:
        daily = [DailyCost(date=e.date, cost_usd=e.cost_usd) for e in _in_month(legacy.daily_costs, month, "costs",
                                                                              "daily_costs")]  # fmt: skip
    elif legacy.daily_costs:
        dated = [(_day(e.date, f"costs.daily_costs[{i}].date"), i, e) for i, e in enumerate(legacy.daily_costs)]
        dated.sort(key=lambda item: (item[0], item[1]), reverse=True)  # newest first, as stats trends
        daily = [DailyCost(date=e.date, cost_usd=e.cost_usd) for _, _, e in dated]
    return CostsResponse(
        tenant_id=tenant_id,
        period=period,
        total_cost_usd=_total_cost(legacy, month),
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


def usage_from_dashboard(tenant_id: str, period: str, dashboard: Any) -> UsageResponse:
    """``GET /usage?period=YYYY-MM`` from the legacy dashboard's ``monthly_user_trend`` row of that month.

    ``active_users`` = the month's active users, ``api_calls`` = its messages, ``ai_tokens`` = its tokens;
    ``total_sessions`` and ``storage_mb`` are 0 (legacy dashboards count neither per month). A month without a row
    had no recorded activity (all zeros).
    """
    month = month_of(period)
    if month is None:
        raise InvalidRequestError(f"period must be a month in YYYY-MM format, got {period[:20]!r}")
    legacy = parse(LegacyDashboard, dashboard, "dashboard")
    row = next((r for r in legacy.monthly_user_trend if r.month == month), None)
    usage = UsageData(active_users=row.users, api_calls=row.messages, ai_tokens=row.tokens) if row else UsageData()
    return UsageResponse(tenant_id=tenant_id, period=month, usage=usage)
