"""The line each node of a LibCST module starts on, as `PositionProvider` gives it, at a fifth of its cost.

`start_lines(module)[node]` equals `MetadataWrapper(module).resolve(PositionProvider)[node].start.line` for every
node: the same code generation, with the same rule for the start (where the node's syntax begins when the node
records it, `record_syntactic_position`, else where its whitespace begins), but only a line counter is kept: no
token list, columns or `CodeRange` per node. Evidence (`file:line`) needs nothing else.
"""

from __future__ import annotations

import ast
import re
from contextlib import contextmanager
from typing import Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINES = re.compile(r"\r\n?|\n")


class _LineState(CodegenState):
    """A code generation that records start lines and keeps nothing else."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.lines: dict[cst.CSTNode, int] = {}
        self._stack: list[int] = []

    def add_indent_tokens(self) -> None:  # indentation holds no newline
        pass

    def add_token(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            self.line += len(_NEWLINES.findall(value))

    def pop_trailing_newline(self) -> None:  # the end of the file: no node starts after it
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.line)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        self.lines.setdefault(node, start)  # a syntactic start recorded inside wins

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        start = self.line
        try:
            yield
        finally:
            self.lines[node] = self.lines[start_node] if start_node is not None else start


def start_lines(module: cst.Module) -> dict[cst.CSTNode, int]:
    """Node -> the 1-based line it starts on (nodes of `module` itself: no copy is made)."""
    state = _LineState(module)
    module._codegen(state)
    return state.lines


class LineIndex:
    """`start_lines` of one module computed per top-level statement, only for the statements asked about.

    Where a top-level statement's code begins (its leading comment and blank lines included) follows from the line
    of its first token, which the module's `ast` tree gives (the `def`/`class` line after decorators, else the
    statement's first token), less the lines before that token (each leading line is one; decorators are counted by
    their own code generation). The statement's code generated alone from that line gives every node in it the line
    `start_lines` gives. A source `ast` cannot read (newer syntax), holding a carriage return (line breaks counted
    differently), whose statements do not pair up, or a node not reached from a statement's code-carrying fields
    (`codemods._source.children`): `start_lines` of the whole module.
    """

    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.source = source
        self._starts: list[int] = []  # the line each top-level statement's code begins on
        self._anchors: list[int] = []  # the line of its first token after leading lines and decorators
        self._walked = False
        self._owners: Optional[dict[int, int]] = None  # id(node) -> index of its top-level statement
        self._done: set[int] = set()  # statements whose lines are computed
        self._lines: dict[cst.CSTNode, int] = {}
        self._whole = False

    def line(self, node: cst.CSTNode) -> Optional[int]:
        found = self._lines.get(node)
        if found is not None or self._whole:
            return found
        number = self._statement_of(node)
        if number is None or number in self._done:
            self._lines, self._whole = start_lines(self.module), True
            return self._lines.get(node)
        stmt = self.module.body[number]
        if node is stmt and isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return self._anchors[number]  # where `def` / `class` is: no code generation of the body
        self._done.add(number)
        state = _LineState(self.module)
        state.line = self._starts[number]
        stmt._codegen(state)
        for key, value in state.lines.items():
            self._lines.setdefault(key, value)
        return self._lines.get(node)

    def _statement_of(self, node: cst.CSTNode) -> Optional[int]:
        """The number of the top-level statement holding `node`; None when not found or the lines are unknown."""
        if self._owners is None:
            found = _statement_starts(self.module, self.source)
            if found is None:
                return None
            self._starts, self._anchors = found
            self._owners = {id(stmt): number for number, stmt in enumerate(self.module.body)}
        number = self._owners.get(id(node))
        if number is None and not self._walked:  # a node inside a statement: map them all once
            from codemods._source import children

            self._walked = True
            for number, stmt in enumerate(self.module.body):
                stack: list[cst.CSTNode] = [stmt]
                while stack:
                    current = stack.pop()
                    self._owners[id(current)] = number
                    stack.extend(children(current))
            number = self._owners.get(id(node))
        return number


def _statement_starts(module: cst.Module, source: str) -> Optional[tuple[list[int], list[int]]]:
    """The line each top-level statement's code begins on and the line of its first token after the leading lines
    and decorators (`def`, `class`), or None when `ast` cannot tell them exactly."""
    if "\r" in source:
        return None
    try:
        syntax = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    pending = iter(syntax.body)
    starts: list[int] = []
    anchors: list[int] = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            found = [next(pending, None) for _ in stmt.body]
            if found[-1] is None or isinstance(found[0], _COMPOUND):
                return None
            starts.append(found[0].lineno - len(stmt.leading_lines))
            anchors.append(found[0].lineno)
            continue
        counterpart = next(pending, None)
        if not isinstance(counterpart, _COMPOUND_OF.get(type(stmt), ())):
            return None
        before = len(stmt.leading_lines)
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            state = _LineState(module)
            state.line = 0
            for part in (*stmt.leading_lines, *stmt.decorators, *stmt.lines_after_decorators):
                part._codegen(state)
            before = state.line
        starts.append(counterpart.lineno - before)
        anchors.append(counterpart.lineno)
    return (starts, anchors) if next(pending, None) is None else None


_COMPOUND_OF: dict[type, tuple[type, ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef), cst.ClassDef: (ast.ClassDef,), cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor), cst.While: (ast.While,), cst.Try: (ast.Try,), cst.With: (ast.With, ast.AsyncWith),
    cst.Match: (ast.Match,),
}
if hasattr(ast, "TryStar"):
    _COMPOUND_OF[cst.TryStar] = (ast.TryStar,)
_COMPOUND = tuple(kind for kinds in _COMPOUND_OF.values() for kind in kinds)
