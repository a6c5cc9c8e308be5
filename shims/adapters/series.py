"""A month's usage from a legacy series: the month's row of a monthly series, or the sum of its days in a daily one.

Phase 1 names the series and its keys in the generated call (``migrator.lifecycle.usage`` found them in the legacy
answer), e.g.::

    adapters.usage_from_series(tenant_id, period, dashboard, ("monthly_user_trend",), month="month",
                               active_users="users", api_calls="messages", ai_tokens="tokens")

A daily series covers the legacy route's window only: for a month older than that window the sum is a lower bound
(the days the window holds); a month without rows had no recorded activity (zeros). Fields the series does not give
stay 0 (``storage_mb``, and ``active_users`` of a daily series: a month's active users are not a sum of days).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

from ..standard_api.errors import InvalidRequestError
from ..standard_api.models import UsageData, UsageResponse
from ._shape import shape_error, to_json
from .periods import month_of

USAGE_FIELDS = ("active_users", "total_sessions", "api_calls", "ai_tokens", "storage_mb")


def _rows(legacy: Any, series: Sequence[str]) -> list[dict[str, Any]]:
    data = to_json(legacy)
    path = "legacy"
    for key in series:
        if not isinstance(data, dict) or key not in data:
            raise shape_error(path, f"expected an object with `{key}`")
        data, path = data[key], f"{path}.{key}"
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise shape_error(path, "expected a list of objects")
    return data


def _count(row: dict[str, Any], key: str, path: str) -> int:
    value = row.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise shape_error(f"{path}.{key}", f"expected a number, got {type(value).__name__}")
    return int(value)


def usage_from_series(
    tenant_id: str,
    period: str,
    legacy: Any,
    series: Sequence[str],
    *,
    month: Optional[str] = None,
    date: Optional[str] = None,
    **fields: str,
) -> UsageResponse:
    """``GET /usage?period=YYYY-MM`` from ``legacy[series...]``: the row whose `month` key is the period, or the sum
    of the rows whose `date` key falls in it. `fields` map UsageData fields to the element's keys."""
    wanted = month_of(period)
    if wanted is None:
        raise InvalidRequestError(f"period must be a month in YYYY-MM format, got {period[:20]!r}")
    unknown = set(fields) - set(USAGE_FIELDS)
    if unknown or (month is None) == (date is None):
        raise TypeError(f"usage_from_series: give month= or date=, and fields among {', '.join(USAGE_FIELDS)}")
    rows = _rows(legacy, series)
    path = "legacy." + ".".join(series)
    if month is not None:
        chosen = [r for r in rows if str(r.get(month, ""))[:7] == wanted][:1]
    else:
        chosen = [r for r in rows if str(r.get(date, ""))[:7] == wanted]
    totals = {target: sum(_count(r, key, f"{path}[]") for r in chosen) for target, key in fields.items()}
    return UsageResponse(tenant_id=tenant_id, period=wanted, usage=UsageData(**totals))
