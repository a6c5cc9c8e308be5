"""Templates of the Standard API methods a generated handler implements on top of the moved service functions.

Each method calls the service function(s) that now hold an operation's logic, with the standard arguments mapped
to the legacy parameters (``period`` -> ``days``, ``limit``/``offset`` -> ``page``/``limit``, string user id -> the
legacy id type), then converts the legacy JSON with `shims.adapters`. Legacy `HTTPException`s become standard
errors through `adapters.legacy_errors`. Sync service functions run in the thread pool, as FastAPI ran the sync
routes. Method signatures are those of `shims.standard_api.StandardAPIHandler` (read from its source, as
`inspect.signature` reads them), bodies are `libcst.helpers.parse_template_statement` templates filled with nodes.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

import libcst as cst
from libcst.helpers import parse_template_expression
from libcst.helpers import parse_template_statement as _parse_statement

from shims import spec

from ._imports import ImportSpec
from ._target import PythonTarget

# Legacy parameter names that carry each standard input, when the catalog does not name them.
SYNONYMS = {
    "days": ("days", "period_days", "window_days", "window"),
    "period": ("period", "range", "timeframe", "time_range"),
    "limit": ("limit", "page_size", "per_page", "size"),
    "page": ("page", "page_number"),
    "offset": ("offset", "skip", "start"),
    "search": ("search", "q", "query", "keyword", "term"),
}
#: The inputs each operation's template gives the legacy call (besides the tenant): `days` is the requested
#: period in days, `period` the period itself ("30d"), `page`/`offset` the legacy page or row offset of `limit`.
OPERATION_INPUTS = {
    "get_tenant_stats": {"days", "period"},
    "get_tenant_costs": {"days", "period"},
    "get_usage_patterns": {"days", "period"},
    "get_top_users": {"days", "period", "limit"},
    "list_users": {"page", "offset", "limit", "search"},
    "get_user": {"user_id"},
    "update_user": {"user_id"},
    "delete_user": {"user_id"},
}
_INT_TYPES = {"int", "Optional[int]", "int | None", "conint", "PositiveInt", "NonNegativeInt"}


def standard_input(operation: str, name: str, annotation: Optional[str], param_map: dict[str, str]
                   ) -> Optional[str]:
    """The standard input a legacy query/path parameter takes (`days`, `period`, `limit`, `page`, `offset`,
    `search`, `user_id`), or None when `operation` has none for it. `param_map` is the catalog's (legacy -> standard
    name: `period`, `offset`, `limit`, `search`, `user_id`)."""
    available = OPERATION_INPUTS.get(operation.split("/")[0], set())
    standard = param_map.get(name)
    numeric = (annotation or "").strip().split("[")[0] in _INT_TYPES or (annotation or "").strip() in _INT_TYPES
    if standard == "period":
        role = "days" if numeric or name in SYNONYMS["days"] else "period"
    elif standard == "offset":
        role = "page" if name in SYNONYMS["page"] else "offset"
    elif standard is not None:
        role = standard
    else:
        role = next((key for key, names in SYNONYMS.items() if name in names), None)
        if role == "period" and numeric:
            role = "days"
    return role if role in available else None
SCALARS = {"int", "str", "float", "bool", "dict", "list", "Optional", "None", "List", "Dict"}
#: The order standard methods appear in a generated handler: the routers' order (shims.spec).
ORDER = [op.name for op in spec.OPERATIONS]


# --- the handler's signatures, from the handler class ------------------------------------------------------------


@lru_cache(maxsize=None)
def signature(op: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """((parameter, annotation), ...) and the return annotation of `StandardAPIHandler.<op>`, `self` left out."""
    method = _handler_methods()[op]
    params = tuple((arg.arg, _annotation_text(arg.annotation)) for arg in _arguments(method.args)
                   if arg.arg != "self")
    return params, _annotation_text(method.returns)


def _arguments(args: ast.arguments) -> list[ast.arg]:
    """The parameters in `inspect.signature`'s order: positional-only, positional, *args, keyword-only, **kwargs."""
    return [*args.posonlyargs, *args.args, *([args.vararg] if args.vararg else []), *args.kwonlyargs,
            *([args.kwarg] if args.kwarg else [])]


def _annotation_text(annotation: Optional[ast.expr]) -> str:
    """The annotation as `inspect.signature` reads it from the module (`from __future__ import annotations`: the
    source expression as a string)."""
    return _text(inspect.Parameter.empty) if annotation is None else ast.unparse(annotation)


def _text(annotation) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


@lru_cache(maxsize=None)
def abstract_operations() -> tuple[str, ...]:
    """Operations every handler must implement (abstract in StandardAPIHandler): 501 when the service has none."""
    methods = _handler_methods()
    return tuple(op for op in ORDER if op in methods and any(_names_abstractmethod(d)
                                                              for d in methods[op].decorator_list))


