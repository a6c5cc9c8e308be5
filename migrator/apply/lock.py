"""One `migrator apply` at a time per tree: `.migrator/apply.lock` holds the PID of the process applying a phase.

A lock whose process is gone (killed, crashed) is stale: the next `apply` takes it over and says so, and every
other command removes it while it completes the recovery of an interrupted transaction.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

LOCK = Path(".migrator") / "apply.lock"


class LockError(Exception):
    """Another live process holds the lock; the message names it."""


def _holder(path: Path) -> Optional[int]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").split()
        return int(text[0]) if text else None
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_lock(root: Path) -> Optional[int]:
    """Remove a lock left by a dead process (and `.migrator` when nothing else is in it); returns its PID."""
    path = root / LOCK
    if not path.exists():
        return None
    pid = _holder(path)
    if pid is not None and (pid == os.getpid() or _alive(pid)):
        return None
    try:
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()
    except OSError:
        return None
    return pid if pid is not None else -1


@contextmanager
def apply_lock(root: Path, say: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold the tree's apply lock for the block (re-entrant within one process)."""
    path = root / LOCK
    created_dir = not path.parent.exists()
    if created_dir:
        path.parent.mkdir()
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            pid = _holder(path)
            if pid == os.getpid():
                yield  # an outer block of this process holds it
                return
            if pid is not None and _alive(pid):
                raise LockError(f"{path}: another `migrator apply` (pid {pid}) is working on this tree; wait for it "
                                "to finish") from None
            say(f"took over the stale lock of pid {pid if pid is not None else '?'} (the process is gone)")
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        break
    try:
        yield
    finally:
        try:
            path.unlink()
            if created_dir and not any(path.parent.iterdir()):
                path.parent.rmdir()
        except OSError:
            pass
