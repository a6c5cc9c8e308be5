"""`migrator record --requests FILE -o cassette.jsonl [--app module:app | --target URL]`.

Also holds the target options `migrator parity` shares (one definition of --app/--target/--repo/... ).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import typer

# Heavy modules (the parity package, rich) are imported inside the functions: `migrator --help` and the other
# commands never load them.

APP = typer.Option(None, "--app", help="The service in process, as module:app (default: \\[tool.migrator] app).")
TARGET = typer.Option(None, "--target", help="The service over HTTP, e.g. http://127.0.0.1:8000.")
REPO = typer.Option(None, "--repo", help="The target folder (pyproject.toml, journal, import root). Default: the "
                                         "nearest folder above the input file with \\[tool.migrator], else the cwd.")
RESET = typer.Option(None, "--reset", help="module:function that rebuilds the target's data (overrides "
                                           "\\[tool.migrator.parity] reset).")
NO_RESET = typer.Option(False, "--no-reset", help="Do not call any reset hook.")
CREDENTIAL = typer.Option(None, "--credential", help="NAME=VALUE for a ${NAME} or <redacted:NAME> placeholder "
                                                     "(repeatable; or env MIGRATOR_CRED_<NAME>).")
ENV = typer.Option(None, "--env", help="KEY=VALUE set before the app is imported (repeatable).")


def register(app: typer.Typer) -> None:
    app.command(name="record")(record_command)


def fail(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(f"error: {message}", highlight=False, markup=False)
    raise typer.Exit(2)


@contextmanager
def progress_bar(label: str, total: Optional[int]) -> Iterator[Optional[Callable[[int], None]]]:
    """A progress bar on stderr when it is a terminal; nothing otherwise (CI logs, pipes)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def target_options(app_spec, target, repo, reset, no_reset, credential, env) -> dict:
    from migrator.parity.credentials import parse_assignments
    from migrator.parity.errors import ParityUsageError

    if repo is not None:  # an interrupted `migrator apply` is completed (rolled back) before reading the target
        from migrator.apply import ApplyError, recover_target

        try:
            recover_target(repo, say=lambda line: typer.echo(line, err=True))
        except ApplyError as exc:
            raise ParityUsageError(str(exc)) from exc
    return {
        "app": app_spec,
        "target": target,
        "repo": repo,
        "reset": reset,
        "no_reset": no_reset,
        "credentials": parse_assignments(credential or [], "--credential"),
        "env": parse_assignments(env or [], "--env"),
    }


def record_command(
    requests: Path = typer.Option(..., "--requests", "-r", help="The request list (YAML or JSON)."),
    output: Path = typer.Option(..., "--output", "-o", help="The cassette to write (JSON Lines)."),
    app_spec: Optional[str] = APP,
    target: Optional[str] = TARGET,
    repo: Optional[Path] = REPO,
    reset: Optional[str] = RESET,
    no_reset: bool = NO_RESET,
    credential: Optional[List[str]] = CREDENTIAL,
    env: Optional[List[str]] = ENV,
    timestamps: bool = typer.Option(True, "--timestamps/--no-timestamps",
                                    help="Store time and elapsed_ms (leave out for a byte-identical re-recording)."),
) -> None:
    """Send a request list to the (legacy) service and record what comes back, secrets redacted."""
    from rich.console import Console
    from rich.table import Table

    from migrator.parity.errors import ParityUsageError
    from migrator.parity.record import RecordOptions, record

    try:
        options = RecordOptions(requests=requests, output=output, timestamps=timestamps,
                                **target_options(app_spec, target, repo, reset, no_reset, credential, env))
        from migrator.parity.cassette import load_request_list

        total = len(load_request_list(requests).requests)
        with progress_bar("recording", total) as advance:
            result = record(options, advance)
    except ParityUsageError as exc:
        fail(str(exc))
        return
    console = Console()
    table = Table(title=f"Recorded {len(result.exchanges)} exchanges from {result.target}", title_justify="left")
    for column in ("name", "request", "status"):
        table.add_column(column)
    for item in result.exchanges:
        status = str(item.status)
        if item.unexpected:
            status = f"[red]{item.status} (expected {item.expect})[/red]"
        table.add_row(item.name, f"{item.method} {item.url}", status)
    console.print(table, highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    for warning in result.warnings:
        console.print(f"warning: {warning}", highlight=False, markup=False)
    console.print(f"wrote {result.output}", highlight=False, markup=False)
    if result.unexpected:
        console.print(f"[red]{len(result.unexpected)} request(s) answered another status than `expect`[/red]")
        raise typer.Exit(1)
