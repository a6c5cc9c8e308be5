"""Wire models of the Standard API v2 (see STANDARD_API.md in the design notes).

Field names, types and defaults follow the mt_paas Standard API v2 (`mt_paas.standard_api.models_v2`, 0.1.0) so that
a service migrated onto `shims` can later swap in the mt_paas package, and they accept at least what mt_paas accepts
(its roles, statuses, optional fields and defaults; docs/mt_paas.md lists where the shims are wider). Conventions:
- a field typed ``X | None`` defaults to ``None`` (mt_paas declares them ``Optional[X] = None``);
- every other field without a listed default is required.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field


class _Model(BaseModel):
    # Unknown input fields are ignored, as mt_paas does.
    model_config = {"extra": "ignore"}


# --- health and lifecycle -------------------------------------------------------------------------------------


class HealthResponse(_Model):
    status: str
    version: str
    timestamp: str


class ContactInfo(_Model):
    email: str
    name: str


class ActivateRequest(_Model):
    tenant_id: str
    tenant_name: str
    plan: str
    features: list[str]
    config: dict[str, Any] = Field(default_factory=dict)
    contact: ContactInfo


class ActivateResponse(_Model):
    success: bool
    tenant_id: str
    access_url: str
    message: str


class DeactivateRequest(_Model):
    reason: str
    preserve_data: bool = True  # mt_paas's default


class DeactivateResponse(_Model):
    success: bool
    tenant_id: str
    status: str
    data_preserved: bool
    data_retention_until: Optional[str] = None


TenantStatus = Literal["active", "suspended", "deactivated"]


class StatusResponse(_Model):
    tenant_id: str
    status: TenantStatus
    plan: str
    features: list[str]
    created_at: str
    updated_at: str


class UsageData(_Model):
    active_users: int = 0
    total_sessions: int = 0
    api_calls: int = 0
    ai_tokens: int = 0
    storage_mb: int = 0


class UsageResponse(_Model):
    tenant_id: str
    period: str
    usage: UsageData


# --- periods ------------------------------------------------------------------------------------------------

#: Dashboard periods: ``<N>d`` (1-999 days: 7d, 30d, 90d, ...), ``<N>y`` (1-9 years) or a calendar month ``YYYY-MM``.
#: mt_paas documents 7d/30d/90d and calls costs with ``2026-01`` in its own lifecycle test; ASCII digits only.
PERIOD_PATTERN = r"^(?:[1-9][0-9]{0,2}d|[1-9]y|[0-9]{4}-(?:0[1-9]|1[0-2]))$"
#: ``GET /usage``: a calendar month only (mt_paas answers 400 INVALID_REQUEST otherwise).
MONTH_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])$"
_PERIOD = re.compile(PERIOD_PATTERN)


def is_period(value: str) -> bool:
    return isinstance(value, str) and _PERIOD.match(value) is not None


# --- errors ---------------------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """The ``detail`` of every Standard API error (mt_paas's ``ErrorResponse`` fields, without ``details``)."""

    success: Literal[False] = False
    error: str = Field(description="Machine-readable code, e.g. TENANT_NOT_FOUND, NOT_IMPLEMENTED")
    message: str


class ErrorResponse(BaseModel):
    """What a Standard API error answer carries: ``{"detail": {"success": false, "error": CODE, "message": ...}}``."""

    detail: ErrorDetail


class MessageErrorResponse(BaseModel):
    """The Service Market manual's error shape (its webhook and tenant-list routes): ``{"detail": "<text>"}``."""

    detail: str


# --- dashboard --------------------------------------------------------------------------------------------------


class StatsSummary(_Model):
    total_users: int = 0
    active_users: int = 0
    new_users_this_period: int = 0
    total_sessions: int = 0
    total_messages: int = 0
    total_tokens: int = 0
    estimated_cost_usd: float = 0.0


class DailyTrend(_Model):
    date: str
    users: int = 0
    messages: int = 0
    tokens: int = 0


class HealthStatus(_Model):
    status: str
    last_check: str
    response_time_ms: int = 0


class StatsResponse(_Model):
    tenant_id: str
    period: str
    summary: StatsSummary
    trends: Optional[dict[str, list[DailyTrend]]] = None  # key "daily"
    health: Optional[HealthStatus] = None


class ModelCost(_Model):
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class UserCost(_Model):
    user_id: str
    name: str
    cost_usd: float = 0.0
    tokens: int = 0


class DailyCost(_Model):
    date: str
    cost_usd: float = 0.0


class CostsResponse(_Model):
    tenant_id: str
    period: str
    total_cost_usd: float
    by_model: list[ModelCost] = Field(default_factory=list)
    by_user_top10: list[UserCost] = Field(default_factory=list)
    daily_trend: list[DailyCost] = Field(default_factory=list)


class TopUser(_Model):
    user_id: str
    name: str
    email: str
    sessions: int = 0
    messages: int = 0
    tokens: int = 0
    last_active: str


class TopUsersResponse(_Model):
    tenant_id: str
    period: str
    users: list[TopUser] = Field(default_factory=list)


class HourlyCount(_Model):
    hour: int
    count: int = 0


class WeekdayCount(_Model):
    day: str
    count: int = 0


class UsagePatternsResponse(_Model):
    """Plan §2.1 extension: the shape of manual §5.3.4 plus ``tenant_id`` and ``period``."""

    tenant_id: str
    period: str
    hourly_distribution: list[HourlyCount] = Field(default_factory=list)
    weekday_distribution: list[WeekdayCount] = Field(default_factory=list)
    avg_session_length: float = 0.0


# --- users ------------------------------------------------------------------------------------------------------


class UserRole(str, Enum):
    """mt_paas's roles (admin, user, moderator) plus instructor."""

    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    MODERATOR = "moderator"
    USER = "user"


class UserStatus(str, Enum):
    """mt_paas's statuses (active, inactive, suspended) plus pending."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    PENDING = "pending"


class UserUsage(_Model):
    sessions: int = 0
    messages: int = 0
    tokens: int = 0


class UserInfo(_Model):
    """The standard user: an allow-list of fields, so nothing such as a password hash can leave."""

    user_id: str
    email: str
    name: str
    role: UserRole
    status: UserStatus
    created_at: str
    last_login: Optional[str] = None
    usage: Optional[UserUsage] = None


class UsersListResponse(_Model):
    tenant_id: str
    total: int
    limit: int
    offset: int
    users: list[UserInfo]


class UserFilters(_Model):
    role: Optional[UserRole] = None
    status: Optional[UserStatus] = None
    search: Optional[str] = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


class CreateUserRequest(_Model):
    email: str
    name: str
    role: UserRole = UserRole.USER
    password: Optional[str] = None
    send_welcome_email: bool = True


class CreateUserResponse(_Model):
    user_id: str
    email: str
    name: str
    role: UserRole
    status: UserStatus
    created_at: str
    temporary_password: bool


class UpdateUserRequest(_Model):
    name: Optional[str] = None
    role: Optional[UserRole] = None
    status: Optional[UserStatus] = None


class DeleteUserResponse(_Model):
    success: bool
    user_id: str
    message: str


# --- resources --------------------------------------------------------------------------------------------------


class ResourceType(str, Enum):
    """mt_paas's types (course, discussion, document, session) plus video and quiz."""

    COURSE = "course"
    DISCUSSION = "discussion"
    DOCUMENT = "document"
    SESSION = "session"
    VIDEO = "video"
    QUIZ = "quiz"


class ResourceStats(_Model):
    participants: Optional[int] = None
    discussions: Optional[int] = None
    documents: Optional[int] = None
    messages: Optional[int] = None


class ResourceItem(_Model):
    id: str
    title: str
    type: Optional[ResourceType] = None
    created_by: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    stats: Optional[ResourceStats] = None


class ResourceFilters(_Model):
    type: Optional[ResourceType] = None
    search: Optional[str] = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


class ResourcesResponse(_Model):
    tenant_id: str
    resource_type: Optional[str] = None
    total: int
    items: list[ResourceItem]


# --- settings ---------------------------------------------------------------------------------------------------


class FeatureFlags(_Model):
    rag: bool = True
    chat: bool = True
    quiz: bool = False
    api_integration: bool = False
    custom_branding: bool = False


class UsageLimits(_Model):
    daily_tokens: int = 1_000_000
    monthly_tokens: int = 20_000_000
    max_file_size_mb: int = 50
    max_users: int = 1000
    max_storage_mb: int = 10240


class Branding(_Model):
    logo_url: Optional[str] = None
    primary_color: Optional[str] = None
    custom_css: Optional[str] = None


class SubscriptionInfo(_Model):
    plan: str
    start_date: str
    end_date: Optional[str] = None
    auto_renew: bool = False


class TenantConfig(_Model):
    max_users: Optional[int] = None
    max_storage_mb: Optional[int] = None
    features: FeatureFlags = Field(default_factory=FeatureFlags)
    limits: UsageLimits = Field(default_factory=UsageLimits)
    branding: Optional[Branding] = None


class SettingsResponse(_Model):
    tenant_id: str
    config: TenantConfig
    subscription: SubscriptionInfo


class UpdateSettingsRequest(_Model):
    features: Optional[FeatureFlags] = None
    limits: Optional[UsageLimits] = None
    branding: Optional[Branding] = None


class LimitsResponse(UsageLimits):
    """Plan §2.1 ``GET /limits``: the usage limits plus the tenant id."""

    tenant_id: str


# --- Service Market compatibility (manual §3 and §5.3.1) ----------------------------------------------------------


class TenantSummary(_Model):
    """One tenant as the Service Market lists it (manual §5.3.1); ``active_users`` appears in the status view.

    Extra fields a service adds (plan, features, ...) are kept, and the compat router serialises with
    ``exclude_unset`` so that a legacy document round-trips exactly.
    """

    model_config = {"extra": "allow"}

    tenant_id: str
    university_name: Optional[str] = None
    email: Optional[str] = None
    status: str
    created_at: Optional[str] = None
    users_count: int = 0
    active_users: Optional[int] = None
