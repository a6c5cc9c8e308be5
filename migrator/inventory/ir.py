"""A small, picklable expression IR converted from LibCST expressions.

Workers parse files and send back facts; LibCST trees are large object graphs that are slow to pickle, so the
expressions that matter (decorators, prefixes, defaults, annotations, calls at module level) travel as these
frozen dataclasses. `unparse` turns them back into source-like text for reports and `Param.annotation`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True, slots=True)
class Const:
    value: object  # str, int, float, bool, None, bytes, Ellipsis


@dataclass(frozen=True, slots=True)
class Name:
    id: str


@dataclass(frozen=True, slots=True)
class Attr:
    base: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class Call:
    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...]
    starred: bool  # *args or **kwargs present: arguments we cannot see directly
    line: int
    star_kwargs: Expr | None = None  # the expression after `**` (a dict we may know: a function's **kwargs)


@dataclass(frozen=True, slots=True)
class Subscript:
    base: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Expr, ...]
    kind: str  # list | tuple | set


@dataclass(frozen=True, slots=True)
class DictExpr:
    items: tuple[tuple[Expr | None, Expr], ...]  # key None: `**other`


@dataclass(frozen=True, slots=True)
class IfExp:
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class FStr:
    parts: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # == != in "not in" is "is not" < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # and | or
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class Opaque:
    text: str  # something we do not model (lambda, comprehension, ...): kept as source text


Expr = Const | Name | Attr | Call | Subscript | Seq | DictExpr | FStr | BinOp | Compare | BoolOp | Not | IfExp | Opaque

_BINOPS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.BitOr: "|", cst.BitAnd: "&", cst.Power: "**", cst.MatrixMultiply: "@",
}


_COMPARE = {
    cst.Equal: "==", cst.NotEqual: "!=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not",
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
}


def _opaque(node: cst.CSTNode) -> Opaque:
    try:
        text = cst.Module(body=[]).code_for_node(node)
    except Exception:  # pragma: no cover - codegen of a parsed node does not fail in practice
        text = type(node).__name__
    return Opaque(" ".join(text.split())[:200])


def _string_value(node: cst.BaseString) -> object:
    if isinstance(node, cst.SimpleString):
        try:
            return node.evaluated_value
        except Exception:
            return None
    if isinstance(node, cst.ConcatenatedString):
        left, right = _string_value(node.left), _string_value(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(left, bytes) and isinstance(right, bytes):
            return left + right
    return None


def convert(node: cst.BaseExpression, line: int = 0) -> Expr:
    """LibCST expression -> IR. `line` is the line of the enclosing statement (LibCST gives no positions cheaply)."""
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[node.value])
        return Name(node.value)
    if isinstance(node, cst.Attribute):
        return Attr(convert(node.value, line), node.attr.value)
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        if isinstance(node, cst.ConcatenatedString) and (
            isinstance(node.left, cst.FormattedString) or isinstance(node.right, cst.FormattedString)
        ):
            return BinOp("+", convert(node.left, line), convert(node.right, line))
        value = _string_value(node)
        return Const(value) if value is not None else _opaque(node)
    if isinstance(node, cst.FormattedString):
        parts: list[str | Expr] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            elif part.format_spec or part.conversion not in (None, "s") or part.equal:
                return _opaque(node)
            else:
                parts.append(convert(part.expression, line))
        return FStr(tuple(parts))
    if isinstance(node, cst.Integer):
        return Const(node.evaluated_value)
    if isinstance(node, cst.Float):
        return Const(node.evaluated_value)
    if isinstance(node, cst.Ellipsis):
        return Const(...)
    if isinstance(node, cst.Await):  # statically, an awaited call is the call
        return convert(node.expression, line)
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        target = node.comparisons[0]
        op = _COMPARE.get(type(target.operator))
        if op is not None:
            return Compare(op, convert(node.left, line), convert(target.comparator, line))
        return _opaque(node)
    if isinstance(node, cst.BooleanOperation):
        op = "and" if isinstance(node.operator, cst.And) else "or"
        return BoolOp(op, convert(node.left, line), convert(node.right, line))
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return Not(convert(node.expression, line))
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = convert(node.expression, line)
        if isinstance(inner, Const) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
            return Const(-inner.value)
        return _opaque(node)
    if isinstance(node, cst.Call):
        args: list[Expr] = []
        kwargs: list[tuple[str, Expr]] = []
        starred = False
        star_kwargs = None
        for arg in node.args:
            if arg.star:
                starred = True
                if arg.star == "**" and star_kwargs is None:
                    star_kwargs = convert(arg.value, line)
            elif arg.keyword is not None:
                kwargs.append((arg.keyword.value, convert(arg.value, line)))
            else:
                args.append(convert(arg.value, line))
        return Call(convert(node.func, line), tuple(args), tuple(kwargs), starred, line, star_kwargs)
    if isinstance(node, cst.Subscript):
        items: list[Expr] = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                items.append(convert(element.slice.value, line))
            else:
                items.append(_opaque(element.slice))
        return Subscript(convert(node.value, line), tuple(items))
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        kind = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(node)]
        elements = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                elements.append(_opaque(element))
            else:
                elements.append(convert(element.value, line))
        return Seq(tuple(elements), kind)
    if isinstance(node, cst.Dict):
        pairs = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                pairs.append((convert(element.key, line), convert(element.value, line)))
            else:  # `**other`: key None
                pairs.append((None, convert(element.value, line)))
        return DictExpr(tuple(pairs))
    if isinstance(node, cst.IfExp):
        return IfExp(convert(node.test, line), convert(node.body, line), convert(node.orelse, line))
    if isinstance(node, cst.BinaryOperation):
        op = _BINOPS.get(type(node.operator))
        if op is None:
            return _opaque(node)
        return BinOp(op, convert(node.left, line), convert(node.right, line))
    return _opaque(node)


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def unparse(expr: Expr | None) -> str | None:
    """Source-like text of an expression (normalised spacing and quotes)."""
    if expr is None:
        return None
    if isinstance(expr, Const):
        if isinstance(expr.value, str):
            return _quote(expr.value)
        if expr.value is ...:
            return "..."
        return repr(expr.value)
    if isinstance(expr, Name):
        return expr.id
    if isinstance(expr, Attr):
        return f"{unparse(expr.base)}.{expr.attr}"
    if isinstance(expr, Call):
        parts = [unparse(a) for a in expr.args] + [f"{k}={unparse(v)}" for k, v in expr.kwargs]
        if expr.starred:
            parts.append("...")
        return f"{unparse(expr.func)}({', '.join(p or '' for p in parts)})"
    if isinstance(expr, Subscript):
        return f"{unparse(expr.base)}[{', '.join(unparse(i) or '' for i in expr.items)}]"
    if isinstance(expr, Seq):
        inner = ", ".join(unparse(i) or "" for i in expr.items)
        if expr.kind == "tuple":
            return f"({inner}{',' if len(expr.items) == 1 else ''})"
        return f"[{inner}]" if expr.kind == "list" else "{" + inner + "}"
    if isinstance(expr, DictExpr):
        return "{" + ", ".join(f"{unparse(k)}: {unparse(v)}" if k is not None else f"**{unparse(v)}"
                               for k, v in expr.items) + "}"
    if isinstance(expr, IfExp):
        return f"{unparse(expr.body)} if {unparse(expr.test)} else {unparse(expr.orelse)}"
    if isinstance(expr, FStr):
        out = []
        for part in expr.parts:
            out.append(part.replace("{", "{{").replace("}", "}}") if isinstance(part, str) else "{" + (unparse(part) or "") + "}")
        return "f" + _quote("".join(out))
    if isinstance(expr, BinOp):
        return f"{unparse(expr.left)} {expr.op} {unparse(expr.right)}"
    if isinstance(expr, Compare):
        return f"{unparse(expr.left)} {expr.op} {unparse(expr.right)}"
    if isinstance(expr, BoolOp):
        return f"{unparse(expr.left)} {expr.op} {unparse(expr.right)}"
    if isinstance(expr, Not):
        return f"not {unparse(expr.operand)}"
    if isinstance(expr, Opaque):
        return expr.text
    return None  # pragma: no cover
