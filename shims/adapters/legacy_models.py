"""The legacy wire shapes (manual §5.3 plus the documented ``+`` extras), as far as the adapters read them.

Each model is an allow-list: undeclared fields (``password_hash``, ``monthly_cost_usd``, ...) are dropped on
validation and can never reach a standard response. Fields of the manual are required; the extras are optional.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..standard_api.models import Branding, FeatureFlags


class _Legacy(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- dashboard ----------------------------------------------------------------------------------------------


class LegacyDashboardUsers(_Legacy):
    total: int
    new_this_week: int
    active_7days: int
    active_30days: int


class LegacyDashboardUsage(_Legacy):
    total_sessions: int


class LegacyDailyTrend(_Legacy):
    date: str
    messages: int
    users: int
    tokens: int


class LegacyMonthlyTrend(_Legacy):
    month: str
    users: int = 0
    messages: int = 0
    tokens: int = 0


class LegacyDashboard(_Legacy):
    users: LegacyDashboardUsers
    usage: LegacyDashboardUsage
    daily_trend: list[LegacyDailyTrend] = Field(default_factory=list)
    monthly_user_trend: list[LegacyMonthlyTrend] = Field(default_factory=list)


class LegacyModelCost(_Legacy):
    model: str
    tokens: int
    cost_usd: float
    input_tokens: int | None = Field(default=None, ge=0)  # + extra
    output_tokens: int | None = Field(default=None, ge=0)  # + extra


class LegacyUserCost(_Legacy):
    username: str
    tokens: int
    cost_usd: float
    user_id: int | str | None = None  # + extra
    display_name: str | None = None  # + extra


class LegacyDailyCost(_Legacy):
    date: str
    cost_usd: float


class LegacyMonthlyCost(_Legacy):
    month: str
    cost_usd: float


class LegacyCosts(_Legacy):
    estimated_cost_usd: float
    by_model: list[LegacyModelCost] = Field(default_factory=list)
    by_user: list[LegacyUserCost] = Field(default_factory=list)
    monthly_costs: list[LegacyMonthlyCost] = Field(default_factory=list)
    daily_costs: list[LegacyDailyCost] | None = None  # + extra


class LegacyHourlyCount(_Legacy):
    hour: int = Field(ge=0, le=23)
    count: int


class LegacyWeekdayCount(_Legacy):
    day: str
    count: int


class LegacyUsagePatterns(_Legacy):
    hourly_distribution: list[LegacyHourlyCount] = Field(default_factory=list)
    weekday_distribution: list[LegacyWeekdayCount] = Field(default_factory=list)
    avg_session_length: float


class LegacyTopUser(_Legacy):
    id: int | str
    username: str
    display_name: str | None = None
    email: str | None = None
    sessions: int
    messages: int
    tokens: int
    last_active: str | None = None


class LegacyTopUsers(_Legacy):
    period_days: int | None = None
    users: list[LegacyTopUser] = Field(default_factory=list)


# --- users --------------------------------------------------------------------------------------------------


class LegacyUserStats(_Legacy):
    sessions: int
    messages: int
    tokens: int


class LegacyUser(_Legacy):
    id: int | str
    username: str
    display_name: str | None = None
    email: str | None = None
    is_active: bool
    created_at: str
    last_login: str | None = None
    role: str | None = None  # + extra: "admin" | "user"
    stats: LegacyUserStats | None = None  # detail view only


class LegacyUsersPage(_Legacy):
    users: list[dict[str, Any]]
    total: int = Field(ge=0)


class LegacyUserMessage(_Legacy):
    """``{"message": "User deleted", "user_id": 7}`` (delete, suspend, activate, remove admin)."""

    message: str
    user_id: int | str


# --- tenants and settings -----------------------------------------------------------------------------------


class LegacyTenantStatus(_Legacy):
    tenant_id: str
    status: str
    created_at: str | None = None
    plan: str | None = None  # + extra
    features: list[str] | dict[str, bool] | None = None  # + extra
    updated_at: str | None = None  # + extra


class LegacyLimits(_Legacy):
    daily_tokens: int | None = None
    monthly_tokens: int | None = None
    max_file_size_mb: int | None = None


class LegacySubscription(_Legacy):
    start_date: str
    end_date: str | None = None
    auto_renew: bool = False


class LegacySettings(_Legacy):
    tenant_id: str
    plan: str
    max_users: int
    max_storage_mb: int
    features: FeatureFlags = Field(default_factory=FeatureFlags)
    limits: LegacyLimits = Field(default_factory=LegacyLimits)
    branding: Branding | None = None
    subscription: LegacySubscription


# --- provisioning -------------------------------------------------------------------------------------------


class LegacyMarketplaceResponse(_Legacy):
    """Manual §3.2; FAQ Q3 allows ``success: false`` with null ``tenant_id``/``access_url`` (asynchronous)."""

    success: bool
    tenant_id: str | None = None
    message: str
    access_url: str | None = None


class LegacyProvisionResponse(_Legacy):
    tenant_id: str
    status: Literal["created", "existing"]
    tenant_url: str


class WebhookApplication(_Legacy):
    id: int
    kind: str = "demo"
    contact: str | None = None
    reason: str | None = None


class WebhookApplicant(_Legacy):
    id: int | None = None
    name: str
    email: str
    university_name: str


class WebhookPayload(_Legacy):
    """Manual §3.1 (nested ``application``); the flat sandbox form is folded into it before validation."""

    application: WebhookApplication
    applicant: WebhookApplicant
    service: dict[str, Any] | None = None
    start_date: str | None = None
    end_date: str | None = None
