"""Black-box conformance suite of the Standard API v2 (the plan's §6 tester), run over HTTP.

`run_conformance(client, api_key=..., suite=..., tenant_id=...)` takes an ``httpx.Client`` whose base URL is the
service root: a plain client for a running service (``--target URL``) or a ``fastapi.testclient.TestClient`` for
an in-process app (``--app module:app``; httpx's ASGI transport is async-only). Every check records a status and,
on failure, a precise reason (expected vs got). What it asserts is the wire contract of STANDARD_API.md: paths,
status codes, exact JSON key sets and types, the error body, query validation, tenant scoping.

- Operations answering 501 are counted as "not implemented", apart from failures; a 501 on a mandatory operation
  (`MANDATORY`, abstract in mt_paas v2) is listed in ``mandatory_not_implemented`` and fails only with ``strict``.
- Without a tenant id the run picks a seeded one from the service's ``GET /api/tenant/list`` (`discover_tenant`).
- The ``webhook`` suite runs what the mt_paas sandbox tester checks on the Service Market webhook, plus the
  provisioning refusals (`migrator.conformance.webhook`).
- Writes clean up after themselves: the user the users suite creates is deleted, the tenant the lifecycle suite
  activates is deactivated (``preserve_data: false``), also when a check in between fails.
- The API key is sent as ``X-Market-API-Key`` and never written to the report (reasons are redacted).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Optional, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError, computed_field

from shims.spec import ALIAS_BY_NAME
from shims.standard_api.models import (
    ActivateResponse,
    CostsResponse,
    CreateUserResponse,
    DeactivateResponse,
    DeleteUserResponse,
    HealthResponse,
    LimitsResponse,
    SettingsResponse,
    StatsResponse,
    StatusResponse,
    TopUsersResponse,
    UsagePatternsResponse,
    UsageResponse,
    UserInfo,
    UsersListResponse,
)

from .shapes import shape_problems
from .tenancy import Deployment, observe_deployment
from .webhook import DEFAULT_WEBHOOK_PATH, webhook_checks

__all__ = [
    "AUTH_HEADER",
    "MANDATORY",
    "SUITES",
    "CheckResult",
    "CheckStatus",
    "ConformanceError",
    "ConformanceReport",
    "TargetUnreachableError",
    "run_conformance",
]

AUTH_HEADER = "X-Market-API-Key"
SUITES = ("dashboard", "users", "settings", "lifecycle", "webhook", "full")
TENANT_LIST_PATH = ALIAS_BY_NAME["service_market_list_tenants"].path
SERVICE_MARKET_KEY_HEADER = "X-API-Key"
#: reads every service must implement (abstract in mt_paas v2): a 501 on these is a failure
MANDATORY = frozenset(
    {"check_health", "get_tenant_status", "get_tenant_usage", "get_tenant_stats", "get_tenant_costs", "list_users",
     "get_user", "get_settings"}
)  # fmt: skip

M = TypeVar("M", bound=BaseModel)


class ConformanceError(ValueError):
    """The run cannot start (bad arguments): a usage error, not a conformance failure."""


class TargetUnreachableError(ConformanceError):
    """The target did not answer at all (connection refused, DNS, timeout)."""


class CheckStatus(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_IMPLEMENTED = "not-implemented"
    NOT_APPLICABLE = "not-applicable"  # the contract does not ask it of this deployment (the reason says why)


class CheckResult(BaseModel):
    suite: str
    name: str
    status: CheckStatus
    method: Optional[str] = None
    path: Optional[str] = None
    reason: Optional[str] = None
    duration_ms: float = 0.0


class ConformanceReport(BaseModel):
    target: str
    tenant_id: str
    #: "given", or where the run found it (``GET /api/tenant/list``)
    tenant_source: str = "given"
    suite: str
    strict: bool = False
    started_at: str
    duration_ms: float
    checks: list[CheckResult]
    #: mandatory operations (abstract in mt_paas v2) that answered 501
    mandatory_not_implemented: list[str] = []
    #: how the run knew the target is a single-tenant deployment (`migrator.conformance.tenancy`), else None
    single_tenant: Optional[str] = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in CheckStatus}
        for check in self.checks:
            counts[check.status.value] += 1
        return counts

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """True when no check failed (skipped and not-implemented checks are warnings)."""
        return all(check.status is not CheckStatus.FAILED for check in self.checks)

    def failures(self) -> list[CheckResult]:
        return [check for check in self.checks if check.status is CheckStatus.FAILED]


# --- outcome signals of one check -----------------------------------------------------------------------------


class _Outcome(Exception):
    status = CheckStatus.FAILED


class _Fail(_Outcome):
    status = CheckStatus.FAILED


class _Skip(_Outcome):
    status = CheckStatus.SKIPPED


class _NotImplemented(_Outcome):
    status = CheckStatus.NOT_IMPLEMENTED


class _NotApplicable(_Outcome):
    status = CheckStatus.NOT_APPLICABLE


_DEFAULT_KEY = object()


def _excerpt(response: httpx.Response, limit: int = 160) -> str:
    text = response.text.strip().replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


class _Run:
    """State of one run: the client, the results so far, and the request/assert helpers the checks use."""

    def __init__(self, client: httpx.Client, api_key: str, tenant_id: str, prefix: str, strict: bool = False,
                 new_tenant: Optional[str] = None) -> None:
        self.client = client
        self.strict = strict
        self.mandatory_missing: list[str] = []
        self.api_key = api_key
        self.tenant = tenant_id
        self.prefix = prefix.rstrip("/")
        self.results: list[CheckResult] = []
        self.by_name: dict[str, CheckResult] = {}
        self.suite = ""
        self._current: tuple[Optional[str], Optional[str]] = (None, None)
        self.unique = secrets.token_hex(4)
        self.missing_tenant = f"conformance_missing_{self.unique}"
        # the manual's id rule, "<name>_<application id>", so that legacy-backed services can create exactly it
        self.new_tenant = new_tenant or f"conformance_{secrets.randbelow(900_000_000) + 100_000_000}"
        #: the service serves one tenant, declared (--new-tenant is --tenant: the lifecycle suite claims, deactivates
        #: and reactivates that one) or observed (`observe_deployment`: those checks are not applicable); it creates
        #: no other (the webhook's creating checks are not applicable)
        self.declared_single = new_tenant is not None and new_tenant == tenant_id
        self.deployment: Optional[Deployment] = None

    @property
    def single_tenant(self) -> bool:
        return self.declared_single or self.deployment is not None

    @property
    def single_tenant_source(self) -> str:
        if self.declared_single:
            return "declared: --new-tenant is --tenant"
        return f"observed: {TENANT_LIST_PATH} names one tenant, tenancy single"

    def observe(self) -> Optional[Deployment]:
        """The single-tenant deployment the tenant list shows (read afresh: its owner may have changed)."""
        self.deployment = observe_deployment(self.client, self.api_key) or (
            self.deployment if self.declared_single else None)
        return self.deployment

    def not_applicable(self, name: str, reason: str) -> None:
        def check() -> None:
            raise _NotApplicable(reason)

        self.check(name, check)

    # --- requests ------------------------------------------------------------------------------------------

    def tpath(self, suffix: str = "", tenant: Optional[str] = None) -> str:
        return f"/tenant/{quote(tenant or self.tenant, safe='')}{suffix}"

    def raw_request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request outside the Standard API prefix (service root, Service Market paths); headers as given."""
        self._current = (method, path)
        try:
            return self.client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise _Fail(f"{method} {path}: request failed ({type(exc).__name__}: {exc})") from None

    def request(self, method: str, path: str, *, key: Any = _DEFAULT_KEY, **kwargs: Any) -> httpx.Response:
        headers = {}
        key = self.api_key if key is _DEFAULT_KEY else key
        if key is not None:
            headers[AUTH_HEADER] = key
        self._current = (method, self.prefix + path)
        try:
            return self.client.request(method, self.prefix + path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise _Fail(f"{method} {self.prefix + path}: request failed ({type(exc).__name__}: {exc})") from None

    # --- running checks ------------------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key and len(self.api_key) >= 4 else text

    def check(self, name: str, fn: Callable[[], Any], *, after: tuple[str, ...] = ()) -> Any:
        """Run one check; return its value when it passed, else None. ``after``: checks it depends on."""
        self._current = (None, None)
        started = time.perf_counter()
        value = None
        blocked = [dep for dep in after if self.by_name.get(dep) is None or
                   self.by_name[dep].status is not CheckStatus.PASSED]  # fmt: skip
        if blocked:
            status, reason = CheckStatus.SKIPPED, f"needs '{blocked[0]}', which did not pass"
        else:
            try:
                value = fn()
                status, reason = CheckStatus.PASSED, None
            except _Outcome as outcome:
                status, reason = outcome.status, str(outcome)
            except Exception as exc:  # a bug in a check or an unparseable answer must not abort the run
                status, reason = CheckStatus.FAILED, f"unexpected error in the check: {type(exc).__name__}: {exc}"
        method, path = self._current
        result = CheckResult(
            suite=self.suite,
            name=name,
            status=status,
            method=method,
            path=path,
            reason=self.redact(reason) if reason else None,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        self.results.append(result)
        self.by_name[name] = result
        return value if status is CheckStatus.PASSED else None

    # --- assertions ----------------------------------------------------------------------------------------

    def status(self, response: httpx.Response, expected: int, operation: str) -> None:
        got = response.status_code
        if got == expected:
            return
        if got == 501 and expected != 501:
            if operation in MANDATORY:
                if operation not in self.mandatory_missing:
                    self.mandatory_missing.append(operation)
                message = f"'{operation}' is mandatory but answered 501 Not Implemented"
                raise _Fail(message) if self.strict else _NotImplemented(message)
            raise _NotImplemented(f"'{operation}' answered 501 Not Implemented")
        raise _Fail(f"expected status {expected}, got {got}: {_excerpt(response)}")

    @staticmethod
    def json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise _Fail(f"response body is not JSON: {_excerpt(response)}") from None

    def model(self, response: httpx.Response, model: type[M], expected: int, operation: str) -> M:
        """Status, then the exact shape of ``model`` (keys and JSON types), then pydantic validation."""
        self.status(response, expected, operation)
        data = self.json(response)
        problems = shape_problems(data, model)
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise _Fail(f"{model.__name__}: " + "; ".join(problems[:5]) + more)
        try:
            return model.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
            raise _Fail(f"{model.__name__}: invalid {where}: {first['msg']}") from None

    def error(self, response: httpx.Response, expected: int, codes: tuple[str, ...], operation: str) -> None:
        """A Standard API error: status and ``{"detail": {"success": false, "error": CODE, "message": str}}``."""
        self.status(response, expected, operation)
        body = self.json(response)
        detail = body.get("detail") if isinstance(body, dict) else None
        if not isinstance(detail, dict):
            raise _Fail(f"error body is not {{'detail': {{success, error, message}}}}: {_excerpt(response)}")
        keys = set(detail)
        if keys != {"success", "error", "message"}:
            missing = sorted({"success", "error", "message"} - keys)
            extra = sorted(keys - {"success", "error", "message"})
            raise _Fail(f"error detail keys: missing {missing}, unexpected {extra}")
        if detail["success"] is not False:
            raise _Fail(f"wrong value $.detail.success: expected false, got {detail['success']!r}")
        if detail["error"] not in codes:
            raise _Fail(f"wrong value $.detail.error: expected {' or '.join(codes)}, got {detail['error']!r}")
        if not isinstance(detail["message"], str) or not detail["message"].strip():
            raise _Fail("wrong value $.detail.message: expected a non-empty string")

    def validation_error(self, response: httpx.Response) -> None:
        """FastAPI's 422 for malformed input (``detail`` is the list of problems)."""
        if response.status_code != 422:
            raise _Fail(f"expected status 422 (validation error), got {response.status_code}: {_excerpt(response)}")
        body = self.json(response)
        if not (isinstance(body, dict) and isinstance(body.get("detail"), list)):
            raise _Fail(f"422 body is not FastAPI's {{'detail': [...]}}: {_excerpt(response)}")


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise _Fail(message)


def _echo(field: str, got: Any, expected: Any) -> None:
    _expect(got == expected, f"wrong value $.{field}: expected {expected!r}, got {got!r}")


# --- suites ---------------------------------------------------------------------------------------------------


def _dashboard(run: _Run) -> None:
    _stats_checks(run)
    _cost_checks(run)
    _top_user_checks(run)
    _usage_pattern_checks(run)


def _stats_checks(run: _Run) -> None:
    days = {"7d": 7, "30d": 30, "90d": 90}

    def stats(period: Optional[str]) -> Callable[[], StatsResponse]:
        def check() -> StatsResponse:
            query = {"period": period} if period else {}
            data = run.model(run.request("GET", run.tpath("/stats"), params=query), StatsResponse, 200,
                             "get_tenant_stats")  # fmt: skip
            _echo("tenant_id", data.tenant_id, run.tenant)
            _echo("period", data.period, period or "30d")
            daily = (data.trends or {}).get("daily", [])
            _expect(len(daily) <= days.get(period or "30d", 366),
                    f"$.trends.daily has {len(daily)} entries, more than the {period or '30d'} period")  # fmt: skip
            return data

        return check

    run.check("stats: default period is 30d", stats(None))
    run.check("stats: period=7d", stats("7d"))
    run.check("stats: period=90d", stats("90d"))
    run.check("stats: period=1y (mt_paas accepts it)", stats("1y"))
    run.check("stats: invalid period → 422",
              lambda: run.validation_error(run.request("GET", run.tpath("/stats"), params={"period": "1w"})))
    run.check("stats: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/stats", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",), "get_tenant_stats"))


def _cost_checks(run: _Run) -> None:
    def costs() -> None:
        data = run.model(run.request("GET", run.tpath("/stats/costs")), CostsResponse, 200, "get_tenant_costs")
        _echo("tenant_id", data.tenant_id, run.tenant)
        _echo("period", data.period, "30d")
        _expect(len(data.by_user_top10) <= 10, f"$.by_user_top10 has {len(data.by_user_top10)} entries (max 10)")

    run.check("costs: default period", costs)

    def costs_of_month() -> None:
        month = datetime.now(timezone.utc).strftime("%Y-%m")
        data = run.model(run.request("GET", run.tpath("/stats/costs"), params={"period": month}), CostsResponse, 200,
                         "get_tenant_costs")  # fmt: skip
        _echo("period", data.period, month)
        wrong = [d.date for d in data.daily_trend if not d.date.startswith(month)]
        _expect(not wrong, f"$.daily_trend of period {month} has other days: {wrong[:3]}")

    run.check("costs: period=YYYY-MM (mt_paas's lifecycle test)", costs_of_month)
    run.check("costs: invalid period → 422",
              lambda: run.validation_error(run.request("GET", run.tpath("/stats/costs"), params={"period": "7"})))
    run.check("costs: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/stats/costs", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",),
        "get_tenant_costs"))  # fmt: skip


def _top_user_checks(run: _Run) -> None:
    def top_users(limit: Optional[int]) -> Callable[[], None]:
        def check() -> None:
            query = {"limit": limit} if limit else {}
            data = run.model(run.request("GET", run.tpath("/stats/top-users"), params=query), TopUsersResponse, 200,
                             "get_top_users")  # fmt: skip
            _echo("tenant_id", data.tenant_id, run.tenant)
            _echo("period", data.period, "30d")
            cap = limit or 10
            _expect(len(data.users) <= cap, f"$.users has {len(data.users)} entries, more than limit={cap}")

        return check

    run.check("top users: default limit 10", top_users(None))
    run.check("top users: limit=2 honoured", top_users(2))
    for bad in (0, 51):
        run.check(f"top users: limit={bad} → 422", lambda bad=bad: run.validation_error(
            run.request("GET", run.tpath("/stats/top-users"), params={"limit": bad})))  # fmt: skip
    run.check("top users: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/stats/top-users", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",),
        "get_top_users"))  # fmt: skip


def _usage_pattern_checks(run: _Run) -> None:
    def patterns() -> None:
        data = run.model(run.request("GET", run.tpath("/stats/usage-patterns")), UsagePatternsResponse, 200,
                         "get_usage_patterns")  # fmt: skip
        _echo("tenant_id", data.tenant_id, run.tenant)
        hours = [h.hour for h in data.hourly_distribution]
        _expect(all(0 <= h <= 23 for h in hours) and len(set(hours)) == len(hours),
                f"$.hourly_distribution hours must be distinct values 0-23, got {hours}")  # fmt: skip
        days_seen = [d.day for d in data.weekday_distribution]
        _expect(len(set(days_seen)) == len(days_seen), f"$.weekday_distribution repeats a day: {days_seen}")

    run.check("usage patterns: default period", patterns)
    run.check("usage patterns: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/stats/usage-patterns", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",),
        "get_usage_patterns"))  # fmt: skip


