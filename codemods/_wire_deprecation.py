"""The transformation of the `wire_deprecation` codemod (`codemods/wire_deprecation.py` shows it before and after),
without libcst.codemod: phase 2 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

import libcst as cst

from ._deprecate_routes import calls_name
from ._transform import Transform, file_context, run_transforms
from ._wiring import insert_after_wiring

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


class WireDeprecationTransform(Transform):
    """`WireDeprecation`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
        if calls_name(tree, "create_deprecation_router"):
            return tree
        new = insert_after_wiring(tree, _router_statement)
        if new is None:
            raise WireError("no `include_router(create_standard_router(...))` from phase 1 to wire after")
        self.add_import("shims.deprecation", "create_deprecation_router")
        self.add_import("shims.deprecation", "DeprecationHeadersMiddleware")
        return new


def wire_deprecation_router(source: str, style=None) -> str:
    """The app module with the deprecation router wired in (one file on its own)."""
    return run_transforms(cst.parse_module(source), [WireDeprecationTransform], file_context("app.py", "app", None),
                          style=style).code
