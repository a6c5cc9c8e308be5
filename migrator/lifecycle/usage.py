"""A month's usage (``GET /mt/tenant/{id}/usage?period=YYYY-MM``) derived from a series another operation's legacy
route already answers: a monthly series (``monthly_user_trend: [{month, users, messages, tokens}]``) gives the
month's row; a daily one (``messages_by_day: [{day, messages, tokens}]``) gives the sum of the month's days that
the route's window covers (a lower bound for a month older than the window).

The series is found in the response shapes `migrator.shapes.infer_response` infers: a list of objects with a
month (or date) key and at least one usage count among its fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from migrator.shapes.model import InferredResponse, Shape
from migrator.shapes.tables import norm

from .model import UsageSource

MONTH_KEYS = ("month", "yearmonth", "ym", "period")
DATE_KEYS = ("date", "day")
#: UsageData field -> normalised legacy keys, best first
FIELDS = {
    "active_users": ("activeusers", "users", "uniqueusers", "active"),
    "api_calls": ("apicalls", "messages", "requests", "calls", "questions", "queries", "answers"),
    "ai_tokens": ("aitokens", "tokens", "totaltokens"),
    "total_sessions": ("totalsessions", "sessions", "conversations"),
}
#: operations whose legacy answers are searched, in order of preference
SOURCES = ("get_tenant_stats", "get_tenant_costs", "get_usage_patterns", "get_top_users")
#: fields a sum of days cannot give (a month's active users are not the sum of each day's)
NOT_SUMMABLE = ("active_users",)


@dataclass(frozen=True)
class SeriesRoute:
    """A moved route of the stats family: its operation, label, inferred answer and window parameter."""

    operation: str
    label: str  # "GET /admin/dashboard"
    response: InferredResponse
    window_param: Optional[str] = None  # the legacy parameter taking a number of days
    window_max: Optional[int] = None  # its largest value (``Query(le=365)``), when known
    window_value: Optional[str] = None  # its widest named window (an Enum's "90d"), when it takes names


def window_limit(default: Optional[str]) -> Optional[int]:
    """The upper bound ``le=`` / ``lt=`` of a ``Query(...)`` default's source text."""
    if not default:
        return None
    found = re.search(r"\ble\s*=\s*(\d+)", default) or re.search(r"\blt\s*=\s*(\d+)", default)
    if not found:
        return None
    value = int(found.group(1))
    return value if "le" in found.group(0) else value - 1


def _lists(shape: Shape, path: tuple[str, ...] = (), depth: int = 0):
    if shape.kind != "object" or depth > 3:
        return
    for key, field in shape.fields.items():
        child = field.shape
        if child.kind == "list" and child.item is not None and child.item.kind == "object":
            yield (*path, key), child.item, field.origin or child.origin
        elif child.kind == "object":
            yield from _lists(child, (*path, key), depth + 1)


def _canon(key: str) -> str:
    """``questionCount``, ``num_questions``, ``questions_total`` → ``question``: the counted noun."""
    key = norm(key)
    for prefix in ("numberof", "num", "total", "count"):
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            key = key[len(prefix):]
    for suffix in ("count", "total", "num"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            key = key[: -len(suffix)]
    return key.rstrip("s")


def _series(path: tuple[str, ...], item: Shape) -> Optional[tuple[str, str, dict[str, str]]]:
    keys = {norm(k): k for k in item.fields}
    month = next((keys[k] for k in MONTH_KEYS if k in keys), None)
    date = next((keys[k] for k in DATE_KEYS if k in keys), None) if month is None else None
    if month is None and date is None:
        return None
    granularity = "month" if month else "day"
    fields = {}
    canon = {}
    for key in item.fields:
        canon.setdefault(_canon(key), key)
    for target, names in FIELDS.items():
        if granularity == "day" and target in NOT_SUMMABLE:
            continue
        found = next((keys[n] for n in names if n in keys), None) or next(
            (canon[_canon(n)] for n in names if _canon(n) in canon), None)
        if found is not None:
            fields[target] = found
    if not ({"api_calls", "ai_tokens"} & set(fields)):
        return None
    return granularity, month or date, fields


def derive_usage(routes: list[SeriesRoute]) -> tuple[Optional[UsageSource], str]:
    """The best series among `routes` (a monthly one first, then the most fields, then the operation order), or
    None and why."""
    best: Optional[tuple[tuple, UsageSource]] = None
    for route in routes:
        for path, item, origin in _lists(route.response.shape):
            found = _series(path, item)
            if found is None:
                continue
            granularity, key, fields = found
            where = origin or route.response.origin
            source = UsageSource(
                operation=route.operation, route=route.label, series=list(path), granularity=granularity, key=key,
                fields=fields, where=where,
                window=route.window_max if granularity == "day" else None,
                window_param=route.window_param if granularity == "day" else None,
                window_value=route.window_value if granularity == "day" else None,
                evidence=f"{route.label} answers `{'.'.join(path)}`, a {'monthly' if granularity == 'month' else 'daily'} series "
                         f"({', '.join(f'{k} ← {v}' for k, v in fields.items())})",
            )
            rank = (granularity == "month", len(fields), -SOURCES.index(route.operation)
                    if route.operation in SOURCES else -len(SOURCES))
            if best is None or rank > best[0]:
                best = (rank, source)
    if best is None:
        labels = ", ".join(r.label for r in routes) or "no moved route of the stats family"
        return None, (f"no monthly or daily series with usage counts in the legacy answers ({labels}): a month's "
                      "usage has no legacy source")
    return best[1], best[1].evidence
