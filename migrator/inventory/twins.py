"""Statement positions from LibCST, shaped like the `ast` statements the extractor pairs with LibCST nodes.

The extractor's fast path pairs each LibCST statement with its `ast` twin for line numbers (LibCST's position
metadata costs about a parse). When the running interpreter's `ast` cannot parse a file that LibCST can (syntax
newer than the interpreter), the twins come from LibCST's own positions instead, so that the result does not
depend on the interpreter. Only the attributes the extractor reads exist: `lineno`, `end_lineno`, `body`,
`orelse`, `handlers`, `finalbody`, `cases`, `decorator_list`, and `kind` ("def" for functions, "class", "other").
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


class Twin:
    __slots__ = ("kind", "lineno", "end_lineno", "body", "orelse", "handlers", "finalbody", "cases",
                 "decorator_list", "body_start_line")

    def __init__(self, kind: str, lineno: int, end_lineno: int):
        self.kind = kind
        self.lineno = lineno
        self.end_lineno = end_lineno
        self.body: list[Twin] = []
        self.orelse: list[Twin] = []
        self.handlers: list[Twin] = []
        self.finalbody: list[Twin] = []
        self.cases: list[Twin] = []
        self.decorator_list: list[Twin] = []
        self.body_start_line = lineno


def small_statements(suite: cst.BaseSuite | cst.Module) -> list[cst.CSTNode]:
    """Statements of a block or module, with the small statements of `a; b` lines flattened (as `ast` does)."""
    if isinstance(suite, cst.SimpleStatementSuite):
        return list(suite.body)
    out: list[cst.CSTNode] = []
    for statement in suite.body:
        if isinstance(statement, cst.SimpleStatementLine):
            out.extend(statement.body)
        else:
            out.append(statement)
    return out


class _Positions:
    def __init__(self, positions):
        self.positions = positions

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def end(self, node: cst.CSTNode) -> int:
        return self.positions[node].end.line

    def block(self, suite) -> list[Twin]:
        return [self.twin(st) for st in small_statements(suite)]

    def twin(self, st: cst.CSTNode) -> Twin:
        if isinstance(st, (cst.FunctionDef, cst.ClassDef)):
            twin = Twin("def" if isinstance(st, cst.FunctionDef) else "class", self.line(st.name), self.end(st))
            for decorator in st.decorators:
                twin.decorator_list.append(Twin("other", self.line(decorator), self.end(decorator)))
            twin.body = self.block(st.body)
            if twin.body:
                first = small_statements(st.body)[0]
                decorators = getattr(first, "decorators", ())
                twin.body_start_line = self.line(decorators[0]) if decorators else self.line(first)
            return twin
        twin = Twin("other", self.line(st), self.end(st))
        if isinstance(st, cst.If):
            twin.body = self.block(st.body)
            if isinstance(st.orelse, cst.If):
                twin.orelse = [self.twin(st.orelse)]
            elif st.orelse is not None:
                twin.orelse = self.block(st.orelse.body)
        elif isinstance(st, (cst.Try, cst.TryStar)):
            twin.body = self.block(st.body)
            for handler in st.handlers:
                sub = Twin("other", self.line(handler), self.end(handler))
                sub.body = self.block(handler.body)
                twin.handlers.append(sub)
            if st.orelse is not None:
                twin.orelse = self.block(st.orelse.body)
            if st.finalbody is not None:
                twin.finalbody = self.block(st.finalbody.body)
        elif isinstance(st, (cst.For, cst.While)):
            twin.body = self.block(st.body)
            if st.orelse is not None:
                twin.orelse = self.block(st.orelse.body)
        elif isinstance(st, cst.With):
            twin.body = self.block(st.body)
        elif isinstance(st, cst.Match):
            for case in st.cases:
                sub = Twin("other", self.line(case), self.end(case))
                sub.body = self.block(case.body)
                twin.cases.append(sub)
        return twin


def twins(module: cst.Module) -> list[Twin]:
    """Twins of the module's top-level statements (small statements of `a; b` lines flattened, as `ast` does)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return _Positions(wrapper.resolve(PositionProvider)).block(module)


def walk_defs(nodes: list[Twin], visit) -> None:
    """visit(twin) for each function reachable without entering a function body (as extract._walk_functions)."""
    for node in nodes:
        if node.kind == "def":
            visit(node)
        elif node.kind == "class":
            walk_defs(node.body, visit)
        else:
            for block in (node.body, node.orelse, node.finalbody):
                walk_defs(block, visit)
            for sub in node.handlers + node.cases:
                walk_defs(sub.body, visit)
