"""Hints the CLI adds to an error: which files the inventory could not read or parse (the app may be among them)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

_UNPARSABLE = ("syntax error", "cannot decode", "not valid UTF-8", "unreadable", "too large")


def unparsable_note(skipped: Iterable) -> Optional[str]:
    """``"advisor/server.py: syntax error at line 63 (and 2 more unparsable files)"``, or None."""
    bad = [item for item in skipped if str(item.reason).startswith(_UNPARSABLE)]
    if not bad:
        return None
    more = f" (and {len(bad) - 1} more unparsable file(s))" if len(bad) > 1 else ""
    return f"{bad[0].file}: {bad[0].reason}{more}"


def unparsable_in(repo: Path) -> Optional[str]:
    """`unparsable_note` for ``repo``, running the inventory (an error path only: it takes about a second)."""
    from migrator.inventory import build_inventory

    try:
        return unparsable_note(build_inventory(repo, workers=1).skipped)
    except Exception:  # a hint must never hide the error it explains
        return None
