"""Phase 3 with ``--gone`` — the removed legacy paths answer 410 Gone with a ``Link`` to their successor.

Before, the app ends with phase 1's wiring::

    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))

After::

    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))

    # migrator phase 3: the removed legacy routes answer 410 Gone with a Link to their successor.
    app.include_router(create_gone_router({
        ("GET", "/admin/dashboard"): "/mt/tenant/{tenant_id}/stats",
    }))

A later ``--gone`` run merges the newly removed paths into the table of the router already there.
"""

from __future__ import annotations

from ._runner import MigratorCommand
from ._wire_gone import (
    GONE_COMMENT,
    GoneError,
    WireGoneTransform,
    gone_statement,
    wire_gone_router,
)

__all__ = ["GONE_COMMENT", "GoneError", "WireGone", "WireGoneTransform", "gone_statement", "wire_gone_router"]


class WireGone(MigratorCommand, WireGoneTransform):
    DESCRIPTION = "Add (or extend) the 410 Gone stubs of the removed legacy paths after phase 1's wiring."
    PHASE = 3
    METADATA_DEPENDENCIES = ()
