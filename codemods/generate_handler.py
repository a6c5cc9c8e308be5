"""Phase 1 — write the service's `StandardAPIHandler` subclass: a thin, typed adapter over the service modules.

Before: no handler module; the logic of the moving routes is in the service modules (`generate_service`), e.g.
`advisor/services/legacy_dashboard.py` with ``async def get_costs(*, days: int = 30, tenant_id: str)``.

After, `advisor/handlers/market_handler.py`::

    \"\"\"Standard API v2 handler of advisor: ...\"\"\"

    from shims import adapters
    from shims.standard_api import CostsResponse, StandardAPIHandler, ...

    from advisor.services import legacy_dashboard, legacy_users


    class AdvisorMarketHandler(StandardAPIHandler):
        \"\"\"advisor's logic behind the Standard API v2.\"\"\"

        service_version = "1.4.2"

        async def get_tenant_costs(self, tenant_id: str, period: str) -> CostsResponse:
            with adapters.legacy_errors("get_tenant_costs", tenant_id=tenant_id):
                legacy = await legacy_dashboard.get_costs(days=adapters.period_to_days(period), tenant_id=tenant_id)
            return adapters.costs_from_legacy(tenant_id, period, legacy)
        ...


    market_handler = AdvisorMarketHandler()

Every standard method is a template (`codemods._standard_methods`) with the signature of
`StandardAPIHandler.<operation>`: standard request -> service function -> `shims.adapters`. An abstract operation
the service has no logic for answers 501 NOT_IMPLEMENTED with the reason.
"""

from __future__ import annotations

import builtins
import json
from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import parse_template_statement

from ._fit import fit_module
from ._format import blank_lines, docstring, fit_signature, keyword_only, spaced, wrap_long_calls
from ._imports import ImportSpec
from ._lifecycle_methods import LIFECYCLE_OPERATIONS, Lifecycle, contact_lookup, render_lifecycle
from ._moves import Phase1State
from ._runner import MigratorCommand
from ._signature import declared_params
from ._source import name_nodes
from ._standard_methods import (
    ORDER,
    Operation,
    Renderer,
    ServiceCall,
    ServiceParam,
    TemplateError,
    _is_model,
    abstract_operations,
    not_implemented,
    render,
    wrap_inputs,
)
from ._target import PythonTarget

# Where each name a standard method may use comes from (the rest: shims.standard_api).
_STANDARD_IMPORTS = {
    "adapters": ImportSpec("shims", "adapters"),
    "run_in_threadpool": ImportSpec("starlette.concurrency", "run_in_threadpool"),
    "Optional": ImportSpec("typing", "Optional"),
    "legacy_inputs": ImportSpec("shims.legacy_deps", "legacy_inputs"),
    "SingleTenant": ImportSpec("shims.legacy_deps", "SingleTenant"),
    "override": ImportSpec("typing_extensions", "override"),  # `typing` from Python 3.12 (`_schedule_imports`)
}
_BUILTINS = frozenset(dir(builtins))
SERVED = "SERVED"  # the module-level SingleTenant of a single-tenant deployment

_CLASS = '''
class {name}({base}):
    {doc}
'''


