"""Can phase 1 move a route's logic automatically, or does a person have to? The one place that decides.

`assess_routes` gives every route of the app one `Verdict` (migrator.plan) with its reasons and the facts the
codemods need: each parameter's role (tenant, path, query, body, a resource the handler provides, or dropped),
the tenant source, the response, and what the moved code carries along (helpers, imports). `analyze` shows the
verdicts, `apply --phase 1` executes them, `status` repeats them from the journal; the codemods never re-decide.

The handler gives the moved code what the route's parameters gave it: the standard tenant id (a string, or an int
converted with a 404 for a non-numeric id) when the tenant parameter is a plain id or comes from an auth
dependency; otherwise the legacy tenant parameter itself (an object from a class dependency, a typed id) and the
resource dependencies (sessions from `yield` or async generators, classes, `Annotated` aliases, nested `Depends`),
obtained through FastAPI's own solver at run time (`shims.legacy_deps.legacy_inputs`, `Verdict.inputs`); query
parameters of such a route go through the solver too, so FastAPI converts and validates them as before.

A route needs a person when:
- its body uses something a service function cannot receive: the `Request`, `WebSocket`, `Response` or
  `BackgroundTasks`, a request header or cookie other than the tenant (a credential read in the body), the caller's
  identity from an auth dependency (`admin.id`; unless `[tool.migrator] identity` names the dependency giving the
  identity a Standard API call acts as: it is solved in that dependency's place), or a dependency that reads a
  request header other than the tenant's or `request.state` (what a middleware put on the legacy request);
- its body streams (`yield`) or rebinds module state (`global` / `nonlocal`), or takes `*args` / `**kwargs`;
- it is not a top-level function (a closure or a method);
- it has no tenant source (X-Tenant-ID header, tenant path/query parameter, token), except provisioning and
  cross-tenant operations (`tenant_scoped = false` in the catalog) and single-tenant deployments
  (`[tool.migrator] tenant`);
- it has required request parameters the operation has no input for;
- what it uses cannot move with it (a route function, the router object, a name bound inside `if`/`try`);
- it is served by another app than the one phase 1 migrates.
"""

from __future__ import annotations

import ast
import dataclasses
from collections import Counter
from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node
from pydantic import BaseModel, Field

from codemods._closure import needs_of
from codemods._imports import module_name_for
from codemods._signature import declared_params, kept_nodes, marker, marker_default, signature_nodes
from codemods._source import ModuleIndex, SourceError, SourceSet, children, collect
from codemods._standard_methods import standard_input
from migrator.answer_shapes import AnswerMapper, Answers
from migrator.catalog import Catalog, Match, builtin_catalog
from migrator.cst_lines import LineIndex
from migrator.identity_type import identity_id_type, identity_mismatch
from migrator.inventory.models import Param, Route
from migrator.plan import ImportRef, InputsFact, ParamPlan, Reason, ResponseFact, TenantFact, Verdict
from shims.body_fields import FIELDS

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


def _provider(param: Param, sources: SourceSet) -> Optional[str]:
    """How a resource dependency is obtained (recorded; the handler obtains every kind through FastAPI's solver):
    `call`, `generator`, `async-generator`, `await` (a coroutine), `class`; None when migrator cannot read it."""
    if not param.dependency:
        return None
    module, _, name = param.dependency.rpartition(".")
    tree = sources.syntax_tree(module)
    if tree is not None:  # read with `ast`: a dependency's module is only looked at, never rewritten
        node = _top_level(tree, name)
        if isinstance(node, ast.ClassDef):
            return "class"
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        asynchronous = isinstance(node, ast.AsyncFunctionDef)
        if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for stmt in node.body for n in ast.walk(stmt)):
            return "async-generator" if asynchronous else "generator"
        return "await" if asynchronous else "call"
    index = sources.get_module(module)  # LibCST's reading when `ast` rejects the file (newer syntax)
    if index is None:
        return None
    if isinstance(index.globals_.get(name), cst.ClassDef):
        return "class"
    func = index.function(name)
    if func is None:
        return None
    if cst.Yield in collect(func.body).types:
        return "async-generator" if func.asynchronous else "generator"
    return "await" if func.asynchronous is not None else "call"


def _top_level(tree: ast.Module, name: str) -> Optional[ast.AST]:
    """What `ModuleIndex` binds to `name` at the top level, on an `ast` tree: the last def, class, import or
    assignment of it. A name bound only inside if/try/with is not found."""
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
    return found


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


