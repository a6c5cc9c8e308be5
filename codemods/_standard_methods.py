"""Templates of the Standard API methods a generated handler implements on top of the moved service functions.

Each method calls the service function(s) that now hold an operation's logic, with the standard arguments mapped
to the legacy parameters (``period`` -> ``days``, ``limit``/``offset`` -> ``page``/``limit``, string user id -> the
legacy id type), then converts the legacy JSON with `shims.adapters`. Legacy `HTTPException`s become standard
errors through `adapters.legacy_errors`. Sync service functions run in the thread pool, as FastAPI ran the sync
routes. Method signatures are those of `shims.standard_api.StandardAPIHandler` (read with `inspect.signature`),
bodies are `libcst.helpers.parse_template_statement` templates filled with nodes.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

import libcst as cst
from libcst.helpers import parse_template_expression
from libcst.helpers import parse_template_statement as _parse_statement

from shims import spec

from ._imports import ImportSpec

# Legacy parameter names that carry each standard input, when the catalog does not name them.
SYNONYMS = {
    "days": ("days", "period_days", "window_days", "window"),
    "limit": ("limit", "page_size", "per_page", "size"),
    "page": ("page", "page_number"),
    "search": ("search", "q", "query", "keyword"),
}
SCALARS = {"int", "str", "float", "bool", "dict", "list", "Optional", "None", "List", "Dict"}
#: The order standard methods appear in a generated handler: the routers' order (shims.spec).
ORDER = [op.name for op in spec.OPERATIONS]


# --- the handler's signatures, from the handler class ------------------------------------------------------------


@lru_cache(maxsize=None)
def signature(op: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """((parameter, annotation), ...) and the return annotation of `StandardAPIHandler.<op>`, `self` left out."""
    from shims.standard_api.handler import StandardAPIHandler

    sig = inspect.signature(getattr(StandardAPIHandler, op))
    params = tuple((p.name, _text(p.annotation)) for p in sig.parameters.values() if p.name != "self")
    return params, _text(sig.return_annotation)


def _text(annotation) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def abstract_operations() -> list[str]:
    """Operations every handler must implement (abstract in StandardAPIHandler): 501 when the service has none."""
    from shims.standard_api.handler import StandardAPIHandler

    return [op for op in ORDER if getattr(getattr(StandardAPIHandler, op, None), "__isabstractmethod__", False)]


ABSTRACT = abstract_operations()


class TemplateError(Exception):
    """The service function's parameters do not fit the operation: a manual step."""


@dataclass
class ServiceParam:
    name: str
    role: str  # tenant | path | query | body | resource
    annotation: Optional[str] = None
    default: Optional[str] = None
    dependency: Optional[str] = None


@dataclass
class ServiceCall:
    """A moved route's service function, as the handler calls it."""

    module: str  # the service module (dotted)
    alias: str  # how the handler module names it (`legacy_users`)
    function: str
    is_async: bool
    params: list[ServiceParam]
    route: str = ""  # the legacy route function (dotted), for messages


@dataclass
class Operation:
    """The service functions behind one standard operation (primary route plus variants)."""

    name: str
    routes: dict[Optional[str], ServiceCall] = field(default_factory=dict)  # variant (None = primary) -> call
    param_map: dict[str, str] = field(default_factory=dict)  # legacy parameter -> standard input
    adapter: Optional[str] = None
    manual: list[str] = field(default_factory=list)  # why routes of this operation stayed behind

    @property
    def primary(self) -> Optional[ServiceCall]:
        return self.routes.get(None)


# --- rendering ---------------------------------------------------------------------------------------------------


