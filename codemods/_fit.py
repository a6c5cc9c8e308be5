"""A generated module fitted to the service's line length once it is built (the handler, the tenant registry).

Statement by statement: comments and docstring paragraphs that are too long are rewrapped; a trailing comment that
makes its line too long goes above the line (or above its argument or dict item); a long signature gets one
parameter a line, and a parameter default still too long its own arguments one a line; a long one-line call has
its arguments one a line (even a single one, as a formatter would); a layout that hugs a call inside another is
redone the same way; an argument that is not a call and still does not fit is put in parentheses on its own line;
a long string inside brackets is split after spaces into adjacent literals (the same text). Pragmas (``# noqa``,
``# fmt: skip``, ...) stay where they are, and what cannot be broken so (one long word) is left as it is.
"""

from __future__ import annotations

import io
import re
import textwrap
import tokenize
from collections.abc import Sequence

import libcst as cst

from ._format import _COMPREHENSIONS, _newline, explode_brackets, explode_items, explode_outermost, fit_signature

_EMPTY = cst.Module([])
_PRAGMAS = ("# fmt:", "# noqa", "# type:", "# pragma")
_MIN_TEXT = 30  # a wrapped comment or docstring line keeps at least this many characters
_BULLETS = ("- ", "* ", ">>>")


def fit_module(module: cst.Module, width: int) -> cst.Module:
    """`module` with its lines within `width` columns where the rules above allow."""
    return cst.parse_module(fit_code(module, width))


def fit_code(module: cst.Module, width: int) -> str:
    """`fit_module(module, width).code` without parsing the result (for a caller that only writes the text)."""
    fitted = module.visit(_Fit(width))
    return _split_long_strings(fitted.code, width)


def fit_statements(statements: Sequence[cst.BaseStatement], width: int, depth: int = 0) -> list[cst.BaseStatement]:
    """Statements a phase writes into existing code (the app's wiring) fitted as `fit_module` fits a generated
    module, for a block `depth` levels deep (4 columns each); the code around them is left as it is."""
    # a `pass` first keeps the blank line and comments leading the first statement its own (not a module header)
    body: list[cst.BaseStatement] = [cst.SimpleStatementLine([cst.Pass()]), *statements]
    for _ in range(depth):
        body = [cst.If(test=cst.Name("True"), body=cst.IndentedBlock(body=body))]
    fitted = list(fit_module(cst.Module(body=body), width).body)
    for _ in range(depth):
        fitted = list(fitted[0].body.body)
    return fitted[1:]


def fit_expression(expression: cst.BaseExpression, width: int, indent: int = 0, lead: int = 0) -> cst.BaseExpression:
    """An expression a phase writes into existing code (a route decorator it rebuilds or adds), fitted as
    `fit_module` fits a statement at `indent` columns whose first line starts `lead` columns further (1 for the
    `@` of a decorator); the code around it is left as it is."""
    fitted = _fit_statement(cst.SimpleStatementLine([cst.Expr(expression)]), indent, width, lead)
    return fitted.body[0].value


def _fit_decorators(node, indent: int, width: int):
    return node.with_changes(decorators=[d.with_changes(decorator=fit_expression(d.decorator, width, indent, 1))
                                         for d in node.decorators])


class _Fit(cst.CSTTransformer):
    def __init__(self, width: int) -> None:
        self.width = width
        self.depth = 0

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        self.depth -= 1
        return updated.with_changes(footer=_comment_lines(updated.footer, 4 * (self.depth + 1), self.width))

    def leave_SimpleStatementLine(self, original, updated):
        indent = 4 * self.depth
        updated = _docstring(updated, indent, self.width)
        comment = updated.trailing_whitespace.comment
        if comment is not None and _first_too_long(updated, indent, self.width) and not _pragma(comment):
            trailing = updated.trailing_whitespace.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
            updated = updated.with_changes(trailing_whitespace=trailing,
                                           leading_lines=[*updated.leading_lines, cst.EmptyLine(comment=comment)])
        updated = _fit_statement(updated, indent, self.width)
        return updated.with_changes(leading_lines=_comment_lines(updated.leading_lines, indent, self.width))

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        indent = 4 * self.depth
        updated = fit_signature(_header_comment(updated, indent, self.width), self.width, indent)
        updated = _fit_decorators(updated, indent, self.width)
        updated = _fit_defaults(updated, indent, self.width)
        return updated.with_changes(leading_lines=_comment_lines(updated.leading_lines, indent, self.width))

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return self._compound(_fit_decorators(updated, 4 * self.depth, self.width))

    def leave_If(self, original: cst.If, updated: cst.If) -> cst.If:
        return self._compound(_fit_header(updated, "test", 4 * self.depth, self.width))

    def leave_While(self, original: cst.While, updated: cst.While) -> cst.While:
        return self._compound(_fit_header(updated, "test", 4 * self.depth, self.width))

    def leave_For(self, original: cst.For, updated: cst.For) -> cst.For:
        return self._compound(_fit_header(updated, "iter", 4 * self.depth, self.width))

    def leave_With(self, original: cst.With, updated: cst.With) -> cst.With:
        return self._compound(updated)

    def leave_Try(self, original: cst.Try, updated: cst.Try) -> cst.Try:
        return self._compound(updated)

    def _compound(self, node):
        node = _header_comment(node, 4 * self.depth, self.width)
        return node.with_changes(leading_lines=_comment_lines(node.leading_lines, 4 * self.depth, self.width))


