"""One file -> `ModuleFacts` (runs in worker processes).

Parsing strategy (the expensive step is LibCST, ~10x slower than `ast`):
1. `ast.parse` the file (cheap) as a *fast path only*: it gives statement lines and spans.
2. Build a *skeleton*: the body of every function whose source holds no routing code (no router, app,
   include_router, route decorator, ...) and is longer than a few lines is replaced by `...` padded with newlines,
   so line numbers do not move. Short bodies stay (they may be factories such as `return Settings()`).
3. LibCST parses the skeleton; the routing statements are converted into ops and IR. LibCST gives no positions
   without an expensive metadata pass, so each LibCST statement is paired with its `ast` twin for its line.
Modules parsed on demand by the interpreter (settings, constants) are parsed whole (`skeleton=False`).

One grammar: whether a file parses is decided by LibCST's native parser (the newest grammar it knows,
`GRAMMAR`), never by the running interpreter. When `ast` rejects a file (syntax newer than the interpreter: PEP 695
generics under 3.11, `except A, B:` under 3.13) LibCST parses it whole and its position metadata gives the lines
(slower, but rare); when the skeleton does not parse (it never should), the whole file is parsed instead.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import tokenize

import libcst as cst

from . import ir, twins
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
    ModuleFacts,
    Op,
    ParamFact,
    RefNode,
    ReturnOp,
    route_sites,
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

# Source that can hold routing code. A function body matching this is always parsed.
ROUTING = re.compile(
    rb"APIRouter|FastAPI|include_router|add_api_route|api_route|\.mount\s*\("
    rb"|@\s*[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|route|websocket)\s*\("
)
_SHORT_BODY = 3  # function bodies of at most this many lines are always parsed
_BEARER = (b"Bearer", b"bearer", b"BEARER")


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


class ExtractError(Exception):
    """The file cannot be analysed; the message is the one-line reason reported in `skipped`."""


def decode_check(data: bytes) -> None:
    """Raise ExtractError unless the bytes decode with the file's declared encoding (UTF-8 by default)."""
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ExtractError(f"cannot decode: {exc}") from None
    if encoding in ("utf-8", "utf-8-sig"):
        raise ExtractError(
            f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
            "and no coding declaration"
        )
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ExtractError(f"cannot decode with declared encoding {encoding}: {exc}") from None


def _line_starts(src: bytes) -> list[int]:
    starts = [0, 0]  # 1-based: starts[1] == 0
    find = src.find
    pos = find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find(b"\n", pos + 1)
    return starts


def _walk_functions(stmts, visit) -> None:
    """Call visit(fn) for each function reachable without entering a function body (visit decides)."""
    for node in stmts:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            visit(node)
        elif isinstance(node, ast.ClassDef):
            _walk_functions(node.body, visit)
        elif isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
            _walk_functions(node.body, visit)
            _walk_functions(getattr(node, "orelse", ()), visit)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            _walk_functions(node.body, visit)
            for handler in node.handlers:
                _walk_functions(handler.body, visit)
            _walk_functions(node.orelse, visit)
            _walk_functions(node.finalbody, visit)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                _walk_functions(case.body, visit)


def _body_span(fn: ast.FunctionDef | ast.AsyncFunctionDef, src: bytes, starts: list[int]) -> tuple[int, int, int]:
    """(start offset, end offset, first line) of a function body, decorators of its first statement included.

    `ast` puts a decorated definition at its `def`/`class` line; its decorators come before. A stub that started
    at the `def` would leave them dangling over `...` (a file LibCST then rejects).
    """
    first, last = fn.body[0], fn.body[-1]
    decorators = getattr(first, "decorator_list", None)
    if decorators:
        line = min(d.lineno for d in decorators)
        start = starts[line]
        while src[start:start + 1] in (b" ", b"\t", b"\f"):
            start += 1  # the `@`: a decorator starts its own line
    else:
        line = first.lineno
        start = starts[line] + first.col_offset
    return start, starts[last.end_lineno] + last.end_col_offset, line


