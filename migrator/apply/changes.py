"""A change set over a target repo: verified, then shown as a diff, checked, or written all or nothing.

Every codemod produces new file contents in memory; nothing touches the disk until the whole set has been verified
(each Python file compiles: `compile` parses it and runs the compiler's checks, a `return` outside a function...).
The contents are LibCST's code for trees LibCST parsed or built; they are not parsed with LibCST a second time
(which would cost as much as the phase's own parse): one parse per file and phase. Writing goes through
`migrator.apply.transaction`, which restores every file when one write fails, and lets the next command recover from
a kill.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

Mode = Literal["write", "diff", "check"]


class ChangeError(Exception):
    """A produced file would not parse or compile; the message names the file and line."""


@dataclass(frozen=True)
class FileChange:
    path: str  # posix, relative to the target root
    old: Optional[str]  # None: the file is created
    new: Optional[str]  # None: the file is deleted

    @property
    def changed(self) -> bool:
        return self.old != self.new


def verify(change: FileChange) -> None:
    if change.new is None or not change.path.endswith(".py"):
        return
    try:
        compile(change.new, change.path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"{change.path}:{line}" if line else change.path
        raise ChangeError(f"{where}: the transformed file does not parse: {str(exc).splitlines()[0]}") from exc


def unified_diff(change: FileChange) -> str:
    old = (change.old or "").splitlines(keepends=True)
    new = (change.new or "").splitlines(keepends=True)
    before = f"a/{change.path}" if change.old is not None else "/dev/null"
    after = f"b/{change.path}" if change.new is not None else "/dev/null"
    text = "".join(difflib.unified_diff(old, new, before, after))
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one rename, keeping the file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".migrator-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def apply_changes(root: Path, changes: list[FileChange], *, phase: Optional[int] = None) -> list[str]:
    """Verify every change, then write them all or none (`transaction.commit`); returns the paths written."""
    from migrator.apply.transaction import commit

    return commit(root, changes, phase=phase)


def render_diff(changes: list[FileChange]) -> str:
    return "".join(unified_diff(c) for c in changes if c.changed)


def read_text(root: Path, rel: str) -> Optional[str]:
    path = root / rel
    if not path.exists():
        return None
    # newline="" keeps CRLF files byte-identical where the codemods do not touch them
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()
