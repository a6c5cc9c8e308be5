"""`migrator apply --phase N`: plan a phase's change set, then show it, check it, or write it all or nothing."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable, Optional

from migrator.apply.changes import ChangeError, FileChange, apply_changes, render_diff
from migrator.apply.result import ApplyError, ManualStep, PhaseResult

__all__ = ["ApplyError", "ChangeError", "FileChange", "ManualStep", "PhaseResult", "plan_phase", "write_phase",
           "render_diff", "recover_target"]


def plan_phase(root: Path, phase: int, **options) -> PhaseResult:
    """The change set of `phase` for the target at `root`; raises ApplyError when the phase cannot run."""
    if phase not in (1, 2, 3):
        raise ApplyError(f"--phase must be 1, 2 or 3, not {phase}")
    module = importlib.import_module(f"migrator.apply.phase{phase}")
    return getattr(module, f"plan_phase{phase}")(root, **options)


def write_phase(root: Path, result: PhaseResult, *, allow_dirty: bool = False) -> list[str]:
    """Refuse files with uncommitted git changes (unless `allow_dirty`), then write the change set all or nothing
    under the tree's apply lock; returns what was written. Raises ApplyError naming the file."""
    from migrator.apply.dirty import dirty_files
    from migrator.apply.lock import LockError, apply_lock
    from migrator.apply.transaction import TransactionError

    pending = [c for c in result.changes if c.changed]
    if not allow_dirty:
        dirty = dirty_files(root, [c.path for c in pending if c.old is not None and not c.path.startswith(".migrator/")])
        if dirty:
            raise ApplyError(f"{', '.join(dirty)}: uncommitted changes in file(s) phase {result.phase} rewrites; "
                             "commit or stash them first (or pass --allow-dirty)")
    try:
        with apply_lock(root):
            return apply_changes(root, result.changes, phase=result.phase)
    except (LockError, TransactionError) as exc:
        raise ApplyError(str(exc)) from exc


def recover_target(root: Path, say: Optional[Callable[[str], None]] = None) -> Optional[str]:
    """Complete an interrupted phase of the target (restore the state before it); returns what was done, or None.
    Every command that reads or writes a target calls this first. Raises ApplyError when it cannot."""
    from migrator.apply.transaction import TransactionError, recover

    if not Path(root).is_dir():
        return None
    try:
        done = recover(Path(root))
    except TransactionError as exc:
        raise ApplyError(str(exc)) from exc
    if done is None:
        return None
    line = done.line()
    if say is not None:
        say(line)
    return line
