"""Templates of the lifecycle methods a generated handler implements from the plan's `LifecyclePlan`.

- ``registry``: status read from, deactivation and reactivation written to the tenant registry module phase 1
  generates (`codemods.generate_tenant_registry`), through the service's own DB helper;
- ``derived``: a month's usage from the series another operation's legacy route answers
  (`shims.adapters.usage_from_series`);
- ``deployment``: the single-tenant deployment's lifecycle (`shims.lifecycle.DeploymentLifecycle`, a class
  attribute of the handler; the app gets its `DeactivationGuard`).

Operations served by a legacy route (``route``) keep the templates of `codemods._standard_methods`. Sync registry
functions run in the thread pool, as FastAPI ran the sync routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from ._imports import ImportSpec
from ._standard_methods import (
    _EQUAL,
    Operation,
    Renderer,
    TemplateError,
    method,
    parse_template_statement,
    string_node,
)

if TYPE_CHECKING:  # the plan's model (migrator imports codemods, not the other way round)
    from migrator.lifecycle.model import LifecyclePlan

REGISTRY_ALIAS = "tenant_registry"
#: the operations `migrator.lifecycle` plans (its model lists the same), and the Service Market's tenant list and
#: summary, which a single-tenant deployment also answers from its lifecycle state
LIFECYCLE_OPERATIONS = ("activate_tenant", "deactivate_tenant", "get_tenant_status", "get_tenant_usage",
                        "list_tenants", "get_tenant_summary")


class Lifecycle:
    """What the templates need besides the renderer: the plan and how the handler module names the registry."""

    def __init__(self, plan: LifecyclePlan, registry_module: Optional[str]) -> None:
        self.plan = plan
        self.registry_module = registry_module
        self.is_async = False

    def registry(self, r: Renderer) -> cst.Name:
        package, _, name = (self.registry_module or "").rpartition(".")
        r.extra_imports.add(ImportSpec(package, name))
        return cst.Name(name)

    def run(self, r: Renderer, function: str, *args: cst.BaseExpression) -> cst.BaseExpression:
        """``await tenant_registry.<function>(args)`` (async registry) or through the thread pool (sync)."""
        target = cst.Attribute(self.registry(r), cst.Name(function))
        if self.plan.registry is not None and (self.plan.registry.connection.is_async
                                               or self.plan.registry.connection.awaited):
            return cst.Await(cst.Call(target, args=[cst.Arg(a) for a in args]))
        return cst.Await(cst.Call(r.n("run_in_threadpool"), args=[cst.Arg(target), *(cst.Arg(a) for a in args)]))

    def deployment(self, r: Renderer, function: str, *args: cst.Arg) -> cst.BaseExpression:
        target = cst.Attribute(cst.Attribute(cst.Name("self"), cst.Name("deployment")), cst.Name(function))
        return cst.Await(cst.Call(r.n("run_in_threadpool"), args=[cst.Arg(target), *args]))


# --- registry -----------------------------------------------------------------------------------------------------

_REGISTRY_STATUS = '''
async def {name}({params}) -> {returns}:
    row = {read}
    if row is None:
        raise {not_found}(tenant_id)
    return {adapters}.status_from_legacy({registry}.status_document(row))
'''

_REGISTRY_DEACTIVATE = '''
async def {name}({params}) -> {returns}:
    await self.get_tenant_status(tenant_id)  # an unknown tenant: 404 TENANT_NOT_FOUND
    {write}
    return {adapters}.deactivation_response(tenant_id, request, now={now})
'''

def _now(lc: Lifecycle, r: Renderer) -> cst.BaseExpression:
    clock = lc.plan.registry.clock if lc.plan.registry and lc.registry_module else None
    if clock is not None:  # the service's own clock, imported from where the service defines it
        r.extra_imports.add(ImportSpec(clock.module, clock.name))
        return cst.Call(cst.Name(clock.name))
    r.extra_imports |= {ImportSpec("datetime", "datetime"), ImportSpec("datetime", "timezone")}
    return cst.parse_expression("datetime.now(timezone.utc)")


def registry_status(lc: Lifecycle, r: Renderer) -> cst.FunctionDef:
    return method(_REGISTRY_STATUS, "get_tenant_status", r, read=lc.run(r, "read_tenant", cst.Name("tenant_id")),
                  not_found=r.n("TenantNotFoundError"), adapters=r.a(), registry=lc.registry(r))


def registry_deactivate(lc: Lifecycle, r: Renderer) -> cst.FunctionDef:
    inactive = cst.Attribute(lc.registry(r), cst.Name("INACTIVE"))
    write = cst.Expr(lc.run(r, "set_status", cst.Name("tenant_id"), inactive))
    return method(_REGISTRY_DEACTIVATE, "deactivate_tenant", r, write=write, adapters=r.a(), now=_now(lc, r))


# --- activation: reactivation of an existing tenant, creation of a new one -------------------------------------

_ACTIVATION_HEAD = '''
async def {name}({params}) -> {returns}:
    pass
'''


def _statements(template: str, **parts) -> list[cst.BaseStatement]:
    """The template's statements, each filled with the parts it names."""
    return [parse_template_statement(piece, **{k: v for k, v in parts.items() if "{" + k + "}" in piece})
            for piece in _split(template)]