def _names_abstractmethod(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Name) and decorator.id == "abstractmethod") or (
        isinstance(decorator, ast.Attribute) and decorator.attr == "abstractmethod")


@lru_cache(maxsize=None)
def _handler_methods() -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The methods `StandardAPIHandler` defines, read from the source of `shims.standard_api.handler` (a module
    with `from __future__ import annotations`): importing the class would import FastAPI (0.15 s), which writing
    the handler does not need (`codemods/tests/test_standard_signatures.py`: the two readings agree)."""
    found = importlib.util.find_spec("shims.standard_api.handler")
    with open(found.origin, "rb") as handle:
        tree = ast.parse(handle.read())
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "StandardAPIHandler")
    return {node.name: node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


class TemplateError(Exception):
    """The service function's parameters do not fit the operation: a manual step."""


@dataclass
class ServiceParam:
    name: str
    role: str  # tenant | path | query | body | resource
    annotation: Optional[str] = None
    default: Optional[str] = None
    dependency: Optional[str] = None
    solved: bool = False  # obtained through `legacy_inputs` (the call passes `**inputs`)
    standard: Optional[str] = None  # the standard input it takes (days, period, limit, page, offset, search, ...)


@dataclass
class Inputs:
    """How the handler obtains a route's solved parameters (migrator.plan.InputsFact, resolved for codegen)."""

    function: str  # the inputs function's name in the handler module
    tenant_in: Optional[tuple[str, str]] = None
    query: dict[str, str] = field(default_factory=dict)  # wire name -> standard input
    #: parameter holding the caller's identity -> "pkg.module:function" solved in its place ([tool.migrator] identity)
    identity: dict[str, str] = field(default_factory=dict)


