"""Generic conversions for the legacy → standard mappings phase 1 generates from a service's own code.

Shape-independent (they take the key names as arguments), pure, and never read a clock: the period window ends at
the newest date in the legacy list (legacy lists include today), as in `stats_from_dashboard`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ._shape import shape_error
from .periods import month_of


def _day(row: Any, key: str, index: int) -> date:
    value = row.get(key) if isinstance(row, Mapping) else None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise shape_error(f"[{index}].{key}", "expected a date YYYY-MM-DD") from None


def newest_first(rows: Sequence[Any], *, key: str = "date", period: str | None = None) -> list[Any]:
    """`rows` ordered by their `key` date, newest first (rows of one day: the later one first, as the fixed
    adapters order them); for a month `period` (``"2026-11"``) only that month's rows."""
    dated = [(_day(row, key, i), i, row) for i, row in enumerate(rows)]
    dated.sort(key=lambda item: (item[0], item[1]), reverse=True)
    month = month_of(period) if period is not None else None
    return [row for day, _, row in dated if month is None or day.isoformat()[:7] == month]


def in_period(rows: Sequence[Any], days: int, *, key: str = "date", period: str | None = None) -> list[Any]:
    """The rows of the last `days` days (ending at the newest date in `rows`), newest first; for a month
    `period` the rows of that month."""
    ordered = newest_first(rows, key=key)
    if not ordered:
        return []
    newest = _day(ordered[0], key, 0)
    inside = [row for i, row in enumerate(ordered) if (newest - _day(row, key, i)).days < days]
    month = month_of(period) if period is not None else None
    return [row for i, row in enumerate(inside) if month is None or _day(row, key, i).isoformat()[:7] == month]


def enabled_features(value: Any) -> list[str]:
    """Feature names from a list (``["chat", "rag"]``) or flags (``{"chat": true, "quiz": false}``); None → []."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [str(name) for name, enabled in value.items() if enabled]
    return [str(name) for name in value]