def _split(template: str) -> list[str]:
    """Top-level statements of a template (a statement and its indented block stay together)."""
    out: list[str] = []
    for line in template.strip("\n").splitlines(keepends=True):
        only_comments = out and all(part.lstrip().startswith("#") for part in out[-1].splitlines())
        if out and (line.startswith((" ", "else", "elif", "except", "finally")) or not line.strip() or only_comments):
            out[-1] += line
        else:
            out.append(line)
    return out


def _reactivation(lc: Lifecycle, r: Renderer, ops: dict[str, Operation]) -> list[cst.BaseStatement]:
    """When the tenant exists: only its own contact reactivates it, and only when it is not active."""
    plan = lc.plan
    tenant = cst.parse_expression("request.tenant_id")
    response = r.expr("{a}.reactivation_response(request.tenant_id, {a}.access_url_of(self, request.tenant_id))",
                      a=r.a())
    if plan.reactivation == "registry":
        email = plan.registry.column("email")
        owner = cst.parse_expression(f'existing["{email.column}"]') if email else cst.Name("None")
        return _statements('''
existing = {read}
if existing is not None:  # only its own contact reactivates it, and only when it is not active
    {adapters}.check_reactivation(request, status={registry}.status_of(existing), owner_email={owner})
    {write}
    return {response}
''', read=lc.run(r, "read_tenant", tenant), adapters=r.a(), registry=lc.registry(r), owner=owner,
            write=cst.Expr(lc.run(r, "set_status", tenant, cst.Attribute(lc.registry(r), cst.Name("ACTIVE")))),
            response=response)  # fmt: skip
    if plan.reactivation == "route":
        op = ops["activate_tenant"]
        call = r.call(op.routes["reactivate"], op)
        owner: list[cst.BaseStatement] = _statements('''
owner = None  # no registry to read the contact from: nobody can reactivate
''')
        if plan.registry is not None and plan.registry.column("email") is not None and lc.registry_module:
            column = plan.registry.column("email").column
            owner = _statements('''
row = {read}
owner = row[{column}] if row else None
''', read=lc.run(r, "read_tenant", tenant), column=string_node(column))
        return _statements('''
tenant_id = request.tenant_id
try:
    existing = await self.get_tenant_status(tenant_id)
except {not_found}:
    existing = None
''', not_found=r.n("TenantNotFoundError")) + [cst.If(
            test=cst.parse_expression("existing is not None"),
            body=cst.IndentedBlock([*owner, *_statements('''
{adapters}.check_reactivation(request, status=existing.status, owner_email=owner)
with {errors}:
    {call}
return {response}
''', adapters=r.a(), errors=r.errors("activate_tenant"), call=cst.Expr(call), response=response)]),
            leading_lines=[cst.EmptyLine(comment=cst.Comment(
                "# an existing tenant: only its own contact reactivates it, and only when it is not active"))])]
    return []


def _creation(lc: Lifecycle, r: Renderer, op: Operation) -> list[cst.BaseStatement]:
    """A new tenant: through the legacy provisioning, a registration route of the service's own, or 501."""
    errors = cst.parse_expression('adapters.legacy_errors("activate_tenant", tenant_id=request.tenant_id)')
    errors = errors.with_changes(func=cst.Attribute(r.a(), cst.Name("legacy_errors")))
    registration = lc.plan.registration
    if op.primary is None:
        return _statements('''
raise {error}("activate_tenant", {hint})
''', error=r.n("NotImplementedOperationError"), hint=string_node(
            f"{r.service} creates its tenants with ids of its own choosing: a new tenant cannot be created here"))
    if registration is not None:
        return _registration(lc, r, op, errors)
    to_legacy, from_legacy = _activation_adapters(op)
    return _statements('''
payload = {adapters}.{to_legacy}(request)
with {errors}:
    result = {call}
# an answer about another tenant (the e-mail's own): the router decides (409, or the webhook's reuse rule)
return {adapters}.{from_legacy}(result)
''', adapters=r.a(), to_legacy=cst.Name(to_legacy), from_legacy=cst.Name(from_legacy), errors=errors,
        call=r.call(op.primary, op, body=cst.Name("payload")))  # fmt: skip


