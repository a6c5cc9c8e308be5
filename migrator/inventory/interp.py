"""Symbolic execution of module facts: which routers and apps exist, with which routes, prefixes and includes.

Each module's ops run once, in file order, as Python would run them on import: imports bind lazily (a module is
executed when one of its names is first needed), assignments bind values, decorators and `include_router` /
`add_api_route` / `mount` calls record effects on router values. Calls to functions of the repository are
followed (factories such as `create_app()` or `get_settings()`), with arguments bound to parameters.

Anything not known statically becomes `Unknown` with a reason and file:line; it is never guessed. An Unknown is
*pending* when it only depends on a module that has not been parsed. Only modules with routing code are parsed up
front; the others are parsed on demand, by parse level: evaluation that matters for paths (prefixes, paths,
included routers, mounts, function calls) may parse any module (settings, constants); dependency analysis parses
modules that mention fastapi (dependencies, Annotated aliases); plain module-level assignments parse nothing. Large
model and service modules thus stay out of LibCST.
"""

from __future__ import annotations

import builtins
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import ir
from .discover import Discovery, resolve_module
from .extract import extract_file
from .facts import (
    DECORATOR_METHODS,
    HTTP_METHODS,
    AssignOp,
    ClassOp,
    DefOp,
    ExprOp,
    FunctionFact,
    IfOp,
    ImportOp,
    ImportTarget,
    LoopOp,
    ModuleFacts,
    Op,
    ReturnOp,
)
from .lazy_exports import export_target, names_read
from .models import Skipped, Unresolved
from .settings_env import DotenvCache, coerce, settings_file_options
from .values import (
    AnnotatedV,
    AuthUsersV,
    BoundV,
    ClassV,
    ConstV,
    DependsV,
    DictV,
    Ext,
    FuncV,
    GenericV,
    Include,
    InstanceV,
    KwargsV,
    MarkerV,
    ModuleV,
    Mount,
    RouteDecoratorV,
    RouteReg,
    RouterV,
    SchemeV,
    SeqV,
    StartupHookV,
    Unknown,
    Value,
    describe,
)

SCHEMES = frozenset(
    {
        "HTTPBearer", "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2", "OpenIdConnect",
        "HTTPBasic", "HTTPDigest", "HTTPBase", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie",
    }
)
MARKERS = {"Header": "header", "Query": "query", "Path": "path", "Body": "body", "Cookie": "cookie",
           "Form": "body", "File": "body"}
_FASTAPI_NAMES = frozenset(
    {"FastAPI", "APIRouter", "Depends", "Security", "Request", "Response", "WebSocket", "HTTPConnection",
     "BackgroundTasks", "SecurityScopes", "UploadFile", "StaticFiles", "HTTPException"}
    | SCHEMES | set(MARKERS)
)
_ENV_READS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.getenvb"})
# python-decouple's `config("X", default="sub", cast=int)`: the environment (or a .env / settings.ini the deployment
# provides), else the default passed through `cast`
_DECOUPLE_READS = frozenset({"decouple.config"})
_DECOUPLE_TRUE = frozenset({"y", "yes", "t", "true", "on", "1"})
_DECOUPLE_FALSE = frozenset({"n", "no", "f", "false", "off", "0"})
_STR_METHODS = frozenset(
    {"strip", "rstrip", "lstrip", "lower", "upper", "replace", "format", "join", "removeprefix", "removesuffix"}
)
_BUILTINS = frozenset(dir(builtins))
_MAX_DEPTH = 16
_NOT_ON_CLASS = "is not defined on the class"
_IN_LIBRARY = "code migrator does not read"
# fastapi-users: the FastAPIUsers class, and the security scheme each transport reads (with the keyword naming it
# and the library's default name)
FASTAPI_USERS = frozenset({"fastapi_users.FastAPIUsers", "fastapi_users.fastapi_users.FastAPIUsers"})
# Web frameworks other than FastAPI whose objects take route-like decorators (`@app.get`, `@bp.route`,
# `@bolt.options`): a decorator on an object one of them made is not a FastAPI route (top-level package names)
OTHER_FRAMEWORKS = frozenset({"aiohttp", "bottle", "connexion", "django", "falcon", "flask", "litestar", "ninja",
                              "quart", "sanic", "slack_bolt", "socketio", "tornado"})
_TRANSPORTS = {"CookieTransport": ("APIKeyCookie", "cookie_name", "fastapiusersauth"),
               "BearerTransport": ("OAuth2PasswordBearer", None, None)}
# Parse levels: which modules not parsed yet an evaluation may parse on demand.
NONE = 0  # none: plain module-level assignments (a pending result is retried later)
FASTAPI = 1  # modules that mention fastapi (dependencies, Annotated aliases, security schemes)
ANY = 2  # any module of the repository (prefixes, paths, routers, settings, function calls)
_NO_DEFAULT = object()  # class attribute declared without a value


def _users_dependency(users: AuthUsersV) -> Value:
    """What `FastAPIUsers.current_user(...)` returns, as a dependency: it reads its backends' schemes (one of them
    authenticates); with none known, an `Authorization` it checks."""
    if not users.schemes:
        return SchemeV("HTTPBase", None)
    return users.schemes[0] if len(users.schemes) == 1 else SeqV(list(users.schemes))


def canonical(name: str) -> str:
    head = name.split(".", 1)[0]
    last = name.rsplit(".", 1)[-1]
    if head in ("fastapi", "starlette") and last in _FASTAPI_NAMES:
        return "fastapi." + last
    if head in ("typing", "typing_extensions"):
        return "typing." + last
    if head in ("pydantic", "pydantic_settings") and last in ("Field", "BaseModel", "BaseSettings"):
        return "pydantic." + last
    return name


@dataclass(eq=False)
class Scope:
    vars: dict
    parent: Scope | None
    module: ModuleState


@dataclass(eq=False)
class ModuleState:
    file: str
    module: str
    facts: ModuleFacts | None
    scope: Scope | None = None
    state: str = "new"  # new | running | done | failed


@dataclass(eq=False, slots=True)
class LazyImport:
    target: ImportTarget
    file: str
    line: int


@dataclass(eq=False, slots=True)
class Thunk:
    expr: ir.Expr
    ctx: Ctx


_SAME: Any = object()  # `Ctx.but`: the field keeps its value


@dataclass(slots=True, eq=False)
class Ctx:
    """Where the interpreter is. Never changed in place (not frozen only because a frozen dataclass costs three times
    as much to create, and the interpreter derives a context for nearly every statement and call): `but`."""

    module: ModuleState
    scope: Scope
    line: int = 0
    cond: bool = False  # under an if / except / while / match
    # in a branch decided statically by deployment configuration (a `.env` value, a settings default, an
    # environment default): served by default, but not by every deployment
    configured: bool = False
    nested: bool = False  # executing a function body
    parse: int = 0  # which modules not parsed yet may be parsed on demand: NONE, FASTAPI or ANY
    depth: int = 0
    in_class: bool = False

    def at(self, line: int) -> Ctx:
        """`but(line=line)`, the context itself when it is at that line already (most calls: statements on one
        line)."""
        if line == self.line:
            return self
        return Ctx(self.module, self.scope, line, self.cond, self.configured, self.nested, self.parse, self.depth,
                   self.in_class)

    def but(self, *, line: Any = _SAME, cond: Any = _SAME, configured: Any = _SAME, parse: Any = _SAME,
            scope: Any = _SAME, in_class: Any = _SAME) -> Ctx:
        """A copy with the given fields changed (`dataclasses.replace` at a fifth of its cost)."""
        return Ctx(self.module, self.scope if scope is _SAME else scope, self.line if line is _SAME else line,
                  self.cond if cond is _SAME else cond,
                  self.configured if configured is _SAME else configured, self.nested,
                  self.parse if parse is _SAME else parse, self.depth,
                  self.in_class if in_class is _SAME else in_class)