def _list(run: _Run, **params: Any) -> UsersListResponse:
    return run.model(run.request("GET", run.tpath("/users"), params=params), UsersListResponse, 200, "list_users")


def _users(run: _Run) -> None:
    first = _user_listing_checks(run)
    unknown_user = f"conformance_missing_{run.unique}"
    _user_read_checks(run, first, unknown_user)
    _user_crud(run, unknown_user)


def _user_listing_checks(run: _Run) -> Optional[UsersListResponse]:
    """The listing: default page, limits, validation, pagination, filters; the default page when it passed."""

    def default_page() -> UsersListResponse:
        data = _list(run)
        _echo("tenant_id", data.tenant_id, run.tenant)
        _echo("limit", data.limit, 20)
        _echo("offset", data.offset, 0)
        _expect(len(data.users) <= 20, f"$.users has {len(data.users)} entries, more than limit=20")
        _expect(data.total >= len(data.users), f"$.total ({data.total}) is less than the {len(data.users)} users")
        _expect(data.total == 0 or data.users, f"$.users is empty although $.total is {data.total}")
        return data

    first = run.check("users: list default page", default_page)
    run.check("users: limit=100 accepted", lambda: _echo("limit", _list(run, limit=100).limit, 100))
    for name, params in (("limit=0", {"limit": 0}), ("limit=101", {"limit": 101}), ("offset=-1", {"offset": -1}),
                         ("role=superuser", {"role": "superuser"}), ("status=gone", {"status": "gone"})):  # fmt: skip
        run.check(f"users: {name} → 422", lambda params=params: run.validation_error(
            run.request("GET", run.tpath("/users"), params=params)))  # fmt: skip
    run.check("users: pagination is consistent", lambda: _pagination(run))
    run.check("users: role and status filters", lambda: _filters(run))
    return first


