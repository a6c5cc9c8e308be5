"""Standard twins: for a recorded legacy GET that the journal maps to a standard operation, the equivalent
``/mt/tenant/<tenant>/...`` request and its expected answer — the recorded legacy answer adapted the way the
migrated service adapts it: the mappings phase 1 generated from the legacy code (the journal's `shapes`, loaded from
the migrated tree), the fixed `shims.adapters` for journals without them.

The tenant comes from the legacy path (``{tenant_id}``), the recorded ``X-Tenant-ID``, or the journal (a
single-tenant deployment). The query maps as phase 1 recorded for the route (legacy parameter -> standard input,
the legacy defaults for what the request left out): ``days`` → ``period`` (``<N>d``), a legacy period as is,
``page``/``skip`` and ``limit``/``size`` → ``limit``/``offset``, the search as is; the admins list asks
``role=admin``; the tenant list is the Service Market's alias (``X-API-Key``). A recorded 404 expects the standard
404 with the error code (``TENANT_NOT_FOUND``/``USER_NOT_FOUND``). Mutating exchanges get no twin: sending it would
apply the mutation twice. Documented reasons for no twin (docs/parity.md): a mutation, a legacy 401/403/422 (the
standard side checks the market key and validates its own inputs), a legacy query parameter the standard call has no
input for (a filter of the legacy listing), a period the standard API cannot express, the state a removed route
mutated.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode

from migrator.journal import Journal, JournalRoute
from migrator.parity.cassette import Exchange
from migrator.parity.compare import Difference, Expected
from migrator.parity.errors import ParityUsageError
from migrator.parity.expectations import RouteMatch, RouteTable
from migrator.pathtemplates import fill

MARKET_KEY_HEADER = "x-market-api-key"


@dataclass
class Twin:
    path: str
    query: str
    route: str  # "GET /mt/tenant/{tenant_id}/stats", for grouping
    expected: Optional[Expected] = None
    failure: Optional[Difference] = None  # the adapter could not convert the recorded response
    ignore: list[str] = field(default_factory=list)  # JSON paths not comparable for this twin
    notes: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # besides the market key ("" values: the market key)


class Companions:
    """Recorded costs responses by (tenant, period, state), as byte offsets into the cassette: the stats twin needs
    the costs of its period recorded in the same state of that tenant (no recorded mutation of the tenant in
    between), which may be recorded anywhere in the cassette.

    It is also a cursor: the runner calls `advance` with every exchange in cassette order, so that `costs` looks up
    the state the exchange being replayed sees.
    """

    def __init__(self, path: Path, table: RouteTable, tenant: Optional[str] = None) -> None:
        self.path = path
        self.table = table
        self.tenant = tenant  # a single-tenant deployment's: every exchange is about it
        self.offsets: dict[tuple[str, str, int], int] = {}
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
                        tenant = _tenant(exchange, match) or self.tenant
                        inputs = standard_inputs(match.route, dict(parse_qsl(exchange.request.query)))
                        period = _period(inputs) if inputs is not None else None
                        if tenant and period is not None:
                            self.offsets.setdefault((tenant, period, state[tenant]), offset)
                elif exchange is not None:
                    tenant = self._mutated_tenant(exchange)
                    if tenant:
                        state[tenant] += 1
                offset += len(line)

    def _mutated_tenant(self, exchange: Exchange) -> Optional[str]:
        if exchange.safe:
            return None
        match = self.table.match(exchange.request.method, exchange.request.path)
        return ((match.params.get("tenant_id") if match else None) or exchange.request.headers.get("x-tenant-id")
                or self.tenant)

    def advance(self, exchange: Exchange) -> None:
        """Called after each replayed exchange, in cassette order."""
        tenant = self._mutated_tenant(exchange)
        if tenant:
            self.state[tenant] += 1

    def reset(self) -> None:
        self.state.clear()

    def costs(self, tenant: str, period: str) -> Optional[Any]:
        offset = self.offsets.get((tenant, period, self.state[tenant]))
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


# --- the service's own mappings --------------------------------------------------------------------------------------


class Mappings:
    """The legacy → standard answer mappings phase 1 generated for the service (the journal's `shapes`), loaded
    from the migrated tree: the twin's expected answer is the recorded legacy answer adapted exactly as the service
    now adapts it. Operations without a generated mapping (journals of older phase 1 runs, activation) use the
    fixed `shims.adapters`."""

    def __init__(self, journal: Journal, repo: Optional[Path]) -> None:
        self.functions: dict[str, Callable[..., Any]] = {}
        self.optional: dict[str, dict[str, list[str]]] = {}
        self.tenant = journal.tenant.current() if journal.tenant is not None else None
        # operations no route implements in phase 1 (their routes were left to a person): they answer 501
        moved = {r.operation for r in journal.routes if r.operation and r.state in ("moved", "alias")}
        self.unimplemented = {r.operation for r in journal.routes if r.operation and r.state == "manual"} - moved
        info = journal.shapes
        if info is None or repo is None:
            return
        module = _load_module(repo / info.file, info.module)
        self.functions = {op: getattr(module, name) for op, name in info.functions.items() if hasattr(module, name)}
        self.optional = info.optional
        page = getattr(module, "list_users_page_from_legacy", None)
        if page is not None:
            self.functions["list_users/page"] = page

    def get(self, operation: str) -> Optional[Callable[..., Any]]:
        return self.functions.get(operation)


def _load_module(file: Path, name: str) -> Any:
    """The generated module, loaded from its file (it imports only FastAPI's encoder, shims and the standard models:
    the service's package need not be importable here)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_parity_{name.replace('.', '_')}", file)
    if spec is None or spec.loader is None:
        raise ParityUsageError(f"{file}: cannot load the generated answer mappings the journal names")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (OSError, SyntaxError, ImportError) as exc:
        raise ParityUsageError(f"{file}: cannot load the generated answer mappings: {exc}") from None
    return module


# --- one twin ------------------------------------------------------------------------------------------------------


def plan_twin(exchange: Exchange, match: Optional[RouteMatch], companions: Optional[Companions],
              mappings: Optional[Mappings] = None) -> tuple[Optional[Twin], Optional[str]]:
    """The twin of a legacy exchange, or (None, why not) — the reason is None when the route has no standard
    operation at all."""
    if match is None or not match.route.operation or not match.route.standard_path:
        return None, None
    route = match.route
    if (route.standard_method or "GET").upper() != "GET" or not exchange.safe:
        return None, "mutation"
    if route.state == "held" and route.candidate:
        return None, "a candidate: its standard operation runs another route's logic (held: the legacy route stays)"
    if route.state == "held":
        return None, "its standard operation answers 501 (held: the legacy route stays)"
    if mappings is not None and route.operation in mappings.unimplemented:
        return None, "its standard operation answers 501 (its legacy route was left to a person in phase 1)"
    operation = route.operation + (f"/{route.variant}" if route.variant else "")
    spec = _OPERATIONS.get(operation) or _OPERATIONS.get(route.operation)
    if spec is None:
        return None, f"no standard read for {operation}"
    status = exchange.response.status
    if not (200 <= status < 300 or status == 404):
        return None, f"legacy {status}"
    tenant = _tenant(exchange, match) or (mappings.tenant if mappings is not None else None)
    if not tenant and spec.tenant_scoped:
        return None, "no tenant in the recorded request"
    legacy_query = dict(parse_qsl(exchange.request.query, keep_blank_values=True))
    inputs = standard_inputs(route, legacy_query)
    query = spec.query(inputs) if inputs is not None else None
    if query is None:
        return None, f"legacy query {exchange.request.query!r} has no standard equivalent"
    values = {"tenant_id": tenant or "", **match.params}
    twin = Twin(path=fill(route.standard_path, values), query=urlencode(query),
                route=f"GET {route.standard_path}", headers=dict(spec.headers))
    if status == 404:
        code = "USER_NOT_FOUND" if _names_a_user(exchange, route) else "TENANT_NOT_FOUND"
        twin.expected = Expected(status=404, headers=None, body={"json": {"detail": {"error": code}}},
                                 only_paths=[("detail", "error")])
        return twin, None
    try:
        value = spec.convert(_Call(tenant or "", query, exchange.response.json_body, companions, twin, mappings))
    except Exception as exc:  # the mapping refused the recorded document: the standard route cannot match it
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        twin.failure = Difference(path="adapter", change="changed", old=spec.name, new=message)
        return twin, None
    dumped = value.model_dump(mode="json") if hasattr(value, "model_dump") else value
    twin.expected = Expected(status=200, headers=None, body={"json": dumped})
    return twin, None


def _names_a_user(exchange: Exchange, route: JournalRoute) -> bool:
    """A recorded 404 about a user (not the tenant), in whatever shape the legacy service writes its errors."""
    text = json.dumps(exchange.response.json_body, ensure_ascii=False).lower()
    return "{user_id}" in (route.standard_path or "") and "user" in text and "tenant" not in text


# --- the standard query of a legacy one ------------------------------------------------------------------------------

#: legacy query names -> standard inputs, for journals written before phase 1 recorded them per route
_DEFAULT_PARAMS = {"days": "days", "page": "page", "limit": "limit", "search": "search"}
_DEFAULT_VALUES = {"days": "30", "page": "1", "limit": "20"}


def standard_inputs(route: JournalRoute, legacy: dict[str, str]) -> Optional[dict[str, str]]:
    """The standard inputs (days, period, limit, page, offset, search) a recorded legacy query gives, the legacy
    defaults filling what it leaves out; None when it holds a parameter the standard call has no input for."""
    recorded = "params" in route.model_fields_set  # journals of phase 1 runs that recorded them
    params = route.params if recorded else _DEFAULT_PARAMS
    defaults = route.defaults if recorded else _DEFAULT_VALUES
    inputs: dict[str, str] = {}
    for wire, value in legacy.items():
        standard = params.get(wire)
        if standard is None:
            if value == "":
                continue  # `?search=` names nothing
            return None
        inputs[standard] = value
    for wire, standard in params.items():
        if standard not in inputs and defaults.get(wire) is not None:
            inputs[standard] = str(defaults[wire])
    return inputs


def _period(inputs: dict[str, str]) -> Optional[str]:
    if "period" in inputs:
        return inputs["period"] if _STANDARD_PERIOD.match(inputs["period"]) else None
    days = _int(inputs.get("days"), 30)
    return f"{days}d" if days is not None and 1 <= days <= 999 else None


_STANDARD_PERIOD = re.compile(r"^([1-9][0-9]{0,2}d|[1-9]y|[0-9]{4}-(0[1-9]|1[0-2]))$")


def _period_query(inputs: dict[str, str]) -> Optional[dict[str, Any]]:
    period = _period(inputs)
    return None if period is None else {"period": period}


def _top_query(inputs: dict[str, str]) -> Optional[dict[str, Any]]:
    period, limit = _period(inputs), _int(inputs.get("limit"), 10)
    return None if period is None or limit is None else {"period": period, "limit": limit}


def _users_query(inputs: dict[str, str]) -> Optional[dict[str, Any]]:
    limit = _int(inputs.get("limit"), 20)
    if limit is None or not 1 <= limit <= 100:
        return None
    if "offset" in inputs:
        offset = _int(inputs["offset"], 0)
    else:
        page = _int(inputs.get("page"), 1)
        offset = (page - 1) * limit if page is not None and page >= 1 else None
    if offset is None or offset < 0:
        return None
    query: dict[str, Any] = {"limit": limit, "offset": offset}
    if inputs.get("search"):
        query["search"] = inputs["search"]
    if inputs.get("filter:role"):  # the legacy role filter: the standard role it stands for
        from shims.adapters import role_from_legacy

        query["role"] = role_from_legacy(inputs["filter:role"]).value
    status = inputs.get("filter:status") or {"true": "active", "false": "suspended"}.get(
        inputs.get("filter:active", "").lower(), "")
    if status:
        query["status"] = "active" if status.lower() == "active" else "suspended"
    return query


# --- the expected answer -------------------------------------------------------------------------------------------


@dataclass
class _Call:
    tenant: str
    query: dict
    legacy: Any
    companions: Optional[Companions]
    twin: Twin
    mappings: Optional[Mappings]

    def mapping(self, operation: str) -> Optional[Callable[..., Any]]:
        return self.mappings.get(operation) if self.mappings is not None else None


@dataclass
class _Spec:
    name: str
    query: Callable[[dict[str, str]], Optional[dict[str, Any]]]
    convert: Callable[[_Call], Any]
    tenant_scoped: bool = True
    headers: tuple[tuple[str, str], ...] = ()  # sent besides the market key ("x-api-key": the alias routes)


ADMINS_LIMIT = 100


def _stats(call: _Call) -> Any:
    period = call.query.get("period", "30d")
    costs = call.companions.costs(call.tenant, period) if call.companions is not None else None
    if costs is None:
        optional = (call.mappings.optional.get("get_tenant_stats", {}).get("costs")
                    if call.mappings is not None and call.mapping("get_tenant_stats") else None)
        for path in optional or ["summary.estimated_cost_usd"]:
            call.twin.ignore.append("$." + path.replace("[]", "[*]"))
        call.twin.notes.append(f"no costs exchange recorded for {call.tenant} ({period}) in the same state: the "
                               "fields read from the costs answer are not compared")
    convert = call.mapping("get_tenant_stats")
    if convert is not None:
        return convert(call.tenant, period, call.legacy, costs)
    from shims.adapters import stats_from_dashboard

    return stats_from_dashboard(call.tenant, period, call.legacy, costs)


def _period_read(operation: str, fixed: str) -> Callable[[_Call], Any]:
    def convert(call: _Call) -> Any:
        mapped = call.mapping(operation)
        if mapped is not None:
            return mapped(call.tenant, call.query["period"], call.legacy)
        import shims.adapters

        return getattr(shims.adapters, fixed)(call.tenant, call.query["period"], call.legacy)

    return convert


def _users(call: _Call) -> Any:
    mapped, page = call.mapping("list_users"), call.mapping("list_users/page")
    if mapped is not None and page is not None:
        found = page(call.legacy)
        return mapped(call.tenant, found["total"], call.query["limit"], call.query["offset"], found["users"])
    from shims.adapters import users_list_from_legacy

    legacy = call.legacy
    return users_list_from_legacy(call.tenant, legacy["users"], legacy["total"], call.query["limit"],
                                  call.query["offset"])


def _admins(call: _Call) -> Any:
    from shims.adapters import users_list_from_legacy

    return users_list_from_legacy(call.tenant, call.legacy["admins"], call.legacy["total"], ADMINS_LIMIT, 0)


def _user(call: _Call) -> Any:
    mapped = call.mapping("get_user")
    if mapped is not None:
        return mapped(call.legacy)
    from shims.adapters import user_from_legacy

    return user_from_legacy(call.legacy)


def _status(call: _Call) -> Any:
    mapped = call.mapping("get_tenant_status")
    if mapped is not None:
        return mapped(call.tenant, call.legacy)
    from shims.adapters import status_from_legacy

    return status_from_legacy(call.legacy)


def _settings(call: _Call) -> Any:
    mapped = call.mapping("get_settings")
    if mapped is not None:
        return mapped(call.tenant, call.legacy)
    from shims.adapters import settings_from_legacy

    return settings_from_legacy(call.legacy)


def _tenants(call: _Call) -> Any:
    """The Service Market's list alias: the summaries as it writes them (`{"tenants": [...], "total": n}`)."""
    mapped = call.mapping("list_tenants")
    if mapped is not None:
        summaries = mapped(call.legacy)
    else:
        from shims.adapters import tenant_summary_from_legacy

        summaries = [tenant_summary_from_legacy(item) for item in call.legacy["tenants"]]
    dumped = [s.model_dump(mode="json", exclude_unset=True) for s in summaries]
    return {"tenants": dumped, "total": len(dumped)}


def _no_query(inputs: dict[str, str]) -> Optional[dict[str, Any]]:
    return {} if not inputs else None


_OPERATIONS: dict[str, _Spec] = {
    "get_tenant_stats": _Spec("get_tenant_stats_from_legacy", _period_query, _stats),
    "get_tenant_costs": _Spec("get_tenant_costs_from_legacy", _period_query,
                              _period_read("get_tenant_costs", "costs_from_legacy")),
    "get_usage_patterns": _Spec("get_usage_patterns_from_legacy", _period_query,
                                _period_read("get_usage_patterns", "usage_patterns_from_legacy")),
    "get_top_users": _Spec("get_top_users_from_legacy", _top_query,
                           _period_read("get_top_users", "top_users_from_legacy")),
    "list_users": _Spec("list_users_from_legacy", _users_query, _users),
    "list_users/admins": _Spec("users_list_from_legacy",
                               lambda q: {"role": "admin", "limit": ADMINS_LIMIT, "offset": 0}, _admins),
    "get_user": _Spec("get_user_from_legacy", lambda q: {}, _user),
    "get_tenant_status": _Spec("get_tenant_status_from_legacy", lambda q: {}, _status),
    "get_settings": _Spec("get_settings_from_legacy", lambda q: {}, _settings),
    "list_tenants": _Spec("list_tenants_from_legacy", _no_query, _tenants, tenant_scoped=False,
                          headers=(("x-api-key", ""),)),
}
