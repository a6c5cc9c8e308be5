"""`migrator analyze REPO`: static route inventory, catalog mapping, movability and the phase plan."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

# Show a progress bar only when there is enough to parse for it to matter.
PROGRESS_MIN_FILES = 100


def _fail(message: str) -> None:
    typer.echo(f"migrator analyze: {message}", err=True)
    raise typer.Exit(2)


def _progress_callback(enabled: bool):
    """A (done, total) callback that opens a rich progress bar on stderr once the total is large enough."""
    if not enabled:
        return None, lambda: None
    state: dict = {}

    def update(done: int, total: int) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        if "progress" not in state:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            # auto_refresh=False: no refresh thread, so forking the worker pool stays safe.
            progress = Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=Console(stderr=True), auto_refresh=False, transient=True)
            progress.start()
            state["progress"] = progress
            state["task"] = progress.add_task("parse", total=total)
        state["progress"].update(state["task"], completed=done)
        state["progress"].refresh()

    def close() -> None:
        if "progress" in state:
            state["progress"].stop()

    return update, close


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    def analyze_command(
        repo: Path = typer.Argument(..., help="Root of the legacy service (or a monorepo holding several)."),
        output_format: str | None = typer.Option(
            None, "--format", "-f",
            help="rich (default; plain text when not a terminal), json (stable schema), markdown (PR comment). "
            "With -o and no --format, the file suffix decides (.json, .md).",
        ),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to FILE (atomically)."),
        workers: int | None = typer.Option(
            None, "--workers", min=1, help="Parser processes (default: a pool only for large repositories)."
        ),
        include_tests: bool = typer.Option(False, "--include-tests", help="Also analyse tests/ and test_*.py."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Never show a progress bar."),
        tenant: str | None = typer.Option(
            None, "--tenant", help="Plan as a single-tenant deployment serving this tenant id (as apply --tenant)."),
    ) -> None:
        """Inventory every route of every FastAPI app, map it to the Standard API, and plan the three phases."""
        from migrator.report import FORMATS, format_for_path

        fmt = output_format or (format_for_path(output) if output else "rich")
        if fmt not in FORMATS:
            _fail(f"unknown --format {fmt!r} (choose from {', '.join(FORMATS)})")
        if not repo.exists():
            _fail(f"{repo}: no such directory")
        if not repo.is_dir():
            _fail(f"{repo}: not a directory")
        if output is not None and output.is_dir():
            _fail(f"{output}: is a directory")

        from migrator.analyze import analyze
        from migrator.apply import ApplyError, recover_target
        from migrator.catalog import CatalogError
        from migrator.inventory.build import InventoryInputError
        from migrator.plan import PlanInputError

        try:
            recover_target(repo, say=lambda line: typer.echo(f"migrator analyze: {line}", err=True))
        except ApplyError as exc:
            _fail(str(exc))
        update, close = _progress_callback(sys.stderr.isatty() and not no_progress)
        try:
            report = analyze(repo, workers=workers, progress=update, include_tests=include_tests, tenant=tenant)
        except (InventoryInputError, CatalogError, PlanInputError) as exc:
            close()
            _fail(str(exc))
        finally:
            close()

        _render(report, fmt, output)
        if not report.apps:
            from migrator.commands._hints import unparsable_note

            note = unparsable_note(report.skipped)
            if note:
                _fail(f"{repo}: no FastAPI app found; could not parse {note}")


def _render(report, fmt: str, output: Path | None) -> None:
    """The report on stdout, or written atomically to ``output``."""
    from migrator.report import write_atomic

    if fmt == "json":
        from migrator.report.json_out import render_json

        text = render_json(report)
    elif fmt == "markdown":
        from migrator.report.markdown import render_markdown

        text = render_markdown(report)
    else:
        from rich.console import Console

        from migrator.report.terminal import render_rich

        if output is None:
            render_rich(report, Console(width=None if sys.stdout.isatty() else 140))
            return
        console = Console(record=True, width=140, file=open_null(), color_system=None)
        render_rich(report, console)
        text = console.export_text()
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror or exc}")


def open_null():
    import io

    return io.StringIO()
