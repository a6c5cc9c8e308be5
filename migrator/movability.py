"""Can phase 1 move a route's logic automatically, or does a person have to? The one place that decides.

`assess_routes` gives every route of the app one `Verdict` (migrator.plan) with its reasons and the facts the
codemods need: each parameter's role (tenant, path, query, body, a resource the handler provides, or dropped),
the tenant source, the response, and what the moved code carries along (helpers, imports). `analyze` shows the
verdicts, `apply --phase 1` executes them, `status` repeats them from the journal; the codemods never re-decide.

A route needs a person when:
- its body uses something a service function cannot receive: the `Request`, `WebSocket`, `Response` or
  `BackgroundTasks`, a request header or cookie other than the tenant (a credential read in the body), the caller's
  identity from an auth dependency (`admin.id`), or a dependency the handler cannot provide (one that reads the
  request, a generator or coroutine dependency such as a `yield` database session);
- its body streams (`yield`) or rebinds module state (`global` / `nonlocal`), or takes `*args` / `**kwargs`;
- it is not a top-level function (a closure or a method);
- it has no tenant source (X-Tenant-ID header, tenant path/query parameter, token), except provisioning and
  cross-tenant operations (`tenant_scoped = false` in the catalog);
- it has request parameters the catalog mapping does not know;
- what it uses cannot move with it (a route function, the router object, a name bound inside `if`/`try`);
- it is served by another app than the one phase 1 migrates.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Optional

import libcst as cst
from pydantic import BaseModel, Field

from codemods._closure import needs_of
from codemods._imports import module_name_for
from codemods._signature import MARKERS, declared_params, kept_nodes, marker
from codemods._source import ModuleIndex, SourceError, SourceSet, children, collect
from migrator.catalog import Catalog, Match, builtin_catalog
from migrator.inventory.models import Param, Route
from migrator.plan import ImportRef, ParamPlan, Reason, ResponseFact, TenantFact, Verdict

TENANT_ATTRS = frozenset({"tenant_id", "tenant", "tenant_slug"})
_CONTEXT_KINDS = {"request": "Request", "response": "Response", "background": "BackgroundTasks"}


class Assessment(BaseModel):
    """The verdict of one route in its short form (automatic, reason texts)."""

    automatic: bool
    reasons: list[str] = Field(default_factory=list)


# --- how the body uses its parameters ----------------------------------------------------------------------------


@dataclasses.dataclass
class Usage:
    """How the body uses one name."""

    attrs: list[str] = dataclasses.field(default_factory=list)  # `p.attr` reads, in order
    subscripts: int = 0  # `p[...]`
    bare: int = 0  # any other use (passed on, returned, compared)

    @property
    def used(self) -> bool:
        return bool(self.attrs or self.subscripts or self.bare)


def body_usage(func: cst.FunctionDef, names: set[str]) -> dict[str, Usage]:
    """How the function body (not its signature or decorators) uses each of `names`."""
    usage = {name: Usage() for name in names}
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in usage:
                usage[node.value.value].attrs.append(node.attr.value)
            else:
                stack.append(node.value)  # never the `.attr` Name: `x.request` is not a use of `request`
            continue
        if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value in usage:
            usage[node.value.value].subscripts += 1
            stack.extend(node.slice)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)  # not the keyword: `f(request=x)` does not use `request`
            continue
        if isinstance(node, cst.Name):
            if node.value in usage:
                usage[node.value].bare += 1
            continue
        stack.extend(children(node))
    for item in usage.values():
        item.attrs.reverse()
    return usage


# --- dependencies the handler can provide ------------------------------------------------------------------------


#: how the Standard API handler can obtain a resource dependency today ("call": a plain function it calls); the
#: other kinds are recognised and recorded (issue 12 enters them the way FastAPI does)
PROVIDED = {"call"}


def _provider(param: Param, sources: SourceSet) -> tuple[Optional[str], Optional[str]]:
    """(provider kind, why the handler cannot use it or None): kinds `call`, `generator`, `async-generator`,
    `await`; (None, why) for a dependency that is no resource (reads the request, cannot be read)."""
    if not param.dependency:
        return None, "a dependency migrator cannot resolve"
    if param.headers or param.auth:
        return None, f"the dependency `{param.dependency}`, which reads the request"
    module, _, name = param.dependency.rpartition(".")
    found = _function_shape(sources, module, name)
    if found is None:
        return None, f"the dependency `{param.dependency}`, which is not a plain function migrator can read"
    required, marked, yields, asynchronous = found
    if required or marked:
        return None, f"the dependency `{param.dependency}`, which takes request inputs or other dependencies"
    if yields:
        kind, what = ("async-generator", "an async generator") if asynchronous else (
            "generator", "a generator (yield)")
        return kind, f"the dependency `{param.dependency}`, {what} the Standard API handler cannot enter yet"
    if asynchronous:
        return "await", (f"the dependency `{param.dependency}`, a coroutine (async def) the Standard API handler "
                         "cannot await yet")
    return "call", None


def _function_shape(sources: SourceSet, module: str, name: str) -> Optional[tuple[bool, bool, bool, bool]]:
    """(a parameter without default, a parameter marker default, yields, async) of the top-level function `name`
    of `module`; None when there is none. Read with `ast` (a dependency's module is only looked at, never
    rewritten: no LibCST tree for it); LibCST's reading when `ast` rejects the file (newer syntax)."""
    tree = sources.syntax_tree(module)
    if tree is None:
        index = sources.get_module(module)
        func = index.function(name) if index is not None else None
        if func is None:
            return None
        params = [*func.params.posonly_params, *func.params.params, *func.params.kwonly_params]
        return (any(p.default is None for p in params), any(marker(p.default) for p in params),
                cst.Yield in collect(func.body).types, func.asynchronous is not None)
    func = _top_level_function(tree, name)
    if func is None:
        return None
    args = func.args
    positional = args.posonlyargs + args.args
    required = len(args.defaults) < len(positional) or any(d is None for d in args.kw_defaults)
    marked = any(_is_marker(d) for d in [*args.defaults, *args.kw_defaults] if d is not None)
    yields = any(isinstance(node, (ast.Yield, ast.YieldFrom)) for stmt in func.body for node in ast.walk(stmt))
    return required, marked, yields, isinstance(func, ast.AsyncFunctionDef)