def _string(text: str) -> cst.SimpleString:
    return cst.SimpleString('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _fstring(literal: str, field: str, tail: str) -> cst.BaseExpression:
    """f"<literal>{<field>}<tail>" (the literal parts escaped)."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{").replace("}", "}}")

    return cst.parse_expression(f'f"{escape(literal)}{{{field}}}{escape(tail)}"')


class Renderer:
    """Renders standard methods. `name(x)` maps a standard name to how the handler module binds it; `model(text)`
    turns a legacy annotation into an expression the handler module can evaluate (importing what it needs)."""

    def __init__(self, name: Callable[[str], str], body_fields: Callable[[ServiceParam], Optional[set[str]]],
                 service: str, model: Callable[[str, ServiceCall], cst.BaseExpression]) -> None:
        self.name = name
        self.body_fields = body_fields
        self.service = service
        self.model = model
        self.used: set[str] = set()
        self.extra_imports: set[ImportSpec] = set()  # dependency functions the standard methods call
        self.services: set[str] = set()  # aliases of the service modules the methods call

    def n(self, standard_name: str) -> cst.Name:
        self.used.add(standard_name)
        return cst.Name(self.name(standard_name))

    def a(self) -> cst.Name:
        return self.n("adapters")

    def expr(self, template: str, **parts) -> cst.BaseExpression:
        return parse_template_expression(template, **parts)

    # -- the method's head --------------------------------------------------------------------------------------

    def head(self, op: str) -> tuple[cst.Parameters, cst.Annotation]:
        params, returns = signature(op)
        nodes = [cst.Param(cst.Name("self"))]
        for name, annotation in params:
            nodes.append(cst.Param(cst.Name(name), annotation=cst.Annotation(self._standard(annotation))))
        return cst.Parameters(params=nodes), cst.Annotation(self._standard(returns))

    def _standard(self, annotation: str) -> cst.BaseExpression:
        """An annotation of StandardAPIHandler with its model names bound as the handler module binds them."""
        expr = cst.parse_expression(annotation)

        class Bind(cst.CSTTransformer):
            def leave_Name(inner, original: cst.Name, updated: cst.Name) -> cst.Name:
                if original.value[:1].isupper():
                    return self.n(original.value)
                return updated

        return expr.visit(Bind())

    # -- calling a service function ------------------------------------------------------------------------------

    def call(self, route: ServiceCall, op: Operation, **inputs: cst.BaseExpression) -> cst.BaseExpression:
        """`await legacy_x.f(tenant_id=tenant_id, days=...)` with every required parameter supplied."""
        args = []
        for param in route.params:
            value = self._input_for(param, route, op, inputs)
            if value is None:
                if param.default is None:
                    raise TemplateError(f"`{route.route or route.function}` has a required parameter "
                                        f"`{param.name}` that `{op.name}` cannot supply")
                continue
            args.append(cst.Arg(value, keyword=cst.Name(param.name), equal=_EQUAL))
        func = cst.Attribute(cst.Name(route.alias), cst.Name(route.function))
        self.services.add(route.alias)
        if route.is_async:
            return cst.Await(cst.Call(func, args=_commas(args)))
        self.used.add("run_in_threadpool")
        return cst.Await(cst.Call(cst.Name("run_in_threadpool"), args=_commas([cst.Arg(func), *args])))

    def _input_for(self, param: ServiceParam, route: ServiceCall, op: Operation,
                   inputs: dict[str, cst.BaseExpression]) -> Optional[cst.BaseExpression]:
        if param.role == "tenant":
            return inputs.get("tenant", cst.Name("tenant_id"))
        if param.role == "resource" and param.dependency:
            module, _, func = param.dependency.rpartition(".")
            self.extra_imports.add(ImportSpec(module, func))
            return cst.Call(cst.Name(func))
        role = op.param_map.get(param.name)
        if role is None:
            role = next((key for key, names in SYNONYMS.items() if param.name in names), None)
        if role is None and param.role == "path":
            role = "user_id"
        if role is None and (param.role == "body" or (param.annotation and _is_model(param.annotation))):
            role = "body"
        if role == "user_id" and "user_id" in inputs:
            if (param.annotation or "str").strip() == "str":
                return inputs["user_id"]
            return self.expr("{a}.legacy_user_id(user_id)", a=self.a())
        if role == "body" and "body" in inputs:
            if param.annotation and _is_model(param.annotation):
                return cst.Call(self.model(param.annotation, route),
                                args=[cst.Arg(inputs["body"], star="**")])
            return inputs["body"]
        return inputs.get(role) if role else None

    def body_param(self, route: ServiceCall) -> Optional[ServiceParam]:
        return next((p for p in route.params if p.role == "body" or (p.annotation and _is_model(p.annotation)
                                                                      and p.role == "query")), None)

    def errors(self, op: str, **extra: cst.BaseExpression) -> cst.BaseExpression:
        args = [cst.Arg(_string(op)), cst.Arg(cst.Name("tenant_id"), keyword=cst.Name("tenant_id"), equal=_EQUAL)]
        args += [cst.Arg(value, keyword=cst.Name(key), equal=_EQUAL) for key, value in extra.items()]
        return cst.Call(cst.Attribute(self.a(), cst.Name("legacy_errors")), args=_commas(args))


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]


def _is_model(annotation: str) -> bool:
    head = annotation.split("[")[0].rsplit(".", 1)[-1].strip()
    return bool(head) and head[0].isupper() and head not in SCALARS


def parse_template_statement(template: str, **parts) -> cst.BaseStatement:
    """LibCST's `parse_template_statement` on a template written between triple quotes (first newline dropped)."""
    return _parse_statement(template.lstrip("\n"), **parts)


def method(template: str, op: str, r: Renderer, **parts) -> cst.FunctionDef:
    """Fill a method template: `{name}`, `{params}` and `{returns}` come from the handler class's signature."""
    params, returns = r.head(op)
    node = parse_template_statement(template, name=cst.Name(op), params=params, returns=returns, **parts)
    assert isinstance(node, cst.FunctionDef)
    return node


# --- one template per operation ----------------------------------------------------------------------------------

_PERIOD_READ = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {adapters}.{convert}(tenant_id, period, legacy)
'''

_PERIOD_ADAPTERS = {"get_tenant_costs": "costs_from_legacy", "get_usage_patterns": "usage_patterns_from_legacy",
                    "get_top_users": "top_users_from_legacy"}


def _period_read(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    inputs = {"days": r.expr("{a}.period_to_days(period)", a=r.a())}
    if op.name == "get_top_users":
        inputs["limit"] = cst.Name("limit")
    return method(_PERIOD_READ, op.name, r, errors=r.errors(op.name), call=r.call(op.primary, op, **inputs),
                  adapters=r.a(), convert=cst.Name(_PERIOD_ADAPTERS[op.name]))


_STATS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        dashboard = {call}
    return {adapters}.stats_from_dashboard(tenant_id, period, dashboard)
'''
_STATS_WITH_COSTS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        dashboard = {call}
        costs = {costs}
    return {adapters}.stats_from_dashboard(tenant_id, period, dashboard, costs)
'''


def _stats(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    costs = ops.get("get_tenant_costs")
    parts = {"errors": r.errors(op.name), "call": r.call(op.primary, op), "adapters": r.a()}
    if costs is None or costs.primary is None:
        return method(_STATS, op.name, r, **parts)
    days = r.expr("{a}.period_to_days(period)", a=r.a())
    return method(_STATS_WITH_COSTS, op.name, r, costs=r.call(costs.primary, costs, days=days), **parts)


_LIST_USERS = '''
async def {name}({params}) -> {returns}:
    {refuse_search}

    async def fetch_page(page: int, limit: int, search: {optional}[str]) -> dict:
        return {call}

    with {errors}:
        users, total = await {adapters}.collect_users(fetch_page, filters)
    return {adapters}.users_list_from_legacy(tenant_id, users, total, filters.limit, filters.offset)
'''
_REFUSE_SEARCH = '''
if filters.search:
    raise {error}({message})
'''


def _list_users(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    route = op.primary
    has_search = any(p.name in SYNONYMS["search"] or op.param_map.get(p.name) == "search" for p in route.params)
    call = r.call(route, op, page=cst.Name("page"), limit=cst.Name("limit"), search=cst.Name("search"))
    refuse = parse_template_statement(_REFUSE_SEARCH, error=r.n("InvalidRequestError"),
                                      message=_string(f"{r.service} cannot search users"))
    node = method(_LIST_USERS, op.name, r, refuse_search=refuse, optional=r.n("Optional"), call=call,
                  errors=r.errors(op.name), adapters=r.a())
    if has_search:  # the legacy route searches itself: drop the refusal
        body = node.body.body
        node = node.with_changes(body=node.body.with_changes(body=[body[1].with_changes(leading_lines=()),
                                                                   *body[2:]]))
    return node


_CREATE_USER = '''
async def {name}({params}) -> {returns}:
    payload, temporary_password = {adapters}.create_user_payload(request)
    if request.role != {role}.USER:
        raise {error}({message})
    with {errors}:
        created = {create}
    return {adapters}.create_user_response_from_legacy(created, temporary_password)
'''
_CREATE_USER_OR_ADMIN = '''
async def {name}({params}) -> {returns}:
    payload, temporary_password = {adapters}.create_user_payload(request)
    if request.role not in ({role}.USER, {role}.ADMIN):
        raise {error}({message})
    with {errors}:
        if request.role == {role}.ADMIN:
            created = {create_admin}
        else:
            created = {create}
    return {adapters}.create_user_response_from_legacy(created, temporary_password)
'''


def _create_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    message = _fstring(f"{r.service} has no '", "request.role.value", "' role")
    parts = {"adapters": r.a(), "role": r.n("UserRole"), "error": r.n("InvalidRequestError"), "message": message,
             "errors": r.errors(op.name, email=cst.parse_expression("request.email")),
             "create": r.call(op.primary, op, body=cst.Name("payload"))}
    admin = op.routes.get("admin")
    if admin is None:
        return method(_CREATE_USER, op.name, r, **parts)
    return method(_CREATE_USER_OR_ADMIN, op.name, r, create_admin=r.call(admin, op, body=cst.Name("payload")),
                  **parts)


_GET_USER = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        user = {call}
    return {adapters}.user_from_legacy(user)
'''


def _get_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_GET_USER, op.name, r, errors=r.errors(op.name, user_id=cst.Name("user_id")),
                  call=r.call(op.primary, op, user_id=cst.Name("user_id")), adapters=r.a())


