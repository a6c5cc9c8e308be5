"""`.env` files of pydantic settings classes: the values a `BaseSettings` subclass reads from the file it names.

`class Settings(BaseSettings): model_config = SettingsConfigDict(env_file="../.env")` (or `class Config: env_file =
".env"`) reads that file, relative to the directory the service runs from (taken to be the analysed root), before
falling back to field defaults. The values are used like defaults: to evaluate prefixes and `if` tests. Keys match
field names case-insensitively, after `env_prefix`.
"""

from __future__ import annotations

import os

from . import ir
from .facts import AssignOp, ClassOp, Op


def settings_file_options(ops: tuple[Op, ...]) -> dict[str, str]:
    """`env_file` / `env_prefix` constants of a settings class body (model_config or class Config)."""
    out: dict[str, str] = {}
    for op in ops:
        if isinstance(op, AssignOp) and op.targets == ("model_config",) and isinstance(op.value, ir.Call):
            for key, value in op.value.kwargs:
                if key in ("env_file", "env_prefix") and isinstance(value, ir.Const) and isinstance(value.value, str):
                    out[key] = value.value
        elif isinstance(op, ClassOp) and op.cls.name == "Config":
            for inner in op.cls.body:
                if isinstance(inner, AssignOp) and len(inner.targets) == 1 and inner.targets[0] in (
                        "env_file", "env_prefix") and isinstance(inner.value, ir.Const) \
                        and isinstance(inner.value.value, str):
                    out[inner.targets[0]] = inner.value.value
    return out


def read_dotenv(path: str) -> dict[str, str]:
    """KEY=VALUE lines (comments, `export`, quotes); {} when the file cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip().lower()] = value
    return out


def coerce(raw: str, default: object) -> object:
    """The value as the field's default type would read it (bool, int, float), else the string."""
    if isinstance(default, bool):
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        return raw
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


class DotenvCache:
    def __init__(self, root: str):
        self.root = root
        self.files: dict[str, dict[str, str]] = {}

    def values(self, env_file: str) -> dict[str, str]:
        path = os.path.normpath(os.path.join(self.root, env_file))
        if path not in self.files:
            self.files[path] = read_dotenv(path)
        return self.files[path]
