"""Bounded request bodies: the Standard API and Service Market routes answer 413 before reading a body in full.

``body_limited_route(max_body_bytes)`` is an ``APIRoute`` class for ``APIRouter(route_class=...)``. Each request is
checked twice: a declared ``Content-Length`` over the limit is refused before a byte of the body is read, and the
body actually received is counted chunk by chunk (a chunked upload declares no length), so the route stops reading
as soon as the limit is passed. The answer is 413 with the standard error body
``{"detail": {"success": false, "error": "INVALID_REQUEST", "message": "Request body too large ..."}}``
(``INVALID_REQUEST``: the contract has no code of its own for this).

The limit: the router argument, else env ``MARKET_MAX_BODY_BYTES`` (read when the router is built), else 1 MB.
It works with any FastAPI version that has ``APIRoute.get_route_handler`` (all of them), independently of
FastAPI's own ``max_body_size``.

The same route class keeps validation errors encodable: FastAPI's 422 echoes the rejected input, and an input it
cannot write as JSON (a body that is not UTF-8, a number such as ``1e400`` that parsed to infinity, a lone
surrogate) made every exception handler built on ``jsonable_encoder`` — FastAPI's own included — fail with a 500.
Such inputs are echoed as text instead (``\ufffd`` for undecodable bytes, ``"inf"`` for infinities).
"""

from __future__ import annotations

import math
import os
from typing import Any, Awaitable, Callable, Optional

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
MAX_BODY_ENV = "MARKET_MAX_BODY_BYTES"


def resolve_max_body_bytes(value: Optional[int] = None) -> int:
    """The limit in bytes: ``value``, else ``$MARKET_MAX_BODY_BYTES``, else 1 MB; a bad setting raises ValueError."""
    if value is None:
        raw = os.environ.get(MAX_BODY_ENV, "").strip()
        if not raw:
            return DEFAULT_MAX_BODY_BYTES
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{MAX_BODY_ENV} must be a whole number of bytes, got {raw!r}") from None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"the request body limit must be a positive number of bytes, got {value!r}")
    return value


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail={"success": False, "error": "INVALID_REQUEST",
                "message": f"Request body too large (the limit is {limit} bytes)"},
    )


def _bounded(receive: Callable[[], Awaitable[dict]], limit: int) -> Callable[[], Awaitable[dict]]:
    received = 0

    async def bounded_receive() -> dict:
        nonlocal received
        message = await receive()
        if message.get("type") == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return bounded_receive


def declared_length(request: Request) -> Optional[int]:
    value = request.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def encodable(value: Any) -> Any:
    """``value`` with what JSON cannot carry made into text (bytes, non-finite floats, lone surrogates)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {encodable(key): encodable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encodable(item) for item in value]
    return value


def encodable_error(exc: RequestValidationError) -> RequestValidationError:
    """The same validation error with every echoed ``input`` (and the body) encodable as JSON."""
    errors = [{**error, "input": encodable(error["input"])} if "input" in error else error for error in exc.errors()]
    return RequestValidationError(errors, body=encodable(getattr(exc, "body", None)))


def body_limited_route(max_body_bytes: Optional[int] = None) -> type[APIRoute]:
    """An ``APIRoute`` subclass refusing bodies over the limit (see the module docstring)."""
    limit = resolve_max_body_bytes(max_body_bytes)

    class BodyLimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Any]:
            handler = super().get_route_handler()

            async def bounded_handler(request: Request) -> Response:
                length = declared_length(request)
                if length is not None and length > limit:
                    raise too_large(limit)
                try:
                    return await handler(Request(request.scope, _bounded(request.receive, limit)))
                except RequestValidationError as exc:
                    raise encodable_error(exc) from None

            return bounded_handler

    BodyLimitedRoute.max_body_bytes = limit  # type: ignore[attr-defined]
    return BodyLimitedRoute