def _pagination(run: _Run) -> None:
    whole = _list(run, limit=4, offset=0)
    if whole.total < 3:
        raise _Skip(f"the tenant has {whole.total} users; pagination needs at least 3")
    page1, page2 = _list(run, limit=2, offset=0), _list(run, limit=2, offset=2)
    _expect(page1.total == page2.total == whole.total,
            f"$.total differs between pages: {page1.total}, {page2.total}, {whole.total}")  # fmt: skip
    ids = [u.user_id for u in page1.users + page2.users]
    _expect(len(ids) == len(set(ids)), f"pages overlap: {ids}")
    expected = [u.user_id for u in whole.users]
    _expect(ids == expected, f"limit=2 pages give {ids}, limit=4 gives {expected}")
    beyond = _list(run, limit=5, offset=whole.total)
    _expect(beyond.users == [], f"offset=total should give an empty page, got {len(beyond.users)} users")


def _filters(run: _Run) -> None:
    admins = _list(run, role="admin", limit=100)
    wrong = [u.user_id for u in admins.users if u.role.value != "admin"]
    _expect(not wrong, f"role=admin returned users of another role: {wrong}")
    active = _list(run, status="active", limit=100)
    wrong = [u.user_id for u in active.users if u.status.value != "active"]
    _expect(not wrong, f"status=active returned users of another status: {wrong}")


