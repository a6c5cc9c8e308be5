"""The transformation of the `wire_deprecation` codemod (`codemods/wire_deprecation.py` shows it before and after),
without libcst.codemod: phase 2 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ._fit import fit_statements
from ._imports import DEFAULT_LINE_LENGTH
from ._transform import Transform, file_context, run_transforms
from ._wiring import calls_name, insert_after_wiring

ROUTER_COMMENT = (
    "# migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market\n"
    "# key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.\n"
)


class WireError(Exception):
    pass


def _router_statement(app: str, width: int, depth: int) -> list[cst.BaseStatement]:
    """The wiring statements, fitted to `width` columns at `depth` (0: module level, 1: an app factory)."""
    stmt = cst.parse_statement(f"{app}.include_router(create_deprecation_router())\n")
    comments = [cst.EmptyLine(comment=cst.Comment(line)) for line in ROUTER_COMMENT.strip().splitlines()]
    middleware = cst.parse_statement(f"{app}.add_middleware(DeprecationHeadersMiddleware)\n")
    return fit_statements([stmt.with_changes(leading_lines=[cst.EmptyLine(), *comments]), middleware], width, depth)


class WireDeprecationTransform(Transform):
    """`WireDeprecation`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
        if calls_name(tree, "create_deprecation_router"):
            return tree
        width = getattr(self.state, "line_length", None) or DEFAULT_LINE_LENGTH
        new = insert_after_wiring(tree, lambda app, depth: _router_statement(app, width, depth))
        if new is None:
            raise WireError("no `include_router(create_standard_router(...))` from phase 1 to wire after")
        self.add_import("shims.deprecation", "create_deprecation_router")
        self.add_import("shims.deprecation", "DeprecationHeadersMiddleware")
        return new


def wire_deprecation_router(source: str, style=None) -> str:
    """The app module with the deprecation router wired in (one file on its own)."""
    state = _Width(style.line_length if style is not None else DEFAULT_LINE_LENGTH)
    return run_transforms(cst.parse_module(source), [WireDeprecationTransform], file_context("app.py", "app", state),
                          style=style).code


@dataclass(frozen=True)
class _Width:
    line_length: int  # as `DeprecationPlan.line_length`
