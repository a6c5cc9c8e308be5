"""Phase 1 — write a service module: the logic of one router module's moving routes, as plain typed functions.

Before, in `advisor/routers/users.py`::

    USER_COLUMNS = "id, username, email"


    def _get_user_row(db, user_id: int):
        row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
        ...


    @router.get("/users/{user_id}")
    async def get_user(user_id: int, tenant_id: str = Depends(verify_tenant_admin)):
        with get_db(tenant_id) as db:
            return dict(_get_user_row(db, user_id))

After, the new `advisor/services/legacy_users.py`::

    \"\"\"The logic of the legacy routes of `advisor/routers/users.py`. ...\"\"\"

    from advisor.database import get_db

    USER_COLUMNS = "id, username, email"


    def get_user_row(db, user_id: int):
        row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
        ...


    async def get_user(*, user_id: int, tenant_id: str):
        with get_db(tenant_id) as db:
            return dict(get_user_row(db, user_id))

The functions keep their bodies byte for byte (a module-level function stays at the same indentation, so
multi-line strings keep their text), their docstrings and return annotations; the parameters become keyword-only
with plain defaults (`Query(30, ge=1)` -> `30`), the tenant a `str` (an `int` when the legacy one is; the id read
from the caller's identity, `admin.tenant_id`, becomes a `tenant_id` parameter), or, when the handler obtains
the legacy tenant parameter itself through FastAPI's solver, its own type. Helpers, models and constants come
along in their original order; a private one another module still needs gets a public name (`_get_user_row` ->
`get_user_row`). The route in the router module delegates to the function (`extract_routes`); so does the handler.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from ._format import fit_signature, keyword_only, spaced
from ._moves import FunctionMove, Phase1State, ServiceModule, rename_definition, renamed
from ._runner import MigratorCommand
from ._service_doc import phase1_docstring
from ._signature import declared_params, kept_nodes


class GenerateService(MigratorCommand):
    DESCRIPTION = "Write a service module holding the moved route logic, its helpers, models and SQL."
    PHASE = 1
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        state: Phase1State = self.state
        service = state.services[self.context.full_module_name]
        origin = service.origin
        renames = service.renames
        nodes: list[cst.CSTNode] = []
        for helper in service.helpers:
            node = renamed(origin, helper.node, renames)
            nodes.append(rename_definition(node, helper.name, helper.target))
        for move in service.functions:
            nodes.append(self._function(service, move))
        for spec in sorted(service.imports):
            AddImportsVisitor.add_needed_import(self.context, spec.module, spec.name, spec.asname)
        legacy_only = [m.name for m in service.functions if (service.module, m.name) not in state.handler_calls]
        held = {(call.module, call.function) for op in state.operations.values() if op.name in state.not_implemented
                for call in op.routes.values()}
        doc = phase1_docstring(origin.path, state.handler_module, state.style.line_length, legacy_only=legacy_only,
                               every=len(legacy_only) == len(service.functions),
                               held=bool(legacy_only) and all((service.module, n) in held for n in legacy_only))
        doc = cst.parse_statement(doc + "\n")
        return tree.with_changes(body=[doc, *spaced(nodes, first=1)])

    def _function(self, service: ServiceModule, move: FunctionMove) -> cst.FunctionDef:
        origin = service.origin
        func = origin.function(move.function)
        declared = declared_params(func)
        params = []
        substitutes: dict[str, tuple[str, str]] = {}
        for plan in move.params:
            if plan.role == "tenant" and not plan.solved:  # the standard id itself
                annotation = cst.Name("int" if plan.annotation == "int" else "str")
                params.append(cst.Param(cst.Name(plan.rename or plan.name), annotation=cst.Annotation(annotation)))
                if plan.substitute:  # `admin.tenant_id` in the body: the id the function now receives
                    substitutes[plan.name] = (plan.substitute, plan.rename or plan.name)
                continue
            role = "resource" if plan.role == "tenant" else plan.role  # a solved tenant keeps its own type
            annotation, default = kept_nodes(declared[plan.name], role)
            params.append(cst.Param(
                cst.Name(plan.name),
                annotation=cst.Annotation(renamed(origin, annotation, service.renames)) if annotation else None,
                default=renamed(origin, default, service.renames) if default is not None else None))
        returns = func.returns
        new = func.with_changes(
            name=cst.Name(move.name),
            decorators=[],
            params=keyword_only(params),
            whitespace_before_params=cst.SimpleWhitespace(""),
            body=_substituted(renamed(origin, func.body, service.renames), substitutes),
            returns=renamed(origin, returns, service.renames) if returns is not None else None,
            leading_lines=[line for line in func.leading_lines if line.comment is not None],
        )
        return fit_signature(new, self.state.style.line_length)


def _substituted(body: cst.BaseSuite, substitutes: dict[str, tuple[str, str]]) -> cst.BaseSuite:
    """`admin.tenant_id` -> `tenant_id` for each {identity parameter: (attribute, new name)}."""
    return body.visit(_Substitute(substitutes)) if substitutes else body


class _Substitute(cst.CSTTransformer):
    def __init__(self, substitutes: dict[str, tuple[str, str]]) -> None:
        self.substitutes = substitutes

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value in self.substitutes:
            attr, name = self.substitutes[updated.value.value]
            if updated.attr.value == attr:
                return cst.Name(name, lpar=updated.lpar, rpar=updated.rpar)
        return updated
