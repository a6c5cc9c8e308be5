"""Standard method templates of the tenant family: status (and the Service Market summary), list, activate."""

from __future__ import annotations

import libcst as cst

from ._standard_methods import (
    Operation,
    Renderer,
    method,
    parse_template_statement,
)

_CONVERT = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {answer}
'''


def _tenant_status(op: Operation, r: Renderer, ops: dict[str, Operation]) -> list[cst.FunctionDef]:
    """The status, and the Service Market's summary from the same legacy answer (when the generated mappings have
    no summary, the handler's default derives it from the status)."""
    values = {"tenant_id": cst.Name("tenant_id"), "legacy": cst.Name("legacy")}
    out = [method(_CONVERT, "get_tenant_status", r, errors=r.errors("get_tenant_status"), call=r.call(op.primary, op),
                  answer=r.answer("get_tenant_status", values, "status_from_legacy", ["legacy"]))]
    if "get_tenant_status" not in r.shapes or "get_tenant_summary" in r.shapes:
        out.append(method(_CONVERT, "get_tenant_summary", r, errors=r.errors("get_tenant_summary"),
                          call=r.call(op.primary, op),
                          answer=r.answer("get_tenant_summary", values, "tenant_summary_from_legacy", ["legacy"])))
    return out


_LIST_TENANTS = '''
async def {name}({params}) -> {returns}:
    legacy = {call}
    return {answer}
'''
_LIST_TENANTS_FIXED = '''
async def {name}({params}) -> {returns}:
    legacy = {call}
    return [{adapters}.tenant_summary_from_legacy(item) for item in legacy["tenants"]]
'''


def _list_tenants(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    if op.name in r.shapes:
        return method(_LIST_TENANTS, op.name, r, call=r.call(op.primary, op),
                      answer=r.answer(op.name, {"legacy": cst.Name("legacy")}, "", []))
    return method(_LIST_TENANTS_FIXED, op.name, r, call=r.call(op.primary, op), adapters=r.a())


_ACTIVATE = '''
async def {name}({params}) -> {returns}:
    {exists_check}
    payload = {adapters}.{to_legacy}(request)
    with {adapters}.legacy_errors("activate_tenant", tenant_id=request.tenant_id):
        result = {call}
    return {adapters}.{from_legacy}(result)
'''
_EXISTS_CHECK = '''
try:
    await self.get_tenant_status(request.tenant_id)
except {not_found}:
    pass
else:
    raise {exists}(request.tenant_id)
'''


def _activate(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    to_legacy, from_legacy = {
        "provision": ("provision_payload_from_activate", "activate_from_provision"),
    }.get(op.adapter or "", ("marketplace_payload_from_activate", "activate_from_marketplace"))
    status = ops.get("get_tenant_status")
    known = status is not None and status.primary is not None
    check = parse_template_statement(_EXISTS_CHECK, not_found=r.n("TenantNotFoundError"),
                                     exists=r.n("TenantExistsError")) if known else cst.parse_statement("pass\n")
    node = method(_ACTIVATE, op.name, r, exists_check=check, adapters=r.a(), to_legacy=cst.Name(to_legacy),
                  from_legacy=cst.Name(from_legacy), call=r.call(op.primary, op, body=cst.Name("payload")))
    if not known:  # no status to check first: drop the placeholder
        body = node.body.body
        node = node.with_changes(body=node.body.with_changes(body=body[1:]))
    return node


TEMPLATES = {
    "get_tenant_status": _tenant_status,
    "list_tenants": _list_tenants,
    "activate_tenant": _activate,
}
