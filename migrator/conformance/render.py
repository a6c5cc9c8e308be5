"""Renderers of a `ConformanceReport`: a rich table for terminals and JSON for machines."""

from __future__ import annotations

from typing import Optional

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .suite import CheckStatus, ConformanceReport

__all__ = ["render_json", "render_rich"]

_STYLE = {
    CheckStatus.PASSED: ("PASS", "green"),
    CheckStatus.FAILED: ("FAIL", "bold red"),
    CheckStatus.SKIPPED: ("SKIP", "yellow"),
    CheckStatus.NOT_IMPLEMENTED: ("501", "yellow"),
    CheckStatus.NOT_APPLICABLE: ("N/A", "dim"),
}


def render_json(report: ConformanceReport) -> str:
    return report.model_dump_json(indent=2)


def render_rich(report: ConformanceReport, console: Optional[Console] = None, *, verbose: bool = False) -> None:
    """One row per check (passed checks only with ``verbose``), then the counts and the verdict."""
    console = console or Console()
    table = Table(title=f"Standard API conformance: {escape(report.target)} (tenant {escape(report.tenant_id)})")
    table.add_column("suite", style="cyan", no_wrap=True)
    table.add_column("check")
    table.add_column("result", no_wrap=True)
    table.add_column("details", overflow="fold")
    shown = 0
    for check in report.checks:
        if check.status is CheckStatus.PASSED and not verbose:
            continue
        label, style = _STYLE[check.status]
        where = f"{check.method} {check.path}" if check.method else ""
        details = " — ".join(part for part in (where, check.reason or "") if part)
        table.add_row(check.suite, escape(check.name), f"[{style}]{label}[/]", escape(details))
        shown += 1
    if shown:
        console.print(table)
    counts = report.counts
    verdict = "[bold green]conformant[/]" if report.ok else "[bold red]NOT conformant[/]"
    console.print(
        f"{verdict}: {counts['passed']} passed, {counts['failed']} failed, {counts['not-implemented']} not implemented,"
        f" {counts['not-applicable']} not applicable, {counts['skipped']} skipped in {report.duration_ms / 1000:.2f}s"
        f" (suite {report.suite})"
    )
    if report.single_tenant:
        console.print(f"a single-tenant deployment ({escape(report.single_tenant)}): the checks that create tenants "
                      "are not applicable")
    if report.tenant_source != "given":
        console.print(f"tenant {escape(report.tenant_id)} picked from {escape(report.tenant_source)} (--tenant to choose)")
    if report.mandatory_not_implemented:
        missing = ", ".join(report.mandatory_not_implemented)
        console.print(f"[yellow]mandatory operations answering 501[/]: {escape(missing)} (--strict fails on them)")
