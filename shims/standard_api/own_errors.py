"""Standard API routes answer their own errors, whatever exception handlers the serving app installs.

A migrated service often registers app-wide handlers (``@app.exception_handler(HTTPException)``,
``RequestValidationError``) that rewrite every error into its own envelope (``{"code": 404, "msg": ..., "data":
null}``). Raised from a ``/mt`` or Service Market route, a standard error would reach them and leave in that
envelope instead of ``{"detail": {"success": false, "error": CODE, "message": ...}}``. `answering_own_errors` wraps
a route class so that its routes answer ``HTTPException``s (the standard errors are ones) and validation errors
with FastAPI's default handlers, the wire STANDARD_API.md documents, before any app handler sees them.
Other exceptions are left to the app (its 500).
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response


def answering_own_errors(route_class: type[APIRoute]) -> type[APIRoute]:
    """A subclass of ``route_class`` whose routes answer their HTTP and validation errors themselves."""

    class OwnErrorsRoute(route_class):  # type: ignore[misc, valid-type]
        def get_route_handler(self) -> Callable[[Request], Any]:
            handler = super().get_route_handler()

            async def own_errors_handler(request: Request) -> Response:
                try:
                    return await handler(request)
                except HTTPException as exc:
                    return await http_exception_handler(request, exc)
                except RequestValidationError as exc:
                    return await request_validation_exception_handler(request, exc)

            return own_errors_handler

    OwnErrorsRoute.__name__ = OwnErrorsRoute.__qualname__ = f"OwnErrors{route_class.__name__}"
    return OwnErrorsRoute