def _user_read_checks(run: _Run, first: Optional[UsersListResponse], unknown_user: str) -> None:
    """A listed user read back; unknown users and tenants; creations the validation refuses."""

    def get_listed() -> None:
        if not first.users:
            raise _Skip("the tenant has no users to read")
        wanted = first.users[0].user_id
        data = run.model(run.request("GET", run.tpath(f"/users/{quote(wanted, safe='')}")), UserInfo, 200, "get_user")
        _echo("user_id", data.user_id, wanted)

    run.check("users: get a listed user", get_listed, after=("users: list default page",))
    run.check("users: unknown user → 404", lambda: run.error(
        run.request("GET", run.tpath(f"/users/{unknown_user}")), 404, ("USER_NOT_FOUND",), "get_user"))
    run.check("users: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/users", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",), "list_users"))
    run.check("users: create with missing fields → 422",
              lambda: run.validation_error(run.request("POST", run.tpath("/users"), json={})))
    run.check("users: create with an unknown role → 422", lambda: run.validation_error(run.request(
        "POST", run.tpath("/users"), json={"email": "x@example.com", "name": "x", "role": "superuser"})))


def _remember_user(response: httpx.Response, created: list[str]) -> None:
    """Note the id of a user a (possibly wrong) answer says was created, so that clean-up can delete it."""
    if 200 <= response.status_code < 300:
        try:
            data = response.json()
        except ValueError:
            return
        if isinstance(data, dict) and isinstance(data.get("user_id"), str) and data["user_id"] not in created:
            created.append(data["user_id"])


def _user_crud(run: _Run, unknown_user: str) -> None:
    email = f"conformance-{run.unique}@example.com"
    body = {"email": email, "name": "Conformance Check", "role": "user", "send_welcome_email": False}
    created: list[str] = []  # ids to delete at the end, whatever happens in between
    step = "users: create → 201"
    uid = run.check(step, lambda: _create_user(run, body, created))
    try:
        _created_user_checks(run, uid, body, created, step)
    finally:
        _clean_up_users(run, list(created))
    run.check("users: update unknown user → 404", lambda: run.error(
        run.request("PUT", run.tpath(f"/users/{unknown_user}"), json={"name": "x"}), 404, ("USER_NOT_FOUND",),
        "update_user"))  # fmt: skip
    run.check("users: delete unknown user → 404", lambda: run.error(
        run.request("DELETE", run.tpath(f"/users/{unknown_user}")), 404, ("USER_NOT_FOUND",), "delete_user"))


def _create_user(run: _Run, body: dict[str, Any], created: list[str]) -> str:
    response = run.request("POST", run.tpath("/users"), json=body)
    if response.status_code == 429:
        raise _Skip("the tenant's user quota is reached (429): cannot create a test user")
    _remember_user(response, created)
    data = run.model(response, CreateUserResponse, 201, "create_user")
    _echo("email", data.email, body["email"])
    _echo("name", data.name, body["name"])
    _echo("role", data.role.value, "user")
    return data.user_id


def _created_user_checks(run: _Run, uid: Optional[str], body: dict[str, Any], created: list[str], step: str) -> None:
    """Read, update, duplicate and delete the user `step` created (skipped when it did not pass)."""
    path = run.tpath(f"/users/{quote(uid or '', safe='')}")

    def read() -> None:
        data = run.model(run.request("GET", path), UserInfo, 200, "get_user")
        _echo("user_id", data.user_id, uid)
        _echo("email", data.email, body["email"])

    run.check("users: created user is readable", read, after=(step,))

    def update() -> None:
        change = {"name": "Conformance Check (updated)", "status": "suspended"}
        data = run.model(run.request("PUT", path, json=change), UserInfo, 200, "update_user")
        _echo("name", data.name, change["name"])
        _echo("status", data.status.value, "suspended")
        again = run.model(run.request("GET", path), UserInfo, 200, "get_user")
        _echo("name", again.name, change["name"])

    run.check("users: update name and status", update, after=(step,))
    run.check("users: update with an unknown status → 422", lambda: run.validation_error(
        run.request("PUT", path, json={"status": "gone"})), after=(step,))  # fmt: skip

    def duplicate() -> None:
        response = run.request("POST", run.tpath("/users"), json=body)
        _remember_user(response, created)
        run.error(response, 409, ("USER_EXISTS",), "create_user")

    run.check("users: duplicate e-mail → 409", duplicate, after=(step,))

    def delete() -> None:
        response = run.request("DELETE", path)
        if 200 <= response.status_code < 300 and uid in created:
            created.remove(uid)
        data = run.model(response, DeleteUserResponse, 200, "delete_user")
        _echo("success", data.success, True)
        _echo("user_id", data.user_id, uid)

    run.check("users: delete → 200", delete, after=(step,))
    run.check("users: deleted user → 404", lambda: run.error(
        run.request("GET", path), 404, ("USER_NOT_FOUND",), "get_user"), after=("users: delete → 200",))


def _clean_up_users(run: _Run, leftovers: list[str]) -> None:
    """Delete the test users still there (a check failed before deleting them); nothing to do, no check."""
    if not leftovers:
        return

    def cleanup() -> None:
        failed = []
        for leftover in leftovers:
            response = run.request("DELETE", run.tpath(f"/users/{quote(leftover, safe='')}"))
            if response.status_code not in (200, 204, 404):
                failed.append((leftover, response.status_code))
        if failed and all(code == 501 for _, code in failed):  # the service cannot delete users at all
            raise _NotImplemented(f"'delete_user' answered 501 Not Implemented: the test users "
                                  f"{[uid for uid, _ in failed]} remain (suspended if 'users: update name and "
                                  "status' passed): remove them by hand")  # fmt: skip
        _expect(not failed, f"could not delete the test users {[f'{u} ({c})' for u, c in failed]}: remove "
                            "them by hand")  # fmt: skip

    run.check("users: clean up test users", cleanup)


def _settings(run: _Run) -> None:
    t = run.tenant

    def get() -> SettingsResponse:
        data = run.model(run.request("GET", run.tpath("/settings")), SettingsResponse, 200, "get_settings")
        _echo("tenant_id", data.tenant_id, t)
        return data

    current = run.check("settings: get", get)
    run.check("settings: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/settings", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",), "get_settings"))

    def limits() -> None:
        data = run.model(run.request("GET", run.tpath("/limits")), LimitsResponse, 200, "get_limits")
        _echo("tenant_id", data.tenant_id, t)
        if current is not None:
            expected = current.config.limits.model_dump()
            got = data.model_dump(exclude={"tenant_id"})
            diff = sorted(k for k in expected if expected[k] != got.get(k))
            _expect(not diff, f"limits differ from $.config.limits of the settings in {diff}")

    run.check("limits: get (agrees with settings)", limits)
    run.check("limits: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/limits", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",), "get_limits"))

    def no_op_update() -> None:
        features = current.config.features.model_dump()
        data = run.model(run.request("PUT", run.tpath("/settings"), json={"features": features}), SettingsResponse,
                         200, "update_settings")  # fmt: skip
        _echo("tenant_id", data.tenant_id, t)
        _expect(data.config.features.model_dump() == features,
                f"$.config.features changed on an update with the same values: {data.config.features.model_dump()}")
        after = get()
        _expect(after == current, "settings read after a no-op update differ from before")

    run.check("settings: update with unchanged values", no_op_update, after=("settings: get",))
    run.check("settings: update with a wrong type → 422", lambda: run.validation_error(
        run.request("PUT", run.tpath("/settings"), json={"features": {"rag": "maybe"}})))
    run.check("settings: update unknown tenant → 404", lambda: run.error(
        run.request("PUT", run.tpath("/settings", run.missing_tenant), json={"features": {"rag": True}}), 404,
        ("TENANT_NOT_FOUND",), "update_settings"))  # fmt: skip


def _lifecycle(run: _Run) -> None:
    t = run.tenant
    run.check("health", lambda: run.model(run.request("GET", "/health"), HealthResponse, 200, "check_health"))

    def status() -> None:
        data = run.model(run.request("GET", run.tpath("/status")), StatusResponse, 200, "get_tenant_status")
        _echo("tenant_id", data.tenant_id, t)

    run.check("status", status)
    run.check("status: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/status", run.missing_tenant)), 404, ("TENANT_NOT_FOUND",), "get_tenant_status"))
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    run.check("usage: current month", _usage_of(run, t, month))
    run.check("usage: malformed period → 400", lambda: run.error(
        run.request("GET", run.tpath("/usage"), params={"period": "2026-13"}), 400, ("INVALID_REQUEST",),
        "get_tenant_usage"))  # fmt: skip
    run.check("usage: missing period → 422", lambda: run.validation_error(run.request("GET", run.tpath("/usage"))))
    run.check("usage: unknown tenant → 404", lambda: run.error(
        run.request("GET", run.tpath("/usage", run.missing_tenant), params={"period": month}), 404,
        ("TENANT_NOT_FOUND",), "get_tenant_usage"))  # fmt: skip
    _tenant_lifecycle(run, month)
    run.check("deactivate: unknown tenant → 404", lambda: run.error(
        run.request("POST", run.tpath("/deactivate", run.missing_tenant),
                    json={"reason": "conformance check", "preserve_data": True}),
        404, ("TENANT_NOT_FOUND",), "deactivate_tenant"))  # fmt: skip