_UPDATE_USER = '''
async def {name}({params}) -> {returns}:
    changes = {adapters}.update_user_payload(request)
    {prologue}
    with {errors}:
        {body}
    return {adapters}.user_from_legacy(user)
'''


def _update_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    route = op.primary
    body_param = r.body_param(route)
    accepted = r.body_fields(body_param) if body_param else None
    suspend, activate = op.routes.get("suspend"), op.routes.get("activate")
    by_route = suspend is not None and activate is not None and accepted is not None and "is_active" not in accepted
    prologue: list[cst.BaseStatement] = []
    if accepted is not None:
        unsupported = sorted({"display_name", "role", "is_active"} - accepted - ({"is_active"} if by_route else set()))
        if unsupported:
            prologue.append(parse_template_statement(
                "unsupported = sorted(set(changes) & {fields})\n", fields=cst.parse_expression(repr(set(unsupported)))))
            prologue.append(parse_template_statement(
                "if unsupported:\n    raise {error}({message})\n", error=r.n("InvalidRequestError"),
                message=_fstring(f"{r.service} cannot change ", "unsupported", "")))
    user_id = cst.Name("user_id")
    get = ops.get("get_user")
    reread = get is not None and get.primary is not None
    update = r.call(route, op, user_id=user_id, body=cst.Name("changes"))
    inner: list[cst.BaseStatement] = []
    if by_route:
        inner.append(cst.parse_statement('is_active = changes.pop("is_active", None)\n'))
    if reread:
        inner.append(parse_template_statement("if changes:\n    {update}\n", update=cst.Expr(update)))
    else:
        inner.append(parse_template_statement("if changes:\n    updated = {update}\n", update=update))
    if by_route:
        inner.append(parse_template_statement(
            "if is_active is False:\n    {suspend}\nelif is_active is True:\n    {activate}\n",
            suspend=cst.Expr(r.call(suspend, op, user_id=user_id)),
            activate=cst.Expr(r.call(activate, op, user_id=user_id))))
    if reread:
        inner.append(parse_template_statement("user = {get}\n", get=r.call(get.primary, get, user_id=user_id)))
    else:
        inner.append(parse_template_statement("if not changes:\n    raise {error}({message})\n",
                                              error=r.n("InvalidRequestError"), message=_string("nothing to update")))
        inner.append(cst.parse_statement("user = updated\n"))
    node = method(_UPDATE_USER, op.name, r, adapters=r.a(), prologue=cst.parse_statement("pass\n"),
                  errors=r.errors(op.name, user_id=user_id), body=cst.parse_statement("pass\n"))
    return _fill(node, prologue, inner)


