"""Layout of generated code: blank lines between definitions, and long signatures or calls one item a line."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import libcst as cst

_EMPTY = cst.Module([])


def blank_lines(node: cst.CSTNode, count: int) -> cst.CSTNode:
    """Keep the comments above a node, replace the blank lines around them by `count` blank lines."""
    lines = [line for line in getattr(node, "leading_lines", []) if line.comment is not None]
    # indent=False: a blank line inside a class body carries no trailing whitespace
    return node.with_changes(leading_lines=[cst.EmptyLine(indent=False) for _ in range(count)] + lines)


def spaced(nodes: list[cst.CSTNode], *, first: int = 0, around_defs: int = 2) -> list[cst.CSTNode]:
    """Blank lines as a formatter writes them: `around_defs` around functions and classes, none between simple
    statements (a module's constants), `first` before the first node."""
    out = []
    previous_def = False
    for index, node in enumerate(nodes):
        is_def = isinstance(node, (cst.FunctionDef, cst.ClassDef))
        count = first if index == 0 else (around_defs if (is_def or previous_def) else 0)
        out.append(blank_lines(node, count))
        previous_def = is_def
    return out


def _newline(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), empty_lines=[], indent=True,
                                       last_line=cst.SimpleWhitespace(indent))


def keyword_only(params: list[cst.Param]) -> cst.Parameters:
    """`(*, a: int = 1, b)`: keyword-only parameters, on one line."""
    clean = [p.with_changes(comma=cst.MaybeSentinel.DEFAULT,
                            equal=cst.AssignEqual() if p.default is not None and p.annotation is not None
                            else cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
                            if p.default is not None else cst.MaybeSentinel.DEFAULT) for p in params]
    return cst.Parameters(star_arg=cst.ParamStar() if clean else cst.MaybeSentinel.DEFAULT, kwonly_params=clean)


def fit_signature(func: cst.FunctionDef, width: int, indent: int = 0) -> cst.FunctionDef:
    """`func` with one parameter a line (and a trailing comma) when its `def` line is longer than `width`."""
    header = func.with_changes(body=cst.SimpleStatementSuite([cst.Pass()]), decorators=[], leading_lines=[])
    if indent + len(_EMPTY.code_for_node(header).splitlines()[0]) - len(" pass") <= width:
        return func
    pad = "    "  # relative: the ParenthesizedWhitespace adds the block's own indentation
    params = func.params
    items: list = ([params.star_arg] if isinstance(params.star_arg, cst.ParamStar) else [])
    nodes = [*params.posonly_params, *params.params, *items, *params.kwonly_params]
    nodes = [n.with_changes(comma=cst.Comma(whitespace_after=_newline(pad))) for n in nodes]
    if nodes:
        nodes[-1] = nodes[-1].with_changes(comma=cst.Comma(whitespace_after=_newline("")))
    count_pos, count_params = len(params.posonly_params), len(params.params)
    new_params = params.with_changes(
        posonly_params=nodes[:count_pos], params=nodes[count_pos:count_pos + count_params],
        star_arg=nodes[count_pos + count_params] if items else params.star_arg,
        kwonly_params=nodes[count_pos + count_params + len(items):])
    return func.with_changes(params=new_params, whitespace_before_params=_newline(pad))


