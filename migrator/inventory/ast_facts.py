"""`ast` -> facts: the fast path of the extractor, for every file the running interpreter's `ast` parses.

Gives exactly the facts the LibCST path (`cst_facts`) gives for the same file (tests/inventory/test_grammar.py
compares them on real code): the same ops, the same IR, string parts unescaped, the text of an expression the IR
does not model normalised by `ir.opaque`. Function bodies the extractor decided not to read (`stubbed`: no routing
code, more than a few lines) are left out (`FunctionFact.body` None), as the LibCST path's skeleton does.

`src` is the file's source as UTF-8 without a BOM and `starts` its line offsets: `ast` positions count UTF-8 bytes,
so the source text of a node is a slice of `src`.
"""

from __future__ import annotations

import ast

from . import ir
from .facts import (
    AssignOp,
    ClassFact,
    ClassOp,
    DefOp,
    ExprOp,
    FunctionFact,
    IfOp,
    ImportOp,
    ImportTarget,
    LoopOp,
    Op,
    ParamFact,
    ReturnOp,
)
from .ir import (
    Attr,
    BinOp,
    BoolOp,
    Call,
    Compare,
    Const,
    DictExpr,
    Expr,
    FStr,
    IfExp,
    Name,
    Not,
    Seq,
    Subscript,
)

_BINOPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.BitOr: "|",
    ast.BitAnd: "&", ast.Pow: "**", ast.MatMult: "@",
}
_COMPARE = {
    ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}
_AUGOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Mod: "%", ast.BitOr: "|"}
_SEQ_KINDS = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}
_NUMBERS = (int, float)


