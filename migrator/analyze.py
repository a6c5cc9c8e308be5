"""`analyze(root)`: inventory + catalog mapping + movability + plan, as one report (JSON schema version 1).

The report is a pydantic model; `report_schema()` is its JSON Schema, committed as docs/analyze.schema.json
(regenerate with `python -m migrator.analyze > docs/analyze.schema.json`). Fields listed in the schema of the
issue are stable; others may be added.
"""

from __future__ import annotations

import json
import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from migrator import __version__
from migrator.catalog import Catalog
from migrator.inventory.build import Progress
from migrator.inventory.coverage import LOW_COVERAGE
from migrator.inventory.models import App, Skipped, UnplacedRoute, Unresolved
from migrator.plan import MigrationPlan, PlannedRoute, route_state
from migrator.planner import make_plan


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
    plan: MigrationPlan
    unplaced: list[UnplacedRoute] = Field(default_factory=list)  # seen in the source, not in any app (why)


def report_schema() -> dict:
    schema = AnalysisReport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "migrator analyze report (version 1)"
    return schema


def analyze(
    root: str | os.PathLike,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    include_tests: bool = False,
    catalog: Catalog | None = None,
    tenant: str | None = None,
) -> AnalysisReport:
    """Analyse a legacy service. Raises InventoryInputError / CatalogError / PlanInputError on bad input.
    `tenant`: the tenant a single-tenant deployment serves (as `apply --tenant`)."""
    run = make_plan(root, workers=workers, progress=progress, include_tests=include_tests, catalog=catalog,
                    tenant=tenant)
    return report_for(run.plan, run.inventory, run.catalog.source, run.journal, root)


def report_for(plan: MigrationPlan, inventory, catalog_source, journal, root) -> AnalysisReport:
    routes = [_route_report(route, journal) for route in plan.routes]
    estimate = plan.phase(3).estimate
    summary = Summary(
        files_total=inventory.files_total,
        files_parsed=inventory.files_parsed,
        ignored_tests=inventory.ignored_tests,
        apps=len(inventory.apps),
        routes=len(routes),
        mapped=sum(1 for r in plan.routes if r.mapped),
        automatic=sum(1 for r in routes if r.status == "automatic"),
        manual=sum(1 for r in routes if r.status == "manual"),
        stays=sum(1 for r in routes if r.status == "stays"),
        unresolved=len(inventory.unresolved),
        skipped=len(inventory.skipped),
        lines_removed_phase3=estimate.lines_removed if estimate else 0,
        routes_seen=inventory.coverage.seen,
        routes_placed=inventory.coverage.placed,
        coverage=round(inventory.coverage.ratio, 4),
        low_coverage=inventory.coverage.ratio < LOW_COVERAGE,
        suggested=sum(1 for r in routes if r.suggestion),
    )
    return AnalysisReport(
        root=str(root),
        tool_version=__version__,
        service=plan.service,
        service_version=plan.service_version,
        catalog_source=catalog_source,
        summary=summary,
        apps=inventory.apps,
        routes=routes,
        unresolved=inventory.unresolved,
        skipped=inventory.skipped,
        plan=plan,
        unplaced=inventory.coverage.unplaced,
    )


def _route_report(route: PlannedRoute, journal) -> RouteReport:
    verdict = route.verdict
    status = "stays" if not route.mapped else verdict.status if verdict.status != "stays" else "manual"
    return RouteReport(
        methods=route.methods,
        path=route.path,
        function=route.function,
        file=route.file,
        line=route.line,
        auth=route.auth,
        tenant_source=verdict.tenant.source if verdict.tenant else route.tenant_source,
        operation=route.operation,
        standard_path=route.standard_path,
        automatic=verdict.automatic,
        manual_steps=verdict.messages if route.mapped and not verdict.automatic else [],
        status=status,
        app=route.app,
        variant=route.variant,
        standard_method=route.standard_method,
        primary=route.primary,
        param_map=route.param_map,
        adapters=route.adapters,
        tenant_param=verdict.tenant.param if verdict.tenant else None,
        conditional=route.conditional,
        state=route_state(journal, route.methods, route.path),
        confidence=route.confidence,
        evidence=route.evidence,
        suggestion=route.suggestion,
    )


if __name__ == "__main__":  # python -m migrator.analyze > docs/analyze.schema.json
    print(json.dumps(report_schema(), indent=2, sort_keys=True))
