"""The inventory's public data model (pydantic): what `build_inventory` returns and the codemods consume.

Field names follow docs/ARCHITECTURE.md ("Inventory model"). Paths of files are posix, relative to the analysed
root. Everything here is plain data: no LibCST nodes, so an `Inventory` can be dumped to JSON or sent across
processes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ParamKind = Literal[
    "path", "query", "header", "cookie", "body", "depends", "request", "background", "response", "security",
    "other"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StateRead(_Model):
    """An attribute of `request.state` that a parameter's Depends chain reads (`request.state.db`): what code before
    the route put on the legacy request, not anything a Standard API call's request carries for it."""

    attr: str
    set_at: str | None = None  # "file:line" of an app middleware's `request.state.<attr> = ...`, None when none found


class Param(_Model):
    """One parameter of a route function, classified the way FastAPI would bind it."""

    name: str
    kind: ParamKind
    annotation: str | None = None  # source text
    default: str | None = None  # source text
    alias: str | None = None  # wire name: header name (FastAPI converts `_` to `-`), query alias, ...
    dependency: str | None = None  # dotted name of the Depends/Security target
    # What the parameter's Depends chain (or the parameter itself) reads, in order of discovery.
    headers: list[str] = Field(default_factory=list)
    auth: list[str] = Field(default_factory=list)
    reads_tenant: bool = False
    # Query parameters its Depends chain reads (wire names; path parameters of the route left out).
    queries: list[str] = Field(default_factory=list)
    required_queries: list[str] = Field(default_factory=list)  # those of `queries` without a default
    # Path parameters of the route its Depends chain reads: it loads the path's subject (`Depends(get_user)` of
    # `/users/{username}` taking `username`)
    paths: list[str] = Field(default_factory=list)
    # `request.state` attributes its Depends chain reads (`get_db(request)` returning `request.state.db`)
    state: list[StateRead] = Field(default_factory=list)


class Route(_Model):
    methods: list[str]
    path: str  # full path as served
    function: str  # dotted: pkg.mod.func (closures: pkg.mod.outer.<locals>.inner)
    qualname: str  # within the module: func, outer.<locals>.inner
    file: str
    line: int  # of the `def`
    end_line: int  # last line of the function
    decorator_line: int | None = None  # of the route decorator (None for add_api_route)
    registration: Literal["decorator", "add_api_route"] = "decorator"
    registration_line: int  # decorator or add_api_route call
    registration_file: str | None = None  # file of the decorator or call (add_api_route may be elsewhere)
    router: str | None = None  # module variable the route is registered on (`router`, `app`)
    router_file: str | None = None
    app: str  # "file:variable" of the serving app
    is_async: bool = False
    status_code: str | None = None  # source text
    response_model: str | None = None  # source text
    include_in_schema: bool = True
    params: list[Param] = Field(default_factory=list)
    auth: list[str] = Field(default_factory=list)  # e.g. "Authorization: Bearer", "X-API-Key"
    headers: list[str] = Field(default_factory=list)  # every header read (auth, tenant, others)
    tenant_source: str | None = None  # header:<name> | path:<name> | query:<name> | token | None
    tenant_param: str | None = None
    conditional: bool = False  # registered or included under an if/try/while
    # registered or included in a branch that deployment configuration decided statically (`if settings.DEBUG:`
    # with the default or the `.env` value): listed as served, but a deployment may turn it off
    configured: bool = False
    closure: bool = False  # the function is defined inside another function
    dependencies: list[str] = Field(default_factory=list)  # app/include/router/decorator-level, dotted names


class App(_Model):
    file: str
    variable: str
    line: int
    mounted_in: str | None = None  # "file:variable" of the app that mounts it (then not served on its own)


class Unresolved(_Model):
    file: str
    line: int
    reason: str


class UnplacedRoute(_Model):
    """A route decorator or registration call seen in the source whose route is not placed in any app."""

    file: str
    line: int  # of the decorator or call
    function: str | None = None  # qualname of the decorated function, or the endpoint argument's source text
    reason: str


class Coverage(_Model):
    """Route decorators and `add_api_route` calls seen in the analysed files vs those placed in an app."""

    seen: int = 0
    placed: int = 0
    unplaced: list[UnplacedRoute] = Field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.placed / self.seen if self.seen else 1.0


class Skipped(_Model):
    file: str
    reason: str


class Inventory(_Model):
    root: str
    apps: list[App] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    unresolved: list[Unresolved] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    files_total: int = 0  # Python files considered (after ignore rules)
    files_parsed: int = 0  # parsed with LibCST (prefilter candidates + modules parsed on demand)
    ignored_tests: int = 0  # test files left out (tests/, test_*.py, conftest.py)
    coverage: Coverage = Field(default_factory=Coverage)

    def routes_of(self, app: str) -> list[Route]:
        """Routes served by one app, `app` as "file:variable"."""
        return [r for r in self.routes if r.app == app]
