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

Secrets never reach a cassette:
- credential headers (Authorization, X-Market-API-Key, X-Marketplace-Key, X-API-Key, Cookie and anything named like
  a key/token/secret/session) become stable placeholders ``<redacted:authorization:1>`` — one number per distinct
  value within the cassette, so replay can take ``--credential authorization:1=...``. An auth scheme is kept
  (``Bearer <redacted:authorization:1>``). Response credential headers (Set-Cookie, ...) become ``<redacted>``;
- query parameters named like credentials are treated as credential headers are;
- JSON (and form) fields named like passwords (password, passwd, secret, token, api_key, password_hash,
  temporary_password, ...) whose values are strings become ``"<redacted>"`` in request and response bodies;
- a known credential value appearing anywhere else (echoed in a body, a query, a header) is replaced by its
  placeholder.
The value→placeholder mapping lives in memory only.

This module is part of the runtime shims: no dependency on `migrator`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional
from urllib.parse import parse_qsl, urlencode

REDACTED = "<redacted>"

#: Headers that always carry credentials.
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-market-api-key",
        "x-marketplace-key",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)
# Any other header or query parameter whose name looks like one (x-service-token, x-session-id, api_key, ...).
_CREDENTIAL_NAME = re.compile(r"auth|token|secret|passw|api[-_]?key|session|cookie|credential|signature", re.I)

#: Request headers not recorded: transport details a replay client sets by itself.
DROPPED_REQUEST_HEADERS = frozenset(
    {"host", "content-length", "connection", "keep-alive", "user-agent", "accept-encoding", "transfer-encoding",
     "te", "trailer", "upgrade", "expect"}
)
#: Response headers not recorded: different on every call by nature, or implied by the body.
DROPPED_RESPONSE_HEADERS = frozenset(
    {"date", "server", "content-length", "transfer-encoding", "connection", "keep-alive", "x-request-id",
     "x-correlation-id", "x-process-time", "x-response-time", "x-runtime"}
)

# JSON field names (lower-cased, separators removed) whose string values are secrets.
_SECRET_FIELD = re.compile(r"passw|secret|credential$|(token|apikey|privatekey|sessionid|pwd)$")
_AUTH_SCHEME = re.compile(r"^(bearer|basic|token|digest|apikey|api-key)\s+(\S.*)$", re.I)
PLACEHOLDER = re.compile(r"\$\{[^}]+\}|<redacted(?::[a-z0-9_.-]+:\d+)?>")

MIN_SCRUB_LENGTH = 8

# Bodies larger than this are not stored (the exchange keeps its size in "body_omitted").
MAX_BODY_BYTES = 2 * 1024 * 1024


def is_credential_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in CREDENTIAL_HEADERS or bool(_CREDENTIAL_NAME.search(lowered))


def is_secret_field(key: str) -> bool:
    normalized = re.sub(r"[^a-z0-9]", "", key.lower())
    return bool(_SECRET_FIELD.search(normalized))


def placeholder_kind(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]", "-", name.lower())


