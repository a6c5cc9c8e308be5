"""`migrator apply --phase N REPO [--diff | --check]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from migrator.apply import PhaseResult

# The phases (LibCST, the codemods) and rich are imported inside the command: `migrator --help` and the other
# commands never load them.


def register(app: typer.Typer) -> None:
    app.command(name="apply")(apply)


def apply(
    repo: Path = typer.Argument(..., help="The service repository to migrate."),
    phase: int = typer.Option(..., "--phase", help="1: handler + standard API, 2: deprecate, 3: remove."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff and write nothing."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if anything would change."),
    sunset: Optional[str] = typer.Option(None, "--sunset", help="Phase 2: the Sunset date (YYYY-MM-DD)."),
    gone: bool = typer.Option(False, "--gone", help="Phase 3: keep a 410 Gone stub per removed path."),
    force: bool = typer.Option(False, "--force", help="Phase 3: override the guards (recorded in the journal)."),
    quiet_days: int = typer.Option(7, "--quiet-days", help="Phase 3: no deprecated call in this many days."),
    calls: Optional[Path] = typer.Option(
        None, "--calls", help="Phase 3: the deprecation call log (JSON lines); default: $MIGRATOR_DEPRECATION_LOG, "
                              "else .migrator/deprecation-calls.jsonl."),
    allow_dirty: bool = typer.Option(False, "--allow-dirty",
                                     help="Rewrite files even when git shows uncommitted changes in them."),
    tenant: Optional[str] = typer.Option(
        None, "--tenant", help="Phase 1: this deployment serves one tenant, with this id (recorded in the journal; "
                               "overrides [tool.migrator] tenant)."),
) -> None:
    """Apply phase N of the migration plan to REPO (LibCST codemods; atomic, idempotent)."""
    from rich.console import Console

    from migrator.apply import ApplyError, ChangeError, plan_phase, recover_target, render_diff, write_phase
    from migrator.commands._hints import unparsable_in
    from migrator.journal import JournalError
    from migrator.target import TargetError

    err = Console(stderr=True, soft_wrap=True)  # one line per error, whatever the terminal width
    out = Console()
    options = _phase_options(err, phase, sunset=sunset, tenant=tenant, gone=gone, force=force, quiet_days=quiet_days,
                             calls=calls)
    if not repo.is_dir():
        err.print(f"error: {repo}: no such directory", highlight=False)
        raise typer.Exit(2)
    try:
        recover_target(repo, say=lambda line: err.print(line, highlight=False))
        if diff or check:
            result = plan_phase(repo, phase, **options)
        else:
            from migrator.apply.lock import LockError, apply_lock

            try:
                with apply_lock(repo, say=lambda line: err.print(line, highlight=False)):
                    result = plan_phase(repo, phase, **options)
                    written = write_phase(repo, result, allow_dirty=allow_dirty)
            except LockError as exc:
                raise ApplyError(str(exc)) from exc
        pending = [c for c in result.changes if c.changed]
        if diff:
            out.out(render_diff(pending), end="", highlight=False)
            raise typer.Exit(0)
        if check:
            for change in pending:
                out.print(f"would change: {change.path}", highlight=False)
            report_reasons(out, result)
            raise typer.Exit(1 if pending else 0)
    except (ApplyError, TargetError, JournalError, ChangeError) as exc:
        hint = unparsable_in(repo) if "no FastAPI app found" in str(exc) else None
        err.print(f"error: {exc}" + (f"; could not parse {hint}" if hint else ""), highlight=False, markup=False)
        raise typer.Exit(2)
    report(out, result, written)


def _phase_options(err: Console, phase: int, *, sunset: Optional[str], tenant: Optional[str], gone: bool,
                   force: bool, quiet_days: int, calls: Optional[Path]) -> dict:
    """The keyword options of `plan_phase(phase)`; an option of another phase or a bad date: one line, exit 2."""
    options: dict = {}
    if phase == 2 and sunset:
        try:
            options["sunset"] = date.fromisoformat(sunset)
        except ValueError:
            err.print(f"error: --sunset {sunset!r} is not a date (YYYY-MM-DD)")
            raise typer.Exit(2)
    if tenant is not None and phase != 1:
        err.print("error: --tenant belongs to --phase 1 (the journal keeps the tenant for the later phases)")
        raise typer.Exit(2)
    if tenant is not None:
        options["tenant"] = tenant
    if phase == 3:
        options.update(gone=gone, force=force, quiet_days=quiet_days, calls=calls)
    elif gone or force or calls is not None:
        err.print("error: --gone, --force and --calls belong to --phase 3")
        raise typer.Exit(2)
    return options


def report(console: Console, result: PhaseResult, written: list[str]) -> None:
    from rich.table import Table
    from rich.text import Text

    if result.moved and written:
        table = Table(title=f"Phase {result.phase}: routes", title_justify="left")
        table.add_column("legacy route")
        table.add_column("standard operation")
        for line in result.moved:
            route, _, op = line.partition(" -> ")
            table.add_row(Text(route), Text(op))  # plain text: `[tool.migrator.catalog]` is not markup
        console.print(table)
    report_reasons(console, result)
    if result.not_implemented and written:
        console.print("Standard operations answering 501 until someone implements them:")
        for op, why in sorted(result.not_implemented.items()):
            console.print(Text(f"  {op}: {why}"), highlight=False)
    for note in result.notes:
        console.print(Text(note), highlight=False)
    if not written:
        why = result.unchanged_reason or "already applied"
        console.print(Text(f"phase {result.phase}: nothing to change ({why})"), highlight=False)
        return
    written = list(dict.fromkeys(written))  # each file once
    console.print(f"phase {result.phase} applied: {len(written)} file(s) written", highlight=False)
    for path in written:
        console.print(Text(f"  {path}"), highlight=False)


def report_reasons(console: Console, result: PhaseResult) -> None:
    """The routes the phase leaves to a person, with the reason and file:line (shown also when nothing changes)."""
    from rich.text import Text

    if not result.manual:
        return
    console.print(f"Left to a person ({len(result.manual)}):", highlight=False)
    for step in result.manual:
        console.print(Text(f"  {step.where}  {step.route}: {step.reason}"), highlight=False, soft_wrap=True)