class GenerateHandler(MigratorCommand):
    DESCRIPTION = "Write the StandardAPIHandler subclass: standard method -> service function -> adapter."
    PHASE = 1
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        state: Phase1State = self.state
        self.uncalled: set[str] = set()  # routes whose inputs function no standard method calls: none is written
        inputs_functions, renderer, (methods, missing, errors) = self._render()
        if self.uncalled:  # again without them (and without the names only they bound)
            inputs_functions, renderer, (methods, missing, errors) = self._render()
        if state.single_tenant is not None:
            methods = [_check_tenant(m) for m in methods]
        state.not_implemented, state.template_errors = missing, errors
        state.handler_calls = set(renderer.calls)
        renderer.used.add("StandardAPIHandler")
        head: list[cst.BaseStatement] = [self._served(renderer)] if state.single_tenant is not None else []
        deployment, instance = self._deployment(renderer), self._instance()  # (their imports are scheduled next)
        self._schedule_imports(renderer)
        mappings = (f"`{state.shapes_module.rpartition('.')[2]}` (the mappings phase 1 wrote from\nthe legacy code)"
                    if state.shapes else "`shims.adapters`")
        doc = cst.parse_statement(
            f'"""Standard API v2 handler of {state.service_name}: a thin adapter over its service modules.\n\n'
            "Each standard method calls the service function that holds the legacy logic and converts its answer\n"
            f"with {mappings}; the legacy routes call the same functions. This is the service's own\n"
            "code: edit it freely.\n"
            '"""\n')
        klass = parse_template_statement(
            _CLASS, name=cst.Name(state.handler_class), base=cst.Name(self._standard_name("StandardAPIHandler")),
            doc=cst.Expr(cst.SimpleString(f'"""{state.service_name}\'s logic behind the Standard API v2."""')))
        # without a declared version the base class's None stands: /mt/health reports the app's own version
        version = state.service_version.replace('"', "") if state.service_version else None
        attributes = [*([cst.parse_statement(f'service_version = "{version}"\n')] if version else []), *deployment]
        if attributes:
            attributes[0] = blank_lines(attributes[0], 1)
        members = [*klass.body.body, *attributes, *(blank_lines(m, 1) for m in methods)]
        klass = klass.with_changes(body=klass.body.with_changes(body=members))
        klass = wrap_long_calls(klass, state.style.line_length)
        body = [*head, *inputs_functions, klass, instance]
        # after the imports: one blank line before a statement, two before a definition (as ruff's isort wants)
        first = 2 if isinstance(body[0], (cst.FunctionDef, cst.ClassDef)) else 1
        return fit_module(tree.with_changes(body=[doc, *spaced(body, first=first)]), state.style.line_length)

    def _render(self) -> tuple[list[cst.FunctionDef], Renderer, tuple[list[cst.FunctionDef], dict, dict]]:
        """The inputs functions, the renderer and the standard methods; the routes whose inputs function no method
        called are added to `uncalled`."""
        state: Phase1State = self.state
        self.bound: set[str] = {s.alias for s in state.services.values()}
        self.imports: set[ImportSpec] = set()
        self.legacy: dict[str, ImportSpec] = {}  # legacy names the handler binds -> where they come from
        inputs_functions = self._inputs_functions()  # legacy names first: standard ones give way to them
        called: set[str] = set()

        def inputs_function(call: ServiceCall) -> str:
            called.add(call.route)
            return self.inputs_names[call.route]

        renderer = Renderer(self._standard_name, self._body_fields, state.service_name, self._model,
                            inputs_function=inputs_function, legacy_type=self._legacy_type,
                            identity_function=self._identity_function)
        renderer.shapes = dict(state.shapes)
        renderer.target = PythonTarget.for_root(state.root)
        methods = self._methods(renderer)
        self.uncalled |= set(self.inputs_names) - called
        return inputs_functions, renderer, methods

    # -- single tenant ------------------------------------------------------------------------------------------

    def _served(self, renderer: Renderer) -> cst.BaseStatement:
        tenant = self.state.single_tenant
        args = [json.dumps(tenant.tenant)] if tenant.tenant else []
        if tenant.env:
            args.append(f"env={json.dumps(tenant.env)}")
        renderer.used.add("SingleTenant")
        statement = cst.parse_statement(f"{SERVED} = {self._standard_name('SingleTenant')}({', '.join(args)})\n")
        comment = cst.EmptyLine(comment=cst.Comment(f"# the one tenant this deployment serves ({tenant.origin})"))
        return statement.with_changes(leading_lines=[comment])

    # -- the parameters FastAPI solves for the legacy code ---------------------------------------------------------

    def _inputs_functions(self) -> list[cst.FunctionDef]:
        """One `_<route>_inputs` function per solved route: its signature copies the route's tenant, resource and
        query parameters (FastAPI markers included) for `shims.legacy_deps.legacy_inputs`, which solves it."""
        state: Phase1State = self.state
        moves = {move.route: (key, move) for key, move in state.functions.items()}
        self.inputs_names: dict[str, str] = {}
        out = []
        for op in state.operations.values():
            for call in op.routes.values():
                if call.inputs is None or call.route in self.inputs_names or call.route not in moves \
                        or call.route in self.uncalled:
                    continue
                key, move = moves[call.route]
                origin = state.services[move.service].origin
                func = origin.function(move.function)
                declared = declared_params(func)
                params = []
                for name in state.inputs.get(key, []):
                    node = declared[name]
                    params.append(cst.Param(
                        cst.Name(name),
                        annotation=cst.Annotation(self._legacy_code(origin, node.annotation.annotation))
                        if node.annotation else None,
                        default=self._legacy_code(origin, node.default) if node.default is not None else None))
                name = _unique(call.inputs.function, set(self.inputs_names.values()) | self.bound)
                self.inputs_names[call.route] = name
                doc = docstring(f"What `{call.route}` receives from FastAPI besides its auth and body; solved by "
                                "`legacy_inputs` for the standard methods (never called).", 4, state.style.line_length)
                out.append(fit_signature(cst.FunctionDef(
                    cst.Name(name), keyword_only(params), cst.IndentedBlock([doc]),
                    returns=cst.Annotation(cst.Name("None"))), state.style.line_length))
        return out

    def _identity_function(self, ref: str) -> str:
        """How the handler module binds the maintainer's identity dependency ("pkg.module:function")."""
        module, _, name = ref.partition(":")
        return self._bind_legacy(ImportSpec(module, name), name)

    def _legacy_type(self, text: str, call: ServiceCall) -> cst.BaseExpression:
        """A type the legacy router module names (a response model), as the handler module binds it."""
        move = next(m for m in self.state.functions.values() if m.route == call.route)
        origin = self.state.services[move.service].origin
        return self._legacy_code(origin, cst.parse_expression(text))

    def _legacy_code(self, origin, node: cst.BaseExpression) -> cst.BaseExpression:
        """`node` (an expression of the router module `origin`) with every module-level name it uses bound in the
        handler module: imported from where the router imports it, from the service module a moved definition
        went to, or from the router module itself."""
        renames: dict[str, str] = {}
        for name in sorted({n.value for n in name_nodes(node)}):
            spec = self._legacy_spec(origin, name)
            if spec is None:
                continue
            bound = self._bind_legacy(spec, name)
            if bound != name:
                renames[name] = bound
        return node.visit(_RenameNames(renames)) if renames else node

    def _legacy_spec(self, origin, name: str) -> Optional[ImportSpec]:
        state: Phase1State = self.state
        spec = origin.import_of(name)
        if spec is not None:
            helper = state.helpers.get((spec.module, spec.name)) if spec.name else None
            return ImportSpec(helper.service, helper.target) if helper and not helper.copied else spec
        if name not in origin.globals_:
            return None  # a builtin, an attribute name, a keyword argument's name
        helper = state.helpers.get((origin.module, name))
        if helper is not None and not helper.copied:
            return ImportSpec(helper.service, helper.target)
        return ImportSpec(origin.module, name)

    def _bind_legacy(self, spec: ImportSpec, wanted: str) -> str:
        """The name the handler binds `spec` to: `wanted` when free (or already bound to it), else a variant."""
        for bound, known in self.legacy.items():
            if (known.module, known.name) == (spec.module, spec.name):
                return bound
        name = wanted
        number = 2
        while name in self.bound or name in _BUILTINS:
            name = f"{wanted}_{number}"
            number += 1
        imported = spec.name or spec.module.split(".")[0]
        self._import(ImportSpec(spec.module, spec.name, None if name == imported else name))
        return name

    def _methods(self, renderer: Renderer) -> tuple[list[cst.FunctionDef], dict[str, str], dict[str, str]]:
        ops: dict[str, Operation] = self.state.operations
        methods: list[cst.FunctionDef] = []
        missing: dict[str, str] = {}
        errors: dict[str, str] = {}
        done: set[str] = set()
        lifecycle = self._lifecycle()
        for name in ORDER:
            if name in done:
                continue
            op = ops.get(name)
            rendered = None
            if lifecycle is not None and name in LIFECYCLE_OPERATIONS:
                try:
                    rendered = render_lifecycle(name, lifecycle, renderer, ops)
                    rendered = [wrap_inputs(node, renderer.pending) for node in rendered] if rendered else None
                except TemplateError as exc:
                    errors[name] = str(exc)
            if rendered is None and op is not None and op.primary is not None:
                try:
                    rendered = [wrap_inputs(node, renderer.pending) for node in render(op, renderer, ops)]
                except TemplateError as exc:
                    errors[name] = str(exc)
            if rendered is None:
                if name not in abstract_operations():
                    continue  # optional: StandardAPIHandler already answers 501
                hint, missing[name] = _hint(self.state.service_name, op, errors.get(name))
                why = None if hint == missing[name] else docstring(
                    f"Answers 501 until implemented: {missing[name]}.", 8, self.state.style.line_length)
                rendered = [_override(not_implemented(name, renderer, hint, why), renderer)]
            for node in rendered:
                done.add(node.name.value)
            methods += rendered
        order = {name: index for index, name in enumerate(ORDER)}
        methods.sort(key=lambda m: order.get(m.name.value, len(order)))
        contact = contact_lookup(lifecycle, renderer) if lifecycle is not None else None
        return [*methods, *([contact] if contact is not None else [])], missing, errors

    def _deployment(self, renderer: Renderer) -> list[cst.BaseStatement]:
        """A single-tenant deployment's lifecycle, as a class attribute (`shims.lifecycle`)."""
        state: Phase1State = self.state
        deployment = getattr(state.lifecycle, "deployment", None)
        if deployment is None:
            return []
        for name, module in (("DeploymentLifecycle", "shims.lifecycle"), ("Path", "pathlib")):
            self.imports.add(ImportSpec(module, name))
        depth = len(state.handler_module.split(".")) - 1
        clock = ""
        if deployment.clock is not None:
            self.imports.add(ImportSpec(deployment.clock.module, deployment.clock.name))
            clock = f"    clock={deployment.clock.name},\n"
        code = (
            "# the one tenant this deployment serves and its lifecycle state (shims.lifecycle: status, activation,\n"
            f"# deactivation, enforced on the legacy routes by DeactivationGuard); ${deployment.state_env} names the file\n"
            "deployment = DeploymentLifecycle(\n"
            f"    {SERVED},\n"
            f'    state_env="{deployment.state_env}",\n'
            # one path segment: 12 columns in, the value fits 79 columns on its own line
            f'    default_path=Path(__file__).resolve().parents[{depth}] / ".migrator/lifecycle.json",\n'
            f"{clock})\n"
        )
        return [cst.parse_statement(code)]

    def _instance(self) -> cst.BaseStatement:
        """The handler instance the routers serve; served under the market's tenant ids when the service's database
        numbers its tenants itself (`shims.tenant_ids`)."""
        state: Phase1State = self.state
        ids = getattr(state.lifecycle, "tenant_ids", None)
        if ids is None:
            return cst.parse_statement(f"{state.instance} = {state.handler_class}()\n")
        self.imports.add(ImportSpec("shims.tenant_ids", "MarketTenantIds"))
        package, _, registry = (state.registry_module or "").rpartition(".")
        self.imports.add(ImportSpec(package, registry))
        return cst.parse_statement(
            "# the database numbers the tenants itself: the Service Market's ids are mapped to the ones it created for\n"
            f"# them (shims.tenant_ids; the map is a table of the service's own database, see {registry})\n"
            f"{state.instance} = MarketTenantIds({state.handler_class}(), {registry})\n")

    def _lifecycle(self) -> Optional[Lifecycle]:
        state: Phase1State = self.state
        return Lifecycle(state.lifecycle, state.registry_module) if state.lifecycle is not None else None

    # -- names the handler module binds -------------------------------------------------------------------------

    def _standard_name(self, name: str) -> str:
        if name == "legacy_shapes":
            return name
        return f"Standard{name}" if name in self.bound and name not in _STANDARD_IMPORTS else name

    def _import(self, spec: ImportSpec) -> str:
        self.imports.add(spec)
        self.bound.add(spec.bound_name)
        self.legacy.setdefault(spec.bound_name, spec)
        return spec.bound_name

    def _model(self, annotation: str, call: ServiceCall) -> cst.BaseExpression:
        """A legacy body model, as the handler names it: a class moved into a service module is read from there,
        an imported one is imported the same way."""
        state: Phase1State = self.state
        service = state.services[call.module]
        head = annotation.strip().split("[")[0].split(".")[0]
        helper = next((h for h in service.helpers if h.name == head or h.target == head), None)
        if helper is not None:
            rest = annotation.strip()[len(head):]
            return cst.parse_expression(f"{service.alias}.{helper.target}{rest}")
        spec = service.origin.import_of(head)
        if spec is not None:
            self._import(spec)
        return cst.parse_expression(annotation.strip())

    def _body_fields(self, param: ServiceParam) -> Optional[set[str]]:
        """Field names of a legacy request model, found statically (moved, or imported)."""
        if not param.annotation or not _is_model(param.annotation):
            return None
        state: Phase1State = self.state
        name = param.annotation.strip()
        for service in state.services.values():
            for helper in service.helpers:
                if name in (helper.name, helper.target) and isinstance(helper.node, cst.ClassDef):
                    return _class_fields(helper.node)
        for service in state.services.values():
            spec = service.origin.import_of(name)
            if spec is not None and spec.name:
                index = state.sources.get_module(spec.module)
                node = index.globals_.get(spec.name) if index is not None else None
                if isinstance(node, cst.ClassDef):
                    return _class_fields(node)
        return None

    def _schedule_imports(self, renderer: Renderer) -> None:
        state: Phase1State = self.state
        for alias in sorted(renderer.services):
            AddImportsVisitor.add_needed_import(self.context, state.services_package, alias)
        for spec in sorted(self.imports | renderer.extra_imports):
            AddImportsVisitor.add_needed_import(self.context, spec.module, spec.name, spec.asname)
        for name in sorted(renderer.used):
            if name == "legacy_shapes":
                package, _, module = state.shapes_module.rpartition(".")
                AddImportsVisitor.add_needed_import(self.context, package, module,
                                                    "legacy_shapes" if module != "legacy_shapes" else None)
                continue
            source = _STANDARD_IMPORTS.get(name, ImportSpec("shims.standard_api", name))
            if name == "override" and renderer.target.at_least(12):
                source = ImportSpec("typing", "override")
            alias = self._standard_name(name)
            AddImportsVisitor.add_needed_import(self.context, source.module, source.name,
                                                alias if alias != name else None)


