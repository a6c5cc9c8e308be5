"""The Python version the generated code targets: the service's ruff ``target-version``, else the lower bound of
its ``requires-python`` (or Poetry's ``python``), so that it passes the service's own ``ruff check --select UP,B``:
``X | None`` from 3.10 on (``Optional[X]`` below, or when the version is unknown), ``zip(..., strict=True)`` from
3.10, ``typing.override`` from 3.12 (``typing_extensions`` below)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_RUFF_VERSION = re.compile(r"py3(\d+)$")
_LOWER_BOUND = re.compile(r"(?:>=|~=|==|\^|>|~)\s*3\.(\d+)")


@dataclass(frozen=True)
class PythonTarget:
    minor: Optional[int] = None  # 3.<minor>; None: not declared

    @classmethod
    def for_root(cls, root: Path) -> "PythonTarget":
        return cls(_declared_minor(root))

    def at_least(self, minor: int) -> bool:
        return self.minor is not None and self.minor >= minor

    @property
    def unions(self) -> bool:
        """``X | None`` annotations evaluate at run time (3.10)."""
        return self.at_least(10)

    def optional(self, inner: str) -> str:
        """The annotation text of an optional `inner`."""
        return f"{inner} | None" if self.unions else f"Optional[{inner}]"


def _declared_minor(root: Path) -> Optional[int]:
    for name in ("ruff.toml", ".ruff.toml"):
        data = read_toml(root / name)
        if data is not None:
            return _ruff_minor(data) or _project_minor(read_toml(root / "pyproject.toml") or {})
    data = read_toml(root / "pyproject.toml") or {}
    return _ruff_minor(toml_table(data, "tool", "ruff")) or _project_minor(data)


def _ruff_minor(ruff: dict[str, Any]) -> Optional[int]:
    match = _RUFF_VERSION.match(str(ruff.get("target-version", "")))
    return int(match.group(1)) if match else None


def _project_minor(data: dict[str, Any]) -> Optional[int]:
    spec = toml_table(data, "project").get("requires-python") or toml_table(data, "tool", "poetry", "dependencies").get(
        "python")
    bounds = [int(m) for m in _LOWER_BOUND.findall(spec)] if isinstance(spec, str) else []
    return min(bounds) if bounds else None


def toml_table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The table at `keys` in a parsed TOML document ({} when a key is missing or not a table)."""
    for key in keys:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return data if isinstance(data, dict) else {}


def read_toml(path: Path) -> Optional[dict[str, Any]]:
    """The parsed TOML file at `path`; None when it is missing or not valid TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
