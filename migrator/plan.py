"""The migration plan: what `analyze` decides once and `apply --phase N` carries out.

`MigrationPlan` holds every route with its catalog match and its one verdict (`Verdict`: automatic, manual or stays,
with reasons and the facts the codemods need), the app phase 1 wires, where the handler and the service modules go,
what moves where, the files each phase touches, and the per-phase plan (weeks 0-2, 2-4, 4-6) with its manual
steps and the phase-3 estimate of legacy code removed. `migrator.planner.make_plan` computes it;
`migrator.movability` decides the verdicts.

When the target has `.migrator/journal.json`, phases already applied show as done with their dates, and the
planned dates of the others follow from phase 1 (two weeks per phase).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field

from migrator.catalog import DEFAULTED, OPERATIONS
from migrator.inventory.models import Route
from migrator.journal import PHASE_WEEKS, Journal, JournalError
from migrator.journal import load_journal as _load_journal
from migrator.lifecycle.model import LifecyclePlan

WEEKS = PHASE_WEEKS  # 1: "0–2", 2: "2–4", 3: "4–6"


class PlanInputError(ValueError):
    """An unreadable or invalid journal; the message names the file (exit 2)."""


def load_journal(root: str | Path) -> Journal | None:
    """The target's journal (migrator.journal), None when it has none."""
    try:
        journal = _load_journal(Path(root))
    except JournalError as exc:
        raise PlanInputError(str(exc)) from None
    return journal if journal.phases or journal.routes or journal.deprecation else None


def route_state(journal: Journal | None, methods: list[str], path: str) -> str | None:
    for route in journal.routes if journal else ():
        if route.path == path and set(route.methods) & set(methods):
            return route.state
    return None


# --- verdicts ------------------------------------------------------------------------------------------------------


class Reason(BaseModel):
    code: str  # closure, parameter, no-tenant, streams, module-state, star-args, other-app, unreadable, ...
    message: str
    file: Optional[str] = None
    line: Optional[int] = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")


class TenantFact(BaseModel):
    """How a route obtains its tenant, and how the handler gives it to the moved code."""

    param: Optional[str] = None  # the route parameter carrying it
    source: Optional[str] = None  # header:X-Tenant-ID | path:<name> | query:<name> | token
    dependency: Optional[str] = None  # dotted function the parameter comes from (None: the parameter itself)
    annotation: Optional[str] = None  # the legacy annotation (source text)
    #: id: the handler passes the standard tenant id (a `str`; an `int` when the legacy parameter is one);
    #: solved: the legacy parameter itself (an object, a typed id), obtained from the id by the legacy dependency
    #: through FastAPI's solver (`shims.legacy_deps.legacy_inputs`), so its validation and 404 survive;
    #: single: a single-tenant deployment (`[tool.migrator] tenant`): the handler checks the id, the code takes none
    mode: Literal["id", "solved", "single"] = "id"


class InputsFact(BaseModel):
    """What the handler obtains through FastAPI's own dependency solver for one moved route: a generated inputs
    function copies these route parameters (annotations and defaults, FastAPI markers included) and
    `shims.legacy_deps.legacy_inputs` solves it for a synthetic legacy request."""

    function: str  # the inputs function's name in the handler module
    params: list[str] = Field(default_factory=list)  # the route parameters it declares, in order
    tenant_in: Optional[tuple[Literal["header", "path", "query"], str]] = None  # where the legacy code reads it
    query: dict[str, str] = Field(default_factory=dict)  # query name on the wire -> standard input
    defaults: dict[str, Any] = Field(default_factory=dict)  # query name -> its legacy default (a literal), if known
    #: parameters holding the caller's identity -> the dependency ("pkg.module:function", `[tool.migrator] identity`)
    #: solved in their place: the identity a Standard API call acts as
    identity: dict[str, str] = Field(default_factory=dict)


class SingleTenantFact(BaseModel):
    """The tenant a single-tenant deployment serves (`[tool.migrator] tenant` / `tenant_env`, or `--tenant`)."""

    tenant: Optional[str] = None
    env: Optional[str] = None
    origin: str = "[tool.migrator]"  # where it was declared: "[tool.migrator]" or "--tenant"


