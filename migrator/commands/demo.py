"""`migrator demo [--example advisor|llm_chatbot] [--keep]`: the whole migration of an embedded example."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command(name="demo")(demo)


def demo(
    example: str = typer.Option("advisor", "--example", help="Which embedded example: advisor, llm_chatbot, mentor or classroom."),
    workdir: Optional[Path] = typer.Option(None, "--workdir", help="Work here instead of a temporary folder."),
    keep: bool = typer.Option(False, "--keep", help="Keep the migrated copy to look at afterwards."),
) -> None:
    """Migrate a copy of an embedded legacy service through all three phases, with parity checks at each."""
    from rich.console import Console
    from rich.table import Table

    from migrator.demo import DemoError, run_demo

    console = Console()
    err = Console(stderr=True)

    def say(event: str, payload) -> None:
        if event == "copied":
            console.rule(f"[bold]migrator demo[/] — {example}")
            console.print(f"working on a copy: {payload}", highlight=False)
        elif event == "analysis":
            from migrator.report.terminal import render_rich

            render_rich(payload, console)
        elif event == "phase":
            from migrator.commands.apply import report

            report(console, payload, [c.path for c in payload.changes if c.changed])
        elif event == "parity":
            from migrator.parity.render import print_rich

            print_rich(payload, console)
        elif event == "step":
            mark = "[green]✓[/]" if payload.ok else "[red]✗[/]"
            console.rule(f"{mark} {payload.name} ({payload.seconds:.1f} s)")

    try:
        result = run_demo(example, workdir=workdir, say=say)
    except DemoError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2)
    table = Table(title=f"migrator demo: {example}", title_justify="left")
    for column in ("step", "result", "parity", "time"):
        table.add_column(column)
    for step in result.steps:
        style = "green" if step.ok else "red"
        table.add_row(step.name, f"[{style}]{step.detail}[/]", step.parity or "", f"{step.seconds:.1f} s")
    console.print(table)
    if keep or workdir:
        console.print(f"the migrated copy is in {result.workdir}", highlight=False)
    else:
        shutil.rmtree(result.workdir.parent, ignore_errors=True)
    if not result.ok:
        err.print("demo: a parity check found regressions (see above)")
        raise typer.Exit(1)
