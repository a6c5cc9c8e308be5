"""`migrator parity --cassette FILE [--app module:app | --target URL] [--phase N] [--format ...] [-o FILE]`.

Exit codes: 0 every exchange equal (noise aside), 1 regressions, 2 usage or input error — including a run that
compared nothing (an empty cassette), unless ``--allow-empty``.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.text import Text

from migrator.commands.record import (
    APP,
    CREDENTIAL,
    ENV,
    NO_RESET,
    REPO,
    RESET,
    TARGET,
    fail,
    progress_bar,
    target_options,
)
from migrator.parity.cassette import write_text_atomic
from migrator.parity.errors import ParityUsageError
from migrator.parity.render import RENDERERS, print_rich
from migrator.parity.replay import ParityOptions, count_exchanges, run_parity


class Format(str, Enum):
    rich = "rich"
    json = "json"
    junit = "junit"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command(name="parity")(parity_command)


def parity_command(
    cassette: Path = typer.Option(..., "--cassette", "-c", help="The recorded cassette (JSON Lines)."),
    app_spec: Optional[str] = APP,
    target: Optional[str] = TARGET,
    phase: Optional[int] = typer.Option(None, "--phase", min=0, max=3,
                                        help="Expectations of phase N (default: the journal's last phase, else 0)."),
    fmt: Format = typer.Option(Format.rich, "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report here (atomically)."),
    repo: Optional[Path] = REPO,
    reset: Optional[str] = RESET,
    no_reset: bool = NO_RESET,
    credential: Optional[List[str]] = CREDENTIAL,
    env: Optional[List[str]] = ENV,
    market_key: Optional[str] = typer.Option(None, "--market-key", envvar="MIGRATOR_MARKET_KEY",
                                             help="X-Market-API-Key for standard twins (default: env "
                                                  "MARKET_API_KEY or the first of MARKET_API_KEYS)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="A JSON path, header:NAME or status to "
                                                                      "ignore (repeatable)."),
    noise: bool = typer.Option(True, "--noise/--no-noise", help="Replay differing exchanges again to detect noise."),
    twins: bool = typer.Option(True, "--twins/--no-twins", help="Also compare the standard equivalents."),
    requests: Optional[Path] = typer.Option(None, "--requests", help="A request list whose credential defaults "
                                                                     "replay may use (last resort)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Rich format: list passing exchanges too."),
    allow_empty: bool = typer.Option(False, "--allow-empty", help="Pass a run that compared no exchange (by "
                                                                  "default that is an error, exit 2)."),
) -> None:
    """Replay a cassette against the service and compare by the phase's expectations."""
    try:
        options = ParityOptions(cassette=cassette, phase=phase, market_key=market_key, ignore=list(ignore or []),
                                noise=noise, twins=twins, requests=requests, allow_empty=allow_empty,
                                **target_options(app_spec, target, repo, reset, no_reset, credential, env))
        total = count_exchanges(cassette) if cassette.is_file() else None
        with progress_bar("replaying", total) as advance:
            report = run_parity(options, advance)
        if output is not None:
            write_text_atomic(output, RENDERERS[fmt.value](report))
    except ParityUsageError as exc:
        fail(str(exc))
        return
    console = Console(highlight=False)
    if output is not None:
        style = "red" if report.summary.failed else "green"
        console.print(Text(f"{report.summary.line()} — report written to {output}", style=style))
    elif fmt is Format.rich:
        print_rich(report, console, verbose=verbose)
    else:
        sys.stdout.write(RENDERERS[fmt.value](report))
    raise typer.Exit(0 if report.ok else 1)
