"""How the tenant lifecycle is served (`plan_lifecycle`): the package docstring (`migrator.lifecycle`) says when it
runs and what reads its result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Optional

import libcst as cst

from migrator.shapes.source import ModuleIndex, SourceModule, resolve_expr

from .model import (
    LIFECYCLE_OPERATIONS,
    Deployment,
    ImportName,
    LifecyclePlan,
    LifecycleVerdict,
    Reason,
    Registry,
    TenantIds,
    UsageSource,
)
from .registration import Registration, registration_for
from .registry import RegistryNotFound, find_registry
from .usage import SOURCES, SeriesRoute, derive_usage
from .walk import Dep, Sym, Unknown, Walker, function_kind

__all__ = ["LIFECYCLE_OPERATIONS", "LifecyclePlan", "LifecycleVerdict", "RouteFacts", "plan_lifecycle"]


@dataclass(frozen=True)
class RouteFacts:
    """What the lifecycle planning reads of one route: the plan's decision and the inventory's parameters."""

    label: str  # "POST /api/marketplace/demo/request"
    operation: Optional[str]
    variant: Optional[str]
    primary: bool
    automatic: bool
    reasons: tuple[str, ...]
    file: str
    line: int
    function: str  # dotted
    qualname: str
    response_model: Optional[str] = None
    dependencies: tuple[tuple[str, str], ...] = ()  # (parameter, dotted provider) of its Depends parameters
    param_map: tuple[tuple[str, str], ...] = ()  # legacy parameter -> standard one
    params: tuple[tuple[str, str, Optional[str]], ...] = ()  # (name, kind, annotation) of its parameters

    def param(self, kind: str) -> Optional[tuple[str, str, Optional[str]]]:
        return next((p for p in self.params if p[1] == kind), None)


# --- the pieces ---------------------------------------------------------------------------------------------------


def _function(modules: ModuleIndex, route: RouteFacts) -> tuple[Optional[SourceModule], Optional[cst.FunctionDef]]:
    module_name = route.function[: -len(route.qualname) - 1] if route.function.endswith(route.qualname) else ""
    module = modules(module_name) if module_name else None
    definition = module.definitions.get(route.qualname) if module is not None else None
    return module, definition if isinstance(definition, cst.FunctionDef) else None


def _provider(modules: ModuleIndex, dotted: str) -> Sym:
    module_name, _, name = dotted.rpartition(".")
    module = modules(module_name)
    definition = module.definitions.get(name) if module is not None else None
    if isinstance(definition, cst.FunctionDef):
        return Dep(dotted, function_kind(definition))
    if isinstance(definition, cst.ClassDef):
        return Dep(dotted, "class")
    return Unknown(f"the dependency {dotted}")


def clock_of(modules: ModuleIndex, routes: Sequence[RouteFacts]) -> Optional[ImportName]:
    """The service's own clock (a ``now()``/``utcnow()`` of its code) as the moved routes call it."""
    walker = Walker(modules)
    for route in routes:
        module, func = _function(modules, route)
        if func is not None and route.automatic:
            walker.walk(module, func, {})
        if walker.result.clocks:
            module_name, _, name = walker.result.clocks[0].rpartition(".")
            return ImportName(module=module_name, name=name)
    return None


def registry_of(modules: ModuleIndex, provisioning: Sequence[RouteFacts]) -> tuple[Optional[Registry], str]:
    """The tenant registry the provisioning routes write, or None and why."""
    if not provisioning:
        return None, "no legacy route provisions tenants (none maps to activate_tenant)"
    walker = Walker(modules)
    for route in provisioning:
        module, func = _function(modules, route)
        if func is None:
            continue
        env = {name: _provider(modules, dotted) for name, dotted in route.dependencies}
        walker.walk(module, func, env)
    try:
        return find_registry(walker.result, modules), ""
    except RegistryNotFound as exc:
        where = ", ".join(f"{r.label} ({r.file}:{r.line})" for r in provisioning)
        return None, f"{exc} (from {where})"


def usage_of(modules: ModuleIndex, routes: Sequence[RouteFacts]) -> tuple[Optional[UsageSource], str]:
    from migrator.shapes import infer_response

    series = []
    for route in routes:
        if route.operation not in SOURCES or not route.automatic or not route.primary:
            continue
        module, func = _function(modules, route)
        if func is None:
            continue
        try:
            response = infer_response(func, module, modules, response_model=route.response_model)
        except Exception:  # noqa: BLE001 - an inference failure leaves this route out, nothing more
            continue
        window = next((legacy for legacy, standard in route.param_map if standard == "period"), None)
        window = window or next((p[0] for p in route.params if p[0] in ("period", "days", "window")), None)
        annotation = next((p[2] for p in route.params if p[0] == window), None)
        series.append(SeriesRoute(route.operation, route.label, response, window_param=window,
                                  window_value=widest_window(modules, module, annotation)))
    return derive_usage(series)


