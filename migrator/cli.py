"""The `migrator` command line: thin wrappers that call library functions.

Each command lives in its own module under `migrator.commands` and registers itself through
``register(app: typer.Typer)``; this module only assembles them, so commands can grow independently.
Exit codes everywhere: 0 ok, 1 findings (diffs, parity failures, conformance failures), 2 usage or input errors.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Optional

import typer

from migrator import __version__

# Help lists the commands in the order a migration uses them; commands not named here follow alphabetically.
_ORDER = ["demo", "analyze", "apply", "status", "record", "parity", "conform"]

app = typer.Typer(
    name="migrator",
    help="Migrate a legacy FastAPI service onto the Standard API v2 in phases, and prove nothing broke.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"migrator {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Migrate a legacy FastAPI service onto the Standard API v2 in phases, and prove nothing broke."""


def _requested_command(argv: list[str], names: list[str]) -> Optional[str]:
    """The command named on the command line, if any: only its module needs importing (start-up time)."""
    for arg in argv:
        if arg.startswith("-"):
            continue
        return arg if arg in names else None
    return None


def _register_commands() -> None:
    import migrator.commands as package

    names = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    wanted = _requested_command(sys.argv[1:], names) if Path(sys.argv[0]).name in ("migrator", "__main__.py") else None
    for name in names:
        if wanted is None or name == wanted:
            module = importlib.import_module(f"migrator.commands.{name}")
            module.register(app)


_register_commands()


def main() -> None:
    app()
