"""The result of a parity run (pydantic: the JSON output is ``ParityReport.model_dump_json``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Literal, Optional

from pydantic import BaseModel, Field

from migrator.parity.compare import Difference

Outcome = Literal["passed", "failed", "noisy", "skipped"]


class ExchangeResult(BaseModel):
    id: int
    name: Optional[str] = None
    kind: Literal["legacy", "standard"] = "legacy"
    method: str
    url: str  # path and query as sent (credential placeholders, never values)
    route: str  # "METHOD /template": the group in reports
    outcome: Outcome = "passed"
    expected_status: int
    actual_status: Optional[int] = None
    differences: list[Difference] = Field(default_factory=list)
    more_differences: int = 0  # beyond the listed ones
    notes: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        text = f"#{self.id}" + (f" {self.name}" if self.name else "")
        return text + (" (standard twin)" if self.kind == "standard" else "")


class RouteSummary(BaseModel):
    route: str
    passed: int = 0
    failed: int = 0
    noisy: int = 0
    skipped: int = 0
    noisy_paths: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    total: int = 0
    passed: int = 0
    failed: int = 0
    noisy: int = 0
    skipped: int = 0  # replayed but not comparable (phase 3: state diverged after a removed mutation)
    legacy: int = 0
    standard: int = 0

    def line(self) -> str:
        text = f"{self.passed} passed, {self.failed} failed, {self.noisy} noisy"
        return text + (f", {self.skipped} skipped" if self.skipped else "")


class ParityReport(BaseModel):
    version: Literal[1] = 1
    cassette: str
    target: str
    phase: int
    summary: Summary = Field(default_factory=Summary)
    routes: list[RouteSummary] = Field(default_factory=list)
    results: list[ExchangeResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.summary.failed == 0

    def finish(self) -> None:
        """Fill the summary and the per-route counts from the results."""
        summary = Summary()
        routes: dict[str, RouteSummary] = {}
        noisy_paths: dict[str, set[str]] = defaultdict(set)
        for result in self.results:
            summary.total += 1
            setattr(summary, result.outcome, getattr(summary, result.outcome) + 1)
            setattr(summary, result.kind, getattr(summary, result.kind) + 1)
            route = routes.setdefault(result.route, RouteSummary(route=result.route))
            setattr(route, result.outcome, getattr(route, result.outcome) + 1)
            noisy_paths[result.route].update(d.path for d in result.differences if d.noise)
        for name, route in routes.items():
            route.noisy_paths = sorted(noisy_paths[name])
        self.summary = summary
        self.routes = sorted(routes.values(), key=lambda r: (r.route.split(" ", 1)[-1], r.route))
