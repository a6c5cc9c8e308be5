"""Standard ``period`` ⇄ legacy ``days``.

Periods (the router validates them with `shims.standard_api.models.PERIOD_PATTERN`): ``<N>d`` (N days), ``<N>y``
(365·N days) or a calendar month ``YYYY-MM``. Legacy windows count days back from today, and the adapters read no
clock, so a month maps to `MONTH_WINDOW_DAYS` (the widest legacy window: the month is then inside it if it lies
within the last year) and the converters keep only that month's dated rows (`month_of`).
"""

from __future__ import annotations

import re

from ..standard_api.errors import InvalidRequestError

PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}
#: legacy ``days`` for a ``YYYY-MM`` period (legacy dashboards accept 1-365)
MONTH_WINDOW_DAYS = 365
DAYS_PER_YEAR = 365
_DAYS = re.compile(r"^([1-9][0-9]{0,2})d$")
_YEARS = re.compile(r"^([1-9])y$")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def month_of(period: str) -> str | None:
    """``"2026-01"`` for a month period, None for a day or year count."""
    return period if isinstance(period, str) and _MONTH.match(period) else None


def period_to_days(period: str) -> int:
    """``"30d"`` → 30, ``"1y"`` → 365, ``"2026-01"`` → `MONTH_WINDOW_DAYS`; anything else → 400."""
    if isinstance(period, str):
        if m := _DAYS.match(period):
            return int(m.group(1))
        if m := _YEARS.match(period):
            return int(m.group(1)) * DAYS_PER_YEAR
        if _MONTH.match(period):
            return MONTH_WINDOW_DAYS
    shown = repr(period)[:40]
    raise InvalidRequestError(f"period: invalid value {shown}; use <N>d (e.g. 7d, 30d, 90d), <N>y or YYYY-MM")


def days_to_period(days: int) -> str:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days: expected a positive integer, got {days!r}")
    return f"{days}d"