class ParamPlan(BaseModel):
    """One parameter of a moving route, as the service function receives it (or why it does not)."""

    name: str
    role: Literal["tenant", "path", "query", "body", "resource", "dropped"]
    kind: str  # the inventory's kind
    annotation: Optional[str] = None  # in the service function's signature
    default: Optional[str] = None  # plain default (FastAPI markers removed); None: required
    dependency: Optional[str] = None  # dotted name of the Depends target
    #: resource dependencies: how one is obtained (a plain call; a generator or async generator to enter and
    #: close; a coroutine to await; a class to instantiate); the handler obtains every kind through the solver
    provider: Optional[Literal["call", "generator", "async-generator", "await", "class"]] = None
    note: Optional[str] = None  # dropped parameters: why that is safe
    #: obtained by the handler through FastAPI's solver (`Verdict.inputs`); the service function keeps its type
    solved: bool = False
    standard: Optional[str] = None  # path/query: the standard input it takes (days, period, limit, page, ...)
    wire: Optional[str] = None  # query: its name on the wire (the alias, else the name)
    #: tenant read from the caller's identity (`admin.tenant_id`): the attribute the body reads, which the service
    #: function receives as the tenant id, under the name `rename`
    substitute: Optional[str] = None
    rename: Optional[str] = None  # the service function's parameter name, when not the route's


class ResponseFact(BaseModel):
    status_code: Optional[str] = None  # source text
    response_model: Optional[str] = None  # source text
    returns: Optional[str] = None  # the function's return annotation
    #: the model FastAPI writes the answer through (response_model, or a model return annotation), as the router
    #: module names it; the handler writes the legacy answer the same way before mapping it
    answer_model: Optional[str] = None


class ImportRef(BaseModel):
    module: str
    name: Optional[str] = None
    asname: Optional[str] = None

    def __lt__(self, other: "ImportRef") -> bool:
        return (self.module, self.name or "", self.asname or "") < (other.module, other.name or "", other.asname or "")


class Verdict(BaseModel):
    status: Literal["automatic", "manual", "stays"]
    reasons: list[Reason] = Field(default_factory=list)
    is_async: bool = False
    tenant: Optional[TenantFact] = None
    params: list[ParamPlan] = Field(default_factory=list)
    response: Optional[ResponseFact] = None
    helpers: list[str] = Field(default_factory=list)  # "module:name" definitions that move with the code
    imports: list[ImportRef] = Field(default_factory=list)  # what the moved code imports
    inputs: Optional[InputsFact] = None  # parameters the handler obtains through FastAPI's solver

    @property
    def automatic(self) -> bool:
        return self.status == "automatic"

    @property
    def messages(self) -> list[str]:
        return [r.message for r in self.reasons]


class MoveTarget(BaseModel):
    """Where a route's logic goes."""

    service_file: str
    service_module: str
    function: str  # the public function of the service module


class PlannedRoute(BaseModel):
    key: str  # "GET /admin/users"
    methods: list[str]
    path: str
    function: str  # dotted
    qualname: str
    file: str
    line: int
    end_line: int
    decorator_line: Optional[int] = None
    registration_line: int
    app: str
    auth: list[str] = Field(default_factory=list)
    tenant_source: Optional[str] = None  # the inventory's (header:/path:/identity:...), mapped or not
    tenant_param: Optional[str] = None  # the route parameter that carries it
    conditional: bool = False  # registered or included under an if/try/while
    configured: bool = False  # in a branch deployment configuration decided (`if settings.DEBUG:`, a `.env` value)
    operation: Optional[str] = None
    variant: Optional[str] = None
    primary: Optional[bool] = None
    standard_method: Optional[str] = None
    standard_path: Optional[str] = None
    param_map: dict[str, str] = Field(default_factory=dict)
    adapters: list[str] = Field(default_factory=list)
    fixed: dict[str, str] = Field(default_factory=dict)
    confidence: Optional[float] = None  # of the catalog match (or of the suggestion, unmapped)
    evidence: list[str] = Field(default_factory=list)
    suggestion: Optional[str] = None  # unmapped: the catalog key it looks like
    guard: Optional[str] = None  # the dependency guarding it that names an administrator (migrator.primary)
    #: another route of its operation holds the operation's logic (migrator.primary): why this one does not
    candidate: Optional[str] = None
    verdict: Verdict
    move: Optional[MoveTarget] = None
    #: what phase 1 records; "held": the logic moved but no standard operation runs it (the operation has no
    #: implementation, no primary route moved, so it answers 501; or the route is only a `candidate`): the legacy
    #: route is neither deprecated in phase 2 nor removed in phase 3
    state: Optional[Literal["moved", "alias", "manual", "stays", "held"]] = None

    @property
    def mapped(self) -> bool:
        return self.operation is not None


# --- layout ------------------------------------------------------------------------------------------------------


class AppRef(BaseModel):
    file: str
    variable: str = "app"  # where phase 1 wires it (a factory's local variable, for an app factory)
    module: str
    factory: Optional[str] = None  # the function creating the app, for an app factory
    key: str = ""  # the inventory's "file:variable" of the app (`get_app()` for a factory's): its routes' `app`