def _usage_of(run: _Run, tenant: str, month: str) -> Callable[[], None]:
    def check() -> None:
        data = run.model(run.request("GET", run.tpath("/usage", tenant), params={"period": month}), UsageResponse,
                         200, "get_tenant_usage")  # fmt: skip
        _echo("tenant_id", data.tenant_id, tenant)
        _echo("period", data.period, month)

    return check


def activation_body(tenant_id: str, email: str) -> dict[str, Any]:
    """What the market's own client (`mt_paas.market.ServiceClient.activate_tenant`) sends: ``config`` empty."""
    return {
        "tenant_id": tenant_id,
        "tenant_name": "Conformance",
        "plan": "basic",
        "features": ["chat"],
        "config": {},
        "contact": {"email": email, "name": "Conformance Check"},
    }


def _tenant_lifecycle(run: _Run, month: str) -> None:
    """The market client's sequence on a new tenant: activate, status, usage, deactivate, activate again (the
    same contact reactivates it), status; plus the refusals around it. The id follows the manual's rule
    (``<name>_<application id>``) so that services which derive ids that way can create exactly it. A tenant that
    exists already (``--new-tenant`` naming a single-tenant deployment's own, unclaimed) goes through the same
    sequence (its first activation claims it) and is left active, never deactivated by the clean-up."""
    new = run.new_tenant
    existed = run.request("GET", run.tpath("/status", new)).status_code == 200
    body = activation_body(new, f"conformance-{run.unique}@example.com")
    other = activation_body(new, f"conformance-other-{run.unique}@example.com")
    run.check("activate: body/path tenant mismatch → 400", lambda: run.error(
        run.request("POST", run.tpath("/activate", new + "0"), json=body), 400, ("INVALID_REQUEST",),
        "activate_tenant"))  # fmt: skip
    run.check("activate: missing fields → 422",
              lambda: run.validation_error(run.request("POST", run.tpath("/activate", new), json={"tenant_id": new})))
    if run.single_tenant and not run.declared_single:
        _deployment_lifecycle(run, other)
        return
    state = {"active": False}

    def activate(name: str) -> Callable[[], None]:
        def check() -> None:
            response = run.request("POST", run.tpath("/activate", new), json=body)
            state["active"] = state["active"] or 200 <= response.status_code < 300
            data = run.model(response, ActivateResponse, 200, "activate_tenant")
            _echo("tenant_id", data.tenant_id, new)
            _echo("success", data.success, True)

        return check

    step = "activate: new tenant (exactly the path's id)"
    run.check(step, activate(step))
    try:
        run.check("activate: new tenant is active", _status_is(run, "active", gone_ok=False), after=(step,))
        run.check("activate: usage of the new tenant (YYYY-MM)", _usage_of(run, new, month), after=(step,))
        run.check("activate: existing tenant, another contact → 409", lambda: run.error(
            run.request("POST", run.tpath("/activate", new), json=other), 409, ("TENANT_EXISTS",), "activate_tenant"),
            after=(step,))  # fmt: skip
        run.check("activate: existing active tenant, same contact → its own tenant or 409",
                  lambda: _own_or_exists(run, body), after=(step,))  # fmt: skip
        deactivated = "deactivate: the new tenant (data preserved)"
        run.check(deactivated, _deactivate(run, state, preserve=True), after=(step,))
        run.check("deactivate: status is deactivated", _status_is(run, "deactivated", gone_ok=True),
                  after=(deactivated,))  # fmt: skip
        reactivated = "reactivate: the same contact activates it again"
        run.check(reactivated, activate(reactivated), after=(deactivated,))
        run.check("reactivate: status is active", _status_is(run, "active", gone_ok=False), after=(reactivated,))
    finally:
        if state["active"] and not existed:
            run.check("activate: clean up the test tenant", _deactivate(run, state, preserve=False))


