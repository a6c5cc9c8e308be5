"""Phase 1 (weeks 0–2): move the logic of the routes the plan marks automatic into service modules, make those
routes delegate to it, generate the StandardAPIHandler over the same functions, and wire it into the app.

Executes the plan `migrator.planner.make_plan` computed (the same one `analyze` shows): nothing is re-decided here.
Every file is parsed once (the plan's `SourceSet`) and transformed by all its codemods in one pass
(`codemods._runner.run_codemods`); nothing is written here: the caller shows a diff, checks, or commits the change
set (`migrator.apply.transaction`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Optional

import libcst as cst

from codemods._imports import ImportStyle, module_name_for
from codemods._moves import Phase1State, build_state
from codemods._runner import context_for, run_codemods
from codemods._standard_methods import Inputs, Operation, ServiceCall, ServiceParam
from codemods.extract_routes import ExtractRoutes
from codemods.generate_handler import GenerateHandler
from codemods.generate_service import GenerateService
from codemods.generate_tenant_registry import GenerateTenantRegistry
from codemods.wire_standard_api import AppWiring, WireError, WireStandardApi
from migrator import __version__
from migrator.apply.changes import FileChange, read_text
from migrator.apply.requirements import requirement_change
from migrator.apply.result import ApplyError, ManualStep, PhaseResult, held_notes
from migrator.journal import (
    AppInfo,
    HandlerInfo,
    Journal,
    JournalRoute,
    ShapesInfo,
    TenantInfo,
    held_reason,
    journal_file,
    load_journal,
)
from migrator.plan import HELD_REASON, MigrationPlan, PlannedRoute, nothing_to_move
from migrator.planner import IdentitySettingError, PlanRun, TenantSettingError, make_plan
from migrator.primary import primary_order
from migrator.target import UNKNOWN_VERSION, load_target

# the catalog names standard parameters; the templates name the legacy inputs they fill
_ROLE_OF_STANDARD = {"period": "days", "offset": "page", "limit": "limit", "search": "search", "user_id": "user_id"}


def label(route: PlannedRoute | JournalRoute) -> str:
    return f"{'/'.join(route.methods)} {route.path}"


def plan_phase1(root: Path, *, now: Optional[datetime] = None, run: Optional[PlanRun] = None,
                tenant: Optional[str] = None) -> PhaseResult:
    """`tenant`: `--tenant`, the tenant a single-tenant deployment serves (recorded in the journal)."""
    target = load_target(root)
    journal = load_journal(root)
    if journal.entry(1) is not None:
        return _applied_already(journal)
    try:
        run = run or make_plan(root, estimate=False, tenant=tenant, rewrite=True)
    except (TenantSettingError, IdentitySettingError) as exc:
        raise ApplyError(str(exc)) from None
    plan = run.plan
    if plan.blockers:
        raise ApplyError("; ".join(plan.blockers))
    result = PhaseResult(1, [], journal, manual=_manual_steps(plan))
    if not plan.automatic:
        result.unchanged_reason = nothing_to_move(plan, len(run.inventory.coverage.unplaced))
        return result
    if (root / plan.handler.file).exists():
        raise ApplyError(f"{plan.handler.file} exists already and {len(plan.automatic)} route(s) could move into "
                         "it; phase 1 does not merge into an existing handler: move them by hand or remove it first")
    state = _state(run, target.version)
    result.changes = _changes(run, state)
    result.shapes = sorted(state.shapes)
    result.not_implemented = state.not_implemented
    result.moved = [f"{label(r)} -> {r.operation}" for r in plan.automatic]
    result.notes += held_notes([r for r in plan.automatic if _journal_state(r, result) == "held"])
    from migrator.shapes.render import optional_paths

    optional = {op: paths for op, m in run.answers.mappings.items() if (paths := optional_paths(m))}
    _record(root, plan, journal, result, target.name, target.version, now, optional)
    result.details = {"app": f"{plan.app.file}:{plan.app.variable}", "handler": plan.handler.file,
                      "services": [s.file for s in plan.services]}
    return result


def _applied_already(journal: Journal) -> PhaseResult:
    """A second run: nothing to change, but the journal's reasons are shown again."""
    result = PhaseResult(1, [], journal)
    for route in journal.routes:
        if route.state == "manual":
            result.manual.append(ManualStep(f"{route.file}:{route.line}", label(route), route.reason or "manual"))
    entry = journal.entry(1)
    result.unchanged_reason = f"applied on {entry.applied_at[:10]}, see {JOURNAL_NAME}"
    return result


