"""LibCST -> facts: the path for files the running interpreter's `ast` cannot parse (syntax newer than it).

One grammar: whether a file parses is decided by LibCST's native parser with the newest grammar it knows
(`GRAMMAR`), never by the running interpreter. The fast path (`migrator.inventory.ast_facts`) reads files `ast`
accepts; LibCST's grammar accepts every one of them too (it is a superset of CPython's from 3.0 to 3.14). When `ast`
rejects a file (PEP 695 generics under 3.11, `except A, B:` under 3.13), LibCST parses it whole and its position
metadata gives the lines (`twins`). Both paths give the same facts (tests/inventory/test_grammar.py): the same IR,
string parts unescaped, the text of an expression the IR does not model normalised by `ir.opaque`.
Importing this module imports LibCST (~0.1 s): the inventory does so only when a file needs it.
"""

from __future__ import annotations

import ast
import contextlib
import re

import libcst as cst

from . import ir, twins
from .extract import BEARER, ExtractError, line_end
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


def _newest_grammar() -> str:
    try:
        from libcst._parser.types.config import KNOWN_PYTHON_VERSION_STRINGS

        return KNOWN_PYTHON_VERSION_STRINGS[-1]
    except (ImportError, IndexError):  # pragma: no cover - a LibCST that moved the list
        return "3.14"


#: The Python grammar every file is parsed with, whatever interpreter runs migrator.
GRAMMAR = _newest_grammar()
PARSER_CONFIG = cst.PartialParserConfig(python_version=GRAMMAR)


@contextlib.contextmanager
def unvalidated_nodes():
    """Skip LibCST's per-node validation while the parser builds a tree from source it just parsed.

    `CSTNode.__post_init__` validates every node as it is created (whitespace, parentheses...): useful for trees
    built by hand, redundant for the parser's own output (LibCST's source says as much), and ~40% of parse time.
    The original is restored on exit, so codemods building nodes afterwards are validated as usual.
    """
    original = cst.CSTNode.__dict__.get("__post_init__")
    if original is None:  # pragma: no cover - a LibCST without this hook: parse normally
        yield
        return
    cst.CSTNode.__post_init__ = _no_validation
    try:
        yield
    finally:
        cst.CSTNode.__post_init__ = original


def _no_validation(self) -> None:
    return None


def _syntax_error(exc: cst.ParserSyntaxError) -> ExtractError:
    """One line: "syntax error at line N: <what LibCST expected>" (LibCST's message carries the exact line)."""
    message = " ".join(exc.message.split())
    match = re.match(r"(?:parser error: )?error at (\d+):\d+: (.*)", message)
    line, what = (int(match.group(1)), match.group(2)) if match else (exc.raw_line, message)
    if len(what) > 160:
        what = what[:157] + "..."
    return ExtractError(f"syntax error at line {line}: {what}")


def parse_cst(source: bytes | str) -> cst.Module:
    """LibCST's native parser with the newest grammar (`GRAMMAR`); ExtractError with a one-line reason."""
    try:
        with unvalidated_nodes():
            return cst.parse_module(source, PARSER_CONFIG)
    except cst.ParserSyntaxError as exc:
        raise _syntax_error(exc) from None
    except RecursionError:
        raise ExtractError("cannot parse: nesting too deep") from None


_EMPTY = cst.Module(body=[])
_BINOPS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.BitOr: "|", cst.BitAnd: "&", cst.Power: "**", cst.MatrixMultiply: "@",
}


_COMPARE = {
    cst.Equal: "==", cst.NotEqual: "!=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not",
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
}


def _opaque(node: cst.CSTNode) -> ir.Opaque:
    try:
        text = _EMPTY.code_for_node(node)
    except Exception:  # pragma: no cover - codegen of a parsed node does not fail in practice
        text = type(node).__name__
    return ir.opaque(text)


def _string(node: cst.BaseString, line: int) -> Expr:
    """A string literal, implicitly concatenated or not: Const; FStr when an f-string takes part (one, its parts
    merged, as `ast` joins them); Opaque for what the IR does not model (conversions, format specs, t-strings)."""
    parts: list[object] = []
    fstring = _string_parts(node, parts, line)
    if fstring is None:
        return _opaque(node)
    merged: list[object] = []
    for part in parts:
        if isinstance(part, (str, bytes)):
            if fstring and not part:
                continue  # `ast` keeps no empty piece in an f-string
            if merged and type(merged[-1]) is type(part):
                merged[-1] += part
                continue
        merged.append(part)
    if fstring:
        return FStr(tuple(merged))
    return Const(merged[0]) if len(merged) == 1 else _opaque(node)  # str beside bytes: not valid Python