def widest_window(modules: ModuleIndex, module: SourceModule, annotation: Optional[str]) -> Optional[str]:
    """The widest ``<N>d`` value of an Enum annotation (``Period``: "7d", "30d", "90d" → "90d")."""
    head = (annotation or "").split("|")[0].strip()
    if not head or not head.replace(".", "").replace("_", "").isalnum():
        return None
    _where, definition = resolve_expr(module, cst.parse_expression(head), modules)
    if not isinstance(definition, cst.ClassDef):
        return None
    values = []
    for stmt in definition.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.SimpleString):
                text = str(small.value.evaluated_value)
                if text[:-1].isdigit() and text.endswith("d"):
                    values.append(text)
    return max(values, key=lambda v: int(v[:-1])) if values else None


def _route_verdict(operation: str, routes: Sequence[RouteFacts]) -> tuple[Optional[RouteFacts], list[Reason]]:
    """The automatic primary route of `operation`, else the reasons its routes stay manual."""
    mine = [r for r in routes if r.operation == operation]
    moved = next((r for r in mine if r.automatic and r.primary), None)
    reasons = [Reason(message=f"{r.label} needs a manual move: {'; '.join(r.reasons)}", file=r.file, line=r.line)
               for r in mine if not r.automatic]
    return moved, reasons


def deployment_of(tool: dict[str, Any], package: str) -> Optional[Deployment]:
    tenant, env = tool.get("tenant"), tool.get("tenant_env")
    if not (isinstance(tenant, str) and tenant) and not (isinstance(env, str) and env):
        return None
    prefix = "".join(c if c.isalnum() else "_" for c in package.upper()) or "SERVICE"
    return Deployment(tenant=tenant if isinstance(tenant, str) and tenant else None,
                      tenant_env=env if isinstance(env, str) and env else None, state_env=f"{prefix}_LIFECYCLE_FILE",
                      evidence="[tool.migrator] tenant/tenant_env: a single-tenant deployment")  # fmt: skip


# --- the decision -------------------------------------------------------------------------------------------------


def plan_lifecycle(root: Path, routes: Sequence[RouteFacts], *, tool: Optional[dict[str, Any]] = None,
                   app_file: str = "", modules: Optional[ModuleIndex] = None) -> LifecyclePlan:
    """How each lifecycle operation is served (route, derived, registry, deployment) or why it answers 501."""
    modules = modules or ModuleIndex(root)
    package = PurePosixPath(app_file).parts[0] if len(PurePosixPath(app_file).parts) > 1 else ""
    deployment = deployment_of(tool or {}, package or Path(root).resolve().name)
    provisioning = [r for r in routes if r.operation == "activate_tenant" and r.variant != "reactivate"]
    # no provisioning route in the catalog: the registry is then looked for in what the POST routes write
    writers = provisioning or [r for r in routes if r.label.startswith("POST ")]
    registry, registry_why = registry_of(modules, writers) if deployment is None else (None, "")
    usage, usage_why = usage_of(modules, routes)
    if deployment is not None:
        deployment.clock = clock_of(modules, routes)
    plan = LifecyclePlan(registry=registry, usage=usage, deployment=deployment)
    add = plan.operations.__setitem__
    for operation in ("get_tenant_status", "deactivate_tenant"):
        moved, reasons = _route_verdict(operation, routes)
        if moved is None and not reasons:
            reasons = [Reason(message=f"no legacy route maps to {operation}")]
        if moved is not None:
            add(operation, LifecycleVerdict(operation=operation, mechanism="route",
                                            summary=f"the legacy route {moved.label} ({moved.file}:{moved.line})"))
        elif registry is not None:
            add(operation, LifecycleVerdict(operation=operation, mechanism="registry", reasons=reasons,
                                            summary=_registry_summary(operation, registry)))
        elif deployment is not None:
            add(operation, LifecycleVerdict(operation=operation, mechanism="deployment", reasons=reasons,
                                            summary=_deployment_summary(operation, deployment)))
        else:
            why = [*reasons, *([Reason(message=registry_why)] if registry_why else [])]
            add(operation, LifecycleVerdict(operation=operation, mechanism="none", reasons=why,
                                            summary="501 NOT_IMPLEMENTED"))
    plan.package_env = "".join(c if c.isalnum() else "_" for c in (package or Path(root).resolve().name).upper())
    _usage(plan, routes, usage, usage_why)
    _activation(plan, routes, registry, deployment, registry_why, modules)
    return plan