def _fill(node: cst.FunctionDef, prologue: list[cst.BaseStatement], inner: list[cst.BaseStatement]
          ) -> cst.FunctionDef:
    """Replace the `pass` placeholders of `_UPDATE_USER` (statement lists of any length)."""
    body = list(node.body.body)
    with_block = body[2]
    with_block = with_block.with_changes(body=with_block.body.with_changes(body=inner))
    body = [body[0], *prologue, with_block, *body[3:]]
    return node.with_changes(body=node.body.with_changes(body=body))


_DELETE_USER = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        deleted = {call}
    return {adapters}.delete_response_from_legacy(deleted)
'''


def _delete_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_DELETE_USER, op.name, r, errors=r.errors(op.name, user_id=cst.Name("user_id")),
                  call=r.call(op.primary, op, user_id=cst.Name("user_id")), adapters=r.a())


_CONVERT = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {adapters}.{convert}(legacy)
'''


def _tenant_status(op: Operation, r: Renderer, ops: dict[str, Operation]) -> list[cst.FunctionDef]:
    return [method(_CONVERT, "get_tenant_status", r, errors=r.errors("get_tenant_status"),
                   call=r.call(op.primary, op), adapters=r.a(), convert=cst.Name("status_from_legacy")),
            method(_CONVERT, "get_tenant_summary", r, errors=r.errors("get_tenant_summary"),
                   call=r.call(op.primary, op), adapters=r.a(), convert=cst.Name("tenant_summary_from_legacy"))]


