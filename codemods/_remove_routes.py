"""The transformation of the `remove_routes` codemod (`codemods/remove_routes.py` shows it before and after), without
libcst.codemod: phase 3 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

import libcst as cst

from ._phase23_routes import RouteRef, is_deprecated_decorator, locate, route_sites
from ._transform import Transform, file_context, run_transforms


@dataclass
class RemovalResult:
    code: str
    removed: list[RouteRef] = field(default_factory=list)
    missing: list[RouteRef] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # names the removed code used: dead-code candidates
    attributes: set[tuple[str, str]] = field(default_factory=set)  # `module_alias.name` pairs it used
    touched: set[str] = field(default_factory=set)  # functions that lost a registration


@dataclass
class RemovalPlan:
    """Phase 3's typed state: per file, the routes to remove; the app edits; what each pass found."""

    removals: dict[str, list[RouteRef]] = field(default_factory=dict)
    results: dict[str, RemovalResult] = field(default_factory=dict)
    #: --gone: (method, path) -> successor, asked when the app file's turn comes (after every other file)
    gone: Optional[Callable[[], Mapping[tuple[str, str], Optional[str]]]] = None
    unwire: Callable[[], bool] = lambda: True  # whether the app stops serving GET /mt/deprecations
    unwired: set[str] = field(default_factory=set)  # names the removed app wiring used
    line_length: int = 88  # the service's: the --gone wiring is fitted to it


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name):
            self.attributes.add((node.value.value, node.attr.value))


def used_names(node: cst.CSTNode) -> tuple[set[str], set[tuple[str, str]]]:
    """Every `Name` in `node`, and every `a.b` whose base is a plain name."""
    visitor = _Names()
    node.visit(visitor)
    return visitor.names, visitor.attributes


def _is_marked(call: cst.Call) -> bool:
    return any(a.keyword is not None and a.keyword.value == "deprecated" and isinstance(a.value, cst.Name)
               and a.value.value == "True" for a in call.args)


class RemoveRoutesTransform(Transform):
    """`RemoveRoutes`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
        plan: RemovalPlan = self.state
        routes = plan.removals.get(self.context.filename, [])
        sites = route_sites(tree)
        located = locate(sites, routes)
        result = RemovalResult(code="", missing=[r for r in routes if r not in located])
        plan.results[self.context.filename] = result
        if not located:
            return tree
        doomed = {id(site.call): site.function for site in located.values()}
        remaining: dict[str, list[cst.Call]] = {}
        for site in sites:
            if id(site.call) not in doomed:
                remaining.setdefault(site.function, []).append(site.call)
        body = _without_registrations(tree, doomed, result)
        for index, stmt in enumerate(body):  # @deprecated goes once no deprecated registration is left
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in result.touched:
                body[index] = _undecorate(stmt, remaining, result)
        result.names |= result.touched
        result.removed = list(located)
        return tree.with_changes(body=body)


def _without_registrations(tree: cst.Module, doomed: dict[int, str], result: RemovalResult) -> list:
    body: list[cst.BaseStatement] = []
    for stmt in tree.body:
        if isinstance(stmt, cst.FunctionDef):
            kept = []
            for decorator in stmt.decorators:
                if isinstance(decorator.decorator, cst.Call) and id(decorator.decorator) in doomed:
                    _collect(result, decorator)
                    result.touched.add(stmt.name.value)
                else:
                    kept.append(decorator)
            if len(kept) != len(stmt.decorators):
                stmt = stmt.with_changes(decorators=kept)
        elif isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, cst.Expr) and id(s.value) in doomed for s in stmt.body):
            _collect(result, stmt)  # an add_api_route(...) statement: gone with its own comments
            result.touched.add(next(doomed[id(s.value)] for s in stmt.body if isinstance(s, cst.Expr)))
            continue
        body.append(stmt)
    return body


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


def remove_routes(source: str, routes: Sequence[RouteRef]) -> RemovalResult:
    """Remove the registrations of `routes` from one module (one file on its own)."""
    plan = RemovalPlan(removals={"module.py": list(routes)})
    tree = run_transforms(cst.parse_module(source), [RemoveRoutesTransform], file_context("module.py", "module", plan))
    result = plan.results["module.py"]
    result.code = tree.code if result.removed else source
    return result
