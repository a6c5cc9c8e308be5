"""What a route reads from the request: parameters, the Depends chain, auth headers and the tenant source.

FastAPI semantics followed here: `Header()` without alias binds the parameter name with `_` converted to `-`;
`Depends(f)` pulls in f's own parameters (recursively, across modules); `Depends()` uses the annotation;
`Annotated[T, marker]` carries the marker in its metadata (also through aliases such as
`TenantId = Annotated[str, Header(alias="X-Tenant-ID")]` defined in another module); an unmarked parameter is a
path parameter when the path has it, a query parameter when its type is scalar, the body otherwise.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from . import ir
from .facts import AssignOp, ParamFact
from .interp import ANY, FASTAPI, Ctx, Interp
from .tenancy import (
    TENANT_PARAM,
    ContextSource,
    SourceCache,
    TenantRules,
    cookie_reads,
    find_context_vars,
    header_reads,
    identity_reads,
    state_reads,
    state_sets,
)
from .values import (
    AnnotatedV,
    ClassV,
    ConstV,
    DependsV,
    Ext,
    FuncV,
    GenericV,
    InstanceV,
    MarkerV,
    SchemeV,
    SeqV,
    Unknown,
    Value,
)

# Credential names are judged word by word (`x-api-key`, `access_token`, `apiKey`): `keyword`, `author` or `max_tokens`
# name no credential. A `key` alone is one in a header (`X-Marketplace-Key`); in a query only bare (`?key=`) or
# qualified (`api_key`, `access_key`), not as an identifier (`menu_key`, `sort_key`).
_CREDENTIAL_WORDS = frozenset({"authorization", "auth", "token", "secret", "signature", "password", "passwd",
                               "credential", "credentials", "apikey", "jwt"})
_KEY_QUALIFIERS = frozenset({"api", "access", "secret", "private", "client", "auth", "app", "license",
                             "subscription", "service", "master", "signing", "x"})
# a cookie also carries the caller's session (`sessionid`, `user_session`, `connect.sid`)
_SESSION_WORDS = frozenset({"session", "sessionid", "sid", "sess"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def is_credential_name(name: str, *, header: bool = False, cookie: bool = False) -> bool:
    """Does a header, cookie or query parameter name name a credential?"""
    words = [w.lower() for w in _WORDS.findall(name)]
    if cookie and any(w in _SESSION_WORDS for w in words):
        return True
    header = header or cookie
    if any(w in _CREDENTIAL_WORDS or w.endswith(("token", "apikey", "secret")) for w in words):
        return True
    if "key" not in words:
        return False
    at = words.index("key")
    return header or len(words) == 1 or (at > 0 and words[at - 1] in _KEY_QUALIFIERS)
# pydantic's own scalar types: FastAPI binds an unmarked parameter of these as a path or query parameter, like `str`
_PYDANTIC_SCALARS = frozenset(
    {"UUID1", "UUID3", "UUID4", "UUID5", "EmailStr", "NameEmail", "HttpUrl", "AnyUrl", "AnyHttpUrl", "SecretStr",
     "StrictStr", "StrictInt", "StrictFloat", "StrictBool", "PositiveInt", "NegativeInt", "NonNegativeInt",
     "NonPositiveInt", "PositiveFloat", "NegativeFloat", "NonNegativeFloat", "NonPositiveFloat", "FiniteFloat",
     "PastDate", "FutureDate", "PastDatetime", "FutureDatetime", "AwareDatetime", "NaiveDatetime", "constr", "conint",
     "confloat", "condecimal", "condate"}
)
_SCALARS = frozenset(
    {"str", "int", "float", "bool", "bytes", "UUID", "date", "datetime", "time", "timedelta", "Decimal", "Literal",
     "EmailStr", "HttpUrl", "AnyUrl", "constr", "conint", "confloat", "StrictStr", "StrictInt", "PositiveInt",
     "NonNegativeInt"} | _PYDANTIC_SCALARS
)
_CONTAINERS = frozenset({"Optional", "Union", "List", "list", "Set", "set", "FrozenSet", "frozenset", "Sequence",
                         "Tuple", "tuple"})
DEFAULT_RULES = TenantRules()
# dependencies of auth libraries (their code is outside the repository) that read the caller's token from the
# request: `Authorize: AuthJWT = Depends()` of fastapi-jwt-auth and its async fork read `Authorization: Bearer`
LIBRARY_BEARER = frozenset({"fastapi_jwt_auth.AuthJWT", "fastapi_jwt_auth.auth_jwt.AuthJWT",
                            "async_fastapi_jwt_auth.AuthJWT", "async_fastapi_jwt_auth.auth_jwt.AuthJWT"})
_BEARER_SCHEMES = frozenset({"HTTPBearer", "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2",
                             "OpenIdConnect"})


@dataclass(frozen=True, slots=True)
class Input:
    """One thing read from the request somewhere in a Depends chain."""

    # header | query | path | param (unmarked scalar: path or query) | cookie | scheme | token | identity | context
    # | state (an attribute of `request.state`)
    kind: str
    name: str  # wire name (header name, parameter name), scheme class name, `param.attr`, `context:<file>:<line>`
    bearer: bool = False  # header read by a function that checks for a Bearer token
    scheme_name: str | None = None  # APIKeyHeader/Query/Cookie name
    required: bool = False  # a query parameter without a default: a request without it is refused (422)


@dataclass(slots=True)
class ParamInfo:
    kind: str  # path | query | header | body | depends | request | background | response | security | other
    alias: str | None
    dependency: Value | None
    inputs: list[Input]


def auth_of(inputs: list[Input], rules: TenantRules = DEFAULT_RULES) -> list[str]:
    out: list[str] = []
    for item in inputs:
        label = None
        if item.kind == "scheme" and item.name == "APIKeyHeader" and rules.is_tenant_header(item.scheme_name or ""):
            continue  # `Security(APIKeyHeader(name="x-tenant-id"))` names the tenant, not a credential
        if item.kind == "scheme":
            if item.name in _BEARER_SCHEMES:
                label = "Authorization: Bearer"
            elif item.name == "HTTPBasic":
                label = "Authorization: Basic"
            elif item.name == "HTTPDigest":
                label = "Authorization: Digest"
            elif item.name == "APIKeyHeader":
                label = item.scheme_name or "API key header"
            elif item.name == "APIKeyQuery":
                label = f"query:{item.scheme_name}" if item.scheme_name else "API key query parameter"
            elif item.name == "APIKeyCookie":
                label = f"cookie:{item.scheme_name}" if item.scheme_name else "cookie (name set at run time)"
            else:
                label = "Authorization"
        elif item.kind == "header" and not rules.is_tenant_header(item.name):
            if item.name.lower() == "authorization":
                label = "Authorization: Bearer" if item.bearer else "Authorization"
            elif is_credential_name(item.name, header=True):
                label = item.name
        elif item.kind in ("query", "param") and is_credential_name(item.name) and not TENANT_PARAM.match(item.name):
            label = f"query:{item.name}"
        elif item.kind == "cookie" and is_credential_name(item.name, cookie=True):
            label = f"cookie:{item.name}"
        if label and label not in out:
            out.append(label)
    return out


def headers_of(inputs: list[Input]) -> list[str]:
    out: list[str] = []
    for item in inputs:
        name = None
        if item.kind == "header":
            name = item.name
        elif item.kind == "scheme" and item.name not in ("APIKeyQuery", "APIKeyCookie"):
            name = item.scheme_name if item.name == "APIKeyHeader" else "Authorization"
        if name and name not in out:
            out.append(name)
    return out


def tenant_of(inputs: list[Input], path_params: set[str], rules: TenantRules = DEFAULT_RULES,
              scoped: frozenset[str] = frozenset()) -> str | None:
    """The first found in precedence order: `header:<name>` (a parameter, a dependency, an APIKeyHeader scheme or
    a read in a body) | `path:<name>` (named like a tenant, or in `scoped`: after a tenant collection segment,
    `/organizations/{id}`) | `query:<name>` | `identity:<param>.<attr>` (the caller's identity object) | `token` |
    `context:<file>:<line>` (a context variable or a middleware) | None (single-tenant)."""
    for item in inputs:
        if item.kind == "header" and rules.is_tenant_header(item.name):
            return f"header:{item.name}"
        if item.kind == "scheme" and item.name == "APIKeyHeader" and rules.is_tenant_header(item.scheme_name or ""):
            return f"header:{item.scheme_name}"
    for item in inputs:
        if item.kind in ("path", "param") and item.name in path_params \
                and (TENANT_PARAM.match(item.name) or item.name in scoped):
            return f"path:{item.name}"
    for item in inputs:
        if item.kind in ("query", "param") and item.name not in path_params and TENANT_PARAM.match(item.name):
            return f"query:{item.name}"
    for item in inputs:
        if item.kind == "identity":
            return f"identity:{item.name}"
    if any(item.kind == "token" for item in inputs):
        return "token"
    for item in inputs:
        if item.kind == "context":
            return item.name
    return None


def dotted_name(value: Value | None) -> str | None:
    if isinstance(value, FuncV):
        return f"{value.module.module}.{value.fact.qualname}"
    if isinstance(value, ClassV):
        return f"{value.module.module}.{value.fact.qualname}"
    if isinstance(value, InstanceV):
        base = f"{value.cls.module.module}.{value.cls.fact.qualname}"
        return f"{value.module.module}.{value.var}" if value.var and value.module else f"{base}()"
    if isinstance(value, SchemeV):
        if value.var and value.module is not None:
            return f"{value.module.module}.{value.var}"
        return f"fastapi.security.{value.scheme}()"
    if isinstance(value, Ext):
        return value.name
    if isinstance(value, Unknown):
        return value.dotted
    return None


class Analyzer:
    def __init__(self, interp: Interp, rules: TenantRules = DEFAULT_RULES):
        self.interp = interp
        self.rules = rules
        self.sources = SourceCache(interp.discovery.root)
        self._memo: dict[int, list[Input]] = {}
        self._active: set[int] = set()
        self._setters: dict[str, str] | None = None  # request.state attribute -> where a middleware sets it
        self.contexts = find_context_vars(self.sources, interp.discovery.context_var_files) + [
            ContextSource(file, line, f"middleware reads {name}")
            for file, line, end in interp.middlewares
            for name in header_reads(self.sources.span(file, line, end)) if rules.is_tenant_header(name)
        ]

    def state_setter(self, attr: str) -> str | None:
        """"file:line" of the first app middleware assigning `request.state.<attr>`, None when none does."""
        if self._setters is None:
            self._setters = {}
            for file, line, end in self.interp.middlewares:
                for name, offset in state_sets(self.sources.span(file, line, end)):
                    self._setters.setdefault(name, f"{file}:{line + offset}")
        return self._setters.get(attr)

    def _state_inputs(self, fv: FuncV, requests: list[str]) -> list[Input]:
        """The `request.state` attributes a dependency's body reads through its `Request` parameters."""
        if not requests:
            return []
        text = self.sources.span(fv.module.file, fv.fact.line, fv.fact.end_line)
        return [Input("state", attr) for attr in state_reads(text, requests)]

    def body_inputs(self, fv: FuncV, identity_params: list[str]) -> list[Input]:
        """What the function's own body reads: request headers, tenant attributes of its identity parameters."""
        text = self.sources.span(fv.module.file, fv.fact.line, fv.fact.end_line)
        bearer = "bearer" in text.lower() or bool(fv.module.facts and fv.module.facts.mentions_bearer)
        inputs = [Input("header", name, bearer=bearer) for name in header_reads(text)]
        inputs += self._cookies(text, fv.module.file, self._ctx(fv))
        inputs += [Input("identity", found) for found in identity_reads(text, identity_params, self.rules)]
        return inputs

    def _cookies(self, text: str, file: str, ctx: Ctx) -> list[Input]:
        """Cookies `text` reads (`request.cookies.get(...)`), names resolved in the text of `file`, else by the
        interpreter where `text` is (`settings.SESSION_COOKIE`, a settings default read in any module)."""
        if ".cookies" not in text:
            return []
        wide = ctx.but(parse=ANY)

        def resolve(dotted: str) -> str | None:
            head, *attrs = dotted.split(".")
            expr: ir.Expr = ir.Name(head)
            for attr in attrs:
                expr = ir.Attr(expr, attr)
            value = self.interp.eval(expr, wide)
            return value.value if isinstance(value, ConstV) and isinstance(value.value, str) else None

        lines = "\n".join(self.sources.lines(file))
        return [Input("cookie", name) for name in cookie_reads(text, lines, resolve)]

    def class_cookies(self, cls: ClassV) -> list[Input]:
        """Cookies any method of a class dependency reads: FastAPI builds it from `__init__`, and another method
        (`auth.get_subject()`) reads the credential from the request it kept."""
        text = self.sources.span(cls.module.file, cls.fact.line, cls.fact.end_line)
        return self._cookies(text, cls.module.file, Ctx(cls.module, cls.module.scope, line=cls.fact.line))

    def context_inputs(self) -> list[Input]:
        return [Input("context", found.source) for found in self.contexts[:1]]

    def _ctx(self, fv: FuncV) -> Ctx:
        return Ctx(fv.module, fv.def_scope, line=fv.fact.line, parse=FASTAPI)

    def type_kind(self, value: Value | None, text: str | None) -> str:
        """request | response | background | security | scalar | model."""
        if value is None:
            return "scalar"
        if isinstance(value, Ext):
            last = value.name.rsplit(".", 1)[-1]
            if last in ("Request", "HTTPConnection", "WebSocket"):
                return "request"
            if last == "Response" or (value.name.startswith("fastapi.") and last.endswith("Response")):
                return "response"
            if last == "BackgroundTasks":
                return "background"
            if last == "SecurityScopes":
                return "security"
            if value.name.startswith(("pydantic.", "sqlmodel.")) and last in _PYDANTIC_SCALARS:
                return "scalar"  # `id: UUID4` in a dependency reads the path or the query, not the body
            if last in ("dict", "Dict", "Any", "Mapping", "UploadFile") or value.name.startswith(
                ("pydantic.", "sqlmodel.")
            ):
                return "model"
            return "scalar"
        if isinstance(value, GenericV):
            base = value.base.name.rsplit(".", 1)[-1] if isinstance(value.base, Ext) else ""
            if base == "Literal":
                return "scalar"
            if base in _CONTAINERS:
                kinds = [self.type_kind(arg, None) for arg in value.args
                         if not (isinstance(arg, ConstV) and arg.value is None)]
                return "model" if "model" in kinds else (kinds[0] if kinds else "scalar")
            return "model"
        if isinstance(value, ClassV):
            for base in self.interp.class_bases(value):
                if isinstance(base, Ext) and base.name.startswith("enum."):
                    return "scalar"
            return "model"
        if isinstance(value, ConstV) and value.value is None:
            return "scalar"
        if isinstance(value, Unknown):
            last = (text or "").rsplit(".", 1)[-1].split("[", 1)[0]
            return "scalar" if last in _SCALARS else "model"
        return "model"

    def param(self, fv: FuncV, param: ParamFact, path_params: set[str]) -> ParamInfo:
        view = self.interp.view_class(fv)
        if view is not None and param is next(p for p in fv.fact.params if p.kind in ("posonly", "positional")):
            return ParamInfo("depends", None, view, self.view_inputs(view))
        ctx = self._ctx(fv)
        interp = self.interp
        annotation = interp.eval(param.annotation, ctx) if param.annotation is not None else None
        if _waits_for_a_module(annotation):
            # a type of a module without FastAPI code (an Enum of `enums.py`): what it is decides query or body
            annotation = interp.eval(param.annotation, ctx.but(parse=ANY))
        default = interp.eval(param.default, ctx) if param.default is not None else None
        base = annotation
        markers: list[Value] = []
        if isinstance(annotation, AnnotatedV):
            base, markers = annotation.base, list(annotation.metadata)
        if isinstance(default, (DependsV, MarkerV)):
            markers.append(default)
        for marker in markers:
            if isinstance(marker, DependsV):
                target = marker.target if marker.target is not None else base
                if _waits_for_a_module(target):
                    # a dependency in a module without FastAPI code (`def get_db(x: int)` in db.py): read it too
                    target = self._target_anywhere(param, ctx, marker is default) or target
                inputs = self.inputs_of(target)
                security = marker.security or isinstance(target, SchemeV) or self._scheme_class(target) is not None
                return ParamInfo("security" if security else "depends", None, target, inputs)
            if isinstance(marker, MarkerV):
                if marker.kind == "header":
                    wire = marker.alias or (param.name.replace("_", "-") if marker.convert_underscores else param.name)
                    # The Bearer check is often in a helper the dependency calls: look at the whole module too.
                    bearer = fv.fact.mentions_bearer or bool(fv.module.facts and fv.module.facts.mentions_bearer)
                    return ParamInfo("header", wire, None, [Input("header", wire, bearer=bearer)])
                wire = marker.alias or param.name
                if marker.kind == "body":
                    return ParamInfo("body", marker.alias, None, [])
                if marker.kind == "cookie":
                    return ParamInfo("cookie", wire, None, [Input("cookie", wire)])
                # a marker in `Annotated[...]` is required only when the parameter has no default either
                required = marker.required and (param.default is None or default is marker)
                return ParamInfo(marker.kind, marker.alias, None, [Input(marker.kind, wire, required=required)])
        kind = self.type_kind(base, ir.unparse(param.annotation))
        if kind in ("request", "response", "background", "security"):
            return ParamInfo(kind, None, None, [])
        if param.name in path_params:
            return ParamInfo("path", None, None, [Input("path", param.name)])
        if kind == "scalar":
            return ParamInfo("query", None, None, [Input("param", param.name, required=param.default is None)])
        return ParamInfo("body", None, None, [])

    def _target_anywhere(self, param: ParamFact, ctx: Ctx, in_default: bool) -> Value | None:
        """The `Depends` target of `param` evaluated with every module of the repository readable."""
        wide = ctx.but(parse=ANY)
        if in_default:
            value = self.interp.eval(param.default, wide)
            return value.target if isinstance(value, DependsV) else None
        value = self.interp.eval(param.annotation, wide)
        if isinstance(value, AnnotatedV):
            for item in value.metadata:
                if isinstance(item, DependsV):
                    return item.target if item.target is not None else value.base
        return None

    def _is_tenant_input(self, item: Input) -> bool:
        if item.kind == "header":
            return self.rules.is_tenant_header(item.name)
        if item.kind == "identity":
            return True
        return item.kind in ("path", "query", "param") and bool(TENANT_PARAM.match(item.name))

    def _scheme_class(self, value: Value | None) -> str | None:
        cls = value.cls if isinstance(value, InstanceV) else value if isinstance(value, ClassV) else None
        if cls is None:
            return None
        for base in self.interp.class_bases(cls):
            if isinstance(base, Ext) and base.name.startswith("fastapi.") and base.name[8:] in _ALL_SCHEMES:
                return base.name[8:]
        return None

    def _scheme_subclass_name(self, cls: ClassV) -> str | None:
        """The name an `APIKeyHeader`/`APIKeyQuery`/`APIKeyCookie` subclass gives its base: a constant
        `super().__init__(name="Authorization")` in its own class body or a repository base's, else None."""
        for klass in [cls] + [b for b in self.interp.class_bases(cls) if isinstance(b, ClassV)]:
            text = self.sources.span(klass.module.file, klass.fact.line, klass.fact.end_line)
            if "super" not in text:
                continue
            try:
                tree = ast.parse(textwrap.dedent(text))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr == "__init__" and isinstance(node.func.value, ast.Call) \
                        and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "super":
                    for keyword in node.keywords:
                        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) \
                                and isinstance(keyword.value.value, str):
                            return keyword.value.value
        return None

    def inputs_of(self, target: Value | None) -> list[Input]:
        """Everything the dependency `target` reads from the request, transitively."""
        if isinstance(target, SchemeV):
            return [Input("scheme", target.scheme, scheme_name=target.name)]
        if isinstance(target, SeqV):
            return [i for item in target.items for i in self.inputs_of(item)]
        if isinstance(target, DependsV):
            return self.inputs_of(target.target)
        if isinstance(target, Ext) and target.name in LIBRARY_BEARER:
            return [Input("scheme", "HTTPBearer")]
        func: FuncV | None = None
        prefix: list[Input] = []
        if isinstance(target, FuncV):
            func = target
        elif isinstance(target, (ClassV, InstanceV)):
            scheme = self._scheme_class(target)
            cls = target.cls if isinstance(target, InstanceV) else target
            if scheme:
                prefix = [Input("scheme", scheme, scheme_name=self._scheme_subclass_name(cls))]
            prefix += self.class_cookies(cls)
            method = "__call__" if isinstance(target, InstanceV) else "__init__"
            found = self.interp.class_attr(cls, method, Ctx(cls.module, cls.scope, line=cls.fact.line,
                                                            parse=FASTAPI), instance=True)
            if isinstance(found, FuncV):
                func = found
            if func is None:
                return prefix + self._field_inputs(cls)
        if func is None:
            return []
        key = id(func.fact)
        if key in self._memo:
            return prefix + self._memo[key]
        if key in self._active:
            return prefix
        self._active.add(key)
        try:
            inputs: list[Input] = []
            params = list(func.fact.params)
            if func.bound and params and params[0].kind in ("posonly", "positional"):
                params = params[1:]
            identity: list[str] = []
            requests: list[str] = []
            for param in params:
                if param.kind in ("star", "starstar"):
                    continue
                info = self.param(func, param, set())
                inputs.extend(info.inputs)
                if info.kind in ("depends", "security"):
                    identity.append(param.name)
                elif info.kind == "request":
                    requests.append(param.name)
            inputs.extend(self.body_inputs(func, identity))
            inputs.extend(self._state_inputs(func, requests))
            if ("tenant" in func.fact.name.lower() and not any(self._is_tenant_input(i) for i in inputs)
                    and auth_of(inputs, self.rules)):
                inputs.append(Input("token", dotted_name(func) or func.fact.name))
        finally:
            self._active.discard(key)
        self._memo[key] = inputs
        return prefix + inputs

    def view_inputs(self, cls: ClassV) -> list[Input]:
        """What FastAPI reads to build the `self` of a class-based view: the dependencies and markers its class and
        repository bases declare as attributes (`user: User = Depends(get_admin_user)`); `_private` ones are not."""
        inputs: list[Input] = []
        seen: set[str] = set()
        for klass in self._view_chain(cls):
            ctx = Ctx(klass.module, klass.scope, line=klass.fact.line, parse=FASTAPI)
            for op in klass.fact.body:
                if not isinstance(op, AssignOp) or len(op.targets) != 1 or not op.targets[0] or op.value is None:
                    continue
                name = op.targets[0]
                if name.startswith("_") or name in seen:
                    continue
                seen.add(name)  # the subclass's declaration wins
                value = self.interp.eval(op.value, ctx)
                if isinstance(value, DependsV):
                    inputs.extend(self.inputs_of(value))
                elif isinstance(value, MarkerV) and value.kind in ("query", "path", "header", "cookie"):
                    wire = value.alias or (name.replace("_", "-") if value.kind == "header" else name)
                    inputs.append(Input(value.kind, wire))
        return inputs

    def _view_chain(self, cls: ClassV) -> list[ClassV]:
        """The view class and its repository bases, nearest first (their modules parsed when needed: a base class
        module is often a skeleton of attributes)."""
        chain: list[ClassV] = []
        todo = [cls]
        while todo:
            klass = todo.pop(0)
            if any(klass is done for done in chain):
                continue
            chain.append(klass)
            ctx = Ctx(klass.module, klass.scope.parent or klass.scope, line=klass.fact.line, parse=ANY)
            for expr in klass.fact.bases:
                base = self.interp.eval(expr, ctx)
                base = base.base if isinstance(base, GenericV) else base
                if isinstance(base, ClassV):
                    todo.append(base)
        return chain

    def _field_inputs(self, cls: ClassV) -> list[Input]:
        """A class dependency without an `__init__` of its own (a dataclass, a pydantic model): FastAPI reads its
        fields as parameters (`page: int = Query(1)` is the query parameter `page`)."""
        inputs: list[Input] = []
        ctx = Ctx(cls.module, cls.scope, line=cls.fact.line, parse=FASTAPI)
        for op in cls.fact.body:
            if not isinstance(op, AssignOp) or len(op.targets) != 1 or not op.targets[0] or op.aug:
                continue
            name = op.targets[0]
            if name.startswith("_") or name.isupper():
                continue
            value = self.interp.eval(op.value, ctx) if op.value is not None else None
            if isinstance(value, MarkerV):
                if value.kind in ("query", "path"):
                    inputs.append(Input(value.kind, value.alias or name, required=value.required))
                elif value.kind == "header":
                    inputs.append(Input("header", value.alias or name.replace("_", "-")))
            elif not isinstance(value, (DependsV, FuncV)):
                inputs.append(Input("param", name, required=op.value is None))
        return inputs


def _waits_for_a_module(value: Value | None) -> bool:
    if isinstance(value, Unknown):
        return value.pending
    if isinstance(value, GenericV):
        return any(_waits_for_a_module(arg) for arg in value.args)
    if isinstance(value, AnnotatedV):
        return _waits_for_a_module(value.base)
    return False


_ALL_SCHEMES = frozenset(
    {"HTTPBearer", "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2", "OpenIdConnect", "HTTPBasic",
     "HTTPDigest", "HTTPBase", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie"}
)



