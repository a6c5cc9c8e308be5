"""Credential values for placeholders, resolved at record/replay time and never written anywhere.

Two placeholder forms appear in request lists and cassettes:
- ``${admin_seoul}`` — a symbolic name from a request list;
- ``<redacted:authorization:1>`` — a value the recording middleware saw (its key is ``authorization:1``).
Lookup order for a key: ``--credential KEY=VALUE``, env ``MIGRATOR_CRED_<KEY>`` (upper-cased, every other
character → ``_``: ``MIGRATOR_CRED_AUTHORIZATION_1``), the target's credentials callable
(``[tool.migrator.parity] credentials = "pkg.seed:parity_credentials"``), the request list's dev defaults.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Mapping, Optional

from migrator.parity.errors import ParityUsageError

_SYMBOLIC = re.compile(r"\$\{([^}]+)\}")
_RECORDED = re.compile(r"<redacted:([a-z0-9_.-]+:\d+)>")
ENV_PREFIX = "MIGRATOR_CRED_"


def env_name(key: str) -> str:
    return ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", key).upper()


def parse_assignments(items: list[str], flag: str) -> dict[str, str]:
    """``["a=1", "b:2=x=y"]`` → ``{"a": "1", "b:2": "x=y"}``; a malformed item is a usage error naming the flag."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            # The item is not echoed: without its NAME= it may well be the secret itself.
            raise ParityUsageError(f"{flag} expects NAME=VALUE (an item has no NAME=)")
        out[key.strip()] = value
    return out


class Credentials:
    """Resolves placeholder keys; the callable is called once, when a key is first not found earlier."""

    def __init__(
        self,
        explicit: Optional[Mapping[str, str]] = None,
        *,
        loader: Optional[Callable[[], Mapping[str, str]]] = None,
        defaults: Optional[Mapping[str, str]] = None,
        environ: Optional[Mapping[str, str]] = None,
        listener: Optional[Callable[[str, str], None]] = None,
        typed: frozenset[str] = frozenset(),
    ) -> None:
        self._explicit = dict(explicit or {})
        self._loader = loader
        self._loaded: Optional[dict[str, str]] = None
        self._defaults = dict(defaults or {})
        self._environ = environ if environ is not None else os.environ
        self._cache: dict[str, Optional[str]] = {}
        self.listener = listener  # told (placeholder text, value) of each value resolved, e.g. to scrub it
        self.typed = typed  # keys whose value is JSON (a literal number of a request list), not text

    def get(self, key: str) -> Optional[str]:
        if key in self._cache:
            return self._cache[key]
        value = self._explicit.get(key)
        if value is None:
            value = self._environ.get(env_name(key))
        if value is None and self._loader is not None:
            if self._loaded is None:
                self._loaded = {str(k): str(v) for k, v in dict(self._loader()).items()}
            value = self._loaded.get(key)
        if value is None:
            value = self._defaults.get(key)
        self._cache[key] = value
        if value and self.listener is not None:
            self.listener(placeholder_text(key), value)
        return value

    def values(self) -> dict[str, str]:
        """Every value resolved so far, mapped to its placeholder text (for scrubbing)."""
        return {value: placeholder_text(key) for key, value in self._cache.items() if value}

    def substitute_value(self, text: str, where: str = "") -> Any:
        """Like `substitute`; a JSON string that is exactly one typed placeholder becomes its JSON value."""
        match = _SYMBOLIC.fullmatch(text)
        if match and match.group(1) in self.typed:
            value = self.substitute(text, where)
            try:
                return json.loads(value)
            except ValueError:
                return value
        return self.substitute(text, where)

    def substitute(self, text: str, where: str = "") -> str:
        """``text`` with every placeholder replaced by its value; a missing value is a usage error."""
        if "${" not in text and "<redacted:" not in text:
            return text

        def value_of(match: re.Match) -> str:
            key = match.group(1)
            value = self.get(key)
            if value is None:
                raise ParityUsageError(
                    f"{where + ': ' if where else ''}no value for credential {key!r}: pass --credential {key}=VALUE "
                    f"or set {env_name(key)}"
                )
            return value

        return _RECORDED.sub(value_of, _SYMBOLIC.sub(value_of, text))


def placeholder_text(key: str) -> str:
    """``authorization:1`` → ``<redacted:authorization:1>``; ``admin_seoul`` → ``${admin_seoul}``."""
    return f"<redacted:{key}>" if _RECORDED.fullmatch(f"<redacted:{key}>") else "${" + key + "}"


def placeholders_in(text: str) -> list[str]:
    return _SYMBOLIC.findall(text) + _RECORDED.findall(text)
