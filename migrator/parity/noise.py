"""Noise: differences that say nothing about the migration.

1. Ignore rules (``[tool.migrator.parity] ignore`` and ``--ignore``): JSON paths (see `paths.py`), ``header:<name>``
   or ``status``, optionally limited to a route::

       ignore = ["$..request_id", "header:etag",
                 {route = "GET /admin/users", paths = ["$.users[*].last_login"]}]

   A route is ``[METHOD ]PATTERN``, matched (fnmatch) against the route template (``/admin/users/{user_id}``) or
   the concrete path. Ignored differences are dropped.
2. Automatic detection, in the manner of Diffy: the exchanges that differ in a first pass are replayed in a second
   pass against the same target from the same reset state; a difference whose new value is not the same in both
   passes (a timestamp, a generated id) is noise. Noise is reported, never counted as a failure.
"""

from __future__ import annotations

import fnmatch
from typing import Iterable, Optional

from migrator.parity.compare import Difference
from migrator.parity.paths import PathPattern, Segment


class _Rule:
    def __init__(self, text: str, route: Optional[str]) -> None:
        self.text = text
        self.method: Optional[str] = None
        self.route: Optional[str] = None
        if route:
            head, _, tail = route.strip().partition(" ")
            if tail and head.isalpha() and head.isupper():
                self.method, self.route = head, tail.strip()
            else:
                self.route = route.strip()
        lowered = text.strip()
        self.header: Optional[str] = None
        self.status = lowered == "status"
        self.pattern: Optional[PathPattern] = None
        if lowered.lower().startswith("header:"):
            self.header = "header:" + lowered[len("header:"):].strip().lower()
        elif not self.status:
            self.pattern = PathPattern(lowered)

    def applies(self, method: str, template: Optional[str], path: str) -> bool:
        if self.method and self.method != method:
            return False
        if self.route is None:
            return True
        return fnmatch.fnmatchcase(path, self.route) or (
            template is not None and fnmatch.fnmatchcase(template, self.route))

    def hits(self, where: str, segments: tuple[Segment, ...]) -> bool:
        if where == "json":
            return self.pattern is not None and self.pattern.match(segments)
        if where == "status":
            return self.status
        return self.header is not None and where == self.header


class IgnoreRules:
    """Compiled rules; ``for_exchange`` gives the check `compare` calls for each raw difference."""

    def __init__(self, entries: Iterable[object] = ()) -> None:
        self.rules: list[_Rule] = []
        for entry in entries:
            if isinstance(entry, str):
                self.rules.append(_Rule(entry, None))
                continue
            route = getattr(entry, "route", None)
            texts = list(getattr(entry, "paths", []) or [])
            if getattr(entry, "path", None):
                texts.append(entry.path)  # type: ignore[attr-defined]
            for text in texts:
                self.rules.append(_Rule(text, route))
        self._cache: dict[tuple, Optional[list[_Rule]]] = {}

    def for_exchange(self, method: str, template: Optional[str], path: str):
        key = (method, template, path if template is None else None)
        if key not in self._cache:
            rules = [rule for rule in self.rules if rule.applies(method, template, path)]
            self._cache[key] = rules or None
        rules = self._cache[key]
        if rules is None:
            return None
        return lambda where, segments: any(rule.hits(where, segments) for rule in rules)


def mark_noise(first: list[Difference], second: list[Difference]) -> int:
    """Flag each difference of the first pass whose value the second pass did not reproduce; returns how many."""
    repeated = {difference.key() for difference in second}
    count = 0
    for difference in first:
        if difference.key() not in repeated:
            difference.noise = True
            count += 1
    return count
