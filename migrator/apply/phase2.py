"""Phase 2 (weeks 2–4): the legacy routes the Standard API now serves warn, and who still calls them is counted.

Reads the journal phase 1 wrote, marks every route in state "moved" with the `deprecate_routes` codemod, includes
`GET /mt/deprecations` in the app, and records the dates in the journal. Nothing is written here.

Dates: the Deprecation date is the day phase 2 is first applied (kept on later runs); the Sunset defaults to the
plan's phase-3 date (`journal.planned_date(3)`), or the Deprecation date + 14 days when phase 2 comes so late that
the plan's date is not after it. `--sunset` overrides it (a later run may move it; every module's dates constant
follows) but may not precede the Deprecation date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from codemods._deprecate_routes import DeprecateError, DeprecateRoutesTransform, Deprecation, DeprecationPlan
from codemods._imports import ImportStyle, module_name_for, package_for
from codemods._phase23_routes import RouteRef
from codemods._source import SourceError, SourceSet
from codemods._transform import file_context, run_transforms
from codemods._wire_deprecation import WireDeprecationTransform, WireError
from migrator import __version__
from migrator.apply.changes import FileChange, read_text
from migrator.apply.result import ApplyError, ManualStep, PhaseResult, held_notes
from migrator.journal import PHASE_OFFSET_DAYS, DeprecationInfo, Journal, JournalRoute, journal_file, load_journal
from migrator.successor import declared_tenant, successor_path
from migrator.target import UNKNOWN_VERSION, load_target

#: Length of the deprecation window when the plan's phase-3 date is already past.
DEFAULT_WINDOW = timedelta(days=PHASE_OFFSET_DAYS[3] - PHASE_OFFSET_DAYS[2])
DEPRECATED_STATES = ("moved", "deprecated")


def route_ref(route: JournalRoute) -> RouteRef:
    return RouteRef(route.function.rpartition(".")[2], tuple(sorted(m.upper() for m in route.methods)), route.path)


def label(route: JournalRoute) -> str:
    return f"{'/'.join(route.methods)} {route.path}"


def deprecation_dates(journal: Journal, sunset: Optional[date], today: date) -> tuple[date, date]:
    """(Deprecation date, Sunset date) for this run; raises ApplyError for a Sunset before the Deprecation."""
    if journal.deprecation is not None:
        start = date.fromisoformat(journal.deprecation.date)
        default = date.fromisoformat(journal.deprecation.sunset)
    else:
        start = today
        planned = journal.planned_date(3)
        default = planned if planned is not None and planned > start else start + DEFAULT_WINDOW
    end = sunset or default
    if end < start:
        raise ApplyError(f"--sunset {end.isoformat()} is earlier than the Deprecation date {start.isoformat()}")
    return start, end


def app_file(root: Path, journal: Journal) -> str:
    """The module phase 1 wired the Standard API into, as the journal records it."""
    if journal.app is None:
        raise ApplyError(f"{journal_file(root)}: the journal records no app file (written by migrator before "
                         'version 2): add "app": {"file": "<the module creating the app>", "variable": "app"}')
    if not (root / journal.app.file).is_file():
        raise ApplyError(f"{journal.app.file}: the app file phase 1 wired (per the journal) no longer exists")
    return journal.app.file


def require_phase1(root: Path, journal: Journal) -> None:
    if journal.entry(1) is None:
        raise ApplyError(f"{journal_file(root)}: phase 1 is not in the journal; run `migrator apply --phase 1` first")


def plan_phase2(root: Path, *, sunset: Optional[date] = None, now: Optional[datetime] = None) -> PhaseResult:
    target = load_target(root)
    journal = load_journal(root)
    require_phase1(root, journal)
    if journal.entry(3) is not None:
        raise ApplyError(f"{journal_file(root)}: phase 3 was applied already; the deprecated routes are gone")
    app = app_file(root, journal)
    now = now or datetime.now(timezone.utc)
    start, end = deprecation_dates(journal, sunset, now.date())
    version = journal.service_version if journal.service_version != UNKNOWN_VERSION else target.version
    version = None if version == UNKNOWN_VERSION else version  # `@deprecated` without a version it cannot know

    by_file: dict[str, list[JournalRoute]] = defaultdict(list)
    for route in journal.routes:
        if route.state in DEPRECATED_STATES and route.standard_path:
            by_file[route.file].append(route)
    refs = {id(r): route_ref(r) for routes in by_file.values() for r in routes}
    tenant = declared_tenant(journal)
    plan = DeprecationPlan({f: [Deprecation(refs[id(r)], r.standard_method or r.methods[0], successor_path(r, tenant))
                                for r in routes] for f, routes in by_file.items()},
                           start.isoformat(), end.isoformat(), version)
    result = PhaseResult(2, [], journal)
    sources = SourceSet(root)
    style = ImportStyle.for_root(root)
    plan.line_length = style.line_length
    deprecated: set[int] = set()
    for file in sorted(set(by_file) | {app}):
        _deprecate_file(root, file, sources, plan, style, by_file.get(file, []), refs, result, deprecated,
                        wire=file == app)
    result.details["app"] = app
    _record_phase2(root, journal, result, deprecated, start, end, now)
    result.notes.append(f"Deprecation: {start.isoformat()}  Sunset: {end.isoformat()} "
                        f"(phase 3 may remove the routes from then on)")
    if not deprecated:
        result.notes.append("no route in state 'moved' to deprecate")
    result.notes += held_notes([r for r in journal.routes if r.state == "held"])
    result.details.update(date=start.isoformat(), sunset=end.isoformat(), deprecated=len(deprecated))
    return result


def _deprecate_file(root: Path, file: str, sources: SourceSet, plan: DeprecationPlan, style: ImportStyle,
                    routes: list[JournalRoute], refs: dict[int, RouteRef], result: PhaseResult, deprecated: set[int],
                    *, wire: bool) -> None:
    """One file, parsed once: its routes marked and, for the app file, the deprecation router wired."""
    try:
        index = sources.get(file)
    except SourceError as exc:
        if not routes:
            raise ApplyError(str(exc)) from exc
        for route in routes:
            result.manual.append(ManualStep(f"{file}:{route.line}", label(route), "the file no longer exists"
                                            if not (root / file).exists() else str(exc)))
        return
    commands = ([DeprecateRoutesTransform] if routes else []) + ([WireDeprecationTransform] if wire else [])
    context = file_context(file, module_name_for(file), plan, package=package_for(file) or None)
    try:
        tree = run_transforms(index.tree, commands, context, style=style)
    except DeprecateError as exc:
        for route in routes:
            result.manual.append(ManualStep(f"{file}:{route.line}", label(route), str(exc)))
        if wire:
            tree = run_transforms(index.tree, [WireDeprecationTransform], context, style=style)
        else:
            return
    except WireError as exc:
        raise ApplyError(f"{file}: {exc}") from exc
    done = plan.results.get(file)
    by_ref = {refs[id(r)]: r for r in routes}
    for ref in done.missing if done else ():
        route = by_ref[ref]
        result.manual.append(ManualStep(f"{file}:{route.line}", label(route),
                                        "no registration of this route in the file (edited since phase 1?)"))
    for ref in [*done.marked, *done.already] if done else ():
        route = by_ref[ref]
        deprecated.add(id(route))
        result.moved.append(f"{label(route)} -> {route.standard_method} {route.standard_path}")
    result.changes.append(FileChange(file, index.source, tree.code))


def _record_phase2(root: Path, journal: Journal, result: PhaseResult, deprecated: set[int], start: date, end: date,
                   now: datetime) -> None:
    if not deprecated:  # nothing is deprecated: the app is not wired either
        result.changes = [c for c in result.changes if c.path != result.details.get("app")]
    info = DeprecationInfo(date=start.isoformat(), sunset=end.isoformat())
    states_change = any(r.state == "moved" and id(r) in deprecated for r in journal.routes)
    if not deprecated:
        result.unchanged_reason = "no route in state 'moved' to deprecate"
    elif not any(c.changed for c in result.changes) and not states_change and journal.deprecation == info:
        result.unchanged_reason = (f"every moved route is deprecated already (Deprecation {info.date}, "
                                   f"Sunset {info.sunset})")
    if any(c.changed for c in result.changes) or states_change or (deprecated and journal.deprecation != info):
        for route in journal.routes:
            if id(route) in deprecated:
                route.state = "deprecated"
        journal.deprecation = info
        files = sorted({c.path for c in result.changes if c.changed})
        journal.record(2, files, __version__, now=now, details={
            "deprecated": len(deprecated), "date": info.date, "sunset": info.sunset, "manual": len(result.manual),
        })
        rel = journal_file(root).relative_to(root).as_posix()
        result.changes.append(FileChange(rel, read_text(root, rel), journal.to_text()))