def _string_parts(node: cst.BaseExpression, out: list[object], line: int) -> bool | None:
    """Append the parts of a string literal to out; True when an f-string takes part, None for an Opaque."""
    if isinstance(node, cst.SimpleString):
        try:
            out.append(node.evaluated_value)
        except Exception:
            return None
        return False
    if isinstance(node, cst.ConcatenatedString):
        left = _string_parts(node.left, out, line)
        right = _string_parts(node.right, out, line) if left is not None else None
        return None if right is None else left or right
    if isinstance(node, cst.FormattedString):
        raw = "r" in node.prefix.lower()
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(_unescape(part.value, raw))
            elif part.format_spec or part.conversion is not None or part.equal:
                return None
            else:
                out.append(convert(part.expression, line))
        return True
    return None  # t-strings (Python 3.14) and whatever comes next


def _unescape(text: str, raw: bool) -> str:
    """The value of the text of an f-string as source (`{{` is `{`, escapes decoded unless raw), as `ast` gives."""
    text = text.replace("{{", "{").replace("}}", "}")
    if raw or "\\" not in text:
        return text
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def convert(node: cst.BaseExpression, line: int = 0) -> Expr:
    """LibCST expression -> IR. `line` is the line of the enclosing statement (LibCST gives no positions cheaply)."""
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[node.value])
        return Name(node.value)
    if isinstance(node, cst.Attribute):
        return Attr(convert(node.value, line), node.attr.value)
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return _string(node, line)
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
        return _call(node, line)
    if isinstance(node, cst.Subscript):
        items = tuple(convert(e.slice.value, line) if isinstance(e.slice, cst.Index) else _opaque(e.slice)
                      for e in node.slice)
        return Subscript(convert(node.value, line), items)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
        return _display(node, line)
    if isinstance(node, cst.IfExp):
        return IfExp(convert(node.test, line), convert(node.body, line), convert(node.orelse, line))
    if isinstance(node, cst.BinaryOperation):
        op = _BINOPS.get(type(node.operator))
        if op is None:
            return _opaque(node)
        return BinOp(op, convert(node.left, line), convert(node.right, line))
    return _opaque(node)


def _call(node: cst.Call, line: int) -> Call:
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


def _display(node: cst.List | cst.Tuple | cst.Set | cst.Dict, line: int) -> Expr:
    """A list, tuple, set or dict display; a starred element is opaque, a `**other` entry has the key None."""
    if isinstance(node, cst.Dict):
        return DictExpr(tuple(
            (convert(e.key, line), convert(e.value, line)) if isinstance(e, cst.DictElement)
            else (None, convert(e.value, line))
            for e in node.elements))
    kind = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(node)]
    return Seq(tuple(_opaque(e.with_changes(comma=cst.MaybeSentinel.DEFAULT)) if isinstance(e, cst.StarredElement)
                     else convert(e.value, line) for e in node.elements), kind)



def _dotted(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _target_names(target: cst.BaseExpression) -> tuple[str | None, ...]:
    if isinstance(target, cst.Name):
        return (target.value,)
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str | None] = []
        for element in target.elements:
            names.extend(_target_names(element.value))
        return tuple(names)
    return (None,)


def _flat_names(target: cst.BaseExpression) -> bool:
    """`a, b, c` or `[a, b]`: a tuple or list of plain names (no starred item, no nesting)."""
    return isinstance(target, (cst.Tuple, cst.List)) and all(
        isinstance(element, cst.Element) and isinstance(element.value, cst.Name) for element in target.elements
    )


