"""Phase 3 — nothing deprecated is left to count: the app stops serving phase 2's deprecation report.

Before::

    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

    # migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market
    # key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.
    app.include_router(create_deprecation_router())
    app.add_middleware(DeprecationHeadersMiddleware)

After::

    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

The names the removed statements used become dead-code candidates (their imports go when nothing else uses them).
"""

from __future__ import annotations

from ._runner import MigratorCommand
from ._unwire_deprecation import (
    UnwireDeprecationTransform,
    is_deprecation_wiring,
    unwire_deprecation_router,
)

__all__ = ["UnwireDeprecation", "UnwireDeprecationTransform", "is_deprecation_wiring", "unwire_deprecation_router"]


class UnwireDeprecation(MigratorCommand, UnwireDeprecationTransform):
    DESCRIPTION = "Remove phase 2's GET /mt/deprecations and deprecation-headers middleware from the app."
    PHASE = 3
    METADATA_DEPENDENCIES = ()
