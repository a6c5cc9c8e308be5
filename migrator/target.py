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
    project = data.get("project", {})
    tool = data.get("tool", {}).get("migrator", {})
    if not isinstance(tool, dict):
        raise TargetError(f"{pyproject}: [tool.migrator] must be a table")
    name = str(project.get("name") or root.resolve().name)
    return Target(root=root, name=name, version=str(project.get("version") or UNKNOWN_VERSION), tool=tool)
