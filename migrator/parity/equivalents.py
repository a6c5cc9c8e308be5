"""Standard twins: for a recorded legacy GET that the journal maps to a standard operation, the equivalent
``/mt/tenant/<tenant>/...`` request and its expected answer — the `shims.adapters` conversion of the recorded
legacy response.

The tenant comes from the legacy path (``{tenant_id}``) or the recorded ``X-Tenant-ID``. Query mapping: ``days`` →
``period`` (7/30/90 only: other windows have no standard period), ``page``/``limit`` → ``limit``/``offset``,
``search`` as is; the admins list asks ``role=admin``. A recorded 404 expects the standard 404 with the error code
(``TENANT_NOT_FOUND``/``USER_NOT_FOUND``). Mutating exchanges get no twin: sending it would apply the mutation twice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode

from migrator.parity.cassette import Exchange
from migrator.parity.compare import Difference, Expected
from migrator.parity.expectations import RouteMatch, RouteTable
from migrator.pathtemplates import fill

MARKET_KEY_HEADER = "x-market-api-key"
_STANDARD_DAYS = {7: "7d", 30: "30d", 90: "90d"}


@dataclass
class Twin:
    path: str
    query: str
    route: str  # "GET /mt/tenant/{tenant_id}/stats", for grouping
    expected: Optional[Expected] = None
    failure: Optional[Difference] = None  # the adapter could not convert the recorded response
    ignore: list[str] = field(default_factory=list)  # JSON paths not comparable for this twin
    notes: list[str] = field(default_factory=list)


class Companions:
    """Recorded costs responses by (tenant, days, state), as byte offsets into the cassette: the stats twin needs
    the costs of its period recorded in the same state of that tenant (no recorded mutation of the tenant in
    between), which may be recorded anywhere in the cassette.

    It is also a cursor: the runner calls `advance` with every exchange in cassette order, so that `costs` looks up
    the state the exchange being replayed sees.
    """

    def __init__(self, path: Path, table: RouteTable) -> None:
        self.path = path
        self.table = table
        self.offsets: dict[tuple[str, int, int], int] = {}
        self.state: Counter = Counter()  # tenant -> recorded mutations seen so far
        costs = [r for r in table.journal.routes if r.operation == "get_tenant_costs"]
        if not costs or not any(r.operation == "get_tenant_stats" for r in table.journal.routes):
            return
        literals = [r.path.split("{")[0] for r in costs]
        offset = 0
        state: Counter = Counter()
        with path.open("rb") as handle:
            for line in handle:
                text = line.decode("utf-8", "replace")
                costs_read = any(f'"path":"{literal}' in text for literal in literals)
                # (a malformed line parses as None here: the replay itself reports it with its line number)
                exchange = _parsed(line) if costs_read or _MUTATION.search(text) else None
                if exchange is not None and costs_read:
                    match = table.match(exchange.request.method, exchange.request.path)
                    if match and match.route.operation == "get_tenant_costs" and 200 <= exchange.response.status < 300:
                        tenant = _tenant(exchange, match)
                        days = _int(dict(parse_qsl(exchange.request.query)).get("days"), 30)
                        if tenant and days is not None:
                            self.offsets.setdefault((tenant, days, state[tenant]), offset)
                elif exchange is not None:
                    tenant = self._mutated_tenant(exchange)
                    if tenant:
                        state[tenant] += 1
                offset += len(line)

    def _mutated_tenant(self, exchange: Exchange) -> Optional[str]:
        if exchange.safe:
            return None
        match = self.table.match(exchange.request.method, exchange.request.path)
        return (match.params.get("tenant_id") if match else None) or exchange.request.headers.get("x-tenant-id")

    def advance(self, exchange: Exchange) -> None:
        """Called after each replayed exchange, in cassette order."""
        tenant = self._mutated_tenant(exchange)
        if tenant:
            self.state[tenant] += 1

    def reset(self) -> None:
        self.state.clear()

    def costs(self, tenant: str, days: int) -> Optional[Any]:
        offset = self.offsets.get((tenant, days, self.state[tenant]))
        if offset is None:
            return None
        from migrator.parity.cassette import read_line

        return read_line(self.path, offset).response.json_body


def _parsed(line: bytes) -> Optional[Exchange]:
    try:
        return Exchange.model_validate_json(line)
    except ValueError:  # pydantic's ValidationError is a ValueError
        return None


_MUTATION = re.compile(r'"method":\s*"(POST|PUT|PATCH|DELETE)"')


def _int(value: Optional[str], default: int) -> Optional[int]:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return None


def _tenant(exchange: Exchange, match: RouteMatch) -> Optional[str]:
    return match.params.get("tenant_id") or exchange.request.headers.get("x-tenant-id") or None


def plan_twin(exchange: Exchange, match: Optional[RouteMatch], companions: Optional[Companions]
              ) -> tuple[Optional[Twin], Optional[str]]:
    """The twin of a legacy exchange, or (None, why not) — the reason is None when the route has no standard
    operation at all."""
    if match is None or not match.route.operation or not match.route.standard_path:
        return None, None
    route = match.route
    if (route.standard_method or "GET").upper() != "GET" or not exchange.safe:
        return None, "mutation"
    operation = route.operation + (f"/{route.variant}" if route.variant else "")
    spec = _OPERATIONS.get(operation) or _OPERATIONS.get(route.operation)
    if spec is None:
        return None, f"no adapter for {operation}"
    status = exchange.response.status
    if not (200 <= status < 300 or status == 404):
        return None, f"legacy {status}"
    tenant = _tenant(exchange, match)
    if not tenant:
        return None, "no tenant in the recorded request"
    legacy_query = dict(parse_qsl(exchange.request.query, keep_blank_values=True))
    query = spec.query(legacy_query)
    if query is None:
        return None, f"legacy query {exchange.request.query!r} has no standard equivalent"
    values = {"tenant_id": tenant, **match.params}
    twin = Twin(path=fill(route.standard_path, values), query=urlencode(query),
                route=f"GET {route.standard_path}")
    if status == 404:
        detail = exchange.response.json_body.get("detail") if isinstance(exchange.response.json_body, dict) else None
        code = "USER_NOT_FOUND" if isinstance(detail, str) and "user" in detail.lower() else "TENANT_NOT_FOUND"
        twin.expected = Expected(status=404, headers=None, body={"json": {"detail": {"error": code}}},
                                 only_paths=[("detail", "error")])
        return twin, None
    try:
        value = spec.convert(tenant, query, exchange.response.json_body, companions, twin)
    except Exception as exc:  # the adapter refused the recorded document: the standard route cannot match it
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        twin.failure = Difference(path="adapter", change="changed", old=spec.name, new=message)
        return twin, None
    dumped = value.model_dump(mode="json") if hasattr(value, "model_dump") else value
    twin.expected = Expected(status=200, headers=None, body={"json": dumped})
    return twin, None


@dataclass
class _Spec:
    name: str
    query: Callable[[dict[str, str]], Optional[dict[str, Any]]]
    convert: Callable[[str, dict, Any, Optional[Companions], Twin], Any]


def _period(legacy: dict[str, str]) -> Optional[str]:
    days = _int(legacy.get("days"), 30)
    return _STANDARD_DAYS.get(days) if days is not None else None


def _period_query(legacy: dict[str, str]) -> Optional[dict[str, Any]]:
    period = _period(legacy)
    return None if period is None else {"period": period}


def _top_query(legacy: dict[str, str]) -> Optional[dict[str, Any]]:
    period, limit = _period(legacy), _int(legacy.get("limit"), 10)
    return None if period is None or limit is None else {"period": period, "limit": limit}


def _users_query(legacy: dict[str, str]) -> Optional[dict[str, Any]]:
    page, limit = _int(legacy.get("page"), 1), _int(legacy.get("limit"), 20)
    if page is None or limit is None or page < 1:
        return None
    query: dict[str, Any] = {"limit": limit, "offset": (page - 1) * limit}
    if legacy.get("search"):
        query["search"] = legacy["search"]
    return query


ADMINS_LIMIT = 100


def _stats(tenant: str, query: dict, legacy: Any, companions: Optional[Companions], twin: Twin) -> Any:
    from shims.adapters import stats_from_dashboard

    period = query.get("period", "30d")
    costs = companions.costs(tenant, int(period[:-1])) if companions is not None else None
    if costs is None:
        twin.ignore.append("$.summary.estimated_cost_usd")
        twin.notes.append(f"no costs exchange recorded for {tenant} (days={period[:-1]}) in the same state: "
                          "estimated_cost_usd not compared")
    return stats_from_dashboard(tenant, period, legacy, costs)


def _costs(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import costs_from_legacy

    return costs_from_legacy(tenant, query["period"], legacy)


def _patterns(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import usage_patterns_from_legacy

    return usage_patterns_from_legacy(tenant, query["period"], legacy)


def _top(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import top_users_from_legacy

    return top_users_from_legacy(tenant, query["period"], legacy)


def _users(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import users_list_from_legacy

    return users_list_from_legacy(tenant, legacy["users"], legacy["total"], query["limit"], query["offset"])


def _admins(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import users_list_from_legacy

    return users_list_from_legacy(tenant, legacy["admins"], legacy["total"], ADMINS_LIMIT, 0)


def _user(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import user_from_legacy

    return user_from_legacy(legacy)


def _status(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import status_from_legacy

    return status_from_legacy(legacy)


def _settings(tenant: str, query: dict, legacy: Any, companions: Any, twin: Twin) -> Any:
    from shims.adapters import settings_from_legacy

    return settings_from_legacy(legacy)


_OPERATIONS: dict[str, _Spec] = {
    "get_tenant_stats": _Spec("stats_from_dashboard", lambda q: {"period": "30d"}, _stats),
    "get_tenant_costs": _Spec("costs_from_legacy", _period_query, _costs),
    "get_usage_patterns": _Spec("usage_patterns_from_legacy", _period_query, _patterns),
    "get_top_users": _Spec("top_users_from_legacy", _top_query, _top),
    "list_users": _Spec("users_list_from_legacy", _users_query, _users),
    "list_users/admins": _Spec("users_list_from_legacy",
                               lambda q: {"role": "admin", "limit": ADMINS_LIMIT, "offset": 0}, _admins),
    "get_user": _Spec("user_from_legacy", lambda q: {}, _user),
    "get_tenant_status": _Spec("status_from_legacy", lambda q: {}, _status),
    "get_settings": _Spec("settings_from_legacy", lambda q: {}, _settings),
}



