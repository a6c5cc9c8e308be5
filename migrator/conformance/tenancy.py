"""Whether the target is a single-tenant deployment, and whose its one tenant is.

A single-tenant deployment (one deployment per customer; `shims.lifecycle.DeploymentLifecycle`) cannot create
tenants for other applicants: the checks that create one (a new tenant activated by the lifecycle suite, the
webhook's basic call and its id collision) do not apply to it. `migrator conform` knows it in two ways:

- **declared**: ``--new-tenant`` names ``--tenant`` (the deployment's own id). The lifecycle suite then runs the
  market's sequence on that tenant (its first activation claims the deployment for conform's contact, then it is
  deactivated and reactivated, and left active): only on a deployment not yet in use;
- **observed**: the Service Market tenant list (``GET /api/tenant/list``) names exactly one tenant, marked
  ``tenancy: "single"`` (what `DeploymentLifecycle` answers). Conform then neither claims nor deactivates it: the
  checks that would are counted "not applicable", with the reason.

The claiming contact (the list's e-mail of the tenant) is read again when the webhook checks run.
"""

from __future__ import annotations

from typing import Optional

import httpx
from pydantic import BaseModel

from shims.lifecycle import SINGLE_TENANCY, TENANCY_FIELD
from shims.spec import ALIAS_BY_NAME

TENANT_LIST_PATH = ALIAS_BY_NAME["service_market_list_tenants"].path
SERVICE_MARKET_KEY_HEADER = "X-API-Key"


class Deployment(BaseModel):
    """The one tenant of a single-tenant deployment, as the tenant list shows it."""

    tenant_id: str
    owner: Optional[str] = None  # the claiming contact's e-mail; None while unclaimed


def observe_deployment(client: httpx.Client, api_key: str) -> Optional[Deployment]:
    """The deployment's tenant when the tenant list names exactly one, marked single; None otherwise (a list that
    cannot be read proves nothing: the target is then treated as multi-tenant)."""
    try:
        response = client.get(TENANT_LIST_PATH, headers={SERVICE_MARKET_KEY_HEADER: api_key})
        tenants = response.json().get("tenants") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    if not isinstance(tenants, list) or len(tenants) != 1 or not isinstance(tenants[0], dict):
        return None
    tenant = tenants[0]
    if tenant.get(TENANCY_FIELD) != SINGLE_TENANCY or not isinstance(tenant.get("tenant_id"), str):
        return None
    owner = tenant.get("email")
    return Deployment(tenant_id=tenant["tenant_id"], owner=owner if isinstance(owner, str) and owner else None)