JOURNAL_NAME = ".migrator/journal.json"


def _manual_steps(plan: MigrationPlan) -> list[ManualStep]:
    return [ManualStep(f"{r.file}:{r.line}", label(r), "; ".join(r.verdict.messages))
            for r in plan.routes if r.state == "manual"]


# --- the codemods' shared state ----------------------------------------------------------------------------------


def _state(run: PlanRun, version: str) -> Phase1State:
    plan = run.plan
    created = [plan.handler.file, *(s.file for s in plan.services)]
    if plan.lifecycle and plan.lifecycle.registry_file:
        created.append(plan.lifecycle.registry_file)
    package = plan.services[0].module.rpartition(".")[0] if plan.services else ""
    state = Phase1State(
        root=run.root, sources=run.sources, service_name=run.project.name or run.root.resolve().name,
        service_version=None if version == UNKNOWN_VERSION else version,
        handler_module=plan.handler.module, handler_class=plan.handler.class_name,
        instance=plan.handler.instance, services_package=package,
        style=ImportStyle.for_root(run.root, created),
        wiring=AppWiring(plan.app.variable, plan.handler.module, plan.handler.instance, plan.app.factory,
                         guard=bool(plan.lifecycle and plan.lifecycle.deployment), root_health=not _serves_health(plan)),
        single_tenant=plan.single_tenant, relative_home=plan.handler.relative_home,
    )
    build_state(state, plan)
    state.operations = _operations(plan, state)
    if run.answers.mappings:
        from migrator.shapes import function_params

        state.shapes = {op: [name for name, _ in function_params(m)] for op, m in run.answers.mappings.items()}
        state.shapes_module = plan.handler.shapes_module
    state.lifecycle = plan.lifecycle
    state.registry_module = plan.lifecycle.registry_module if plan.lifecycle else None
    return state


def _serves_health(plan: MigrationPlan) -> bool:
    """Does the migrated app answer ``GET /health`` itself (the market probes it there)?"""
    app = f"{plan.app.file}:{plan.app.variable}"
    return any(r.app == app and r.path.rstrip("/") == "/health" and "GET" in r.methods for r in plan.routes)


def _operations(plan: MigrationPlan, state: Phase1State) -> dict[str, Operation]:
    ops: dict[str, Operation] = {}
    # a route registered under a condition (a local-only router) is the operation's primary only when no other is
    for route in sorted(plan.routes, key=primary_order):
        if not route.mapped or route.state == "stays":
            continue
        op = ops.setdefault(route.operation, Operation(route.operation))
        if route.state == "manual":
            op.manual.append(f"{label(route)} ({route.file}:{route.line}): {'; '.join(route.verdict.messages)}")
            continue
        service = state.services[route.move.service_module]
        params = [ServiceParam(p.rename or p.name, p.role, p.annotation, p.default, p.dependency, p.solved,
                               p.standard) for p in route.verdict.params if p.role != "dropped"]
        facts = route.verdict.inputs
        inputs = Inputs(facts.function, facts.tenant_in, dict(facts.query), dict(facts.identity)) if facts else None
        response = route.verdict.response
        model = (response.answer_model or response.response_model) if response else None
        call = ServiceCall(service.module, service.alias, route.move.function, route.verdict.is_async, params,
                           route.function, inputs=inputs, response_model=model,
                           single_tenant=bool(route.verdict.tenant and route.verdict.tenant.mode == "single"))
        op.routes.setdefault(None if route.primary else route.variant, call)
        op.param_map.update({legacy: _ROLE_OF_STANDARD.get(std, std) for legacy, std in route.param_map.items()})
        if "provision_payload_from_activate" in route.adapters:
            op.adapter = op.adapter or "provision"
    return ops


