"""The Standard API v2 surface, defined once: every operation's HTTP method, path and success status, and the
Service Market alias paths.

Pure data with no third-party import, so that `migrator` (catalog, phase 1, conformance, parity) can read it
without loading FastAPI. `shims.standard_api.router` and `shims.compat.service_market` register their routes from
these tables, and a test checks that what they serve is exactly this; the handler methods' signatures are read
from `StandardAPIHandler` with `inspect.signature` by whoever needs them.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

STANDARD_PREFIX = "/mt"
SERVICE_MARKET_PREFIX = "/api/tenant"


class OperationSpec(NamedTuple):
    """One `StandardAPIHandler` method and the route that serves it."""

    name: str  # the handler method
    method: str
    path: str  # full path, prefix included
    summary: str
    status_code: int = 200
    #: how the base class answers when a service does not implement it: "default" (a working default),
    #: "operation:<name>" (derived from that operation), None (501 NOT_IMPLEMENTED, or abstract)
    fallback: Optional[str] = None

    @property
    def router_path(self) -> str:
        """The path relative to its router's prefix."""
        for prefix in (STANDARD_PREFIX, SERVICE_MARKET_PREFIX):
            if self.path.startswith(prefix + "/"):
                return self.path[len(prefix):]
        return self.path


class AliasSpec(NamedTuple):
    """A Service Market compatibility path (`/api/tenant/...`) and the operation it serves."""

    method: str
    path: str  # full path, prefix included
    operation: str
    name: str  # the route name (and OpenAPI operation id)

    @property
    def router_path(self) -> str:
        return self.path[len(SERVICE_MARKET_PREFIX):]


_T = STANDARD_PREFIX + "/tenant/{tenant_id}"

OPERATIONS: tuple[OperationSpec, ...] = (
    OperationSpec("check_health", "GET", STANDARD_PREFIX + "/health", "Service health", fallback="default"),
    OperationSpec("activate_tenant", "POST", _T + "/activate", "Activate a tenant"),
    OperationSpec("deactivate_tenant", "POST", _T + "/deactivate", "Deactivate a tenant"),
    OperationSpec("get_tenant_status", "GET", _T + "/status", "Tenant status"),
    OperationSpec("get_tenant_usage", "GET", _T + "/usage", "Usage of one month"),
    OperationSpec("get_tenant_stats", "GET", _T + "/stats", "Dashboard summary"),
    OperationSpec("get_tenant_costs", "GET", _T + "/stats/costs", "Cost analysis"),
    OperationSpec("get_top_users", "GET", _T + "/stats/top-users", "Most active users"),
    OperationSpec("get_usage_patterns", "GET", _T + "/stats/usage-patterns", "Usage by hour and weekday"),
    OperationSpec("list_users", "GET", _T + "/users", "List users"),
    OperationSpec("create_user", "POST", _T + "/users", "Create a user", status_code=201),
    OperationSpec("get_user", "GET", _T + "/users/{user_id}", "One user"),
    OperationSpec("update_user", "PUT", _T + "/users/{user_id}", "Update a user"),
    OperationSpec("delete_user", "DELETE", _T + "/users/{user_id}", "Delete a user"),
    OperationSpec("list_resources", "GET", _T + "/resources", "List resources"),
    OperationSpec("get_settings", "GET", _T + "/settings", "Tenant settings"),
    OperationSpec("update_settings", "PUT", _T + "/settings", "Update settings"),
    OperationSpec("get_limits", "GET", _T + "/limits", "Usage limits", fallback="operation:get_settings"),
    # served by the Service Market alias router only
    OperationSpec("list_tenants", "GET", SERVICE_MARKET_PREFIX + "/list", "List tenants"),
    OperationSpec("get_tenant_summary", "GET", SERVICE_MARKET_PREFIX + "/status/{tenant_id}", "Tenant summary",
                  fallback="operation:get_tenant_status"),
)

BY_NAME: dict[str, OperationSpec] = {op.name: op for op in OPERATIONS}

_A = SERVICE_MARKET_PREFIX
ALIASES: tuple[AliasSpec, ...] = (
    AliasSpec("POST", _A + "/webhook/application-approved", "activate_tenant", "service_market_application_approved"),
    AliasSpec("POST", _A + "/webhook/auto-provision", "activate_tenant", "service_market_auto_provision"),
    AliasSpec("GET", _A + "/list", "list_tenants", "service_market_list_tenants"),
    AliasSpec("GET", _A + "/status/{tenant_id}", "get_tenant_summary", "service_market_tenant_status"),
    AliasSpec("GET", _A + "/stats/{tenant_id}", "get_tenant_stats", "service_market_tenant_stats"),
    AliasSpec("GET", _A + "/users/{tenant_id}", "list_users", "service_market_tenant_users"),
    AliasSpec("GET", _A + "/courses/{tenant_id}", "list_resources", "service_market_courses"),
    AliasSpec("GET", _A + "/discussions/{tenant_id}", "list_resources", "service_market_discussions"),
)


def standard_operations() -> tuple[OperationSpec, ...]:
    """The operations served under `/mt` (the standard router)."""
    return tuple(op for op in OPERATIONS if op.path.startswith(STANDARD_PREFIX + "/"))


ALIAS_BY_NAME: dict[str, AliasSpec] = {a.name: a for a in ALIASES}
