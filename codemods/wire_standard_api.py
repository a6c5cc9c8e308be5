"""Phase 1 — wire the Standard API v2 into the app: the standard router, the Service Market aliases, market auth.

Before::

    app = FastAPI(title="advisor")
    app.include_router(users.router, prefix="/admin")

After::

    app = FastAPI(title="advisor")
    app.include_router(users.router, prefix="/admin")

    # Standard API v2 (migrator phase 1): one handler serves /mt and the Service Market aliases; the legacy
    # routes delegate to it. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.
    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

The block goes after the app's last top-level ``include_router``/``mount``/``add_middleware`` (or after the app is
created), so legacy routes registered earlier keep precedence on paths both serve (``/api/tenant/list``). In an app
factory it goes before the function's ``return``. A module that already calls ``create_standard_router`` is left
unchanged, which makes the codemod idempotent.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import libcst as cst

from ._util import ImportSpec, add_imports

COMMENT = (
    "# Standard API v2 (migrator phase 1): one handler serves /mt and the Service Market aliases; the legacy\n"
    "# routes delegate to it. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.\n"
)


class WireError(Exception):
    pass


def _wiring(app: str, instance: str) -> list[cst.BaseStatement]:
    code = (
        f"{app}.include_router(create_standard_router({instance}))\n"
        f"{app}.include_router(create_service_market_router({instance}))\n"
        f'{app}.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", '
        'exclude_paths=("/mt/health",))\n'
    )
    statements = list(cst.parse_module(code).body)
    comment_lines = [cst.EmptyLine(comment=cst.Comment(line)) for line in COMMENT.strip().splitlines()]
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine(), *comment_lines])
    return statements


def _expression(stmt: cst.CSTNode):
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def _is_app_call(stmt: cst.CSTNode, app: str) -> bool:
    small = _expression(stmt)
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return False
    func = small.value.func
    return (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == app
            and func.attr.value in {"include_router", "mount", "add_middleware"})


def _creates_app(stmt: cst.CSTNode, app: str) -> bool:
    small = _expression(stmt)
    if isinstance(small, cst.Assign):
        return len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) and (
            small.targets[0].target.value == app)
    return isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == app


class _Calls(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name, self.found = name, False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.found = True


def _calls(module: cst.Module, name: str) -> bool:
    visitor = _Calls(name)
    module.visit(visitor)
    return visitor.found


def _insert(body: Sequence[cst.BaseStatement], app: str, wiring: list) -> Optional[list]:
    anchor = None
    for index, stmt in enumerate(body):
        if _creates_app(stmt, app) or _is_app_call(stmt, app):
            anchor = index
    if anchor is None:
        return None
    return [*body[: anchor + 1], *wiring, *body[anchor + 1 :]]


def wire_app(source: str, app: str, handler_module: str, instance: str,
             factory: Optional[str] = None) -> str:
    """The app module with the Standard API wired in; unchanged when it already is."""
    module = cst.parse_module(source)
    if _calls(module, "create_standard_router"):
        return source
    wiring = _wiring(app, instance)
    if factory is None:
        body = _insert(module.body, app, wiring)
        if body is None:
            raise WireError(f"no top-level `{app} = FastAPI(...)` to wire after")
        new = module.with_changes(body=body)
    else:
        new = module.visit(_IntoFactory(factory, app, wiring))
        if new.deep_equals(module):
            raise WireError(f"cannot find where `{factory}()` creates `{app}`")
    return add_imports(new, [
        ImportSpec("shims.compat.service_market", "create_service_market_router"),
        ImportSpec("shims.middleware.market_auth", "MarketAuthMiddleware"),
        ImportSpec("shims.standard_api", "create_standard_router"),
        ImportSpec(handler_module, instance),
    ]).code


class _IntoFactory(cst.CSTTransformer):
    def __init__(self, factory: str, app: str, wiring: list) -> None:
        self.factory, self.app, self.wiring = factory, app, wiring

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Union[cst.FunctionDef]:
        if original.name.value != self.factory or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        wiring = [self.wiring[0].with_changes(leading_lines=self.wiring[0].leading_lines[1:]), *self.wiring[1:]]
        body = _insert(updated.body.body, self.app, wiring)
        if body is None:
            return updated
        return updated.with_changes(body=updated.body.with_changes(body=body))