# --- lines ------------------------------------------------------------------------------------------------------


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node.with_changes(leading_lines=[]) if hasattr(node, "leading_lines") else node)


def _first_too_long(node: cst.CSTNode, indent: int, width: int) -> bool:
    return indent + len(_code(node).split("\n")[0]) > width


def _any_too_long(node: cst.CSTNode, indent: int, width: int, lead: int = 0) -> bool:
    lines = _code(node).rstrip("\n").split("\n")
    return any(indent + (lead if number == 0 else 0) + len(line) > width for number, line in enumerate(lines))


def _pragma(comment: cst.Comment) -> bool:
    return comment.value.startswith(_PRAGMAS)


# --- comments and docstrings ------------------------------------------------------------------------------------


def _header_comment(node, indent: int, width: int):
    """A compound statement whose header line is too long with its comment: the comment above it instead."""
    body = getattr(node, "body", None)
    if not isinstance(body, cst.IndentedBlock) or body.header.comment is None:
        return node
    comment = body.header.comment
    if _pragma(comment) or not _first_too_long(node, indent, width):
        return node
    header = body.header.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
    return node.with_changes(body=body.with_changes(header=header),
                             leading_lines=[*node.leading_lines, cst.EmptyLine(comment=comment)])


def _fit_header(node, field: str, indent: int, width: int):
    """`if`/`while`/`for` whose header line is too long: the outermost bracket of its condition (or iterable) one
    item a line, as a formatter breaks it."""
    if not _first_too_long(node, indent, width) or not _flat_safe_node(getattr(node, field)):
        return node
    return node.with_changes(**{field: explode_outermost(getattr(node, field), indent, width)})


def _comment_lines(lines: Sequence[cst.EmptyLine], indent: int, width: int) -> list[cst.EmptyLine]:
    """Runs of own-line comments with a line longer than `width` rewrapped as one paragraph (``#:`` kept)."""
    out: list[cst.EmptyLine] = []
    run: list[cst.EmptyLine] = []
    for line in [*lines, None]:
        if line is not None and line.comment is not None and not _pragma(line.comment) and (
                not run or _lead(line) == _lead(run[0])):
            run.append(line)
            continue
        out += _rewrap(run, indent, width)
        run = []
        if line is not None and line.comment is not None and not _pragma(line.comment):
            run = [line]
        elif line is not None:
            out.append(line)
    return out


def _lead(line: cst.EmptyLine) -> str:
    return "#: " if line.comment.value.startswith("#:") else "# "


def _rewrap(run: list[cst.EmptyLine], indent: int, width: int) -> list[cst.EmptyLine]:
    if not run or all((indent if line.indent else 0) + len(line.comment.value) <= width for line in run):
        return run
    lead = _lead(run[0])
    text = " ".join(line.comment.value[len(lead.rstrip()):].strip() for line in run)
    room = max(width - (indent if run[0].indent else 0) - len(lead), _MIN_TEXT)
    parts = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [text]
    return [run[0].with_changes(comment=cst.Comment(lead + part)) for part in parts]