class _Builder:
    def __init__(self, stubbed: set[int], bearer: set[int]):
        self.stubbed = stubbed
        self.bearer = bearer

    def block(self, statements: list[cst.CSTNode], nodes: list[ast.stmt], qual: str, nested: bool) -> tuple[Op, ...]:
        if len(statements) != len(nodes):  # pragma: no cover - the two parsers agree on statements
            raise ExtractError("LibCST and ast disagree on the statements of a block")
        ops: list[Op] = []
        for statement, node in zip(statements, nodes):
            self.statement(statement, node, qual, nested, ops)
        return tuple(ops)

    def suite(self, suite: cst.BaseSuite, nodes: list[ast.stmt], qual: str, nested: bool) -> tuple[Op, ...]:
        return self.block(twins.small_statements(suite), nodes, qual, nested)

    def statement(self, st: cst.CSTNode, node: ast.stmt, qual: str, nested: bool, ops: list[Op]) -> None:
        line = node.lineno
        if isinstance(st, cst.Expr):
            value = st.value.expression if isinstance(st.value, cst.Await) else st.value  # `await setup(app)`
            if isinstance(value, cst.Call):
                ops.append(ExprOp(line, convert(value, line)))
        elif isinstance(st, cst.Assign):
            targets: list[str | None] = []
            unpack = False
            for target in st.targets:
                names = _target_names(target.target)
                unpack = unpack or len(names) > 1 or not isinstance(target.target, cst.Name)
                targets.extend(names)
            flat = len(st.targets) == 1 and _flat_names(st.targets[0].target)
            value = None if unpack and len(targets) > 1 and not flat else convert(st.value, line)
            ops.append(AssignOp(line, tuple(targets), value, unpack=flat))
        elif isinstance(st, cst.AnnAssign):
            names = _target_names(st.target)
            ops.append(AssignOp(line, names, convert(st.value, line) if st.value is not None else None))
        elif isinstance(st, cst.AugAssign):
            names = _target_names(st.target)
            ops.append(AssignOp(line, names, convert(st.value, line), aug=_augop(st.operator) or "?"))
        elif isinstance(st, cst.Return):
            ops.append(ReturnOp(line, convert(st.value, line) if st.value is not None else None))
        elif type(st).__name__ == "TypeAlias":  # `type X = ...` (Python 3.12)
            ops.append(AssignOp(line, (st.name.value,), convert(st.value, line)))
        elif isinstance(st, cst.FunctionDef):
            ops.append(DefOp(self.function(st, node, qual, nested)))
        elif isinstance(st, cst.ClassDef):
            ops.append(ClassOp(self.klass(st, node, qual, nested)))
        elif isinstance(st, (cst.Import, cst.ImportFrom)):
            ops.append(_import(st, line))
        else:
            self.compound(st, node, qual, nested, ops)

    def compound(self, st: cst.CSTNode, node: ast.stmt, qual: str, nested: bool, ops: list[Op]) -> None:
        """The ops of a control-flow statement: its blocks, as branches where only some run."""
        line = node.lineno
        if isinstance(st, cst.If):
            if _is_main_guard(st.test):
                # `if __name__ == "__main__":` does not run when a server imports the module; its else does
                if st.orelse is not None and node.orelse:
                    if isinstance(st.orelse, cst.If):
                        ops.append(self.if_chain(st.orelse, node.orelse[0], qual, nested))
                    else:
                        ops.extend(self.suite(st.orelse.body, node.orelse, qual, nested))
            else:
                ops.append(self.if_chain(st, node, qual, nested))
        elif isinstance(st, (cst.Try, getattr(cst, "TryStar", cst.Try))):
            ops.extend(self.suite(st.body, node.body, qual, nested))
            branches = tuple(
                self.suite(handler.body, ast_handler.body, qual, nested)
                for handler, ast_handler in zip(st.handlers, node.handlers)
            )
            if branches:
                ops.append(IfOp(line, branches, False))
            if st.orelse is not None:
                ops.extend(self.suite(st.orelse.body, node.orelse, qual, nested))
            if st.finalbody is not None:
                ops.extend(self.suite(st.finalbody.body, node.finalbody, qual, nested))
        elif isinstance(st, cst.With):
            ops.extend(self.suite(st.body, node.body, qual, nested))
        elif isinstance(st, cst.For):
            body = self.suite(st.body, node.body, qual, nested)
            ops.append(LoopOp(line, _target_names(st.target), convert(st.iter, line), body))
            if st.orelse is not None:
                ops.append(IfOp(line, (self.suite(st.orelse.body, node.orelse, qual, nested),), False))
        elif isinstance(st, cst.While):
            ops.append(LoopOp(line, None, None, self.suite(st.body, node.body, qual, nested)))
            if st.orelse is not None:
                ops.append(IfOp(line, (self.suite(st.orelse.body, node.orelse, qual, nested),), False))
        elif isinstance(st, cst.Match):
            branches = tuple(
                self.suite(case.body, ast_case.body, qual, nested) for case, ast_case in zip(st.cases, node.cases)
            )
            ops.append(IfOp(line, branches, False))

    def if_chain(self, st: cst.If, node: ast.If, qual: str, nested: bool) -> IfOp:
        branches = [self.suite(st.body, node.body, qual, nested)]
        tests: list[ir.Expr | None] = [convert(st.test, node.lineno)]
        exhaustive = False
        current, current_node = st, node
        while current.orelse is not None:
            if isinstance(current.orelse, cst.If):
                current, current_node = current.orelse, current_node.orelse[0]
                branches.append(self.suite(current.body, current_node.body, qual, nested))
                tests.append(convert(current.test, current_node.lineno))
            else:
                branches.append(self.suite(current.orelse.body, current_node.orelse, qual, nested))
                tests.append(None)
                exhaustive = True
                break
        return IfOp(node.lineno, tuple(branches), exhaustive, tuple(tests))

    def params(self, parameters: cst.Parameters, line: int) -> tuple[ParamFact, ...]:
        out: list[ParamFact] = []

        def add(param: cst.Param, kind: str) -> None:
            annotation = convert(param.annotation.annotation, line) if param.annotation is not None else None
            default = convert(param.default, line) if param.default is not None else None
            out.append(ParamFact(param.name.value, kind, annotation, default))

        for param in parameters.posonly_params:
            add(param, "posonly")
        for param in parameters.params:
            add(param, "positional")
        if isinstance(parameters.star_arg, cst.Param):
            add(parameters.star_arg, "star")
        for param in parameters.kwonly_params:
            add(param, "kwonly")
        if parameters.star_kwarg is not None:
            add(parameters.star_kwarg, "starstar")
        return tuple(out)

    def function(self, st: cst.FunctionDef, node, qual: str, nested: bool) -> FunctionFact:
        name = st.name.value
        qualname = qual + name
        decorators = tuple(
            (convert(d.decorator, dn.lineno), dn.lineno) for d, dn in zip(st.decorators, node.decorator_list)
        )
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        body = None
        if node.lineno not in self.stubbed:
            body = self.suite(st.body, node.body, qualname + ".<locals>.", True)
        return FunctionFact(
            name=name,
            qualname=qualname,
            line=node.lineno,
            first_line=first,
            end_line=node.end_lineno,
            is_async=st.asynchronous is not None,
            decorators=decorators,
            params=self.params(st.params, node.lineno),
            body=body,
            mentions_bearer=node.lineno in self.bearer,
            nested=nested,
        )

    def klass(self, st: cst.ClassDef, node: ast.ClassDef, qual: str, nested: bool) -> ClassFact:
        qualname = qual + st.name.value
        bases = tuple(convert(arg.value, node.lineno) for arg in st.bases if not arg.star and arg.keyword is None)
        return ClassFact(
            name=st.name.value,
            qualname=qualname,
            line=node.lineno,
            end_line=node.end_lineno,
            bases=bases,
            body=self.suite(st.body, node.body, qualname + ".", nested),
        )


