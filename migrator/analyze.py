"""`analyze(root)`: inventory + catalog mapping + movability + plan, as one report (JSON schema version 1).

The report is a pydantic model; `report_schema()` is its JSON Schema, committed as docs/analyze.schema.json
(regenerate with `python -m migrator.analyze > docs/analyze.schema.json`). Fields listed in the schema of the
issue are stable; others may be added.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Literal

import libcst as cst
from pydantic import BaseModel, ConfigDict, Field

from migrator import __version__
from migrator.catalog import Catalog, Match, load_catalog
from migrator.inventory.build import Progress, run_inventory
from migrator.inventory.coverage import LOW_COVERAGE
from migrator.inventory.models import App, Skipped, UnplacedRoute, Unresolved
from migrator.movability import Assessment, assess
from migrator.plan import (
    Plan,
    RouteDecision,
    build_plan,
    estimate_removal,
    load_journal,
    route_state,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class RouteReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methods: list[str]
    path: str
    function: str
    file: str
    line: int
    auth: list[str]
    tenant_source: str | None
    operation: str | None
    standard_path: str | None
    automatic: bool
    manual_steps: list[str]
    # additions to the schema
    status: Literal["automatic", "manual", "stays"]
    app: str
    variant: str | None = None
    standard_method: str | None = None
    primary: bool | None = None
    param_map: dict[str, str] = Field(default_factory=dict)
    adapters: list[str] = Field(default_factory=list)
    tenant_param: str | None = None
    conditional: bool = False
    state: str | None = None  # from the journal: moved | manual | alias | stays
    confidence: float | None = None  # of the mapping (1.0: a catalog pattern; lower: recognised by shape)
    evidence: list[str] = Field(default_factory=list)  # what made the mapping (or the suggestion)
    suggestion: str | None = None  # unmapped: the catalog key it looks like, to confirm in [tool.migrator.catalog]


class Summary(BaseModel):
    files_total: int
    files_parsed: int
    ignored_tests: int
    apps: int
    routes: int
    mapped: int
    automatic: int
    manual: int
    stays: int
    unresolved: int
    skipped: int
    lines_removed_phase3: int
    # coverage: route decorators and add_api_route calls seen in the source vs routes placed in an app
    routes_seen: int = 0
    routes_placed: int = 0
    coverage: float = 1.0  # placed / seen (1.0 when nothing was seen)
    low_coverage: bool = False  # under LOW_COVERAGE (0.9): the inventory missed routes it saw (see `unplaced`)
    suggested: int = 0  # unmapped routes with a suggested operation


class AnalysisReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    root: str
    tool_version: str
    service: str | None = None
    service_version: str | None = None
    catalog_source: str | None = None
    summary: Summary
    apps: list[App]
    routes: list[RouteReport]
    unresolved: list[Unresolved]
    skipped: list[Skipped]
    plan: Plan
    unplaced: list[UnplacedRoute] = Field(default_factory=list)  # seen in the source, not in any app (why)


def report_schema() -> dict:
    schema = AnalysisReport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "migrator analyze report (version 1)"
    return schema


def _project(root: Path) -> tuple[str | None, str | None]:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None, None  # the catalog loader reports a broken pyproject.toml when it matters
    project = data.get("project", {})
    name, version = project.get("name"), project.get("version")
    return (name if isinstance(name, str) else None), (version if isinstance(version, str) else None)


class _Modules:
    """LibCST modules of route files, parsed once each, for movability.assess."""

    def __init__(self, root: str):
        self.root = root
        self.cache: dict[str, cst.Module | str] = {}

    def get(self, file: str) -> cst.Module | str:
        if file not in self.cache:
            try:
                with open(os.path.join(self.root, file), "rb") as handle:
                    self.cache[file] = cst.parse_module(handle.read())
            except (OSError, cst.ParserSyntaxError, RecursionError) as exc:
                self.cache[file] = f"cannot parse {file}: {exc}"
        return self.cache[file]


def analyze(
    root: str | os.PathLike,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    include_tests: bool = False,
    catalog: Catalog | None = None,
) -> AnalysisReport:
    """Analyse a legacy service. Raises InventoryInputError / CatalogError / PlanInputError on bad input."""
    root_path = Path(root)
    run = run_inventory(root_path, workers=workers, progress=progress, include_tests=include_tests)
    catalog = catalog or load_catalog(root_path)
    journal = load_journal(root_path)
    inventory = run.inventory
    modules = _Modules(str(root_path))
    decisions: list[RouteDecision] = []
    suggestions: dict[int, Match] = {}
    for route in inventory.routes:
        match = catalog.match(route)
        if match is None and (suggestion := catalog.suggest(route)) is not None:
            suggestions[id(route)] = suggestion
        assessment = None
        if match is not None:
            module = modules.get(route.file)
            if isinstance(module, str):
                assessment = Assessment(automatic=False, reasons=[module])
            else:
                assessment = assess(route, module, match=match)
        decisions.append(RouteDecision(route=route, match=match, assessment=assessment))
    mapped = [d.route for d in decisions if d.match is not None]
    staying = [d.route for d in decisions if d.match is None]
    removal = estimate_removal(run, mapped, staying)
    service, service_version = _project(root_path)
    if journal and journal.service:
        service = service or journal.service
    plan = build_plan(decisions, inventory.apps, removal=removal, journal=journal, service=service,
                      unresolved=len(inventory.unresolved))
    routes = [_route_report(d, journal, suggestions.get(id(d.route))) for d in decisions]
    summary = Summary(
        files_total=inventory.files_total,
        files_parsed=inventory.files_parsed,
        ignored_tests=inventory.ignored_tests,
        apps=len(inventory.apps),
        routes=len(routes),
        mapped=len(mapped),
        automatic=sum(1 for r in routes if r.status == "automatic"),
        manual=sum(1 for r in routes if r.status == "manual"),
        stays=sum(1 for r in routes if r.status == "stays"),
        unresolved=len(inventory.unresolved),
        skipped=len(inventory.skipped),
        lines_removed_phase3=removal.lines_removed,
        routes_seen=inventory.coverage.seen,
        routes_placed=inventory.coverage.placed,
        coverage=round(inventory.coverage.ratio, 4),
        low_coverage=inventory.coverage.ratio < LOW_COVERAGE,
        suggested=sum(1 for r in routes if r.suggestion),
    )
    return AnalysisReport(
        root=str(root_path),
        tool_version=__version__,
        service=service,
        service_version=service_version,
        catalog_source=catalog.source,
        summary=summary,
        apps=inventory.apps,
        routes=routes,
        unresolved=inventory.unresolved,
        skipped=inventory.skipped,
        plan=plan,
        unplaced=inventory.coverage.unplaced,
    )


def _route_report(decision: RouteDecision, journal, suggestion: Match | None = None) -> RouteReport:
    route, match, assessment = decision.route, decision.match, decision.assessment
    automatic = bool(assessment and assessment.automatic)
    status = "stays" if match is None else ("automatic" if automatic else "manual")
    return RouteReport(
        methods=route.methods,
        path=route.path,
        function=route.function,
        file=route.file,
        line=route.line,
        auth=route.auth,
        tenant_source=route.tenant_source,
        operation=match.operation if match else None,
        standard_path=match.standard_path if match else None,
        automatic=automatic,
        manual_steps=list(assessment.reasons) if assessment and not automatic else [],
        status=status,
        app=route.app,
        variant=match.entry.variant if match else None,
        standard_method=match.entry.standard_method if match else None,
        primary=match.entry.primary if match else None,
        param_map=match.param_map if match else {},
        adapters=list(match.entry.adapters) if match else [],
        tenant_param=route.tenant_param,
        conditional=route.conditional,
        state=route_state(journal, route.methods, route.path),
        confidence=match.confidence if match else (suggestion.confidence if suggestion else None),
        evidence=list(match.evidence if match else suggestion.evidence if suggestion else []),
        suggestion=suggestion.entry.key if suggestion else None,
    )


if __name__ == "__main__":  # python -m migrator.analyze > docs/analyze.schema.json
    print(json.dumps(report_schema(), indent=2, sort_keys=True))