def _view_class(route: Route) -> str | None:
    """The class of a class-based view route (`@cbv(router)`): its first parameter is a dependency on the class
    that defines it (the inventory's reading of `self`); None for any other route."""
    owner = route.function.rsplit(".", 1)[0]
    first = route.params[0] if route.params else None
    if first is not None and first.kind == "depends" and first.dependency == owner:
        return owner.rsplit(".", 1)[-1]
    return None


def _closure_reason(route: Route, index: ModuleIndex | SourceError | None) -> str:
    """Why a route defined inside a function stays, naming that function, its line, and whether it is a router
    factory (it returns the router the route is registered on: FastAPI gets a new router from each call)."""
    outer = route.qualname.split(".<locals>.", 1)[0]
    func = index.function(outer) if isinstance(index, ModuleIndex) and "." not in outer else None
    if func is None:
        return f"defined inside the function `{outer}` (a closure): move it by hand"
    line = LineIndex(index.tree, index.source).line(func)  # the `def` line, as the ast reads it
    where = f" ({route.file}:{line})" if line else ""
    returned = {get_full_name_for_node(small.value) for statement in func.body.body
                if isinstance(statement, cst.SimpleStatementLine) for small in statement.body
                if isinstance(small, cst.Return) and small.value is not None}
    if route.router and route.router in returned:
        return (f"defined inside the router factory `{outer}`{where}, which builds `{route.router}` anew on each "
                f"call; phase 1 moves route functions defined at module level only: move it by hand")
    return f"defined inside the function `{outer}`{where} (a closure): move it by hand"


def _local(route: Route, match: Optional[Match], index: ModuleIndex | SourceError | None,
           sources: SourceSet, single: bool = False, tenanted: Optional[str] = None,
           identity: Optional[str] = None) -> _Local:
    if match is None:
        return _Local(_unmoved(route, None, "no-operation", "no standard operation in the catalog (stays as is)"))
    if route.closure:
        return _Local(_unmoved(route, match, "closure", _closure_reason(route, index)))
    if isinstance(index, SourceError) or index is None:
        return _Local(_unmoved(route, match, "unreadable", str(index) if index else f"cannot read {route.file}"))
    func = index.function(route.qualname) if "." not in route.qualname else None
    view = _view_class(route)
    if func is None and view is not None:
        return _Local(_unmoved(route, match, "class-based-view", f"`{route.qualname}` is a method of the class-based "
                               f"view `{view}`, whose `self` FastAPI builds per request from the dependencies the "
                               f"class declares; a handler method cannot get them: move it by hand"))
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
    params = _params(route, match, func, index, sources, reasons, nodes, identity)
    tenant = _tenant_fact(route, match, params, single, reasons, tenanted)
    inputs = _inputs(route, match, params, reasons, index, sources, identity)
    verdict = Verdict(
        status="manual" if reasons else "automatic",
        reasons=reasons,
        is_async=func.asynchronous is not None,
        tenant=tenant,
        params=params,
        response=ResponseFact(status_code=route.status_code, response_model=route.response_model,
                              returns=index.code(func.returns.annotation) if func.returns else None),
        inputs=inputs,
    )
    return _Local(verdict, index, nodes)


NO_TENANT = ("no tenant source found (X-Tenant-ID header, tenant path/query parameter or token); a deployment that "
             "serves one tenant says which with [tool.migrator] tenant = \"<id>\" (or tenant_env, or --tenant)")


def _tenant_fact(route: Route, match: Match, params: list[ParamPlan], single: bool,
                 reasons: list[Reason], tenanted: Optional[str] = None) -> Optional[TenantFact]:
    if route.tenant_source is None:
        if match.entry.tenant_scoped and single:
            return TenantFact(mode="single")
        if match.entry.tenant_scoped:
            reasons.append(_reason("no-tenant", _no_tenant(tenanted), route))
        return None
    plan = next((p for p in params if p.role == "tenant"), None)
    if route.tenant_param and plan is None:
        reasons.append(_reason("tenant-param", f"the tenant parameter `{route.tenant_param}` is not a parameter of "
                                               "the route function", route))
    param = next((p for p in route.params if p.name == route.tenant_param), None)
    return TenantFact(param=route.tenant_param, source=route.tenant_source,
                      dependency=param.dependency if param else None, annotation=param.annotation if param else None,
                      mode="solved" if plan is not None and plan.solved else "id")


