"""`StandardAPIHandler`: the abstract service side of the Standard API v2.

A service subclasses it once (phase 1 of a migration generates the subclass) and `create_standard_router` serves
it. The abstract methods are those mt_paas v2 declares abstract; the others default to "not implemented", which
the router answers with 501 and a clear message, except `check_health` and `get_limits`, which have useful defaults.

Signatures and return types are mt_paas's, so a subclass also runs on mt_paas's own router
(``create_standard_router_v2``): `check_health` answers the status string as mt_paas's does, and the errors are
``HTTPException``s that any FastAPI router passes through (see docs/mt_paas.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Optional

from .errors import NotImplementedOperationError
from .models import (
    ActivateRequest,
    ActivateResponse,
    CostsResponse,
    CreateUserRequest,
    CreateUserResponse,
    DeactivateRequest,
    DeactivateResponse,
    DeleteUserResponse,
    LimitsResponse,
    ResourceFilters,
    ResourcesResponse,
    SettingsResponse,
    StatsResponse,
    StatusResponse,
    TenantSummary,
    TopUsersResponse,
    UpdateSettingsRequest,
    UpdateUserRequest,
    UsagePatternsResponse,
    UsageResponse,
    UserFilters,
    UserInfo,
    UsersListResponse,
)

#: mt_paas's optional hooks around the lifecycle operations: handler methods that are not operations
HOOKS = ("before_activate", "after_activate", "before_deactivate", "after_deactivate")


class StandardAPIHandler(ABC):
    """Implement the abstract methods; override the optional ones the service supports."""

    #: reported by ``GET /mt/health``; None: the version the app declares (``FastAPI(version=...)``, as in its
    #: OpenAPI document)
    service_version: Optional[str] = None

    # --- lifecycle --------------------------------------------------------------------------------------------

    async def check_health(self) -> str:
        """"healthy", "degraded" or "unhealthy" (mt_paas's contract); the router adds version and timestamp.

        Returning a `HealthResponse` also works on the shims router (not on mt_paas's)."""
        return "healthy"

    @abstractmethod
    async def activate_tenant(self, request: ActivateRequest) -> ActivateResponse: ...

    @abstractmethod
    async def deactivate_tenant(self, tenant_id: str, request: DeactivateRequest) -> DeactivateResponse: ...

    # mt_paas's optional hooks around activation and deactivation: both routers call them

    async def before_activate(self, request: ActivateRequest) -> None:
        return None

    async def after_activate(self, response: ActivateResponse) -> None:
        return None

    async def before_deactivate(self, tenant_id: str, request: DeactivateRequest) -> None:
        return None

    async def after_deactivate(self, response: DeactivateResponse) -> None:
        return None

    @abstractmethod
    async def get_tenant_status(self, tenant_id: str) -> StatusResponse: ...

    @abstractmethod
    async def get_tenant_usage(self, tenant_id: str, period: str) -> UsageResponse: ...

    # --- dashboard --------------------------------------------------------------------------------------------

    @abstractmethod
    async def get_tenant_stats(self, tenant_id: str, period: str) -> StatsResponse: ...

    @abstractmethod
    async def get_tenant_costs(self, tenant_id: str, period: str) -> CostsResponse: ...

    async def get_top_users(self, tenant_id: str, period: str, limit: int) -> TopUsersResponse:
        raise NotImplementedOperationError("get_top_users")

    async def get_usage_patterns(self, tenant_id: str, period: str) -> UsagePatternsResponse:
        raise NotImplementedOperationError("get_usage_patterns")

    # --- users ------------------------------------------------------------------------------------------------

    @abstractmethod
    async def list_users(self, tenant_id: str, filters: UserFilters) -> UsersListResponse: ...

    @abstractmethod
    async def create_user(self, tenant_id: str, request: CreateUserRequest) -> CreateUserResponse: ...

    @abstractmethod
    async def get_user(self, tenant_id: str, user_id: str) -> UserInfo: ...

    @abstractmethod
    async def update_user(self, tenant_id: str, user_id: str, request: UpdateUserRequest) -> UserInfo: ...

    @abstractmethod
    async def delete_user(self, tenant_id: str, user_id: str) -> DeleteUserResponse: ...

    # --- resources --------------------------------------------------------------------------------------------

    async def list_resources(self, tenant_id: str, filters: ResourceFilters) -> ResourcesResponse:
        raise NotImplementedOperationError("list_resources")

    # --- settings ---------------------------------------------------------------------------------------------

    @abstractmethod
    async def get_settings(self, tenant_id: str) -> SettingsResponse: ...

    async def update_settings(self, tenant_id: str, request: UpdateSettingsRequest) -> SettingsResponse:
        raise NotImplementedOperationError("update_settings")

    async def get_limits(self, tenant_id: str) -> LimitsResponse:
        settings = await self.get_settings(tenant_id)
        return LimitsResponse(tenant_id=tenant_id, **settings.config.limits.model_dump())

    # --- Service Market compatibility (served by shims.compat.service_market) ---------------------------------

    async def list_tenants(self) -> list[TenantSummary]:
        raise NotImplementedOperationError("list_tenants")

    async def get_tenant_summary(self, tenant_id: str) -> TenantSummary:
        raise NotImplementedOperationError("get_tenant_summary")