_LIST_TENANTS = '''
async def {name}({params}) -> {returns}:
    legacy = {call}
    return [{adapters}.tenant_summary_from_legacy(item) for item in legacy["tenants"]]
'''


def _list_tenants(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_LIST_TENANTS, op.name, r, call=r.call(op.primary, op), adapters=r.a())


_ACTIVATE = '''
async def {name}({params}) -> {returns}:
    {exists_check}
    payload = {adapters}.{to_legacy}(request)
    with {adapters}.legacy_errors("activate_tenant", tenant_id=request.tenant_id):
        result = {call}
    return {adapters}.{from_legacy}(result, request.tenant_id)
'''
_EXISTS_CHECK = '''
try:
    await self.get_tenant_status(request.tenant_id)
except {not_found}:
    pass
else:
    raise {exists}(request.tenant_id)
'''


def _activate(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    to_legacy, from_legacy = {
        "provision": ("provision_payload_from_activate", "activate_from_provision"),
    }.get(op.adapter or "", ("marketplace_payload_from_activate", "activate_from_marketplace"))
    status = ops.get("get_tenant_status")
    known = status is not None and status.primary is not None
    check = parse_template_statement(_EXISTS_CHECK, not_found=r.n("TenantNotFoundError"),
                                     exists=r.n("TenantExistsError")) if known else cst.parse_statement("pass\n")
    node = method(_ACTIVATE, op.name, r, exists_check=check, adapters=r.a(), to_legacy=cst.Name(to_legacy),
                  from_legacy=cst.Name(from_legacy), call=r.call(op.primary, op, body=cst.Name("payload")))
    if not known:  # no status to check first: drop the placeholder
        body = node.body.body
        node = node.with_changes(body=node.body.with_changes(body=body[1:]))
    return node


_SETTINGS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {adapters}.settings_from_legacy(legacy)
'''
_UPDATE_SETTINGS = '''
async def {name}({params}) -> {returns}:
    changes = {adapters}.update_settings_payload(request)
    with {errors}:
        legacy = {call}
    return {adapters}.settings_from_legacy(legacy)
'''


def _get_settings(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_SETTINGS, op.name, r, errors=r.errors(op.name), call=r.call(op.primary, op), adapters=r.a())


def _update_settings(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_UPDATE_SETTINGS, op.name, r, errors=r.errors(op.name), adapters=r.a(),
                  call=r.call(op.primary, op, body=cst.Name("changes")))


_NOT_IMPLEMENTED = '''
async def {name}({params}) -> {returns}:
    raise {error}({operation}, {hint})
'''


def not_implemented(op: str, r: Renderer, hint: str) -> cst.FunctionDef:
    return method(_NOT_IMPLEMENTED, op, r, error=r.n("NotImplementedOperationError"), operation=_string(op),
                  hint=_string(hint))


_RENDERERS: dict[str, Callable] = {
    "get_tenant_stats": _stats,
    "get_tenant_costs": _period_read,
    "get_usage_patterns": _period_read,
    "get_top_users": _period_read,
    "list_users": _list_users,
    "create_user": _create_user,
    "get_user": _get_user,
    "update_user": _update_user,
    "delete_user": _delete_user,
    "get_tenant_status": _tenant_status,
    "list_tenants": _list_tenants,
    "activate_tenant": _activate,
    "get_settings": _get_settings,
    "update_settings": _update_settings,
}


def render(op: Operation, r: Renderer, ops: dict[str, Operation]) -> list[cst.FunctionDef]:
    """The methods implementing `op` (get_tenant_status also gives the Service Market's summary)."""
    fn = _RENDERERS.get(op.name)
    if fn is None or op.primary is None:
        raise TemplateError(f"no template for {op.name}")
    out = fn(op, r, ops)
    return out if isinstance(out, list) else [out]
