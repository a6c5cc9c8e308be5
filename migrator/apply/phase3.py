"""Phase 3 (weeks 4–6): remove the deprecated legacy routes, then the code only they used (or keep 410 stubs).

Guards (each refuses with exit 2 unless `--force`, which the journal records with the reasons it overrode):
- phase 2 is not in the journal (the routes were never deprecated; forced, the "moved" routes go directly);
- today is before the Sunset date phase 2 published;
- the deprecation call log shows calls in the last `--quiet-days` days (default 7), or there is no call log.

The call log is the JSON-lines file `shims.deprecation` writes when the service runs with
`MIGRATOR_DEPRECATION_LOG=<file>`: `--calls FILE`, else that variable in migrator's environment, else
`.migrator/deprecation-calls.jsonl` in the target. No log at all is a refusal (nothing proves the routes are
unused); an explicit `--calls` that does not exist is an input error.

What goes: the registrations of the routes in state "deprecated" (and "alias": the Service Market alias router
serves those paths now), then, via `migrator.removal` (the dead-code analysis `analyze` also uses), every definition, import and module that nothing
else in the repository uses any more, the app's `include_router` of a deleted router module, and phase 2's
`GET /mt/deprecations`. With `--gone` a `shims.gone` router answers 410 on every removed path instead of 404 (and
keeps counting the calls, so `/mt/deprecations` stays).
"""

from __future__ import annotations

import difflib
import os
from collections import defaultdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel

from codemods._imports import ImportStyle, module_name_for
from codemods._phase23_routes import locate, route_sites
from codemods._remove_routes import RemovalPlan
from codemods._service_doc import removed_docstring, replace_phase1_docstring
from codemods._source import SourceError, SourceSet
from codemods._unwire_deprecation import UnwireDeprecationTransform
from codemods._wire_gone import GoneError, WireGoneTransform
from migrator import __version__
from migrator.apply.changes import FileChange, read_text
from migrator.apply.phase2 import app_file, declared_tenant, label, require_phase1, route_ref, successor_path
from migrator.apply.result import ApplyError, ManualStep, PhaseResult, held_notes
from migrator.journal import Journal, JournalRoute, journal_file, load_journal
from migrator.removal import Removal, analyse_removal
from migrator.target import load_target

CALLS_ENV = "MIGRATOR_DEPRECATION_LOG"
DEFAULT_CALLS = Path(".migrator") / "deprecation-calls.jsonl"
ALIAS_REASON = "legacy route removed in phase 3; the Service Market alias router serves the path"

BlockerCode = Literal["no-phase-1", "no-phase-2", "before-sunset", "recent-calls", "no-call-data", "unreadable-calls",
                      "unparsable-calls", "not-deprecated", "nothing-moved"]


class Blocker(BaseModel):
    code: BlockerCode
    message: str


class FileLines(BaseModel):
    file: str
    removed: int
    added: int
    deleted: bool
    estimate: Optional[int] = None


# --- guards -------------------------------------------------------------------------------------------------------


def calls_file(root: Path, calls: Optional[Path] = None) -> Path:
    if calls is not None:
        return Path(calls)
    if os.environ.get(CALLS_ENV):
        return Path(os.environ[CALLS_ENV])
    return root / DEFAULT_CALLS


