"""The `migrator` command line: thin wrappers that call library functions.

Each command lives in its own module under `migrator.commands` and registers itself through
``register(app: typer.Typer)``; this module only assembles them, so commands can grow independently.
Exit codes everywhere: 0 ok, 1 findings (diffs, parity failures, conformance failures), 2 usage or input errors.
An exception no command turned into a message is still bad input as far as the user can tell: the root group prints
it as one line and exits 2 (never 1, which CI reads as findings); ``migrator --debug CMD`` shows the traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Optional

import click
import typer
from typer.core import TyperGroup

from migrator import __version__

# Help lists the commands in the order a migration uses them; commands not named here follow alphabetically.
_ORDER = ["demo", "analyze", "apply", "status", "record", "parity", "conform"]



class GuardedGroup(TyperGroup):
    """The root command group: unexpected exceptions become one line on stderr and exit 2 (unless --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            typer.echo("migrator: interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            typer.echo(f"migrator: error: {describe(exc)} (unexpected; rerun with --debug for the traceback)",
                       err=True)
            raise typer.Exit(2) from None


def describe(exc: BaseException) -> str:
    """One line: the exception type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return type(exc).__name__ + (f": {lines[0]}" if lines else "")


app = typer.Typer(
    name="migrator",
    cls=GuardedGroup,
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
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an unexpected error (else one line)."),
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