#: the market's sequence on a new tenant: what an observed single-tenant deployment is not put through
_SEQUENCE = (
    "activate: new tenant (exactly the path's id)", "activate: new tenant is active",
    "activate: usage of the new tenant (YYYY-MM)",
    "activate: existing active tenant, same contact → its own tenant or 409",
    "deactivate: the new tenant (data preserved)", "deactivate: status is deactivated",
    "reactivate: the same contact activates it again", "reactivate: status is active",
)  # fmt: skip


def _deployment_lifecycle(run: _Run, other: dict[str, Any]) -> None:
    """An observed single-tenant deployment: its one tenant is never created, claimed or deactivated by conform
    (the sequence is not applicable, with the reason); what can be checked without changing it is."""
    served = run.new_tenant
    stranger = f"conformance_{secrets.randbelow(900_000_000) + 100_000_000}"
    stranger_body = activation_body(stranger, other["contact"]["email"])
    run.check("activate: another tenant id → 409 (one tenant per deployment)", lambda: run.error(
        run.request("POST", run.tpath("/activate", stranger), json=stranger_body), 409, ("TENANT_EXISTS",),
        "activate_tenant"))  # fmt: skip
    who = f"a single-tenant deployment ({run.single_tenant_source})"
    why = (f"{who}: conform does not claim, deactivate or reactivate its one tenant '{served}'; pass --new-tenant "
           f"{served} to run the sequence on it (a deployment not yet in use: its first activation claims it)")
    for name in _SEQUENCE:
        run.not_applicable(name, why)
    if run.deployment is not None and run.deployment.owner is not None:  # claimed: another contact is refused
        run.check("activate: existing tenant, another contact → 409", lambda: run.error(
            run.request("POST", run.tpath("/activate", served), json=other), 409, ("TENANT_EXISTS",),
            "activate_tenant"))  # fmt: skip
    else:
        run.not_applicable("activate: existing tenant, another contact → 409",
                           f"{who}: '{served}' is not claimed yet, an activation would claim it for conform's contact")


