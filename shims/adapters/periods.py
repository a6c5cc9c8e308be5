"""Standard ``period`` ("30d") ⇄ legacy ``days`` (30)."""

from __future__ import annotations

from ..standard_api.errors import InvalidRequestError

PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}


def period_to_days(period: str) -> int:
    days = PERIOD_DAYS.get(period) if isinstance(period, str) else None
    if days is None:
        shown = repr(period)[:40]
        raise InvalidRequestError(f"period: invalid value {shown}; allowed values: {', '.join(PERIOD_DAYS)}")
    return days


def days_to_period(days: int) -> str:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days: expected a positive integer, got {days!r}")
    return f"{days}d"
