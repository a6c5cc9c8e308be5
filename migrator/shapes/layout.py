"""Lines of the answer-mapping module fitted into the service's line length, broken where a formatter (ruff format,
black) would break them: a long signature one parameter a line, a long call with its arguments on the next line
(or one a line), a long conditional or ``or`` chain in parentheses one part a line; comments and docstrings wrapped.

Every helper returns lines whose indentation is relative (four spaces a level); `room` is how many columns the
lines may use after the caller's own indentation, `lead` how many the first line already has before the text.
"""

from __future__ import annotations

import textwrap

import libcst as cst

_CODE = cst.Module([]).code_for_node
MIN_TEXT = 30  # a comment or docstring line keeps at least this many characters, however deep it is indented


def signature(name: str, params: list[tuple[str, str]], returns: str, room: int) -> list[str]:
    """``def name(a: A, b: B) -> R:``, or one parameter a line (with a trailing comma) when longer than `room`."""
    one = f"def {name}({', '.join(f'{n}: {a}' for n, a in params)}) -> {returns}:"
    if len(one) <= room or not params:
        return [one]
    return [f"def {name}(", *(f"    {n}: {a}," for n, a in params), f") -> {returns}:"]


def comment(text: str, room: int) -> list[str]:
    """``# text``, wrapped to `room` columns."""
    return [f"# {line}" for line in wrap(text, room - 2)]


def docstring(text: str, room: int) -> list[str]:
    """``\"\"\"text\"\"\"``, wrapped to `room` columns (the closing quotes on the last line)."""
    return wrap(f'"""{text}"""', room)


def bullets(items: list[tuple[str, str]], room: int) -> list[str]:
    """``<head><text>`` for each item, wrapped to `room` columns, its continuation lines under the text."""
    lines: list[str] = []
    for head, text in items:
        lines += textwrap.wrap(f"{head}{text}", max(room, MIN_TEXT), subsequent_indent="  ",
                               break_long_words=False, break_on_hyphens=False) or [head]
    return lines


def wrap(text: str, room: int) -> list[str]:
    """`text` in lines of at most `room` columns (words are not broken: a longer word keeps its own line)."""
    return textwrap.wrap(text, max(room, MIN_TEXT), break_long_words=False, break_on_hyphens=False) or [text]


def fit(expr: str, room: int, lead: int = 0) -> list[str]:
    """`expr` as it stands when ``lead + len(expr) <= room``, else broken over several lines."""
    if lead + len(expr) <= room:
        return [expr]
    node = cst.parse_expression(expr)
    if isinstance(node, cst.IfExp):
        parts = [fit(_CODE(node.body), room - 4), [f"if {_CODE(node.test)}"],
                 _lead("else ", fit(_CODE(node.orelse), room - 4, 5))]
        return ["(", *_indent([line for part in parts for line in part]), ")"]
    if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
        operands = _operands(node)
        parts = [fit(operands[0], room - 4), *(_lead("or ", fit(o, room - 4, 3)) for o in operands[1:])]
        return ["(", *_indent([line for part in parts for line in part]), ")"]
    call, tail = node, ""
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Call):
        call, tail = node.value, _CODE(node)[len(_CODE(node.value)):]
    if isinstance(call, cst.Call) and call.args:
        return [f"{_CODE(call.func)}(", *_indent(_arguments(call.args, room - 4)), f"){tail}"]
    return [expr]


def _arguments(args: tuple[cst.Arg, ...] | list[cst.Arg], room: int) -> list[str]:
    """The arguments on one line when they fit `room`, else one a line with a trailing comma."""
    texts = [_CODE(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for arg in args]
    if len(", ".join(texts)) <= room:
        return [", ".join(texts)]
    lines: list[str] = []
    for arg in args:
        head = f"{arg.keyword.value}=" if arg.keyword is not None else arg.star
        lines += _lead(head, fit(_CODE(arg.value), room - 1, len(head)))
        lines[-1] += ","
    return lines


def _operands(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or) and not node.lpar:
        return [*_operands(node.left), *_operands(node.right)]
    return [_CODE(node)]


def _lead(head: str, lines: list[str]) -> list[str]:
    return [head + lines[0], *lines[1:]]


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" if line else line for line in lines]
