"""Phase 3 — the deprecated legacy routes go: their registrations, then (with `remove_dead_code`) the code only they
used.

Before::

    @router.get("/dashboard/top-users", response_model=TopUsers)
    @router.get(
        "/dashboard/top_users",
        deprecated=True,
        openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
        dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/..."))],
    )
    @deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats/top-users instead", version="2.3.0")
    async def get_top_users(...): ...

After removing ``GET /admin/dashboard/top_users`` only::

    @router.get("/dashboard/top-users", response_model=TopUsers)
    async def get_top_users(...): ...

This module removes *registrations* only: route decorators, ``add_api_route(...)`` statements, and the
``@deprecated`` decorator once no deprecated registration is left on the function. A function left without a
route registration, and every name the removed code used, become candidates for `codemods._deadcode`, which deletes
a definition only when nothing in the repository references it any more (and a module only when nothing imports
it). Formatting and comments elsewhere are untouched.

`unwire_deprecation` and `wire_gone` edit the app module (in the same pass when the app file also lost routes).
"""

from __future__ import annotations

from ._remove_routes import (
    RemovalPlan,
    RemovalResult,
    RemoveRoutesTransform,
    remove_routes,
    used_names,
)
from ._runner import MigratorCommand

__all__ = ["RemovalPlan", "RemovalResult", "RemoveRoutes", "RemoveRoutesTransform", "remove_routes", "used_names"]


class RemoveRoutes(MigratorCommand, RemoveRoutesTransform):
    DESCRIPTION = "Remove the registrations of the deprecated legacy routes (decorators, add_api_route calls)."
    PHASE = 3
    METADATA_DEPENDENCIES = ()
