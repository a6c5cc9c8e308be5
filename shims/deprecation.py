"""Deprecated routes: their response headers, a FastAPI dependency that sets them, and a counter of who still calls.

Headers: `Deprecation: @<unix seconds>` (RFC 9745, a structured-field Date), `Sunset: <IMF-fixdate>` (RFC 8594,
never earlier than Deprecation) and `Link: <successor>; rel="successor-version"` (plus, optionally, the docs as
`rel="deprecation"; type="text/html"`).

Why not the `fastapi-deprecation` package (0.5.2, evaluated): it formats `Deprecation`/`Sunset` correctly and has a
per-route dependency, but (1) its counter keys on path, method and phase only, with no notion of the caller, and
has no file-backed log to gate phase 3 on; (2) it cannot fill `{tenant_id}`-style placeholders of the successor
link from the request; (3) its dependency sets headers on the injected `Response` only, so an `HTTPException`
raised by the route loses them; (4) it has no parsers (parity needs them to check recorded headers; ours are in
`migrator.testing.headers`); (5) after the sunset it starts answering 410 by itself, which must stay phase 3's
explicit decision; and it pulls in `python-dateutil`. The small part we need is written here instead.

Where the headers appear: the dependency sets them on the response FastAPI builds from the route's return value,
and adds them to any `HTTPException` raised after it ran (by the route body, or by a dependency declared after it
- FastAPI runs the decorator's ``dependencies=[...]`` first). They are *not* added to (a) a `Response` object the
route returns itself (FastAPI drops the injected response's headers then), (b) FastAPI's own 422 validation
errors, (c) unhandled exceptions (500) and (d) responses written by app-level exception handlers for non-HTTP
exceptions.

The phase-2 decorator: `deprecated.deprecated(reason=..., version=...)` (the `deprecated` package, built on
`wrapt`) placed directly under a FastAPI route decorator keeps working - FastAPI sees the real signature (wrapt
forwards `__wrapped__`, `__signature__`, `__globals__`), still recognises `async def` endpoints as coroutines, and
every call emits a `DeprecationWarning` (for `async def` when the coroutine is created, i.e. on each request). So no
wrapper of our own is needed; `shims.deprecation.deprecated` *is* `deprecated.deprecated`, re-exported so generated
code imports everything from one place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from deprecated import deprecated
from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import Headers, MutableHeaders

from shims.pathtemplates import bare, fill, matched_route_path

__all__ = [
    "CallCounter",
    "CallRecord",
    "DeprecationUsage",
    "caller_identity",
    "create_deprecation_router",
    "deprecated",
    "deprecated_endpoint",
    "deprecation_headers",
    "fill_placeholders",
    "format_deprecation",
    "format_link",
    "format_sunset",
    "get_default_counter",
    "route_template",
    "set_default_counter",
    "to_utc",
]

logger = logging.getLogger("shims.deprecation")

LOG_ENV = "MIGRATOR_DEPRECATION_LOG"
CREDENTIAL_HEADERS = ("authorization", "x-marketplace-key", "x-api-key", "x-market-api-key")

DateLike = date | datetime | str

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- dates ----------------------------------------------------------------------------------------------------


def to_utc(when: DateLike) -> datetime:
    """A `date` (00:00:00 UTC that day), an aware `datetime`, or an ISO 8601 string of either, as aware UTC.

    A naive datetime is refused: guessing its zone would move the published dates by hours.
    """
    if isinstance(when, str):
        text = when.strip()
        try:
            when = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or date-time: {when!r}") from None
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"datetime {when.isoformat()} has no time zone; pass an aware datetime or a date")
        return when.astimezone(timezone.utc)
    if isinstance(when, date):
        return datetime(when.year, when.month, when.day, tzinfo=timezone.utc)
    raise TypeError(f"expected a date, an aware datetime or an ISO 8601 string, got {type(when).__name__}")


def format_deprecation(when: DateLike) -> str:
    """RFC 9745 `Deprecation` value: `@<unix seconds>` (sub-second precision is dropped)."""
    return f"@{int(to_utc(when).timestamp() // 1)}"


def format_sunset(when: DateLike) -> str:
    """RFC 8594 `Sunset` value: an IMF-fixdate in GMT, e.g. `Wed, 23 Dec 2026 00:00:00 GMT`."""
    dt = to_utc(when)
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


# --- links ----------------------------------------------------------------------------------------------------


_UNSAFE_IN_LINK = re.compile(r"[<>\s\"\x00-\x1f\x7f]")
_UNSAFE_IN_PARAM = re.compile(r"[\"\\\x00-\x1f\x7f]")


def format_link(url: str, rel: str = "successor-version", type: str | None = None) -> str:
    """`<url>; rel="..."[; type="..."]`. Refuses values that could break out of the header (CR/LF, `<>`, quotes)."""
    if not url or _UNSAFE_IN_LINK.search(url):
        raise ValueError(f"URL not usable in a Link header (empty, or contains <, >, quotes or whitespace): {url!r}")
    for name, param in (("rel", rel), ("type", type)):
        if param is not None and (not param.strip() or _UNSAFE_IN_PARAM.search(param)):
            raise ValueError(f"{name} not usable in a Link header: {param!r}")
    text = f'<{url}>; rel="{rel}"'
    return f'{text}; type="{type}"' if type else text


def deprecation_headers(
    deprecated_at: DateLike, sunset: DateLike, successor: str | None, docs_url: str | None = None
) -> dict[str, str]:
    """The three headers of a deprecated route. Raises ValueError when the sunset precedes the deprecation."""
    start, end = to_utc(deprecated_at), to_utc(sunset)
    if end < start:
        raise ValueError(f"Sunset ({end.isoformat()}) is earlier than Deprecation ({start.isoformat()})")
    headers = {"Deprecation": format_deprecation(start), "Sunset": format_sunset(end)}
    links = [format_link(successor)] if successor else []
    if docs_url:
        links.append(format_link(docs_url, rel="deprecation", type="text/html"))
    if links:
        headers["Link"] = ", ".join(links)
    return headers


# --- who still calls ------------------------------------------------------------------------------------------


def caller_identity(headers: Mapping[str, str], client_host: str | None) -> str:
    """`key:<12 hex of sha256(credential)>` for the first credential header present, else `ip:<client host>`.

    The credential itself never leaves this function; 48 bits of its hash tell callers apart without revealing it.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    for name in CREDENTIAL_HEADERS:
        credential = (lowered.get(name) or "").strip()
        if credential:
            return "key:" + hashlib.sha256(credential.encode("utf-8")).hexdigest()[:12]
    return f"ip:{client_host or 'unknown'}"