class Converter:
    """ast expressions -> IR. `line` is the line of the enclosing statement (as the LibCST path gives)."""

    def __init__(self, src: bytes, starts: list[int]):
        self.src = src
        self.starts = starts

    def text(self, node: ast.AST) -> str:
        start = self.starts[node.lineno] + node.col_offset
        end = self.starts[node.end_lineno] + node.end_col_offset
        return self.src[start:end].decode("utf-8", "replace")

    def opaque(self, node: ast.AST) -> ir.Opaque:
        return ir.opaque(self.text(node))

    def convert(self, node: ast.expr, line: int) -> Expr:
        kind = type(node)
        if kind is ast.Name:
            return Name(node.id)
        if kind is ast.Attribute:
            return Attr(self.convert(node.value, line), node.attr)
        if kind is ast.Constant:
            value = node.value
            if isinstance(value, complex):
                return self.opaque(node)
            return Const(value)
        if kind is ast.Call:
            return self.call(node, line)
        if kind is ast.Subscript:
            return Subscript(self.convert(node.value, line), self.slice_items(node.slice, line))
        if kind is ast.JoinedStr:
            return self.fstring(node, line)
        if kind in _SEQ_KINDS:
            items = tuple(self.opaque(e) if type(e) is ast.Starred else self.convert(e, line) for e in node.elts)
            return Seq(items, _SEQ_KINDS[kind])
        if kind is ast.Dict:
            return DictExpr(tuple((self.convert(k, line) if k is not None else None, self.convert(v, line))
                                  for k, v in zip(node.keys, node.values)))
        if kind is ast.BinOp:
            op = _BINOPS.get(type(node.op))
            if op is None:
                return self.opaque(node)
            return BinOp(op, self.convert(node.left, line), self.convert(node.right, line))
        if kind is ast.BoolOp:  # `a and b and c` is ((a and b) and c), as LibCST nests it
            op = "and" if type(node.op) is ast.And else "or"
            result = self.convert(node.values[0], line)
            for value in node.values[1:]:
                result = BoolOp(op, result, self.convert(value, line))
            return result
        if kind is ast.Compare:
            if len(node.ops) != 1:
                return self.opaque(node)
            return Compare(_COMPARE[type(node.ops[0])], self.convert(node.left, line),
                           self.convert(node.comparators[0], line))
        if kind is ast.UnaryOp:
            return self.unary(node, line)
        if kind is ast.IfExp:
            return IfExp(self.convert(node.test, line), self.convert(node.body, line), self.convert(node.orelse, line))
        if kind is ast.Await:  # statically, an awaited call is the call
            return self.convert(node.value, line)
        return self.opaque(node)

    def unary(self, node: ast.UnaryOp, line: int) -> Expr:
        if type(node.op) is ast.Not:
            return Not(self.convert(node.operand, line))
        if type(node.op) is ast.USub:
            inner = self.convert(node.operand, line)
            if isinstance(inner, Const) and isinstance(inner.value, _NUMBERS) and not isinstance(inner.value, bool):
                return Const(-inner.value)
        return self.opaque(node)

    def call(self, node: ast.Call, line: int) -> Call:
        args: list[Expr] = []
        starred = False
        for arg in node.args:
            if type(arg) is ast.Starred:
                starred = True
            else:
                args.append(self.convert(arg, line))
        kwargs: list[tuple[str, Expr]] = []
        star_kwargs = None
        for keyword in node.keywords:
            if keyword.arg is None:
                starred = True
                if star_kwargs is None:
                    star_kwargs = self.convert(keyword.value, line)
            else:
                kwargs.append((keyword.arg, self.convert(keyword.value, line)))
        return Call(self.convert(node.func, line), tuple(args), tuple(kwargs), starred, line, star_kwargs)

    def slice_items(self, node: ast.expr, line: int) -> tuple[Expr, ...]:
        """Items of `x[a, b]` (two) as LibCST lists its subscript elements; `x[(a, b)]` has one, a tuple."""
        if type(node) is ast.Tuple and node.elts and not self._parenthesized(node):
            return tuple(self.slice_item(element, line) for element in node.elts)
        return (self.slice_item(node, line),)

    def slice_item(self, node: ast.expr, line: int) -> Expr:
        if type(node) is ast.Slice:
            return self.opaque(node)
        if type(node) is ast.Starred:  # `x[*ts]`: LibCST keeps the star beside the element's value
            return self.convert(node.value, line)
        return self.convert(node, line)

    def _parenthesized(self, node: ast.Tuple) -> bool:
        start = self.starts[node.lineno] + node.col_offset
        end = self.starts[node.end_lineno] + node.end_col_offset
        return self.src[start:start + 1] == b"(" and self.src[end - 1:end] == b")"

    def fstring(self, node: ast.JoinedStr, line: int) -> Expr:
        parts: list[str | Expr] = []
        for value in node.values:
            if type(value) is ast.Constant:
                parts.append(value.value)
            elif value.conversion != -1 or value.format_spec is not None:  # also `{x=}` (a conversion)
                return self.opaque(node)
            else:
                parts.append(self.convert(value.value, line))
        return FStr(tuple(parts))