class _WrapCalls(cst.CSTTransformer):
    """Long statements: the outermost call with several arguments gets one argument a line, then each argument
    still too long the same way; a long `with` header explodes the call of its context manager."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.depth = 0

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original, updated):
        self.depth -= 1
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        code = _EMPTY.code_for_node(updated.with_changes(leading_lines=[]))
        if 4 * self.depth + len(code.rstrip("\n")) <= self.width or "\n" in code.rstrip("\n"):
            return updated
        return explode_outermost(updated, 4 * self.depth, self.width)

    def leave_With(self, original: cst.With, updated: cst.With) -> cst.With:
        header = _EMPTY.code_for_node(updated.with_changes(body=cst.SimpleStatementSuite([cst.Pass()]),
                                                           leading_lines=[]))
        first = header.splitlines()[0][: -len(" pass")]
        if 4 * self.depth + len(first) <= self.width or len(updated.items) != 1:
            return updated
        item = updated.items[0]
        if not isinstance(item.item, cst.Call) or not item.item.args:
            return updated
        exploded = explode_items(item.item, 4 * self.depth, self.width)
        return updated.with_changes(items=[item.with_changes(item=exploded)])


def explode_outermost(node: cst.CSTNode, indent: int, width: int, level: int = 0) -> cst.CSTNode:
    """`node` (an expression or a statement starting at `indent` columns) with its outermost bracket that has
    items (call arguments, a list, tuple, set or dict display) one item a line, as a formatter splits a line at
    the brackets that enclose the most; an item still too long at its indentation the same way."""
    return node.visit(_ExplodeOuter(indent, width, level))


def explode_value(value: cst.BaseExpression, indent: int, width: int, level: int) -> cst.BaseExpression:
    """An argument or item too long on its line: `explode_brackets`, else its first call with several arguments
    (or dict display with several items) exploded."""
    return explode_brackets(value, indent, width, level) or value.visit(_ExplodeFirst(indent, width, level))


def explode_brackets(value: cst.BaseExpression, indent: int, width: int, level: int) -> cst.BaseExpression | None:
    """`value`'s own brackets exploded when it is a call or a display with items (also awaited), as a formatter
    splits a line at the brackets that end it; None for any other expression."""
    inner = value.expression if isinstance(value, cst.Await) else value
    if isinstance(inner, tuple(_COMPREHENSIONS)) and not inner.lpar:
        exploded = explode_comprehension(inner, level)
        return value.with_changes(expression=exploded) if inner is not value else exploded
    if not isinstance(inner, (cst.Call, *_BRACKETS)) or not _items(inner):
        return None
    exploded = explode_items(inner, indent, width, level)
    return value.with_changes(expression=exploded) if inner is not value else exploded


def explode_items(node, indent: int, width: int, level: int = 0):
    """A call or a display with one item a line and a trailing comma, its closing bracket on a line of its own; an
    item still longer than `width` at its indentation explodes too. `level`: how many exploded brackets enclose this
    one in its statement."""
    inner = "    " * (level + 1)
    items = []
    for item in _items(node):
        text = _EMPTY.code_for_node(item.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        if indent + 4 + len(text) + 1 > width and "\n" not in text and hasattr(item, "value"):
            room = width - indent - 4 - 1 - (len(text) - len(_EMPTY.code_for_node(item.value)))
            split = _split_string(item.value, room, inner) if isinstance(item.value, cst.SimpleString) else None
            item = item.with_changes(value=split or explode_value(item.value, indent + 4, width, level + 1))
        items.append(item.with_changes(comma=cst.Comma(whitespace_after=_newline(inner))))
    items[-1] = items[-1].with_changes(comma=cst.Comma(whitespace_after=_newline("    " * level)))
    # relative indentation: the ParenthesizedWhitespace adds the block's own
    if isinstance(node, cst.Call):
        items[-1] = items[-1].with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
        return node.with_changes(args=items, whitespace_before_args=_newline(inner))
    opening, closing = _BRACKETS[type(node)]
    if isinstance(node, cst.Tuple):
        return node.with_changes(elements=items, lpar=[node.lpar[0].with_changes(whitespace_after=_newline(inner))],
                                 rpar=[node.rpar[0].with_changes(whitespace_before=cst.SimpleWhitespace(""))])
    return node.with_changes(**{
        "elements": items,
        opening: getattr(node, opening).with_changes(whitespace_after=_newline(inner)),
        closing: getattr(node, closing).with_changes(whitespace_before=cst.SimpleWhitespace(""))})


_BRACKETS = {cst.List: ("lbracket", "rbracket"), cst.Set: ("lbrace", "rbrace"), cst.Dict: ("lbrace", "rbrace"),
             cst.Tuple: ("lpar", "rpar")}


_COMPREHENSIONS = {cst.ListComp: ("lbracket", "rbracket"), cst.SetComp: ("lbrace", "rbrace"),
                   cst.DictComp: ("lbrace", "rbrace")}


def explode_comprehension(node: cst.ListComp | cst.SetComp | cst.DictComp, level: int):
    """A comprehension one clause a line (the element, each `for`, each `if`), its closing bracket on a line of its
    own, as a formatter splits one too long; `level`: the bracket's depth in the statement."""
    inner = "    " * (level + 1)
    opening, closing = _COMPREHENSIONS[type(node)]
    return node.with_changes(**{
        "for_in": _clauses_on_lines(node.for_in, inner),
        opening: getattr(node, opening).with_changes(whitespace_after=_newline(inner)),
        closing: getattr(node, closing).with_changes(whitespace_before=_newline("    " * level)),
    })


