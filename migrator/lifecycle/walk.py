"""Follow a route's logic through the service's own functions and record the database writes it makes.

A small symbolic evaluation, statically (nothing is imported): route parameters are what FastAPI injects (a
dependency's provider), ``with X as conn`` binds what ``X`` yields, calls into the service's functions and classes
bind their parameters to the arguments' values (``self.session`` of a repository built with the route's session),
up to `MAX_DEPTH` calls deep. At each ``<conn>.execute(<static SQL>, ...)`` and ``<session>.add(<Model(...)>)`` the
value of the receiver says how the legacy code obtained its connection, which is how the generated code obtains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

from migrator.shapes.source import ModuleIndex, SourceModule, resolve_expr

from .sqltext import SqlWrite, parse_write

MAX_DEPTH = 6
CLOCK_NAMES = frozenset({"now", "utcnow", "now_utc", "utc_now", "current_time", "current_datetime"})


# --- symbolic values ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dep:
    """What FastAPI injects for a route parameter: its dependency's provider (dotted) and how it provides."""

    dotted: str
    provider: str  # call | generator | async-generator | await | class


@dataclass(frozen=True)
class Fn:
    """A call of a service function without arguments (``get_registry()``); `kind` says what it returns."""

    dotted: str
    kind: str  # call | contextmanager | asynccontextmanager | generator | async-generator | await


@dataclass(frozen=True)
class Method:
    """``<base>.<name>()`` without arguments (``db.connect()``)."""

    base: "Sym"
    name: str


@dataclass(frozen=True)
class Entered:
    """What ``with <cm> as x`` binds."""

    cm: "Sym"
    is_async: bool


@dataclass(frozen=True)
class Obj:
    """An instance of a service class, with the attributes its ``__init__`` set from known values."""

    dotted: str
    fields: tuple[tuple[str, "Sym"], ...] = ()
    kwargs: tuple[str, ...] = ()  # keyword arguments of the construction (ORM models: the columns set)

    def field(self, name: str) -> Optional["Sym"]:
        return dict(self.fields).get(name)


@dataclass(frozen=True)
class Portable:
    """An expression made only of names the module imports or defines at top level (``Session(engine)``): the
    generated code can write it as is, with the same imports."""

    text: str
    imports: tuple[tuple[str, Optional[str], Optional[str]], ...]  # (module, name or None, as-name or None)


@dataclass(frozen=True)
class Unknown:
    why: str = ""


Sym = Union[Dep, Fn, Method, Entered, Obj, Portable, Unknown]


# --- what the walk records ----------------------------------------------------------------------------------------


@dataclass
class SqlSite:
    write: SqlWrite
    receiver: Sym
    module: SourceModule
    node: cst.Call
    params: Optional[cst.BaseExpression]  # the parameters argument
    via_text: bool  # execute(text("..."))
    awaited: bool
    function: str  # dotted name of the function holding it
    json: set[int | str] = field(default_factory=set)  # parameters stored as ``json.dumps(...)`` (position or key)

    @property
    def line(self) -> int:
        origin = self.module.origin(self.node)
        return origin.line if origin else 0


@dataclass
class OrmSite:
    model: str  # dotted
    model_node: cst.ClassDef
    model_module: SourceModule
    receiver: Sym
    module: SourceModule
    node: cst.Call
    kwargs: tuple[str, ...]
    awaited: bool
    function: str

    @property
    def line(self) -> int:
        origin = self.module.origin(self.node)
        return origin.line if origin else 0


@dataclass
class WalkResult:
    sql: list[SqlSite] = field(default_factory=list)
    orm: list[OrmSite] = field(default_factory=list)
    commits: set[Sym] = field(default_factory=set)  # receivers whose .commit() the legacy code calls
    clocks: list[str] = field(default_factory=list)  # dotted service clock functions called
    visited: list[str] = field(default_factory=list)


# --- helpers ------------------------------------------------------------------------------------------------------


