"""The Standard API answers its own errors, whatever exception handlers the service's app registers.

A legacy app often installs handlers of its own (``FastAPI(exception_handlers={HTTPException: ...,
RequestValidationError: ..., Exception: ...})``) that rewrite every error into the service's envelope, sometimes with
HTTP 200. Those handlers are right for the legacy routes and wrong for the wire contract: ``own_errors(route_class)``
is a route class whose routes answer an ``HTTPException`` (the standard errors are ones) and a validation error
with FastAPI's default handlers, inside the route, so the app's handlers never see them.
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response


def own_errors(route_class: type[APIRoute]) -> type[APIRoute]:
    """A subclass of ``route_class`` whose routes write their HTTP and validation errors themselves."""

    class OwnErrorsRoute(route_class):  # type: ignore[valid-type,misc]
        def get_route_handler(self) -> Callable[[Request], Any]:
            handler = super().get_route_handler()

            async def answering_handler(request: Request) -> Response:
                try:
                    return await handler(request)
                except RequestValidationError as exc:
                    return await request_validation_exception_handler(request, exc)
                except StarletteHTTPException as exc:  # FastAPI's HTTPException is a subclass
                    return await http_exception_handler(request, exc)

            return answering_handler

    OwnErrorsRoute.__name__ = OwnErrorsRoute.__qualname__ = f"OwnErrors{route_class.__name__}"
    return OwnErrorsRoute
