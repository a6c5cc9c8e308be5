"""Phase 1 — the legacy routes whose logic moves become thin delegates to their service functions.

Before, in a router module::

    def _window(days: int) -> int:
        return min(days, 365)


    @router.get("/dashboard/costs")
    async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
        \"\"\"Costs of the last `days` days.\"\"\"
        with get_db(tenant_id) as db:
            rows = _cost_rows(db, _window(days))
        return {...}

After (the body and `_window` now live in `services/legacy_dashboard.py`, see `generate_service`)::

    from advisor.services import legacy_dashboard


    @router.get("/dashboard/costs")
    async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
        \"\"\"Costs of the last `days` days.\"\"\"
        return await legacy_dashboard.get_costs(days=days, tenant_id=tenant_id)

The route keeps its decorators, signature, auth dependencies, status code and response model. Definitions that
moved are removed; the module's remaining code imports those it still uses from the service module (their public
names bound to the old ones, so that code, and a route left to a person, stays byte for byte as it was); imports
only the moved code used go. Which routes move was decided by the plan
(`migrator.movability`); this codemod carries the decision out and decides nothing.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.helpers import get_full_name_for_node, parse_template_statement
from libcst.metadata import ImportAssignment, ScopeProvider

from ._fit import fit_statements
from ._imports import import_spec_for, is_docstring, is_import_line
from ._moves import Phase1State, ServiceModule, moved_regions, used_outside
from ._runner import MigratorCommand


class ExtractRoutes(MigratorCommand):
    DESCRIPTION = "Replace the bodies of moving legacy routes by calls to their service functions."
    PHASE = 1
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        state: Phase1State = self.state
        origin = state.sources.get(self.context.filename)
        self.service: Optional[ServiceModule] = state.by_origin.get(origin.module)
        if self.service is None or origin.tree is not tree:
            raise RuntimeError(f"{self.context.filename}: not a module phase 1 rewrites")  # pragma: no cover
        self.origin = origin
        self.delegates = {m.function: m for m in self.service.functions}
        self.removed = {id(h.node) for h in self.service.helpers if not h.copied}
        inside = moved_regions(state, origin)
        self.dropped_aliases: set[int] = set()
        self.emptied: set[int] = set()  # import statements all of whose names are dropped
        self._plan_local_helpers(inside)
        self._plan_foreign_imports(inside)
        self._schedule_unused_imports(inside)
        binding = self._service_binding()
        if self.delegates:
            AddImportsVisitor.add_needed_import(self.context, state.services_package, self.service.alias,
                                                binding if binding != self.service.alias else None)
        self.binding = binding
        return tree.visit(self)

    # -- what changes -----------------------------------------------------------------------------------------

    def _plan_local_helpers(self, inside: set[int]) -> None:
        """Moved definitions the module's remaining code still uses: imported back under their public names;
        names other modules import from here: re-exported."""
        state, service = self.state, self.service
        external = state.external.get(self.origin.module, set())
        for helper in service.helpers:
            if helper.copied:
                continue
            if used_outside(self.origin, helper.name, inside):
                # the remaining code stays as it is: the public name is imported under the old one
                AddImportsVisitor.add_needed_import(self.context, service.module, helper.target,
                                                    helper.name if helper.name != helper.target else None)
            elif helper.name in external:
                # another module imports it from here: an explicit re-export keeps that import working
                AddImportsVisitor.add_needed_import(self.context, service.module, helper.target,
                                                    helper.target if helper.target == helper.name else None)
        self.reexports = sorted((h.name, h.target) for h in service.helpers if not h.copied
                                and h.name in external and h.target != h.name
                                and not used_outside(self.origin, h.name, inside))

    def _plan_foreign_imports(self, inside: set[int]) -> None:
        """Imports of definitions of other router modules that moved: redirected to their service modules."""
        state = self.state
        for assignment in self.origin.global_scope.assignments:
            if not isinstance(assignment, ImportAssignment) or not isinstance(assignment.node, cst.ImportFrom):
                continue
            try:
                spec = import_spec_for(assignment, self.origin.module, self.origin.is_package)
            except ValueError:
                continue
            helper = state.helpers.get((spec.module, spec.name)) if spec.name else None
            if helper is None or helper.copied or spec.module == self.origin.module:
                continue
            self.dropped_aliases.add(self._alias_id(assignment.node, assignment.name))
            if any(id(access.node) not in inside for access in assignment.references):
                AddImportsVisitor.add_needed_import(self.context, helper.service, helper.target,
                                                    assignment.name if assignment.name != helper.target else None)

    def _schedule_unused_imports(self, inside: set[int]) -> None:
        """Every import the moved code used goes when nothing else uses it (RemoveImportsVisitor checks)."""
        for assignment in self.origin.global_scope.assignments:
            if not isinstance(assignment, ImportAssignment):
                continue
            refs = list(assignment.references)
            if not refs or not any(id(access.node) in inside for access in refs):
                continue
            try:
                spec = import_spec_for(assignment, self.origin.module, self.origin.is_package)
            except ValueError:
                continue
            RemoveImportsVisitor.remove_unused_import(self.context, spec.module, spec.name, spec.asname)

    def _service_binding(self) -> str:
        alias = self.service.alias
        taken = set(self.origin.globals_) - {alias}
        return alias if alias not in taken else f"{alias}_service"

    @staticmethod
    def _alias_id(node: cst.ImportFrom, bound: str) -> int:
        for alias in node.names:
            if (alias.evaluated_alias or get_full_name_for_node(alias.name)) == bound:
                return id(alias)
        return -1

    # -- the transformation -------------------------------------------------------------------------------------

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if isinstance(original.names, cst.ImportStar):
            return updated
        kept = [u for u, o in zip(updated.names, original.names) if id(o) not in self.dropped_aliases]
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            self.emptied.add(id(original))  # the statement goes in leave_SimpleStatementLine / leave_Module
            return updated
        if original.lpar is None and kept[-1].comma is not cst.MaybeSentinel.DEFAULT:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if original.body and all(id(small) in self.emptied for small in original.body):
            self.removed.add(id(original))
        return updated

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        move = self.delegates.get(original.name.value)
        if move is None or self.origin.globals_.get(original.name.value) is not original:
            return updated
        args = [cst.Arg(cst.Attribute(cst.Name(p.name), cst.Name(p.substitute)) if p.substitute else cst.Name(p.name),
                        keyword=cst.Name(p.rename or p.name),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
                for p in move.params]
        call = cst.Call(cst.Attribute(cst.Name(self.binding), cst.Name(move.name)), args=args)
        value: cst.BaseExpression = cst.Await(call) if move.is_async else call
        # the route is a top-level function: its body is one block deep
        statements = fit_statements([parse_template_statement("return {value}\n", value=value)],
                                    self.state.style.line_length, depth=1)
        if original.get_docstring(clean=False) is not None:
            statements.insert(0, updated.body.body[0])
        return updated.with_changes(body=updated.body.with_changes(body=statements))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        """Drop the moved definitions; a removed statement's blank lines go to the next one if it has none."""
        body: list[cst.BaseStatement] = []
        pending: list[cst.EmptyLine] = []
        for old, new in zip(original.body, updated.body):
            if id(old) in self.removed:
                pending = pending or [line for line in old.leading_lines if line.comment is None]
                continue
            if pending and not new.leading_lines and body:
                new = new.with_changes(leading_lines=pending)
            pending = []
            body.append(new)
        if self.reexports:
            body = _with_reexports(body, self.reexports)
        return updated.with_changes(body=body)


def _with_reexports(body: list[cst.BaseStatement], pairs: list[tuple[str, str]]) -> list[cst.BaseStatement]:
    """`_old = new` after the imports, for names other modules import from this one under their old name."""
    index = 0
    while index < len(body) and (is_docstring(body[index]) or is_import_line(body[index])):
        index += 1
    lines = [parse_template_statement("{old} = {new}\n", old=cst.Name(old), new=cst.Name(new)) for old, new in pairs]
    lines[0] = lines[0].with_changes(leading_lines=[
        cst.EmptyLine(), cst.EmptyLine(comment=cst.Comment("# imported from here by other modules"))])
    return [*body[:index], *lines, *body[index:]]

