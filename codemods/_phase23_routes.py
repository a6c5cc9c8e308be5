"""Shared by phases 2 and 3: find the code that registers a route, and rebuild a registering call.

A route is registered by a decorator on a top-level function (``@router.get("/x")``, ``@app.api_route(...)``) or by
a top-level ``router.add_api_route("/x", endpoint, methods=[...])`` statement. The journal names a route by its
function, its HTTP methods and its *full* path (router prefixes included); the source only shows the path relative
to its router, so a journal route matches the registration of its function with the same methods whose local path
is the longest suffix of the full path.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Union

import libcst as cst

from ._fit import fit_expression

HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}
ROUTE_ATTRS = HTTP_METHODS | {"api_route", "add_api_route", "websocket", "add_websocket_route", "include_router",
                              "mount", "add_route"}


@dataclass(frozen=True)
class RouteRef:
    """A route as the journal knows it: the top-level function serving it, its methods and its full path."""

    function: str
    methods: tuple[str, ...]
    path: str

    @property
    def label(self) -> str:
        return f"{'/'.join(self.methods)} {self.path}"


@dataclass
class RouteSite:
    """Where a route is registered: the decorator call on `function`, or an `add_api_route` statement."""

    kind: str  # "decorator" | "call"
    function: str
    methods: tuple[str, ...]
    path: Optional[str]  # None: not a string literal
    call: cst.Call
    statement: Union[cst.FunctionDef, cst.SimpleStatementLine]


def literal(node: Optional[cst.BaseExpression]):
    """The Python value of a literal expression (strings, lists of strings...), else None."""
    if node is None:
        return None
    try:
        return ast.literal_eval(cst.Module([]).code_for_node(node))
    except (ValueError, SyntaxError):
        return None


def arg(call: cst.Call, keyword: str, position: Optional[int] = None) -> Optional[cst.Arg]:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == keyword:
            return a
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if position is not None and position < len(positional):
        return positional[position]
    return None


def _methods(call: cst.Call, default: tuple[str, ...]) -> tuple[str, ...]:
    given = arg(call, "methods")
    value = literal(given.value) if given else None
    if isinstance(value, (list, tuple, set)) and all(isinstance(v, str) for v in value):
        return tuple(sorted(v.upper() for v in value))
    return default


def _path(call: cst.Call) -> Optional[str]:
    given = arg(call, "path", 0)
    value = literal(given.value) if given else None
    return value if isinstance(value, str) else None


def route_call(call: cst.Call) -> Optional[tuple[tuple[str, ...], Optional[str]]]:
    """(methods, local path) of a route-registering call, else None."""
    if not isinstance(call.func, cst.Attribute):
        return None
    attr = call.func.attr.value
    if attr in HTTP_METHODS:
        return (attr.upper(),), _path(call)
    if attr in ("api_route", "add_api_route"):
        return _methods(call, ("GET",)), _path(call)
    return None


def route_sites(module: cst.Module) -> list[RouteSite]:
    sites: list[RouteSite] = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            for decorator in stmt.decorators:
                if isinstance(decorator.decorator, cst.Call):
                    found = route_call(decorator.decorator)
                    if found and decorator.decorator.func.attr.value != "add_api_route":
                        sites.append(RouteSite("decorator", stmt.name.value, *found, decorator.decorator, stmt))
        elif _is_add_api_route(stmt):
            call = stmt.body[0].value
            endpoint = arg(call, "endpoint", 1)
            if endpoint is not None and isinstance(endpoint.value, cst.Name):
                methods, path = route_call(call)
                sites.append(RouteSite("call", endpoint.value.value, methods, path, call, stmt))
    return sites


def _is_add_api_route(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
        return False
    call = stmt.body[0].value
    return (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "add_api_route")


def locate(sites: Sequence[RouteSite], routes: Iterable[RouteRef]) -> dict[RouteRef, RouteSite]:
    """Match journal routes to registrations (longest local-path suffix first; each registration used once)."""
    pairs = []
    for route in routes:
        for index, site in enumerate(sites):
            if site.function != route.function or set(site.methods) != set(route.methods):
                continue
            if site.path is None:
                pairs.append((-1, index, route))
            elif route.path.endswith(site.path) or route.path.rstrip("/") == site.path.rstrip("/"):
                pairs.append((len(site.path), index, route))
    found: dict[RouteRef, RouteSite] = {}
    used: set[int] = set()
    for _length, index, route in sorted(pairs, key=lambda p: (-p[0], p[1], p[2].path)):
        if route not in found and index not in used:
            found[route] = sites[index]
            used.add(index)
    return found


class _RouteCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value in ROUTE_ATTRS | {"FastAPI"}) or (
                isinstance(func, cst.Name) and func.value == "FastAPI"):
            self.found = True
        return not self.found


def has_routes(module: cst.Module) -> bool:
    """Does the module register routes, include routers, or create an app (phase 3 never deletes such a module)?"""
    visitor = _RouteCalls()
    module.visit(visitor)
    return visitor.found


def is_deprecated_decorator(decorator: cst.Decorator) -> bool:
    """``@deprecated`` or ``@deprecated(...)`` (any module prefix)."""
    expr = decorator.decorator
    func = expr.func if isinstance(expr, cst.Call) else expr
    return (isinstance(func, cst.Name) and func.value == "deprecated") or (
        isinstance(func, cst.Attribute) and func.attr.value == "deprecated")


def py_string(text: str) -> str:
    """A double-quoted Python string literal."""
    return json.dumps(text, ensure_ascii=False)


# --- rewriting a call --------------------------------------------------------------------------------------------


def rebuild_call(call: cst.Call, args: Sequence[str], module: cst.Module, width: int, lead: int = 0) -> cst.Call:
    """`call` with the argument list `args` (source text each: the call's own arguments, possibly changed, then
    new ones), fitted to `width` columns (`_fit`: one argument a line when it does not fit, and so on inside) for a
    call starting `lead` columns into a top-level line (1 after a decorator's `@`). An argument spanning lines
    keeps its lines, one argument a line; a call with comments inside keeps its layout."""
    func = module.code_for_node(call.func)
    if has_comment(call):
        return _keep_layout(call, list(args))
    one_line = f"{func}({', '.join(args)})"
    if "\n" in one_line:
        one_line = f"{func}(\n" + "".join(f"    {a},\n" for a in args) + ")"
    return fit_expression(cst.parse_expression(one_line), width, lead=lead)


class _Comments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def has_comment(node: cst.CSTNode) -> bool:
    visitor = _Comments()
    node.visit(visitor)
    return visitor.found


def _keep_layout(call: cst.Call, texts: list[str]) -> cst.Call:
    parsed = list(cst.parse_expression(f"f({', '.join(texts)})").args)
    old = list(call.args)
    new = [a.with_changes(value=parsed[i].value) if i < len(parsed) else a for i, a in enumerate(old)]
    extra = parsed[len(old):]
    if not extra:
        return call.with_changes(args=new)
    last = new[-1]
    opening = call.whitespace_before_args
    if isinstance(last.comma, cst.Comma) and isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace) \
            and isinstance(opening, cst.ParenthesizedWhitespace):
        # one argument a line with a trailing comma: continue the list the same way
        closing = last.comma.whitespace_after

        def between(first: cst.TrailingWhitespace = cst.TrailingWhitespace()) -> cst.ParenthesizedWhitespace:
            return cst.ParenthesizedWhitespace(first_line=first, indent=True, last_line=opening.last_line)

        new[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between(closing.first_line)))
        extra = [a.with_changes(comma=cst.Comma(whitespace_after=between())) for a in extra]
        extra[-1] = extra[-1].with_changes(comma=cst.Comma(whitespace_after=closing.with_changes(
            first_line=cst.TrailingWhitespace())))
    else:
        new[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                                    whitespace_after_arg=cst.SimpleWhitespace(""))
        extra = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in extra]
        extra[-1] = extra[-1].with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    return call.with_changes(args=[*new, *extra])


def arg_texts(call: cst.Call, module: cst.Module) -> list[str]:
    out = []
    for a in call.args:
        value = module.code_for_node(a.value)
        if a.keyword is not None:
            out.append(f"{a.keyword.value}={value}")
        else:
            out.append(f"{a.star}{value}")
    return out


def keyword_index(texts: list[str], call: cst.Call, keyword: str) -> Optional[int]:
    for index, a in enumerate(call.args):
        if a.keyword is not None and a.keyword.value == keyword:
            return index
    return None
