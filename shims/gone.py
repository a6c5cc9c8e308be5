"""410 Gone stubs for legacy routes removed in phase 3 (`migrator apply --phase 3 --gone`).

Each removed `(method, path)` keeps a tiny route that answers ``410 Gone`` with ``Link: <successor>;
rel="successor-version"`` (placeholders such as ``{tenant_id}`` filled from the path parameters and the
``X-Tenant-ID`` header, as the phase-2 headers did) and a JSON body naming the successor. Calls are still counted
(``shims.deprecation``'s process-wide counter, route ``"METHOD /path"``), so ``GET /mt/deprecations`` shows who has
not moved yet. The stubs are left out of the OpenAPI schema: the operations no longer exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shims.deprecation import CallCounter, caller_identity, fill_placeholders, format_link, get_default_counter

__all__ = ["GoneBody", "create_gone_router"]

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


class GoneBody(BaseModel):
    detail: str
    successor: Optional[str] = None


def create_gone_router(routes: Mapping[tuple[str, str], Optional[str]], *,
                       counter: Optional[CallCounter] = None) -> APIRouter:
    """A router answering 410 on each `(method, path)` key, linking to its successor path (None: no successor)."""
    router = APIRouter()
    for (method, path), successor in routes.items():
        verb = method.upper()
        if verb not in _METHODS:
            raise ValueError(f"not an HTTP method: {method!r} (route {path!r})")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        if successor:
            format_link(successor)  # refuse a successor that cannot go into a Link header, at start-up
        router.add_api_route(path, _stub(verb, path, successor, counter), methods=[verb], include_in_schema=False,
                             status_code=410, name=f"gone {verb} {path}")
    return router


def _stub(method: str, path: str, successor: Optional[str], counter: Optional[CallCounter]):
    async def gone(request: Request) -> JSONResponse:
        (counter if counter is not None else get_default_counter()).record(
            f"{method} {path}", caller_identity(request.headers, request.client.host if request.client else None))
        body = GoneBody(detail=f"{method} {path} was removed")
        headers = {}
        if successor:
            values = {"tenant_id": request.headers.get("x-tenant-id", "")}
            values.update({k: str(v) for k, v in request.path_params.items()})
            body.successor = fill_placeholders(successor, values)
            body.detail += f"; use {body.successor}"
            headers["Link"] = format_link(body.successor)
        return JSONResponse(body.model_dump(), status_code=410, headers=headers)

    return gone
