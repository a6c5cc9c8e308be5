"""`migrator status`: where a target is in the 0–6 week plan, what the next phase will do, and what blocks it.

After phase 1 it reads the journal (the verdicts phase 1 recorded, with their reasons) and, for phase 3's guards,
the deprecation call log and phase 2's marks in the code. Before phase 1 it computes the plan (as `analyze` does:
never importing the target) to say which routes phase 1 will move and why the others stay.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, Field

from migrator.apply.phase2 import deprecation_dates
from migrator.apply.phase3 import Blocker, calls_file, phase3_blockers
from migrator.journal import PHASE_WEEKS, load_journal
from migrator.plan import nothing_to_move
from migrator.target import load_target

SCHEMA_VERSION = 1

WHAT = {
    1: "generate the StandardAPIHandler from the mapped legacy routes, make those routes delegate to it, and wire "
       "/mt, the Service Market aliases and market-key auth into the app",
    2: "deprecate the moved legacy routes: OpenAPI `deprecated` + `x-sunset`, Deprecation/Sunset/Link headers, a "
       "DeprecationWarning per call, and a per-caller call count (GET /mt/deprecations)",
    3: "remove the deprecated legacy routes (and the alias routes the shims now serve), then the imports, helpers "
       "and modules nothing else uses; --gone keeps 410 stubs",
}


class PhaseStatus(BaseModel):
    phase: int
    weeks: str
    applied_at: Optional[str] = None
    planned: Optional[str] = None  # the plan's start date, counted from phase 1
    forced: bool = False


class DeprecationStatus(BaseModel):
    date: str
    sunset: str
    gone: bool = False


class NextStep(BaseModel):
    phase: int
    command: str
    action: str
    routes: int = 0  # routes the phase will act on
    sunset: Optional[str] = None  # phase 2: the Sunset date it would publish
    blockers: list[Blocker] = Field(default_factory=list)
    idle: Optional[str] = None  # why the phase would change nothing (phase 1 with no route it can move)


class StatusReport(BaseModel):
    schema_version: int = SCHEMA_VERSION
    root: str
    service: str
    service_version: str
    phase: int
    phases: list[PhaseStatus]
    deprecation: Optional[DeprecationStatus] = None
    routes: dict[str, int] = Field(default_factory=dict)  # journal state -> count
    manual: list[str] = Field(default_factory=list)  # routes left to a person ("POST /x (file:line): reason")
    calls_file: Optional[str] = None
    #: how the tenant lifecycle is (before phase 1: will be) served, one line per operation
    lifecycle: list[str] = Field(default_factory=list)
    next: Optional[NextStep] = None


def status_report(root: Path, *, now: Optional[datetime] = None, quiet_days: int = 7,
                  calls: Optional[Path] = None) -> StatusReport:
    """The status of the target at `root` (raises TargetError / JournalError like `apply`)."""
    target = load_target(root)
    journal = load_journal(root)
    now = now or datetime.now(timezone.utc)
    phases = []
    for phase in (1, 2, 3):
        entry = journal.entry(phase)
        planned = journal.planned_date(phase)
        phases.append(PhaseStatus(phase=phase, weeks=PHASE_WEEKS[phase],
                                  applied_at=entry.applied_at if entry else None,
                                  planned=planned.isoformat() if planned else None,
                                  forced=bool(entry and entry.forced)))
    report = StatusReport(
        root=str(root), service=journal.service or target.name,
        service_version=journal.service_version if journal.phases else target.version,
        phase=journal.current_phase, phases=phases,
        deprecation=DeprecationStatus(**journal.deprecation.model_dump()) if journal.deprecation else None,
        routes=dict(sorted(Counter(r.state for r in journal.routes).items())),
        manual=[f"{'/'.join(r.methods)} {r.path} ({r.file}:{r.line}): {r.reason or 'needs a person'}"
                for r in journal.routes if r.state == "manual"],
        lifecycle=[str(line) for line in journal.plan.get("lifecycle", [])] if journal.plan else [],
    )
    current = journal.current_phase
    if current == 0:
        report.next = NextStep(phase=1, command=f"migrator apply --phase 1 {root}", action=WHAT[1])
        _plan_preview(root, report)
    elif current == 1:
        moved = sum(1 for r in journal.routes if r.state == "moved" and r.standard_path)
        _start, sunset = deprecation_dates(journal, None, now.date())
        report.next = NextStep(phase=2, command=f"migrator apply --phase 2 {root}", action=WHAT[2], routes=moved,
                               sunset=sunset.isoformat())
        if not moved:  # phase 2 would write nothing and phase 3 would wait for it forever
            report.next.blockers.append(Blocker(
                code="nothing-moved", message="phase 1 moved no legacy route, so phase 2 has nothing to deprecate: "
                "the manual routes need a person first"))
    elif current == 2:
        going = sum(1 for r in journal.routes if r.state in ("deprecated", "alias"))
        report.calls_file = str(calls_file(root, calls))
        from codemods._source import SourceSet
        from migrator.apply.phase3 import not_deprecated_in_code

        blockers = phase3_blockers(root, journal, now=now, quiet_days=quiet_days, calls=calls)
        blockers += not_deprecated_in_code(root, journal, SourceSet(root))
        report.next = NextStep(phase=3, command=f"migrator apply --phase 3 {root}", action=WHAT[3], routes=going,
                               blockers=blockers)
    return report


def _plan_preview(root: Path, report: StatusReport) -> None:
    """Before phase 1: what the plan moves, and why the other mapped routes stay (the same verdicts as analyze)."""
    from migrator.planner import make_plan

    try:
        run = make_plan(root, estimate=False)
    except Exception as exc:  # noqa: BLE001 - status still reports the journal; analyze names the bad input
        report.manual.append(f"(the plan cannot be computed: {str(exc).splitlines()[0] if str(exc) else exc})")
        return
    plan = run.plan
    report.next.routes = len(plan.automatic)
    report.next.blockers = [Blocker(code="no-phase-1", message=b) for b in plan.blockers]
    if not plan.automatic:  # blocked or not: lifting the blockers would still leave phase 1 nothing to move
        report.next.idle = nothing_to_move(plan, len(run.inventory.coverage.unplaced))
    report.manual = [f"{route.key} ({route.file}:{route.line}): {'; '.join(route.verdict.messages)}"
                     for route in plan.routes if route.state == "manual"]
    report.lifecycle = plan.lifecycle.lines() if plan.lifecycle else []