def _skeleton(tree: ast.Module, src: bytes, starts: list[int]) -> tuple[bytes, set[int], set[int]]:
    """(skeleton source, def lines of stubbed functions, def lines of functions mentioning "bearer")."""
    ranges: list[tuple[int, int, int]] = []
    stubbed: set[int] = set()
    bearer: set[int] = set()

    def visit(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        start, end, first_line = _body_span(fn, src, starts)
        if any(src.find(token, start, end) != -1 for token in _BEARER):
            bearer.add(fn.lineno)
        span = fn.body[-1].end_lineno - first_line
        if span >= _SHORT_BODY and not ROUTING.search(src, start, end):
            ranges.append((start, end, span))
            stubbed.add(fn.lineno)
        else:
            _walk_functions(fn.body, visit)

    _walk_functions(tree.body, visit)
    if not ranges:
        return src, stubbed, bearer
    ranges.sort()
    out, pos = [], 0
    for start, end, span in ranges:
        out.append(src[pos:start])
        out.append(b"..." + b"\n" * span)
        pos = end
    out.append(src[pos:])
    return b"".join(out), stubbed, bearer


def _bearer_lines(tree: ast.Module, src: bytes, starts: list[int]) -> set[int]:
    found: set[int] = set()

    def visit(fn) -> None:
        start, end, _ = _body_span(fn, src, starts)
        if any(src.find(token, start, end) != -1 for token in _BEARER):
            found.add(fn.lineno)
        _walk_functions(fn.body, visit)

    _walk_functions(tree.body, visit)
    return found


# --- LibCST statements -> ops, paired with ast statements for lines --------------------------------------------


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


def _suite_statements(suite: cst.BaseSuite) -> list[cst.CSTNode]:
    """Statements of a block, with the small statements of `a; b` lines flattened (as `ast` does)."""
    out: list[cst.CSTNode] = []
    if isinstance(suite, cst.SimpleStatementSuite):
        return list(suite.body)
    for statement in suite.body:
        if isinstance(statement, cst.SimpleStatementLine):
            out.extend(statement.body)
        else:
            out.append(statement)
    return out


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
        return self.block(_suite_statements(suite), nodes, qual, nested)

    def statement(self, st: cst.CSTNode, node: ast.stmt, qual: str, nested: bool, ops: list[Op]) -> None:
        line = node.lineno
        if isinstance(st, cst.Expr):
            value = st.value.expression if isinstance(st.value, cst.Await) else st.value  # `await setup(app)`
            if isinstance(value, cst.Call):
                ops.append(ExprOp(line, ir.convert(value, line)))
        elif isinstance(st, cst.Assign):
            targets: list[str | None] = []
            unpack = False
            for target in st.targets:
                names = _target_names(target.target)
                unpack = unpack or len(names) > 1 or not isinstance(target.target, cst.Name)
                targets.extend(names)
            value = None if unpack and len(targets) > 1 else ir.convert(st.value, line)
            ops.append(AssignOp(line, tuple(targets), value))
        elif isinstance(st, cst.AnnAssign):
            names = _target_names(st.target)
            ops.append(AssignOp(line, names, ir.convert(st.value, line) if st.value is not None else None))
        elif isinstance(st, cst.AugAssign):
            names = _target_names(st.target)
            ops.append(AssignOp(line, names, ir.convert(st.value, line), aug=_augop(st.operator) or "?"))
        elif isinstance(st, cst.Import):
            bindings = []
            for alias in st.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None:
                    bindings.append((_dotted(alias.asname.name), ImportTarget(0, dotted, None)))
                else:
                    head = dotted.split(".")[0]
                    bindings.append((head, ImportTarget(0, head, None)))
            ops.append(ImportOp(line, tuple(bindings)))
        elif isinstance(st, cst.ImportFrom):
            level = len(st.relative)
            module = _dotted(st.module)
            if isinstance(st.names, cst.ImportStar):
                ops.append(ImportOp(line, (("*", ImportTarget(level, module, "*")),)))
            else:
                bindings = []
                for alias in st.names:
                    name = _dotted(alias.name)
                    local = _dotted(alias.asname.name) if alias.asname is not None else name
                    bindings.append((local, ImportTarget(level, module, name)))
                ops.append(ImportOp(line, tuple(bindings)))
        elif isinstance(st, cst.Return):
            ops.append(ReturnOp(line, ir.convert(st.value, line) if st.value is not None else None))
        elif type(st).__name__ == "TypeAlias":  # `type X = ...` (Python 3.12)
            ops.append(AssignOp(line, (st.name.value,), ir.convert(st.value, line)))
        elif isinstance(st, cst.FunctionDef):
            ops.append(DefOp(self.function(st, node, qual, nested)))
        elif isinstance(st, cst.ClassDef):
            ops.append(ClassOp(self.klass(st, node, qual, nested)))
        elif isinstance(st, cst.If):
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
            ops.append(LoopOp(line, _target_names(st.target), ir.convert(st.iter, line), body))
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
        tests: list[ir.Expr | None] = [ir.convert(st.test, node.lineno)]
        exhaustive = False
        current, current_node = st, node
        while current.orelse is not None:
            if isinstance(current.orelse, cst.If):
                current, current_node = current.orelse, current_node.orelse[0]
                branches.append(self.suite(current.body, current_node.body, qual, nested))
                tests.append(ir.convert(current.test, current_node.lineno))
            else:
                branches.append(self.suite(current.orelse.body, current_node.orelse, qual, nested))
                tests.append(None)
                exhaustive = True
                break
        return IfOp(node.lineno, tuple(branches), exhaustive, tuple(tests))

    def params(self, parameters: cst.Parameters, line: int) -> tuple[ParamFact, ...]:
        out: list[ParamFact] = []

        def add(param: cst.Param, kind: str) -> None:
            annotation = ir.convert(param.annotation.annotation, line) if param.annotation is not None else None
            default = ir.convert(param.default, line) if param.default is not None else None
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
            (ir.convert(d.decorator, dn.lineno), dn.lineno) for d, dn in zip(st.decorators, node.decorator_list)
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
        bases = tuple(ir.convert(arg.value, node.lineno) for arg in st.bases if not arg.star and arg.keyword is None)
        return ClassFact(
            name=st.name.value,
            qualname=qualname,
            line=node.lineno,
            end_line=node.end_lineno,
            bases=bases,
            body=self.suite(st.body, node.body, qualname + ".", nested),
        )


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


# --- references for the dead-code estimate ------------------------------------------------------------------


def _refs(node: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Load):
                names.add(sub.id)
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            names.add(f"{sub.value.id}.{sub.attr}")
    return frozenset(names)


def reference_nodes(tree: ast.Module) -> tuple[dict[str, RefNode], frozenset[str]]:
    nodes: dict[str, RefNode] = {}
    module_refs: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([stmt.lineno] + [d.lineno for d in stmt.decorator_list])
            kind = "class" if isinstance(stmt, ast.ClassDef) else "function"
            nodes[stmt.name] = RefNode(stmt.name, kind, start, stmt.end_lineno, _refs(stmt))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if all(isinstance(t, ast.Name) for t in targets):
                refs = _refs(stmt.value)
                for target in targets:
                    nodes[target.id] = RefNode(target.id, "assign", stmt.lineno, stmt.end_lineno, refs)
            else:
                module_refs |= _refs(stmt)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        else:
            module_refs |= _refs(stmt)
    return nodes, frozenset(module_refs)


def line_count(src: bytes) -> int:
    if not src:
        return 0
    return src.count(b"\n") + (0 if src.endswith(b"\n") else 1)


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


def _fast_tree(data: bytes, rel: str) -> ast.Module | SyntaxError | None:
    """The running interpreter's `ast`, as a fast path only; its SyntaxError (or None) when it cannot parse the
    file. LibCST decides whether the file parses; the interpreter's message only words the reason better."""
    try:
        return ast.parse(data, filename=rel)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError):
        return None