class Redactor:
    """Turns secrets into placeholders; remembers value → placeholder (in memory only) so numbers stay stable.

    ``known`` maps credential values to the placeholder text to store instead (``{"tok": "${admin_seoul}"}``):
    `migrator record` passes the request list's credentials so the cassette keeps their symbolic names.
    """

    def __init__(self, known: Optional[Mapping[str, str]] = None, start: Optional[Mapping[str, int]] = None):
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._pattern: Optional[re.Pattern] = None
        self._counters: dict[str, int] = dict(start or {})
        for value, text in (known or {}).items():
            self.remember(value, text)

    def remember(self, value: str, text: str) -> None:
        # Short values would scrub innocent substrings ("short" in "string_too_short"); they are still redacted
        # where they are credentials (headers, password fields), just not hunted for inside other text.
        if value and len(value) >= MIN_SCRUB_LENGTH and value != text:
            with self._lock:
                self._known[value] = text
                self._pattern = None

    def scrub(self, text: str) -> str:
        """Replace every known credential value inside ``text`` by its placeholder."""
        if not self._known:
            return text
        pattern = self._pattern
        if pattern is None:
            values = sorted(self._known, key=len, reverse=True)
            pattern = self._pattern = re.compile("|".join(re.escape(v) for v in values))
        return pattern.sub(lambda m: self._known[m.group(0)], text)

    def credential(self, name: str, value: str) -> str:
        """The stored form of a request credential (header value or query parameter)."""
        scrubbed = self.scrub(value)
        if scrubbed != value or _is_placeholder_only(value):
            return scrubbed
        scheme, secret = "", value
        match = _AUTH_SCHEME.match(value)
        if match:
            scheme, secret = match.group(1) + " ", match.group(2)
        if not secret:
            return value
        kind = placeholder_kind(name)
        with self._lock:
            text = self._known.get(secret)
            if text is None:
                self._counters[kind] = self._counters.get(kind, 0) + 1
                text = f"<redacted:{kind}:{self._counters[kind]}>"
        self.remember(secret, text)
        return scheme + text

    def request_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers:
            name = name.lower()
            if name in DROPPED_REQUEST_HEADERS:
                continue
            value = self.credential(name, value) if is_credential_name(name) else self.scrub(value)
            out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def response_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers:
            name = name.lower()
            if name in DROPPED_RESPONSE_HEADERS:
                continue
            value = REDACTED if is_credential_name(name) else self.scrub(value)
            out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def query(self, query: str) -> str:
        if not query:
            return ""
        pairs = parse_qsl(query, keep_blank_values=True)
        redacted = [(k, self.credential(k, v) if is_credential_name(k) else self.scrub(v)) for k, v in pairs]
        # Re-encoding could change the spelling of an untouched query, so keep the original when nothing changed.
        return query if redacted == pairs else urlencode(redacted, safe="${}<>:")

    def body(self, value: Any) -> Any:
        """A JSON value with password-like string fields redacted and known credentials scrubbed."""
        if isinstance(value, dict):
            out = {
                k: (_redact_field(v) if isinstance(v, str) and is_secret_field(k) else self.body(v))
                for k, v in value.items()
            }
            # A validation error echoes the rejected value: {"loc": ["body", "password"], "input": "..."}.
            loc = value.get("loc")
            if "input" in out and isinstance(loc, list) and loc and isinstance(loc[-1], str) \
                    and is_secret_field(loc[-1]) and isinstance(out["input"], str):
                out["input"] = _redact_field(out["input"])
            return out
        if isinstance(value, list):
            return [self.body(v) for v in value]
        if isinstance(value, str) and self._known:
            return self.scrub(value)
        return value

    def form(self, text: str) -> str:
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, _redact_field(v) if is_secret_field(k) else self.scrub(v)) for k, v in pairs],
                         safe="${}<>:")

    def text(self, text: str) -> str:
        return self.scrub(text)


def _is_placeholder_only(value: str) -> bool:
    match = _AUTH_SCHEME.match(value)
    secret = match.group(2) if match else value
    return bool(PLACEHOLDER.fullmatch(secret.strip()))


def _redact_field(value: str) -> str:
    return value if PLACEHOLDER.fullmatch(value) else REDACTED


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def body_fields(raw: bytes, headers: Mapping[str, str], redactor: Redactor) -> dict[str, Any]:
    """The stored body: ``json`` (parsed), ``body`` (text) or ``body_b64``; nothing for an empty body."""
    if not raw:
        return {}
    if len(raw) > MAX_BODY_BYTES:
        return {"body_omitted": len(raw)}
    media = _media_type(headers)
    if media == "application/json" or media.endswith("+json"):
        try:
            return {"json": redactor.body(json.loads(raw))}
        except ValueError:
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"body_b64": base64.b64encode(raw).decode("ascii")}
    if media == "application/x-www-form-urlencoded":
        return {"body": redactor.form(text)}
    return {"body": redactor.text(text)}


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
    request = {"method": method.upper(), "path": path, "query": redactor.query(query), "headers": req_headers}
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


def route_template(scope: Mapping[str, Any]) -> Optional[str]:
    """The matched route's full path template (``/admin/users/{user_id}``), once the app has routed ``scope``."""
    # FastAPI >= 0.16x keeps the include prefix in its effective route context, not on the route object.
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None)
    if isinstance(path, str) and path:
        return path
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else None


_COUNTER = re.compile(r"<redacted:([a-z0-9_.-]+):(\d+)>")


def _resume(path: Path) -> tuple[int, dict[str, int]]:
    """Lines already in a cassette and the highest placeholder number per kind, so appending stays unambiguous."""
    count, counters = 0, {}
    if not path.exists():
        return 0, counters
    with path.open("r", encoding="utf-8") as handle:
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
    recorded (the docs by default). Set ``enabled=False`` (e.g. from an env flag) to keep the wiring but record
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
        self.redactor = Redactor(start=counters)

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
