"""The tables and columns a static SQL write touches: ``INSERT INTO t (a, b) VALUES (?, 'x')``, ``UPDATE t SET a =
:a WHERE ...`` and the column types of a ``CREATE TABLE``.

Only what the statement says literally is read: the column list of an INSERT (an INSERT without one tells nothing),
each value (a placeholder, a quoted literal, or an expression), and the placeholder style (``?``, ``:name``,
``%s``/``%(name)s``), which the generated code reuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Optional

from migrator.shapes.sql import split_top_level

Paramstyle = Literal["qmark", "named", "format", "pyformat"]

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_NAME = r"[\"`\[]?([A-Za-z_][A-Za-z0-9_]*)[\"`\]]?"
_INSERT = re.compile(
    rf"^\s*(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO\s+(?:{_NAME}\.)?{_NAME}\s*\((?P<cols>[^)]*)\)\s*VALUES\s*\(",
    re.I | re.S,
)
_UPDATE = re.compile(rf"^\s*UPDATE\s+(?:{_NAME}\.)?{_NAME}\s+SET\s+(?P<sets>.*?)(?:\s+WHERE\s+(?P<where>.*))?$",
                     re.I | re.S)
_CREATE = re.compile(rf"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:{_NAME}\.)?{_NAME}\s*\(", re.I)
_LITERAL = re.compile(r"^'((?:[^']|'')*)'$")
_NAMED = re.compile(r"^:([A-Za-z_][A-Za-z0-9_]*)$")
_PYFORMAT = re.compile(r"^%\(([A-Za-z_][A-Za-z0-9_]*)\)s$")


@dataclass
class SqlValue:
    """One value of a write: a placeholder (its position among the statement's placeholders, or its name), a
    literal, or another expression (``CURRENT_TIMESTAMP``, ``NULL``)."""

    text: str
    placeholder: Optional[int | str] = None  # 0-based position (qmark/format) or the name (named/pyformat)
    literal: Optional[str] = None

    @property
    def is_placeholder(self) -> bool:
        return self.placeholder is not None


@dataclass
class SqlWrite:
    kind: Literal["insert", "update"]
    table: str
    values: dict[str, SqlValue]  # column -> value, in statement order
    paramstyle: Optional[Paramstyle] = None
    where: Optional[str] = None  # UPDATE only, as written


@dataclass
class SqlTable:
    """A ``CREATE TABLE``: column -> declared type (upper case, may be empty) and the CHECK constraints' text."""

    name: str
    columns: dict[str, str] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # column -> its CHECK (...) text


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the one opened just before `start` (quotes respected), or -1."""
    depth, quote = 1, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


class _Placeholders:
    """Numbers positional placeholders in statement order and records the style."""

    def __init__(self) -> None:
        self.position = 0
        self.style: Optional[Paramstyle] = None

    def value(self, text: str) -> SqlValue:
        text = text.strip()
        literal = _LITERAL.match(text)
        if literal:
            return SqlValue(text, literal=literal.group(1).replace("''", "'"))
        for style, pattern in (("named", _NAMED), ("pyformat", _PYFORMAT)):
            named = pattern.match(text)
            if named:
                self.style = self.style or style
                return SqlValue(text, placeholder=named.group(1))
        if text in ("?", "%s"):
            self.style = self.style or ("qmark" if text == "?" else "format")
            self.position += 1
            return SqlValue(text, placeholder=self.position - 1)
        self.position += text.count("?")  # an expression holding placeholders shifts the ones after it
        return SqlValue(text)


def parse_write(sql: str) -> Optional[SqlWrite]:
    """The INSERT (with a column list) or UPDATE in `sql`, else None."""
    text = _COMMENT.sub(" ", sql).strip().rstrip(";")
    insert = _INSERT.match(text)
    if insert:
        columns = [c.strip().strip('"`[]') for c in split_top_level(insert.group("cols"))]
        end = _closing(text, insert.end())
        if end < 0:
            return None
        values = split_top_level(text[insert.end():end])
        if len(values) != len(columns):
            return None
        marks = _Placeholders()
        table = insert.group(2)
        return SqlWrite("insert", table, {c: marks.value(v) for c, v in zip(columns, values)}, marks.style)
    update = _UPDATE.match(text)
    if update:
        marks = _Placeholders()
        values: dict[str, SqlValue] = {}
        for part in split_top_level(update.group("sets")):
            column, sep, value = part.partition("=")
            if not sep:
                return None
            values[column.strip().strip('"`[]')] = marks.value(value)
        return SqlWrite("update", update.group(2), values, marks.style, where=(update.group("where") or None))
    return None


def parse_tables(sql: str) -> list[SqlTable]:
    """Every ``CREATE TABLE`` in `sql` (a schema script may hold several)."""
    text = _COMMENT.sub(" ", sql)
    tables = []
    for match in _CREATE.finditer(text):
        end = _closing(text, match.end())
        if end < 0:
            continue
        table = SqlTable(match.group(2))
        for part in split_top_level(text[match.end():end]):
            words = part.split()
            head = words[0].strip('"`[]') if words else ""
            if not head or head.upper() in ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"):
                continue
            kind = words[1].upper() if len(words) > 1 and re.match(r"^[A-Za-z]", words[1]) else ""
            table.columns[head] = kind
            check = re.search(r"\bCHECK\s*\((.*)\)", part, re.I | re.S)
            if check:
                table.checks[head] = check.group(1)
        tables.append(table)
    return tables


def check_words(check: str) -> list[str]:
    """The quoted words a ``CHECK (status IN ('active', 'paused'))`` allows."""
    return [w.replace("''", "'") for w in re.findall(r"'((?:[^']|'')*)'", check)]
