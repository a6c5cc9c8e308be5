"""Renderers of the `analyze` report: rich (terminal), JSON (stable schema), Markdown (PR comment)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FORMATS = ("rich", "json", "markdown")


def format_for_path(path: str | os.PathLike) -> str:
    """Format implied by an output file name: .json -> json, .md/.markdown -> markdown, else rich (plain text)."""
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".md": "markdown", ".markdown": "markdown"}.get(suffix, "rich")


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write text so that readers see the old file or the new one, never half of it."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))  # mkstemp creates 0600; keep what a plain write would give
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def suggestion_toml(route) -> str:
    """The `[tool.migrator.catalog]` entry that confirms a suggested mapping."""
    operation = route.suggestion.split("/", 1)[0]
    variant = f'\nvariant = "{route.suggestion.split("/", 1)[1]}"' if "/" in route.suggestion else ""
    methods = ", ".join(f'"{m}"' for m in route.methods)
    return (f'[[tool.migrator.catalog.entries]]\noperation = "{operation}"{variant}\nmethods = [{methods}]\n'
            f'paths = ["{route.path}"]')