def _top_level_function(tree: ast.Module, name: str) -> Optional[ast.FunctionDef | ast.AsyncFunctionDef]:
    """What `ModuleIndex.function` finds, on an `ast` tree: the last top-level binding of `name` (def, class,
    import, assignment), when it is a function. A name bound only inside if/try/with is no plain function."""
    found: Optional[ast.AST] = None
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found = stmt if stmt.name == name else found
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in stmt.names if a.name != "*"):
                found = stmt
        elif isinstance(stmt, ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                found = stmt
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            found = stmt
    return found if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _is_marker(expr: ast.expr) -> bool:
    """A FastAPI parameter marker call (`Depends(...)`, `Query(...)`), as `codemods._signature.marker` reads it."""
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in MARKERS


# --- one route ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Local:
    """A route's verdict before the closure check, with the nodes the moved code consists of."""

    verdict: Verdict
    index: Optional[ModuleIndex] = None
    nodes: list[cst.CSTNode] = dataclasses.field(default_factory=list)


def _reason(code: str, message: str, route: Route) -> Reason:
    return Reason(code=code, message=message, file=route.file, line=route.line)


def _unmoved(route: Route, match: Optional[Match], code: str, message: str) -> Verdict:
    status = "stays" if match is None else "manual"
    return Verdict(status=status, reasons=[_reason(code, message, route)], is_async=route.is_async,
                   response=ResponseFact(status_code=route.status_code, response_model=route.response_model))


def _local(route: Route, match: Optional[Match], index: ModuleIndex | SourceError | None,
           sources: SourceSet) -> _Local:
    if match is None:
        return _Local(_unmoved(route, None, "no-operation", "no standard operation in the catalog (stays as is)"))
    if route.closure:
        return _Local(_unmoved(route, match, "closure", "defined inside a function (a closure): move it by hand"))
    if isinstance(index, SourceError) or index is None:
        return _Local(_unmoved(route, match, "unreadable", str(index) if index else f"cannot read {route.file}"))
    func = index.function(route.qualname) if "." not in route.qualname else None
    if func is None:
        return _Local(_unmoved(route, match, "not-top-level", f"function `{route.qualname}` is not defined at the "
                               f"top level of {route.file} (a method or a factory): move it by hand"))
    reasons: list[Reason] = []
    kinds = collect(func.body).types
    if cst.Yield in kinds:
        reasons.append(_reason("streams", "the body streams (yield): move it by hand", route))
    if cst.Global in kinds or cst.Nonlocal in kinds:
        reasons.append(_reason("module-state", "the body rebinds module state (global/nonlocal): move it by hand",
                               route))
    if func.params.star_kwarg or isinstance(func.params.star_arg, cst.Param):
        reasons.append(_reason("star-args", "takes *args/**kwargs: move it by hand", route))
    nodes: list[cst.CSTNode] = [func.body] + ([func.returns] if func.returns is not None else [])
    params = _params(route, match, func, index, sources, reasons, nodes)
    if route.tenant_source is None and match.entry.tenant_scoped:
        reasons.append(_reason("no-tenant", "no tenant source found (X-Tenant-ID header, tenant path/query "
                                            "parameter or token)", route))
    if route.tenant_param and not any(p.role == "tenant" for p in params):
        reasons.append(_reason("tenant-param", f"the tenant parameter `{route.tenant_param}` is not a parameter of "
                                               "the route function", route))
    tenant_param = next((p for p in route.params if p.name == route.tenant_param), None)
    verdict = Verdict(
        status="manual" if reasons else "automatic",
        reasons=reasons,
        is_async=func.asynchronous is not None,
        tenant=TenantFact(param=route.tenant_param, source=route.tenant_source,
                          dependency=tenant_param.dependency if tenant_param else None,
                          annotation=tenant_param.annotation if tenant_param else None) if route.tenant_source else None,
        params=params,
        response=ResponseFact(status_code=route.status_code, response_model=route.response_model,
                              returns=index.code(func.returns.annotation) if func.returns else None),
    )
    return _Local(verdict, index, nodes)


def _params(route: Route, match: Match, func: cst.FunctionDef, index: ModuleIndex, sources: SourceSet,
            reasons: list[Reason], nodes: list[cst.CSTNode]) -> list[ParamPlan]:
    """Each parameter's role; reasons for those the moved code would need but cannot receive."""
    declared = declared_params(func)
    usage = body_usage(func, {p.name for p in route.params})
    known = set(match.param_map)
    out: list[ParamPlan] = []
    for param in route.params:
        node = declared.get(param.name)
        use = usage[param.name]
        plan = ParamPlan(name=param.name, role="dropped", kind=param.kind, dependency=param.dependency)
        problem = None
        if node is None:
            problem = f"parameter `{param.name}` is not in the signature of `{route.qualname}`"
        elif param.name == route.tenant_param:
            plan.role, plan.annotation = "tenant", "str"
            identity = [a for a in use.attrs if a not in TENANT_ATTRS] if param.auth else []
            if identity or (param.auth and use.subscripts):
                via = f" (dependency `{param.dependency}`)" if param.dependency else ""
                read = f"`{param.name}.{identity[0]}`" if identity else f"`{param.name}[...]`"
                problem = f"the body reads the caller's identity {read}{via}: the handler only gets the tenant id"
        elif param.kind in _CONTEXT_KINDS or param.kind == "request":
            kind_name = _CONTEXT_KINDS.get(param.kind, "Request")
            if param.annotation and "WebSocket" in param.annotation:
                kind_name = "WebSocket"
            if use.used:
                detail = f" (`{param.name}.{use.attrs[0]}`)" if use.attrs else ""
                problem = f"the body uses the {kind_name} `{param.name}`{detail}: a handler method has none"
            plan.note = f"the {kind_name} is not used by the body"
        elif param.kind in ("depends", "security"):
            problem = _dependency(param, use, route, sources, plan)
        elif param.kind in ("header", "cookie"):
            if use.used:
                problem = (f"the body reads the request {param.kind} `{param.name}`, which the handler cannot "
                           "receive: move it by hand")
            plan.note = f"request {param.kind} not used by the body (auth is the standard router's market key)"
        else:
            plan.role = "body" if param.kind == "body" else "path" if param.kind == "path" else "query"
            if param.name not in known and not (param.kind == "body" and match.entry.body_model):
                problem = (f"parameter `{param.name}` ({param.kind}) has no mapping to `{match.entry.key}`: map it "
                           "in [tool.migrator.catalog] or move the route by hand")
        if problem:
            reasons.append(_reason("parameter", problem, route))
        if node is not None and plan.role in ("path", "query", "body", "resource"):
            annotation, default = kept_nodes(node, plan.role)
            plan.annotation = index.code(annotation) if annotation is not None else None
            plan.default = index.code(default) if default is not None else None
            nodes += [n for n in (annotation, default) if n is not None]
        out.append(plan)
    return out


def _dependency(param: Param, use: Usage, route: Route, sources: SourceSet, plan: ParamPlan) -> Optional[str]:
    via = f" (dependency `{param.dependency}`)" if param.dependency else ""
    if param.auth:
        identity_attrs = [a for a in use.attrs if a not in TENANT_ATTRS]
        if identity_attrs:
            return (f"the body reads the caller's identity `{param.name}.{identity_attrs[0]}`{via}: the handler "
                    "only gets the tenant id")
        if use.subscripts:
            return f"the body reads the caller's identity `{param.name}[...]`{via}"
        if use.used:
            return f"the body passes the caller's identity `{param.name}` on{via}"
        plan.note = "auth dependency not used by the body (the standard router checks the market key)"
        return None
    provider, why_not = _provider(param, sources)
    plan.provider = provider
    if provider in PROVIDED:
        plan.role = "resource"
        return None
    if use.used:
        return f"the body reads `{param.name}` from {why_not}: move it by hand"
    plan.note = "dependency not used by the body"
    return None


# --- all routes of the app: the closure check --------------------------------------------------------------------


def assess_routes(routes: list[Route], matches: list[Optional[Match]], sources: SourceSet, *,
                  generated: set[str], skip: Optional[dict[int, tuple[str, str]]] = None) -> list[Verdict]:
    """One verdict per route (same order). `generated`: modules/packages of generated code; `skip`: index ->
    (code, message) for mapped routes phase 1 does not migrate (another app)."""
    skip = skip or {}
    locals_: list[_Local] = []
    for number, (route, match) in enumerate(zip(routes, matches)):
        if number in skip and match is not None:
            locals_.append(_Local(_unmoved(route, match, *skip[number])))
            continue
        if match is None:  # stays: its source is not read (most routes of a large service)
            locals_.append(_local(route, None, None, sources))
            continue
        try:
            index: ModuleIndex | SourceError = sources.get(route.file)
        except SourceError as exc:
            index = exc
        locals_.append(_local(route, match, index, sources))
    _settle(routes, locals_, sources, generated)
    return [item.verdict for item in locals_]


def _settle(routes: list[Route], locals_: list[_Local], sources: SourceSet, generated: set[str]) -> None:
    """What each automatic route carries along; a route whose code cannot move becomes manual. Repeats until no
    verdict changes (a module that loses its last moving route stops being rewritten)."""
    route_names: dict[str, set[str]] = {}
    for route in routes:
        if "." not in route.qualname:
            route_names.setdefault(module_name_for(route.file), set()).add(route.qualname)
    while True:
        rewritten = {item.index.module for item in locals_ if item.verdict.status == "automatic" and item.index}
        memo: dict = {}  # valid for one set of rewritten modules
        changed = False
        for route, item in zip(routes, locals_):
            if item.verdict.status != "automatic" or item.index is None:
                continue
            needs = needs_of(item.index, item.nodes, sources, rewritten=rewritten, generated=generated,
                             routes=route_names, memo=memo)
            if needs.problem:
                item.verdict.status = "manual"
                item.verdict.reasons.append(_reason("closure", needs.problem, route))
                changed = True
                continue
            item.verdict.helpers = [f"{module}:{name}" for module, name in needs.helpers]
            item.verdict.imports = sorted(ImportRef(module=s.module, name=s.name, asname=s.asname)
                                          for s in needs.imports)
        if not changed:
            return


# --- the short form (one route, e.g. from a test) ----------------------------------------------------------------


def assess(route: Route, module: cst.Module | ModuleIndex, *, match: Optional[Match] = None,
           catalog: Optional[Catalog] = None, sources: Optional[SourceSet] = None) -> Assessment:
    """Assess one route on its own (`assess_routes` decides for a whole app). `module`: the parsed module of
    `route.file`; `match` defaults to the route's match in `catalog` (default: the built-in catalog)."""
    if match is None:
        match = (catalog or builtin_catalog()).match(route)
    sources = sources or SourceSet(".")
    index = module if isinstance(module, ModuleIndex) else sources.put(route.file, module.code)
    local = _local(route, match, index, sources)
    if local.verdict.status == "automatic" and local.index is not None:
        needs = needs_of(local.index, local.nodes, sources, rewritten={local.index.module}, generated=set(),
                         routes={local.index.module: {route.qualname}})
        if needs.problem:
            local.verdict.reasons.append(_reason("closure", needs.problem, route))
            local.verdict.status = "manual"
    return Assessment(automatic=local.verdict.status == "automatic",
                      reasons=[r.message for r in local.verdict.reasons])
