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


def string_node(text: str) -> cst.SimpleString:
    return cst.SimpleString('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def fstring_node(literal: str, field: str, tail: str) -> cst.BaseExpression:
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
        args = [cst.Arg(string_node(op)), cst.Arg(cst.Name("tenant_id"), keyword=cst.Name("tenant_id"), equal=_EQUAL)]
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



_NOT_IMPLEMENTED = '''
async def {name}({params}) -> {returns}:
    raise {error}({operation}, {hint})
'''


def not_implemented(op: str, r: Renderer, hint: str) -> cst.FunctionDef:
    return method(_NOT_IMPLEMENTED, op, r, error=r.n("NotImplementedOperationError"), operation=string_node(op),
                  hint=string_node(hint))



#: The modules holding the templates, one per operation family (each exports TEMPLATES: operation -> renderer).
FAMILIES = ("_methods_stats", "_methods_users", "_methods_tenants", "_methods_settings")


@lru_cache(maxsize=None)
def templates() -> dict[str, Callable]:
    """Operation -> the function rendering its method(s), gathered from the family modules."""
    from importlib import import_module

    out: dict[str, Callable] = {}
    for family in FAMILIES:
        for name, fn in import_module(f"{__package__}.{family}").TEMPLATES.items():
            if name in out:
                raise ValueError(f"{family}: a template for {name} exists already")
            out[name] = fn
    return out


def render(op: Operation, r: Renderer, ops: dict[str, Operation]) -> list[cst.FunctionDef]:
    """The methods implementing `op` (get_tenant_status also gives the Service Market's summary)."""
    fn = templates().get(op.name)
    if fn is None or op.primary is None:
        raise TemplateError(f"no template for {op.name}")
    out = fn(op, r, ops)
    return out if isinstance(out, list) else [out]