@dataclass
class ServiceCall:
    """A moved route's service function, as the handler calls it."""

    module: str  # the service module (dotted)
    alias: str  # how the handler module names it (`legacy_users`)
    function: str
    is_async: bool
    params: list[ServiceParam]
    route: str = ""  # the legacy route function (dotted), for messages
    inputs: Optional[Inputs] = None  # parameters obtained through FastAPI's solver
    response_model: Optional[str] = None  # the legacy answer's model (source text in the router module), if any
    single_tenant: bool = False  # the deployment serves one tenant: the legacy code takes no tenant


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
                 service: str, model: Callable[[str, ServiceCall], cst.BaseExpression],
                 inputs_function: Callable[[ServiceCall], str] = lambda call: call.inputs.function,
                 legacy_type: Optional[Callable[[str, ServiceCall], cst.BaseExpression]] = None,
                 identity_function: Callable[[str], str] = lambda ref: ref.partition(":")[2]) -> None:
        self.name = name
        self.body_fields = body_fields
        self.service = service
        self.model = model
        self.inputs_function = inputs_function
        self.legacy_type = legacy_type or model
        self.identity_function = identity_function  # "pkg.module:function" -> how the handler module binds it
        self.used: set[str] = set()
        self.extra_imports: set[ImportSpec] = set()  # dependency functions the standard methods call
        self.services: set[str] = set()  # aliases of the service modules the methods call
        self.calls: set[tuple[str, str]] = set()  # (service module, function) the methods call
        #: `**<marker>` in a call -> the `legacy_inputs(...)` block it needs (see `wrap_inputs`)
        self.pending: dict[str, cst.BaseExpression] = {}
        #: operation -> parameters of its generated answer mapping (`legacy_shapes.<operation>_from_legacy`)
        self.shapes: dict[str, list[str]] = {}
        self.target = PythonTarget()  # the service's Python: which annotation syntax the methods use

    def optional(self, inner: str) -> cst.BaseExpression:
        """The annotation of an optional `inner` (``str | None``, or ``Optional[str]`` before Python 3.10)."""
        if self.target.unions:
            return cst.parse_expression(self.target.optional(inner))
        return cst.Subscript(self.n("Optional"), [cst.SubscriptElement(cst.Index(cst.parse_expression(inner)))])

    def n(self, standard_name: str) -> cst.Name:
        self.used.add(standard_name)
        return cst.Name(self.name(standard_name))

    def a(self) -> cst.Name:
        return self.n("adapters")

    def answer(self, op: str, values: dict[str, cst.BaseExpression], fixed: str, fixed_args: list[str]) -> cst.Call:
        """The standard answer from the legacy one: the service's generated mapping
        (`legacy_shapes.<op>_from_legacy`, its parameters filled from `values` by name) when phase 1 wrote one,
        else the fixed `shims.adapters.<fixed>`."""
        params = self.shapes.get(op)
        if params is not None:
            func = cst.Attribute(self.n("legacy_shapes"), cst.Name(f"{op}_from_legacy"))
            return cst.Call(func, args=_commas([cst.Arg(values[name]) for name in params]))
        return cst.Call(cst.Attribute(self.a(), cst.Name(fixed)),
                        args=_commas([cst.Arg(values[name]) for name in fixed_args]))

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
        """`await legacy_x.f(tenant_id=tenant_id, days=...)` with every required parameter supplied; the parameters
        FastAPI solves come in as `**inputs` of a `legacy_inputs` block (`wrap_inputs` adds it); a legacy answer
        with a response model is written as FastAPI writes it (`adapters.legacy_json`)."""
        args = []
        if route.inputs is not None:
            args.append(cst.Arg(self._solved(route, inputs), star="**"))
        for param in route.params:
            if param.solved:
                continue
            value = self._input_for(param, route, op, inputs)
            if value is None:
                if param.default is None:
                    raise TemplateError(f"`{route.route or route.function}` has a required parameter "
                                        f"`{param.name}` that `{op.name}` cannot supply")
                continue
            args.append(cst.Arg(value, keyword=cst.Name(param.name), equal=_EQUAL))
        func = cst.Attribute(cst.Name(route.alias), cst.Name(route.function))
        self.services.add(route.alias)
        self.calls.add((route.module, route.function))
        if route.is_async:
            value: cst.BaseExpression = cst.Await(cst.Call(func, args=_commas(args)))
        else:
            self.used.add("run_in_threadpool")
            value = cst.Await(cst.Call(cst.Name("run_in_threadpool"), args=_commas([cst.Arg(func), *args])))
        if route.response_model:
            value = self.expr("{a}.legacy_json({value}, {model})", a=self.a(), value=value,
                              model=self.legacy_type(route.response_model, route))
        return value

    def _solved(self, route: ServiceCall, inputs: dict[str, cst.BaseExpression]) -> cst.Name:
        """A marker for the `**inputs` of a solved call, and the `legacy_inputs(...)` expression it stands for."""
        args = [cst.Arg(cst.Name(self.inputs_function(route)))]
        tenant_in = route.inputs.tenant_in is not None and not route.single_tenant
        if tenant_in or route.inputs.identity:  # the identity's dependency may read it (standard_tenant_id)
            args.append(cst.Arg(cst.Name("tenant_id"), keyword=cst.Name("tenant_id"), equal=_EQUAL))
        if tenant_in:
            kind, name = route.inputs.tenant_in
            args.append(cst.Arg(cst.Tuple([cst.Element(string_node(kind)), cst.Element(string_node(name))]),
                                keyword=cst.Name("tenant_in"), equal=_EQUAL))
        query = [cst.DictElement(string_node(wire), self._period_value(route, wire, inputs[role]) if role == "period"
                                 else inputs[role])
                 for wire, role in route.inputs.query.items() if role in inputs]  # fmt: skip
        if query:
            args.append(cst.Arg(cst.Dict(query), keyword=cst.Name("query"), equal=_EQUAL))
        if route.inputs.identity:
            acting = [cst.DictElement(string_node(param), cst.Name(self.identity_function(ref)))
                      for param, ref in route.inputs.identity.items()]
            args.append(cst.Arg(cst.Dict(acting), keyword=cst.Name("identity"), equal=_EQUAL))
        marker = f"__inputs_{len(self.pending)}__"
        self.pending[marker] = cst.Call(self.n("legacy_inputs"), args=_commas(args))
        return cst.Name(marker)

    def _input_for(self, param: ServiceParam, route: ServiceCall, op: Operation,
                   inputs: dict[str, cst.BaseExpression]) -> Optional[cst.BaseExpression]:
        if param.role == "tenant":
            if (param.annotation or "").strip() == "int":
                return self.expr("{a}.legacy_tenant_id(tenant_id)", a=self.a())
            return inputs.get("tenant", cst.Name("tenant_id"))
        if param.role == "resource" and param.dependency:
            module, _, func = param.dependency.rpartition(".")
            self.extra_imports.add(ImportSpec(module, func))
            return cst.Call(cst.Name(func))
        if param.standard and param.standard in inputs and param.standard != "user_id":
            if param.standard == "period":
                return self._period_value(route, param.name, inputs["period"])
            return inputs[param.standard]
        role = op.param_map.get(param.name)
        if role is None:
            role = next((key for key, names in SYNONYMS.items() if param.name in names), None)
        if role is None and param.role == "path":
            role = "user_id"
        if role is None and (param.role == "body" or (param.annotation and _is_model(param.annotation))):
            role = "body"
        if role == "user_id" and "user_id" in inputs:
            annotation = (param.annotation or "str").strip()
            if annotation == "str":
                return inputs["user_id"]
            if annotation == "int":
                return self.expr("{a}.legacy_user_id(user_id)", a=self.a())
            # another type (a UUID, an alias of one): converted as FastAPI converted the path parameter
            return self.expr("{a}.legacy_user_id(user_id, {kind})", a=self.a(),
                             kind=self.legacy_type(annotation, route))
        if role == "body" and "body" in inputs:
            if param.annotation and _is_model(param.annotation):
                return cst.Call(self.model(param.annotation, route),
                                args=[cst.Arg(inputs["body"], star="**")])
            return inputs["body"]
        return inputs.get(role) if role else None

    def _period_value(self, route: ServiceCall, name: str, value: cst.BaseExpression) -> cst.BaseExpression:
        """The standard period as the legacy parameter `name` takes it: a type of named windows (an Enum such as
        ``Period``, a ``Literal``) gets ``adapters.legacy_period(period, <type>)``; a string goes as it is."""
        param = next((p for p in route.params if p.name == name), None)
        param = param or next((p for p in route.params if p.standard == "period"), None)
        head = _period_type(param.annotation if param else None)
        if head is None or isinstance(value, cst.SimpleString):  # a literal window is the legacy's own name
            return value
        return cst.Call(cst.Attribute(self.a(), cst.Name("legacy_period")),
                        args=_commas([cst.Arg(value), cst.Arg(self.model(head, route))]))

    def body_param(self, route: ServiceCall) -> Optional[ServiceParam]:
        return next((p for p in route.params if p.role == "body" or (p.annotation and _is_model(p.annotation)
                                                                      and p.role == "query")), None)

    def errors(self, op: str, **extra: cst.BaseExpression) -> cst.BaseExpression:
        args = [cst.Arg(string_node(op)), cst.Arg(cst.Name("tenant_id"), keyword=cst.Name("tenant_id"), equal=_EQUAL)]
        args += [cst.Arg(value, keyword=cst.Name(key), equal=_EQUAL) for key, value in extra.items()]
        return cst.Call(cst.Attribute(self.a(), cst.Name("legacy_errors")), args=_commas(args))


