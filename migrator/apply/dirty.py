"""Refuse to rewrite files that hold uncommitted work: `git status` of the files a phase touches.

Without git, or outside a git work tree, there is nothing to check. `--allow-dirty` skips the check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable, Optional


def _git(root: Path, *args: str) -> Optional[str]:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        proc = subprocess.run([git, "-C", str(root), *args], capture_output=True, timeout=30,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None


def dirty_files(root: Path, paths: Iterable[str]) -> list[str]:
    """The paths (relative to `root`) among `paths` with uncommitted changes, untracked ones included."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    top = _git(root, "rev-parse", "--show-toplevel")
    if not top:
        return []
    toplevel = Path(top.strip()).resolve()
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *wanted)
    if status is None:
        return []
    base = root.resolve()
    dirty: set[str] = set()
    entries = status.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            index += 1  # a rename is followed by its source path
        try:
            dirty.add((toplevel / path).resolve().relative_to(base).as_posix())
        except ValueError:
            continue
    return sorted(p for p in dirty if p in set(wanted))
