"""`.migrator/journal.json` of a target repo: which phase was applied when, by which version, touching which files.

The journal is the memory of a migration: phase 2 reads which routes phase 1 moved, phase 3 reads the deprecation
dates, `status` and `parity` read everything. It is written through the same verified, atomic path as source files.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field, ValidationError

JOURNAL_PATH = Path(".migrator") / "journal.json"

#: The 0–6 week plan: phase N starts this many days after phase 1.
PHASE_OFFSET_DAYS = {1: 0, 2: 14, 3: 28}
PHASE_WEEKS = {1: "0–2", 2: "2–4", 3: "4–6"}

RouteState = Literal["moved", "manual", "alias", "stays", "deprecated", "removed", "gone"]


class JournalError(Exception):
    """The journal exists but cannot be read; the message names the file."""


class PhaseEntry(BaseModel):
    phase: int
    applied_at: str
    tool_version: str
    files: list[str] = Field(default_factory=list)
    forced: bool = False
    details: dict = Field(default_factory=dict)

    @property
    def applied_date(self) -> date:
        return datetime.fromisoformat(self.applied_at).date()


class JournalRoute(BaseModel):
    methods: list[str]
    path: str
    function: str
    file: str
    line: int = 0
    operation: Optional[str] = None
    variant: Optional[str] = None
    standard_method: Optional[str] = None
    standard_path: Optional[str] = None
    state: RouteState = "moved"
    reason: Optional[str] = None


class HandlerInfo(BaseModel):
    module: str
    file: str
    class_: str = Field(alias="class")
    instance: str = "market_handler"

    model_config = {"populate_by_name": True}


class DeprecationInfo(BaseModel):
    date: str  # ISO date phase 2 was applied: the Deprecation header's moment
    sunset: str  # ISO date of the planned removal: the Sunset header
    gone: bool = False


class Journal(BaseModel):
    version: int = 1
    service: str = ""
    service_version: str = "0.0.0"
    phases: list[PhaseEntry] = Field(default_factory=list)
    routes: list[JournalRoute] = Field(default_factory=list)
    handler: Optional[HandlerInfo] = None
    deprecation: Optional[DeprecationInfo] = None

    @property
    def current_phase(self) -> int:
        return max((p.phase for p in self.phases), default=0)

    def entry(self, phase: int) -> Optional[PhaseEntry]:
        return next((p for p in reversed(self.phases) if p.phase == phase), None)

    def planned_date(self, phase: int) -> Optional[date]:
        """The plan's date for a phase, counted from the day phase 1 was applied."""
        first = self.entry(1)
        if first is None:
            return None
        return first.applied_date + timedelta(days=PHASE_OFFSET_DAYS[phase])

    def record(self, phase: int, files: list[str], tool_version: str, *, forced: bool = False,
               details: Optional[dict] = None, now: Optional[datetime] = None) -> PhaseEntry:
        entry = PhaseEntry(
            phase=phase,
            applied_at=(now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
            tool_version=tool_version,
            files=sorted(files),
            forced=forced,
            details=details or {},
        )
        self.phases.append(entry)
        return entry

    def to_text(self) -> str:
        return json.dumps(self.model_dump(by_alias=True, exclude_none=True), indent=2, ensure_ascii=False) + "\n"


def journal_file(root: Path) -> Path:
    return root / JOURNAL_PATH


def load_journal(root: Path) -> Journal:
    """The target's journal, or an empty one when the repo has not been migrated yet."""
    path = journal_file(root)
    if not path.exists():
        return Journal()
    try:
        return Journal.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise JournalError(f"{path}: cannot read the migration journal: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