class HandlerRef(BaseModel):
    file: str
    module: str
    class_name: str
    instance: str = "market_handler"
    #: the generated legacy → standard answer mappings, beside the handler (`<package>/legacy_shapes.py`)
    shapes_file: Optional[str] = None
    shapes_module: Optional[str] = None
    #: the package the service's modules import each other relatively in (`from ..core import db`): generated code
    #: lives in it and imports its modules relatively too, so it runs under every import root the service does
    relative_home: Optional[str] = None


class ServicePlan(BaseModel):
    """A generated service module: the logic moved out of one router module."""

    file: str
    module: str
    origin: str  # the router module's file
    functions: list[str] = Field(default_factory=list)
    helpers: list[str] = Field(default_factory=list)  # names of the definitions moved from the router module


class RequirementPlan(BaseModel):
    """Where phase 1 declares the runtime the migrated service imports (`shims`)."""

    file: str
    requirement: str
    present: bool = False  # already declared
    poetry: bool = False  # in pyproject.toml's [tool.poetry.dependencies] (a Poetry project)


# --- plan model ------------------------------------------------------------------------------------------------


class PlanItem(BaseModel):
    text: str
    file: str | None = None
    line: int | None = None
    route: str | None = None  # "GET /admin/users"
    operation: str | None = None


class RemovedModule(BaseModel):
    file: str
    lines_total: int
    lines_removed: int
    whole_module: bool
    definitions: list[str] = Field(default_factory=list)


class RemovalEstimate(BaseModel):
    lines_removed: int = 0
    modules: list[RemovedModule] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)  # mapped route functions other code still calls
    note: str = (
        "the legacy route functions phase 1 moves, plus the helpers and whole modules only they use: phase 3's own "
        "dead-code analysis (static references; dynamic uses are not seen)"
    )


class Phase(BaseModel):
    phase: int
    weeks: str
    status: Literal["pending", "done"] = "pending"
    applied_at: str | None = None
    planned_start: str | None = None
    planned_end: str | None = None
    changes: list[PlanItem] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    manual_steps: list[PlanItem] = Field(default_factory=list)
    estimate: RemovalEstimate | None = None


class MigrationPlan(BaseModel):
    version: Literal[1] = 1
    service: Optional[str] = None
    service_version: Optional[str] = None
    app: Optional[AppRef] = None
    handler: Optional[HandlerRef] = None
    services: list[ServicePlan] = Field(default_factory=list)
    requirement: Optional[RequirementPlan] = None
    blockers: list[str] = Field(default_factory=list)  # why phase 1 cannot run at all (no app, unreadable files)
    single_tenant: Optional[SingleTenantFact] = None  # the deployment serves one tenant
    suggestions: list[str] = Field(default_factory=list)  # settings that would let more routes move
    routes: list[PlannedRoute] = Field(default_factory=list)
    phases: list[Phase]
    handlers: list[str] = Field(default_factory=list)  # proposed handler files
    unimplemented_operations: list[str] = Field(default_factory=list)  # will answer 501
    #: how activate (exact id, reactivation), deactivate, status and usage are served, or why they answer 501
    lifecycle: Optional[LifecyclePlan] = None
    stays: list[str] = Field(default_factory=list)  # unmapped legacy routes ("GET /x")
    deprecation_date: Optional[str] = None
    sunset_date: Optional[str] = None

    def phase(self, number: int) -> Phase:
        return next(p for p in self.phases if p.phase == number)

    @property
    def automatic(self) -> list[PlannedRoute]:
        return [r for r in self.routes if r.verdict.automatic]


Plan = MigrationPlan  # the name analyze's report schema used before


def route_key(route: Route) -> str:
    return f"{','.join(route.methods)} {route.path}"


# --- phases ----------------------------------------------------------------------------------------------------


