"""Compare an expected response with an actual one: status, headers, JSON body (path by path) or text body.

Both sides are redacted the same way before they get here, so a password-like field is equal when both sides
hold ``"<redacted>"``, and a field that only the new side has (a leaked ``password_hash``) is a difference.
JSON numbers compare by value (``1`` equals ``1.0``); ``true`` never equals ``1``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Optional

from pydantic import BaseModel

from migrator.parity.paths import Segment, format_path

Change = Literal["changed", "added", "removed"]
_NUMBER = (int, float)
MAX_DIFFERENCES = 200  # per exchange; the rest is counted, not listed


class Difference(BaseModel):
    path: str  # "status", "header:<name>", "$..." (JSON body) or "body" (text body)
    change: Change
    old: Any = None
    new: Any = None
    noise: bool = False

    def text(self, width: int = 80) -> str:
        return f"{self.path}: {show(self.old, self.change == 'added', width)} → " \
               f"{show(self.new, self.change == 'removed', width)}"

    def key(self) -> tuple:
        return self.path, self.change, json.dumps(self.new, sort_keys=True, default=str)


def show(value: Any, absent: bool = False, width: int = 80) -> str:
    if absent:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Expected:
    """What the replayed response must look like (the recorded one, adjusted for the phase)."""

    status: int
    headers: Optional[dict[str, str]]  # None: headers are not compared
    body: dict[str, Any] = field(default_factory=dict)  # {"json": ...} | {"body": ...} | {"body_b64": ...} | {}
    compare_body: bool = True
    only_paths: Optional[list[tuple[Segment, ...]]] = None  # compare just these JSON paths (standard errors)
    optional_headers: frozenset[str] = frozenset()  # may be present or not, with any value
    headers_exact: bool = True  # False: only the listed headers are checked (a removed route's Link)


@dataclass
class Actual:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


IgnoreFn = Callable[[str, tuple[Segment, ...]], bool]


def compare(expected: Expected, actual: Actual, ignored: Optional[IgnoreFn] = None) -> tuple[list[Difference], int]:
    """Differences (ignored ones dropped, at most MAX_DIFFERENCES) and the number of those not listed."""
    raw: list[tuple[str, tuple, Change, Any, Any]] = []
    if expected.status != actual.status:
        raw.append(("status", (), "changed", expected.status, actual.status))
    if expected.headers is not None:
        _diff_headers(expected.headers, actual.headers, raw, expected.optional_headers, expected.headers_exact)
    if expected.compare_body:
        _diff_body(expected, actual, raw)
    out: list[Difference] = []
    dropped = 0
    for where, segments, change, old, new in raw:
        if ignored is not None and ignored(where, segments):
            continue
        if len(out) >= MAX_DIFFERENCES:
            dropped += 1
            continue
        path = format_path(segments) if where == "json" else where
        out.append(Difference(path=path, change=change, old=old, new=new))
    return out, dropped


def _diff_headers(expected: dict[str, str], actual: dict[str, str], out: list, optional: frozenset[str],
                  exact: bool) -> None:
    for name, value in expected.items():
        if name not in actual:
            out.append((f"header:{name}", (), "removed", value, None))
        elif actual[name] != value:
            out.append((f"header:{name}", (), "changed", value, actual[name]))
    for name, value in actual.items() if exact else ():
        if name not in expected and name not in optional:
            out.append((f"header:{name}", (), "added", None, value))


def _diff_body(expected: Expected, actual: Actual, out: list) -> None:
    old, new = expected.body, actual.body
    if "body_omitted" in old or "body_omitted" in new:
        return  # too large to have been stored: only status and headers are compared
    if "json" in old and "json" in new:
        if expected.only_paths is not None:
            for segments in expected.only_paths:
                a, b = _get(old["json"], segments), _get(new["json"], segments)
                if a is not _MISSING or b is not _MISSING:
                    _walk_root(a, b, segments, out)
            return
        diff_json(old["json"], new["json"], (), out)
        return
    old_kind = next((k for k in ("json", "body", "body_b64") if k in old), None)
    new_kind = next((k for k in ("json", "body", "body_b64") if k in new), None)
    if old_kind is None and new_kind is None:
        return
    if old_kind == new_kind and old[old_kind] == new[new_kind]:
        return
    where = "json" if old_kind == "json" or new_kind == "json" else "body"
    if old_kind is None:
        out.append((where, (), "added", None, new[new_kind]))
    elif new_kind is None:
        out.append((where, (), "removed", old[old_kind], None))
    else:
        out.append((where, (), "changed", old[old_kind], new[new_kind]))


_MISSING = object()


def _get(value: Any, segments: tuple) -> Any:
    for segment in segments:
        try:
            value = value[segment]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return value


def _walk_root(old: Any, new: Any, segments: tuple, out: list) -> None:
    if old is _MISSING:
        out.append(("json", segments, "added", None, new))
    elif new is _MISSING:
        out.append(("json", segments, "removed", old, None))
    else:
        diff_json(old, new, segments, out)


def diff_json(old: Any, new: Any, path: tuple, out: list) -> None:
    """Append ("json", segments, change, old, new) for every difference between two JSON values."""
    old_type, new_type = type(old), type(new)
    if old_type is dict and new_type is dict:
        for key, value in old.items():
            if key in new:
                other = new[key]
                if value is other or (type(value) is type(other) and type(value) in (str, int) and value == other):
                    continue  # the common case, without a call
                diff_json(value, other, path + (key,), out)
            else:
                out.append(("json", path + (key,), "removed", value, None))
        if len(new) > len(old) or any(key not in old for key in new):
            for key, value in new.items():
                if key not in old:
                    out.append(("json", path + (key,), "added", None, value))
    elif old_type is list and new_type is list:
        for index in range(min(len(old), len(new))):
            a, b = old[index], new[index]
            if a is b or (type(a) is type(b) and type(a) in (str, int) and a == b):
                continue
            diff_json(a, b, path + (index,), out)
        for index in range(len(new), len(old)):
            out.append(("json", path + (index,), "removed", old[index], None))
        for index in range(len(old), len(new)):
            out.append(("json", path + (index,), "added", None, new[index]))
    elif old_type is new_type or (old_type in _NUMBER and new_type in _NUMBER):
        if old != new:
            out.append(("json", path, "changed", old, new))
    else:
        out.append(("json", path, "changed", old, new))
