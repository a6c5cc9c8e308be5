"""Generic conversions for the legacy → standard mappings phase 1 generates from a service's own code.

Shape-independent (they take the key names as arguments), pure, and never read a clock: the period window ends at
the newest date in the legacy list (legacy lists include today), as in `stats_from_dashboard`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ._shape import shape_error


def _day(row: Any, key: str, index: int) -> date:
    value = row.get(key) if isinstance(row, Mapping) else None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise shape_error(f"[{index}].{key}", "expected a date YYYY-MM-DD") from None


def newest_first(rows: Sequence[Any], *, key: str = "date") -> list[Any]:
    """`rows` ordered by their `key` date, newest first (rows of one day: the later one first, as the fixed
    adapters order them)."""
    dated = [(_day(row, key, i), i, row) for i, row in enumerate(rows)]
    dated.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [row for _, _, row in dated]


def in_period(rows: Sequence[Any], days: int, *, key: str = "date") -> list[Any]:
    """The rows of the last `days` days (ending at the newest date in `rows`), newest first."""
    ordered = newest_first(rows, key=key)
    if not ordered:
        return []
    newest = _day(ordered[0], key, 0)
    return [row for i, row in enumerate(ordered) if (newest - _day(row, key, i)).days < days]


def enabled_features(value: Any) -> list[str]:
    """Feature names from a list (``["chat", "rag"]``) or flags (``{"chat": true, "quiz": false}``); None → []."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [str(name) for name, enabled in value.items() if enabled]
    return [str(name) for name in value]