class CallRecord(BaseModel):
    """One line of the call log (JSON Lines)."""

    ts: datetime
    route: str
    caller: str


class CallCounter:
    """Thread-safe count of calls to deprecated routes, per route and caller, optionally logged to a JSONL file.

    With `path`, existing lines are loaded first (counts survive a restart) and every call is appended.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = {}
        self._times: dict[str, array] = {}  # route -> call times (unix seconds), compact for long-running services
        if self.path is not None and self.path.exists():
            try:
                for record in _read_records(self.path):
                    self._add(record.route, record.caller, record.ts)
            except OSError as exc:
                # An unreadable history must not take the deprecated routes down: count from zero.
                logger.warning("could not read deprecation log %s: %s", self.path, exc)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CallCounter:
        """Read a call log into a memory-only counter (for reports; nothing is appended to the file)."""
        counter = cls()
        for record in _read_records(Path(path)):
            counter._add(record.route, record.caller, record.ts)
        return counter

    def _add(self, route: str, caller: str, when: datetime) -> None:
        callers = self._counts.setdefault(route, {})
        callers[caller] = callers.get(caller, 0) + 1
        self._times.setdefault(route, array("d")).append(when.timestamp())

    def record(self, route: str, caller: str, when: datetime | None = None) -> None:
        when = to_utc(when) if when is not None else datetime.now(timezone.utc)
        with self._lock:
            self._add(route, caller, when)
            if self.path is not None:
                line = CallRecord(ts=when, route=route, caller=caller).model_dump_json() + "\n"
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    with self.path.open("a", encoding="utf-8") as fh:
                        fh.write(line)
                except OSError as exc:
                    # Counting must never break the deprecated route itself.
                    logger.warning("could not append to deprecation log %s: %s", self.path, exc)

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {route: dict(callers) for route, callers in sorted(self._counts.items())}

    def total(self) -> int:
        with self._lock:
            return sum(sum(callers.values()) for callers in self._counts.values())

    def calls_since(self, days: float, now: datetime | None = None, *, route: str | None = None) -> int:
        """Calls in the last `days` days before `now` (inclusive of both ends), for one route or all."""
        return sum(
            count for name, count in self.calls_since_by_route(days, now).items() if route is None or name == route
        )

    def calls_since_by_route(self, days: float, now: datetime | None = None) -> dict[str, int]:
        end = to_utc(now) if now is not None else datetime.now(timezone.utc)
        start = (end - timedelta(days=days)).timestamp()
        stop = end.timestamp()
        with self._lock:
            return {route: sum(1 for t in times if start <= t <= stop) for route, times in sorted(self._times.items())}


def _read_records(path: Path) -> Iterator[CallRecord]:
    bad: list[int] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = CallRecord.model_validate_json(line)
                to_utc(record.ts)  # a naive timestamp is as corrupt as a missing one
            except (ValidationError, ValueError):
                bad.append(number)
                continue
            yield record
    if bad:
        shown = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
        logger.warning("%s: skipped %d corrupt line(s): line %s", path, len(bad), shown)


_default_counter: CallCounter | None = None
_default_lock = threading.Lock()


def get_default_counter() -> CallCounter:
    """The process-wide counter; its file is env `MIGRATOR_DEPRECATION_LOG` (read on first use; unset = memory)."""
    global _default_counter
    with _default_lock:
        if _default_counter is None:
            _default_counter = CallCounter(os.environ.get(LOG_ENV) or None)
        return _default_counter


def set_default_counter(counter: CallCounter | None) -> None:
    """Replace the process-wide counter (None: build it again from the environment on next use)."""
    global _default_counter
    with _default_lock:
        _default_counter = counter


# --- the dependency -------------------------------------------------------------------------------------------

def route_template(request: Request) -> str:
    """`METHOD /full/path/{param}` of the matched route (never the concrete path: ids would explode the counts)."""
    path = matched_route_path(request.scope) or request.url.path
    return f"{request.method} {bare(path)}"


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """Replace `{name}` by the URL-quoted value; unknown names stay as they are."""
    return fill(template, values, lambda value: quote(value, safe=""))


def deprecated_endpoint(
    *,
    deprecated_at: DateLike,
    sunset: DateLike,
    successor: str | None,
    docs_url: str | None = None,
    counter: CallCounter | None = None,
) -> Callable[..., Any]:
    """A dependency for ``@router.get(..., dependencies=[Depends(deprecated_endpoint(...))])``.

    Sets `Deprecation`, `Sunset` and `Link` on the route's responses (see the module docstring for which), fills
    `{name}` placeholders of `successor` from the path parameters and `{tenant_id}` from `X-Tenant-ID`, and
    records the call in `counter` (default: the process-wide counter).
    """
    fixed = deprecation_headers(deprecated_at, sunset, None)  # validates the dates once, when the route is built
    if successor:
        format_link(successor)  # validates the template (placeholders are filled with quoted values)
    docs_link = format_link(docs_url, rel="deprecation", type="text/html") if docs_url else None

    def headers_for(path_params: Mapping[str, Any], tenant_id: str) -> dict[str, str]:
        values = {"tenant_id": tenant_id}
        values.update({k: str(v) for k, v in path_params.items()})
        links = [format_link(fill_placeholders(successor, values))] if successor else []
        if docs_link:
            links.append(docs_link)
        headers = dict(fixed)
        if links:
            headers["Link"] = ", ".join(links)
        return headers

    def record(scope: dict, headers: Mapping[str, str], client_host: str | None) -> None:
        scope[_RECORDED] = True
        (counter if counter is not None else get_default_counter()).record(
            route_template(Request(scope)), caller_identity(headers, client_host))

    async def deprecation_dependency(request: Request, response: Response):
        headers = headers_for(request.path_params, request.headers.get("x-tenant-id", ""))
        response.headers.update(headers)
        record(request.scope, request.headers, request.client.host if request.client else None)
        try:
            yield
        except HTTPException as exc:
            exc.headers = {**headers, **(exc.headers or {})}
            raise

    # read by DeprecationHeadersMiddleware for the answers this dependency never sees (see there)
    deprecation_dependency.deprecation = _Deprecation(headers_for, record)  # type: ignore[attr-defined]
    return deprecation_dependency


_RECORDED = "migrator.deprecation.recorded"


@dataclass(frozen=True)
class _Deprecation:
    headers_for: Callable[[Mapping[str, Any], str], dict[str, str]]
    record: Callable[[dict, Mapping[str, str], str | None], None]


def _deprecation_of(route: Any) -> _Deprecation | None:
    for depends in getattr(route, "dependencies", None) or ():
        info = getattr(getattr(depends, "dependency", None), "deprecation", None)
        if isinstance(info, _Deprecation):
            return info
    return None


def _method_of(route: Any, method: str) -> bool:
    methods = getattr(route, "methods", None)
    return not methods or method in methods or (method == "HEAD" and "GET" in methods)


class DeprecationHeadersMiddleware:
    """Puts the deprecation headers on every answer of a deprecated route, and counts the call.

    The route's `deprecated_endpoint` dependency covers its own answers and the HTTP errors raised after it ran,
    but FastAPI runs router-level dependencies first and builds validation errors itself: a 401 from a router-level
    auth dependency, or a 422, never passes through it. This pure ASGI middleware sees the matched route in the
    scope and adds what is missing (a call the dependency recorded already is not counted twice).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                route = scope.get("route")
                # a 405 (the path of a deprecated route, another method) is no call of that route
                info = _deprecation_of(route) if _method_of(route, scope.get("method", "")) else None
                if info is not None:
                    request_headers = Headers(scope=scope)
                    headers = MutableHeaders(scope=message)
                    if "deprecation" not in headers:
                        tenant = request_headers.get("x-tenant-id", "")
                        for name, value in info.headers_for(scope.get("path_params") or {}, tenant).items():
                            headers[name] = value
                    if not scope.get(_RECORDED):
                        client = scope.get("client")
                        info.record(scope, request_headers, client[0] if client else None)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- the report route -----------------------------------------------------------------------------------------


class RecentCalls(BaseModel):
    days: int
    total: int
    routes: dict[str, int]


class DeprecationUsage(BaseModel):
    """`GET /mt/deprecations`: every call so far per route and caller, and the last 7 days per route."""

    calls: dict[str, dict[str, int]]
    total: int
    last_7_days: RecentCalls


def create_deprecation_router(counter: CallCounter | None = None, prefix: str = "/mt") -> APIRouter:
    """`GET {prefix}/deprecations`. Under `/mt/` so that the market-key middleware guards it."""
    router = APIRouter(prefix=prefix, tags=["deprecation"])

    @router.get("/deprecations", response_model=DeprecationUsage)
    async def deprecations() -> DeprecationUsage:
        source = counter if counter is not None else get_default_counter()
        recent = source.calls_since_by_route(7)
        return DeprecationUsage(
            calls=source.snapshot(),
            total=source.total(),
            last_7_days=RecentCalls(days=7, total=sum(recent.values()), routes=recent),
        )

    return router