def _import(st: cst.Import | cst.ImportFrom, line: int) -> ImportOp:
    """The names an import statement binds, and what each is bound to."""
    bindings = []
    if isinstance(st, cst.Import):
        for alias in st.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None:
                bindings.append((_dotted(alias.asname.name), ImportTarget(0, dotted, None)))
            else:
                head = dotted.split(".")[0]
                bindings.append((head, ImportTarget(0, head, None)))
        return ImportOp(line, tuple(bindings))
    level, module = len(st.relative), _dotted(st.module)
    if isinstance(st.names, cst.ImportStar):
        return ImportOp(line, (("*", ImportTarget(level, module, "*")),))
    for alias in st.names:
        name = _dotted(alias.name)
        local = _dotted(alias.asname.name) if alias.asname is not None else name
        bindings.append((local, ImportTarget(level, module, name)))
    return ImportOp(line, tuple(bindings))


def _is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either side)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1


def _augop(operator: cst.BaseAugOp) -> str | None:
    return {
        cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.ModuloAssign: "%",
        cst.BitOrAssign: "|",
    }.get(type(operator))


def extract_ops(data: bytes, starts: list[int], ast_error: SyntaxError | None) -> tuple[tuple[Op, ...], set[int]]:
    """(ops, def lines of functions mentioning "bearer") of a file the interpreter's `ast` rejected, parsed whole
    by LibCST. ExtractError when LibCST rejects it too (worded by the interpreter when it gave a line)."""
    try:
        module_node = parse_cst(data)
    except ExtractError:
        if ast_error is not None and ast_error.lineno:  # invalid for both: the interpreter words it best
            raise ExtractError(f"syntax error at line {ast_error.lineno}: {ast_error.msg}") from None
        raise
    nodes = twins.twins(module_node)
    bearer = _bearer_twins(nodes, starts, data)
    return _Builder(set(), bearer).block(twins.small_statements(module_node), nodes, "", False), bearer


def _bearer_twins(nodes: list, starts: list[int], src: bytes) -> set[int]:
    found: set[int] = set()

    def visit(fn) -> None:
        if fn.body:
            start, end = starts[fn.body_start_line], line_end(starts, fn.body[-1].end_lineno, src)
            if any(src.find(token, start, end) != -1 for token in BEARER):
                found.add(fn.lineno)
            twins.walk_defs(fn.body, visit)

    twins.walk_defs(nodes, visit)
    return found