def _no_tenant(tenanted: Optional[str]) -> str:
    """Why a tenant-scoped route without a tenant source stays; in an app whose other routes read a tenant, also
    that this one may be platform-wide (serving every tenant at once), which no single tenant's operation is."""
    if tenanted is None:
        return NO_TENANT
    return (f"no tenant source found in this route while {tenanted}: a route serving every tenant at once "
            "(platform-wide) is no tenant's operation, move it by hand; a deployment that serves one tenant says "
            "which with [tool.migrator] tenant = \"<id>\" (or tenant_env, or --tenant)")


def _tenanted_by_app(routes: list[Route]) -> dict[Optional[str], str]:
    """For each app, how many of its routes read a tenant and their most frequent source, in words (apps whose
    routes read none are left out)."""
    sources: dict[Optional[str], Counter[str]] = {}
    for route in routes:
        if route.tenant_source:
            sources.setdefault(route.app, Counter())[route.tenant_source] += 1
    return {app: f"{sum(found.values())} other route(s) of its app read one (most often `{found.most_common(1)[0][0]}`)"
            for app, found in sources.items()}


def _tenant_in(source: Optional[str]) -> Optional[tuple[str, str]]:
    kind, _, name = (source or "").partition(":")
    return (kind, name) if kind in ("header", "path", "query") and name else None


def _inputs(route: Route, match: Match, params: list[ParamPlan], reasons: list[Reason], index: ModuleIndex,
            sources: SourceSet, identity: Optional[str] = None) -> Optional[InputsFact]:
    """The parameters the handler obtains through FastAPI's solver: the tenant object or typed id, resource
    dependencies, the caller's identity (given by the configured `identity` dependency), and then the route's query
    parameters too (so that FastAPI converts and validates them)."""
    if not any(p.solved for p in params):
        return None
    by_name = {p.name: p for p in route.params}
    query: dict[str, str] = {}
    defaults: dict[str, object] = {}
    for plan in params:
        if plan.role == "query":
            plan.solved = True
            if plan.standard:
                query[plan.wire or plan.name] = plan.standard
                known, value = _literal(plan.default, index, sources)
                if known:
                    defaults[plan.wire or plan.name] = value
        elif plan.solved and plan.role in ("resource", "tenant") and by_name[plan.name].dependency:
            # a dependency's own query parameters (`limit`, `skip` of a pagination it depends on), the tenant's
            # too (a listing filtered by `?tenant=`): the standard inputs reach them through FastAPI's solver
            fields = _class_query_defaults(by_name[plan.name].dependency, sources)
            for name in by_name[plan.name].queries:
                standard = standard_input(match.entry.operation, name, None, match.param_map)
                if standard:
                    query.setdefault(name, standard)
                    if name in fields:
                        defaults.setdefault(name, fields[name])
                elif name in by_name[plan.name].required_queries and _tenant_in(route.tenant_source) != ("query", name):
                    reasons.append(_reason("dependency-input", (
                        f"the dependency `{by_name[plan.name].dependency}` requires the query parameter `{name}`, "
                        f"which `{match.entry.operation}` has no input for: map it in [tool.migrator.catalog] or "
                        "move the route by hand"), route))
    # solved with the maintainer's dependency: the legacy one (which may read the tenant) is not solved
    acting = {p.name: identity for p in params if identity and p.solved and p.note == _acting_note(identity)}
    tenant_in = None
    reads_tenant = any(p.solved and p.name not in acting and (p.role == "tenant" or by_name[p.name].reads_tenant)
                       for p in params)
    if reads_tenant:
        tenant_in = _tenant_in(route.tenant_source)
        if tenant_in is None:
            reasons.append(_reason("tenant-source", f"the legacy dependencies read the tenant from "
                                   f"{route.tenant_source}, which a Standard API call cannot supply: move it by hand",
                                   route))
    return InputsFact(function=f"_{route.qualname}_inputs", params=[p.name for p in params if p.solved],
                      tenant_in=tenant_in, query=query, defaults=defaults, identity=acting)