def _docstring(statement: cst.SimpleStatementLine, indent: int, width: int) -> cst.SimpleStatementLine:
    """A triple-quoted string statement with a line too long: that paragraph rewrapped at its indentation (a
    paragraph of bullets keeps its lines, each wrapped alone)."""
    expr = statement.body[0] if len(statement.body) == 1 else None
    if not (isinstance(expr, cst.Expr) and isinstance(expr.value, cst.SimpleString)):
        return statement
    raw = expr.value.value
    if not raw.startswith(('"""', "'''")):
        return statement
    lines = raw.split("\n")
    out: list[str] = []
    for paragraph in _paragraphs(lines):
        first = paragraph[0][0] == 0
        text_lines = [line for _, line in paragraph]
        if all((indent if number == 0 else 0) + len(line) <= width for number, line in paragraph):
            out += text_lines
        elif any(line.lstrip().startswith(_BULLETS) for line in text_lines):
            for number, line in paragraph:
                out += _wrap_line(line, indent if number == 0 else 0, indent, width)
        else:
            words = " ".join(line.strip() for line in text_lines)
            pad = " " * indent
            parts = textwrap.wrap(words, max(width - indent, _MIN_TEXT), break_long_words=False,
                                  break_on_hyphens=False)
            out += [part if first and i == 0 else pad + part for i, part in enumerate(parts)]
    if out == lines:
        return statement
    return statement.with_changes(body=[expr.with_changes(value=expr.value.with_changes(value="\n".join(out)))])


def _paragraphs(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Numbered lines grouped into paragraphs: blank lines (and a closing quote line) are paragraphs of their own."""
    groups: list[list[tuple[int, str]]] = []
    for number, line in enumerate(lines):
        alone = not line.strip() or line.strip() in ('"""', "'''")
        if alone or not groups or len(groups[-1]) == 1 and _alone(groups[-1][0][1]):
            groups.append([(number, line)])
        else:
            groups[-1].append((number, line))
    return groups


def _alone(line: str) -> bool:
    return not line.strip() or line.strip() in ('"""', "'''")


def _wrap_line(line: str, lead: int, indent: int, width: int) -> list[str]:
    if lead + len(line) <= width:
        return [line]
    own = len(line) - len(line.lstrip(" "))
    pad = " " * (own if lead == 0 else indent)
    parts = textwrap.wrap(line.strip(), max(width - len(pad), _MIN_TEXT), break_long_words=False,
                          break_on_hyphens=False) or [line.strip()]
    return [(line[:own] if lead == 0 else "") + parts[0], *(pad + (" " * 2 if line.lstrip().startswith(_BULLETS)
                                                                  else "") + part for part in parts[1:])]


# --- statements -------------------------------------------------------------------------------------------------


def _fit_statement(statement: cst.SimpleStatementLine, indent: int, width: int,
                   lead: int = 0) -> cst.SimpleStatementLine:
    """A statement with a line too long: its outermost call (or display) one item a line, a hugging layout
    redone, then its exploded arguments and items fitted (comments above, long values in parentheses, long calls
    and displays exploded). `lead`: columns before the statement's first line (the `@` of a decorator)."""
    if not _any_too_long(statement, indent, width, lead):
        return statement
    if "\n" not in _code(statement).rstrip("\n"):
        statement = explode_outermost(statement, indent, width)
    elif _first_too_long(statement, indent + lead, width) and _flat_safe(statement):
        statement = explode_outermost(statement.visit(_Flatten()), indent, width)
    if _first_too_long(statement, indent + lead, width) and _flat_safe(statement):
        statement = _value_in_parentheses(statement, indent, width)
    return statement.visit(_FitItems(indent, width))


def _value_in_parentheses(statement: cst.SimpleStatementLine, indent: int, width: int) -> cst.SimpleStatementLine:
    """An assignment or a `return` whose first line is too long even with its call exploded: its value in
    parentheses on lines of its own (``x = (`` ... ``)``), exploded inside only if it still does not fit there; a
    comprehension split at its own brackets instead, one clause a line."""
    small = statement.body[0] if len(statement.body) == 1 else None
    if not isinstance(small, (cst.Assign, cst.AnnAssign, cst.Return)) or small.value is None or small.value.lpar:
        return statement
    value = small.value.visit(_Flatten())
    if isinstance(value, tuple(_COMPREHENSIONS)):  # its own brackets split, as a formatter splits it
        return statement.with_changes(body=[small.with_changes(value=explode_brackets(value, indent, width, 0))])
    if indent + 4 + len(_EMPTY.code_for_node(value)) > width:
        value = explode_outermost(value, indent + 4, width, level=1)
    value = value.with_changes(lpar=[cst.LeftParen(whitespace_after=_newline("    "))],
                               rpar=[cst.RightParen(whitespace_before=_newline(""))])
    return statement.with_changes(body=[small.with_changes(value=value)])


def _flat_safe(statement: cst.SimpleStatementLine) -> bool:
    """No comment and no implicitly concatenated string inside: the statement can be put on one line again."""
    return _flat_safe_node(statement.with_changes(leading_lines=[], trailing_whitespace=cst.TrailingWhitespace()))


def _flat_safe_node(node: cst.CSTNode) -> bool:
    finder = _Finds()
    node.visit(finder)
    return not finder.found


class _Finds(cst.CSTVisitor):
    found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self.found = True


class _Flatten(cst.CSTTransformer):
    """Every bracketed line break made a space again: none after an opening bracket or before a closing one, and
    no trailing comma in a call."""

    def leave_ParenthesizedWhitespace(self, original, updated):
        return cst.SimpleWhitespace(" ")

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        args = list(updated.args)
        if args and isinstance(original.args[-1].comma, cst.Comma):
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args, whitespace_before_args=_tight(original.whitespace_before_args,
                                                                             updated.whitespace_before_args))

    def leave_LeftParen(self, original, updated):
        return updated.with_changes(whitespace_after=_tight(original.whitespace_after, updated.whitespace_after))

    def leave_LeftSquareBracket(self, original, updated):
        return updated.with_changes(whitespace_after=_tight(original.whitespace_after, updated.whitespace_after))

    def leave_LeftCurlyBrace(self, original, updated):
        return updated.with_changes(whitespace_after=_tight(original.whitespace_after, updated.whitespace_after))

    def leave_RightParen(self, original, updated):
        return updated.with_changes(whitespace_before=_tight(original.whitespace_before, updated.whitespace_before))

    def leave_RightSquareBracket(self, original, updated):
        return updated.with_changes(whitespace_before=_tight(original.whitespace_before, updated.whitespace_before))

    def leave_RightCurlyBrace(self, original, updated):
        return updated.with_changes(whitespace_before=_tight(original.whitespace_before, updated.whitespace_before))