class Builder:
    """Module statements -> ops (the same ops `cst_facts.Builder` gives)."""

    def __init__(self, src: bytes, starts: list[int], stubbed: set[int], bearer: set[int]):
        self.exprs = Converter(src, starts)
        self.src = src
        self.starts = starts
        self.stubbed = stubbed
        self.bearer = bearer

    def convert(self, node: ast.expr | None, line: int) -> Expr | None:
        return None if node is None else self.exprs.convert(node, line)

    def block(self, nodes: list[ast.stmt], qual: str, nested: bool) -> tuple[Op, ...]:
        ops: list[Op] = []
        for node in nodes:
            self.statement(node, qual, nested, ops)
        return tuple(ops)

    def statement(self, node: ast.stmt, qual: str, nested: bool, ops: list[Op]) -> None:
        kind = type(node)
        line = node.lineno
        if kind is ast.Expr:
            value = node.value.value if type(node.value) is ast.Await else node.value  # `await setup(app)`
            if type(value) is ast.Call:
                ops.append(ExprOp(line, self.exprs.convert(value, line)))
        elif kind is ast.Assign:
            targets: list[str | None] = []
            unpack = False
            for target in node.targets:
                names = _target_names(target)
                unpack = unpack or len(names) > 1 or type(target) is not ast.Name
                targets.extend(names)
            flat = len(node.targets) == 1 and _flat_names(node.targets[0])
            value = None if unpack and len(targets) > 1 and not flat else self.exprs.convert(node.value, line)
            ops.append(AssignOp(line, tuple(targets), value, unpack=flat))
        elif kind is ast.AnnAssign:
            ops.append(AssignOp(line, _target_names(node.target), self.convert(node.value, line)))
        elif kind is ast.AugAssign:
            ops.append(AssignOp(line, _target_names(node.target), self.exprs.convert(node.value, line),
                                aug=_AUGOPS.get(type(node.op), "?")))
        elif kind is ast.Import:
            ops.append(ImportOp(line, tuple(_import_binding(alias) for alias in node.names)))
        elif kind is ast.ImportFrom:
            ops.append(_import_from(node, line))
        elif kind is ast.Return:
            ops.append(ReturnOp(line, self.convert(node.value, line)))
        elif kind.__name__ == "TypeAlias":  # `type X = ...` (Python 3.12)
            ops.append(AssignOp(line, (node.name.id,), self.exprs.convert(node.value, line)))
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            ops.append(DefOp(self.function(node, qual, nested)))
        elif kind is ast.ClassDef:
            ops.append(ClassOp(self.klass(node, qual, nested)))
        elif kind is ast.If:
            self.if_statement(node, qual, nested, ops)
        else:
            self.compound(node, qual, nested, ops)

    def compound(self, node: ast.stmt, qual: str, nested: bool, ops: list[Op]) -> None:
        kind = type(node)
        line = node.lineno
        if kind is ast.Try or kind.__name__ == "TryStar":
            ops.extend(self.block(node.body, qual, nested))
            branches = tuple(self.block(handler.body, qual, nested) for handler in node.handlers)
            if branches:
                ops.append(IfOp(line, branches, False))
            ops.extend(self.block(node.orelse, qual, nested))
            ops.extend(self.block(node.finalbody, qual, nested))
        elif kind is ast.With or kind is ast.AsyncWith:
            ops.extend(self.block(node.body, qual, nested))
        elif kind is ast.For or kind is ast.AsyncFor:
            body = self.block(node.body, qual, nested)
            ops.append(LoopOp(line, _target_names(node.target), self.exprs.convert(node.iter, line), body))
            if node.orelse:
                ops.append(IfOp(line, (self.block(node.orelse, qual, nested),), False))
        elif kind is ast.While:
            ops.append(LoopOp(line, None, None, self.block(node.body, qual, nested)))
            if node.orelse:
                ops.append(IfOp(line, (self.block(node.orelse, qual, nested),), False))
        elif kind is ast.Match:
            ops.append(IfOp(line, tuple(self.block(case.body, qual, nested) for case in node.cases), False))

    def if_statement(self, node: ast.If, qual: str, nested: bool, ops: list[Op]) -> None:
        if not _is_main_guard(node.test):
            ops.append(self.if_chain(node, qual, nested))
        elif node.orelse:
            # `if __name__ == "__main__":` does not run when a server imports the module; its else does
            if self._is_elif(node.orelse):
                ops.append(self.if_chain(node.orelse[0], qual, nested))
            else:
                ops.extend(self.block(node.orelse, qual, nested))

    def _is_elif(self, orelse: list[ast.stmt]) -> bool:
        """`elif x:` rather than `else:` holding an `if` (`ast` gives both as an orelse of one If)."""
        if len(orelse) != 1 or type(orelse[0]) is not ast.If:
            return False
        start = self.starts[orelse[0].lineno] + orelse[0].col_offset
        return self.src.startswith(b"elif", start)

    def if_chain(self, node: ast.If, qual: str, nested: bool) -> IfOp:
        branches = [self.block(node.body, qual, nested)]
        tests: list[Expr | None] = [self.exprs.convert(node.test, node.lineno)]
        exhaustive = False
        current = node
        while current.orelse:
            if self._is_elif(current.orelse):
                current = current.orelse[0]
                branches.append(self.block(current.body, qual, nested))
                tests.append(self.exprs.convert(current.test, current.lineno))
            else:
                branches.append(self.block(current.orelse, qual, nested))
                tests.append(None)
                exhaustive = True
                break
        return IfOp(node.lineno, tuple(branches), exhaustive, tuple(tests))

    def params(self, arguments: ast.arguments, line: int) -> tuple[ParamFact, ...]:
        out: list[ParamFact] = []

        def add(arg: ast.arg, kind: str, default: ast.expr | None) -> None:
            out.append(ParamFact(arg.arg, kind, self.convert(arg.annotation, line), self.convert(default, line)))

        positional = arguments.posonlyargs + arguments.args
        defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
        for index, arg in enumerate(positional):
            add(arg, "posonly" if index < len(arguments.posonlyargs) else "positional", defaults[index])
        if arguments.vararg is not None:
            add(arguments.vararg, "star", None)
        for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
            add(arg, "kwonly", default)
        if arguments.kwarg is not None:
            add(arguments.kwarg, "starstar", None)
        return tuple(out)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, qual: str, nested: bool) -> FunctionFact:
        qualname = qual + node.name
        lines = [self._at_line(d.lineno) for d in node.decorator_list]
        decorators = tuple((self.exprs.convert(d, line), line) for d, line in zip(node.decorator_list, lines))
        first = min([node.lineno] + lines)
        body = None
        if node.lineno not in self.stubbed:
            body = self.block(node.body, qualname + ".<locals>.", True)
        return FunctionFact(
            name=node.name,
            qualname=qualname,
            line=node.lineno,
            first_line=first,
            end_line=node.end_lineno,
            is_async=type(node) is ast.AsyncFunctionDef,
            decorators=decorators,
            params=self.params(node.args, node.lineno),
            body=body,
            mentions_bearer=node.lineno in self.bearer,
            nested=nested,
        )

    def _at_line(self, line: int) -> int:
        """The line of a decorator's `@` (`ast` gives its expression's, one line further for `@(\\n x)`)."""
        for candidate in range(line, max(line - 20, 0), -1):
            start = self.starts[candidate]
            end = self.starts[candidate + 1] if candidate + 1 < len(self.starts) else len(self.src)
            if self.src[start:end].lstrip(b" \t\f").startswith(b"@"):
                return candidate
        return line

    def klass(self, node: ast.ClassDef, qual: str, nested: bool) -> ClassFact:
        qualname = qual + node.name
        bases = tuple(self.exprs.convert(base, node.lineno) for base in node.bases if type(base) is not ast.Starred)
        return ClassFact(
            name=node.name,
            qualname=qualname,
            line=node.lineno,
            end_line=node.end_lineno,
            bases=bases,
            body=self.block(node.body, qualname + ".", nested),
        )