def _literal(text: Optional[str], index: ModuleIndex, sources: SourceSet) -> tuple[bool, object]:
    """(known, value) of a default's source text: a literal, or an Enum member's value (`Period.month`)."""
    if text is None:
        return False, None
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    owner, _, member = text.partition(".")
    if not member or "." in member or not owner.isidentifier():
        return False, None
    cls, module = index.globals_.get(owner), index
    spec = index.import_of(owner)
    if spec is not None and spec.name:
        if not sources.may_define_class(spec.module, spec.name):
            return False, None
        module = sources.get_module(spec.module)
        cls = module.globals_.get(spec.name) if module is not None else None
    if not isinstance(cls, cst.ClassDef) or module is None:
        return False, None
    for name, value in _class_assignments(cls):
        if name == member:
            return _literal(module.code(value), module, sources)
    return False, None


def _class_assignments(cls: cst.ClassDef) -> list[tuple[str, cst.BaseExpression]]:
    out = []
    for stmt in cls.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value:
                    out.append((small.target.value, small.value))
                elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
                        small.targets[0].target, cst.Name):
                    out.append((small.targets[0].target.value, small.value))
    return out


def _class_query_defaults(dependency: Optional[str], sources: SourceSet) -> dict[str, object]:
    """Query name -> default of the fields of a class dependency (a dataclass `Paging` with `page: int = Query(1)`)."""
    module_name, _, name = (dependency or "").rpartition(".")
    if not module_name or not sources.may_define_class(module_name, name):
        return {}
    module = sources.get_module(module_name)
    cls = module.globals_.get(name) if module is not None else None
    if not isinstance(cls, cst.ClassDef):
        return {}
    out: dict[str, object] = {}
    for field_name, value in _class_assignments(cls):
        found = marker(value)
        wire, default = field_name, value
        if found is not None:
            has, default = marker_default(found[1])
            alias = next((a.value for a in found[1].args if a.keyword and a.keyword.value == "alias"), None)
            if isinstance(alias, cst.SimpleString):
                wire = alias.evaluated_value
            if not has:
                continue
        known, literal = _literal(module.code(default), module, sources)
        if known:
            out[wire] = literal
    return out


def _params(route: Route, match: Match, func: cst.FunctionDef, index: ModuleIndex, sources: SourceSet,
            reasons: list[Reason], nodes: list[cst.CSTNode], identity: Optional[str] = None) -> list[ParamPlan]:
    """Each parameter's role; reasons for those the moved code would need but cannot receive."""
    declared = declared_params(func)
    usage = body_usage(func, {p.name for p in route.params})
    tenant_header = (_tenant_in(route.tenant_source) or ("", ""))
    out: list[ParamPlan] = []
    for param in route.params:
        node = declared.get(param.name)
        use = usage[param.name]
        plan = ParamPlan(name=param.name, role="dropped", kind=param.kind, dependency=param.dependency)
        problem, code = None, "parameter"
        if node is None:
            problem = f"parameter `{param.name}` is not in the signature of `{route.qualname}`"
        elif param.name == route.tenant_param:
            problem = _tenant_param(param, node, use, route, index, plan, sources, identity)
            if problem and problem.startswith((_IDENTITY_READ, _IDENTITY_PASSED)) and _identity_attr(route, param.name):
                code = "identity"  # the caller's identity itself: `[tool.migrator] identity` would move it
        elif param.kind in _CONTEXT_KINDS or param.kind == "request":
            kind_name = _CONTEXT_KINDS.get(param.kind, "Request")
            if param.annotation and "WebSocket" in param.annotation:
                kind_name = "WebSocket"
            if use.used:
                detail = f" (`{param.name}.{use.attrs[0]}`)" if use.attrs else ""
                problem = f"the body uses the {kind_name} `{param.name}`{detail}: a handler method has none"
            plan.note = f"the {kind_name} is not used by the body"
        elif param.kind in ("depends", "security"):
            problem = _dependency(param, use, route, sources, plan, tenant_header, identity, node, index)
            # the caller's identity, which the setting would give (once set, what is left is another reason)
            code = "identity" if problem and param.auth and not (param.paths and use.used) and not identity else code
        elif param.kind in ("header", "cookie"):
            if use.used:
                problem = (f"the body reads the request {param.kind} `{param.name}`, which the handler cannot "
                           "receive: move it by hand")
            plan.note = f"request {param.kind} not used by the body (auth is the standard router's market key)"
        else:
            problem = _request_param(param, node, match, plan, index, sources)
        if problem:
            reasons.append(_reason(code, problem, route))
        if node is not None and (plan.role in ("path", "query", "body", "resource") or plan.solved):
            annotation, default = kept_nodes(node, "resource" if plan.solved and plan.role == "tenant" else plan.role)
            plan.annotation = index.code(annotation) if annotation is not None else plan.annotation
            plan.default = index.code(default) if default is not None else None
            nodes += [n for n in (annotation, default) if n is not None]
            if plan.solved:  # the handler's inputs function copies the whole parameter
                nodes += [n for n in (node.annotation, node.default) if n is not None]
        out.append(plan)
    return out