class _RenameNames(cst.CSTTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        # `x.attr`: never the attribute's name (leave_Name renamed it: put it back)
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)  # `f(name=...)`: the keyword stays

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.names[updated.value]) if updated.value in self.names else updated


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


def _override(method: cst.FunctionDef, renderer: Renderer) -> cst.FunctionDef:
    """`@override` on a method answering 501: its parameters are the base class's, unused here (which
    `ruff check --select ARG` accepts of an override)."""
    return method.with_changes(decorators=[cst.Decorator(renderer.n("override"))])


def _check_tenant(method: cst.FunctionDef) -> cst.FunctionDef:
    """`SERVED.check(tenant_id)` first in a method taking the standard tenant id (a single-tenant deployment), also
    in one answering 501: any other tenant id names no tenant here, and every tenant operation answers 404 for it
    (STANDARD_API.md) before saying what the service lacks."""
    names = {p.name.value for p in method.params.params}
    if "tenant_id" not in names:
        return method
    check = cst.parse_statement(f"{SERVED}.check(tenant_id)\n")
    body = list(method.body.body)
    first = 1 if body and _is_docstring(body[0]) else 0
    return method.with_changes(body=method.body.with_changes(body=[*body[:first], check, *body[first:]]))


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, cst.SimpleString))


def _class_fields(node: cst.ClassDef) -> set[str]:
    fields = set()
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.add(small.target.value)
    return fields


def _hint(service: str, op: Optional[Operation], error: Optional[str]) -> tuple[str, str]:
    """(what the 501 answer tells the caller, why the operation is not implemented): the caller learns that a move
    is pending, the maintainer reads the reason (files, functions, dependencies) in the method's docstring and in
    phase 1's report, never on the wire."""
    if error:
        return "its legacy logic needs a manual move", f"its legacy logic needs a manual move: {error}"
    if op is not None and op.manual:
        return "its legacy route needs a manual move", "its legacy route needs a manual move: " + "; ".join(op.manual)
    return f"{service} has no legacy logic for it", f"{service} has no legacy logic for it"