def _activation_adapters(op: Operation) -> tuple[str, str]:
    if op.adapter == "provision":
        return "provision_payload_from_activate", "activate_from_provision"
    return "marketplace_payload_from_activate", "activate_from_marketplace"


_SOURCES = {"tenant_name": "request.tenant_name", "contact_email": "request.contact.email",
            "contact_name": "request.contact.name", "tenant_id": "request.tenant_id",
            "features": "list(request.features)"}


def _registration(lc: Lifecycle, r: Renderer, op: Operation, errors: cst.BaseExpression) -> list[cst.BaseStatement]:
    registration = lc.plan.registration
    elements, optional = [], []
    for field in registration.fields:
        if field.source == "slug":
            value = r.expr("{a}.slug_for(request.tenant_id)", a=r.a())
        elif field.source == "plan" and field.enum:
            module, _, name = field.enum.rpartition(".")
            r.extra_imports.add(ImportSpec(module, name))
            optional.append((field.field, r.expr("{a}.enum_member({enum}, request.plan)", a=r.a(),
                                                 enum=cst.Name(name))))
            continue
        elif field.source == "plan":
            value = cst.parse_expression("request.plan")
        else:
            value = cst.parse_expression(_SOURCES[field.source])
        elements.append(cst.DictElement(string_node(field.field), value))
    out = [parse_template_statement("payload = {payload}\n", payload=cst.Dict(elements))]
    for name, value in optional:  # a value the service does not have keeps the service's own default
        out += _statements('''
value = {value}
if value is not None:
    payload[{key}] = value
''', value=value, key=string_node(name))
    id_key = (lc.plan.registry.column("id").column if lc.plan.registry else "id")
    out += _statements('''
with {errors}:
    created = {call}
return {adapters}.activation_from_registration(created, {id_key}, handler=self)
''', errors=errors, call=r.call(op.primary, op, body=cst.Name("payload")), adapters=r.a(),
        id_key=string_node(id_key))  # fmt: skip
    return out


def activation(lc: Lifecycle, r: Renderer, ops: dict[str, Operation]) -> Optional[cst.FunctionDef]:
    """activate_tenant from its parts, or None when the standard template serves it as is."""
    op = ops.get("activate_tenant")
    if op is None or (lc.plan.reactivation not in ("registry", "route") and lc.plan.registration is None):
        return None
    body = [*_reactivation(lc, r, ops), *_creation(lc, r, op)]
    node = method(_ACTIVATION_HEAD, "activate_tenant", r)
    return node.with_changes(body=node.body.with_changes(body=body))


# --- deactivation through a legacy route ------------------------------------------------------------------------

_ROUTE_DEACTIVATE = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        {call}
    return {adapters}.deactivation_response(tenant_id, request, now={now})
'''


def route_deactivate(lc: Lifecycle, r: Renderer, op: Operation) -> cst.FunctionDef:
    """The legacy deactivation route, given the request's reason (a body model of the route takes it)."""
    call = r.call(op.primary, op, body=cst.parse_expression('{"reason": request.reason}'))
    return method(_ROUTE_DEACTIVATE, "deactivate_tenant", r, errors=r.errors("deactivate_tenant"),
                  call=cst.Expr(call), adapters=r.a(), now=_now(lc, r))


# --- derived usage ------------------------------------------------------------------------------------------------

_USAGE = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {convert}
'''