_PLAIN_ID = {None, "str", "Optional[str]", "str | None"}


_IDENTITY_READ = "the body reads the caller's identity"
_IDENTITY_PASSED = "the body passes the caller's identity"


def _tenant_param(param: Param, node: cst.Param, use: Usage, route: Route, index: ModuleIndex,
                  plan: ParamPlan, sources: SourceSet, acting: Optional[str] = None) -> Optional[str]:
    """The tenant parameter: the id itself (`str`, or `int` converted by the handler) when it wraps the caller's
    credentials or is a plain string; otherwise the legacy parameter, solved from the id by FastAPI. The caller's
    identity whose body use is more than its tenant id is solved with `acting` (`[tool.migrator] identity`), an
    identity acting in the standard call's tenant."""
    plan.role = "tenant"
    base, _ = signature_nodes(node)
    base_text = index.code(base).strip() if base is not None else None
    via = f" (dependency `{param.dependency}`)" if param.dependency else ""
    # the caller's identity (credentials, or an object the tenant is read from): only its tenant id can be given
    identity = bool(param.auth) or (route.tenant_source or "").startswith("identity:")
    if identity or (param.kind not in ("depends", "security") and base_text in _PLAIN_ID):
        plan.annotation = "int" if base_text == "int" else "str"
        attr = _identity_attr(route, param.name)
        # the body passes on the object the tenant is read from (`describe(org)`), not a tenant id
        passes_object = identity and use.bare and _holds_an_object(param, base_text, route)
        if identity:
            only_the_tenant = set(use.attrs) <= {attr, *TENANT_ATTRS} and not use.subscripts and not use.bare
            if _subject_paths(param, route) and use.used and not only_the_tenant:
                return _tenant_loads_the_path(param, use, route)
            # the identity's own tenant attribute (`admin.org_id`, `organisation.id`) is the tenant id, not another read
            other = [a for a in use.attrs if a not in TENANT_ATTRS and a != attr]
            if acting and attr is not None and (other or use.subscripts or passes_object):
                return _solve_as_identity(param, node, plan, acting, index, sources)
            if other or use.subscripts:
                read = f"`{param.name}.{other[0]}`" if other else f"`{param.name}[...]`"
                return f"{_IDENTITY_READ} {read}{via}: the handler only gets the tenant id"
            if passes_object and attr is not None:
                return f"{_IDENTITY_PASSED} `{param.name}` on{via}: the handler only gets the tenant id"
        if not use.attrs and not use.subscripts and not passes_object:
            return None
        if attr is not None and set(use.attrs) == {attr} and not use.subscripts and not use.bare:
            # the body reads only the tenant id of the identity: the service function takes that id instead, of the
            # type the legacy route passes (`organisation.id` of an integer primary key: an int)
            plan.annotation = identity_id_type(node, param.dependency, attr, index, sources)
            plan.substitute, plan.rename = attr, "tenant_id"
            plan.note = f"`{param.name}.{attr}` reads become the tenant id the handler passes"
            return None
        if use.bare:
            return (f"the body passes `{param.name}` on, what the authenticated dependency{via} returns, and the "
                    "handler only has the tenant id: move it by hand")
        read = f"`{param.name}.{use.attrs[0]}`" if use.attrs else f"`{param.name}[...]`"
        return (f"the body reads {read} of what the authenticated dependency{via} returns, and the handler "
                "only has the tenant id: move it by hand")
    plan.solved = True
    if param.state:
        return f"the tenant `{param.name}` comes from {_state_problem(param)}"
    if _subject_paths(param, route):  # the handler's solver has the tenant id, not the path's other parameters
        return _tenant_loads_the_path(param, use, route)
    if _tenant_in(route.tenant_source) is None:
        return (f"the tenant `{param.name}`{via} comes from {route.tenant_source}, which a Standard API call "
                "cannot supply: move it by hand")
    return None