def _tight(original: cst.BaseParenthesizableWhitespace, updated: cst.BaseParenthesizableWhitespace):
    return cst.SimpleWhitespace("") if isinstance(original, cst.ParenthesizedWhitespace) else updated


class _FitItems(cst.CSTTransformer):
    """In exploded calls, dict and list displays: a trailing comment too long goes above its item; an item still
    too long is exploded when it is a call or a display, else (an argument or a dict value) it goes in
    parentheses on a line of its own."""

    def __init__(self, indent: int, width: int) -> None:
        self.indent = indent
        self.width = width

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not isinstance(updated.whitespace_before_args, cst.ParenthesizedWhitespace) or not updated.args:
            return updated
        last = updated.args[-1].whitespace_after_arg
        before, items, last = self._fit(updated.whitespace_before_args, list(updated.args), last, )
        items[-1] = items[-1].with_changes(whitespace_after_arg=last)
        return updated.with_changes(whitespace_before_args=before, args=items)

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict) -> cst.Dict:
        return self._display(updated, "lbrace", "rbrace")

    def leave_List(self, original: cst.List, updated: cst.List) -> cst.List:
        return self._display(updated, "lbracket", "rbracket")

    def _display(self, node, opening: str, closing: str):
        before = getattr(node, opening).whitespace_after
        if not isinstance(before, cst.ParenthesizedWhitespace) or not node.elements:
            return node
        before, items, last = self._fit(before, list(node.elements), getattr(node, closing).whitespace_before)
        return node.with_changes(**{opening: getattr(node, opening).with_changes(whitespace_after=before),
                                    "elements": items,
                                    closing: getattr(node, closing).with_changes(whitespace_before=last)})

    def _fit(self, first, items: list, last):
        """(the whitespace after the opening bracket, the items, the whitespace before the closing one)."""
        for i, item in enumerate(items):
            before = first if i == 0 else getattr(items[i - 1].comma, "whitespace_after", None)
            if not isinstance(before, cst.ParenthesizedWhitespace):
                continue
            rel = before.last_line.value
            column = self.indent + len(rel)
            text = _EMPTY.code_for_node(item.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            own = getattr(item.comma, "whitespace_after", None)
            after = own if isinstance(own, cst.ParenthesizedWhitespace) else last if i == len(items) - 1 else None
            comment = after.first_line.comment if isinstance(after, cst.ParenthesizedWhitespace) else None
            if comment is not None and not _pragma(comment) and column + len(text) + 3 + len(comment.value) > (
                    self.width):
                above = cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(rel), comment=comment)
                before = before.with_changes(empty_lines=[*before.empty_lines, above])
                if i == 0:
                    first = before
                else:
                    items[i - 1] = items[i - 1].with_changes(
                        comma=items[i - 1].comma.with_changes(whitespace_after=before))
                after = after.with_changes(first_line=cst.TrailingWhitespace())
                if after is not None and own is not None and isinstance(own, cst.ParenthesizedWhitespace):
                    items[i] = item = item.with_changes(comma=item.comma.with_changes(whitespace_after=after))
                else:
                    last = after
            if "\n" not in text and column + len(text) + 1 > self.width and hasattr(item, "value"):
                exploded = explode_brackets(item.value, column, self.width, len(rel) // 4)
                if exploded is not None:
                    items[i] = item = item.with_changes(value=exploded)
                    continue
            if ("\n" not in text and column + len(text) + 1 > self.width
                    and isinstance(item, (cst.Arg, cst.DictElement)) and not item.value.lpar
                    and not isinstance(item.value, (cst.Call, cst.SimpleString))):
                value = item.value
                if column + 4 + len(_EMPTY.code_for_node(value)) > self.width:
                    value = _break_operators(value, rel + "    ")
                value = value.with_changes(lpar=[cst.LeftParen(whitespace_after=_newline(rel + "    "))],
                                           rpar=[cst.RightParen(whitespace_before=_newline(rel))])
                items[i] = item.with_changes(value=value)
        return first, items, last


def _break_operators(value: cst.BaseExpression, rel: str) -> cst.BaseExpression:
    """A chain of binary or boolean operations (in parentheses) with a line break before each of its operators."""
    if not isinstance(value, (cst.BinaryOperation, cst.BooleanOperation)) or value.lpar:
        return value
    operator = value.operator.with_changes(whitespace_before=_newline(rel))
    return value.with_changes(left=_break_operators(value.left, rel), operator=operator)


def _fit_defaults(func: cst.FunctionDef, indent: int, width: int) -> cst.FunctionDef:
    """In a signature with one parameter a line: a default call still too long gets one argument a line."""
    if not isinstance(func.whitespace_before_params, cst.ParenthesizedWhitespace):
        return func
    params = func.params

    def fit(param: cst.Param) -> cst.Param:
        text = _EMPTY.code_for_node(cst.Parameters(params=[param.with_changes(comma=cst.MaybeSentinel.DEFAULT)]))
        if indent + 4 + len(text) + 1 <= width or not isinstance(param.default, cst.Call) or not param.default.args:
            return param
        return param.with_changes(default=explode_items(param.default, indent + 4, width, level=1))

    return func.with_changes(params=params.with_changes(
        params=[fit(p) for p in params.params], kwonly_params=[fit(p) for p in params.kwonly_params],
        posonly_params=[fit(p) for p in params.posonly_params]))


# --- strings ----------------------------------------------------------------------------------------------------


def _split_long_strings(code: str, width: int) -> str:
    """A one-line string literal inside brackets on a line longer than `width`: adjacent literals split after
    spaces, one a line at the literal's column (Python joins them: the same text)."""
    lines = code.split("\n")
    depth = 0
    found: list[tuple[int, int, int, str]] = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif (token.type == tokenize.STRING and depth > 0 and token.start[0] == token.end[0]
              and len(lines[token.start[0] - 1]) > width):
            found.append((token.start[0] - 1, token.start[1], token.end[1], token.string))
    for row, start, end, literal in reversed(found):
        parts = _split_literal(literal, width - start - (len(lines[row]) - end))
        if parts is not None:
            line = lines[row]
            lines[row] = line[:start] + ("\n" + " " * start).join(parts) + line[end:]
    return "\n".join(lines)


def _split_literal(literal: str, room: int) -> list[str] | None:
    prefix = literal[: len(literal) - len(literal.lstrip("rRbBuU"))]
    quoted = literal[len(prefix):]
    if not quoted or quoted[0] not in "\"'" or quoted[:3] in ('"""', "'''"):
        return None
    quote, body = quoted[0], quoted[1:-1]
    limit = max(room - len(prefix) - 2, _MIN_TEXT)
    chunks = [""]
    for word in re.split(r"(?<= )", body):  # each word keeps the spaces after it: the text is unchanged
        if chunks[-1].strip() and len(chunks[-1]) + len(word) > limit:
            chunks.append("")
        chunks[-1] += word
    if len(chunks) < 2:
        return None
    return [f"{prefix}{quote}{chunk}{quote}" for chunk in chunks]
