"""Per-module facts: the statements of a module that matter to routing, as picklable data.

A module becomes a small program of ops (imports, assignments, expression statements, defs, classes, control
flow) whose expressions are IR (`migrator.inventory.ir`). `interp` executes these programs symbolically across
modules. `RefNode` is the unit of the phase-3 dead-code estimate (`refs`), computed on demand with `ast`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import Attr, Call, Expr


@dataclass(frozen=True, slots=True)
class ImportTarget:
    level: int  # 0 absolute, 1 for `from . import`, 2 for `from .. import`, ...
    module: str  # dotted, may be "" for `from . import x`
    attr: str | None  # `from module import attr`; None for `import module`


@dataclass(frozen=True, slots=True)
class ImportOp:
    line: int
    bindings: tuple[tuple[str, ImportTarget], ...]  # local name -> target ("*" for star imports)


@dataclass(frozen=True, slots=True)
class AssignOp:
    line: int
    targets: tuple[str | None, ...]  # simple names; None for anything else (attributes, subscripts, unpacking)
    value: Expr | None  # None: no value (annotation only), or an unpacking other than `a, b = value`
    aug: str | None = None  # operator of an augmented assignment
    unpack: bool = False  # `a, b, c = value`: one flat tuple or list of names, each bound to value's item


@dataclass(frozen=True, slots=True)
class ExprOp:
    line: int
    value: Expr


@dataclass(frozen=True, slots=True)
class ReturnOp:
    line: int
    value: Expr | None


@dataclass(frozen=True, slots=True)
class ParamFact:
    name: str
    kind: str  # positional | posonly | kwonly | star | starstar
    annotation: Expr | None
    default: Expr | None


@dataclass(frozen=True, slots=True)
class FunctionFact:
    name: str
    qualname: str  # within the module: f, C.m, outer.<locals>.inner
    line: int  # of `def`
    first_line: int  # first decorator (or def)
    end_line: int
    is_async: bool
    decorators: tuple[tuple[Expr, int], ...]  # (expression, line), top to bottom
    params: tuple[ParamFact, ...]
    body: tuple[Op, ...] | None  # None: body not parsed (skeleton: it holds no routing code)
    mentions_bearer: bool  # the body mentions "bearer" (an Authorization header checked for a Bearer token)
    nested: bool  # defined inside a function


@dataclass(frozen=True, slots=True)
class ClassFact:
    name: str
    qualname: str
    line: int
    end_line: int
    bases: tuple[Expr, ...]
    body: tuple[Op, ...]


@dataclass(frozen=True, slots=True)
class DefOp:
    func: FunctionFact


@dataclass(frozen=True, slots=True)
class ClassOp:
    cls: ClassFact


@dataclass(frozen=True, slots=True)
class IfOp:
    """Branches of an if/elif/else, match, or the handlers of a try: at most one runs."""

    line: int
    branches: tuple[tuple[Op, ...], ...]
    exhaustive: bool  # has an else (one branch always runs)
    # if/elif chains: the test of each branch (None for the else); empty for try handlers, match cases, loop elses
    tests: tuple[Expr | None, ...] = ()


@dataclass(frozen=True, slots=True)
class LoopOp:
    line: int
    target: tuple[str | None, ...] | None  # for-loop target names; None for while
    iter: Expr | None
    body: tuple[Op, ...]


Op = ImportOp | AssignOp | ExprOp | ReturnOp | DefOp | ClassOp | IfOp | LoopOp


@dataclass(frozen=True, slots=True)
class RefNode:
    """A top-level definition (function, class, assigned name) and what it references."""

    name: str
    kind: str  # function | class | assign
    start: int  # first line (decorators included)
    end: int
    refs: frozenset[str]  # names and dotted `a.b` attribute chains read inside


HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
DECORATOR_METHODS = frozenset(HTTP_METHODS + ("api_route", "route", "websocket"))
REGISTRATION_CALLS = frozenset({"add_api_route", "add_api_websocket_route"})


@dataclass(frozen=True, slots=True)
class RouteSite:
    """A route decorator (`@x.get(...)`) or registration call (`x.add_api_route(...)`, `x.get(p)(f)`) in the
    source, whether or not it ends up in an app: what coverage counts."""

    line: int
    kind: str  # decorator | call
    function: str | None  # qualname of the decorated function, or source text of the endpoint argument
    enclosing: str | None  # qualname of the function whose body holds it (None: module or class level)


def route_sites(ops: tuple[Op, ...], enclosing: str | None = None) -> list[RouteSite]:
    out: list[RouteSite] = []
    for op in ops:
        if isinstance(op, DefOp):
            for expr, line in op.func.decorators:
                if isinstance(expr, Call) and isinstance(expr.func, Attr) and expr.func.attr in DECORATOR_METHODS:
                    out.append(RouteSite(line, "decorator", op.func.qualname, enclosing))
            if op.func.body:
                out.extend(route_sites(op.func.body, op.func.qualname))
        elif isinstance(op, ClassOp):
            out.extend(route_sites(op.cls.body, enclosing))
        elif isinstance(op, IfOp):
            for branch in op.branches:
                out.extend(route_sites(branch, enclosing))
        elif isinstance(op, LoopOp):
            out.extend(route_sites(op.body, enclosing))
        elif isinstance(op, ExprOp) and isinstance(op.value, Call):
            func = op.value.func
            if isinstance(func, Attr) and func.attr in REGISTRATION_CALLS:
                endpoint = op.value.args[1] if len(op.value.args) > 1 else dict(op.value.kwargs).get("endpoint")
                out.append(RouteSite(op.line, "call", _text(endpoint), enclosing))
            elif isinstance(func, Call) and isinstance(func.func, Attr) and func.func.attr in DECORATOR_METHODS:
                out.append(RouteSite(op.line, "call", _text(op.value.args[0] if op.value.args else None), enclosing))
    return out


def _text(expr: Expr | None) -> str | None:
    from .ir import unparse

    return unparse(expr) if expr is not None else None


@dataclass(slots=True)
class ModuleFacts:
    file: str  # posix, relative to the root
    module: str  # dotted module name (best effort from __init__.py files)
    ops: tuple[Op, ...]
    line_count: int
    skeleton: bool = False  # some function bodies were not parsed
    mentions_bearer: bool = False  # the module checks Bearer tokens somewhere (a helper may parse the header)
    sites: tuple[RouteSite, ...] = ()  # route decorators and registration calls, for coverage