def _holds_an_object(param: Param, base_text: Optional[str], route: Route) -> bool:
    """Whether the tenant parameter holds an object rather than the tenant id: typed as something else than a
    string or an int, or the identity the route's tenant is read from (`admin` of `identity:admin.tenant_id`)."""
    if base_text not in _PLAIN_ID and base_text != "int":
        return True
    return (route.tenant_source or "").startswith("identity:") and _identity_attr(route, param.name) is not None


def _subject_paths(param: Param, route: Route) -> list[str]:
    """Path parameters of the route the tenant parameter's dependency reads besides the tenant's own: it loads the
    path's subject (the member of `/members/{member_id}`) along with the tenant."""
    return [p for p in param.paths if route.tenant_source != f"path:{p}"]


def _tenant_loads_the_path(param: Param, use: Usage, route: Route) -> str:
    """Why a tenant parameter whose dependency loads the path's subject cannot move: the handler gets the tenant
    id alone, neither the subject nor the path parameters to load it."""
    paths = ", ".join(f"`{{{p}}}`" for p in _subject_paths(param, route))
    dependency = f"the dependency `{param.dependency}`" if param.dependency else "its dependency"
    if not use.used:
        return (f"the tenant `{param.name}` comes from {dependency}, which also reads the path's {paths}: the handler "
                "has only the tenant id to give it: move it by hand")
    return (f"the body {_body_use(param.name, use)}, the path's subject {dependency} loads from {paths} along with "
            "the tenant; the handler only gets the tenant id: move it by hand")


def _body_use(name: str, use: Usage) -> str:
    """What the body does with the value a dependency loaded, in words (for the reasons above and below)."""
    if use.bare:
        return f"uses `{name}` itself (returned or passed on)"
    return f"reads `{name}.{use.attrs[0]}`" if use.attrs else f"reads `{name}[...]`"


def _identity_attr(route: Route, param: str) -> Optional[str]:
    """The attribute of the caller's identity that holds the tenant id: `tenant_id` of `identity:admin.tenant_id`
    when `param` is that identity parameter, else `tenant_id` (the identity the tenant dependency returned)."""
    source = route.tenant_source or ""
    if not source.startswith("identity:"):
        return "tenant_id"
    name, _, attr = source.split(":", 1)[1].partition(".")
    return attr if name == param and attr else None


def _unfilled_fields(node: cst.Param, index: ModuleIndex, sources: SourceSet) -> list[str]:
    """Required fields of a legacy body model (a class migrator can read) that `shims.adapters.create_user_body`
    has nothing for (`shims.body_fields.FIELDS`: e-mail, name, username, password, role, admin flag)."""
    base, _ = signature_nodes(node)
    name = index.code(base).strip() if base is not None else ""
    module, cls = index, index.globals_.get(name)
    spec = index.import_of(name)
    if spec is not None and spec.name:
        if not sources.may_define_class(spec.module, spec.name):
            return []
        module = sources.get_module(spec.module)
        cls = module.globals_.get(spec.name) if module is not None else None
    if not isinstance(cls, cst.ClassDef):
        return []
    fillable = {"email", "name", "username", "password", "role", "admin_flag", "active_flag"}
    out = []
    for stmt in cls.body.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and _required(small.value):
                field_name = small.target.value
                if FIELDS.get(field_name.lower()) not in fillable and not field_name.startswith("_"):
                    out.append(field_name)
    return out


def _required(value: Optional[cst.BaseExpression]) -> bool:
    """A pydantic field declared without a default (`x: str`, `x: str = Field(...)`, `Field(min_length=3)`)."""
    if value is None:
        return True
    if isinstance(value, cst.Call) and (getattr(value.func, "value", None) == "Field" or (
            isinstance(value.func, cst.Attribute) and value.func.attr.value == "Field")):
        if any(a.keyword is not None and a.keyword.value in ("default", "default_factory") for a in value.args):
            return False
        first = value.args[0] if value.args and value.args[0].keyword is None else None
        return first is None or isinstance(first.value, cst.Ellipsis)
    return False


