"""Standard ``period`` ⇄ legacy ``days``.

Periods (the router validates them with `shims.standard_api.models.PERIOD_PATTERN`): ``<N>d`` (N days), ``<N>y``
(365·N days) or a calendar month ``YYYY-MM``. Legacy windows count days back from today, and the adapters read no
clock, so a month maps to `MONTH_WINDOW_DAYS` (the widest legacy window: the month is then inside it if it lies
within the last year) and the converters keep only that month's dated rows (`month_of`).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Literal, get_args, get_origin

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


def _named_windows(choices: Any) -> dict[int, str]:
    """``{days: value}`` of a legacy period type's ``<N>d`` values: an Enum class, a ``Literal[...]`` or values."""
    if isinstance(choices, type):
        values = [member.value for member in choices] if issubclass(choices, Enum) else []
    elif get_origin(choices) is Literal:
        values = list(get_args(choices))
    elif get_args(choices):  # Optional[Period], Period | None
        return {days: value for arg in get_args(choices) for days, value in _named_windows(arg).items()}
    else:
        values = list(choices) if isinstance(choices, (list, tuple, set, frozenset)) else []
    return {int(m.group(1)): value for value in values
            if isinstance(value, str) and (m := _DAYS.match(value))}  # fmt: skip


def legacy_period(period: str, choices: Any) -> str:
    """The named window to ask a legacy route for, when its period parameter takes names (``Period``: "7d", "30d",
    "90d"; an Enum class, a ``Literal`` or the values themselves):

    - a period the legacy route names → itself;
    - a month (``YYYY-MM``), or more days than its widest window (``1y``) → the widest window, the most the legacy
      keeps: the converters keep the month's dated rows, and totals are those of the widest window (a lower bound,
      as for `MONTH_WINDOW_DAYS`);
    - any other (``14d``, ``3d``) → 400 naming the windows, as the legacy route answered it (the caller picks one).

    Choices that name no day windows: the period unchanged (the legacy route validates it)."""
    days = period_to_days(period)  # 400 for a malformed period
    windows = _named_windows(choices)
    if not windows:
        return period
    if month_of(period) is None and days in windows:
        return windows[days]
    if month_of(period) is not None or days > max(windows):
        return windows[max(windows)]
    names = ", ".join(windows[n] for n in sorted(windows))
    raise InvalidRequestError(f"period: this service keeps the windows {names}; ask for one of them, a longer period "
                              f"(<N>d, <N>y) or a month (YYYY-MM), not {period}")