class Interp:
    def __init__(
        self,
        discovery: Discovery,
        facts: dict[str, ModuleFacts],
        *,
        on_parse: Callable[[str], None] | None = None,
    ):
        self.discovery = discovery
        self.facts = facts
        self.modules: dict[str, ModuleState] = {}
        self.routers: list[RouterV] = []
        self.unresolved: list[Unresolved] = []
        self.skipped: list[Skipped] = []
        self.parsed_on_demand: list[str] = []
        # (id(call), id(scope)) -> (call, scope, result): the entry keeps both alive, so that their ids are not
        # reused by other objects while the cache holds them.
        self.call_cache: dict[tuple[int, int], tuple[ir.Call, Scope, Value]] = {}
        self.call_stack: list[FunctionFact] = []
        self.functions: list[FuncV] = []  # module-level functions, for uncalled app factories
        self.skipped_branches: list[SkippedBranch] = []  # if/elif branches that cannot run
        self.full_modules: dict[str, ModuleFacts | str] = {}  # skeleton modules parsed whole for a body
        self.middlewares: list[tuple[str, int, int]] = []  # (file, first line, last line) of app middlewares
        # route-like decorators on objects another web framework made: (file, line) -> what, for coverage
        self.other_framework_sites: dict[tuple[str, int], str] = {}
        self._init_texts: dict[str, bytes] = {}  # package `__init__.py` texts read by `_package_names`
        self.method_class: dict[int, ClassV] = {}  # id(FunctionFact) of a method -> the class defining it
        self.dotenv: DotenvCache | None = None  # `.env` files of settings classes, read on first use
        self.config_reads = 0  # values read from deployment configuration so far (see Ctx.configured)
        self.parse_cap = ANY  # the most on-demand parsing allowed (lowered while startup handlers run)
        self.resolving: set[int] = set()  # LazyImports being resolved (self-imports of packages)
        self.lazy_resolving: set[tuple[str, str]] = set()  # (module file, name) being looked up in a lazy table
        self.on_parse = on_parse

    # --- modules ----------------------------------------------------------------------------------------------

    def state(self, path: str, parse: int) -> ModuleState | None:
        ms = self.modules.get(path)
        if ms is not None:
            return ms
        parse = min(parse, self.parse_cap)
        facts = self.facts.get(path)
        if facts is None:
            if parse < ANY and not (parse == FASTAPI and path in self.discovery.fastapi_modules):
                return None
            result = extract_file(self.discovery.root, path, self.discovery.module_name(path), skeleton=False)
            if self.on_parse:
                self.on_parse(path)
            if isinstance(result, str):
                self.skipped.append(Skipped(file=path, reason=result))
                ms = ModuleState(path, self.discovery.module_name(path), None, state="failed")
                self.modules[path] = ms
                return ms
            facts = self.facts[path] = result
            self.parsed_on_demand.append(path)
        ms = ModuleState(path, facts.module, facts)
        self.modules[path] = ms
        return ms

    def execute(self, ms: ModuleState) -> None:
        if ms.state != "new":
            return
        ms.state = "running"
        ms.scope = Scope({}, None, ms)
        try:
            self.run_block(ms.facts.ops, Ctx(ms, ms.scope))
        except RecursionError:  # pathological nesting or import chains: lose this module, not the analysis
            self.unresolved.append(Unresolved(file=ms.file, line=1, reason="analysis too deep (recursion limit)"))
        ms.state = "done"

    def run(self) -> None:
        for path in sorted(self.facts):
            ms = self.state(path, parse=NONE)
            self.execute(ms)
        self._call_uncalled_factories()
        self._run_startup_hooks()
        # Namespace packages get their dotted names from the imports seen while running: refresh them.
        for ms in self.modules.values():
            ms.module = self.discovery.module_name(ms.file)

    def module_dotted(self, path: str) -> str:
        if path.endswith(".py"):
            return self.discovery.module_name(path)
        return path.strip("/").replace("/", ".")

    def module_attr(self, path: str, name: str, parse: int, file: str, line: int) -> Value:
        dotted = f"{self.module_dotted(path)}.{name}"
        if path.endswith(".py"):
            ms = self.state(path, parse)
            if ms is None and path.endswith("__init__.py"):
                # `from pkg import deps` where pkg/__init__.py holds no FastAPI code (it is not parsed): the submodule,
                # unless the package rebinds the name (`from .get_user import get_user`: the function, not the module)
                sub = resolve_module(self.discovery, path, 1, name)
                if sub is not None and not self._package_names(path, name):
                    return ModuleV(sub)
                if sub is not None and parse > NONE:
                    ms = self.state(path, ANY)
            if ms is None:
                return Unknown(f"`{dotted}` is in a module not parsed yet", file, line, pending=True, dotted=dotted)
            if ms.state == "failed":
                return Unknown(f"`{dotted}`: its module could not be parsed", file, line, dotted=dotted)
            self.execute(ms)
            if name in ms.scope.vars:
                try:
                    return self.lookup_in(ms.scope, name, Ctx(ms, ms.scope, line=line, parse=parse))
                except _SelfImport:
                    pass
            lazy = self._lazy_export(ms, name, Ctx(ms, ms.scope, line=line, parse=parse))
            if lazy is not None:
                return lazy
            package_dir = path[: -len("__init__.py")] if path.endswith("__init__.py") else None
            if package_dir is None:
                reason = "circular import" if ms.state == "running" else "not defined there"
                return Unknown(f"`{dotted}`: {reason}", file, line, dotted=dotted)
        else:
            package_dir = path
        sub = resolve_module(self.discovery, package_dir + "__init__.py", 1, name)
        if sub is not None:
            return ModuleV(sub)
        return Unknown(f"`{dotted}` not found in the repository", file, line, dotted=dotted)

    def _package_names(self, init: str, name: str) -> bool:
        """Whether a package's `__init__.py` text names `name` (a re-export such as `from .get_user import get_user`
        rebinds the submodule's attribute on the package): then it is read, not taken for the submodule. Each file
        is read once (many modules import from one package)."""
        text = self._init_texts.get(init)
        if text is None:
            try:
                with open(os.path.join(self.discovery.root, init), "rb") as handle:
                    text = handle.read()
            except OSError:
                text = b""
            self._init_texts[init] = text
        return re.search(rb"\b" + re.escape(name.encode()) + rb"\b", text) is not None

    def _lazy_export(self, ms: ModuleState, name: str, ctx: Ctx) -> Value | None:
        """`name` as the module's PEP 562 `__getattr__` exports it from a table (lazy_exports), else None."""
        getter = ms.scope.vars.get("__getattr__")
        key = (ms.file, name)
        if not isinstance(getter, FuncV) or key in self.lazy_resolving:
            return None
        fact = getter.fact if getter.fact.body is not None else self._full_function(getter)
        for table_name in sorted(names_read(fact.body) if fact is not None else ()):
            binding = ms.scope.vars.get(table_name)
            if binding is None or isinstance(binding, LazyImport) or table_name == name:
                continue  # undefined, or an import (not a table)
            target = export_target(self.lookup_in(ms.scope, table_name, ctx), name)
            if target is None:
                continue
            if not target.level and resolve_module(self.discovery, ms.file, 0, target.module) is None \
                    and resolve_module(self.discovery, ms.file, 1, target.module) is not None:
                target = ImportTarget(1, target.module, target.attr)  # `import_module("." + m, __package__)`
            self.lazy_resolving.add(key)
            try:
                return self.resolve_import(target, ms.file, ctx.line, ctx.parse)
            finally:
                self.lazy_resolving.discard(key)
        return None

    def resolve_import(self, target: ImportTarget, file: str, line: int, parse: int) -> Value:
        path = resolve_module(self.discovery, file, target.level, target.module)
        spelled = "." * target.level + target.module
        if target.attr is None:
            if path is None:
                return Ext(canonical(target.module))
            return ModuleV(path)
        if path is None:
            if target.level:
                return Unknown(f"relative import `{spelled}` not found in the repository", file, line)
            return Ext(canonical(f"{target.module}.{target.attr}"))
        return self.module_attr(path, target.attr, parse, file, line)

    # --- names ------------------------------------------------------------------------------------------------

    def force(self, binding: object, ctx: Ctx) -> Value:
        if isinstance(binding, LazyImport):
            if id(binding) in self.resolving:
                # `from . import sub` in pkg/__init__.py looks itself up: the name is the submodule
                raise _SelfImport()
            self.resolving.add(id(binding))
            try:
                return self.resolve_import(binding.target, binding.file, binding.line, ctx.parse)
            finally:
                self.resolving.discard(id(binding))
        if isinstance(binding, Thunk):
            return self.eval(binding.expr, binding.ctx.but(parse=ctx.parse))
        if binding is _NO_DEFAULT:
            return Unknown("declared without a default value (set at run time)", ctx.module.file, ctx.line)
        return binding

    def lookup_in(self, scope: Scope, name: str, ctx: Ctx) -> Value:
        binding = scope.vars[name]
        if isinstance(binding, (LazyImport, Thunk)):
            value = self.force(binding, ctx)
            if isinstance(binding, Thunk) and not _pending(value) and binding.ctx.scope is scope:
                self.bind(binding.ctx, name, value)  # as if assigned now: an instance or a router takes its name
            elif not (isinstance(value, Unknown) and value.pending):
                scope.vars[name] = value
            return value
        return self.force(binding, ctx)

    def lookup(self, name: str, ctx: Ctx) -> Value:
        scope: Scope | None = ctx.scope
        while scope is not None:
            if name in scope.vars:
                return self.lookup_in(scope, name, ctx)
            scope = scope.parent
        if name in _BUILTINS:
            return Ext(f"builtins.{name}")
        return Unknown(f"name `{name}` is not defined", ctx.module.file, ctx.line)

    def bind(self, ctx: Ctx, name: str, value: object) -> None:
        ctx.scope.vars[name] = value
        if isinstance(value, RouterV):
            module_level = not ctx.nested and not ctx.in_class
            if value.var is None or (module_level and not value.module_level):
                value.var, value.var_file, value.var_line = name, ctx.module.file, ctx.line
                value.module_level = module_level
        elif isinstance(value, SchemeV) and value.var is None:
            value.var, value.module = name, ctx.module
        elif isinstance(value, InstanceV) and value.var is None and not ctx.nested and not ctx.in_class:
            value.var, value.module = name, ctx.module  # a local name is no name another module can import

    # --- statements -------------------------------------------------------------------------------------------

    def run_block(self, ops: tuple[Op, ...], ctx: Ctx, returns: list | None = None) -> bool:
        """Run ops; True when an unconditional `return` ended the block."""
        for op in ops:
            kind = type(op)
            if kind is ImportOp:
                self._import(op, ctx)
            elif kind is AssignOp:
                self._assign(op, ctx.at(op.line))
            elif kind is ExprOp:
                self.eval(op.value, ctx.at(op.line))
            elif kind is DefOp:
                self._def(op.func, ctx)
            elif kind is ClassOp:
                self._class(op, ctx)
            elif kind is IfOp:
                ended, some_ended = self._if(op, ctx, returns)
                if ended:
                    return True
                if some_ended:  # `if not os.path.exists(static): return`: what follows may not run
                    ctx = ctx.but(cond=True)
            elif kind is LoopOp:
                self._loop(op, ctx, returns)
            elif kind is ReturnOp:
                if returns is not None:
                    value = self.eval(op.value, ctx.but(line=op.line, parse=ANY)) if op.value else ConstV(None)
                    returns.append(value)
                return True
        return False

    def _import(self, op: ImportOp, ctx: Ctx) -> None:
        for local, target in op.bindings:
            if local == "*":
                path = resolve_module(self.discovery, ctx.module.file, target.level, target.module)
                if path is None or not path.endswith(".py"):
                    continue
                ms = self.state(path, parse=ANY)
                if ms is None or ms.state == "failed":
                    continue
                self.execute(ms)
                for name in list(ms.scope.vars):
                    if not name.startswith("_"):
                        ctx.scope.vars[name] = ms.scope.vars[name]
            else:
                ctx.scope.vars[local] = LazyImport(target, ctx.module.file, op.line)

    def _assign(self, op: AssignOp, ctx: Ctx) -> None:
        if op.value is None:
            for name in op.targets:
                if name is None:
                    continue
                if ctx.in_class and len(op.targets) == 1:
                    ctx.scope.vars[name] = _NO_DEFAULT
                elif len(op.targets) > 1:
                    ctx.scope.vars[name] = Unknown(f"`{name}` is assigned by unpacking", ctx.module.file, op.line)
            return
        if op.aug is not None:
            name = op.targets[0]
            if name is None:
                return
            value = self._binop(op.aug, self.lookup(name, ctx), self.eval(op.value, ctx), ctx)
            self.bind(ctx, name, value)
            return
        if op.unpack:
            self._unpack(op, ctx)
            return
        value = self.eval(op.value, ctx)
        binding: object = Thunk(op.value, ctx) if _pending(value) else value
        for name in op.targets:
            if name is not None:
                self.bind(ctx, name, binding)

    def _unpack(self, op: AssignOp, ctx: Ctx) -> None:
        """`public, private = make_routers()`: each name gets its item of the tuple or list the value evaluates to
        (a factory returning several routers), evaluated once; a value of unknown length leaves every name Unknown
        with the reason."""
        value = self.eval(op.value, ctx)
        if _pending(value):  # each name looks its item up again once the module is parsed
            for index, name in enumerate(op.targets):
                self.bind(ctx, name, Thunk(ir.Subscript(op.value, (ir.Const(index),)), ctx))
            return
        if isinstance(value, SeqV) and len(value.items) == len(op.targets):
            for name, item in zip(op.targets, value.items):
                self.bind(ctx, name, item)
            return
        if isinstance(value, SeqV):
            why = f"{len(value.items)} values for {len(op.targets)} names"
        else:
            why = describe(value)
        for name in op.targets:
            ctx.scope.vars[name] = Unknown(
                f"`{name}` is assigned by unpacking `{ir.unparse(op.value)}`: {why}", ctx.module.file, op.line
            )

    def _def(self, fact: FunctionFact, ctx: Ctx) -> None:
        fv = FuncV(fact, ctx.module, closure=ctx.scope if ctx.nested else None)
        if fact.name in ctx.scope.vars and not ctx.in_class:
            fv.signature_scope = Scope({fact.name: ctx.scope.vars[fact.name]}, ctx.scope, ctx.module)
        ctx.scope.vars[fact.name] = fv
        if not ctx.nested and not ctx.in_class:
            self.functions.append(fv)
        # Decorators apply bottom-up; each route decorator registers the same function (stacked decorators).
        for expr, line in reversed(fact.decorators):
            dctx = ctx.but(line=line, parse=ANY)
            if isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and expr.func.attr in DECORATOR_METHODS:
                decorator = self.eval(expr, dctx)
                if isinstance(decorator, RouteDecoratorV):
                    self._register(decorator, fv, line, ctx)
                elif isinstance(decorator, Unknown) and self._other_framework(expr.func.base, dctx, fact, line):
                    pass  # `@bolt_app.options(...)` of Slack Bolt, `@blueprint.get(...)` of Flask: no FastAPI route
                elif isinstance(decorator, Unknown):
                    self.unresolved.append(Unresolved(
                        file=ctx.module.file, line=line,
                        reason=f"route `{fact.qualname}`: cannot resolve `{ir.unparse(expr.func.base)}`: "
                        f"{decorator.reason}",
                    ))
            elif isinstance(expr, (ir.Name, ir.Attr)):
                decorator = self.eval(expr, dctx.but(parse=NONE))
                if isinstance(decorator, RouteDecoratorV):
                    self._register(decorator, fv, line, ctx)
            elif isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and expr.func.attr == "middleware":
                self.middlewares.append((ctx.module.file, fact.line, fact.end_line))  # @app.middleware("http")
            elif isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and expr.func.attr == "on_event":
                hook = self.eval(expr, dctx)
                if isinstance(hook, StartupHookV):
                    hook.app.startup.append(fv)
            elif isinstance(expr, ir.Call) and isinstance(self.eval(expr.func, dctx.but(parse=NONE)), FuncV):
                # a helper of the repository that returns `router.api_route(...)` (a decorator factory)
                decorator = self.eval(expr, dctx)
                if isinstance(decorator, RouteDecoratorV):
                    self._register(decorator, fv, line, ctx)

    def _register(self, decorator: RouteDecoratorV, fv: FuncV, line: int, ctx: Ctx) -> None:
        decorator.router.routes.append(RouteReg(
            func=fv, methods=decorator.methods, path=decorator.path, registration="decorator", line=line,
            file=ctx.module.file, kwargs=decorator.kwargs, dependencies=decorator.dependencies,
            include_in_schema=decorator.include_in_schema, conditional=ctx.cond or decorator.conditional,
            configured=ctx.configured,
        ))

    def _class(self, op: ClassOp, ctx: Ctx) -> None:
        scope = Scope({}, ctx.scope, ctx.module)
        cls = ClassV(op.cls, ctx.module, scope)
        for body_op in op.cls.body:
            if isinstance(body_op, DefOp):
                self.method_class[id(body_op.func)] = cls
        self.run_block(op.cls.body, ctx.but(scope=scope, in_class=True))
        ctx.scope.vars[op.cls.name] = cls

    def view_class(self, fv: FuncV) -> ClassV | None:
        """The class whose body defines a route function that takes `self` (neither a static nor a class method):
        a class-based view (fastapi-utils' `@cbv(router)` and its copies), whose decorator makes FastAPI build
        `self` per request from the dependencies the class declares. None for any other function."""
        cls = self.method_class.get(id(fv.fact))
        positional = [p for p in fv.fact.params if p.kind in ("posonly", "positional")]
        if cls is None or _method_kind(fv.fact) is not None or not positional or positional[0].annotation:
            return None
        return cls

    def _other_framework(self, base: ir.Expr, ctx: Ctx, fact: FunctionFact, line: int) -> bool:
        """Whether a route-like decorator's object was made by another web framework (`App()` of slack_bolt,
        `Flask()`, `Blueprint()`): the site is then recorded in `other_framework_sites` with that framework, and
        is neither a FastAPI route nor an unresolved one."""
        value = self.eval(base, ctx.but(parse=NONE))
        made_by = value.made_by if isinstance(value, Unknown) and value.external else None
        framework = (made_by or "").split(".", 1)[0]
        if framework not in OTHER_FRAMEWORKS:
            return False
        self.other_framework_sites[(ctx.module.file, line)] = f"`{fact.qualname}` ({made_by})"
        return True

    def _reachable(self, op: IfOp, ctx: Ctx) -> tuple[list[tuple[Op, ...]], bool]:
        """The branches of an if/elif chain that can run, and whether one of them always does.

        A test known statically (constants, environment defaults, settings defaults, `TYPE_CHECKING`, membership
        in a dict that is empty at import) decides as Python would; a branch that cannot run is recorded in
        `skipped_branches` (coverage reports the routes it registers)."""
        if not op.tests:
            return list(op.branches), op.exhaustive
        out: list[tuple[Op, ...]] = []
        tctx = ctx.but(line=op.line, parse=ANY)
        for index, (test, branch) in enumerate(zip(op.tests, op.branches)):
            known = True if test is None else self.truth(self.eval(test, tctx))
            if known is False:
                self.skipped_branches.append(SkippedBranch(ctx.module.file, op.line, ir.unparse(test) or "?",
                                                           branch, "is false", ctx))
                continue
            out.append(branch)
            if known is True:
                for later_test, later in zip(op.tests[index + 1:], op.branches[index + 1:]):
                    text = ir.unparse(later_test) if later_test is not None else "else"
                    self.skipped_branches.append(SkippedBranch(ctx.module.file, op.line, text, later,
                                                               "is never reached (an earlier branch always runs)",
                                                               ctx))
                return out, True
        return out, False

    def truth(self, value: Value) -> bool | None:
        """Python truthiness of a value, when known statically."""
        if isinstance(value, ConstV):
            try:
                return bool(value.value)
            except Exception:
                return None
        if isinstance(value, Unknown):
            return False if value.unset_env else None
        if isinstance(value, (SeqV, DictV)):
            return bool(value.items)
        if isinstance(value, Ext):
            return False if value.name == "typing.TYPE_CHECKING" else None
        if isinstance(value, (RouterV, FuncV, ClassV, ModuleV)):
            return True
        return None

    def _if(self, op: IfOp, ctx: Ctx, returns: list | None) -> tuple[bool, bool]:
        """(every way through returns, some way through returns)."""
        reads = self.config_reads
        branches, exhaustive = self._reachable(op, ctx)
        configured = self.config_reads > reads  # decided by a settings value or an environment default
        if exhaustive and len(branches) == 1:  # decided statically: the branch runs as plain code
            ended = self.run_block(branches[0], ctx.but(configured=ctx.configured or configured), returns)
            return ended, ended
        op = IfOp(op.line, tuple(branches), exhaustive)
        before = ctx.scope.vars
        outcomes: list[dict] = []
        all_return = True
        some_return = False
        for branch in op.branches:
            ctx.scope.vars = dict(before)
            ended = self.run_block(branch, ctx.but(line=op.line, cond=True), returns)
            all_return = all_return and ended
            some_return = some_return or ended
            if not ended:
                outcomes.append(ctx.scope.vars)
        if not op.exhaustive:
            outcomes.append(before)
            all_return = False
        merged = self._merge_outcomes(before, outcomes, op.line, ctx)
        ctx.scope.vars.clear()
        ctx.scope.vars.update(merged)
        return all_return and bool(op.branches), some_return

    def _merge_outcomes(self, before: dict, outcomes: list[dict], line: int, ctx: Ctx) -> dict:
        """The names after an if/try: one value where every way through agrees, else a merged router or Unknown.

        Only the names some branch bound to another object than `before` holds are looked at (a module-level
        `try`/`if TYPE_CHECKING` in a module of hundreds of names binds a few): the others keep their value."""
        changed: dict[str, None] = {}
        for outcome in outcomes:
            if outcome is not before:
                get = before.get
                changed.update(dict.fromkeys([n for n, v in outcome.items() if get(n, _MISSING) is not v]))
        merged = dict(before)
        for name in changed:
            values = [self._imported(outcome.get(name, _MISSING), ctx) for outcome in outcomes]
            present = [v for v in values if v is not _MISSING]
            first = present[0]
            if all(v is first or _same_const(v, first) for v in present):
                merged[name] = first
            elif (router := self._merge_routers(present, len(present) == len(values), ctx.cond)) is not None:
                merged[name] = router
            else:
                merged[name] = Unknown(
                    f"`{name}` is assigned differently in the branches of the if/try at line {line}",
                    ctx.module.file, line,
                )
        return merged

    def _imported(self, binding: object, ctx: Ctx) -> object:
        """An import a branch left unresolved, resolved: a branch that used the name resolved it in its own copy of
        the names (`else: raise ...` did not), which is no other binding."""
        if not isinstance(binding, LazyImport):
            return binding
        try:
            return self.force(binding, ctx)
        except _SelfImport:
            return binding

    def _merge_routers(self, values: list, always: bool, cond: bool) -> RouterV | None:
        """One app (or router) for `if debug: app = FastAPI(debug=True) else: app = FastAPI(docs_url=None)`.

        The branches build the same kind of object with the same static prefix: whichever runs, routes added to the
        name afterwards go to it. What a branch registered itself stays (marked conditional, as registered under
        an `if`). `always`: every way through the `if` binds the name, so the object exists unless the `if` itself
        is conditional (`cond`). Different kinds or prefixes: None (the name stays unknown)."""
        if not all(isinstance(v, RouterV) for v in values):
            return None
        first = values[0]
        others = [v for v in dict.fromkeys(values) if v is not first]
        for other in others:
            if other.kind != first.kind or not isinstance(other.prefix, str) or other.prefix != first.prefix:
                return None
        for other in others:
            first.routes.extend(other.routes)
            first.includes.extend(other.includes)
            first.mounts.extend(other.mounts)
            first.included = first.included or other.included
            other.merged_into = first
            if other in self.routers:
                self.routers.remove(other)
        if always:
            first.conditional = cond
        return first

    def _loop(self, op: LoopOp, ctx: Ctx, returns: list | None) -> None:
        if op.iter is None:  # while: the body may run
            self.run_block(op.body, ctx.but(cond=True), returns)
            return
        items = self.eval(op.iter, ctx.but(line=op.line, parse=ANY))
        names = op.target or ()
        if isinstance(items, SeqV):
            for item in items.items:
                if len(names) == 1 and names[0]:
                    ctx.scope.vars[names[0]] = item
                elif len(names) > 1 and isinstance(item, SeqV) and len(item.items) == len(names):
                    for name, sub in zip(names, item.items):
                        if name:
                            ctx.scope.vars[name] = sub
                else:
                    for name in names:
                        if name:
                            ctx.scope.vars[name] = Unknown("loop variable", ctx.module.file, op.line)
                self.run_block(op.body, ctx, returns)
            return
        reason = f"loop over `{ir.unparse(op.iter)}`, which is not a static list: {describe(items)}"
        for name in names:
            if name:
                ctx.scope.vars[name] = Unknown(reason, ctx.module.file, op.line)
        self.run_block(op.body, ctx.but(cond=True), returns)

    # --- expressions ------------------------------------------------------------------------------------------

    def eval(self, expr: ir.Expr, ctx: Ctx) -> Value:
        kind = type(expr)
        if kind is ir.Const:
            return ConstV(expr.value)
        if kind is ir.Name:
            return self.lookup(expr.id, ctx)
        if kind is ir.Attr:
            return self.getattr(self.eval(expr.base, ctx), expr.attr, ctx)
        if kind is ir.Call:
            return self.call(expr, ctx)
        if kind is ir.FStr:
            out: list[str] = []
            for part in expr.parts:
                if isinstance(part, str):
                    out.append(part)
                    continue
                value = self.eval(part, ctx)
                if isinstance(value, ConstV) and isinstance(value.value, (str, int, float)):
                    out.append(str(value.value))
                else:
                    return _unknown_from(value, f"f-string part `{{{ir.unparse(part)}}}`", ctx)
            return ConstV("".join(out))
        if kind is ir.BinOp:
            return self._binop(expr.op, self.eval(expr.left, ctx), self.eval(expr.right, ctx), ctx)
        if kind is ir.Seq:
            return SeqV([self.eval(item, ctx) for item in expr.items])
        if kind is ir.DictExpr:
            return self._dict(expr, ctx)
        if kind is ir.Compare:
            return self._compare(expr, ctx)
        if kind is ir.IfExp:
            known = self.truth(self.eval(expr.test, ctx))
            if known is None:
                return Unknown(f"`{ir.unparse(expr)}`: the condition is not known statically", ctx.module.file,
                               ctx.line)
            return self.eval(expr.body if known else expr.orelse, ctx)
        if kind is ir.BoolOp:
            return self._boolop(expr, ctx)
        if kind is ir.Not:
            known = self.truth(self.eval(expr.operand, ctx))
            if known is None:
                return Unknown(f"`{ir.unparse(expr)}` is not known statically", ctx.module.file, ctx.line)
            return ConstV(not known)
        if kind is ir.Subscript:
            return self._subscript(expr, ctx)
        if kind is ir.Opaque:
            return Unknown(f"`{expr.text}` is not evaluated statically", ctx.module.file, ctx.line)
        return Unknown(f"`{ir.unparse(expr)}` is not evaluated statically", ctx.module.file, ctx.line)

    def _dict(self, expr: ir.DictExpr, ctx: Ctx) -> Value:
        items: dict = {}
        for key_expr, value_expr in expr.items:
            if key_expr is None:  # `{**kwargs, "prefix": p}`
                other = self.eval(value_expr, ctx)
                if not isinstance(other, (DictV, KwargsV)):
                    return _unknown_from(other, f"`**{ir.unparse(value_expr)}`", ctx)
                items.update({k: self.force(v, ctx) for k, v in other.items.items()})
                continue
            key = self.eval(key_expr, ctx)
            if isinstance(key, Unknown):
                return key
            if not isinstance(key, ConstV) or not _hashable(key.value):
                return Unknown(f"dict key `{ir.unparse(key_expr)}` is not a constant", ctx.module.file, ctx.line)
            items[key.value] = self.eval(value_expr, ctx)
        return DictV(items)

    def _compare(self, expr: ir.Compare, ctx: Ctx) -> Value:
        left, right = self.eval(expr.left, ctx), self.eval(expr.right, ctx)
        if expr.op in ("in", "not in") and isinstance(right, (DictV, SeqV)):
            found: bool | None = None
            if isinstance(right, DictV) and not right.items:
                found = False  # a dict empty at import (a cache): nothing is in it before run time
            elif (value := _const(left)) is not _NOT_CONST and _hashable(value):
                keys = list(right.items) if isinstance(right, DictV) else [_const(i) for i in right.items]
                if value in keys:
                    found = True
                elif _NOT_CONST not in keys:
                    found = False
            if found is not None:
                return ConstV(found if expr.op == "in" else not found)
        a, b = _const(left), _const(right)
        if a is not _NOT_CONST and b is not _NOT_CONST:
            try:
                return ConstV(_COMPARISONS[expr.op](a, b))
            except Exception:
                pass
        return Unknown(f"`{ir.unparse(expr)}` is not known statically", ctx.module.file, ctx.line)

    def _boolop(self, expr: ir.BoolOp, ctx: Ctx) -> Value:
        left = self.eval(expr.left, ctx)
        known = self.truth(left)
        if known is None:
            return Unknown(f"`{ir.unparse(expr)}` is not known statically", ctx.module.file, ctx.line)
        if (expr.op == "and") != known:  # `False and x`, `True or x`: the left operand
            return ConstV(None) if isinstance(left, Unknown) else left
        return self.eval(expr.right, ctx)

    def _binop(self, op: str, left: Value, right: Value, ctx: Ctx) -> Value:
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if op == "|" and all(_is_type(side) for side in (left, right)):
            return GenericV(Ext("typing.Union"), [left, right])  # `Role | None`
        if op == "+":
            if isinstance(left, ConstV) and isinstance(right, ConstV) and type(left.value) is type(right.value):
                if isinstance(left.value, (str, int, float)):
                    return ConstV(left.value + right.value)
            if isinstance(left, SeqV) and isinstance(right, SeqV):
                return SeqV(left.items + right.items)
        if op == "%" and isinstance(left, ConstV) and isinstance(left.value, str):
            args = right.items if isinstance(right, SeqV) else [right]
            if all(isinstance(a, ConstV) for a in args):
                try:
                    return ConstV(left.value % tuple(a.value for a in args))
                except (TypeError, ValueError):
                    pass
        return Unknown(f"operation `{op}` on {describe(left)} and {describe(right)}", ctx.module.file, ctx.line)

    def _subscript(self, expr: ir.Subscript, ctx: Ctx) -> Value:
        base = self.eval(expr.base, ctx)
        if isinstance(base, Ext):
            if base.name == "typing.Annotated" and expr.items:
                return AnnotatedV(self.eval(expr.items[0], ctx), [self.eval(i, ctx) for i in expr.items[1:]])
            if base.name.startswith("os.environ"):
                return Unknown(f"`{ir.unparse(expr)}` is read from the environment at run time", ctx.module.file, ctx.line)
            return GenericV(base, [self.eval(i, ctx) for i in expr.items])
        if isinstance(base, DictV) and len(expr.items) == 1:
            key = self.eval(expr.items[0], ctx)
            if isinstance(key, ConstV) and _hashable(key.value) and key.value in base.items:
                return base.items[key.value]
            return _unknown_from(key, f"key of `{ir.unparse(expr)}`", ctx) if isinstance(key, Unknown) else Unknown(
                f"`{ir.unparse(expr)}`: key {describe(key)} is not in the dict", ctx.module.file, ctx.line)
        if isinstance(base, (ConstV, SeqV)) and len(expr.items) == 1:
            index = self.eval(expr.items[0], ctx)
            if isinstance(index, ConstV):
                try:
                    container = base.value if isinstance(base, ConstV) else base.items
                    item = container[index.value]
                    return item if isinstance(base, SeqV) else ConstV(item)
                except (TypeError, IndexError, KeyError):
                    pass
        if isinstance(base, Unknown):
            return base
        if isinstance(base, ClassV):
            return GenericV(base, [self.eval(i, ctx) for i in expr.items])
        return Unknown(f"`{ir.unparse(expr)}` is not evaluated statically", ctx.module.file, ctx.line)

    def getattr(self, value: Value, attr: str, ctx: Ctx) -> Value:
        if isinstance(value, ModuleV):
            return self.module_attr(value.path, attr, ctx.parse, ctx.module.file, ctx.line)
        if isinstance(value, Ext):
            return Ext(canonical(f"{value.name}.{attr}"))
        if isinstance(value, RouterV):
            if attr == "router":
                return value
            if attr == "prefix":
                return ConstV(value.prefix) if isinstance(value.prefix, str) else value.prefix
            return BoundV(value, attr)
        if isinstance(value, (InstanceV, ClassV)):
            cls = value.cls if isinstance(value, InstanceV) else value
            found = self.class_attr(cls, attr, ctx, instance=isinstance(value, InstanceV))
            if isinstance(value, InstanceV) and isinstance(value.library, AuthUsersV) and attr == "current_user" \
                    and isinstance(found, Unknown) and found.reason.endswith(_IN_LIBRARY):
                return BoundV(value.library, attr)
            if isinstance(value, InstanceV) and not isinstance(found, (FuncV, ClassV)) and self._settings_class(cls):
                self.config_reads += 1
                from_file = self._dotenv_value(cls, attr, found)
                if from_file is not None:
                    return from_file
            return found
        if isinstance(value, ConstV) and isinstance(value.value, str) and attr in _STR_METHODS:
            return BoundV(value, attr)
        if isinstance(value, (DictV, KwargsV)) and attr == "get":
            return BoundV(value, attr)
        if isinstance(value, AuthUsersV):
            if attr == "current_user":
                return BoundV(value, attr)
            return Unknown(f"`FastAPIUsers.{attr}` comes from the library class `fastapi_users.FastAPIUsers`, "
                           f"{_IN_LIBRARY}", ctx.module.file, ctx.line)
        if isinstance(value, Unknown):
            return value
        return Unknown(f"attribute `{attr}` of {describe(value)}", ctx.module.file, ctx.line)

    def class_attr(self, cls: ClassV, attr: str, ctx: Ctx, *, instance: bool, seen: frozenset = frozenset()) -> Value:
        if id(cls) in seen:
            return Unknown(f"class `{cls.fact.name}` inherits from itself", ctx.module.file, ctx.line)
        if attr in cls.scope.vars:
            cctx = Ctx(cls.module, cls.scope, line=ctx.line, parse=ctx.parse)
            value = self.lookup_in(cls.scope, attr, cctx)
            if isinstance(value, FuncV):
                kind = _method_kind(value.fact)  # a classmethod binds `cls` even on the class, a staticmethod nothing
                if kind == "classmethod" or (instance and kind != "staticmethod"):
                    return FuncV(value.fact, value.module, value.closure, bound=True,
                                  signature_scope=value.signature_scope)
            if isinstance(value, Unknown) and not value.pending and value.reason.startswith("declared without"):
                return Unknown(f"`{cls.fact.name}.{attr}` is {value.reason}", cls.module.file, cls.fact.line)
            return value
        mctx = Ctx(cls.module, cls.scope.parent or cls.scope, line=cls.fact.line, parse=ctx.parse)
        library: Unknown | None = None  # the first base from a library, which may define it: we cannot tell
        for base_expr in cls.fact.bases:
            base = self.eval(base_expr, mctx)
            if isinstance(base, GenericV):
                base = base.base
            if isinstance(base, ClassV):
                found = self.class_attr(base, attr, ctx, instance=instance, seen=seen | {id(cls)})
                if not isinstance(found, Unknown) or not found.reason.endswith((_NOT_ON_CLASS, _IN_LIBRARY)):
                    return found
                library = library or (found if found.reason.endswith(_IN_LIBRARY) else None)
            elif isinstance(base, Ext) and library is None:
                library = Unknown(f"`{cls.fact.name}.{attr}` comes from the library class `{base.name}`, "
                                  f"{_IN_LIBRARY}", ctx.module.file, ctx.line)
        return library or Unknown(f"`{cls.fact.name}.{attr}` {_NOT_ON_CLASS}", ctx.module.file, ctx.line)

    def _dotenv_value(self, cls: ClassV, attr: str, default: Value) -> ConstV | None:
        """The value a pydantic settings instance reads from its `env_file` for a field, if the file sets it."""
        options: dict[str, str] = {}
        chain = [cls] + [b for b in self.class_bases(cls) if isinstance(b, ClassV)]
        for klass in reversed(chain):  # the subclass's options win
            options.update(settings_file_options(klass.fact.body))
        if "env_file" not in options:
            return None
        if self.dotenv is None:
            self.dotenv = DotenvCache(self.discovery.root)
        raw = self.dotenv.values(options["env_file"]).get((options.get("env_prefix", "") + attr).lower())
        if raw is None:
            return None
        return ConstV(coerce(raw, default.value if isinstance(default, ConstV) else None))

    def _settings_class(self, cls: ClassV) -> bool:
        """A pydantic settings class: its fields are deployment configuration."""
        return any(isinstance(b, Ext) and b.name == "pydantic.BaseSettings" for b in self.class_bases(cls))

    def _library_base(self, cls: ClassV) -> str | None:
        """The first library class (dotted name) among a repository class's bases, generic or not."""
        for base in self.class_bases(cls):
            base = base.base if isinstance(base, GenericV) else base
            if isinstance(base, Ext):
                return base.name
        return None

    def framework_class(self, cls: ClassV) -> str | None:
        """"fastapi.FastAPI" or "fastapi.APIRouter" when the repository class derives from one, else None."""
        for base in self.class_bases(cls):
            if isinstance(base, Ext) and base.name in ("fastapi.FastAPI", "fastapi.APIRouter"):
                return base.name
        return None

    def class_bases(self, cls: ClassV, seen: frozenset = frozenset()) -> list[Value]:
        """All bases (transitively) of a repository class: ClassV and Ext values."""
        if id(cls) in seen:
            return []
        out: list[Value] = []
        ctx = Ctx(cls.module, cls.scope.parent or cls.scope, line=cls.fact.line)
        for base_expr in cls.fact.bases:
            base = self.eval(base_expr, ctx)
            out.append(base)
            if isinstance(base, ClassV):
                out.extend(self.class_bases(base, seen | {id(cls)}))
        return out

    # --- calls ------------------------------------------------------------------------------------------------

    def _arg(self, call: ir.Call, index: int, keyword: str) -> ir.Expr | None:
        for name, value in call.kwargs:
            if name == keyword:
                return value
        if index < len(call.args):
            return call.args[index]
        return None

    def _star_kwargs(self, call: ir.Call, ctx: Ctx) -> KwargsV | DictV | None:
        if call.star_kwargs is None:
            return None
        value = self.eval(call.star_kwargs, ctx)
        return value if isinstance(value, (KwargsV, DictV)) else None

    def _kwargs(self, call: ir.Call, ctx: Ctx) -> tuple[tuple[str, ir.Expr], ...]:
        """Explicit keyword arguments plus those passed on through a known `**kwargs`."""
        star = self._star_kwargs(call, ctx)
        extra = tuple((k, b.expr) for k, b in (star.items.items() if star else ()) if isinstance(b, Thunk))
        return call.kwargs + extra

    def _resolved_types(self, kwargs: tuple[tuple[str, ir.Expr], ...], ctx: Ctx) -> tuple[tuple[str, ir.Expr], ...]:
        """`response_model=model` of an `add_api_route` in a loop over a table: the class the name is bound to in
        this iteration, written as the types are named (`StatsOverview`, `list[LeaderboardEntry]`)."""
        out = []
        for key, expr in kwargs:
            if key == "response_model" and isinstance(expr, ir.Name):
                value = self.eval(expr, ctx)
                text = _type_text(value)
                if text is not None and text != expr.id and self._names_bound_here(value, ctx):
                    expr = ir.Name(text)
            out.append((key, expr))
        return tuple(out)

    def _names_bound_here(self, value: Value, ctx: Ctx) -> bool:
        """Is every class in the type `value` bound in the module under its own name (so its text names it)?"""
        if isinstance(value, GenericV):
            return all(self._names_bound_here(v, ctx) for v in value.args)
        if isinstance(value, ClassV):
            found = ctx.module.scope.vars.get(value.fact.qualname)
            found = self.force(found, ctx) if found is not None else None
            return isinstance(found, ClassV) and found.fact is value.fact
        return isinstance(value, Ext)

    def _eval_arg(self, call: ir.Call, index: int, keyword: str, ctx: Ctx, default: Value | None = None) -> Value | None:
        expr = self._arg(call, index, keyword)
        if expr is None and call.star_kwargs is not None:
            star = self._star_kwargs(call, ctx)
            if star is not None:
                if keyword in star.items:
                    return self.force(star.items[keyword], ctx)
                return default
        if expr is None:
            if call.starred and default is not None:
                return Unknown(f"`{keyword}` may come from *args/**kwargs", ctx.module.file, call.line)
            return default
        return self.eval(expr, ctx)

    def _str_arg(self, call: ir.Call, index: int, keyword: str, ctx: Ctx, default: str | None) -> str | Unknown | None:
        value = self._eval_arg(call, index, keyword, ctx, ConstV(default) if default is not None else None)
        if value is None:
            return None
        if isinstance(value, ConstV) and isinstance(value.value, str):
            return value.value
        expr = self._arg(call, index, keyword)
        text = ir.unparse(expr) if expr is not None else "**kwargs"
        return _unknown_from(value, f"`{text}`", ctx)

    def _const_str(self, call: ir.Call, keyword: str, ctx: Ctx) -> str | None:
        """A keyword argument's value when it is statically a string, else None (nothing reported)."""
        value = self._eval_arg(call, 99, keyword, ctx)
        return value.value if isinstance(value, ConstV) and isinstance(value.value, str) else None

    def _deps_arg(self, call: ir.Call, ctx: Ctx, keyword: str = "dependencies") -> list[Value]:
        value = self._eval_arg(call, 99, keyword, ctx)
        if value is None:
            return []
        if isinstance(value, SeqV):
            return value.items
        return [value]

    def _include_in_schema(self, call: ir.Call, ctx: Ctx) -> bool:
        value = self._eval_arg(call, 99, "include_in_schema", ctx)
        return not (isinstance(value, ConstV) and value.value is False)

    def call(self, call: ir.Call, ctx: Ctx, func: Value | None = None) -> Value:
        ctx = ctx.at(call.line or ctx.line)
        if func is None:
            func = self.eval(call.func, ctx)
        if isinstance(func, GenericV) and isinstance(func.base, Ext):
            func = func.base  # `FastAPIUsers[User, UUID](...)` calls the library class
        if isinstance(func, Ext):
            return self._call_ext(func.name, call, ctx)
        if isinstance(func, BoundV):
            if isinstance(func.obj, AuthUsersV) and func.name == "current_user":
                return _users_dependency(func.obj)
            if isinstance(func.obj, RouterV):
                return self._router_method(func.obj, func.name, call, ctx.but(parse=ANY))
            if isinstance(func.obj, ConstV):
                return self._str_method(func.obj.value, func.name, call, ctx.but(parse=ANY))
            if isinstance(func.obj, (DictV, KwargsV)) and func.name == "get":
                key = self._eval_arg(call, 0, "key", ctx)
                if isinstance(key, ConstV) and _hashable(key.value):
                    if key.value in func.obj.items:
                        return self.force(func.obj.items[key.value], ctx)
                    return self._eval_arg(call, 1, "default", ctx, ConstV(None)) or ConstV(None)
        if isinstance(func, FuncV):
            return self.call_function(func, call, ctx)
        if isinstance(func, GenericV) and isinstance(func.base, ClassV):
            func = func.base  # `Users[User, UUID](...)` builds a `Users`
        if isinstance(func, ClassV):
            framework = self.framework_class(func)
            if framework is not None:  # `class VersionedRouter(APIRouter)`, `class App(FastAPI)`
                return self._framework_subclass_call(func, framework, call, ctx)
            if self._library_base(func) in FASTAPI_USERS:  # `class Users(FastAPIUsers[User, UUID])`
                return InstanceV(func, library=self._call_ext("fastapi_users.FastAPIUsers", call, ctx))
            return InstanceV(func)
        if isinstance(func, RouteDecoratorV):  # router.get("/x")(handler)
            target = self._eval_arg(call, 0, "__func__", ctx.but(parse=ANY))
            if isinstance(target, FuncV):
                self._register(func, target, ctx.line, ctx)
            else:
                self.unresolved.append(Unresolved(
                    file=ctx.module.file, line=ctx.line,
                    reason=f"route registered with `{ir.unparse(call)}`: the endpoint is not a function we can see",
                ))
            return target or ConstV(None)
        if isinstance(func, Unknown):
            return func
        return Unknown(f"call of {describe(func)}", ctx.module.file, ctx.line)

    def _marker(self, kind: str, call: ir.Call, ctx: Ctx) -> MarkerV:
        """`Header(...)`, `Cookie(...)`, `Query(...)`...: the wire name (an alias may come from the settings, read
        in any module), whether underscores convert, and whether the parameter is required."""
        alias = self._const_str(call, "alias", ctx.but(parse=ANY))
        convert = self._eval_arg(call, 99, "convert_underscores", ctx)
        default_expr = self._arg(call, 0, "default")
        default = self.eval(default_expr, ctx) if default_expr is not None else None
        required = (default_expr is None and self._arg(call, 99, "default_factory") is None) or (
            isinstance(default, ConstV) and default.value is Ellipsis)
        return MarkerV(MARKERS[kind], alias, not (isinstance(convert, ConstV) and convert.value is False), required)

    def _call_ext(self, name: str, call: ir.Call, ctx: Ctx) -> Value:
        last = name.rsplit(".", 1)[-1]
        pctx = ctx.but(parse=ANY)
        if name == "fastapi.FastAPI":
            router = RouterV("app", ctx.module.file, ctx.line, "", self._deps_arg(call, pctx), ctx.cond)
            self.routers.append(router)
            for hook in [self._eval_arg(call, 99, "lifespan", pctx), *self._deps_arg(call, pctx, "on_startup")]:
                if isinstance(hook, FuncV):
                    router.startup.append(hook)
            return router
        if name == "fastapi.APIRouter":
            prefix = self._str_arg(call, 99, "prefix", pctx, "")
            router = RouterV("router", ctx.module.file, ctx.line, prefix, self._deps_arg(call, pctx), ctx.cond)
            self.routers.append(router)
            return router
        if name in ("fastapi.Depends", "fastapi.Security"):
            target_expr = self._arg(call, 0, "dependency")
            target = self.eval(target_expr, ctx) if target_expr is not None else None
            return DependsV(target, security=last == "Security")
        if name.startswith("fastapi.") and last in MARKERS:
            return self._marker(last, call, ctx)
        if name.startswith("fastapi.") and last in SCHEMES:
            # an API key's name may come from the settings (`APIKeyCookie(name=settings.COOKIE)`): read anywhere
            scheme_name = self._const_str(call, "name", pctx) if last.startswith("APIKey") else None
            return SchemeV(last, scheme_name)
        if name.startswith("fastapi_users."):
            found = self._fastapi_users_call(name, last, call, ctx)
            if found is not None:
                return found
        if name in ("pydantic.Field", "dataclasses.field"):
            if self._arg(call, 0, "default") is not None:
                return self._eval_arg(call, 0, "default", ctx)
            factory = self._eval_arg(call, 99, "default_factory", pctx)
            if isinstance(factory, ClassV):  # `run: RunSettings = Field(default_factory=RunSettings)`
                return self.call(ir.Call(ir.Name("<default_factory>"), (), (), False, ctx.line), ctx,
                                 func=factory)
            return Unknown("field with a default_factory or no default", ctx.module.file, ctx.line)
        if name in _ENV_READS:
            return self._env_default(call, ctx)
        if name in _DECOUPLE_READS:
            return self._decouple_default(call, ctx)
        if name == "typing.cast" and len(call.args) == 2:
            return self.eval(call.args[1], ctx)
        if name.startswith("builtins.") and last in _CONVERSIONS and len(call.args) == 1 and not call.kwargs:
            value = self.eval(call.args[0], ctx)
            if last == "bool":
                known = self.truth(value)
                if known is not None:
                    return ConstV(known)
            elif (const := _const(value)) is not _NOT_CONST and isinstance(const, (str, int, float, bool)):
                try:
                    return ConstV(_CONVERSIONS[last](const))
                except (TypeError, ValueError):
                    pass
        return Unknown(f"call to `{name}` (outside the repository) is not followed", ctx.module.file, ctx.line,
                       external=True, made_by=name)

    def _fastapi_users_call(self, name: str, last: str, call: ir.Call, ctx: Ctx) -> Value | None:
        """fastapi-users objects, as far as auth goes: a transport is the security scheme it reads, a backend its
        transport's scheme, `FastAPIUsers(get_user_manager, [backends])` the schemes of its backends."""
        if last in _TRANSPORTS:
            scheme, keyword, default = _TRANSPORTS[last]
            if keyword is None or self._arg(call, 0, keyword) is None:
                return SchemeV(scheme, default)
            named = self._eval_arg(call, 0, keyword, ctx)  # a name computed at run time: unknown, not the default
            return SchemeV(scheme, named.value if isinstance(named, ConstV) and isinstance(named.value, str) else None)
        if last == "AuthenticationBackend":
            transport = self._eval_arg(call, 1, "transport", ctx)
            return transport if isinstance(transport, SchemeV) else None
        if name in FASTAPI_USERS:
            backends = self._eval_arg(call, 1, "auth_backends", ctx)
            items = backends.items if isinstance(backends, SeqV) else []
            return AuthUsersV([item for item in items if isinstance(item, SchemeV)])
        return None

    def _env_default(self, call: ir.Call, ctx: Ctx) -> Value:
        """`os.getenv("X", "/api")`, `os.environ.get(...)`, `os.environ.setdefault(...)`: the default, as served by
        a process that does not set X (the same rule as settings-class defaults). No static default: unknown."""
        default = self._eval_arg(call, 1, "default", ctx)
        if isinstance(default, ConstV) and isinstance(default.value, (str, int, float, bool, type(None))):
            self.config_reads += 1
            return default
        if isinstance(default, Unknown) and default.unset_env:  # `os.environ.get("A", os.environ.get("B"))`
            return default
        return Unknown(f"`{ir.unparse(call)}` is read from the environment at run time (no static default)",
                       ctx.module.file, ctx.line, unset_env=default is None)

    def _decouple_default(self, call: ir.Call, ctx: Ctx) -> Value:
        """`decouple.config("X", default="sub")`: the default, cast like decouple casts it (`cast=bool` reads
        "true"/"off"/... strings, `cast=int`); no default or another cast: unknown."""
        if self._arg(call, 1, "default") is None:
            return Unknown(f"`{ir.unparse(call)}` is read from the environment at run time (no default)",
                           ctx.module.file, ctx.line, unset_env=True)
        default = self._env_default(call, ctx)
        cast = self._eval_arg(call, 2, "cast", ctx)
        if cast is None or not isinstance(default, ConstV) or default.value is None:
            return default
        kind = cast.name.removeprefix("builtins.") if isinstance(cast, Ext) else None
        value = default.value
        if kind == "bool" and isinstance(value, str) and value.lower() in _DECOUPLE_TRUE | _DECOUPLE_FALSE:
            return ConstV(value.lower() in _DECOUPLE_TRUE)
        if kind in _CONVERSIONS and kind != "bool":
            try:
                return ConstV(_CONVERSIONS[kind](value))
            except (TypeError, ValueError):
                pass
        elif kind == "bool" and isinstance(value, bool):
            return default
        return Unknown(f"`{ir.unparse(call)}`: the cast of its default is not known statically",
                       ctx.module.file, ctx.line)

    def _str_method(self, value: str, name: str, call: ir.Call, ctx: Ctx) -> Value:
        args = [self.eval(a, ctx) for a in call.args]
        kwargs = {k: self.eval(v, ctx) for k, v in call.kwargs}
        for arg in [*args, *kwargs.values()]:
            if isinstance(arg, Unknown):
                return arg
        try:
            plain = [a.items if isinstance(a, SeqV) else a.value for a in args]
            if name == "join" and plain and isinstance(plain[0], list):
                return ConstV(value.join(item.value for item in plain[0]))
            return ConstV(getattr(value, name)(*plain, **{k: v.value for k, v in kwargs.items()}))
        except Exception:
            return Unknown(f"`{ir.unparse(call)}` is not evaluated statically", ctx.module.file, ctx.line)

    def _router_method(self, router: RouterV, name: str, call: ir.Call, ctx: Ctx) -> Value:
        file, line, cond = ctx.module.file, ctx.line, ctx.cond
        if name in DECORATOR_METHODS:
            path = self._str_arg(call, 0, "path", ctx, None)
            if path is None:
                path = Unknown(f"`{ir.unparse(call)}` has no path", file, line)
            methods: list[str] | Unknown
            if name in HTTP_METHODS:
                methods = [name.upper()]
            elif name == "websocket":
                methods = ["WEBSOCKET"]
            else:
                methods = self._methods(call, ctx, 99)
            kwargs = self._kwargs(call, ctx)
            return RouteDecoratorV(router, methods, path, call, file, line, self._deps_arg(call, ctx),
                                   self._include_in_schema(call, ctx), cond, kwargs)
        if name in ("add_api_route", "add_route", "add_api_websocket_route", "add_websocket_route"):
            self._add_route(router, name, call, ctx)
            return ConstV(None)
        if name == "include_router":
            target = self._eval_arg(call, 0, "router", ctx) or Unknown("no router given", file, line)
            prefix = self._str_arg(call, 99, "prefix", ctx, "")
            if isinstance(target, RouterV):
                target.included = True
            text = ir.unparse(self._arg(call, 0, "router")) or "?"
            router.includes.append(Include(
                target, prefix, self._deps_arg(call, ctx), self._include_in_schema(call, ctx), line, file, cond, text,
                configured=ctx.configured,
            ))
            return ConstV(None)
        if name == "mount":
            path = self._str_arg(call, 0, "path", ctx, None) or Unknown("no path", file, line)
            app = self._eval_arg(call, 1, "app", ctx) or Unknown("no app", file, line)
            if isinstance(app, RouterV):
                app.mounted_in = router
            router.mounts.append(Mount(path, app, line, file, cond, ir.unparse(self._arg(call, 1, "app")) or "?"))
            return ConstV(None)
        if name == "add_middleware" and router.kind == "app":
            middleware = self._eval_arg(call, 0, "middleware_class", ctx)
            if isinstance(middleware, ClassV):
                self.middlewares.append((middleware.module.file, middleware.fact.line, middleware.fact.end_line))
            return ConstV(None)
        if name == "add_event_handler" and router.kind == "app":
            event, handler = self._eval_arg(call, 0, "event_type", ctx), self._eval_arg(call, 1, "func", ctx)
            if isinstance(event, ConstV) and event.value == "startup" and isinstance(handler, FuncV):
                router.startup.append(handler)
            return ConstV(None)
        if name == "on_event" and router.kind == "app":  # @app.on_event("startup")
            event = self._eval_arg(call, 0, "event_type", ctx)
            return StartupHookV(router) if isinstance(event, ConstV) and event.value == "startup" else ConstV(None)
        return ConstV(None)  # add_middleware, exception_handler, ...: no routes

    def _add_route(self, router: RouterV, name: str, call: ir.Call, ctx: Ctx) -> None:
        """`router.add_api_route(path, endpoint, ...)` and its kin: a route, or an unresolved item."""
        file, line = ctx.module.file, ctx.line
        path = self._str_arg(call, 0, "path", ctx, None) or Unknown("no path", file, line)
        endpoint = self._eval_arg(call, 1, "endpoint", ctx) or Unknown("no endpoint", file, line)
        if not isinstance(endpoint, FuncV):
            self.unresolved.append(Unresolved(
                file=file, line=line,
                reason=f"`{ir.unparse(call)}`: the endpoint is not a function we can see ({describe(endpoint)})",
            ))
            return
        methods = ["WEBSOCKET"] if "websocket" in name else self._methods(call, ctx, 2)
        router.routes.append(RouteReg(
            func=endpoint, methods=methods, path=path, registration="add_api_route", line=line, file=file,
            kwargs=self._resolved_types(self._kwargs(call, ctx), ctx), dependencies=self._deps_arg(call, ctx),
            include_in_schema=self._include_in_schema(call, ctx), conditional=ctx.cond, configured=ctx.configured,
        ))

    def _methods(self, call: ir.Call, ctx: Ctx, index: int) -> list[str] | Unknown:
        value = self._eval_arg(call, index, "methods", ctx)
        if value is None or (isinstance(value, ConstV) and value.value is None):
            return ["GET"]
        if isinstance(value, SeqV) and all(isinstance(i, ConstV) and isinstance(i.value, str) for i in value.items):
            return sorted({i.value.upper() for i in value.items})
        return _unknown_from(value, "methods", ctx)

    def _framework_subclass_call(self, cls: ClassV, framework: str, call: ir.Call, ctx: Ctx) -> Value:
        """`AdminRouter(prefix="/admin")` of a repository subclass of APIRouter or FastAPI: what its `__init__`
        passes to `super().__init__(...)` (`dependencies=[Depends(get_admin_user)]`, a fixed prefix), its
        parameters bound to this call's arguments; with no such `__init__`, the call itself (same signature)."""
        init = self.class_attr(cls, "__init__", ctx, instance=True)
        fact = init.fact if isinstance(init, FuncV) else None
        if isinstance(init, FuncV) and fact is not None and fact.body is None:
            fact = self._full_function(init)
        super_call = _super_init_call(fact) if fact is not None else None
        if not isinstance(init, FuncV) or fact is None or super_call is None or ctx.depth >= _MAX_DEPTH:
            return self._call_ext(framework, call, ctx)
        scope = self._bind_arguments(init, fact, call, ctx)
        init_ctx = Ctx(init.module, scope, super_call.line, cond=ctx.cond, configured=ctx.configured, nested=True,
                       parse=ANY, depth=ctx.depth + 1)
        made = self._call_ext(framework, super_call, init_ctx)
        if isinstance(made, RouterV):  # the router is where it is made, not where its class says how
            made.file, made.line = ctx.module.file, ctx.line
        return made

    def call_function(self, fv: FuncV, call: ir.Call, ctx: Ctx) -> Value:
        key = (id(call), id(ctx.scope))
        if key in self.call_cache:
            return self.call_cache[key][2]
        fact = fv.fact
        if fact.body is None:
            fact = self._full_function(fv)
            if fact is None:
                return Unknown(f"the body of `{fv.fact.qualname}` was not analysed", ctx.module.file, ctx.line)
        if ctx.depth >= _MAX_DEPTH or fact in self.call_stack:
            return Unknown(f"recursive or too deep call of `{fact.qualname}`", ctx.module.file, ctx.line)
        fv.called = True
        scope = self._bind_arguments(fv, fact, call, ctx)
        returns: list[Value] = []
        self.call_stack.append(fact)
        try:
            body_ctx = Ctx(fv.module, scope, fact.line, cond=ctx.cond, configured=ctx.configured, nested=True,
                           parse=ANY, depth=ctx.depth + 1)
            self.run_block(fact.body, body_ctx, returns)
        finally:
            self.call_stack.pop()
        if not returns:
            result: Value = ConstV(None)
        elif all(r is returns[0] or _same_const(r, returns[0]) for r in returns):
            result = returns[0]
        else:
            result = Unknown(f"`{fact.qualname}` returns different values", ctx.module.file, ctx.line)
        self.call_cache[key] = (call, ctx.scope, result)
        return result

    def _bind_arguments(self, fv: FuncV, fact: FunctionFact, call: ir.Call, ctx: Ctx) -> Scope:
        """The scope a call of `fv` runs in: each parameter bound to its argument (a thunk), its default, or an
        Unknown saying why not; a bound method's first parameter is `self`."""
        scope = Scope({}, fv.closure or fv.module.scope, fv.module)
        defaults_ctx = Ctx(fv.module, fv.def_scope, line=fact.line, parse=ANY)
        positional = [p for p in fact.params if p.kind in ("posonly", "positional")]
        if fv.bound and positional:
            scope.vars[positional[0].name] = Unknown("self", fv.module.file, fact.line)
            positional = positional[1:]
        for param, arg in zip(positional, call.args):
            scope.vars[param.name] = Thunk(arg, ctx)
        keywords = dict(call.kwargs)
        named = {p.name for p in fact.params if p.kind not in ("star", "starstar", "posonly")}
        for param in fact.params:
            if param.name in scope.vars:
                continue
            if param.name in keywords and param.kind != "posonly":
                scope.vars[param.name] = Thunk(keywords[param.name], ctx)
            elif param.kind == "starstar" and not call.starred:
                scope.vars[param.name] = KwargsV({k: Thunk(v, ctx) for k, v in call.kwargs if k not in named})
            elif param.kind in ("star", "starstar") or call.starred:
                scope.vars[param.name] = Unknown(f"argument `{param.name}` is not static", ctx.module.file, ctx.line)
            elif param.default is not None:
                scope.vars[param.name] = Thunk(param.default, defaults_ctx)
            else:
                scope.vars[param.name] = Unknown(f"argument `{param.name}` not given", ctx.module.file, ctx.line)
        return scope

    def _full_function(self, fv: FuncV) -> FunctionFact | None:
        """Parse a skeleton module whole to get a function body that was left out."""
        path = fv.module.file
        result = self.full_modules.get(path)
        if result is None:
            result = self.full_modules[path] = extract_file(self.discovery.root, path, fv.module.module,
                                                            skeleton=False)
            if self.on_parse:
                self.on_parse(path)
        if isinstance(result, str):
            return None
        return _find_function(result.ops, fv.fact.qualname, fv.fact.line)

    def _run_startup_hooks(self) -> None:
        """Lifespan and startup handlers run before the app serves: routes they add are served (called with the app
        as their first argument, as Starlette does)."""
        done: set[int] = set()
        # Handlers do much besides routing (migrations, clients, caches): they follow calls into modules already
        # known, and into modules that mention fastapi, not into every module of the repository.
        self.parse_cap = FASTAPI
        for router in list(self.routers):
            for hook in router.startup:
                if id(hook.fact) in done or router.kind != "app":
                    continue
                done.add(id(hook.fact))
                scope = Scope({"<app>": router}, hook.module.scope, hook.module)
                args = (ir.Name("<app>"),) if hook.fact.params else ()
                ctx = Ctx(hook.module, scope, hook.fact.line, cond=router.conditional, parse=ANY)
                self.call_function(hook, ir.Call(ir.Name("<startup>"), args, (), False, hook.fact.line), ctx)
        self.parse_cap = ANY

    def _call_uncalled_factories(self) -> None:
        """`uvicorn pkg.main:create_app --factory`: an app factory nobody calls still defines an app."""
        for fv in list(self.functions):
            name = fv.fact.name
            if fv.called or not (_is_app_factory_name(name) or self._builds_app(fv)):
                continue
            if any(p.default is None and p.kind in ("posonly", "positional", "kwonly") for p in fv.fact.params):
                self._run_factory_callers(name)
                continue
            before = len(self.routers)
            ctx = Ctx(fv.module, fv.module.scope, fv.fact.line, parse=ANY)
            self.call_function(fv, ir.Call(ir.Name(name), (), (), False, fv.fact.line), ctx)
            for router in self.routers[before:]:
                if router.kind == "app" and not router.module_level:
                    router.var, router.var_file, router.var_line = f"{name}()", fv.module.file, fv.fact.line
                    router.factory = name

    def _run_factory_callers(self, name: str) -> None:
        """An app factory taking arguments (`create_application(router=api_router, settings=settings)`) is called
        from a module without routing code of its own (`main.py`), which the prefilter left unparsed: run the
        modules whose source calls it, so that the call with its real arguments builds the app."""
        pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\s*\(")
        for path in self.discovery.files:
            if path in self.facts or not _source_matches(self.discovery.root, path, pattern):
                continue
            ms = self.state(path, parse=ANY)
            if ms is not None and ms.facts is not None:
                self.execute(ms)

    def _builds_app(self, fv: FuncV) -> bool:
        """The function's own body calls `FastAPI(...)` (or a repository subclass of it): an app factory, whatever
        its name (`register_app()`, `init_app()`), possibly called only from a module that is not parsed."""
        if fv.fact.body is None:
            return False
        ctx = Ctx(fv.module, fv.module.scope, fv.fact.line)
        for call in _calls(fv.fact.body):
            func = call.func
            last = func.id if isinstance(func, ir.Name) else func.attr if isinstance(func, ir.Attr) else None
            if last == "FastAPI":
                return True
            if last is not None and last[:1].isupper():
                value = self.eval(func, ctx)
                if isinstance(value, ClassV) and self.framework_class(value) == "fastapi.FastAPI":
                    return True
        return False


_MISSING = object()


def _calls(ops: tuple[Op, ...]):
    """The calls of a function body's statements (not of nested functions or classes), outermost first."""
    for op in ops:
        if isinstance(op, (AssignOp, ExprOp, ReturnOp)):
            if op.value is not None:
                yield from _expr_calls(op.value)
        elif isinstance(op, IfOp):
            for branch in op.branches:
                yield from _calls(branch)
        elif isinstance(op, LoopOp):
            yield from _calls(op.body)


def _expr_calls(expr: ir.Expr):
    if isinstance(expr, ir.Call):
        yield expr
        for arg in expr.args:
            yield from _expr_calls(arg)
        for _, arg in expr.kwargs:
            yield from _expr_calls(arg)
    elif isinstance(expr, ir.Attr):
        yield from _expr_calls(expr.base)


class _SelfImport(Exception):
    """An import binding that resolves to itself (`from . import x` inside x's own package __init__)."""


_NOT_CONST = object()
_CONVERSIONS = {"str": str, "int": int, "float": float, "bool": bool}
_COMPARISONS = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "is": lambda a, b: a is b,
    "is not": lambda a, b: a is not b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


def _const(value: object) -> object:
    """The Python value of a constant (an unset environment variable reads as None), else _NOT_CONST."""
    if isinstance(value, ConstV):
        return value.value
    if isinstance(value, Unknown) and value.unset_env:
        return None
    return _NOT_CONST


@dataclass(eq=False, slots=True)
class SkippedBranch:
    """A branch of an if/elif chain that does not run (its test is known statically)."""

    file: str
    line: int  # of the `if`
    test: str  # source text of the branch's test ("else" for the else branch)
    ops: tuple[Op, ...]
    why: str  # "is false" | "is never reached (...)"
    ctx: "Ctx | None" = None  # where the branch is: its statements can be evaluated there (what it would include)


def _type_text(value: Value) -> str | None:
    if isinstance(value, ClassV):
        return value.fact.qualname
    if isinstance(value, Ext):
        return value.name.rsplit(".", 1)[-1]
    if isinstance(value, GenericV):
        parts = [_type_text(v) for v in [value.base, *value.args]]
        if all(parts):
            return f"{parts[0]}[{', '.join(parts[1:])}]"
    return None


def _is_type(value: Value) -> bool:
    return isinstance(value, (ClassV, Ext, GenericV)) or (isinstance(value, ConstV) and value.value is None)


def _pending(value: object) -> bool:
    """Unknown only until a module not parsed yet is parsed (also inside a tuple, list or dict display, and as the
    target of a `Depends` in `Annotated[...]`: `Read = Annotated[str, Depends(_read)]` of a factory-made `_read`)."""
    if isinstance(value, Unknown):
        return value.pending
    if isinstance(value, DependsV):
        return _pending(value.target)
    if isinstance(value, AnnotatedV):
        return any(_pending(item) for item in value.metadata)
    if isinstance(value, SeqV):
        return any(_pending(item) for item in value.items)
    if isinstance(value, DictV):
        return any(_pending(item) for item in value.items.values())
    return False


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _same_const(a: object, b: object) -> bool:
    """Equal constants, or the same name outside the repository (an import first resolved inside each branch)."""
    if isinstance(a, Ext) and isinstance(b, Ext):
        return a.name == b.name
    return isinstance(a, ConstV) and isinstance(b, ConstV) and a.value == b.value and type(a.value) is type(b.value)


def _unknown_from(value: Value, what: str, ctx: Ctx) -> Unknown:
    if isinstance(value, Unknown):
        return Unknown(f"{what} is not static: {value.reason}", ctx.module.file, ctx.line, value.pending)
    return Unknown(f"{what} is {describe(value)}, not a string", ctx.module.file, ctx.line)


def _source_matches(root: str, path: str, pattern: re.Pattern[bytes]) -> bool:
    try:
        with open(os.path.join(root, path), "rb") as handle:
            return pattern.search(handle.read()) is not None
    except OSError:
        return False


def _is_app_factory_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in ("create_app", "make_app", "get_app", "build_app", "app_factory", "create_application",
                       "get_application", "make_application", "build_application")


def _method_kind(fact: FunctionFact) -> str | None:
    """"classmethod" or "staticmethod" when the function is decorated so, else None."""
    for expr, _ in fact.decorators:
        text = ir.unparse(expr)
        if text in ("classmethod", "staticmethod", "builtins.classmethod", "builtins.staticmethod"):
            return text.removeprefix("builtins.")
    return None


def _super_init_call(fact: FunctionFact) -> ir.Call | None:
    """The `super().__init__(...)` statement at the top level of an `__init__` body, if there is one."""
    for op in fact.body or ():
        value = op.value if isinstance(op, ExprOp) else None
        if (isinstance(value, ir.Call) and isinstance(value.func, ir.Attr) and value.func.attr == "__init__"
                and isinstance(value.func.base, ir.Call) and value.func.base.func == ir.Name("super")):
            return value
    return None


def _find_function(ops: tuple[Op, ...], qualname: str, line: int) -> FunctionFact | None:
    for op in ops:
        if isinstance(op, DefOp):
            if op.func.qualname == qualname and op.func.line == line:
                return op.func
            if op.func.body:
                found = _find_function(op.func.body, qualname, line)
                if found:
                    return found
        elif isinstance(op, ClassOp):
            found = _find_function(op.cls.body, qualname, line)
            if found:
                return found
        elif isinstance(op, IfOp):
            for branch in op.branches:
                found = _find_function(branch, qualname, line)
                if found:
                    return found
        elif isinstance(op, LoopOp):
            found = _find_function(op.body, qualname, line)
            if found:
                return found
    return None
