"""Per standard operation: the model the mapping builds, the function the generated code gets, and its inputs.

Every generated function is ``<operation>_from_legacy(<inputs>, <legacy documents>)``; the standard fields named in
`inputs` come from the call (the path's tenant, the requested period), never from the legacy answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from pydantic import BaseModel

from shims.standard_api import models as std


@dataclass(frozen=True)
class OperationSpec:
    operation: str
    model: type[BaseModel]
    inputs: tuple[tuple[str, str], ...]  # (parameter, annotation) before the legacy documents
    input_fields: dict[str, str] = field(default_factory=dict)  # standard field -> expression of the inputs
    docs: tuple[str, ...] = ("legacy",)  # parameter names of the legacy documents; the first is the route's own
    list_of_model: bool = False  # the operation answers a list of `model` (the tenant list)
    input_fallbacks: dict[str, str] = field(default_factory=dict)  # standard field -> input used when legacy lacks it

    @property
    def function(self) -> str:
        return f"{self.operation}_from_legacy"


_TENANT = (("tenant_id", "str"),)
_PERIOD = (("tenant_id", "str"), ("period", "str"))
_PERIOD_FIELDS = {"tenant_id": "tenant_id", "period": "period"}

OPERATIONS: dict[str, OperationSpec] = {
    spec.operation: spec
    for spec in (
        OperationSpec("get_tenant_stats", std.StatsResponse, _PERIOD, _PERIOD_FIELDS, docs=("dashboard", "costs")),
        OperationSpec("get_tenant_costs", std.CostsResponse, _PERIOD, _PERIOD_FIELDS),
        OperationSpec("get_top_users", std.TopUsersResponse, _PERIOD, _PERIOD_FIELDS),
        OperationSpec("get_usage_patterns", std.UsagePatternsResponse, _PERIOD, _PERIOD_FIELDS),
        OperationSpec(
            "list_users", std.UsersListResponse,
            (("tenant_id", "str"), ("total", "int"), ("limit", "int"), ("offset", "int")),
            {"tenant_id": "tenant_id", "total": "total", "limit": "limit", "offset": "offset"},
            docs=("page",),
        ),
        OperationSpec("get_user", std.UserInfo, ()),
        OperationSpec("update_user", std.UserInfo, ()),
        OperationSpec("create_user", std.CreateUserResponse, (("temporary_password", "bool"),),
                      {"temporary_password": "temporary_password"}),
        OperationSpec("delete_user", std.DeleteUserResponse, (("user_id", "str"),), {"success": "True"},
                      input_fallbacks={"user_id": "user_id"}),
        OperationSpec("get_tenant_status", std.StatusResponse, _TENANT, {"tenant_id": "tenant_id"}),
        OperationSpec("get_tenant_summary", std.TenantSummary, _TENANT, {"tenant_id": "tenant_id"}),
        OperationSpec("list_tenants", std.TenantSummary, (), list_of_model=True),
        OperationSpec("get_settings", std.SettingsResponse, _TENANT, {"tenant_id": "tenant_id"}),
        OperationSpec("update_settings", std.SettingsResponse, _TENANT, {"tenant_id": "tenant_id"}),
    )
}


def spec_for(operation: str) -> Optional[OperationSpec]:
    """The spec of `operation` (a catalog operation name, variants such as ``list_users/admins`` included)."""
    return OPERATIONS.get(operation.split("/")[0])
