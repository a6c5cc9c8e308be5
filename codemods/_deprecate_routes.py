"""The transformation of the `deprecate_routes` codemod (`codemods/deprecate_routes.py` shows it before and after),
without libcst.codemod: phase 2 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Optional, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ._fit import fit_expression, fit_statements
from ._imports import DEFAULT_LINE_LENGTH
from ._phase23_routes import (
    RouteRef,
    RouteSite,
    arg_texts,
    is_deprecated_decorator,
    keyword_index,
    literal,
    locate,
    py_string,
    rebuild_call,
    route_sites,
)
from ._transform import Transform, file_context, run_transforms
from ._wiring import calls_name

CONSTANT = "LEGACY_DEPRECATION"
CONSTANT_COMMENT = ("# migrator phase 2: the legacy routes below are deprecated since this date and removed "
                    "at the sunset.")


class DeprecateError(Exception):
    """The module cannot be deprecated safely (a name clash); the message says which name."""


@dataclass(frozen=True)
class Deprecation:
    route: RouteRef
    successor_method: str
    successor: str  # the standard path, e.g. "/mt/tenant/{tenant_id}/stats"

    @property
    def reason(self) -> str:
        return f"Use {self.successor_method} {self.successor} instead"


@dataclass
class DeprecateResult:
    code: str
    marked: list[RouteRef] = field(default_factory=list)  # changed now
    already: list[RouteRef] = field(default_factory=list)  # marked by an earlier run
    missing: list[RouteRef] = field(default_factory=list)  # no registration found


@dataclass
class DeprecationPlan:
    """Phase 2's typed state: per file, the routes to mark; the dates; what each file's pass found."""

    deprecations: dict[str, list[Deprecation]]
    deprecated_at: str
    sunset: str
    version: Optional[str]  # the service's, for `@deprecated(version=...)`; None when it declares none (left out)
    results: dict[str, DeprecateResult] = field(default_factory=dict)
    line_length: int = DEFAULT_LINE_LENGTH  # the service's: what the phase writes is fitted to it


class DeprecateRoutesTransform(Transform):
    """`DeprecateRoutes`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
        plan: DeprecationPlan = self.state
        by_route = {d.route: d for d in plan.deprecations.get(self.context.filename, [])}
        located = locate(route_sites(tree), by_route)
        result = DeprecateResult(code="", missing=[r for r in by_route if r not in located])
        plan.results[self.context.filename] = result
        if not located:
            return tree
        needed = _needed_imports(tree)
        new_calls: dict[int, cst.Call] = {}
        reasons: dict[str, list[str]] = {}
        for route, site in located.items():
            deprecation = by_route[route]
            reasons.setdefault(site.function, [])
            if deprecation.reason not in reasons[site.function]:
                reasons[site.function].append(deprecation.reason)
            if _is_marked(site.call):
                result.already.append(route)
                continue
            new_calls[id(site.call)] = _mark(site, deprecation, tree, plan.line_length)
            result.marked.append(route)
        new = tree.visit(_Rewrite(new_calls, reasons, plan.version, plan.line_length))
        new = _set_constant(new, _constant(plan.deprecated_at, plan.sunset), plan.line_length)
        for module, name in needed:
            self.add_import(module, name)
        return new


def deprecate_routes(source: str, deprecations: Sequence[Deprecation], *, deprecated_at: str, sunset: str,
                     version: Optional[str], style=None) -> DeprecateResult:
    """Mark the given routes of one module deprecated (see the module docstring); one file on its own."""
    plan = DeprecationPlan({"module.py": list(deprecations)}, deprecated_at, sunset, version,
                           line_length=style.line_length if style is not None else DEFAULT_LINE_LENGTH)
    context = file_context("module.py", "module", plan)
    code = run_transforms(cst.parse_module(source), [DeprecateRoutesTransform], context, style=style).code
    result = plan.results["module.py"]
    result.code = code
    return result


# where each name the generated code uses may come from (the same object under every spelling)
_SOURCES = {
    "deprecated": ("shims.deprecation", {"shims.deprecation", "deprecated", "deprecated.classic"}),
    "deprecated_endpoint": ("shims.deprecation", {"shims.deprecation"}),
    "Depends": ("fastapi", {"fastapi", "fastapi.param_functions"}),
}


def _needed_imports(module: cst.Module) -> list[tuple[str, str]]:
    """The imports to add; refuses when a needed name is bound at the top level to something else."""
    bound: dict[str, Optional[str]] = {}
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            bound[stmt.name.value] = None
        elif _single_assign(stmt) is not None:
            name = _single_assign(stmt)
            bound[name] = None
            if name == CONSTANT and not isinstance(stmt.body[0].value, cst.Dict):
                raise DeprecateError(f"`{CONSTANT}` exists and is not the phase-2 dates dict")
        elif isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0],
                                                                                             cst.ImportFrom):
            node = stmt.body[0]
            if isinstance(node.names, cst.ImportStar) or node.relative:
                continue
            source = get_full_name_for_node(node.module) if node.module else None
            for alias in node.names:
                name = get_full_name_for_node(alias.asname.name if alias.asname else alias.name)
                original = get_full_name_for_node(alias.name)
                bound[name] = source if original == name else None
    needed = []
    for name, (module_name, accepted) in _SOURCES.items():
        if name not in bound:
            needed.append((module_name, name))
        elif bound[name] not in accepted:
            raise DeprecateError(f"the module binds `{name}` to something else; rename it to deprecate its routes")
    return needed