def dotted_of(module: SourceModule, node: cst.CSTNode) -> str:
    return f"{module.name}.{node.name.value}" if isinstance(node, (cst.FunctionDef, cst.ClassDef)) else module.name


def function_kind(func: cst.FunctionDef) -> str:
    """How calling `func` provides its value: a context manager, a generator (a FastAPI ``yield`` dependency), a
    coroutine, or a plain value."""
    decorators = {(get_full_name_for_node(d.decorator) or "").rsplit(".", 1)[-1] for d in func.decorators}
    if "asynccontextmanager" in decorators:
        return "asynccontextmanager"
    if "contextmanager" in decorators:
        return "contextmanager"
    yields = _has_yield(func)
    if func.asynchronous is not None:
        return "async-generator" if yields else "await"
    return "generator" if yields else "call"


def _has_yield(func: cst.FunctionDef) -> bool:
    class Finder(cst.CSTVisitor):
        found = False

        def visit_Yield(self, node: cst.Yield) -> None:
            self.found = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is func  # nested functions do not count

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    finder = Finder()
    func.visit(finder)
    return finder.found


def static_string(module: SourceModule, expr: cst.BaseExpression, depth: int = 0) -> Optional[str]:
    """The value of a string literal, implicitly concatenated literals, ``"a" + "b"``, or a module constant
    holding one (f-strings with placeholders are not static)."""
    if depth > 3:
        return None
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value if isinstance(expr.evaluated_value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = static_string(module, expr.left, depth), static_string(module, expr.right, depth)
        return left + right if left is not None and right is not None else None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left, right = static_string(module, expr.left, depth), static_string(module, expr.right, depth)
        return left + right if left is not None and right is not None else None
    if isinstance(expr, cst.FormattedString):
        if all(isinstance(p, cst.FormattedStringText) for p in expr.parts):
            return "".join(p.value for p in expr.parts)
        return None
    if isinstance(expr, cst.Name):
        definition = module.definitions.get(expr.value)
        if isinstance(definition, (cst.Assign, cst.AnnAssign)) and definition.value is not None:
            return static_string(module, definition.value, depth + 1)
    return None


def json_arguments(params: Optional[cst.BaseExpression]) -> set[int | str]:
    """Positions (a tuple/list of parameters) or keys (a dict) of the values written as ``json.dumps(...)``."""
    def dumped(value: cst.BaseExpression) -> bool:
        return isinstance(value, cst.Call) and (get_full_name_for_node(value.func) or "").endswith("dumps")

    if isinstance(params, (cst.Tuple, cst.List)):
        return {i for i, e in enumerate(params.elements) if isinstance(e, cst.Element) and dumped(e.value)}
    if isinstance(params, cst.Dict):
        return {e.key.evaluated_value for e in params.elements if isinstance(e, cst.DictElement)
                and isinstance(e.key, cst.SimpleString) and dumped(e.value)}
    return set()


def _params(func: cst.FunctionDef) -> list[cst.Param]:
    p = func.params
    return [*p.posonly_params, *p.params, *p.kwonly_params]


def _free_names(expr: cst.CSTNode) -> set[str]:
    """Names an expression reads (attribute names and keywords are not names)."""
    class Names(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.names: set[str] = set()

        def visit_Name(self, node: cst.Name) -> None:
            self.names.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            self.names.add("<lambda>")
            return False

    finder = Names()
    expr.visit(finder)
    return finder.names


def portable(module: SourceModule, expr: cst.BaseExpression, env: dict[str, Sym]) -> Optional[Portable]:
    """`expr` as a `Portable` when every name it reads is imported or defined at the top of `module`."""
    if not isinstance(expr, (cst.Name, cst.Attribute, cst.Call)):
        return None
    names = _free_names(expr)
    if not names or names & set(env):
        return None
    imports = []
    for name in sorted(names):
        ref = module.imports.get(name)
        if ref is not None:
            imports.append((ref.module, ref.name, name if name != (ref.name or ref.module) else None))
        elif name in module.definitions:
            imports.append((module.name, name, None))
        else:
            return None
    return Portable(cst.Module([]).code_for_node(expr), tuple(imports))


# --- the walk -----------------------------------------------------------------------------------------------------


class Walker:
    """Walks functions of the service at `modules` (a `ModuleIndex`), from one or more entry points."""

    def __init__(self, modules: ModuleIndex) -> None:
        self.modules = modules
        self.result = WalkResult()
        self._seen: set[tuple[str, tuple]] = set()

    def walk(self, module: SourceModule, func: cst.FunctionDef, env: dict[str, Sym], depth: int = 0,
             cls: Optional[tuple[SourceModule, cst.ClassDef]] = None) -> None:
        name = f"{module.name}.{func.name.value}"
        key = (name, tuple(sorted((k, repr(v)) for k, v in env.items())))
        if depth > MAX_DEPTH or key in self._seen:
            return
        self._seen.add(key)
        self.result.visited.append(name)
        func.body.visit(_Body(self, module, dict(env), depth, name, cls))

    # -- values ---------------------------------------------------------------------------------------------------

    def evaluate(self, module: SourceModule, expr: cst.BaseExpression, env: dict[str, Sym]) -> Sym:
        if isinstance(expr, cst.Await):
            return self.evaluate(module, expr.expression, env)
        if isinstance(expr, cst.Name) and expr.value in env:
            return env[expr.value]
        if isinstance(expr, cst.Attribute):
            base = self.evaluate(module, expr.value, env)
            if isinstance(base, Obj):
                return base.field(expr.attr.value) or Unknown(f"`{expr.attr.value}` of {base.dotted}")
        if isinstance(expr, cst.Call):
            value = self._call_value(module, expr, env)
            if not isinstance(value, Unknown):
                return value
        return portable(module, expr, env) or Unknown("a value the code computes")

    def _call_value(self, module: SourceModule, call: cst.Call, env: dict[str, Sym]) -> Sym:
        if _free_names(call.func) & set(env):
            if isinstance(call.func, cst.Attribute) and not call.args:
                base = self.evaluate(module, call.func.value, env)
                if not isinstance(base, Unknown):
                    return Method(base, call.func.attr.value)
            return Unknown("a call on a local value")
        where, definition = resolve_expr(module, call.func, self.modules)
        if isinstance(definition, cst.FunctionDef) and where is not None and not call.args:
            return Fn(dotted_of(where, definition), function_kind(definition))
        if isinstance(definition, cst.ClassDef) and where is not None:
            return self._instance(where, definition, module, call, env)
        return Unknown("a call")

    def _instance(self, where: SourceModule, cls: cst.ClassDef, module: SourceModule, call: cst.Call,
                  env: dict[str, Sym]) -> Obj:
        kwargs = tuple(a.keyword.value for a in call.args if a.keyword is not None)
        init = next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        fields: dict[str, Sym] = {}
        if init is not None:
            bound = self.bind(init, call, module, env, skip_self=True)
            for stmt in init.body.body:
                for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = small.targets[0].target
                        if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                                and target.value.value == "self"):
                            fields[target.attr.value] = self.evaluate(where, small.value, bound)
        return Obj(dotted_of(where, cls), tuple(sorted(fields.items(), key=lambda kv: kv[0])), kwargs)

    def bind(self, func: cst.FunctionDef, call: cst.Call, module: SourceModule, env: dict[str, Sym],
             skip_self: bool = False) -> dict[str, Sym]:
        """The callee's parameters bound to the values of the call's arguments (positional, then keywords)."""
        params = _params(func)
        if skip_self and params and params[0].name.value in ("self", "cls"):
            params = params[1:]
        names = [p.name.value for p in params]
        bound: dict[str, Sym] = {}
        position = 0
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None:
                if arg.keyword.value in names:
                    bound[arg.keyword.value] = self.evaluate(module, arg.value, env)
            elif position < len(params) and params[position] in func.params.params + func.params.posonly_params:
                bound[names[position]] = self.evaluate(module, arg.value, env)
                position += 1
        return bound


class _Body(cst.CSTVisitor):
    """One function body: bindings in source order, writes and calls as they come."""

    def __init__(self, walker: Walker, module: SourceModule, env: dict[str, Sym], depth: int, function: str,
                 cls: Optional[tuple[SourceModule, cst.ClassDef]]) -> None:
        super().__init__()
        self.w, self.module, self.env, self.depth, self.function, self.cls = walker, module, env, depth, function, cls
        self.awaited: set[int] = set()  # ids of the calls under an `await`

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested definitions are not executed here

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                value = self.w.evaluate(self.module, item.item, self.env)
                self.env[item.asname.name.value] = Entered(value, node.asynchronous is not None)

    def leave_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.env[node.targets[0].target.value] = self.w.evaluate(self.module, node.value, self.env)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.env[node.target.value] = self.w.evaluate(self.module, node.value, self.env)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in ("execute", "exec") and node.args:
                self._sql(node, func)
            elif method == "add" and len(node.args) == 1:
                self._orm(node, func)
            elif method == "commit" and not node.args:
                self.w.result.commits.add(self.w.evaluate(self.module, func.value, self.env))
        self._follow(node)

    # -- writes ---------------------------------------------------------------------------------------------------

    def _sql(self, node: cst.Call, func: cst.Attribute) -> None:
        first = node.args[0].value
        via_text = False
        if isinstance(first, cst.Call) and (get_full_name_for_node(first.func) or "").rsplit(".", 1)[-1] == "text" \
                and first.args:
            first, via_text = first.args[0].value, True
        sql = static_string(self.module, first)
        write = parse_write(sql) if sql else None
        if write is None:
            return
        receiver = self.w.evaluate(self.module, func.value, self.env)
        params = node.args[1].value if len(node.args) > 1 else None
        self.w.result.sql.append(SqlSite(write, receiver, self.module, node, params, via_text,
                                         id(node) in self.awaited, self.function, json_arguments(params)))

    def _orm(self, node: cst.Call, func: cst.Attribute) -> None:
        obj = self.w.evaluate(self.module, node.args[0].value, self.env)
        if not isinstance(obj, Obj):
            return
        module_name, _, class_name = obj.dotted.rpartition(".")
        where = self.w.modules(module_name)
        cls = where.definitions.get(class_name) if where is not None else None
        if not isinstance(cls, cst.ClassDef):
            return
        receiver = self.w.evaluate(self.module, func.value, self.env)
        self.w.result.orm.append(OrmSite(obj.dotted, cls, where, receiver, self.module, node, obj.kwargs,
                                         id(node) in self.awaited, self.function))

    # -- following calls -------------------------------------------------------------------------------------------

    def _follow(self, node: cst.Call) -> None:
        w = self.w
        where, definition = resolve_expr(self.module, node.func, w.modules)
        if isinstance(definition, cst.FunctionDef) and where is not None:
            dotted = dotted_of(where, definition)
            if definition.name.value in CLOCK_NAMES and not node.args:
                w.result.clocks.append(dotted)
                return
            w.walk(where, definition, w.bind(definition, node, self.module, self.env), self.depth + 1)
            return
        if isinstance(node.func, cst.Attribute):
            base = w.evaluate(self.module, node.func.value, self.env)
            if isinstance(base, Obj):
                self._method(base, node)

    def _method(self, obj: Obj, node: cst.Call) -> None:
        module_name, _, class_name = obj.dotted.rpartition(".")
        where = self.w.modules(module_name)
        cls = where.definitions.get(class_name) if where is not None else None
        if not isinstance(cls, cst.ClassDef):
            return
        name = node.func.attr.value
        method = next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)
        if method is None:
            return
        env = self.w.bind(method, node, self.module, self.env, skip_self=True)
        params = _params(method)
        if params and params[0].name.value == "self":
            env["self"] = obj
        self.w.walk(where, method, env, self.depth + 1, cls=(where, cls))
