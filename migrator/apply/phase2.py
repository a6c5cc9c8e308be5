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

from codemods._phase23_routes import RouteRef
from codemods.deprecate_routes import DeprecateError, Deprecation, WireError, deprecate_routes, wire_deprecation_router
from migrator import __version__
from migrator.apply.changes import FileChange, read_text
from migrator.apply.result import ApplyError, ManualStep, PhaseResult
from migrator.journal import PHASE_OFFSET_DAYS, DeprecationInfo, Journal, JournalRoute, journal_file, load_journal
from migrator.target import load_target

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


def find_app_file(root: Path, journal: Journal) -> str:
    """The module phase 1 wired the standard router into (among the files it touched first, else anywhere)."""
    entry = journal.entry(1)
    candidates = [f for f in (entry.files if entry else []) if f.endswith(".py")]
    candidates += sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")
                         if not any(part.startswith(".") for part in p.relative_to(root).parts))
    for rel in candidates:
        if "include_router(create_standard_router(" in (read_text(root, rel) or "").replace(" ", ""):
            return rel
    raise ApplyError(f"{root}: no module includes create_standard_router(...): phase 1 is not wired in")


def require_phase1(root: Path, journal: Journal) -> None:
    if journal.entry(1) is None:
        raise ApplyError(f"{journal_file(root)}: phase 1 is not in the journal; run `migrator apply --phase 1` first")


def plan_phase2(root: Path, *, sunset: Optional[date] = None, now: Optional[datetime] = None) -> PhaseResult:
    target = load_target(root)
    journal = load_journal(root)
    require_phase1(root, journal)
    if journal.entry(3) is not None:
        raise ApplyError(f"{journal_file(root)}: phase 3 was applied already; the deprecated routes are gone")
    now = now or datetime.now(timezone.utc)
    start, end = deprecation_dates(journal, sunset, now.date())
    version = journal.service_version if journal.service_version != "0.0.0" else target.version

    by_file: dict[str, list[JournalRoute]] = defaultdict(list)
    for route in journal.routes:
        if route.state in DEPRECATED_STATES and route.standard_path:
            by_file[route.file].append(route)

    changes: list[FileChange] = []
    result = PhaseResult(2, changes, journal)
    deprecated: set[int] = set()
    for file in sorted(by_file):
        routes = by_file[file]
        source = read_text(root, file)
        if source is None:
            for route in routes:
                result.manual.append(ManualStep(f"{file}:{route.line}", label(route), "the file no longer exists"))
            continue
        refs = {route_ref(r): r for r in routes}
        deprecations = [Deprecation(ref, r.standard_method or r.methods[0], r.standard_path) for ref, r in refs.items()]
        try:
            done = deprecate_routes(source, deprecations, deprecated_at=start.isoformat(), sunset=end.isoformat(),
                                    version=version)
        except DeprecateError as exc:
            for route in routes:
                result.manual.append(ManualStep(f"{file}:{route.line}", label(route), str(exc)))
            continue
        for ref in done.missing:
            route = refs[ref]
            result.manual.append(ManualStep(f"{file}:{route.line}", label(route),
                                            "no registration of this route in the file (edited since phase 1?)"))
        for ref in [*done.marked, *done.already]:
            route = refs[ref]
            deprecated.add(id(route))
            result.moved.append(f"{label(route)} -> {route.standard_method} {route.standard_path}")
        changes.append(FileChange(file, source, done.code))

    if deprecated:
        app_file = find_app_file(root, journal)
        old_app = read_text(root, app_file) or ""
        try:
            changes.append(FileChange(app_file, old_app, wire_deprecation_router(old_app)))
        except WireError as exc:
            raise ApplyError(f"{app_file}: {exc}") from exc
        result.details["app"] = app_file

    info = DeprecationInfo(date=start.isoformat(), sunset=end.isoformat())
    states_change = any(r.state == "moved" and id(r) in deprecated for r in journal.routes)
    if any(c.changed for c in changes) or states_change or (deprecated and journal.deprecation != info):
        for route in journal.routes:
            if id(route) in deprecated:
                route.state = "deprecated"
        journal.deprecation = info
        files = sorted({c.path for c in changes if c.changed})
        journal.record(2, files, __version__, now=now, details={
            "deprecated": len(deprecated), "date": info.date, "sunset": info.sunset,
            "manual": len(result.manual),
        })
        rel = journal_file(root).relative_to(root).as_posix()
        changes.append(FileChange(rel, read_text(root, rel), journal.to_text()))
    result.notes.append(f"Deprecation: {start.isoformat()}  Sunset: {end.isoformat()} "
                        f"(phase 3 may remove the routes from then on)")
    if not deprecated:
        result.notes.append("no route in state 'moved' to deprecate")
    result.details.update(date=start.isoformat(), sunset=end.isoformat(), deprecated=len(deprecated))
    return result
