"""Where phases 2 and 3 add their app wiring: right after the block of ``app.<call>(...)`` statements that includes
phase 1's standard router (at module level, or inside an app factory)."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import libcst as cst


def standard_router_app(stmt: cst.CSTNode) -> Optional[str]:
    """`app` for a statement ``app.include_router(create_standard_router(...))``, else None."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
        return None
    call = stmt.body[0].value
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name) and call.func.attr.value == "include_router" and call.args):
        return None
    inner = call.args[0].value
    if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == "create_standard_router":
        return call.func.value.value
    return None


def is_app_call(stmt: cst.CSTNode, app: str) -> bool:
    """``app.<anything>(...)`` as a statement."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
        return False
    call = stmt.body[0].value
    return (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)
            and call.func.value.value == app)


def insert_in_block(body: Sequence[cst.BaseStatement], build: Callable, nested: bool = False
                    ) -> Optional[list[cst.BaseStatement]]:
    for index, stmt in enumerate(body):
        app = standard_router_app(stmt)
        if app is None:
            continue
        end = index
        while end + 1 < len(body) and is_app_call(body[end + 1], app) and not body[end + 1].leading_lines:
            end += 1
        new = build(app, 1 if nested else 0)
        new = list(new) if isinstance(new, (list, tuple)) else [new]
        if nested:  # inside a function the statements go without the blank line a module-level block gets
            new[0] = new[0].with_changes(leading_lines=new[0].leading_lines[1:])
        return [*body[: end + 1], *new, *body[end + 1:]]
    return None


class _InsertAfterWiring(cst.CSTTransformer):
    def __init__(self, build: Callable) -> None:
        self.build, self.done = build, False

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if self.done:
            return updated
        body = insert_in_block(updated.body, self.build)
        if body is None:
            return updated
        self.done = True
        return updated.with_changes(body=body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if self.done:
            return updated
        body = insert_in_block(updated.body, self.build, nested=True)
        if body is None:
            return updated
        self.done = True
        return updated.with_changes(body=body)


def insert_after_wiring(module: cst.Module, build: Callable) -> Optional[cst.Module]:
    """Insert `build(app, depth)` (depth: 0 at module level, 1 in an app factory) after the block that includes the standard router; None when there is none."""
    transformer = _InsertAfterWiring(build)
    new = module.visit(transformer)
    return new if transformer.done else None


class _CallsName(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name, self.found = name, False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.found = True


def calls_name(node: cst.CSTNode, name: str) -> bool:
    """Does `node` call the plain name `name` anywhere (`create_standard_router(...)`: a phase's wiring is there)?"""
    visitor = _CallsName(name)
    node.visit(visitor)
    return visitor.found
