"""`DeploymentHandler`: the Standard API handler phase 1 generates for a single-tenant service, reduced to the
tenant lifecycle and the tenant list over a `shims.lifecycle.DeploymentLifecycle` (the other operations are absent)."""

from __future__ import annotations

from shims.lifecycle import DeploymentLifecycle
from shims.standard_api import StandardAPIHandler


class DeploymentHandler(StandardAPIHandler):
    public_url = "https://mentor.example"

    def __init__(self, deployment: DeploymentLifecycle) -> None:
        self.deployment = deployment

    async def activate_tenant(self, request):
        return self.deployment.activate(request, public_url=self.public_url)

    async def deactivate_tenant(self, tenant_id, request):
        return self.deployment.deactivate(tenant_id, request)

    async def get_tenant_status(self, tenant_id):
        return self.deployment.status(tenant_id)

    async def list_tenants(self):
        return self.deployment.tenants()

    async def get_tenant_summary(self, tenant_id):
        return self.deployment.summary(tenant_id)

    get_tenant_usage = get_tenant_stats = get_tenant_costs = list_users = create_user = get_user = None
    update_user = delete_user = get_settings = None


DeploymentHandler.__abstractmethods__ = frozenset()
