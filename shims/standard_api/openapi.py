"""What the Standard API and Service Market routes document beside their success answer, and the 405 answers.

- `error_responses(operation)`: the OpenAPI ``responses`` of one ``/mt`` operation, every status it can return with
  the body actually sent (`ErrorResponse`; 422 is FastAPI's own validation error, which FastAPI documents itself).
- `add_method_not_allowed(router, body)`: for every path of a router, one hidden route that answers the methods
  the path does not serve with 405 and an ``Allow`` header naming *every* method it does serve (Starlette's own
  405 names only the methods of the first route matching the path).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from .models import ErrorResponse

__all__ = ["STANDARD_ERRORS", "add_method_not_allowed", "error_responses", "responses_for"]

_DESCRIPTIONS = {
    400: "Invalid request (INVALID_REQUEST): a value the service cannot use, e.g. a malformed month",
    401: "Missing or invalid market API key (UNAUTHORIZED)",
    403: "The feature is disabled for this tenant (FEATURE_DISABLED)",
    404: "Unknown tenant (TENANT_NOT_FOUND) or user (USER_NOT_FOUND)",
    409: "The tenant (TENANT_EXISTS) or user (USER_EXISTS) exists already",
    429: "A quota of the tenant is reached (QUOTA_EXCEEDED)",
    500: "Unexpected failure (INTERNAL_ERROR); the body never carries internals",
    501: "The service does not implement this operation (NOT_IMPLEMENTED)",
    503: "No market API key is configured on the service (SERVICE_UNAVAILABLE)",
}

#: statuses every tenant-scoped operation can return (beyond FastAPI's 422)
_TENANT = (400, 401, 404, 500, 501, 503)
#: extra statuses per operation
_EXTRA: dict[str, tuple[int, ...]] = {
    "activate_tenant": (409,),
    "create_user": (409, 429),
    "update_user": (409,),
    "update_settings": (403,),
}
_NO_TENANT = {"check_health": (), "list_tenants": (401, 500, 501, 503)}

STANDARD_ERRORS = ErrorResponse


def responses_for(statuses: Iterable[int], model: type[BaseModel] = ErrorResponse,
                  descriptions: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:  # fmt: skip
    texts = {**_DESCRIPTIONS, **(descriptions or {})}
    return {status: {"model": model, "description": texts.get(status, "Error")} for status in sorted(set(statuses))}


def error_responses(operation: str) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a standard operation (all carry `ErrorResponse`)."""
    if operation in _NO_TENANT:
        return responses_for(_NO_TENANT[operation])
    return responses_for((*_TENANT, *_EXTRA.get(operation, ())))


ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def add_method_not_allowed(router: APIRouter, body: Callable[[str, str], Any]) -> None:
    """Answer unserved methods of each path with 405 and a complete ``Allow`` header.

    ``body(method, allow)`` builds the JSON body (the standard error, or the manual's ``{"detail": ...}``).
    Call it after every route is registered.
    """
    served: dict[str, set[str]] = defaultdict(set)
    for route in router.routes:
        if isinstance(route, APIRoute):
            served[route.path].update(route.methods)
    for path, methods in served.items():
        others = [m for m in ALL_METHODS if m not in methods]
        if others:
            router.add_api_route(
                path[len(router.prefix):] if router.prefix else path,
                _not_allowed(", ".join(sorted(methods)), body),
                methods=others,
                include_in_schema=False,
                name=f"method_not_allowed:{path}",
            )


def _not_allowed(allow: str, body: Callable[[str, str], Any]) -> Callable[..., Any]:
    async def method_not_allowed(request: Request) -> JSONResponse:
        return JSONResponse(body(request.method, allow), status_code=405, headers={"Allow": allow})

    return method_not_allowed
