"""Record HTTP exchanges to a cassette (JSON Lines), with secrets redacted before anything touches the disk.

A service adds ``app.add_middleware(RecordingMiddleware, cassette="traffic.jsonl")``; `migrator parity` replays the
file after each migration phase. One line per exchange::

    {"id": 1, "name": null, "time": "...Z", "elapsed_ms": 2.1, "route": "/admin/users/{user_id}",
     "request": {"method", "path", "query", "headers", "json" | "body" | "body_b64"},
     "response": {"status", "headers", "json" | "body" | "body_b64"}}

What is kept (and therefore compared on replay):
- request headers: all except transport noise (host, content-length, connection, user-agent, accept-encoding, ...);
- response headers: all except date, server, content-length, transfer-encoding, connection and per-request ids or
  timings (x-request-id, x-correlation-id, x-process-time, x-response-time, x-runtime).

Secrets never reach a cassette (the rules: `shims.redaction`; applying them: `shims.redactor.Redactor`):
- every request header not on the allowlist of known non-secret headers (content-type, accept, x-tenant-id, ...;
  ``plain_headers=`` adds to it) becomes a stable placeholder ``<redacted:authorization:1>`` — one number per
  distinct value within the cassette, so replay can take ``--credential authorization:1=...``; an auth scheme is
  kept (``Bearer <redacted:authorization:1>``);
- query values and path segments whose names or values look like credentials: the same placeholders;
- JSON and form fields (requests, responses, the ``input`` of validation errors) whose names or values look like
  credentials become ``"<redacted>"``; response headers named like credentials (Set-Cookie, ...) too;
- a known credential value appearing anywhere else (echoed in a body, a query, a header) is replaced by its
  placeholder, and JWTs, PEM blocks and long random tokens by ``<redacted>`` wherever they appear.
The value→placeholder mapping lives in memory only.

This module is part of the runtime shims: no dependency on `migrator`.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

from shims.pathtemplates import matched_route_path as route_template
from shims.redaction import PLAIN_REQUEST_HEADERS, is_credential_name, is_secret_field
from shims.redactor import (
    DROPPED_REQUEST_HEADERS,
    DROPPED_RESPONSE_HEADERS,
    MAX_BODY_BYTES,
    PLACEHOLDER,
    REDACTED,
    Redactor,
    body_fields,
    placeholder_kind,
)

__all__ = [
    "DROPPED_REQUEST_HEADERS",
    "DROPPED_RESPONSE_HEADERS",
    "MAX_BODY_BYTES",
    "PLACEHOLDER",
    "PLAIN_REQUEST_HEADERS",
    "REDACTED",
    "RecordingMiddleware",
    "Redactor",
    "body_fields",
    "build_exchange",
    "dumps_exchange",
    "is_credential_name",
    "is_secret_field",
    "placeholder_kind",
    "route_template",
]


def build_exchange(
    *,
    method: str,
    path: str,
    query: str,
    request_headers: Iterable[tuple[str, str]],
    request_body: bytes,
    status: int,
    response_headers: Iterable[tuple[str, str]],
    response_body: bytes,
    redactor: Redactor,
    started: Optional[float] = None,
    elapsed_ms: Optional[float] = None,
    route: Optional[str] = None,
    name: Optional[str] = None,
    id: Optional[int] = None,
) -> dict[str, Any]:
    """One cassette line (a dict ready for ``json.dumps``), redacted."""
    req_headers = redactor.request_headers(request_headers)
    # Raw request headers are still needed to tell the body's type (content-type is never a secret).
    request = {"method": method.upper(), "path": redactor.path(path), "query": redactor.query(query),
               "headers": req_headers}
    request.update(body_fields(request_body, req_headers, redactor))
    resp_headers = redactor.response_headers(response_headers)
    response = {"status": status, "headers": resp_headers}
    response.update(body_fields(response_body, resp_headers, redactor))
    return {
        "id": id,
        "name": name,
        "time": _iso(started if started is not None else time.time()),
        "elapsed_ms": None if elapsed_ms is None else round(elapsed_ms, 1),
        "route": route,
        "request": request,
        "response": response,
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dumps_exchange(exchange: Mapping[str, Any]) -> str:
    return json.dumps(exchange, ensure_ascii=False, separators=(",", ":"))


_COUNTER = re.compile(r"<redacted:([a-z0-9_.-]+):(\d+)>")


def _resume(path: Path) -> tuple[int, dict[str, int]]:
    """Lines already in a cassette and the highest placeholder number per kind, so appending stays unambiguous."""
    count, counters = 0, {}
    if not path.exists():
        return 0, counters
    with path.open("r", encoding="utf-8", errors="replace") as handle:  # a damaged line must not stop recording
        for line in handle:
            if not line.strip():
                continue
            count += 1
            for kind, number in _COUNTER.findall(line):
                counters[kind] = max(counters.get(kind, 0), int(number))
    return count, counters


class RecordingMiddleware:
    """ASGI middleware: every HTTP exchange (not websockets, not lifespan) is appended to ``cassette``.

    ``sink`` (a callable taking the exchange dict) replaces the file, e.g. for tests. ``exclude_paths`` are not
    recorded (the docs by default); ``plain_headers`` are request headers recorded as they are (in addition to
    the allowlist of `shims.redaction`). Set ``enabled=False`` (e.g. from an env flag) to keep the wiring but record
    nothing. Appending to an existing cassette continues its ids and placeholder numbers; values seen before this
    process started cannot be matched to their old numbers, so they get new ones.
    """

    def __init__(
        self,
        app: Callable,
        cassette: str | os.PathLike | None = None,
        *,
        sink: Optional[Callable[[dict], None]] = None,
        exclude_paths: Iterable[str] = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"),
        enabled: bool = True,
        plain_headers: Iterable[str] = (),
    ) -> None:
        if cassette is None and sink is None and enabled:
            raise ValueError("RecordingMiddleware needs a cassette path or a sink")
        self.app = app
        self.enabled = enabled
        self.exclude_paths = frozenset(exclude_paths)
        self._path = Path(cassette) if cassette is not None else None
        self._sink = sink
        self._write_lock = threading.Lock()
        count, counters = _resume(self._path) if self._path is not None and sink is None else (0, {})
        self._next_id = count + 1
        self.redactor = Redactor(start=counters, plain_headers=plain_headers)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if not self.enabled or scope["type"] != "http" or scope.get("path") in self.exclude_paths:
            await self.app(scope, receive, send)
            return
        started, clock = time.time(), time.perf_counter()
        request_body = bytearray()
        response: dict[str, Any] = {"status": 0, "headers": [], "body": bytearray()}

        async def recording_receive() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                request_body.extend(message.get("body", b""))
            return message

        async def recording_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]]
            elif message["type"] == "http.response.body":
                response["body"].extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            if response["status"]:
                self._record(scope, started, clock, bytes(request_body), response)

    def _record(self, scope: dict, started: float, clock: float, request_body: bytes, response: dict) -> None:
        route = route_template(scope)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        with self._write_lock:
            exchange = build_exchange(
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                request_headers=headers,
                request_body=request_body,
                status=response["status"],
                response_headers=response["headers"],
                response_body=bytes(response["body"]),
                redactor=self.redactor,
                started=started,
                elapsed_ms=(time.perf_counter() - clock) * 1000,
                route=route,
                id=self._next_id,
            )
            self._next_id += 1
            if self._sink is not None:
                self._sink(exchange)
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as handle:
                handle.write(dumps_exchange(exchange) + "\n")
