"""The standard path a deprecated legacy route names as its successor (the `Link` header phase 2 writes, the 410 stub
of phase 3 --gone, and what parity expects of both): no LibCST, so parity can read it without loading the phases."""

from __future__ import annotations

from typing import Optional
from urllib.parse import quote

from migrator.inventory.tenancy import TENANT_PARAM
from migrator.journal import Journal, JournalRoute
from migrator.pathtemplates import fill, path_params


def declared_tenant(journal: Journal) -> Optional[str]:
    """The one tenant a single-tenant deployment serves, when declared as a fixed id (not from the environment)."""
    return journal.tenant.tenant if journal.tenant is not None and not journal.tenant.env else None


def successor_path(route: JournalRoute, tenant: Optional[str] = None) -> str:
    """The standard path the deprecated route's `Link` names, as its deprecation dependency can fill it from a
    request to the legacy route: the standard path parameters under the legacy route's own names (`{user_id}` ->
    `{pk}`, paired in order), the tenant as the legacy path names it (`{org_id}`), or written out for a deployment
    that serves one declared tenant; `{tenant_id}` otherwise (filled from X-Tenant-ID)."""
    standard = route.standard_path or ""
    legacy = path_params(route.path)
    legacy_items = [p for p in legacy if not TENANT_PARAM.match(p)]
    items = [p for p in path_params(standard) if p != "tenant_id"]
    names = dict(zip(items, legacy_items)) if len(items) == len(legacy_items) else {}
    legacy_tenant = next((p for p in legacy if TENANT_PARAM.match(p)), None)
    values = {standard_name: "{" + name + "}" for standard_name, name in names.items()}
    if tenant:
        values["tenant_id"] = quote(tenant, safe="")
    elif legacy_tenant:
        values["tenant_id"] = "{" + legacy_tenant + "}"
    return fill(standard, values)
