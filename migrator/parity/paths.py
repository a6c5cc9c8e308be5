"""JSON paths: how a difference is named (``$.users[3].email``) and the subset of JSONPath ignore rules use.

Rule syntax: ``$`` then any of ``.name``, ``['name']``, ``[3]``, ``[*]``, ``.*`` and ``..name`` (``name`` at any
depth below). A rule ignores the node it names and everything under it. ``header:<name>`` names a response header
and ``status`` the status code.
"""

from __future__ import annotations

import re
from typing import Union

from migrator.parity.errors import ParityUsageError

Segment = Union[str, int]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TOKEN = re.compile(
    r"""\.\.(?P<desc>[^.\[\]]+)
      | \.(?P<key>[^.\[\]]+)
      | \[(?P<index>\d+)\]
      | \[\*\]
      | \[(?P<quote>['"])(?P<qkey>.*?)(?P=quote)\]""",
    re.X,
)

ANY = ("any",)


def format_path(segments: tuple[Segment, ...]) -> str:
    parts = ["$"]
    for segment in segments:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif _IDENT.match(segment):
            parts.append(f".{segment}")
        else:
            parts.append("[" + repr(segment) + "]")
    return "".join(parts)


class PathPattern:
    """A parsed rule; ``match(segments)`` is true when the rule names ``segments`` or one of its ancestors."""

    def __init__(self, text: str) -> None:
        self.text = text
        if not text.startswith("$"):
            raise ParityUsageError(f"ignore rule {text!r}: a JSON path starts with '$' (or use header:NAME / status)")
        tokens: list[tuple] = []
        position = 1
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                raise ParityUsageError(f"ignore rule {text!r}: cannot read the path at {text[position:]!r}")
            if match.group("desc") is not None:
                tokens.append(("desc", match.group("desc")))
            elif match.group("key") is not None:
                tokens.append(ANY if match.group("key") == "*" else ("key", match.group("key")))
            elif match.group("index") is not None:
                tokens.append(("index", int(match.group("index"))))
            elif match.group("qkey") is not None:
                tokens.append(("key", match.group("qkey")))
            else:
                tokens.append(ANY)
            position = match.end()
        self.tokens = tuple(tokens)

    def match(self, segments: tuple[Segment, ...]) -> bool:
        return _match(self.tokens, 0, segments, 0)

    def __repr__(self) -> str:
        return f"PathPattern({self.text!r})"


def _match(tokens: tuple, t: int, segments: tuple, s: int) -> bool:
    if t == len(tokens):
        return True  # the rule is exhausted: it names an ancestor of (or the very) node
    if s == len(segments):
        return False
    token = tokens[t]
    kind = token[0]
    segment = segments[s]
    if kind == "any":
        return _match(tokens, t + 1, segments, s + 1)
    if kind == "key":
        return segment == token[1] and _match(tokens, t + 1, segments, s + 1)
    if kind == "index":
        return segment == token[1] and not isinstance(segment, bool) and _match(tokens, t + 1, segments, s + 1)
    # descendant: the name at this depth or any deeper one
    return any(segments[i] == token[1] and _match(tokens, t + 1, segments, i + 1) for i in range(s, len(segments)))
