"""`MarketAuthMiddleware`: the Service Market's API key in front of the Standard API (`/mt/...`).

A pure ASGI middleware (not `BaseHTTPMiddleware`): it only looks at HTTP requests whose path lies under a protected
prefix; lifespan and websocket scopes, and every other path (legacy routes keep their own auth), pass through.

Security choices, each stricter than mt_paas's `MarketAuthMiddleware`:
- no key configured means **fail closed** (503 and a warning), never open access;
- the key is compared in constant time against *every* configured key, on fixed-length SHA-256 digests, so neither
  the length nor the position of a matching key shows in the timing;
- the path is judged twice: as the router will see it and normalised (percent-decoded, `//` collapsed, `.`/`..`
  resolved, trailing slash dropped). It is protected if either view is under a protected prefix (case-insensitive),
  and excluded only if both views equal an excluded path exactly, so that no spelling of a path reaches a protected
  route through an exclusion.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import posixpath
from collections.abc import Iterable
from urllib.parse import unquote

logger = logging.getLogger("shims.market_auth")

UNAUTHORIZED_MESSAGE = "Missing or invalid {header} header"
NOT_CONFIGURED_MESSAGE = (
    "Market API authentication is not configured on this service: set MARKET_API_KEYS or MARKET_API_KEY"
)

# Enough rounds to undo double or triple encoding (`%252e`), bounded so a crafted path cannot loop for long.
_MAX_DECODE_ROUNDS = 4


# --- keys -----------------------------------------------------------------------------------------------------


def load_market_keys(explicit: Iterable[str] | str | None = None) -> tuple[str, ...]:
    """The configured market keys: `explicit` if given, else env `MARKET_API_KEYS` (comma separated), else env
    `MARKET_API_KEY` (mt_paas's single key). Blank entries are dropped; an empty result means "fail closed".

    A string argument is read as a comma-separated list (a bare string must never be iterated character by
    character, which would turn every letter into a valid key).
    """
    if explicit is None:
        raw = os.environ.get("MARKET_API_KEYS", "")
        if not raw.strip():
            raw = os.environ.get("MARKET_API_KEY", "")
        candidates: Iterable[str] = raw.split(",")
    elif isinstance(explicit, str):
        candidates = explicit.split(",")
    else:
        candidates = explicit
    keys = []
    for key in candidates:
        if not isinstance(key, str):
            raise TypeError(f"market API keys must be strings, got {type(key).__name__}")
        if key.strip():
            keys.append(key.strip())
    return tuple(dict.fromkeys(keys))


def key_digests(keys: Iterable[str]) -> tuple[bytes, ...]:
    return tuple(hashlib.sha256(key.encode("utf-8")).digest() for key in keys)


def key_matches(candidate: bytes | str | None, digests: tuple[bytes, ...]) -> bool:
    """Constant-time membership test: every configured key is compared, with no early exit."""
    if candidate is None:
        return False
    if isinstance(candidate, str):
        candidate = candidate.encode("utf-8")
    probe = hashlib.sha256(candidate).digest()
    matched = False
    for digest in digests:
        matched |= hmac.compare_digest(probe, digest)
    return matched and bool(candidate)


# --- paths ----------------------------------------------------------------------------------------------------


def route_path(scope: dict) -> str:
    """The path the router matches on: `scope["path"]` without the `root_path` (as Starlette does)."""
    path = scope.get("path") or "/"
    root = scope.get("root_path") or ""
    if root and path.startswith(root) and path != root and path[len(root)] == "/":
        return path[len(root) :]
    return path


def normalize_path(path: str) -> str:
    """Percent-decode (repeatedly, `%2F` and `%2e` included), collapse `//`, resolve `.` and `..` (never above
    the root) and drop a trailing slash (except for the root itself)."""
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    path = "/" + path.lstrip("/")
    path = posixpath.normpath(path)
    # normpath keeps a leading "//" (POSIX allows it to mean something else); the web does not.
    return "/" + path.lstrip("/")


def _strip_trailing_slash(path: str) -> str:
    return path.rstrip("/") or "/"


def _as_prefix(prefix: str) -> str:
    return prefix.rstrip("/").lower() + "/"


# --- middleware -----------------------------------------------------------------------------------------------


class MarketAuthMiddleware:
    """Require a valid market key header on every request under `protect_prefixes`, except `exclude_paths`.

    Keys come from `valid_keys` when given (a list, or a comma-separated string), else from the environment
    (read once, here). `exclude_paths` match exactly (after normalisation; `/mt/health/` equals `/mt/health`).
    """

    def __init__(
        self,
        app,
        api_key_header: str = "X-Market-API-Key",
        valid_keys: Iterable[str] | str | None = None,
        exclude_paths: Iterable[str] = ("/mt/health",),
        protect_prefixes: Iterable[str] = ("/mt/",),
    ) -> None:
        if not api_key_header or not api_key_header.strip():
            raise ValueError("api_key_header must name a header")
        self.app = app
        self.api_key_header = api_key_header.strip()
        self._header_name = self.api_key_header.lower().encode("latin-1")
        self._digests = key_digests(load_market_keys(valid_keys))
        self.exclude_paths = frozenset(normalize_path(p) for p in exclude_paths)
        self.protect_prefixes = tuple(_as_prefix(p) for p in protect_prefixes)

    @property
    def configured(self) -> bool:
        return bool(self._digests)

    def is_protected(self, scope: dict) -> bool:
        """True when the request must carry a valid key."""
        raw = route_path(scope)
        views = (raw, normalize_path(raw))
        # "/mt" itself counts as under "/mt/": compare with a trailing slash on both sides.
        if not any(
            (view.rstrip("/").lower() + "/").startswith(prefix) for view in views for prefix in self.protect_prefixes
        ):
            return False
        # Excluded only when the router's own view *and* the normalised view are an excluded path.
        return not all(_strip_trailing_slash(view) in self.exclude_paths for view in views)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.is_protected(scope):
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        if not self._digests:
            logger.warning(
                "refused %s %s with 503: no market API key is configured (set MARKET_API_KEYS or MARKET_API_KEY)",
                scope.get("method", "?"),
                path,
            )
            await _send_json(send, 503, "SERVICE_UNAVAILABLE", NOT_CONFIGURED_MESSAGE)
            return
        values = [value for name, value in scope.get("headers") or () if name.lower() == self._header_name]
        # A repeated key header is ambiguous (which one would a proxy forward?): refuse it.
        candidate = values[0] if len(values) == 1 else None
        if not key_matches(candidate, self._digests):
            client = scope.get("client")
            logger.info(
                "refused %s %s with 401: %s %s header (client %s)",
                scope.get("method", "?"),
                path,
                "missing" if not values else "invalid",
                self.api_key_header,
                client[0] if client else "unknown",
            )
            await _send_json(
                send,
                401,
                "UNAUTHORIZED",
                UNAUTHORIZED_MESSAGE.format(header=self.api_key_header),
                extra_headers=[(b"www-authenticate", f'ApiKey header="{self.api_key_header}"'.encode("latin-1"))],
            )
            return
        await self.app(scope, receive, send)


async def _send_json(send, status: int, code: str, message: str, extra_headers=()) -> None:
    body = json.dumps({"detail": {"success": False, "error": code, "message": message}}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        *extra_headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
