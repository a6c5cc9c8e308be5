"""`.migrator/journal.json` of a target repo: which phase was applied when, by which version, touching which files.

The journal is the memory of a migration: phase 2 reads which routes phase 1 moved and the app file it wired,
phase 3 reads the deprecation dates, `status` and `parity` read everything. It is written last by every phase,
inside the phase's transaction (`migrator.apply.transaction`).

The file is validated, not trusted: an unknown `version`, a phase outside 1-3, a phase recorded without the one
before it, dates out of order and unparsable dates are refused (`JournalError`, exit 2) naming the field.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

JOURNAL_PATH = Path(".migrator") / "journal.json"
#: The version this migrator writes; 1 (no `app`, no `plan`) is still read.
VERSION = 2
KNOWN_VERSIONS = (1, 2)

#: The 0–6 week plan: phase N starts this many days after phase 1.
PHASE_OFFSET_DAYS = {1: 0, 2: 14, 3: 28}
PHASE_WEEKS = {1: "0–2", 2: "2–4", 3: "4–6"}

#: "held": phase 1 moved the logic but no standard operation runs it (the operation answers 501, or the route is
#: only a candidate for it): never deprecated, never removed
RouteState = Literal["moved", "manual", "alias", "stays", "deprecated", "removed", "gone", "held"]


def held_reason(operation: Optional[str], candidate: Optional[str]) -> str:
    """Why a held route keeps serving its clients (phase 1's journal reason, the notes of phases 1-3)."""
    if candidate:
        return f"{candidate}; no standard operation runs this route's logic"
    return f"`{operation}` answers 501 NOT_IMPLEMENTED until the handler implements it"


class JournalError(Exception):
    """The journal exists but cannot be read or is inconsistent; the message names the file and the field."""


def _timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not an ISO 8601 date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


class PhaseEntry(BaseModel):
    phase: int = Field(ge=1, le=3)
    applied_at: str
    tool_version: str
    files: list[str] = Field(default_factory=list)
    forced: bool = False
    details: dict = Field(default_factory=dict)

    @field_validator("applied_at")
    @classmethod
    def _parsable(cls, value: str) -> str:
        _timestamp(value)
        return value

    @property
    def applied_date(self) -> date:
        return _timestamp(self.applied_at).date()

    @property
    def applied_time(self) -> datetime:
        return _timestamp(self.applied_at)


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
    #: another route of its operation holds the operation's logic (`migrator.primary`): why this one does not
    candidate: Optional[str] = None
    service: Optional[str] = None  # "module:function" the route's logic moved to (phase 1)
    #: moved routes: legacy query parameter -> the standard input it takes (days, period, limit, page, offset,
    #: search), so that parity can write the standard twin of a recorded request
    params: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict)  # their legacy defaults, where known statically


class HandlerInfo(BaseModel):
    module: str
    file: str
    class_: str = Field(alias="class")
    instance: str = "market_handler"

    model_config = ConfigDict(populate_by_name=True)


class TenantInfo(BaseModel):
    """A single-tenant deployment: the tenant it serves (`[tool.migrator] tenant` / `tenant_env`, or `--tenant`)."""

    tenant: Optional[str] = None
    env: Optional[str] = None
    origin: str = "[tool.migrator]"

    def current(self) -> Optional[str]:
        """The tenant id now: the environment variable when set, else the declared id."""
        import os

        value = os.environ.get(self.env, "").strip() if self.env else ""
        return value or self.tenant


class ShapesInfo(BaseModel):
    """The module phase 1 generated with the legacy → standard answer mappings (migrator.shapes)."""

    module: str
    file: str
    functions: dict[str, str] = Field(default_factory=dict)  # operation -> function name
    #: operation -> optional legacy document -> the standard paths read from it (the stats' costs)
    optional: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


class AppInfo(BaseModel):
    """The app phase 1 wired the Standard API into: phases 2 and 3 edit this file, and no other, for wiring."""

    file: str
    variable: str = "app"
    factory: Optional[str] = None  # the function creating the app, for an app factory


class DeprecationInfo(BaseModel):
    date: str  # ISO date phase 2 was applied: the Deprecation header's moment
    sunset: str  # ISO date of the planned removal: the Sunset header
    gone: bool = False

    @field_validator("date", "sunset")
    @classmethod
    def _parsable(cls, value: str) -> str:
        _day(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> DeprecationInfo:
        if _day(self.sunset) < _day(self.date):
            raise ValueError(f"sunset {self.sunset} is before the deprecation date {self.date}")
        return self


class Journal(BaseModel):
    version: int = VERSION
    service: str = ""
    service_version: str = "0.0.0"
    phases: list[PhaseEntry] = Field(default_factory=list)
    routes: list[JournalRoute] = Field(default_factory=list)
    app: Optional[AppInfo] = None
    handler: Optional[HandlerInfo] = None
    services: list[str] = Field(default_factory=list)  # files of the generated service modules
    tenant: Optional[TenantInfo] = None  # single-tenant deployments
    shapes: Optional[ShapesInfo] = None
    deprecation: Optional[DeprecationInfo] = None
    plan: dict = Field(default_factory=dict)  # what phase 1 executed (migrator.plan.MigrationPlan, compacted)

    @field_validator("version")
    @classmethod
    def _known(cls, value: int) -> int:
        if value not in KNOWN_VERSIONS:
            raise ValueError(f"unknown journal version {value} (this migrator reads {', '.join(map(str, KNOWN_VERSIONS))})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Journal:
        seen: set[int] = set()
        previous: Optional[datetime] = None
        for index, entry in enumerate(self.phases):
            if entry.phase > 1 and entry.phase - 1 not in seen:
                raise ValueError(f"phases[{index}].phase: phase {entry.phase} is recorded without phase "
                                 f"{entry.phase - 1} before it")
            when = entry.applied_time
            if previous is not None and when < previous:
                raise ValueError(f"phases[{index}].applied_at: {entry.applied_at} is earlier than the entry before it")
            seen.add(entry.phase)
            previous = when
        if self.deprecation is not None and 2 not in seen and self.phases:
            raise ValueError("deprecation: deprecation dates are recorded without phase 2")
        return self

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
        self.version = VERSION
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
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise JournalError(f"{path}: cannot read the migration journal: {_first_line(exc)}") from exc
    if not isinstance(data, dict):
        raise JournalError(f"{path}: the migration journal must be a JSON object")
    try:
        return Journal.model_validate(data)
    except ValidationError as exc:
        raise JournalError(f"{path}: invalid migration journal: {_field_error(exc)}") from exc


def _field_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in error["loc"])
    where = where.replace(".[", "[")
    message = error["msg"].removeprefix("Value error, ")
    if where and message.startswith(where.split(".")[-1].split("[")[0] + ":"):
        return message  # the validator already names the field
    return f"{where}: {message}" if where else message


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
