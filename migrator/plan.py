"""The per-phase migration plan (weeks 0-2, 2-4, 4-6) and the phase-3 estimate of legacy code removed.

Phase 1 moves the logic of mapped routes into the generated handler and wires the standard router; phase 2
deprecates the legacy routes; phase 3 removes them and the code only they used. The estimate follows seed 000
§8.1: lines of the mapped route functions, of the helpers and of whole modules (a tenant_manager.py) that only
they use, found through the reference index (`migrator.inventory.refs`).

When the target has `.migrator/journal.json`, phases already applied show as done with their dates, and the
planned dates of the others follow from phase 1 (two weeks per phase).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from migrator.catalog import DEFAULTED, OPERATIONS, Match
from migrator.inventory.build import InventoryRun
from migrator.inventory.models import App, Route
from migrator.inventory.refs import Node, RefIndex
from migrator.journal import PHASE_WEEKS, Journal, JournalError
from migrator.journal import load_journal as _load_journal
from migrator.movability import Assessment

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
        "mapped legacy route functions, plus helpers and whole modules referenced only by them "
        "(static references; dynamic uses are not seen)"
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


class Plan(BaseModel):
    phases: list[Phase]
    handlers: list[str] = Field(default_factory=list)  # proposed handler files, one per app
    unimplemented_operations: list[str] = Field(default_factory=list)  # will answer 501
    stays: list[str] = Field(default_factory=list)  # unmapped legacy routes ("GET /x")
    deprecation_date: str | None = None
    sunset_date: str | None = None


class RouteDecision(BaseModel):
    """A route with its catalog match and phase-1 assessment (None when unmapped)."""

    route: Route
    match: Match | None = None
    assessment: Assessment | None = None


def route_key(route: Route) -> str:
    return f"{','.join(route.methods)} {route.path}"


# --- phase-3 estimate ------------------------------------------------------------------------------------------


def estimate_removal(run: InventoryRun, removed: list[Route], staying: list[Route]) -> RemovalEstimate:
    index = RefIndex(run.discovery, run.facts)
    live: set[Node] = {(r.file, r.qualname) for r in staying}
    for app in run.inventory.apps:
        live.add((app.file, app.variable))
    roots: set[Node] = {(r.file, r.qualname) for r in removed if "." not in r.qualname} - live
    extra: dict[str, list[tuple[str, int]]] = {}
    for route in removed:  # methods and closures: count their own lines only
        if "." in route.qualname:
            start = route.decorator_line or route.line
            extra.setdefault(route.file, []).append((route.qualname, route.end_line - min(start, route.line) + 1))
    dead: set[Node] = set(roots)
    # `router.add_api_route(path, func)` at module level reads the function: that read goes with the route
    registered = {(r.file, r.qualname) for r in removed if r.registration == "add_api_route"}
    kept: dict[Node, list[Node]] = {}
    changed = True
    while changed:  # a mapped route function that code which stays still calls must stay
        changed = False
        for node in sorted(dead, key=lambda n: (n[0], n[1] or "")):
            referrers = index.referrers(node)
            if referrers is not None and node in registered:
                referrers = {r for r in referrers if r != (node[0], None)}
            users = sorted((r for r in referrers or () if r not in dead), key=lambda n: (n[0], n[1] or ""))
            if referrers is None or users:
                dead.discard(node)
                kept[node] = users
                changed = True
    frontier: set[Node] = set()
    for node in dead:
        frontier |= index.out_refs(node)
    changed = True
    while changed:
        changed = False
        for node in sorted(frontier - dead - live, key=lambda n: (n[0], n[1] or "")):
            referrers = index.referrers(node)
            if referrers and referrers <= dead:
                dead.add(node)
                frontier |= index.out_refs(node)
                changed = True
    by_file: dict[str, list[str]] = {}
    for file, name in dead:
        by_file.setdefault(file, [])
        if name is not None:
            by_file[file].append(name)
    for file in extra:
        by_file.setdefault(file, [])
    modules: list[RemovedModule] = []
    for file in sorted(by_file):
        module = index.module(file)
        if module is None:
            continue
        names = sorted(set(by_file[file]))
        whole = (file, None) in dead or _wholly_dead(index, module, dead, live)
        if whole:
            removed_lines = module.line_count
        else:
            removed_lines = sum(module.nodes[n].end - module.nodes[n].start + 1 for n in names if n in module.nodes)
            removed_lines += sum(lines for _, lines in extra.get(file, []))
        names += [q for q, _ in extra.get(file, [])]
        if removed_lines:
            modules.append(RemovedModule(file=file, lines_total=module.line_count, lines_removed=removed_lines,
                                         whole_module=whole, definitions=names))
    still_used = [
        f"{file}:{name} (still used by "
        + (", ".join(f"{u[0]}:{u[1] or '<module>'}" for u in users) or "code not analysed") + ")"
        for (file, name), users in sorted(kept.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]
    return RemovalEstimate(lines_removed=sum(m.lines_removed for m in modules), modules=modules, kept=still_used)


def _wholly_dead(index: RefIndex, module, dead: set[Node], live: set[Node]) -> bool:
    """Every definition of the module is dead or used only inside the module by dead code (or not at all)."""
    if not module.nodes or not any((module.file, n) in dead for n in module.nodes):
        return False
    for name in module.nodes:
        node = (module.file, name)
        if node in live:
            return False
        if node in dead:
            continue
        referrers = index.referrers(node)
        if referrers is None:
            return False
        if any(r not in dead and r[0] != module.file for r in referrers):
            return False
        if any(r[0] == module.file and r[1] is None for r in referrers):
            return False
    return True


# --- phases ----------------------------------------------------------------------------------------------------


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def handler_file(app: App) -> str:
    parts = app.file.split("/")
    package = "/".join(parts[:-1])
    return f"{package}/handlers/market_handler.py" if package else "handlers/market_handler.py"


def build_plan(
    decisions: list[RouteDecision],
    apps: list[App],
    *,
    removal: RemovalEstimate,
    journal: Journal | None = None,
    service: str | None = None,
    unresolved: int = 0,
) -> Plan:
    mapped = [d for d in decisions if d.match is not None]
    stays = [route_key(d.route) for d in decisions if d.match is None]
    served_apps = [a for a in apps if a.mounted_in is None]
    app_files = sorted({a.file for a in served_apps if any(d.route.app.startswith(a.file + ":") for d in mapped)})
    handlers = sorted({handler_file(a) for a in served_apps if a.file in app_files})
    if journal and journal.handler and journal.handler.file:
        handlers = [journal.handler.file]
    handler_class = f"{_camel(service)}MarketHandler" if service else "MarketHandler"
    covered = {d.match.operation for d in mapped}
    unimplemented = [
        op for op in OPERATIONS
        if op not in covered and not (op in DEFAULTED and (DEFAULTED[op] is None or DEFAULTED[op] in covered))
        and not (op == "get_tenant_summary" and "get_tenant_status" in covered)
    ]

    p1 = Phase(phase=1, weeks=WEEKS[1])
    if mapped:
        for handler in handlers:
            p1.changes.append(PlanItem(
                text=f"generate `{handler_class}` (a StandardAPIHandler subclass) in `{handler}` "
                f"with {len(covered)} operation(s)", file=handler))
        for d in mapped:
            entry = d.match.entry
            key = route_key(d.route)
            if entry.primary:
                text = (f"move `{key}` (`{d.route.function}`) into `{entry.operation}`; the legacy route delegates "
                        f"to the handler")
            else:
                fixed = ", ".join(f"{k}={v}" for k, v in entry.fixed.items())
                text = f"`{key}` delegates to `{entry.operation}`" + (f" ({fixed})" if fixed else "")
            if d.assessment and d.assessment.automatic:
                p1.changes.append(PlanItem(text=text, file=d.route.file, line=d.route.line, route=key,
                                           operation=entry.operation))
            else:
                reasons = "; ".join(d.assessment.reasons) if d.assessment else "not assessed"
                p1.manual_steps.append(PlanItem(text=f"move `{key}` by hand into `{entry.operation}`: {reasons}",
                                                file=d.route.file, line=d.route.line, route=key,
                                                operation=entry.operation))
        for app in app_files:
            p1.changes.append(PlanItem(
                text="include the standard router (/mt), the Service Market alias router (/api/tenant) and "
                "MarketAuthMiddleware (X-Market-API-Key)", file=app))
        for op in unimplemented:
            p1.manual_steps.append(PlanItem(
                text=f"`{op}`: the service has no logic for it; `{OPERATIONS[op][0]} {OPERATIONS[op][1]}` answers "
                "501 NOT_IMPLEMENTED until the handler implements it", operation=op))
        p1.manual_steps.append(PlanItem(text="configure MARKET_API_KEY (or MARKET_API_KEYS) in every environment"))
    if unresolved:
        p1.manual_steps.append(PlanItem(
            text=f"review {unresolved} unresolved item(s): routes or prefixes the inventory could not place"))
    p1.files = sorted({d.route.file for d in mapped} | set(app_files) | set(handlers if mapped else []))

    p2 = Phase(phase=2, weeks=WEEKS[2])
    for d in mapped:
        key = route_key(d.route)
        p2.changes.append(PlanItem(
            text=f"deprecate `{key}`: @deprecated, OpenAPI deprecated, Deprecation/Sunset/Link headers -> successor "
            f"`{d.match.entry.standard_method} {d.match.standard_path}`",
            file=d.route.file, line=d.route.registration_line, route=key,
            operation=d.match.operation))
    p2.files = sorted({d.route.file for d in mapped})
    if mapped:
        p2.manual_steps += [
            PlanItem(text="announce the deprecation and Sunset dates to the Service Market and other callers"),
            PlanItem(text="watch the deprecated-call counter (shims.deprecation) until no caller is left"),
        ]

    p3 = Phase(phase=3, weeks=WEEKS[3], estimate=removal)
    for d in mapped:
        key = route_key(d.route)
        lines = d.route.end_line - min(d.route.decorator_line or d.route.line, d.route.line) + 1
        p3.changes.append(PlanItem(text=f"remove `{key}` (`{d.route.qualname}`, {lines} lines) or answer 410",
                                   file=d.route.file, line=d.route.line, route=key, operation=d.match.operation))
    route_files = {d.route.file for d in mapped}
    for module in removal.modules:
        if module.whole_module:
            p3.changes.append(PlanItem(text=f"delete `{module.file}` ({module.lines_total} lines): only the "
                                       "removed routes use it", file=module.file))
        else:
            helpers = [n for n in module.definitions if not _is_route_def(n, module.file, mapped)]
            if helpers:
                p3.changes.append(PlanItem(text=f"remove helpers only the removed routes use: "
                                           f"{', '.join(f'`{h}`' for h in helpers)}", file=module.file))
    for kept in removal.kept:
        p3.manual_steps.append(PlanItem(text=f"keep the function {kept}: remove only its route decorator"))
    p3.files = sorted(route_files | {m.file for m in removal.modules})
    if mapped:
        p3.manual_steps += [
            PlanItem(text="confirm the deprecated-call counter stayed at zero since the Sunset date"),
            PlanItem(text="switch the Service Market to the /mt paths (or keep the /api/tenant aliases)"),
        ]

    plan = Plan(phases=[p1, p2, p3], handlers=handlers if mapped else [], unimplemented_operations=unimplemented,
                stays=stays)
    _apply_journal(plan, journal)
    return plan


def _is_route_def(name: str, file: str, mapped: list[RouteDecision]) -> bool:
    return any(d.route.file == file and d.route.qualname == name for d in mapped)


def _apply_journal(plan: Plan, journal: Journal | None) -> None:
    if journal is None:
        return
    first = journal.entry(1)
    start: date | None = date.fromisoformat(first.applied_at[:10]) if first else None
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