def _target_names(target: ast.expr) -> tuple[str | None, ...]:
    kind = type(target)
    if kind is ast.Name:
        return (target.id,)
    if kind is ast.Tuple or kind is ast.List:
        names: list[str | None] = []
        for element in target.elts:
            names.extend(_target_names(element.value if type(element) is ast.Starred else element))
        return tuple(names)
    return (None,)


def _flat_names(target: ast.expr) -> bool:
    """`a, b, c` or `[a, b]`: a tuple or list of plain names (no starred item, no nesting)."""
    return type(target) in (ast.Tuple, ast.List) and all(type(item) is ast.Name for item in target.elts)


def _import_binding(alias: ast.alias) -> tuple[str, ImportTarget]:
    if alias.asname is not None:
        return alias.asname, ImportTarget(0, alias.name, None)
    head = alias.name.split(".")[0]
    return head, ImportTarget(0, head, None)


def _import_from(node: ast.ImportFrom, line: int) -> ImportOp:
    module = node.module or ""
    if len(node.names) == 1 and node.names[0].name == "*":
        return ImportOp(line, (("*", ImportTarget(node.level, module, "*")),))
    return ImportOp(line, tuple((alias.asname or alias.name, ImportTarget(node.level, module, alias.name))
                                for alias in node.names))


def _is_main_guard(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either side)."""
    if type(test) is not ast.Compare or len(test.ops) != 1 or type(test.ops[0]) is not ast.Eq:
        return False
    sides = (test.left, test.comparators[0])
    names = [side for side in sides if type(side) is ast.Name and side.id == "__name__"]
    strings = [side for side in sides if type(side) is ast.Constant and side.value == "__main__"]
    return len(names) == 1 and len(strings) == 1