# --- the change set ----------------------------------------------------------------------------------------------


def _changes(run: PlanRun, state: Phase1State) -> list[FileChange]:
    plan, root = run.plan, run.root
    changes: list[FileChange] = []
    app_file = plan.app.file
    origins = {s.origin for s in plan.services}
    for path in sorted(origins | {app_file}):
        index = run.sources.get(path)
        commands = ([ExtractRoutes] if path in origins else []) + ([WireStandardApi] if path == app_file else [])
        context = context_for(path, index.module, state, package=_package(path))
        try:
            tree = run_codemods(index.tree, commands, context, style=state.style, wrapper=index.wrapper)
        except WireError as exc:
            raise ApplyError(f"{path}: {exc}") from exc
        changes.append(FileChange(path, index.source, tree.code))
    handler = _generated(plan.handler.file, GenerateHandler, state)  # first: the services say what it calls
    changes += [_generated(service.file, GenerateService, state) for service in plan.services]
    changes.append(handler)
    if state.shapes:
        from migrator.shapes import render_module

        mappings = [run.answers.mappings[op] for op in sorted(run.answers.mappings)]
        text = render_module(mappings, service=state.service_name, line_length=state.style.line_length)
        changes.append(FileChange(plan.handler.shapes_file, None, text))
    registry = [plan.lifecycle.registry_file] if plan.lifecycle and plan.lifecycle.registry_file else []
    for path in registry:
        changes.append(_generated(path, GenerateTenantRegistry, state))
    for generated in [plan.handler.file, *(s.file for s in plan.services), *registry]:
        init = str(PurePosixPath(generated).parent / "__init__.py")
        if not (root / init).exists() and all(c.path != init for c in changes):
            changes.append(FileChange(init, None, '"""Generated by phase 1 of the Standard API migration."""\n'))
    requirement = requirement_change(root, plan.requirement) if plan.requirement else None
    if requirement is not None:
        changes.append(requirement)
    return changes


def _package(path: str) -> str:
    module = module_name_for(path)
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def _generated(path: str, command, state: Phase1State) -> FileChange:
    module = module_name_for(path)
    context = context_for(path, module, state, package=module.rpartition(".")[0])
    tree = run_codemods(cst.parse_module(""), [command], context, style=state.style)
    body = list(tree.body)
    if len(body) > 1 and not body[1].leading_lines:  # a blank line between the docstring and the imports
        body[1] = body[1].with_changes(leading_lines=[cst.EmptyLine()])
    return FileChange(path, None, tree.with_changes(body=body, has_trailing_newline=True).code)


#: filters of a legacy user listing that the standard listing filters too (the handler filters the legacy users on
#: their standard role and status; parity's twin asks the standard filter a recorded legacy filter stands for)
_USER_FILTERS = {"role": "filter:role", "status": "filter:status", "is_active": "filter:active",
                 "active": "filter:active"}


def _journal_state(route: PlannedRoute, result: PhaseResult) -> str:
    """What the journal records; a moved route whose operation the handler could not implement (it answers 501)
    is held: neither deprecated in phase 2 nor removed in phase 3, whatever --force says."""
    if route.state in ("moved", "alias") and route.operation in result.not_implemented:
        return "held"
    return route.state or "stays"


def _reason(route: PlannedRoute, result: PhaseResult) -> Optional[str]:
    state = _journal_state(route, result)
    if state == "manual":
        return "; ".join(route.verdict.messages)
    if state == "held" and route.candidate:
        return held_reason(route.operation, route.candidate)
    if state == "held":
        why = result.not_implemented.get(route.operation) or HELD_REASON
        return (f"`{route.operation}` answers 501 NOT_IMPLEMENTED ({why}): the legacy route keeps serving until the "
                "handler implements it")
    return None