def _bearer_twins(nodes: list, starts: list[int], src: bytes) -> set[int]:
    found: set[int] = set()

    def visit(fn) -> None:
        if fn.body:
            start, end = starts[fn.body_start_line], _line_end(starts, fn.body[-1].end_lineno, src)
            if any(src.find(token, start, end) != -1 for token in _BEARER):
                found.add(fn.lineno)
            twins.walk_defs(fn.body, visit)

    twins.walk_defs(nodes, visit)
    return found


def _line_end(starts: list[int], line: int, src: bytes) -> int:
    return starts[line + 1] if line + 1 < len(starts) else len(src)


def extract_source(rel: str, module: str, data: bytes, *, skeleton: bool = True) -> ModuleFacts:
    """Facts of one file's bytes. Raises ExtractError with a one-line reason when it cannot be analysed.

    The bytes are known to decode (discovery checked every file).
    """
    tree = _fast_tree(data, rel)
    starts = _line_starts(data)
    stubbed: set[int] = set()
    module_node = None
    if isinstance(tree, ast.Module):
        if skeleton:
            source, stubbed, bearer = _skeleton(tree, data, starts)
            if stubbed:
                try:
                    module_node = parse_cst(source)
                except ExtractError:  # the skeleton must never make a valid file unparsable: parse it whole
                    stubbed = set()
        else:
            bearer = _bearer_lines(tree, data, starts)
        if module_node is None:
            module_node = parse_cst(data)
        nodes: list = tree.body
    else:  # syntax the running interpreter does not know: LibCST alone, positions from its metadata
        try:
            module_node = parse_cst(data)
        except ExtractError:
            if isinstance(tree, SyntaxError) and tree.lineno:  # invalid for both: the interpreter words it best
                raise ExtractError(f"syntax error at line {tree.lineno}: {tree.msg}") from None
            raise
        nodes = twins.twins(module_node)
        bearer = _bearer_twins(nodes, starts, data)
    builder = _Builder(stubbed, bearer)
    ops = builder.block(_suite_statements(module_node), nodes, "", False)
    return ModuleFacts(
        file=rel,
        module=module,
        ops=ops,
        line_count=line_count(data),
        skeleton=bool(stubbed),
        mentions_bearer=any(token in data for token in _BEARER),
        sites=tuple(route_sites(ops)),
    )


def extract_file(root: str, rel: str, module: str, skeleton: bool = True) -> ModuleFacts | str:
    """Worker entry point: facts, or the one-line reason the file was skipped."""
    import os

    try:
        with open(os.path.join(root, rel), "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    try:
        return extract_source(rel, module, data, skeleton=skeleton)
    except ExtractError as exc:
        return str(exc)
    except Exception as exc:  # a bug here must cost one file, not the analysis
        return f"internal error while analysing: {type(exc).__name__}: {exc}"


def extract_batch(root: str, items: list[tuple[str, str]], skeleton: bool = True) -> list[ModuleFacts | str]:
    return [extract_file(root, rel, module, skeleton) for rel, module in items]