_PLAIN_PERIOD_TYPES = {"str", "Any", "None", "int"}


def _period_type(annotation: Optional[str]) -> Optional[str]:
    """The type naming a legacy period's windows (``Period`` of ``Optional[Period]`` / ``Period | None``, a
    ``Literal[...]``), None for a plain string or no annotation."""
    text = (annotation or "").strip()
    if text.startswith("Optional[") and text.endswith("]"):
        text = text[len("Optional["):-1].strip()
    parts = [part.strip() for part in text.split("|")] if not text.startswith("Literal[") else [text]
    head = next((part for part in parts if part and part != "None"), "")
    if head in _PLAIN_PERIOD_TYPES or not head:
        return None
    if head.startswith("Literal[") or head.replace(".", "").replace("_", "").isalnum():
        return head
    return None


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def wrap_inputs(node: cst.FunctionDef, pending: dict[str, cst.BaseExpression]) -> cst.FunctionDef:
    """Each statement of `node` holding a solved call's `**<marker>` goes into its block:
    ``async with legacy_inputs(...) as inputs: <statement with **inputs>``."""
    if not pending:
        return node
    return node.visit(_WrapInputs(pending))


class _WrapInputs(cst.CSTTransformer):
    def __init__(self, pending: dict[str, cst.BaseExpression]) -> None:
        self.pending = pending

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        markers = [name for name in _names(updated) if name in self.pending]
        if not markers:
            return updated
        statement: cst.BaseStatement = updated.with_changes(leading_lines=())
        for index, marker in enumerate(reversed(markers)):
            bound = "inputs" if len(markers) == 1 else f"inputs_{len(markers) - index}"
            statement = statement.visit(_Rename({marker: bound}))
            statement = cst.With(
                items=[cst.WithItem(self.pending[marker], asname=cst.AsName(cst.Name(bound)))],
                body=cst.IndentedBlock([statement]), asynchronous=cst.Asynchronous())
        return statement.with_changes(leading_lines=updated.leading_lines)


class _Rename(cst.CSTTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.names[updated.value]) if updated.value in self.names else updated


def _names(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name.value)

    node.visit(Collect())
    return found


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


def not_implemented(op: str, r: Renderer, hint: str, doc: Optional[cst.SimpleStatementLine] = None
                    ) -> cst.FunctionDef:
    """The method answering 501 with `hint` (what the caller reads); `doc`, its docstring, says why."""
    node = method(_NOT_IMPLEMENTED, op, r, error=r.n("NotImplementedOperationError"), operation=string_node(op),
                  hint=string_node(hint))
    return node if doc is None else node.with_changes(body=node.body.with_changes(body=[doc, *node.body.body]))



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