def _standard_params(route: PlannedRoute) -> dict[str, str]:
    """Legacy query parameter (on the wire) -> the standard input it takes, for parity's standard twins."""
    out = {p.wire or p.name: p.standard for p in route.verdict.params if p.role == "query" and p.standard}
    if route.verdict.inputs is not None:
        for wire, standard in route.verdict.inputs.query.items():
            out.setdefault(wire, standard)
    if route.operation == "list_users" and not route.variant:
        for param in route.verdict.params:
            if param.role == "query" and not param.standard and param.name in _USER_FILTERS:
                out.setdefault(param.wire or param.name, _USER_FILTERS[param.name])
    return out


def _legacy_defaults(route: PlannedRoute) -> dict[str, object]:
    """Legacy query parameter -> its default, when a literal (`30`, `"30d"`): parity fills what a recorded request
    left out with it, as the legacy route did."""
    import ast

    out: dict[str, object] = dict(route.verdict.inputs.defaults) if route.verdict.inputs else {}
    for param in route.verdict.params:
        if param.role == "query" and param.standard and param.default is not None:
            try:
                out[param.wire or param.name] = ast.literal_eval(param.default)
            except (ValueError, SyntaxError):
                continue
    return out


def _record(root: Path, plan: MigrationPlan, journal: Journal, result: PhaseResult, service: str, version: str,
            now: Optional[datetime], optional: Optional[dict] = None) -> None:
    """The journal, written last: routes, app, handler, services and the plan phase 1 executed."""
    journal.service = service
    journal.service_version = version
    journal.routes = [
        JournalRoute(methods=r.methods, path=r.path, function=r.function, file=r.file, line=r.line,
                     operation=r.operation, variant=r.variant, standard_method=r.standard_method,
                     standard_path=r.standard_path, state=_journal_state(r, result),
                     reason=_reason(r, result), candidate=r.candidate,
                     service=f"{r.move.service_module}:{r.move.function}" if r.move else None,
                     params=_standard_params(r) if r.move else {},
                     defaults=_legacy_defaults(r) if r.move else {})
        for r in plan.routes if r.app == plan.app.key
    ]
    journal.app = AppInfo(file=plan.app.file, variable=plan.app.variable, factory=plan.app.factory)
    journal.handler = HandlerInfo(module=plan.handler.module, file=plan.handler.file, class_=plan.handler.class_name,
                                  instance=plan.handler.instance)
    journal.services = [s.file for s in plan.services]
    if plan.single_tenant is not None:
        journal.tenant = TenantInfo(**plan.single_tenant.model_dump())
    if result.shapes:
        journal.shapes = ShapesInfo(module=plan.handler.shapes_module, file=plan.handler.shapes_file,
                                    functions={op: f"{op}_from_legacy" for op in result.shapes},
                                    optional=optional or {})
    journal.plan = {
        "services": [s.model_dump() for s in plan.services],
        "requirement": plan.requirement.model_dump() if plan.requirement else None,
        "files": {str(p.phase): p.files for p in plan.phases},
        "routes": {r.key: {"status": r.verdict.status, "reasons": [x.model_dump() for x in r.verdict.reasons]}
                   for r in plan.routes if r.mapped},
        "lifecycle": plan.lifecycle.lines() if plan.lifecycle else [],
    }
    files = sorted({c.path for c in result.changes if c.changed})
    journal.record(1, files, __version__, now=now, details={
        "moved": len(plan.automatic), "manual": len(result.manual), "not_implemented": sorted(result.not_implemented),
    })
    rel = journal_file(root).relative_to(root).as_posix()
    result.changes.append(FileChange(rel, read_text(root, rel), journal.to_text()))
