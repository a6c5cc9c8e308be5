"""A small, picklable expression IR, converted from `ast` (`ast_facts`) or LibCST (`cst_facts`) expressions.

Workers parse files and send back facts; syntax trees are large object graphs that are slow to pickle, so the
expressions that matter (decorators, prefixes, defaults, annotations, calls at module level) travel as these
frozen dataclasses. `unparse` turns them back into source-like text for reports and `Param.annotation`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


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

OPAQUE_MAX = 200  # characters of source text an Opaque keeps


def opaque(source: str) -> Opaque:
    """The Opaque of an expression from its source text: comments dropped, whitespace collapsed, the expression's
    own outer parentheses dropped (LibCST keeps them and what they hold on the node, `ast` leaves them out of its
    positions), cut to 200 characters."""
    text = " ".join(_without_comments(source).split() if "#" in source else source.split())
    while len(text) > 2 and text[0] == "(" and _closing(text) == len(text) - 1:
        text = text[1:-1].strip()
    return Opaque(text[:OPAQUE_MAX])


def _string_end(text: str, index: int) -> int:
    """Index just past the string literal whose quote is at text[index] (or the end of text)."""
    quote = text[index:index + 3] if text[index:index + 3] in ('"""', "'''") else text[index]
    index += len(quote)
    while index < len(text) and not text.startswith(quote, index):
        index += 2 if text[index] == "\\" else 1
    return index + len(quote)


def _without_comments(source: str) -> str:
    out: list[str] = []
    index, size = 0, len(source)
    while index < size:
        char = source[index]
        if char in "'\"":
            end = _string_end(source, index)
            out.append(source[index:end])
            index = end
        elif char == "#":
            newline = source.find("\n", index)
            index = size if newline == -1 else newline
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _closing(text: str) -> int:
    """Index of the bracket that closes text[0] (string literals skipped), or -1."""
    depth, index, size = 0, 0, len(text)
    while index < size:
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index
        elif char in "'\"":
            index = _string_end(text, index)
            continue
        index += 1
    return -1


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