def _request_param(param: Param, node: cst.Param, match: Match, plan: ParamPlan,
                   index: Optional[ModuleIndex] = None, sources: Optional[SourceSet] = None) -> Optional[str]:
    """A path, query or body parameter: which standard input feeds it."""
    plan.role = "body" if param.kind == "body" else "path" if param.kind == "path" else "query"
    if plan.role == "body":
        if param.name not in match.param_map and not match.entry.body_model:
            return (f"parameter `{param.name}` (body) has no mapping to `{match.entry.key}`: map it in "
                    "[tool.migrator.catalog] or move the route by hand")
        if match.entry.operation == "create_user":
            unfilled = _unfilled_fields(node, index, sources)
            if unfilled:
                return (f"the legacy body `{param.name}` requires {', '.join(f'`{f}`' for f in unfilled)}, which a "
                        "standard CreateUserRequest (email, name, role, password) cannot fill: move it by hand")
        return None
    if plan.role == "path":
        if param.name not in match.param_map:
            return (f"parameter `{param.name}` (path) has no mapping to `{match.entry.key}`: map it in "
                    "[tool.migrator.catalog] or move the route by hand")
        plan.standard = "user_id" if match.param_map[param.name] == "user_id" else match.param_map[param.name]
        return None
    plan.wire = param.alias or param.name
    annotation, default = signature_nodes(node)
    annotation_text = cst.Module([]).code_for_node(annotation) if annotation is not None else None
    plan.standard = standard_input(match.entry.operation, param.name, annotation_text, match.param_map)
    if plan.standard is None:
        if default is not None:
            plan.note = f"`{match.entry.operation}` has no input for it: it keeps its default"
            return None
        return (f"parameter `{param.name}` (query) has no mapping to `{match.entry.key}`: map it in "
                "[tool.migrator.catalog] or move the route by hand")
    return None


def _solve_as_identity(param: Param, node: cst.Param, plan: ParamPlan, identity: str, index: ModuleIndex,
                       sources: SourceSet) -> Optional[str]:
    """Solve the caller's identity with `[tool.migrator] identity` for a standard call, unless the parameter holds
    another class than the one that dependency gives (what its own dependency derives from the identity)."""
    mismatch = identity_mismatch(node, param.dependency, identity, index, sources)
    if mismatch is not None:
        return (f"`{param.name}` holds `{mismatch[0]}`, which its dependency `{param.dependency}` derives from the "
                f"caller's identity, while [tool.migrator] identity gives `{mismatch[1]}`: only a parameter holding "
                "the identity itself is solved with it; move it by hand")
    plan.solved, plan.provider, plan.note = True, _provider(param, sources), _acting_note(identity)
    return None


def _acting_note(identity: str) -> str:
    """The note of a parameter solved with `[tool.migrator] identity` (`_inputs` lists those parameters)."""
    return f"the identity a Standard API call acts as: [tool.migrator] identity = \"{identity}\""


def _dependency(param: Param, use: Usage, route: Route, sources: SourceSet, plan: ParamPlan,
                tenant: tuple[str, str], identity: Optional[str] = None, node: Optional[cst.Param] = None,
                index: Optional[ModuleIndex] = None) -> Optional[str]:
    via = f" (dependency `{param.dependency}`)" if param.dependency else ""
    if param.auth and param.paths and use.used:
        return _subject_of_the_path(param, use)
    if param.auth and use.used and identity and node is not None and index is not None:
        # a Standard API call acts as the identity the maintainer's dependency gives (solved in place of this one)
        plan.role = "resource"
        return _solve_as_identity(param, node, plan, identity, index, sources)
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
    plan.provider = _provider(param, sources)
    if not use.used:
        plan.note = "dependency not used by the body"
        return None
    if param.state:
        return f"the body {_body_use(param.name, use)} from {_state_problem(param)}"
    headers = [h for h in param.headers if not (tenant[0] == "header" and h.lower() == tenant[1].lower())]
    if headers:
        return (f"the body reads `{param.name}` from the dependency `{param.dependency}`, which reads the request "
                f"header {', '.join(f'`{h}`' for h in headers)} that a Standard API call does not carry: move it "
                "by hand")
    if not param.dependency:
        return f"the body reads `{param.name}` from a dependency migrator cannot resolve: move it by hand"
    plan.role, plan.solved = "resource", True
    return None


def _state_problem(param: Param) -> str:
    """Why a dependency reading `request.state` cannot be solved for a Standard API call: that state is what code
    before the legacy route (a middleware, often from the legacy path or headers) put on the legacy request."""
    attrs = ", ".join(f"`request.state.{s.attr}`" + (f" (set by the middleware at {s.set_at})" if s.set_at else "")
                      for s in param.state)
    return (f"the dependency `{param.dependency}`, which reads {attrs}: state put on the legacy request before the "
            "route ran, which the handler's solve for a Standard API call does not have: move it by hand")


