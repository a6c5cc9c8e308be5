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

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import parse_template_statement

from ._format import blank_lines, spaced, wrap_long_calls
from ._imports import ImportSpec
from ._lifecycle_methods import LIFECYCLE_OPERATIONS, Lifecycle, contact_lookup, render_lifecycle
from ._moves import Phase1State
from ._runner import MigratorCommand
from ._standard_methods import (
    ABSTRACT,
    ORDER,
    Operation,
    Renderer,
    ServiceCall,
    ServiceParam,
    TemplateError,
    _is_model,
    not_implemented,
    render,
)

# Where each name a standard method may use comes from (the rest: shims.standard_api).
_STANDARD_IMPORTS = {
    "adapters": ImportSpec("shims", "adapters"),
    "run_in_threadpool": ImportSpec("starlette.concurrency", "run_in_threadpool"),
    "Optional": ImportSpec("typing", "Optional"),
}

_CLASS = '''
class {name}({base}):
    {doc}

    service_version = {version}
'''


class GenerateHandler(MigratorCommand):
    DESCRIPTION = "Write the StandardAPIHandler subclass: standard method -> service function -> adapter."
    PHASE = 1
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        state: Phase1State = self.state
        self.bound: set[str] = {s.alias for s in state.services.values()}
        self.imports: set[ImportSpec] = set()
        renderer = Renderer(self._standard_name, self._body_fields, state.service_name, self._model)
        methods, missing, errors = self._methods(renderer)
        state.not_implemented, state.template_errors = missing, errors
        renderer.used.add("StandardAPIHandler")
        deployment, instance = self._deployment(renderer), self._instance()  # (their imports are scheduled next)
        self._schedule_imports(renderer)
        doc = cst.parse_statement(
            f'"""Standard API v2 handler of {state.service_name}: a thin adapter over its service modules.\n\n'
            "Each standard method calls the service function that holds the legacy logic and converts its answer\n"
            "with `shims.adapters`; the legacy routes call the same functions. This is the service's own code:\n"
            "edit it freely.\n"
            '"""\n')
        klass = parse_template_statement(
            _CLASS, name=cst.Name(state.handler_class), base=cst.Name(self._standard_name("StandardAPIHandler")),
            doc=cst.Expr(cst.SimpleString(f'"""{state.service_name}\'s logic behind the Standard API v2."""')),
            version=cst.SimpleString('"' + state.service_version.replace('"', "") + '"'))
        members = [*klass.body.body, *deployment, *(blank_lines(m, 1) for m in methods)]
        klass = klass.with_changes(body=klass.body.with_changes(body=members))
        klass = wrap_long_calls(klass, state.style.line_length)
        return tree.with_changes(body=[doc, *spaced([klass, instance], first=2)])

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
                except TemplateError as exc:
                    errors[name] = str(exc)
            if rendered is None and op is not None and op.primary is not None:
                try:
                    rendered = render(op, renderer, ops)
                except TemplateError as exc:
                    errors[name] = str(exc)
            if rendered is None:
                if name not in ABSTRACT:
                    continue  # optional: StandardAPIHandler already answers 501
                missing[name] = _hint(self.state.service_name, op, errors.get(name))
                rendered = [not_implemented(name, renderer, missing[name])]
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
        for name, module in (("DeploymentLifecycle", "shims.lifecycle"), ("SingleTenant", "shims.legacy_deps"),
                             ("Path", "pathlib")):
            self.imports.add(ImportSpec(module, name))
        tenant = ", ".join([*([f'"{deployment.tenant}"'] if deployment.tenant else []),
                            *([f'env="{deployment.tenant_env}"'] if deployment.tenant_env else [])])
        depth = len(state.handler_module.split(".")) - 1
        clock = ""
        if deployment.clock is not None:
            self.imports.add(ImportSpec(deployment.clock.module, deployment.clock.name))
            clock = f"    clock={deployment.clock.name},\n"
        code = (
            "# the one tenant this deployment serves and its lifecycle state (shims.lifecycle: status, activation,\n"
            f"# deactivation, enforced on the legacy routes by DeactivationGuard); ${deployment.state_env} names the file\n"
            "deployment = DeploymentLifecycle(\n"
            f"    SingleTenant({tenant}),\n"
            f'    state_env="{deployment.state_env}",\n'
            f'    default_path=Path(__file__).resolve().parents[{depth}] / ".migrator" / "lifecycle.json",\n'
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
        return f"Standard{name}" if name in self.bound and name not in _STANDARD_IMPORTS else name

    def _import(self, spec: ImportSpec) -> str:
        self.imports.add(spec)
        self.bound.add(spec.bound_name)
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
            source = _STANDARD_IMPORTS.get(name, ImportSpec("shims.standard_api", name))
            alias = self._standard_name(name)
            AddImportsVisitor.add_needed_import(self.context, source.module, source.name,
                                                alias if alias != name else None)


def _class_fields(node: cst.ClassDef) -> set[str]:
    fields = set()
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.add(small.target.value)
    return fields


def _hint(service: str, op: Optional[Operation], error: Optional[str]) -> str:
    if error:
        return f"its legacy logic needs a manual move: {error}"
    if op is not None and op.manual:
        return "its legacy route needs a manual move: " + "; ".join(op.manual)
    return f"{service} has no legacy logic for it"
