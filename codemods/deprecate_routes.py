"""Phase 2 — the legacy routes the Standard API now serves warn: OpenAPI flag, deprecation headers, a warning.

Before, in a router module::

    router = APIRouter()


    @router.get("/dashboard")
    async def get_dashboard(tenant_id: str = Depends(verify_tenant_admin)):
        return await market_handler.legacy_get_dashboard(tenant_id=tenant_id)

After::

    # migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
    LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

    router = APIRouter()


    @router.get(
        "/dashboard",
        deprecated=True,
        openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
        dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats"))],
    )
    @deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats instead", version="1.4.2")
    async def get_dashboard(tenant_id: str = Depends(verify_tenant_admin)):
        return await market_handler.legacy_get_dashboard(tenant_id=tenant_id)

- ``deprecated=True`` marks the operation in OpenAPI; ``x-sunset`` lets API-diff tools gate the removal.
- The ``deprecated_endpoint`` dependency (``shims.deprecation``) sets ``Deprecation``, ``Sunset`` and ``Link`` on
  every answer and counts the call per route and caller; it goes first in any existing ``dependencies=[...]``.
- ``@deprecated`` (the ``deprecated`` package, re-exported by ``shims.deprecation``) sits right above the ``def`` so
  FastAPI still sees the real signature; it emits a ``DeprecationWarning`` on each call. With stacked route
  decorators only those the journal marks get the flag and the headers, but ``@deprecated`` wraps the one shared
  function, so every path served by it warns.
- Routes registered with ``add_api_route(...)`` get the keyword arguments in that call, and their ``def`` the
  decorator.
- What the phase writes (the rebuilt decorator, ``@deprecated``, the dates constant and its comment) is fitted to
  the service's line length (``_fit``); the example above is at 120 columns.
- The dates live in one module constant, so a new ``--sunset`` rewrites one line per module. A route already marked
  is left alone, which makes the codemod idempotent.

The imports the marks need are requested once per file (added as LibCST's `AddImportsVisitor` adds them, then
sorted the way ruff expects when the block was sorted: `codemods._transform`). `wire_deprecation` edits the app
module.
"""

from __future__ import annotations

from ._deprecate_routes import (
    CONSTANT,
    CONSTANT_COMMENT,
    DeprecateError,
    DeprecateResult,
    DeprecateRoutesTransform,
    Deprecation,
    DeprecationPlan,
    calls_name,
    deprecate_routes,
)
from ._runner import MigratorCommand

__all__ = [
    "CONSTANT", "CONSTANT_COMMENT", "DeprecateError", "DeprecateResult", "DeprecateRoutes",
    "DeprecateRoutesTransform", "Deprecation", "DeprecationPlan", "calls_name", "deprecate_routes",
]


class DeprecateRoutes(MigratorCommand, DeprecateRoutesTransform):
    DESCRIPTION = "Mark the moved legacy routes deprecated: OpenAPI flag, x-sunset, headers dependency, @deprecated."
    PHASE = 2
    METADATA_DEPENDENCIES = ()
