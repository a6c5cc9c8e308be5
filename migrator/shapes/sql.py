"""The column names a static ``SELECT`` returns: the keys of ``dict(row)`` / ``row["x"]`` in raw-SQL services.

Only the outermost select list is read: ``expr AS name``, ``table.column`` and ``column`` name a column; ``*`` or an
expression without a name make the row *open* (keys not all known). ``COUNT(...)`` and ``CAST(... AS INTEGER)``
are integers; nothing else is typed.
"""

from __future__ import annotations

import re
from typing import Optional

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALIAS = re.compile(r"^(?P<expr>.+?)\s+(?:AS\s+)(?P<q>[\"`\[]?)(?P<name>[A-Za-z_][A-Za-z0-9_]*)[\"`\]]?$", re.I | re.S)
_COLUMN = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*\.)*(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_INT = re.compile(r"^(COUNT\s*\(|CAST\s*\(.*\bAS\s+(INTEGER|INT|BIGINT)\s*\)$)", re.I | re.S)

Column = tuple[str, Optional[str]]  # (name, "int" or None)


def is_select(sql: str) -> bool:
    head = _COMMENT.sub(" ", sql).lstrip().upper()
    return head.startswith("SELECT") or head.startswith("WITH")


def _top_level_select_list(sql: str) -> Optional[str]:
    """The text between the outermost SELECT and its FROM (or the end)."""
    text = _COMMENT.sub(" ", sql)
    depth, start, i = 0, None, 0
    upper = text.upper()
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            end = text.find(ch, i + 1)
            i = len(text) if end < 0 else end + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            word = _WORD.match(text, i).group()
            keyword = upper[i:i + len(word)]
            if keyword == "SELECT" and start is None:
                start = i + len(word)
            elif keyword in ("FROM", "UNION", "ORDER", "LIMIT", "WHERE", "GROUP") and start is not None:
                return text[start:i]
            i += len(word)
            continue
        i += 1
    return text[start:] if start is not None else None


def split_top_level(text: str) -> list[str]:
    """The comma-separated parts of `text` outside parentheses and quotes, stripped, empty ones dropped."""
    parts, depth, current, quote = [], 0, [], ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def select_columns(sql: str) -> tuple[list[Column], bool]:
    """(named columns, open): `open` when some column has no name we can tell (``*``, an unnamed expression)."""
    listed = _top_level_select_list(sql)
    if listed is None:
        return [], True
    columns: list[Column] = []
    is_open = False
    for part in split_top_level(listed):
        part = re.sub(r"^(DISTINCT|ALL)\s+", "", part, flags=re.I)
        aliased = _ALIAS.match(part)
        if aliased:
            expr, name = aliased.group("expr").strip(), aliased.group("name")
        elif _COLUMN.match(part):
            expr, name = part, _COLUMN.match(part).group("name")
        else:
            is_open = True
            continue
        columns.append((name, "int" if _INT.match(expr) else None))
    return columns, is_open
