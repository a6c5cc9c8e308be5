"""Rich rendering of the analyze report (colours on a terminal, plain text otherwise)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from migrator.analyze import AnalysisReport
from migrator.plan import Phase, PlanItem
from migrator.report import suggestion_toml

_STATUS = {"automatic": "[green]automatic[/]", "manual": "[yellow bold]manual[/]", "stays": "[dim]stays[/]"}


def _where(item: PlanItem) -> str:
    if item.file and item.line:
        return f"  [dim]{escape(item.file)}:{item.line}[/]"
    if item.file:
        return f"  [dim]{escape(item.file)}[/]"
    return ""


def _routes(report: AnalysisReport) -> Table:
    table = Table(title="Routes", title_justify="left", expand=False)
    table.add_column("Route", overflow="fold", ratio=3)
    table.add_column("Function", overflow="fold", ratio=3)
    table.add_column("Auth · tenant", overflow="fold", ratio=2)
    table.add_column("Standard operation", overflow="fold", ratio=3)
    table.add_column("Phase 1", no_wrap=True)
    for route in report.routes:
        label = Text(f"{','.join(route.methods)} {route.path}")
        if route.conditional:
            label.append(" (if)", style="dim")
        operation = (
            f"{route.operation}\n{route.standard_method} {route.standard_path}" if route.operation
            else f"suggested: {route.suggestion}?" if route.suggestion else "—"
        )
        if route.operation and route.confidence is not None and route.confidence < 1:
            operation += f"\nby shape, {route.confidence:.2f}"
        who = ", ".join(route.auth) or "no auth"
        table.add_row(
            label,
            Text(f"{route.function.rsplit('.', 1)[-1]}\n{route.file}:{route.line}"),
            Text(f"{who}\n{route.tenant_source or 'no tenant'}"),
            Text(operation),
            _STATUS[route.status],
        )
    return table


def _phase(phase: Phase) -> Panel:
    lines: list[str] = []
    for item in phase.changes:
        lines.append(f"• {escape(item.text)}{_where(item)}")
    if not phase.changes:
        lines.append("[dim]no changes[/]")
    if phase.manual_steps:
        lines.append("")
        lines.append("[yellow bold]Manual steps[/]")
        lines += [f"☐ {escape(item.text)}{_where(item)}" for item in phase.manual_steps]
    if phase.files:
        lines.append("")
        lines.append(f"[dim]files touched ({len(phase.files)}): {escape(', '.join(phase.files))}[/]")
    body: list = [Text.from_markup("\n".join(lines))]
    if phase.estimate is not None:
        est = phase.estimate
        body.append(Text.from_markup(f"\nEstimated legacy code removed: [bold]{est.lines_removed}[/] lines"))
        if est.modules:
            table = Table(show_header=True, expand=False)
            table.add_column("Module")
            table.add_column("Lines now", justify="right")
            table.add_column("Removed", justify="right")
            table.add_column("What", overflow="fold")
            for module in est.modules:
                what = "whole module" if module.whole_module else ", ".join(module.definitions)
                table.add_row(Text(module.file), str(module.lines_total), str(module.lines_removed), Text(what))
            body.append(table)
    status = "[green]done[/]" if phase.status == "done" else "to do"
    when = ""
    if phase.applied_at:
        when = f", applied {phase.applied_at[:10]}"
    elif phase.planned_start:
        when = f", planned {phase.planned_start} – {phase.planned_end}"
    return Panel(Group(*body), title=f"Phase {phase.phase} · weeks {phase.weeks} · {status}{when}",
                 title_align="left")


def coverage_line(report: AnalysisReport) -> str:
    s = report.summary
    line = (f"coverage: {s.routes_placed} of {s.routes_seen} route decorators and add_api_route calls placed in an "
            f"app ({s.coverage:.0%})")
    if report.unplaced:
        line += f"; {len(report.unplaced)} not placed (listed first)"
    if s.low_coverage:
        line += " - under 90%: the inventory is incomplete, see why below"
    return line


def render_rich(report: AnalysisReport, console: Console) -> None:
    _print_overview(report, console)
    for section in (_print_unplaced, _print_routes, _print_needs_a_person, _print_suggested, _print_candidates,
                    _print_unresolved, _print_skipped, _print_lifecycle, _print_unimplemented):
        section(report, console)
    if report.routes:
        for phase in report.plan.phases:
            console.print(_phase(phase))


def _print_overview(report: AnalysisReport, console: Console) -> None:
    """The title, the counts, the coverage, the single tenant and the suggestions."""
    s = report.summary
    name = report.service or report.root
    console.print(f"[bold]migrator analyze[/] {escape(name)} {escape(report.service_version or '')}".rstrip(),
                  highlight=False)
    console.print(
        f"{s.files_total} Python files, {s.files_parsed} parsed; {s.apps} app(s), {s.routes} routes: "
        f"[green]{s.automatic} automatic[/], [yellow]{s.manual} manual[/], {s.stays} stay as is; "
        f"{s.unresolved} unresolved, {s.skipped} skipped; phase 3 removes ~{s.lines_removed_phase3} lines",
        highlight=False,
    )
    console.print(coverage_line(report), highlight=False, markup=False,
                  style="yellow bold" if s.low_coverage else None)
    if not report.apps:
        console.print(f"[yellow]No FastAPI app found[/] ({s.files_total} Python files scanned).")
    tenant = report.plan.single_tenant
    if tenant is not None:
        served = " or ".join(x for x in (f"${tenant.env}" if tenant.env else None, tenant.tenant) if x)
        console.print(Text(f"single-tenant deployment: serves the tenant {served} ({tenant.origin})"))
    for line in report.plan.suggestions:
        console.print(Text(f"suggestion: {line}", style="bold"))


def _print_unplaced(report: AnalysisReport, console: Console) -> None:
    if not report.unplaced:
        return
    table = Table(title=f"Routes seen but not placed in any app ({len(report.unplaced)})", title_justify="left")
    table.add_column("Where", no_wrap=True)
    table.add_column("Function", overflow="fold")
    table.add_column("Why", overflow="fold")
    for item in report.unplaced:
        table.add_row(Text(f"{item.file}:{item.line}"), Text(item.function or "?"), Text(item.reason))
    console.print(table)


def _print_routes(report: AnalysisReport, console: Console) -> None:
    if report.routes:
        console.print(_routes(report))


def _print_needs_a_person(report: AnalysisReport, console: Console) -> None:
    manual = [r for r in report.routes if r.status == "manual"]
    if not manual:
        return
    console.print("[yellow bold]Needs a person[/]")
    for route in manual:
        console.print(f"  {','.join(route.methods)} {escape(route.path)} [dim]({escape(route.file)}:{route.line})[/]",
                      highlight=False)
        for reason in route.manual_steps:
            console.print(Text(f"    - {reason}"), highlight=False)


def _print_candidates(report: AnalysisReport, console: Console) -> None:
    candidates = [r for r in report.routes if r.candidate]
    if not candidates:
        return
    console.print(Text("Candidates (another route of the operation holds its logic)", style="bold"))
    for route in candidates:
        console.print(Text(f"  {','.join(route.methods)} {route.path}: {route.candidate}"), highlight=False)


def _print_suggested(report: AnalysisReport, console: Console) -> None:
    suggested = [r for r in report.routes if r.suggestion]
    if not suggested:
        return
    console.print(Text("Suggested mappings (confirm each with an entry in [tool.migrator.catalog], e.g. "
                       + suggestion_toml(suggested[0]).replace("\n", "; ") + ")", style="bold"))
    for route in suggested:
        console.print(Text(f"  {','.join(route.methods)} {route.path} -> {route.suggestion} "
                           f"({route.confidence:.2f}: {'; '.join(route.evidence)})"), highlight=False)


def _print_unresolved(report: AnalysisReport, console: Console) -> None:
    if not report.unresolved:
        return
    table = Table(title="Unresolved", title_justify="left")
    table.add_column("Where", no_wrap=True)
    table.add_column("Reason", overflow="fold")
    for item in report.unresolved:
        table.add_row(Text(f"{item.file}:{item.line}"), Text(item.reason))
    console.print(table)


def _print_skipped(report: AnalysisReport, console: Console) -> None:
    if not report.skipped:
        return
    table = Table(title="Skipped files", title_justify="left")
    table.add_column("File", overflow="fold")
    table.add_column("Reason", overflow="fold")
    for item in report.skipped:
        table.add_row(Text(item.file), Text(item.reason))
    console.print(table)


def _print_lifecycle(report: AnalysisReport, console: Console) -> None:
    if report.plan.lifecycle is None:
        return
    console.print("[bold]Tenant lifecycle[/] (how phase 1 serves it)")
    for line in report.plan.lifecycle.lines():
        console.print(Text(f"  {line}"), highlight=False)


def _print_unimplemented(report: AnalysisReport, console: Console) -> None:
    if report.plan.unimplemented_operations:
        console.print("Standard operations without legacy logic (501 until implemented): "
                      + ", ".join(report.plan.unimplemented_operations), highlight=False, markup=False)
