"""The target repository: its root, its name and version, and its `[tool.migrator]` settings."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


UNKNOWN_VERSION = "0.0.0"  # the version of a service that declares none (journal, reports)


class TargetError(Exception):
    """The target cannot be used (not a directory, unreadable pyproject.toml); the message says why."""


@dataclass
class Target:
    root: Path
    name: str
    version: str
    tool: dict[str, Any] = field(default_factory=dict)  # [tool.migrator]

    @property
    def app(self) -> Optional[str]:
        """`module:variable` of the app to migrate, when the target names it."""
        return self.tool.get("app")

    @property
    def class_name(self) -> str:
        """`AdvisorMarketHandler` for advisor, `LlmChatbotMarketHandler` for llm-chatbot."""
        words = re.split(r"[^A-Za-z0-9]+", self.name)
        return "".join(w[:1].upper() + w[1:] for w in words if w) + "MarketHandler"


def load_target(root: Path) -> Target:
    if not root.exists():
        raise TargetError(f"{root}: no such directory")
    if not root.is_dir():
        raise TargetError(f"{root}: not a directory")
    pyproject = root / "pyproject.toml"
    data: dict[str, Any] = {}
    if pyproject.exists():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TargetError(f"{pyproject}: cannot read: {exc}") from exc
    name, version, tool = project_metadata(root, data)
    if not isinstance(tool, dict):
        raise TargetError(f"{pyproject}: [tool.migrator] must be a table")
    return Target(root=root, name=name or root.resolve().name, version=version or UNKNOWN_VERSION, tool=tool)


def project_metadata(root: Path, data: dict[str, Any]) -> tuple[Optional[str], Optional[str], Any]:
    """(name, version, [tool.migrator]) of a parsed pyproject.toml: the name and version when they are strings
    (the version also when declared `dynamic`: `dynamic_version`), the migrator table as written ({} if absent)."""
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    name, version = project.get("name"), project.get("version") or dynamic_version(root, data)
    return (name if isinstance(name, str) and name else None,
            version if isinstance(version, str) and version else None, tool.get("migrator", {}))


_VERSION_ASSIGNMENT = re.compile(r"""^(?:__version__|VERSION)\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""", re.M)


def dynamic_version(root: Path, data: dict[str, Any]) -> Optional[str]:
    """The version a project declares `dynamic`: Poetry's `[tool.poetry] version`, the `__version__` of Hatch's
    `[tool.hatch.version] path` or of setuptools' `version = {attr = "pkg.__version__"}` (read, never imported)."""
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry", {}).get("version") if isinstance(tool.get("poetry"), dict) else None
    if isinstance(poetry, str) and poetry:
        return poetry
    files: list[str] = []
    hatch = tool.get("hatch", {}).get("version", {}) if isinstance(tool.get("hatch"), dict) else {}
    if isinstance(hatch, dict) and isinstance(hatch.get("path"), str):
        files.append(hatch["path"])
    dynamic = tool.get("setuptools", {}).get("dynamic", {}) if isinstance(tool.get("setuptools"), dict) else {}
    attr = dynamic.get("version", {}).get("attr") if isinstance(dynamic.get("version"), dict) else None
    if isinstance(attr, str) and "." in attr:
        module = attr.rsplit(".", 1)[0].replace(".", "/")
        files += [f"{base}{module}{end}" for base in ("", "src/") for end in (".py", "/__init__.py")]
    for relative in files:
        try:
            found = _VERSION_ASSIGNMENT.search((root / relative).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if found:
            return found.group(1)
    return None
