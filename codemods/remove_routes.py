"""Phase 3 — the deprecated legacy routes go: their registrations, then (with `_phase23_deadcode`) the code only they
used.

Before::

    @router.get("/dashboard/top-users", response_model=TopUsers)
    @router.get(
        "/dashboard/top_users",
        deprecated=True,
        openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
        dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/..."))],
    )
    @deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats/top-users instead", version="2.3.0")
    async def get_top_users(...): ...

After removing ``GET /admin/dashboard/top_users`` only::

    @router.get("/dashboard/top-users", response_model=TopUsers)
    async def get_top_users(...): ...

This module removes *registrations* only: route decorators, ``add_api_route(...)`` statements, and the
``@deprecated`` decorator once no deprecated registration is left on the function. A function left without a
route registration, and every name the removed code used, become candidates for `_phase23_deadcode`, which deletes
a definition only when nothing in the repository references it any more (and a module only when nothing imports
it). Formatting and comments elsewhere are untouched.

It also edits the app module: ``unwire_deprecation_router`` drops phase 2's ``GET /mt/deprecations`` (nothing
counts any more), ``wire_gone_router`` adds the ``--gone`` stubs (``shims.gone``) answering 410 with the ``Link``
to the successor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import libcst as cst
import libcst.matchers as m

from ._phase23_routes import (
    RouteRef,
    add_imports,
    is_deprecated_decorator,
    literal,
    locate,
    py_string,
    route_sites,
)
from .deprecate_routes import insert_after_wiring

GONE_COMMENT = "# migrator phase 3: the removed legacy routes answer 410 Gone with a Link to their successor."


@dataclass
class RemovalResult:
    code: str
    removed: list[RouteRef] = field(default_factory=list)
    missing: list[RouteRef] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # names the removed code used: dead-code candidates
    attributes: set[tuple[str, str]] = field(default_factory=set)  # `module_alias.name` pairs it used


def used_names(node: cst.CSTNode) -> tuple[set[str], set[tuple[str, str]]]:
    """Every `Name` in `node`, and every `a.b` whose base is a plain name."""
    names = {n.value for n in m.findall(node, m.Name())}
    attributes = {(a.value.value, a.attr.value) for a in m.findall(node, m.Attribute(value=m.Name()))}
    return names, attributes


def _is_marked(call: cst.Call) -> bool:
    return any(a.keyword is not None and a.keyword.value == "deprecated" and m.matches(a.value, m.Name("True"))
               for a in call.args)


def remove_routes(source: str, routes: Sequence[RouteRef]) -> RemovalResult:
    """Remove the registrations of `routes` from one module (see the module docstring)."""
    module = cst.parse_module(source)
    sites = route_sites(module)
    located = locate(sites, routes)
    result = RemovalResult(code=source, missing=[r for r in routes if r not in located])
    if not located:
        return result
    doomed = {id(site.call): site.function for site in located.values()}
    remaining: dict[str, list[cst.Call]] = {}
    for site in sites:
        if id(site.call) not in doomed:
            remaining.setdefault(site.function, []).append(site.call)

    body: list[cst.BaseStatement] = []
    touched: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            kept = []
            for decorator in stmt.decorators:
                if isinstance(decorator.decorator, cst.Call) and id(decorator.decorator) in doomed:
                    _collect(result, decorator)
                    touched.add(stmt.name.value)
                else:
                    kept.append(decorator)
            if len(kept) != len(stmt.decorators):
                stmt = stmt.with_changes(decorators=kept)
        elif isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, cst.Expr) and id(s.value) in doomed for s in stmt.body):
            _collect(result, stmt)  # an add_api_route(...) statement: gone with its own comments
            touched.add(next(doomed[id(s.value)] for s in stmt.body if isinstance(s, cst.Expr)))
            continue
        body.append(stmt)
    # a function keeps @deprecated only while a deprecated registration of it is left
    for index, stmt in enumerate(body):
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in touched:
            body[index] = _undecorate(stmt, remaining, result)
    result.names |= touched
    result.removed = list(located)
    result.code = module.with_changes(body=body).code
    return result


def _collect(result: RemovalResult, node: cst.CSTNode) -> None:
    names, attributes = used_names(node)
    result.names |= names
    result.attributes |= attributes


def _undecorate(stmt: cst.FunctionDef, remaining: dict[str, list[cst.Call]], result: RemovalResult
                ) -> cst.FunctionDef:
    if any(_is_marked(c) for c in remaining.get(stmt.name.value, [])):
        return stmt
    for decorator in stmt.decorators:
        if is_deprecated_decorator(decorator):
            _collect(result, decorator)
    kept = [d for d in stmt.decorators if not is_deprecated_decorator(d)]
    return stmt.with_changes(decorators=kept) if len(kept) != len(stmt.decorators) else stmt


# --- the app module -----------------------------------------------------------------------------------------------


def _is_deprecation_router(stmt: cst.CSTNode) -> bool:
    """The phase-2 wiring: the /mt/deprecations router and the deprecation-headers middleware."""
    return bool(m.matches(stmt, m.SimpleStatementLine([m.Expr(m.Call(
        func=m.Attribute(attr=m.Name("include_router")),
        args=[m.Arg(m.Call(func=m.Name("create_deprecation_router"))), m.ZeroOrMore()]))]))
        or m.matches(stmt, m.SimpleStatementLine([m.Expr(m.Call(
            func=m.Attribute(attr=m.Name("add_middleware")),
            args=[m.Arg(m.Name("DeprecationHeadersMiddleware")), m.ZeroOrMore()]))])))


def unwire_deprecation_router(source: str) -> tuple[str, set[str]]:
    """Remove the phase-2 wiring (``include_router(create_deprecation_router())`` with its comment, and
    ``add_middleware(DeprecationHeadersMiddleware)``); returns the names it used."""
    module = cst.parse_module(source)
    found: set[str] = set()

    class Drop(cst.CSTTransformer):
        def leave_SimpleStatementLine(self, original, updated):
            if _is_deprecation_router(original):
                found.update(used_names(original)[0])
                return cst.RemoveFromParent()
            return updated

    new = module.visit(Drop())
    return (new.code, found) if found else (source, set())


def gone_statement(app: str, gone: Mapping[tuple[str, str], Optional[str]]) -> cst.BaseStatement:
    items = "".join(f"    ({py_string(method)}, {py_string(path)}): {py_string(successor) if successor else 'None'},\n"
                    for (method, path), successor in sorted(gone.items(), key=lambda kv: (kv[0][1], kv[0][0])))
    stmt = cst.parse_statement(f"{app}.include_router(create_gone_router({{\n{items}}}))\n")
    return stmt.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(comment=cst.Comment(GONE_COMMENT))])


class GoneError(Exception):
    pass


def wire_gone_router(source: str, gone: Mapping[tuple[str, str], Optional[str]]) -> str:
    """Include ``create_gone_router({(method, path): successor, ...})`` after the phase-1 wiring, or update the
    mapping of the one already there (a later ``--gone`` run adds the newly removed paths)."""
    module = cst.parse_module(source)
    existing = m.findall(module, m.Call(func=m.Name("create_gone_router")))
    if existing:
        call = existing[0]
        merged = dict(_gone_mapping(call))
        merged.update(gone)
        if merged == dict(_gone_mapping(call)):
            return source
        replacement = gone_statement("app", merged).body[0].value.args[0].value.args[0].value

        class Swap(cst.CSTTransformer):
            def leave_Call(self, original, updated):
                return updated.with_changes(args=[updated.args[0].with_changes(value=replacement)]) \
                    if original is call else updated

        return module.visit(Swap()).code
    if not gone:
        return source
    new = insert_after_wiring(module, lambda app: gone_statement(app, gone))
    if new is None:
        raise GoneError("no `include_router(create_standard_router(...))` from phase 1 to put the 410 stubs after")
    return add_imports(new, [("shims.gone", "create_gone_router")]).code


def _gone_mapping(call: cst.Call) -> dict[tuple[str, str], Optional[str]]:
    value = literal(call.args[0].value) if call.args else None
    return dict(value) if isinstance(value, dict) else {}
