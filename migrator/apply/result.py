"""What planning a phase produces: the change set, the journal to write, and what was done or left to a person."""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.apply.changes import FileChange
from migrator.journal import Journal


class ApplyError(Exception):
    """The phase cannot run on this target; the message says why (exit 2)."""


@dataclass
class ManualStep:
    where: str  # file:line
    route: str  # "GET /admin/admins/{user_id}"
    reason: str


@dataclass
class PhaseResult:
    phase: int
    changes: list[FileChange]
    journal: Journal
    moved: list[str] = field(default_factory=list)  # "GET /admin/dashboard -> get_tenant_stats"
    manual: list[ManualStep] = field(default_factory=list)
    not_implemented: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    unchanged_reason: str = ""  # why nothing changes (shown with the manual steps)
    shapes: list[str] = field(default_factory=list)  # phase 1: operations with a generated answer mapping


def held_notes(routes) -> list[str]:
    """One line per held route (a journal or a plan route), for phases 1-3 to list. Here rather than in phase 1:
    phases 2 and 3 list them too, without importing phase 1 (the planner, LibCST's scope analysis, the shapes)."""
    from migrator.journal import held_reason

    return [f"kept, neither deprecated nor removed: {'/'.join(r.methods)} {r.path} "
            f"({held_reason(r.operation, r.candidate)})" for r in routes]