def phase3_blockers(root: Path, journal: Journal, *, now: datetime, quiet_days: int = 7,
                    calls: Optional[Path] = None) -> list[Blocker]:
    """Why phase 3 may not run now (empty: it may). Shared with `migrator status`."""
    blockers: list[Blocker] = []
    if journal.entry(1) is None:
        return [Blocker(code="no-phase-1", message="phase 1 is not in the journal")]
    if journal.entry(2) is None or journal.deprecation is None:
        blockers.append(Blocker(code="no-phase-2", message="phase 2 is not in the journal: the routes were never "
                                                           "deprecated (run `migrator apply --phase 2` first)"))
    else:
        sunset = date.fromisoformat(journal.deprecation.sunset)
        if now.date() < sunset:
            blockers.append(Blocker(code="before-sunset", message=f"the Sunset date is {sunset.isoformat()} and "
                                                                  f"today is {now.date().isoformat()}"))
    path = calls_file(root, calls)
    if not path.exists():
        blockers.append(Blocker(code="no-call-data", message=(
            f"no call data: {path} does not exist (run the service with {CALLS_ENV}=<file> and pass it with "
            "--calls)")))
        return blockers
    from shims.deprecation import CallCounter

    try:
        lines, parsed = _parsable_lines(path)
        counter = CallCounter.load(path)
    except (OSError, UnicodeDecodeError) as exc:
        blockers.append(Blocker(code="unreadable-calls", message=f"cannot read the call log {path}: {exc}"))
        return blockers
    if lines and not parsed:
        blockers.append(Blocker(code="unparsable-calls", message=(
            f"the call log {path} has {lines} line(s) and none of them is a call record: it proves nothing")))
        return blockers
    recent = {route: n for route, n in counter.calls_since_by_route(quiet_days, now).items() if n}
    if recent:
        shown = ", ".join(f"{route}: {n}" for route, n in sorted(recent.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        more = f" and {len(recent) - 5} more route(s)" if len(recent) > 5 else ""
        blockers.append(Blocker(code="recent-calls", message=(
            f"{sum(recent.values())} call(s) to deprecated routes in the last {quiet_days} day(s) "
            f"({shown}{more}) per {path}")))
    return blockers


def _parsable_lines(path: Path) -> tuple[int, int]:
    """(non-blank lines, lines that are call records) of a call log, read one line at a time."""
    from shims.deprecation import CallRecord

    lines = parsed = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            lines += 1
            try:
                CallRecord.model_validate_json(line)
                parsed += 1
            except ValueError:
                continue
    return lines, parsed


def not_deprecated_in_code(root: Path, journal: Journal, sources: SourceSet) -> list[Blocker]:
    """Routes the journal calls deprecated whose registration in the code does not carry phase 2's marks."""
    by_file: dict[str, list[JournalRoute]] = defaultdict(list)
    for route in journal.routes:
        if route.state == "deprecated":
            by_file[route.file].append(route)
    unmarked = []
    for file, routes in sorted(by_file.items()):
        try:
            tree = sources.get(file).tree
        except SourceError:
            continue  # reported as a manual step: the file no longer exists or does not parse
        refs = {route_ref(r): r for r in routes}
        for ref, site in locate(route_sites(tree), refs).items():
            if not _marked(site.call):
                unmarked.append(f"{label(refs[ref])} ({file}:{refs[ref].line})")
    if not unmarked:
        return []
    return [Blocker(code="not-deprecated", message=(
        f"{len(unmarked)} route(s) the journal calls deprecated carry no deprecation in the code: "
        + ", ".join(unmarked[:5]) + (" ..." if len(unmarked) > 5 else "") + " (run phase 2 again)"))]


def _marked(call) -> bool:
    from codemods._wiring import calls_name

    return calls_name(call, "deprecated_endpoint")


# --- the phase ----------------------------------------------------------------------------------------------------


def _lines(change: FileChange) -> tuple[int, int]:
    old = (change.old or "").splitlines()
    new = (change.new or "").splitlines()
    removed = added = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            removed += i2 - i1
        if tag in ("insert", "replace"):
            added += j2 - j1
    return removed, added


def plan_phase3(root: Path, *, gone: bool = False, force: bool = False, quiet_days: int = 7,
                calls: Optional[Path] = None, now: Optional[datetime] = None) -> PhaseResult:
    if quiet_days < 0:
        raise ApplyError(f"--quiet-days must be 0 or more, not {quiet_days}")
    target = load_target(root)
    journal = load_journal(root)
    require_phase1(root, journal)
    app = app_file(root, journal)
    if calls is not None and not Path(calls).is_file():
        raise ApplyError(f"--calls {calls}: no such file")
    now = now or datetime.now(timezone.utc)
    already = journal.entry(3) is not None
    sources = SourceSet(root)
    blockers = [] if already else (phase3_blockers(root, journal, now=now, quiet_days=quiet_days, calls=calls)
                                   + not_deprecated_in_code(root, journal, sources))
    if blockers and not force:
        raise ApplyError("phase 3 refused: " + "; ".join(b.message for b in blockers)
                         + " (--force overrides, and the journal records it)")

    removable = {"deprecated", "alias"} | ({"moved"} if journal.entry(2) is None else set())
    by_file: dict[str, list[JournalRoute]] = defaultdict(list)
    for route in journal.routes:
        if route.state in removable and (route.state != "alias" or route.reason != ALIAS_REASON):
            by_file[route.file].append(route)
    refs = {f: {route_ref(r): r for r in routes} for f, routes in by_file.items()}
    style = ImportStyle.for_root(root)
    plan = RemovalPlan(line_length=style.line_length)
    removed: list[JournalRoute] = []

    def removed_now() -> list[JournalRoute]:
        return [refs[f][ref] for f, result in plan.results.items() for ref in result.removed]

    if gone:
        plan.gone = lambda: _gone_table(journal, removed_now())
    plan.unwire = lambda: bool(removed_now()) and not any(
        r.state == "deprecated" and not any(r is x for x in removed_now()) for r in journal.routes)
    protected = {journal.handler.file} if journal.handler else set()
    try:
        app_commands = (WireGoneTransform,) if gone else (UnwireDeprecationTransform,)
        removal = analyse_removal(root, {f: list(rs) for f, rs in refs.items()}, sources=sources, app=app,
                                  app_commands=app_commands, plan=plan,
                                  protected=protected, style=style)
    except GoneError as exc:
        raise ApplyError(f"{app}: {exc}") from exc
    removed = removed_now()
    result = PhaseResult(3, [], journal)
    result.notes += held_notes([r for r in journal.routes if r.state == "held"])
    _report_missing(result, by_file, refs, removal, already)
    new_sources = removal.new_sources()  # code generated once for the changes and the docstrings
    _changes(root, result, new_sources, _service_docstrings(root, journal, new_sources, removed, style.line_length))
    _notes(result, removal, removed, gone, blockers)
    _record_phase3(root, journal, result, removal, removed, gone, force, blockers, now)
    result.details.update(removed=[label(r) for r in removed], deleted=sorted(removal.decisions.deleted),
                          definitions={p: sorted(n) for p, n in removal.decisions.dead.items()},
                          forced=[b.model_dump() for b in blockers], service=target.name, app=app)
    return result


def _gone_table(journal: Journal, removed: list[JournalRoute]) -> dict[tuple[str, str], Optional[str]]:
    stubs = [r for r in removed if r.state != "alias"]
    stubs += [r for r in journal.routes if r.state in ("removed", "gone") and r not in stubs]
    tenant = declared_tenant(journal)
    return {(method, r.path): successor_path(r, tenant) if r.standard_path else None
            for r in stubs for method in r.methods}


def _report_missing(result: PhaseResult, by_file: dict, refs: dict, removal: Removal, already: bool) -> None:
    if already:
        return
    for file, routes in sorted(by_file.items()):
        if file in removal.unreadable:
            for route in routes:
                result.manual.append(ManualStep(f"{file}:{route.line}", label(route), "the file no longer exists"))
            continue
        for ref in removal.plan.results[file].missing if file in removal.plan.results else ():
            route = refs[file][ref]
            result.manual.append(ManualStep(f"{file}:{route.line}", label(route),
                                            "no registration of this route in the file (edited since phase 2?)"))


def _changes(root: Path, result: PhaseResult, new_sources: dict[str, Optional[str]], rewritten: dict[str, str]
             ) -> None:
    for path, source in sorted({**new_sources, **rewritten}.items()):
        old = read_text(root, path)
        if source != old:
            result.changes.append(FileChange(path, old, source))


def _service_docstrings(root: Path, journal: Journal, new_sources: dict[str, Optional[str]],
                        removed: list[JournalRoute], width: int) -> dict[str, str]:
    """Service modules that keep code once no legacy route delegates to them any more: their phase-1 docstring
    ("the routes there delegate to these functions") rewritten to say what still uses them. A service module
    left with nothing is deleted by the dead-code analysis instead."""
    if journal.handler is None:
        return {}
    sources, handler = new_sources, journal.handler
    delegating, origins = set(), {}
    for route in journal.routes:
        if not route.service:
            continue
        module = route.service.partition(":")[0]
        origins.setdefault(module, route.file)
        gone = any(route is r for r in removed) or route.state in ("removed", "gone") or (
            route.state == "alias" and route.reason == ALIAS_REASON)
        if route.state in ("moved", "deprecated", "alias", "held") and not gone:  # a held route still delegates
            delegating.add(module)
    handler_source = read_text(root, handler.file) or ""
    out = {}
    for path in journal.services:
        module = module_name_for(path)
        source = sources[path] if path in sources else read_text(root, path)
        if source is None or module in delegating or module not in origins:
            continue
        calls = _imports_module(handler_source, handler.module, module)
        new = removed_docstring(origins[module], handler.module, calls, width)
        text = replace_phase1_docstring(source, origins[module], handler.module, new)
        if text is not None:
            out[path] = text
    return out


def _imports_module(source: str, importer: str, module: str) -> bool:
    """Does `source` (module `importer`) import `module` (``import a.b``, ``from a import b``, ``from a.b import
    f``, relative forms included)?"""
    import ast

    package, _, name = module.rpartition(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name == module for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            base = importer.split(".")[: -node.level] if node.level else []
            imported = ".".join([*base, *([node.module] if node.module else [])])
            if imported == module or (imported == package and any(a.name == name for a in node.names)):
                return True
    return False


def _notes(result: PhaseResult, removal: Removal, removed: list[JournalRoute], gone: bool, blockers: list) -> None:
    estimate = removal.lines_removed()
    per_file = []
    for change in result.changes:
        lines_removed, lines_added = _lines(change)
        per_file.append(FileLines(file=change.path, removed=lines_removed, added=lines_added,
                                  deleted=change.new is None, estimate=estimate.get(change.path)))
    for route in removed:
        result.moved.append(f"{label(route)} -> " + (
            "served by the Service Market alias router" if route.state == "alias"
            else "410 Gone" if gone else "removed (404)"))
    total = sum(f.removed for f in per_file)
    for f in per_file:
        what = f"deleted, -{f.removed} lines" if f.deleted else f"-{f.removed} +{f.added} lines"
        guess = f"definitions {f.estimate}" if f.estimate is not None else "wiring and imports"
        result.notes.append(f"  {f.file}: {what} ({guess})")
    if per_file:
        result.notes.insert(0, f"lines removed: {total} (of which the dead-code analysis removes "
                               f"{sum(estimate.values())} in definitions and deleted modules: analyze's estimate)")
    if blockers:
        result.notes.append("forced past: " + "; ".join(b.message for b in blockers))
    result.details["lines"] = [f.model_dump() for f in per_file]


def _record_phase3(root: Path, journal: Journal, result: PhaseResult, removal: Removal, removed: list[JournalRoute],
                   gone: bool, force: bool, blockers: list, now: datetime) -> None:
    if not any(c.changed for c in result.changes):
        result.unchanged_reason = "nothing left to remove" if journal.entry(3) else "no route could be removed"
        return
    for route in journal.routes:
        if any(route is r for r in removed):
            if route.state == "alias":
                route.reason = ALIAS_REASON
            else:
                route.state = "gone" if gone else "removed"
        elif gone and route.state == "removed":
            route.state = "gone"
    if journal.deprecation is not None:
        journal.deprecation.gone = gone or journal.deprecation.gone
    journal.record(3, sorted(c.path for c in result.changes if c.changed), __version__, now=now,
                   forced=bool(blockers), details={
                       "removed": len(removed), "gone": gone, "force": force,
                       "deleted": sorted(removal.decisions.deleted),
                       "lines": {f["file"]: f["removed"] for f in result.details["lines"]},
                       "overridden": [b.model_dump() for b in blockers],
                   })
    rel = journal_file(root).relative_to(root).as_posix()
    result.changes.append(FileChange(rel, read_text(root, rel), journal.to_text()))
