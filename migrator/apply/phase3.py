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
serves those paths now), then, via `codemods._phase23_deadcode`, every definition, import and module that nothing
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

from codemods._phase23_deadcode import remove_dead_code
from codemods.remove_routes import GoneError, remove_routes, unwire_deprecation_router, wire_gone_router
from migrator import __version__
from migrator.apply.changes import FileChange, read_text
from migrator.apply.phase2 import find_app_file, label, require_phase1, route_ref
from migrator.apply.result import ApplyError, ManualStep, PhaseResult
from migrator.journal import Journal, JournalRoute, journal_file, load_journal
from migrator.target import load_target

CALLS_ENV = "MIGRATOR_DEPRECATION_LOG"
DEFAULT_CALLS = Path(".migrator") / "deprecation-calls.jsonl"
ALIAS_REASON = "legacy route removed in phase 3; the Service Market alias router serves the path"
_SKIP_DIRS = {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages"}
_TEXT_SUFFIXES = {".toml", ".cfg", ".ini", ".yaml", ".yml"}

BlockerCode = Literal["no-phase-1", "no-phase-2", "before-sunset", "recent-calls", "no-call-data", "unreadable-calls"]


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
        counter = CallCounter.load(path)
    except (OSError, UnicodeDecodeError) as exc:
        blockers.append(Blocker(code="unreadable-calls", message=f"cannot read the call log {path}: {exc}"))
        return blockers
    recent = {route: n for route, n in counter.calls_since_by_route(quiet_days, now).items() if n}
    if recent:
        shown = ", ".join(f"{route}: {n}" for route, n in sorted(recent.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        more = f" and {len(recent) - 5} more route(s)" if len(recent) > 5 else ""
        blockers.append(Blocker(code="recent-calls", message=(
            f"{sum(recent.values())} call(s) to deprecated routes in the last {quiet_days} day(s) "
            f"({shown}{more}) per {path}")))
    return blockers


# --- the phase ----------------------------------------------------------------------------------------------------


def _python_files(root: Path) -> dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part in _SKIP_DIRS for part in rel.parts[:-1]):
            continue
        text = read_text(root, rel.as_posix())
        if text is not None:
            files[rel.as_posix()] = text
    return files


def _config_texts(root: Path) -> str:
    texts = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.suffix in _TEXT_SUFFIXES and path.is_file() and not any(
                part.startswith(".") or part in _SKIP_DIRS for part in rel.parts[:-1]):
            try:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    return "\n".join(texts)


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
    if calls is not None and not Path(calls).is_file():
        raise ApplyError(f"--calls {calls}: no such file")
    now = now or datetime.now(timezone.utc)
    already = journal.entry(3) is not None
    blockers = [] if already else phase3_blockers(root, journal, now=now, quiet_days=quiet_days, calls=calls)
    if blockers and not force:
        raise ApplyError("phase 3 refused: " + "; ".join(b.message for b in blockers)
                         + " (--force overrides, and the journal records it)")

    removable = {"deprecated", "alias"} | ({"moved"} if journal.entry(2) is None else set())
    by_file: dict[str, list[JournalRoute]] = defaultdict(list)
    for route in journal.routes:
        if route.state in removable and (route.state != "alias" or route.reason != ALIAS_REASON):
            by_file[route.file].append(route)

    changes: list[FileChange] = []
    result = PhaseResult(3, changes, journal)
    files = _python_files(root)
    originals = dict(files)
    candidates: dict[str, set[str]] = {}
    attributes: dict[str, set[tuple[str, str]]] = {}
    lost_routes: set[str] = set()
    removed: list[JournalRoute] = []
    for file in sorted(by_file):
        routes = by_file[file]
        if file not in files:
            if not already:
                for route in routes:
                    result.manual.append(ManualStep(f"{file}:{route.line}", label(route), "the file no longer exists"))
            continue
        refs = {route_ref(r): r for r in routes}
        done = remove_routes(files[file], list(refs))
        for ref in done.missing:
            if not already:
                route = refs[ref]
                result.manual.append(ManualStep(f"{file}:{route.line}", label(route),
                                                "no registration of this route in the file (edited since phase 2?)"))
        if done.removed:
            files[file] = done.code
            candidates.setdefault(file, set()).update(done.names)
            attributes.setdefault(file, set()).update(done.attributes)
            lost_routes.add(file)
            removed += [refs[ref] for ref in done.removed]

    app_file = find_app_file(root, journal)
    handler_file = journal.handler.file if journal.handler else None
    stubs = [r for r in removed if r.state != "alias"]
    if gone:
        stubs += [r for r in journal.routes if r.state in ("removed", "gone") and r not in stubs]
        mapping = {(method, r.path): r.standard_path for r in stubs for method in r.methods}
        try:
            files[app_file] = wire_gone_router(files[app_file], mapping)
        except GoneError as exc:
            raise ApplyError(f"{app_file}: {exc}") from exc
    elif removed and "create_gone_router" not in files[app_file] and not any(
            r.state == "deprecated" and not any(r is x for x in removed) for r in journal.routes):
        # nothing deprecated is left to count (a route that could not be removed keeps the endpoint)
        files[app_file], used = unwire_deprecation_router(files[app_file])
        candidates.setdefault(app_file, set()).update(used)

    dead = remove_dead_code(files, candidates, attributes, lost_routes,
                            protected={app_file, *([handler_file] if handler_file else [])},
                            texts=_config_texts(root))
    files.update({p: s for p, s in dead.sources.items()})
    for path in sorted(files):
        if files[path] != originals.get(path):
            changes.append(FileChange(path, originals.get(path), files[path]))

    estimate = _estimate(root, removed) if changes else None
    per_file = []
    for change in changes:
        lines_removed, lines_added = _lines(change)
        per_file.append(FileLines(file=change.path, removed=lines_removed, added=lines_added,
                                  deleted=change.new is None,
                                  estimate=estimate.get(change.path) if estimate is not None else None))
    for route in removed:
        result.moved.append(f"{label(route)} -> " + (
            "served by the Service Market alias router" if route.state == "alias"
            else "410 Gone" if gone else "removed (404)"))
    total = sum(f.removed for f in per_file)
    for f in per_file:
        what = f"deleted, -{f.removed} lines" if f.deleted else f"-{f.removed} +{f.added} lines"
        guess = f"estimate {f.estimate}" if f.estimate is not None else "no estimate"
        result.notes.append(f"  {f.file}: {what} ({guess})")
    if per_file:
        guess = f"analyze's estimate: {sum(estimate.values())}" if estimate is not None else "no estimate"
        result.notes.insert(0, f"lines removed: {total} ({guess})")
    if blockers:
        result.notes.append("forced past: " + "; ".join(b.message for b in blockers))

    if any(c.changed for c in changes):
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
        journal.record(3, sorted(c.path for c in changes if c.changed), __version__, now=now, forced=bool(blockers),
                       details={
                           "removed": len(removed), "gone": gone, "force": force, "deleted": sorted(dead.deleted),
                           "lines": {f.file: f.removed for f in per_file},
                           "overridden": [b.model_dump() for b in blockers],
                       })
        rel = journal_file(root).relative_to(root).as_posix()
        changes.append(FileChange(rel, read_text(root, rel), journal.to_text()))
    result.details.update(removed=[label(r) for r in removed], deleted=sorted(dead.deleted), definitions=dead.removed,
                          lines=[f.model_dump() for f in per_file], forced=[b.model_dump() for b in blockers],
                          service=target.name)
    return result


def _estimate(root: Path, removed: list[JournalRoute]) -> Optional[dict[str, int]]:
    """Lines per file `migrator.plan.estimate_removal` (analyze's method) predicts for removing `removed` from the
    code as it is now; None when the inventory or the plan cannot say."""
    try:
        from migrator.inventory.build import run_inventory
        from migrator.plan import estimate_removal

        run = run_inventory(root, workers=1)
        keys = {(tuple(sorted(r.methods)), r.path) for r in removed}
        going = [r for r in run.inventory.routes if (tuple(sorted(r.methods)), r.path) in keys]
        staying = [r for r in run.inventory.routes if (tuple(sorted(r.methods)), r.path) not in keys]
        if not going:
            return None
        estimate = estimate_removal(run, going, staying)
        return {module.file: module.lines_removed for module in estimate.modules}
    except Exception:  # noqa: BLE001 - an estimate is a comparison aid; phase 3 never fails because of it
        return None
