"""Phase 1 — write the tenant-registry module the lifecycle operations use (when the plan found a registry).

Before: no such module; the legacy provisioning writes its registry, e.g. in `advisor/tenant_manager.py`::

    with get_registry() as registry:
        registry.execute(
            "INSERT INTO tenants (tenant_id, university_name, email, plan, features, status, created_at,"
            " updated_at, application_id) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)", (...))

After, the new `advisor/handlers/tenant_registry.py`::

    \"\"\"The tenant registry of advisor, as its provisioning writes it: `tenants`, written at ...\"\"\"

    from advisor.clock import now
    from advisor.database import get_registry

    ACTIVE = "active"
    INACTIVE = "deactivated"
    COLUMNS = ("tenant_id", "status", "email", "plan", "features", "created_at", "updated_at")


    def read_tenant(tenant_id: str) -> Optional[dict[str, Any]]:
        with get_registry() as conn:
            row = conn.execute(
                "SELECT tenant_id, status, email, plan, features, created_at, updated_at"
                " FROM tenants"
                " WHERE tenant_id = ?",
                (tenant_id,),
            ).fetchone()
        return None if row is None else dict(zip(COLUMNS, row))


    def set_status(tenant_id: str, status: str) -> None: ...
    def status_of(row: dict[str, Any]) -> str: ...
    def status_document(row: dict[str, Any]) -> dict[str, Any]: ...

The connection is obtained as the legacy write obtained it (`migrator.lifecycle`): the same DB helper, the same
placeholder style, sync or async; `codemods._registry_source` writes the functions for a DB-API connection, a
SQLAlchemy session with ``text()`` SQL, or an ORM model. The handler's deactivate, status and reactivation call them.
"""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from ._fit import fit_module
from ._format import wrap_long_calls
from ._moves import Phase1State
from ._registry_source import registry_source
from ._runner import MigratorCommand
from ._target import PythonTarget


class GenerateTenantRegistry(MigratorCommand):
    DESCRIPTION = "Write the tenant-registry module (read a tenant, set its status) through the service's DB helper."
    PHASE = 1
    METADATA_DEPENDENCIES = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        state: Phase1State = self.state
        source = registry_source(state.lifecycle.registry, state.service_name, PythonTarget.for_root(state.root))
        paragraphs = [textwrap.fill(p, 116) for p in source.docstring.split("\n\n")]
        doc = '"""' + "\n\n".join(paragraphs) + '\n"""\n'
        width = state.style.line_length
        module = fit_module(wrap_long_calls(cst.parse_module(doc + "\n" + source.body), width), width)
        for module_name, name in sorted(source.imports):
            if not name:
                AddImportsVisitor.add_needed_import(self.context, module_name)
            else:
                AddImportsVisitor.add_needed_import(self.context, module_name, name)
        return module