def build_phases(plan: MigrationPlan, *, removal: Optional[RemovalEstimate], journal: Journal | None = None,
                 unresolved: int = 0, phase1_files: list[str] = ()) -> None:
    """Fill `plan.phases` (changes, manual steps, files) from its routes and layout."""
    mapped = [r for r in plan.routes if r.mapped and r.state != "stays"]
    plan.stays = [r.key for r in plan.routes if not r.mapped]
    p1 = _phase1(plan, mapped, unresolved)
    p1.files = sorted(set(phase1_files))
    p2 = Phase(phase=2, weeks=WEEKS[2])
    deprecated = [r for r in mapped if r.verdict.automatic and r.state not in ("alias", "held")]
    for route in deprecated:
        p2.changes.append(PlanItem(
            text=f"deprecate `{route.key}`: @deprecated, OpenAPI deprecated, Deprecation/Sunset/Link headers -> "
            f"successor `{route.standard_method} {route.standard_path}`",
            file=route.file, line=route.registration_line, route=route.key, operation=route.operation))
    p2.files = sorted({r.file for r in deprecated} | ({plan.app.file} if plan.app and deprecated else set()))
    if deprecated:
        p2.manual_steps += [
            PlanItem(text="announce the deprecation and Sunset dates to the Service Market and other callers"),
            PlanItem(text="watch the deprecated-call counter (shims.deprecation) until no caller is left"),
        ]
    p3 = _phase3(plan, [r for r in mapped if r.verdict.automatic and r.state != "held"], removal)
    plan.phases = [p1, p2, p3]
    _apply_journal(plan, journal)


def _phase1(plan: MigrationPlan, mapped: list[PlannedRoute], unresolved: int) -> Phase:
    p1 = Phase(phase=1, weeks=WEEKS[1])
    for blocker in plan.blockers:
        p1.manual_steps.append(PlanItem(text=f"phase 1 cannot run: {blocker}"))
    moving = [r for r in mapped if r.verdict.automatic]
    if moving and plan.handler:
        covered = {r.operation for r in moving}
        p1.changes.append(PlanItem(
            text=f"generate `{plan.handler.class_name}` (a StandardAPIHandler subclass) in `{plan.handler.file}` "
            f"with {len(covered)} operation(s), a thin adapter over the service modules", file=plan.handler.file))
        for service in plan.services:
            p1.changes.append(PlanItem(
                text=f"create `{service.file}` with the logic of {len(service.functions)} route(s) of "
                f"`{service.origin}` ({', '.join(f'`{f}`' for f in service.functions)})", file=service.file))
    for route in mapped:
        if route.state == "held":
            p1.manual_steps.append(_held_step(route))
        if route.verdict.automatic and route.move is not None:
            target = f"`{route.move.service_module}.{route.move.function}`"
            calls = f"({route.candidate})" if route.candidate else f"and `{route.operation}` calls it"
            text = f"move `{route.key}` (`{route.function}`) into {target}; the legacy route delegates to it {calls}"
            p1.changes.append(PlanItem(text=text, file=route.file, line=route.line, route=route.key,
                                       operation=route.operation))
        else:
            reasons = "; ".join(route.verdict.messages) or "not assessed"
            text = (f"`{route.key}` is {route.candidate}; to move it by hand instead: {reasons}" if route.candidate
                    else f"move `{route.key}` by hand into `{route.operation}`: {reasons}")
            p1.manual_steps.append(PlanItem(text=text, file=route.file, line=route.line, route=route.key,
                                            operation=route.operation))
    if moving and plan.app:
        p1.changes.append(PlanItem(
            text="include the standard router (/mt), the Service Market alias router (/api/tenant) and "
            "MarketAuthMiddleware (X-Market-API-Key)", file=plan.app.file))
    if moving and plan.requirement and not plan.requirement.present:
        p1.changes.append(PlanItem(text=f"declare the runtime requirement `{plan.requirement.requirement}`",
                                   file=plan.requirement.file))
    if moving:
        lifecycle = plan.lifecycle.operations if plan.lifecycle else {}
        for op, verdict in lifecycle.items():
            if verdict.implemented and verdict.mechanism != "route":
                p1.changes.append(PlanItem(text=f"implement `{op}` ({verdict.mechanism}): {verdict.summary}",
                                           file=plan.handler.file if plan.handler else None, operation=op))
        for op in plan.unimplemented_operations:
            why = [str(r) for r in lifecycle[op].reasons] if op in lifecycle else []
            p1.manual_steps.append(PlanItem(
                text=f"`{op}`: the service has no logic for it; `{OPERATIONS[op][0]} {OPERATIONS[op][1]}` answers "
                "501 NOT_IMPLEMENTED until the handler implements it" + (f" ({'; '.join(why)})" if why else ""),
                operation=op))
        p1.manual_steps.append(PlanItem(text="configure MARKET_API_KEY (or MARKET_API_KEYS) in every environment"))
    if unresolved:
        p1.manual_steps.append(PlanItem(
            text=f"review {unresolved} unresolved item(s): routes or prefixes the inventory could not place"))
    return p1


