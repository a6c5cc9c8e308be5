"""Standard method templates of the settings family: read and update."""

from __future__ import annotations

import libcst as cst

from ._standard_methods import (
    Operation,
    Renderer,
    method,
)

_SETTINGS = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        legacy = {call}
    return {answer}
'''
_UPDATE_SETTINGS = '''
async def {name}({params}) -> {returns}:
    changes = {adapters}.update_settings_payload(request)
    with {errors}:
        legacy = {call}
    return {answer}
'''


_VALUES = {"tenant_id": cst.Name("tenant_id"), "legacy": cst.Name("legacy")}


def _get_settings(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_SETTINGS, op.name, r, errors=r.errors(op.name), call=r.call(op.primary, op),
                  answer=r.answer(op.name, _VALUES, "settings_from_legacy", ["legacy"]))


def _update_settings(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_UPDATE_SETTINGS, op.name, r, errors=r.errors(op.name), adapters=r.a(),
                  call=r.call(op.primary, op, body=cst.Name("changes")),
                  answer=r.answer(op.name, _VALUES, "settings_from_legacy", ["legacy"]))


TEMPLATES = {
    "get_settings": _get_settings,
    "update_settings": _update_settings,
}