def derived_usage(lc: Lifecycle, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    usage = lc.plan.usage
    source = ops.get(usage.operation)
    if source is None or source.primary is None:
        raise TemplateError(f"get_tenant_usage: the {usage.operation} route it derives from did not move")
    days = r.expr("{a}.period_to_days(period)", a=r.a())
    inputs = {"days": days, "limit": cst.Integer("10")}
    if usage.window_value:  # the legacy route's widest named window: the month is inside it when it is recent
        inputs["period"] = string_node(usage.window_value)
    call = r.call(source.primary, source, **inputs)
    series = cst.Tuple([cst.Element(string_node(key)) for key in usage.series])
    args = [cst.Arg(cst.Name("tenant_id")), cst.Arg(cst.Name("period")), cst.Arg(cst.Name("legacy")), cst.Arg(series),
            cst.Arg(string_node(usage.key), keyword=cst.Name("month" if usage.granularity == "month" else "date"),
                    equal=_EQUAL)]
    args += [cst.Arg(string_node(key), keyword=cst.Name(target), equal=_EQUAL) for target, key in usage.fields.items()]
    convert = cst.Call(cst.Attribute(r.a(), cst.Name("usage_from_series")), args=args)
    return method(_USAGE, "get_tenant_usage", r, errors=r.errors("get_tenant_usage"), call=call, convert=convert)


# --- single-tenant deployment -------------------------------------------------------------------------------------

_DEPLOYMENT_ACTIVATE = '''
async def {name}({params}) -> {returns}:
    return {call}
'''


def deployment_methods(lc: Lifecycle, r: Renderer) -> list[cst.FunctionDef]:
    """activate / deactivate / status of the one tenant the deployment serves."""
    public_url = cst.Arg(r.expr("{a}.public_url_for(self)", a=r.a()), keyword=cst.Name("public_url"), equal=_EQUAL)
    return [
        method(_DEPLOYMENT_ACTIVATE, "activate_tenant", r,
               call=lc.deployment(r, "activate", cst.Arg(cst.Name("request")), public_url)),
        method(_DEPLOYMENT_ACTIVATE, "deactivate_tenant", r,
               call=lc.deployment(r, "deactivate", cst.Arg(cst.Name("tenant_id")), cst.Arg(cst.Name("request")))),
        method(_DEPLOYMENT_ACTIVATE, "get_tenant_status", r,
               call=lc.deployment(r, "status", cst.Arg(cst.Name("tenant_id")))),
        method(_DEPLOYMENT_ACTIVATE, "list_tenants", r, call=lc.deployment(r, "tenants")),
        method(_DEPLOYMENT_ACTIVATE, "get_tenant_summary", r,
               call=lc.deployment(r, "summary", cst.Arg(cst.Name("tenant_id")))),
    ]


# --- the entry point ----------------------------------------------------------------------------------------------


def render_lifecycle(name: str, lc: Lifecycle, r: Renderer, ops: dict[str, Operation]) -> Optional[list]:
    """The methods implementing lifecycle operation `name` from the plan, or None when the standard templates
    (a legacy route) or a 501 apply."""
    mechanism = lc.plan.mechanism(name)
    if lc.plan.deployment is not None and name in ("list_tenants", "get_tenant_summary"):
        op = ops.get(name)
        mechanism = "deployment" if op is None or op.primary is None else "route"
    if mechanism == "deployment":
        return [m for m in deployment_methods(lc, r) if m.name.value == name]
    if mechanism == "derived" and name == "get_tenant_usage":
        return [derived_usage(lc, r, ops)]
    if mechanism == "registry" and name == "get_tenant_status":
        return [registry_status(lc, r)]
    if mechanism == "registry" and name == "deactivate_tenant":
        return [registry_deactivate(lc, r)]
    if mechanism == "route" and name == "deactivate_tenant":
        op = ops.get("deactivate_tenant")
        return [route_deactivate(lc, r, op)] if op is not None and op.primary is not None else None
    if name == "activate_tenant":
        node = activation(lc, r, ops)
        return [node] if node is not None else None
    return None


_CONTACT = '''
async def tenant_of_contact(self, email: str) -> {returns}:
    """The tenant this contact e-mail owns, from the tenant registry: the Service Market webhook answers that
    contact's later applications with it (the manual's reuse rule)."""
    return {lookup}
'''


def contact_lookup(lc: Lifecycle, r: Renderer) -> Optional[cst.FunctionDef]:
    """`tenant_of_contact(email)`, when the handler has a tenant registry with the contact's e-mail."""
    registry = lc.plan.registry
    if registry is None or registry.column("email") is None or not lc.registry_module:
        return None
    node = parse_template_statement(_CONTACT, returns=r.optional("str"),
                                    lookup=lc.run(r, "tenant_of_contact", cst.Name("email")))
    return node
