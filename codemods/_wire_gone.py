"""The transformation of the `wire_gone` codemod (`codemods/wire_gone.py` shows it before and after), without
libcst.codemod: phase 3 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import libcst as cst

from ._fit import fit_statements
from ._imports import DEFAULT_LINE_LENGTH
from ._phase23_routes import literal, py_string
from ._transform import Transform, file_context, run_transforms
from ._wiring import insert_after_wiring

GONE_COMMENT = "# migrator phase 3: the removed legacy routes answer 410 Gone with a Link to their successor."


class GoneError(Exception):
    pass


def gone_statement(app: str, gone: Mapping[tuple[str, str], Optional[str]]) -> cst.BaseStatement:
    items = "".join(f"    ({py_string(method)}, {py_string(path)}): {py_string(successor) if successor else 'None'},\n"
                    for (method, path), successor in sorted(gone.items(), key=lambda kv: (kv[0][1], kv[0][0])))
    stmt = cst.parse_statement(f"{app}.include_router(create_gone_router({{\n{items}}}))\n")
    return stmt.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(comment=cst.Comment(GONE_COMMENT))])


class _FindGone(cst.CSTVisitor):
    def __init__(self) -> None:
        self.call: Optional[cst.Call] = None

    def visit_Call(self, node: cst.Call) -> None:
        if self.call is None and isinstance(node.func, cst.Name) and node.func.value == "create_gone_router":
            self.call = node


def _gone_mapping(call: cst.Call) -> dict[tuple[str, str], Optional[str]]:
    value = literal(call.args[0].value) if call.args else None
    return dict(value) if isinstance(value, dict) else {}


class WireGoneTransform(Transform):
    """`WireGone`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
        gone = self.state.gone() if self.state.gone else {}
        finder = _FindGone()
        tree.visit(finder)
        if finder.call is not None:
            current = _gone_mapping(finder.call)
            merged = {**current, **gone}
            if merged == current:
                return tree
            table = gone_statement("app", merged).body[0].value.args[0].value.args[0].value
            return tree.visit(_Swap(finder.call, table))
        if not gone:
            return tree
        width = getattr(self.state, "line_length", None) or DEFAULT_LINE_LENGTH
        new = insert_after_wiring(tree, lambda app, depth: fit_statements([gone_statement(app, gone)], width, depth))
        if new is None:
            raise GoneError("no `include_router(create_standard_router(...))` from phase 1 to put the 410 stubs after")
        self.add_import("shims.gone", "create_gone_router")
        return new


class _Swap(cst.CSTTransformer):
    def __init__(self, call: cst.Call, table: cst.BaseExpression) -> None:
        self.call, self.table = call, table

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if original is not self.call:
            return updated
        return updated.with_changes(args=[updated.args[0].with_changes(value=self.table)])


@dataclass
class _Gone:
    table: Mapping[tuple[str, str], Optional[str]]

    def gone(self) -> Mapping[tuple[str, str], Optional[str]]:
        return self.table


def wire_gone_router(source: str, gone: Mapping[tuple[str, str], Optional[str]], style=None) -> str:
    """The app with the 410 stubs wired in or merged (one file on its own)."""
    return run_transforms(cst.parse_module(source), [WireGoneTransform], file_context("app.py", "app", _Gone(gone)),
                          style=style).code
