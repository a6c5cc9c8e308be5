"""The request a Standard API call is serving, for code that needs the application behind it.

`create_standard_router` and the Service Market alias router add `remember_request` to their routes, so that a
handler method (which receives only the standard arguments) can still reach ``request.app``: `shims.legacy_deps`
uses it to honour ``app.dependency_overrides`` when it solves a legacy route's dependencies.

An ``async`` dependency on purpose: FastAPI awaits those in the endpoint's own context, so the value set here is
the one the handler sees (a sync dependency runs in a worker thread, in a copy of the context). Each request runs
in its own task, hence its own context: nothing leaks from one request to the next.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Optional

from starlette.requests import Request

_current: ContextVar[Optional[Request]] = ContextVar("shims_current_request", default=None)


async def remember_request(request: Request) -> None:
    """Route dependency: remember the request being served (adds nothing to the OpenAPI schema)."""
    _current.set(request)


def current_request() -> Optional[Request]:
    """The request the current Standard API call serves, or None outside one (a direct call, a test)."""
    return _current.get()
