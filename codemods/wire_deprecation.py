"""Phase 2 — the app serves the deprecation report and puts the headers on every answer of a deprecated route.

Before (phase 1's wiring)::

    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

After::

    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

    # migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market
    # key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.
    app.include_router(create_deprecation_router())
    app.add_middleware(DeprecationHeadersMiddleware)

``create_deprecation_router()`` serves ``GET /mt/deprecations`` behind the market-key middleware phase 1 added;
``DeprecationHeadersMiddleware`` adds the headers to the answers the route's dependency never sees (a 401 from
router-level auth, a 422). Unchanged when the router is included already (idempotent).
"""

from __future__ import annotations

from ._runner import MigratorCommand
from ._wire_deprecation import (
    ROUTER_COMMENT,
    WireDeprecationTransform,
    WireError,
    wire_deprecation_router,
)

__all__ = ["ROUTER_COMMENT", "WireDeprecation", "WireDeprecationTransform", "WireError", "wire_deprecation_router"]


class WireDeprecation(MigratorCommand, WireDeprecationTransform):
    DESCRIPTION = "Include GET /mt/deprecations and the deprecation-headers middleware after phase 1's wiring."
    PHASE = 2
    METADATA_DEPENDENCIES = ()
