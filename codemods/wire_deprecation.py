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

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from ._runner import MigratorCommand, context_for, run_codemods
from ._wiring import insert_after_wiring
from .deprecate_routes import calls_name

ROUTER_COMMENT = (
    "# migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market\n"
    "# key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.\n"
)


class WireError(Exception):
    pass


def _router_statement(app: str) -> list[cst.BaseStatement]:
    stmt = cst.parse_statement(f"{app}.include_router(create_deprecation_router())\n")
    comments = [cst.EmptyLine(comment=cst.Comment(line)) for line in ROUTER_COMMENT.strip().splitlines()]
    middleware = cst.parse_statement(f"{app}.add_middleware(DeprecationHeadersMiddleware)\n")
    return [stmt.with_changes(leading_lines=[cst.EmptyLine(), *comments]), middleware]


class WireDeprecation(MigratorCommand):
    DESCRIPTION = "Include GET /mt/deprecations and the deprecation-headers middleware after phase 1's wiring."
    PHASE = 2
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if calls_name(tree, "create_deprecation_router"):
            return tree
        new = insert_after_wiring(tree, _router_statement)
        if new is None:
            raise WireError("no `include_router(create_standard_router(...))` from phase 1 to wire after")
        AddImportsVisitor.add_needed_import(self.context, "shims.deprecation", "create_deprecation_router")
        AddImportsVisitor.add_needed_import(self.context, "shims.deprecation", "DeprecationHeadersMiddleware")
        return new


def wire_deprecation_router(source: str, style=None) -> str:
    """The app module with the deprecation router wired in (one file on its own)."""
    return run_codemods(cst.parse_module(source), [WireDeprecation], context_for("app.py", "app", None),
                        style=style).code
