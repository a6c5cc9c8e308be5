"""Phase 2 — the legacy routes the Standard API now serves warn: OpenAPI flag, deprecation headers, a warning.

Before, in a router module::

    router = APIRouter()


    @router.get("/dashboard")
    async def get_dashboard(tenant_id: str = Depends(verify_tenant_admin)):
        return await market_handler.legacy_get_dashboard(tenant_id=tenant_id)

After::

    # migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
    LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

    router = APIRouter()


    @router.get(
        "/dashboard",
        deprecated=True,
        openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
        dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats"))],
    )
    @deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats instead", version="1.4.2")
    async def get_dashboard(tenant_id: str = Depends(verify_tenant_admin)):
        return await market_handler.legacy_get_dashboard(tenant_id=tenant_id)

- ``deprecated=True`` marks the operation in OpenAPI; ``x-sunset`` lets API-diff tools gate the removal.
- The ``deprecated_endpoint`` dependency (``shims.deprecation``) sets ``Deprecation``, ``Sunset`` and ``Link`` on
  every answer and counts the call per route and caller; it goes first in any existing ``dependencies=[...]``.
- ``@deprecated`` (the ``deprecated`` package, re-exported by ``shims.deprecation``) sits right above the ``def`` so
  FastAPI still sees the real signature; it emits a ``DeprecationWarning`` on each call. With stacked route
  decorators only those the journal marks get the flag and the headers, but ``@deprecated`` wraps the one shared
  function, so every path served by it warns.
- Routes registered with ``add_api_route(...)`` get the keyword arguments in that call, and their ``def`` the
  decorator.
- The dates live in one module constant, so a new ``--sunset`` rewrites one line per module. A route already marked
  is left alone, which makes the codemod idempotent.

``wire_deprecation_router`` adds ``create_deprecation_router()`` (``GET /mt/deprecations``, behind the market-key
middleware phase 1 added) and ``DeprecationHeadersMiddleware`` (the headers on answers the route's dependency never
sees: a 401 from router-level auth, a 422) to the app, after the phase-1 wiring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node

from ._phase23_routes import (
    LINE,
    RouteRef,
    RouteSite,
    add_imports,
    arg_texts,
    is_deprecated_decorator,
    keyword_index,
    literal,
    locate,
    py_string,
    rebuild_call,
    route_sites,
)

CONSTANT = "LEGACY_DEPRECATION"
CONSTANT_COMMENT = ("# migrator phase 2: the legacy routes below are deprecated since this date and removed "
                    "at the sunset.")
ROUTER_COMMENT = (
    "# migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market\n"
    "# key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.\n"
)


class DeprecateError(Exception):
    """The module cannot be deprecated safely (a name clash); the message says which name."""


@dataclass(frozen=True)
class Deprecation:
    route: RouteRef
    successor_method: str
    successor: str  # the standard path, e.g. "/mt/tenant/{tenant_id}/stats"

    @property
    def reason(self) -> str:
        return f"Use {self.successor_method} {self.successor} instead"


@dataclass
class DeprecateResult:
    code: str
    marked: list[RouteRef] = field(default_factory=list)  # changed now
    already: list[RouteRef] = field(default_factory=list)  # marked by an earlier run
    missing: list[RouteRef] = field(default_factory=list)  # no registration found


def deprecate_routes(source: str, deprecations: Sequence[Deprecation], *, deprecated_at: str, sunset: str,
                     version: str) -> DeprecateResult:
    """Mark the given routes of one module deprecated (see the module docstring)."""
    module = cst.parse_module(source)
    by_route = {d.route: d for d in deprecations}
    located = locate(route_sites(module), by_route)
    result = DeprecateResult(code=source, missing=[r for r in by_route if r not in located])
    if not located:
        return result
    needed = _needed_imports(module)

    new_calls: dict[int, cst.Call] = {}
    reasons: dict[str, list[str]] = {}
    for route, site in located.items():
        deprecation = by_route[route]
        reasons.setdefault(site.function, [])
        if deprecation.reason not in reasons[site.function]:
            reasons[site.function].append(deprecation.reason)
        if _is_marked(site.call):
            result.already.append(route)
            continue
        new_calls[id(site.call)] = _mark(site, deprecation, module)
        result.marked.append(route)

    constant = _constant(deprecated_at, sunset)
    new = module.visit(_Rewrite(new_calls, reasons, version))
    new = _set_constant(new, constant)
    new = add_imports(new, needed)
    result.code = new.code
    return result


# where each name the generated code uses may come from (the same object under every spelling)
_SOURCES = {
    "deprecated": ("shims.deprecation", {"shims.deprecation", "deprecated", "deprecated.classic"}),
    "deprecated_endpoint": ("shims.deprecation", {"shims.deprecation"}),
    "Depends": ("fastapi", {"fastapi", "fastapi.param_functions"}),
}


def _needed_imports(module: cst.Module) -> list[tuple[str, str]]:
    """The imports to add; refuses when a needed name is bound at the top level to something else."""
    bound: dict[str, Optional[str]] = {}
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            bound[stmt.name.value] = None
        elif m.matches(stmt, m.SimpleStatementLine([m.Assign(targets=[m.AssignTarget(m.Name())])])):
            name = stmt.body[0].targets[0].target.value
            bound[name] = None
            if name == CONSTANT and not isinstance(stmt.body[0].value, cst.Dict):
                raise DeprecateError(f"`{CONSTANT}` exists and is not the phase-2 dates dict")
        elif m.matches(stmt, m.SimpleStatementLine([m.ImportFrom()])):
            node = stmt.body[0]
            if isinstance(node.names, cst.ImportStar) or node.relative:
                continue
            source = get_full_name_for_node(node.module) if node.module else None
            for alias in node.names:
                name = get_full_name_for_node(alias.asname.name if alias.asname else alias.name)
                original = get_full_name_for_node(alias.name)
                bound[name] = source if original == name else None
    needed = []
    for name, (module_name, accepted) in _SOURCES.items():
        if name not in bound:
            needed.append((module_name, name))
        elif bound[name] not in accepted:
            raise DeprecateError(f"the module binds `{name}` to something else; rename it to deprecate its routes")
    return needed


def _is_marked(call: cst.Call) -> bool:
    return bool(m.findall(call, m.Call(func=m.Name("deprecated_endpoint"))))


def _depends(successor: str) -> str:
    return f"Depends(deprecated_endpoint(**{CONSTANT}, successor={py_string(successor)}))"


def _mark(site: RouteSite, deprecation: Deprecation, module: cst.Module) -> cst.Call:
    call = site.call
    texts = arg_texts(call, module)
    sunset = f'"x-sunset": {CONSTANT}["sunset"]'

    index = keyword_index(texts, call, "deprecated")
    if index is None:
        texts.append("deprecated=True")
    else:
        texts[index] = "deprecated=True"

    index = keyword_index(texts, call, "openapi_extra")
    if index is None:
        texts.append(f"openapi_extra={{{sunset}}}")
    else:
        value = call.args[index].value
        if isinstance(value, cst.Dict) and not value.elements:
            texts[index] = f"openapi_extra={{{sunset}}}"
        elif isinstance(value, cst.Dict):
            kept = [module.code_for_node(e).rstrip(", ") for e in value.elements
                    if not (isinstance(e, cst.DictElement) and literal(e.key) == "x-sunset")]
            texts[index] = f"openapi_extra={{{', '.join([*kept, sunset])}}}"
        else:
            texts[index] = f"openapi_extra={{**{module.code_for_node(value)}, {sunset}}}"

    items = [_depends(deprecation.successor)]
    index = keyword_index(texts, call, "dependencies")
    if index is not None:
        value = call.args[index].value
        if isinstance(value, cst.List):
            items += [module.code_for_node(e.value) for e in value.elements]
        else:
            items.append(f"*{module.code_for_node(value)}")
    dependencies = f"dependencies=[{', '.join(items)}]"
    if len(items) > 1 or len(dependencies) + 5 > LINE:  # one dependency a line, as a formatter would
        dependencies = "dependencies=[\n" + "".join(f"        {item},\n" for item in items) + "    ]"
    if index is None:
        texts.append(dependencies)
    else:
        texts[index] = dependencies
    return rebuild_call(call, texts, module)


class _Rewrite(cst.CSTTransformer):
    def __init__(self, calls: dict[int, cst.Call], reasons: dict[str, list[str]], version: str) -> None:
        self.calls, self.reasons, self.version = calls, reasons, version
        self.depth = 0

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self.calls.get(id(original), updated)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return True

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        reasons = self.reasons.get(original.name.value) if self.depth == 0 else None
        if not reasons or any(is_deprecated_decorator(d) for d in updated.decorators):
            return updated
        reason = reasons[0] if len(reasons) == 1 else "Use " + " or ".join(r[4:-8] for r in reasons) + " instead"
        decorator = cst.Decorator(cst.parse_expression(
            f"deprecated(reason={py_string(reason)}, version={py_string(self.version)})"))
        return updated.with_changes(decorators=[*updated.decorators, decorator])


def _constant(deprecated_at: str, sunset: str) -> str:
    return f'{CONSTANT} = {{"deprecated_at": {py_string(deprecated_at)}, "sunset": {py_string(sunset)}}}'


def _set_constant(module: cst.Module, code: str) -> cst.Module:
    """Replace the dates constant, or add it (with its comment) after the imports."""
    new_stmt = cst.parse_statement(code)
    body = list(module.body)
    for index, stmt in enumerate(body):
        if m.matches(stmt, m.SimpleStatementLine([m.Assign(targets=[m.AssignTarget(m.Name(CONSTANT))])])):
            if module.code_for_node(stmt.body[0]) == code:
                return module
            body[index] = stmt.with_changes(body=[new_stmt.body[0]])
            return module.with_changes(body=body)
    position = _after_imports(body)
    comment = cst.EmptyLine(comment=cst.Comment(CONSTANT_COMMENT))
    new_stmt = new_stmt.with_changes(leading_lines=[cst.EmptyLine(), comment])
    if position < len(body) and not body[position].leading_lines:
        body[position] = body[position].with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(position, new_stmt)
    return module.with_changes(body=body)


def _after_imports(body: list[cst.BaseStatement]) -> int:
    position = 0
    for index, stmt in enumerate(body):
        if m.matches(stmt, m.SimpleStatementLine([m.Import() | m.ImportFrom()])):
            position = index + 1
        elif index == 0 and m.matches(stmt, m.SimpleStatementLine([m.Expr(m.SimpleString())])):
            position = 1  # the module docstring
        elif not m.matches(stmt, m.SimpleStatementLine([m.Import() | m.ImportFrom()])):
            break
    return position


# --- the app module -----------------------------------------------------------------------------------------------


class WireError(Exception):
    pass


def wire_deprecation_router(source: str) -> str:
    """Include ``create_deprecation_router()`` after the phase-1 wiring; unchanged when it is there already."""
    module = cst.parse_module(source)
    if m.findall(module, m.Call(func=m.Name("create_deprecation_router"))):
        return source
    new = insert_after_wiring(module, lambda app: _router_statement(app))
    if new is None:
        raise WireError("no `include_router(create_standard_router(...))` from phase 1 to wire after")
    return add_imports(new, [("shims.deprecation", "create_deprecation_router"),
                             ("shims.deprecation", "DeprecationHeadersMiddleware")]).code


def _router_statement(app: str) -> list[cst.BaseStatement]:
    stmt = cst.parse_statement(f"{app}.include_router(create_deprecation_router())\n")
    comments = [cst.EmptyLine(comment=cst.Comment(line)) for line in ROUTER_COMMENT.strip().splitlines()]
    # the middleware puts the headers on the answers the route's own dependency never sees (router-level auth, 422)
    middleware = cst.parse_statement(f"{app}.add_middleware(DeprecationHeadersMiddleware)\n")
    return [stmt.with_changes(leading_lines=[cst.EmptyLine(), *comments]), middleware]


def insert_after_wiring(module: cst.Module, build) -> Optional[cst.Module]:
    """Insert `build(app)` after the block of ``app.<call>(...)`` statements that includes the standard router
    (module level, or inside an app factory)."""
    transformer = _InsertAfterWiring(build)
    new = module.visit(transformer)
    return new if transformer.done else None


def _standard_router_app(stmt: cst.CSTNode) -> Optional[str]:
    if m.matches(stmt, m.SimpleStatementLine([m.Expr(m.Call(
            func=m.Attribute(value=m.Name(), attr=m.Name("include_router")),
            args=[m.Arg(m.Call(func=m.Name("create_standard_router"))), m.ZeroOrMore()]))])):
        return stmt.body[0].value.func.value.value
    return None


def _is_app_call(stmt: cst.CSTNode, app: str) -> bool:
    return m.matches(stmt, m.SimpleStatementLine([m.Expr(m.Call(func=m.Attribute(value=m.Name(app))))]))


def insert_in_block(body: Sequence[cst.BaseStatement], build, nested: bool = False
                    ) -> Optional[list[cst.BaseStatement]]:
    for index, stmt in enumerate(body):
        app = _standard_router_app(stmt)
        if app is None:
            continue
        end = index
        while end + 1 < len(body) and _is_app_call(body[end + 1], app) and not body[end + 1].leading_lines:
            end += 1
        new = build(app)
        new = list(new) if isinstance(new, (list, tuple)) else [new]
        if nested:  # inside a function the statements go without the blank line a module-level block gets
            new[0] = new[0].with_changes(leading_lines=new[0].leading_lines[1:])
        return [*body[: end + 1], *new, *body[end + 1 :]]
    return None


class _InsertAfterWiring(cst.CSTTransformer):
    def __init__(self, build) -> None:
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
