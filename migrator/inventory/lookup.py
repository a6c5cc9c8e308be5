"""Find a route's function in a LibCST module (the codemods' tree), by qualname and, for duplicates, by line."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from migrator.cst_lines import start_lines


def _blocks(node: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    """Nested blocks of a compound statement that still belong to the same scope (if/try/with/for/while)."""
    if isinstance(node, (cst.If, cst.For, cst.While, cst.With, cst.Try)) or type(node).__name__ == "TryStar":
        yield node.body
        orelse = getattr(node, "orelse", None)
        if isinstance(orelse, cst.If):
            yield from _blocks(orelse)
        elif orelse is not None:
            yield orelse.body
        for handler in getattr(node, "handlers", ()):
            yield handler.body
        final = getattr(node, "finalbody", None)
        if final is not None:
            yield final.body


def _statements(body) -> Iterator[cst.CSTNode]:
    items = body.body if isinstance(body, (cst.Module, cst.IndentedBlock, cst.SimpleStatementSuite)) else body
    for statement in items:
        yield statement
        for block in _blocks(statement):
            yield from _statements(block)


def _defs(body, parts: list[str]) -> Iterator[cst.FunctionDef]:
    head, rest = parts[0], parts[1:]
    for statement in _statements(body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.name.value == head:
            if not rest:
                if isinstance(statement, cst.FunctionDef):
                    yield statement
            elif isinstance(statement, cst.ClassDef):
                yield from _defs(statement.body, rest)
            elif rest[0] == "<locals>" and len(rest) > 1:
                yield from _defs(statement.body, rest[1:])


def find_function(module: cst.Module, qualname: str, line: int | None = None) -> cst.FunctionDef | None:
    """The FunctionDef for `qualname` (e.g. `get_users`, `C.m`, `outer.<locals>.inner`).

    When several functions share the qualname (a module may define two routes with the same name), `line` (the
    `def` line, as in `Route.line`) picks the right one.
    """
    parts = qualname.split(".")
    found = list(_defs(module, parts))
    if len(found) <= 1 or line is None:
        return found[0] if found else None
    # Positions from LibCST itself (not the running interpreter's `ast`, which may not know the file's syntax).
    lines = start_lines(module)
    for node in found:
        if lines[node.name] == line:
            return node
    return None
