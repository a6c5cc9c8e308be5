"""Phase 1 — wire the Standard API v2 into the app: the standard router, the Service Market aliases, market auth.

Before::

    app = FastAPI(title="advisor")
    app.include_router(users.router, prefix="/admin")

After::

    app = FastAPI(title="advisor")
    app.include_router(users.router, prefix="/admin")

    # Standard API v2: one handler serves /mt and the Service Market aliases; the legacy routes call the same
    # service functions. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.
    app.include_router(create_standard_router(market_handler))
    app.include_router(create_service_market_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

The block goes after the app's last top-level ``include_router``/``mount``/``add_middleware`` (or after the app is
created), so legacy routes registered earlier keep precedence on paths both serve (``/api/tenant/list``). In an app
factory it goes before the function's ``return``. Either way it stays before a mount at the root
(``app.mount("/", auth_app)``, a single-page frontend's ``StaticFiles``): Starlette tries routes in order, and a
root mount answers every path registered after it, ``/mt`` included. A module that already calls ``create_standard_router`` is left
unchanged, which makes the codemod idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import parse_template_module

from ._fit import fit_statements
from ._imports import DEFAULT_LINE_LENGTH, is_import_line, relative_module
from ._runner import MigratorCommand, context_for, run_codemods
from ._wiring import calls_name

COMMENT = (
    "# Standard API v2: one handler serves /mt and the Service Market aliases; the legacy routes call the same\n"
    "# service functions. Only /mt/ needs X-Market-API-Key; legacy routes keep their own auth.\n"
)
_WIRING = '''
{app}.include_router(create_standard_router({instance}))
{app}.include_router(create_service_market_router({instance}))
{app}.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))
'''


class WireError(Exception):
    pass


@dataclass(frozen=True)
class AppWiring:
    """Which app to wire and with which handler instance."""

    app: str  # the variable holding the app
    handler_module: str
    instance: str
    factory: Optional[str] = None  # the function creating the app, for an app factory
    guard: bool = False  # a single-tenant deployment: DeactivationGuard closes the legacy routes while deactivated
    root_health: bool = False  # the app has no GET /health of its own: the shims serve one (the market probes it)


_GUARD = '''
{app}.add_middleware(DeactivationGuard, lifecycle={instance}.deployment)
'''
_HEALTH = '''
{app}.include_router(create_health_router({instance}))
'''


def _wiring(app: str, instance: str, guard: bool = False, root_health: bool = False, *,
            width: int = DEFAULT_LINE_LENGTH, depth: int = 0) -> list[cst.BaseStatement]:
    """The wiring statements, fitted to `width` columns at `depth` (0: module level, 1: an app factory)."""
    statements = list(parse_template_module(_WIRING, app=cst.Name(app), instance=cst.Name(instance)).body)
    if root_health:
        statements[2:2] = parse_template_module(_HEALTH, app=cst.Name(app), instance=cst.Name(instance)).body
    if guard:
        statements += parse_template_module(_GUARD, app=cst.Name(app), instance=cst.Name(instance)).body
    comment_lines = [cst.EmptyLine(comment=cst.Comment(line)) for line in COMMENT.strip().splitlines()]
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine(), *comment_lines])
    return fit_statements(statements, width, depth)


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


def _mounts_root(stmt: cst.CSTNode, app: str) -> bool:
    """`app.mount("/", ...)` (or `path="/"`, or ""): a mount that answers every path registered after it."""
    if not _is_app_call(stmt, app):
        return False
    call = _expression(stmt).value
    if call.func.attr.value != "mount":
        return False
    path = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "path"),
                call.args[0].value if call.args and call.args[0].keyword is None else None)
    return isinstance(path, cst.SimpleString) and path.evaluated_value in ("/", "")


def _insert(body: Sequence[cst.BaseStatement], app: str, wiring: list) -> Optional[list]:
    anchor = None
    for index, stmt in enumerate(body):
        if _mounts_root(stmt, app):
            break
        if _creates_app(stmt, app) or _is_app_call(stmt, app):
            anchor = index
    if anchor is None:
        return None
    return [*body[: anchor + 1], *wiring, *body[anchor + 1:]]


class WireStandardApi(MigratorCommand):
    DESCRIPTION = "Include the standard router, the Service Market aliases and market-key auth in the app."
    PHASE = 1
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        wiring: AppWiring = self.state.wiring
        if calls_name(tree, "create_standard_router"):
            return tree
        style = getattr(self.state, "style", None)
        width = style.line_length if style is not None else DEFAULT_LINE_LENGTH
        depth = 0 if wiring.factory is None else 1
        statements = _wiring(wiring.app, wiring.instance, wiring.guard, wiring.root_health, width=width, depth=depth)
        deferred = wiring.factory is None and imports_deferred(tree.body)
        if deferred:
            home = getattr(self.state, "relative_home", None)
            found = relative_module(wiring.handler_module, self.context.full_package_name or "", home) if home else None
            module = "." * found[0] + found[1] if found else wiring.handler_module
            statements = _import_at_wiring(module, wiring.instance, statements)
        if wiring.factory is None:
            body = _insert(tree.body, wiring.app, statements)
            if body is None:
                raise WireError(f"no top-level `{wiring.app} = FastAPI(...)` to wire after")
            new = tree.with_changes(body=body)
        else:
            new = tree.visit(_IntoFactory(wiring.factory, wiring.app, statements))
            if new.deep_equals(tree):
                raise WireError(f"cannot find where `{wiring.factory}()` creates `{wiring.app}`")
        for module, name in (("shims.compat.service_market", "create_service_market_router"),
                             ("shims.middleware.market_auth", "MarketAuthMiddleware"),
                             ("shims.standard_api", "create_standard_router"),
                             *([] if deferred else [(wiring.handler_module, wiring.instance)]),
                             *([("shims.lifecycle", "DeactivationGuard")] if wiring.guard else []),
                             *([("shims.health", "create_health_router")] if wiring.root_health else [])):
            AddImportsVisitor.add_needed_import(self.context, module, name)
        return new


def imports_deferred(body: Sequence[cst.BaseStatement]) -> bool:
    """Does the module import after running code of its own (`app = FastAPI()`, then `from app import routers`)?
    Its modules import it back (`from app import scheduler`): the handler, which imports them, cannot be imported
    from the top either."""
    code = False
    for index, stmt in enumerate(body):
        if is_import_line(stmt):
            if code:
                return True
        elif not (index == 0 and isinstance(_expression(stmt), cst.Expr)):  # the docstring
            code = True
    return False


def _import_at_wiring(module: str, instance: str, wiring: list) -> list:
    """The handler import as the wiring's first statement, where the app module's own deferred imports are done."""
    statement = cst.parse_statement(f"from {module} import {instance}  # noqa: E402\n")
    return [statement.with_changes(leading_lines=wiring[0].leading_lines),
            wiring[0].with_changes(leading_lines=[cst.EmptyLine()]), *wiring[1:]]


def _before_return(body: Sequence[cst.BaseStatement], app: str, wiring: list) -> Optional[list]:
    """Before the factory's `return <app>`: after everything it registers, loops and conditions included (but
    before a root mount)."""
    for index, stmt in enumerate(body):
        if _mounts_root(stmt, app):
            return None  # `_insert` places it before the mount
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) else None
        if isinstance(small, cst.Return) and isinstance(small.value, cst.Name) and small.value.value == app:
            return [*body[:index], *wiring, *body[index:]]
    return None


class _IntoFactory(cst.CSTTransformer):
    def __init__(self, factory: str, app: str, wiring: list) -> None:
        self.factory, self.app, self.wiring = factory, app, wiring

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if original.name.value != self.factory or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        wiring = [self.wiring[0].with_changes(leading_lines=self.wiring[0].leading_lines[1:]), *self.wiring[1:]]
        body = _before_return(updated.body.body, self.app, wiring) or _insert(updated.body.body, self.app, wiring)
        if body is None:
            return updated
        return updated.with_changes(body=updated.body.with_changes(body=body))


@dataclass
class _WireOnly:
    wiring: AppWiring
    style: object = None  # codemods._imports.ImportStyle: its line length fits the wiring


def wire_app(source: str, app: str, handler_module: str, instance: str, factory: Optional[str] = None,
             style=None) -> str:
    """The app module with the Standard API wired in; unchanged when it already is (one file, on its own)."""
    tree = cst.parse_module(source)
    context = context_for("app.py", "app", _WireOnly(AppWiring(app, handler_module, instance, factory), style))
    return run_codemods(tree, [WireStandardApi], context, style=style).code