def _status_is(run: _Run, expected: str, *, gone_ok: bool) -> Callable[[], None]:
    def check() -> None:
        response = run.request("GET", run.tpath("/status", run.new_tenant))
        if gone_ok and response.status_code == 404:
            return  # a service may delete a deactivated tenant outright
        data = run.model(response, StatusResponse, 200, "get_tenant_status")
        _echo("status", data.status, expected)

    return check


def _own_or_exists(run: _Run, body: dict[str, Any]) -> None:
    response = run.request("POST", run.tpath("/activate", run.new_tenant), json=body)
    if response.status_code == 409:
        run.error(response, 409, ("TENANT_EXISTS",), "activate_tenant")
        return
    data = run.model(response, ActivateResponse, 200, "activate_tenant")
    _echo("tenant_id", data.tenant_id, run.new_tenant)


def _deactivate(run: _Run, state: dict[str, bool], *, preserve: bool) -> Callable[[], None]:
    def check() -> None:
        response = run.request("POST", run.tpath("/deactivate", run.new_tenant),
                               json={"reason": "conformance check", "preserve_data": preserve})  # fmt: skip
        if 200 <= response.status_code < 300:
            state["active"] = False
        data = run.model(response, DeactivateResponse, 200, "deactivate_tenant")
        _echo("tenant_id", data.tenant_id, run.new_tenant)
        _echo("success", data.success, True)
        _echo("status", data.status, "deactivated")
        _echo("data_preserved", data.data_preserved, preserve)

    return check