def _subject_of_the_path(param: Param, use: Usage) -> str:
    """An authenticated dependency that reads the route's path parameters loads the path's subject (the user of
    `/users/{username}`), not the caller: what the body does with it, and why the handler cannot solve it."""
    paths = ", ".join(f"`{{{p}}}`" for p in param.paths)
    return (f"the body {_body_use(param.name, use)}, which the dependency `{param.dependency}` loads from the path's "
            f"{paths}; that dependency also authenticates the caller ({', '.join(param.auth)}), which a Standard API "
            "call does not carry: move it by hand")


# --- all routes of the app: the closure check --------------------------------------------------------------------


def assess_routes(routes: list[Route], matches: list[Optional[Match]], sources: SourceSet, *,
                  generated: set[str], skip: Optional[dict[int, tuple[str, str]]] = None,
                  single_tenant: bool = False, answers: Optional[Answers] = None,
                  identity: Optional[str] = None) -> list[Verdict]:
    """One verdict per route (same order). `generated`: modules/packages of generated code; `skip`: index ->
    (code, message) for mapped routes phase 1 does not migrate (another app); `single_tenant`: the deployment
    serves one tenant (routes without a tenant source move); `answers` receives the legacy answers' mappings
    (`migrator.answer_shapes`): a route whose answer lacks a required standard field stays manual. `identity`:
    `[tool.migrator] identity` ("pkg.module:function"), the dependency giving the identity a Standard API call acts
    as: a body reading the caller's identity gets that one (solved in place of its auth dependency)."""
    skip = skip or {}
    tenanted = _tenanted_by_app(routes)
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
        locals_.append(_local(route, match, index, sources, single_tenant, tenanted.get(route.app), identity))
    mapper = AnswerMapper(routes, matches, sources)
    verdicts = [item.verdict for item in locals_]
    while True:  # what moves decides the mappings, an incomplete mapping keeps a route back, and so on
        _settle(routes, locals_, sources, generated)
        if not mapper.map(verdicts):
            break
    if answers is not None:
        answers.mappings, answers.inferred = mapper.answers.mappings, mapper.answers.inferred
    return verdicts


def _settle(routes: list[Route], locals_: list[_Local], sources: SourceSet, generated: set[str]) -> None:
    """What each automatic route carries along; a route whose code cannot move becomes manual. Repeats until no
    verdict changes (a module that loses its last moving route stops being rewritten)."""
    if not any(item.verdict.status == "automatic" and item.index is not None for item in locals_):
        return  # nothing moves: no closure to read (the second round after the answers kept every route back)
    modules: dict[str, str] = {}  # file -> dotted module name, once per file (many routes share one)
    route_names: dict[str, set[str]] = {}
    for route in routes:
        if "." not in route.qualname:
            module = modules.get(route.file) or modules.setdefault(route.file, module_name_for(route.file))
            route_names.setdefault(module, set()).add(route.qualname)
    for item in locals_:  # one scope analysis per module for all the routes read below
        if item.verdict.status == "automatic" and item.index is not None:
            item.index.keep_whole(item.nodes)
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
           catalog: Optional[Catalog] = None, sources: Optional[SourceSet] = None,
           single_tenant: bool = False, identity: Optional[str] = None) -> Assessment:
    """Assess one route on its own (`assess_routes` decides for a whole app). `module`: the parsed module of
    `route.file`; `match` defaults to the route's match in `catalog` (default: the built-in catalog)."""
    if match is None:
        match = (catalog or builtin_catalog()).match(route)
    sources = sources or SourceSet(".")
    index = module if isinstance(module, ModuleIndex) else sources.put(route.file, module.code)
    local = _local(route, match, index, sources, single_tenant, identity=identity)
    if local.verdict.status == "automatic" and local.index is not None:
        needs = needs_of(local.index, local.nodes, sources, rewritten={local.index.module}, generated=set(),
                         routes={local.index.module: {route.qualname}})
        if needs.problem:
            local.verdict.reasons.append(_reason("closure", needs.problem, route))
            local.verdict.status = "manual"
    return Assessment(automatic=local.verdict.status == "automatic",
                      reasons=[r.message for r in local.verdict.reasons])