def _clauses_on_lines(clause: cst.CompFor, inner: str) -> cst.CompFor:
    return clause.with_changes(
        whitespace_before=_newline(inner),
        ifs=[test.with_changes(whitespace_before=_newline(inner)) for test in clause.ifs],
        inner_for_in=_clauses_on_lines(clause.inner_for_in, inner) if clause.inner_for_in else None)


def _items(node) -> Sequence[cst.CSTNode]:
    if isinstance(node, cst.Call):
        bare_generator = len(node.args) == 1 and isinstance(node.args[0].value, cst.GeneratorExp) and not (
            node.args[0].value.lpar)  # `f(x for x in y)`: no trailing comma can follow it
        return () if bare_generator else node.args
    if isinstance(node, cst.Tuple):
        return node.elements if node.lpar else ()
    return node.elements


class _ExplodeOuter(cst.CSTTransformer):
    """The first (outermost) call or display with items, exploded by `explode_items`; nothing inside f-strings."""

    def __init__(self, indent: int, width: int, level: int) -> None:
        self.indent, self.width, self.level = indent, width, level
        self.target: cst.CSTNode | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.target is not None or isinstance(node, cst.FormattedString):
            return False
        if isinstance(node, (cst.Call, *_BRACKETS)) and _items(node):
            self.target = node
            return False
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        if original is self.target:
            return explode_items(updated, self.indent, self.width, self.level)
        return updated


def _split_string(node: cst.SimpleString, room: int, indent: str) -> cst.BaseExpression | None:
    """A one-line string literal longer than `room` as adjacent literals, one a line, split after spaces (the text is
    unchanged: Python joins them); None when it cannot be split so (a triple-quoted string, one long word)."""
    raw = node.value
    prefix = raw[: len(raw) - len(raw.lstrip("rRbBuU"))]
    quoted = raw[len(prefix):]
    if quoted[:3] in ('"""', "'''"):
        return None
    quote, body = quoted[0], quoted[1:-1]
    limit = room - len(prefix) - 2
    chunks = [""]
    for word in re.split(r"(?<= )", body):
        if chunks[-1] and len(chunks[-1]) + len(word) > limit:
            chunks.append("")
        chunks[-1] += word
    if len(chunks) < 2:
        return None
    joined: cst.BaseExpression = cst.SimpleString(f"{prefix}{quote}{chunks[-1]}{quote}")
    for chunk in reversed(chunks[:-1]):
        joined = cst.ConcatenatedString(left=cst.SimpleString(f"{prefix}{quote}{chunk}{quote}"), right=joined,
                                        whitespace_between=_newline(indent))
    return joined


def docstring(text: str, indent: int, width: int) -> cst.SimpleStatementLine:
    """A docstring statement for a block at `indent` columns, its text wrapped to `width` as a person would."""
    lines = textwrap.wrap(text, width=width - indent - 3, break_long_words=False, break_on_hyphens=False)
    if lines and indent + len(lines[-1]) + 3 > width:
        lines.append("")
    body = ("\n" + " " * indent).join(lines)
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{body}"""'))])


class _ExplodeFirst(cst.CSTTransformer):
    def __init__(self, indent: int = 0, width: int = 10**6, level: int = 0) -> None:
        self.done = False
        self.indent = indent
        self.width = width
        self.level = level

    def visit_Call(self, node: cst.Call) -> bool:
        if self.done or len(node.args) < 2:
            return True
        self.target = node
        self.done = True
        return False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if getattr(self, "target", None) is not original:
            return updated
        return explode_items(updated, self.indent, self.width, self.level)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return False  # a line break inside an f-string is a syntax error

    def visit_Dict(self, node: cst.Dict) -> bool:
        if self.done or len(node.elements) < 2:
            return True
        self.target = node
        self.done = True
        return False

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict) -> cst.Dict:
        if getattr(self, "target", None) is not original:
            return updated
        return explode_items(updated, self.indent, self.width, self.level)


def wrap_long_calls(node: cst.CSTNode, width: int) -> cst.CSTNode:
    """Generated statements longer than `width`: one call argument a line, as a formatter would."""
    return node.visit(_WrapCalls(width))