def _held_step(route: PlannedRoute) -> PlanItem:
    """What a person does about a held route: retire a candidate by hand, implement the operation of another."""
    if route.candidate:
        text = (f"`{route.key}` keeps serving its clients, neither deprecated nor removed: no standard operation runs "
                "its logic; retire it by hand once its callers no longer need it")
    else:
        text = (f"`{route.key}` keeps serving its clients: its logic moves, but `{route.operation}` answers 501 "
                f"NOT_IMPLEMENTED ({HELD_REASON}); it is neither deprecated nor removed until the handler implements "
                "the operation")
    return PlanItem(text=text, file=route.file, line=route.line, route=route.key, operation=route.operation)


HELD_REASON = "no route of the operation's own logic moves, only a variant"
NOTHING_TO_MOVE = "no route can move automatically; the reasons are listed above"  # phase 1 would change nothing
NOTHING_MAPPED = "no route maps to a standard operation, so phase 1 has nothing to move"


def nothing_to_move(plan: MigrationPlan, unplaced: int = 0) -> str:
    """Why phase 1 would change nothing: no mapped route can move (their reasons are listed), or none maps; with
    `unplaced` route sites the inventory saw but placed in no app, that none maps says nothing about them."""
    if any(r.mapped for r in plan.routes):
        return NOTHING_TO_MOVE
    if not unplaced:
        return NOTHING_MAPPED
    if plan.routes:
        found = (f"none of the {len(plan.routes)} route(s) placed in an app maps to a standard operation, and "
                 f"{unplaced} other route(s) seen in the source are")
    else:
        found = f"no route is placed in an app: the {unplaced} route(s) seen in the source are"
    return (f"{found} not registered on an app statically, so whether they map is unknown (`migrator analyze` "
            "lists why); phase 1 has nothing to move")


def _phase3(plan: MigrationPlan, removed: list[PlannedRoute], removal: Optional[RemovalEstimate]) -> Phase:
    p3 = Phase(phase=3, weeks=WEEKS[3], estimate=removal)
    for route in removed:
        lines = route.end_line - min(route.decorator_line or route.line, route.line) + 1
        p3.changes.append(PlanItem(text=f"remove `{route.key}` (`{route.qualname}`, {lines} lines) or answer 410",
                                   file=route.file, line=route.line, route=route.key, operation=route.operation))
    route_defs = {(r.file, r.qualname) for r in removed}
    for module in removal.modules if removal else []:
        if module.whole_module:
            p3.changes.append(PlanItem(text=f"delete `{module.file}` ({module.lines_total} lines): only the "
                                       "removed routes use it", file=module.file))
        else:
            helpers = [n for n in module.definitions if (module.file, n) not in route_defs]
            if helpers:
                p3.changes.append(PlanItem(text=f"remove helpers only the removed routes use: "
                                           f"{', '.join(f'`{h}`' for h in helpers)}", file=module.file))
    for kept in removal.kept if removal else []:
        p3.manual_steps.append(PlanItem(text=f"keep the function {kept}: remove only its route decorator"))
    p3.files = sorted({r.file for r in removed} | {m.file for m in (removal.modules if removal else [])}
                      | ({plan.app.file} if plan.app and removed else set()))
    if removed:
        p3.manual_steps += [
            PlanItem(text="confirm the deprecated-call counter stayed at zero since the Sunset date"),
            PlanItem(text="switch the Service Market to the /mt paths (or keep the /api/tenant aliases)"),
        ]
    return p3


def unimplemented_operations(covered: set[str], lifecycle: Optional[LifecyclePlan] = None) -> list[str]:
    """Operations that will answer 501 when the service implements only `covered` (and the lifecycle operations
    the lifecycle plan serves)."""
    if lifecycle is not None:
        covered = covered | {op for op, v in lifecycle.operations.items() if v.implemented}
    return [
        op for op in OPERATIONS
        if op not in covered and not (op in DEFAULTED and (DEFAULTED[op] is None or DEFAULTED[op] in covered))
        and not (op == "get_tenant_summary" and "get_tenant_status" in covered)
    ]


def _apply_journal(plan: MigrationPlan, journal: Journal | None) -> None:
    if journal is None:
        return
    first = journal.entry(1)
    start: date | None = first.applied_date if first else None
    for phase in plan.phases:
        applied = journal.entry(phase.phase)
        if applied:
            phase.status = "done"
            phase.applied_at = applied.applied_at
        if start is not None:
            phase.planned_start = (start + timedelta(weeks=2 * (phase.phase - 1))).isoformat()
            phase.planned_end = (start + timedelta(weeks=2 * phase.phase)).isoformat()
    if journal.deprecation:
        plan.deprecation_date = journal.deprecation.date
        plan.sunset_date = journal.deprecation.sunset