def _registry_summary(operation: str, registry: Registry) -> str:
    status = registry.column("status")
    where = f"`{registry.table}.{status.column}` ({registry.written_at})"
    if operation == "get_tenant_status":
        return f"read from the tenant registry {where}"
    return f"sets the tenant registry's {where} to '{registry.inactive_value}'"


def _deployment_summary(operation: str, deployment: Deployment) -> str:
    if operation == "get_tenant_status":
        return "the deployment is the tenant: its status from the lifecycle state (shims.lifecycle)"
    return "the deployment is the tenant: deactivation recorded in the lifecycle state and enforced by a guard"


def _usage(plan: LifecyclePlan, routes: Sequence[RouteFacts], usage: Optional[UsageSource], why: str) -> None:
    moved, reasons = _route_verdict("get_tenant_usage", routes)
    if moved is None and not reasons:
        reasons = [Reason(message="no legacy route maps to get_tenant_usage")]
    if moved is not None:
        verdict = LifecycleVerdict(operation="get_tenant_usage", mechanism="route",
                                   summary=f"the legacy route {moved.label} ({moved.file}:{moved.line})")
    elif usage is not None:
        verdict = LifecycleVerdict(operation="get_tenant_usage", mechanism="derived", reasons=reasons,
                                   summary=f"{usage.evidence} ({usage.where})")
    else:
        verdict = LifecycleVerdict(operation="get_tenant_usage", mechanism="none", summary="501 NOT_IMPLEMENTED",
                                   reasons=[*reasons, Reason(message=why)])
    plan.operations["get_tenant_usage"] = verdict


def registration_of(modules: ModuleIndex, route: RouteFacts) -> Optional[Registration]:
    """How an ActivateRequest fills the body of a registration route of the service's own shape (None when its
    body is not a model of the service)."""
    body = route.param("body")
    module, _func = _function(modules, route)
    if body is None or not body[2] or module is None:
        return None
    where, definition = resolve_expr(module, cst.parse_expression(body[2].split("|")[0].strip()), modules)
    if not isinstance(definition, cst.ClassDef) or where is None:
        return None
    return registration_for(where, definition, modules)


def _activation(plan: LifecyclePlan, routes: Sequence[RouteFacts], registry: Optional[Registry],
                deployment: Optional[Deployment], registry_why: str, modules: ModuleIndex) -> None:
    moved, reasons = _route_verdict("activate_tenant", [r for r in routes if r.variant != "reactivate"])
    reactivate = next((r for r in routes if r.operation == "activate_tenant" and r.variant == "reactivate"
                       and r.automatic), None)
    if deployment is not None:
        plan.reactivation = "deployment"
        summary = "the deployment is the tenant: the first activation claims it, its contact reactivates it"
        plan.operations["activate_tenant"] = LifecycleVerdict(operation="activate_tenant", mechanism="deployment",
                                                              summary=summary, reasons=reasons)
        return
    creates = ""
    if moved is not None and moved.variant == "register":
        plan.registration = registration_of(modules, moved)
        if plan.registration is None or not plan.registration.complete:
            missing = ", ".join(plan.registration.missing) if plan.registration else "its body is not a model"
            reasons.append(Reason(message=f"{moved.label} cannot be filled from an activation request: {missing}",
                                  file=plan.registration.where.file if plan.registration else moved.file,
                                  line=plan.registration.where.line if plan.registration else moved.line))
            moved = None
    if moved is not None and registry is not None and registry.assigned_ids:
        plan.tenant_ids = TenantIds(evidence=registry.evidence[-1])
        creates = "; the database numbers tenants itself: the market's ids are mapped to the created ones"
    if moved is None and reactivate is None:
        plan.operations["activate_tenant"] = LifecycleVerdict(
            operation="activate_tenant", mechanism="none", summary="501 NOT_IMPLEMENTED",
            reasons=[*reasons, Reason(message="no legacy route provisions tenants")] if not reasons else reasons)
        return
    if reactivate is not None:
        plan.reactivation = "route"
        again = f"reactivation by {reactivate.label} ({reactivate.file}:{reactivate.line})"
    elif registry is not None:
        plan.reactivation = "registry"
        again = f"reactivation through the tenant registry `{registry.table}`"
    else:
        again = "no reactivation (an existing tenant is 409 TENANT_EXISTS): " + (registry_why or "no registry")
    if moved is None:
        summary = f"reactivates only ({again}); a new tenant cannot be created (501)"
    else:
        summary = f"creates exactly the path's tenant through {moved.label} ({moved.file}:{moved.line}){creates}; {again}"
    plan.operations["activate_tenant"] = LifecycleVerdict(operation="activate_tenant", mechanism="route",
                                                          reasons=reasons, summary=summary)


def _env(plan: LifecyclePlan, suffix: str) -> str:
    return f"{plan.package_env}_{suffix}"
