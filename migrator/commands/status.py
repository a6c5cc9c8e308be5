"""`migrator status REPO [--format rich|json]`: the phase, its dates, the next phase and what blocks it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from migrator.status import StatusReport

# The plan, the journal and rich are imported inside the command: `migrator --help` and the other commands never
# load them.


def register(app: typer.Typer) -> None:
    app.command(name="status")(status)


def status(
    repo: Path = typer.Argument(..., help="The service repository being migrated."),
    format: str = typer.Option("rich", "--format", help="rich (a terminal report) or json."),
    calls: Optional[Path] = typer.Option(
        None, "--calls", help="Deprecation call log (JSON lines) for phase 3's guard; default: "
                              "$MIGRATOR_DEPRECATION_LOG, else .migrator/deprecation-calls.jsonl in REPO."),
    quiet_days: int = typer.Option(7, "--quiet-days", help="Phase 3 needs no deprecated call in this many days."),
) -> None:
    """Show the migration phase of REPO, its dates, what the next phase will do and what blocks it."""
    from rich.console import Console

    from migrator.journal import JournalError
    from migrator.status import status_report
    from migrator.target import TargetError

    err = Console(stderr=True, soft_wrap=True)
    if format not in ("rich", "json"):
        err.print(f"error: --format must be rich or json, not {format!r}", highlight=False)
        raise typer.Exit(2)
    if quiet_days < 0:
        err.print(f"error: --quiet-days must be 0 or more, not {quiet_days}", highlight=False)
        raise typer.Exit(2)
    from migrator.apply import ApplyError, recover_target

    try:
        recover_target(repo, say=lambda line: err.print(line, highlight=False, markup=False))
        report = status_report(repo, quiet_days=quiet_days, calls=calls)
    except (TargetError, JournalError, ApplyError) as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(2)
    if format == "json":
        typer.echo(report.model_dump_json(indent=2))
        return
    render(Console(soft_wrap=True), report)


def render(console: Console, report: StatusReport) -> None:
    """The report as text; what it quotes from the plan and the journal (reasons naming `[tool.migrator]`, paths,
    the service's name) is escaped, so rich does not take its brackets for markup."""
    from rich.markup import escape
    from rich.table import Table

    version = f" {report.service_version}" if report.service_version else ""
    where = f"phase {report.phase}" if report.phase else "not migrated yet (phase 0)"
    console.print(f"[bold]{escape(report.service + version)}[/bold]: {where}", highlight=False)
    table = Table(title_justify="left")
    table.add_column("phase")
    table.add_column("weeks")
    table.add_column("applied")
    table.add_column("planned")
    for phase in report.phases:
        applied = phase.applied_at or "-"
        if phase.forced:
            applied += " (forced)"
        table.add_row(str(phase.phase), phase.weeks, applied, phase.planned or "-")
    console.print(table)
    if report.deprecation:
        gone = "; removed paths answer 410" if report.deprecation.gone else ""
        console.print(f"Deprecation: {report.deprecation.date}  Sunset: {report.deprecation.sunset}{gone}",
                      highlight=False)
    if report.routes:
        console.print("Routes: " + ", ".join(f"{state} {n}" for state, n in report.routes.items()), highlight=False)
    for line in report.manual:
        console.print(f"  manual: {escape(line)}", highlight=False)
    if report.lifecycle:
        console.print("Tenant lifecycle:", highlight=False)
        for line in report.lifecycle:
            console.print(f"  {line}", highlight=False, markup=False)
    step = report.next
    if step is None:
        if report.manual:
            console.print(f"Next: no phase left; {len(report.manual)} route(s) above still need a person.")
        else:
            console.print("Next: nothing — the migration is complete.")
        return
    console.print(f"[bold]Next: phase {step.phase}[/bold] ({escape(step.command)})", highlight=False)
    if step.idle:
        console.print(f"  [yellow]it would change nothing:[/yellow] {escape(step.idle)}", highlight=False)
    else:
        console.print(f"  will {escape(step.action)}" + (f" — {step.routes} route(s)" if step.routes else ""),
                      highlight=False)
    if step.sunset:
        console.print(f"  Sunset it would publish: {step.sunset} (override with --sunset)", highlight=False)
    if step.blockers:
        console.print("  [red]blocked:[/red]")
        for blocker in step.blockers:
            console.print(f"    - {escape(blocker.message)}", highlight=False)
        if step.phase == 3:  # only phase 3's guards can be overridden
            console.print("  (`--force` overrides; the journal records it)")
    elif not step.idle:
        console.print("  [green]nothing blocks it[/green]")
