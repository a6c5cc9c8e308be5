"""Abstract values of the symbolic interpreter (what a name or expression is known to be, statically)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import ir
from .facts import ClassFact, FunctionFact

if TYPE_CHECKING:
    from .interp import ModuleState, Scope


@dataclass(eq=False, slots=True)
class Unknown:
    """Not known statically. `pending`: could become known by parsing a module not parsed yet."""

    reason: str
    file: str
    line: int
    pending: bool = False
    dotted: str | None = None  # what it refers to, when that much is known (e.g. an import of an unparsed module)
    external: bool = False  # the result of calling something outside the repository (StaticFiles(), Flask(), ...)
    made_by: str | None = None  # external: the dotted name of what was called (`slack_bolt.app.App`)
    unset_env: bool = False  # an environment variable read without default: None when the variable is not set


@dataclass(frozen=True, slots=True)
class Ext:
    """Something outside the repository, by canonical dotted name (fastapi.APIRouter, os.getenv, ...)."""

    name: str


@dataclass(eq=False, slots=True)
class ConstV:
    value: object


@dataclass(eq=False, slots=True)
class SeqV:
    items: list[Value]


@dataclass(eq=False, slots=True)
class DictV:
    """A dict display whose keys are constants (enum members count as their values)."""

    items: dict  # constant key -> Value


@dataclass(eq=False, slots=True)
class KwargsV:
    """A function's `**kwargs`: the keyword arguments of the call, unevaluated (name -> binding)."""

    items: dict


@dataclass(eq=False, slots=True)
class ModuleV:
    path: str  # "x/y.py", "x/__init__.py", or "x/" for a namespace package


@dataclass(eq=False, slots=True)
class FuncV:
    fact: FunctionFact
    module: ModuleState
    closure: Scope | None = None
    bound: bool = False  # a method looked up on an instance: the first parameter is `self`
    called: bool = False
    # where the signature's defaults and annotations are evaluated when the def rebinds a name they read: Python
    # evaluates them before the def binds its own name (`def verify(key=Depends(verify))` reads the imported `verify`)
    signature_scope: Scope | None = None

    @property
    def def_scope(self) -> Scope:
        return self.signature_scope or self.closure or self.module.scope


@dataclass(eq=False, slots=True)
class ClassV:
    fact: ClassFact
    module: ModuleState
    scope: Scope


@dataclass(eq=False, slots=True)
class InstanceV:
    cls: ClassV
    var: str | None = None  # the module-level name it is bound to (`_MembersRead = Checker(...)`)
    library: Value | None = None  # what a library base class makes of the call (a fastapi-users object's schemes)
    module: ModuleState | None = None  # where it is bound to `var` (not the class's module: a factory's result)


@dataclass(eq=False, slots=True)
class AuthUsersV:
    """A fastapi-users `FastAPIUsers(get_user_manager, [backend, ...])` object: the security schemes its backends'
    transports read (CookieTransport: APIKeyCookie, BearerTransport: OAuth2PasswordBearer; unknown ones left out).
    Its `current_user(...)` makes a dependency that authenticates the caller with them."""

    schemes: list[SchemeV]


@dataclass(eq=False, slots=True)
class DependsV:
    target: Value | None  # None: Depends() uses the parameter's annotation
    security: bool


@dataclass(eq=False, slots=True)
class MarkerV:
    """Header(...), Query(...), Path(...), Body(...), Cookie(...), Form(...), File(...)."""

    kind: str  # header | query | path | body | cookie
    alias: str | None
    convert_underscores: bool = True
    required: bool = False  # no default (`Query()`, `Query(...)`, no `default_factory`)


@dataclass(eq=False, slots=True)
class SchemeV:
    """A fastapi.security scheme instance (HTTPBearer(), APIKeyHeader(name=...), ...)."""

    scheme: str
    name: str | None
    var: str | None = None
    module: ModuleState | None = None  # where it is bound to `var`


@dataclass(eq=False, slots=True)
class AnnotatedV:
    base: Value
    metadata: list[Value]


@dataclass(eq=False, slots=True)
class GenericV:
    base: Value
    args: list[Value]


@dataclass(eq=False, slots=True)
class BoundV:
    obj: Value
    name: str


@dataclass(eq=False, slots=True)
class RouteReg:
    """A route registered on a router: by decorator or add_api_route."""

    func: FuncV | Unknown
    methods: list[str] | Unknown
    path: str | Unknown
    registration: str  # decorator | add_api_route
    line: int  # decorator or call line
    file: str
    kwargs: tuple[tuple[str, ir.Expr], ...]
    dependencies: list[Value]
    include_in_schema: bool
    conditional: bool
    configured: bool = False  # registered in a branch that deployment configuration decided (see Ctx.configured)


@dataclass(eq=False, slots=True)
class Include:
    router: Value
    prefix: str | Unknown
    dependencies: list[Value]
    include_in_schema: bool
    line: int
    file: str
    conditional: bool
    text: str = "?"  # source text of the router argument
    configured: bool = False  # included in a branch that deployment configuration decided


@dataclass(eq=False, slots=True)
class Mount:
    path: str | Unknown
    app: Value
    line: int
    file: str
    conditional: bool
    text: str = "?"


@dataclass(eq=False)
class RouterV:
    """An APIRouter or a FastAPI app (kind "app")."""

    kind: str
    file: str
    line: int
    prefix: str | Unknown
    dependencies: list[Value]
    conditional: bool
    var: str | None = None
    var_file: str | None = None
    var_line: int | None = None
    module_level: bool = False  # var is a module-level name
    routes: list[RouteReg] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    included: bool = False
    mounted_in: RouterV | None = None
    factory: str | None = None  # created by calling this (uncalled) factory function
    merged_into: RouterV | None = None  # built in another branch of an if/else than the router it was merged into
    startup: list[FuncV] = field(default_factory=list)  # lifespan / startup handlers (apps)


@dataclass(eq=False, slots=True)
class StartupHookV:
    """`app.on_event("startup")`: a decorator that adds the function to the app's startup handlers."""

    app: RouterV


@dataclass(eq=False, slots=True)
class RouteDecoratorV:
    router: RouterV
    methods: list[str] | Unknown
    path: str | Unknown
    call: ir.Call
    file: str
    line: int
    dependencies: list[Value]
    include_in_schema: bool
    conditional: bool
    kwargs: tuple = ()  # (name, IR) of the keyword arguments, including those passed on through **kwargs


Value = (
    Unknown | Ext | ConstV | SeqV | DictV | KwargsV | ModuleV | FuncV | ClassV | InstanceV
    | DependsV | MarkerV | SchemeV | AnnotatedV | GenericV | BoundV | RouterV | RouteDecoratorV | StartupHookV
    | AuthUsersV
)


def describe(value: object) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, Ext):
        return f"`{value.name}`"
    if isinstance(value, ConstV):
        return repr(value.value)
    if isinstance(value, FuncV):
        return f"function `{value.fact.qualname}`"
    if isinstance(value, RouterV):
        return f"{'app' if value.kind == 'app' else 'router'} `{value.var or '?'}`"
    return type(value).__name__.removesuffix("V").lower()