def _auth(run: _Run, require_auth: bool) -> None:
    def open_health() -> None:
        response = run.request("GET", "/health", key=None)
        _expect(response.status_code == 200,
                f"/health must answer without a key (the market probes it), got {response.status_code}")  # fmt: skip

    run.check("auth: health needs no key", open_health)
    wrong = "conformance-wrong-" + secrets.token_hex(8)

    def rejected(key: Optional[str]) -> Callable[[], None]:
        def check() -> None:
            response = run.request("GET", run.tpath("/status"), key=key)
            if response.status_code < 400:
                message = f"the target answered {response.status_code} to a request {'without a key' if key is None else 'with a wrong key'}"
                if require_auth:
                    raise _Fail(message + f": {AUTH_HEADER} is not enforced")
                raise _Skip(message + ": the target is not protected")
            run.error(response, 401, ("UNAUTHORIZED",), "auth")
            _expect(key is None or key not in response.text, "the 401 answer echoes the key that was sent")

        return check

    run.check("auth: no key → 401", rejected(None))
    run.check("auth: wrong key → 401", rejected(wrong))


def _preflight(run: _Run) -> None:
    """Stop early, with one clear message, when the target answers nothing or rejects the key we were given."""
    try:
        run.client.get(run.prefix + "/health")
        response = run.client.get(run.prefix + run.tpath("/status"), headers={AUTH_HEADER: run.api_key})
    except httpx.TransportError as exc:
        raise TargetUnreachableError(
            f"cannot reach {run.client.base_url}: {type(exc).__name__}: {run.redact(str(exc))}"
        ) from None
    if response.status_code in (401, 403):
        raise ConformanceError(
            f"the target rejects the given {AUTH_HEADER} ({response.status_code}): check --key or MARKET_API_KEY"
        )


def discover_tenant(client: httpx.Client, api_key: str) -> str:
    """A seeded tenant of the target: the first active one its ``GET /api/tenant/list`` names (the Service Market's
    tenant list, answered by every migrated service and most legacy ones). `ConformanceError` says how to choose
    one by hand when there is none."""
    how = (
        "pass --tenant ID: the id of an existing tenant of the service (one of its seeded tenants, or one created "
        "with POST /mt/tenant/{id}/activate)"
    )
    try:
        response = client.get(TENANT_LIST_PATH, headers={SERVICE_MARKET_KEY_HEADER: api_key})
    except httpx.TransportError as exc:
        raise TargetUnreachableError(f"cannot reach {client.base_url}: {type(exc).__name__}") from None
    try:
        tenants = response.json().get("tenants") if response.status_code == 200 else None
    except (ValueError, AttributeError):
        tenants = None
    if not isinstance(tenants, list):
        raise ConformanceError(f"no tenant given and GET {TENANT_LIST_PATH} answered {response.status_code}: {how}")
    ids = [t.get("tenant_id") for t in tenants if isinstance(t, dict) and isinstance(t.get("tenant_id"), str)]
    active = [t["tenant_id"] for t in tenants if isinstance(t, dict) and t.get("status") == "active"
              and isinstance(t.get("tenant_id"), str)]  # fmt: skip
    if not ids:
        raise ConformanceError(f"no tenant given and GET {TENANT_LIST_PATH} lists none: {how}")
    return (active or ids)[0]


def run_conformance(
    client: httpx.Client,
    *,
    api_key: str,
    suite: str = "full",
    tenant_id: Optional[str] = None,
    prefix: str = "/mt",
    require_auth: bool = False,
    target: Optional[str] = None,
    strict: bool = False,
    webhook_path: str = DEFAULT_WEBHOOK_PATH,
    new_tenant: Optional[str] = None,
) -> ConformanceReport:
    """Run ``suite`` against the service behind ``client`` (base URL = service root) and return the report.

    Raises `ConformanceError` for a bad suite, no tenant (none given, none listed) or a key the target rejects
    (401/403), and
    `TargetUnreachableError` when the target does not answer at all. ``require_auth``: fail (instead of skip) the auth checks when ``/mt`` answers without a key.
    ``target`` labels the report (default: the client's base URL). ``new_tenant``: the id the lifecycle checks
    activate (default: a fresh ``conformance_<n>``); equal to ``tenant_id`` for a single-tenant deployment, whose
    only tenant they then activate, deactivate and reactivate (and the webhook checks create no tenant).
    """
    if suite not in SUITES:
        raise ConformanceError(f"unknown suite '{suite}': choose one of {', '.join(SUITES)}")
    if not api_key:
        raise ConformanceError(f"no API key: pass the {AUTH_HEADER} value (--key or MARKET_API_KEY)")
    source = "given"
    if not tenant_id:
        tenant_id, source = discover_tenant(client, api_key), TENANT_LIST_PATH
    run = _Run(client, api_key, tenant_id, prefix, strict, new_tenant=new_tenant)
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    _preflight(run)
    if run.observe() is not None and not run.declared_single:
        run.new_tenant = run.deployment.tenant_id
    order = ("lifecycle", "dashboard", "users", "settings", "webhook") if suite == "full" else (suite,)
    steps = {"lifecycle": _lifecycle, "dashboard": _dashboard, "users": _users, "settings": _settings,
             "webhook": lambda run: webhook_checks(run, webhook_path)}  # fmt: skip
    for name in order:
        run.suite = name
        steps[name](run)
    if suite == "full":
        run.suite = "auth"
        _auth(run, require_auth)
    return ConformanceReport(
        target=target or str(client.base_url),
        tenant_id=tenant_id,
        tenant_source=source,
        suite=suite,
        strict=strict,
        mandatory_not_implemented=run.mandatory_missing,
        single_tenant=run.single_tenant_source if run.single_tenant else None,
        started_at=started_at,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        checks=run.results,
    )