def _single_assign(stmt: cst.CSTNode) -> Optional[str]:
    """`name` for a top-level `name = ...` statement."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        targets = stmt.body[0].targets
        if len(targets) == 1 and isinstance(targets[0].target, cst.Name):
            return targets[0].target.value
    return None


def _is_marked(call: cst.Call) -> bool:
    return calls_name(call, "deprecated_endpoint")


def _depends(successor: str) -> str:
    return f"Depends(deprecated_endpoint(**{CONSTANT}, successor={py_string(successor)}))"


def _mark(site: RouteSite, deprecation: Deprecation, module: cst.Module, width: int) -> cst.Call:
    call = site.call
    texts = arg_texts(call, module)
    sunset = f'"x-sunset": {CONSTANT}["sunset"]'

    index = keyword_index(texts, call, "deprecated")
    if index is None:
        texts.append("deprecated=True")
    else:
        texts[index] = "deprecated=True"

    index = keyword_index(texts, call, "openapi_extra")
    if index is None:
        texts.append(f"openapi_extra={{{sunset}}}")
    else:
        value = call.args[index].value
        if isinstance(value, cst.Dict) and not value.elements:
            texts[index] = f"openapi_extra={{{sunset}}}"
        elif isinstance(value, cst.Dict):
            kept = [module.code_for_node(e).rstrip(", ") for e in value.elements
                    if not (isinstance(e, cst.DictElement) and literal(e.key) == "x-sunset")]
            texts[index] = f"openapi_extra={{{', '.join([*kept, sunset])}}}"
        else:
            texts[index] = f"openapi_extra={{**{module.code_for_node(value)}, {sunset}}}"

    items = [_depends(deprecation.successor)]
    index = keyword_index(texts, call, "dependencies")
    if index is not None:
        value = call.args[index].value
        if isinstance(value, cst.List):
            items += [module.code_for_node(e.value) for e in value.elements]
        else:
            items.append(f"*{module.code_for_node(value)}")
    dependencies = f"dependencies=[{', '.join(items)}]"
    if len(items) > 1:  # one dependency a line, as a formatter would (one alone is fitted with the call)
        dependencies = "dependencies=[\n" + "".join(f"        {item},\n" for item in items) + "    ]"
    if index is None:
        texts.append(dependencies)
    else:
        texts[index] = dependencies
    return rebuild_call(call, texts, module, width, lead=1 if site.kind == "decorator" else 0)


class _Rewrite(cst.CSTTransformer):
    def __init__(self, calls: dict[int, cst.Call], reasons: dict[str, list[str]], version: Optional[str],
                 width: int) -> None:
        self.calls, self.reasons, self.version, self.width = calls, reasons, version, width
        self.depth = 0

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self.calls.get(id(original), updated)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return True

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        reasons = self.reasons.get(original.name.value) if self.depth == 0 else None
        if not reasons or any(is_deprecated_decorator(d) for d in updated.decorators):
            return updated
        reason = reasons[0] if len(reasons) == 1 else "Use " + " or ".join(r[4:-8] for r in reasons) + " instead"
        version = f", version={py_string(self.version)}" if self.version else ""
        decorator = cst.Decorator(fit_expression(cst.parse_expression(
            f"deprecated(reason={py_string(reason)}{version})"), self.width, lead=1))
        return updated.with_changes(decorators=[*updated.decorators, decorator])


def _constant(deprecated_at: str, sunset: str) -> str:
    return f'{CONSTANT} = {{"deprecated_at": {py_string(deprecated_at)}, "sunset": {py_string(sunset)}}}'


def _set_constant(module: cst.Module, code: str, width: int) -> cst.Module:
    """Replace the dates constant when its dates changed, or add it (with its comment) after the imports; fitted
    to `width` columns."""
    new_stmt = cst.parse_statement(code)
    body = list(module.body)
    for index, stmt in enumerate(body):
        if _single_assign(stmt) == CONSTANT:
            if ast.dump(ast.parse(module.code_for_node(stmt.body[0]))) == ast.dump(ast.parse(code)):
                return module
            body[index] = fit_statements([new_stmt], width)[0].with_changes(leading_lines=stmt.leading_lines)
            return module.with_changes(body=body)
    position = _after_imports(body)
    comment = cst.EmptyLine(comment=cst.Comment(CONSTANT_COMMENT))
    new_stmt = fit_statements([new_stmt.with_changes(leading_lines=[cst.EmptyLine(), comment])], width)[0]
    if position < len(body) and not body[position].leading_lines:
        body[position] = body[position].with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(position, new_stmt)
    return module.with_changes(body=body)


def _after_imports(body: list[cst.BaseStatement]) -> int:
    position = 0
    for index, stmt in enumerate(body):
        if _is_import(stmt):
            position = index + 1
        elif index == 0 and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr) \
                and isinstance(stmt.body[0].value, cst.SimpleString):
            position = 1  # the module docstring
        else:
            break
    return position


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
        stmt.body[0], (cst.Import, cst.ImportFrom))
