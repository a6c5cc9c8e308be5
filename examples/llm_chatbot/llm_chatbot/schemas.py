"""Request and response bodies (the legacy wire shapes the Service Market already reads)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

FEATURES = ("rag", "chat", "quiz", "api_integration", "custom_branding")

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]{3,50}$")]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Role = Literal["admin", "user"]
Feature = Literal["rag", "chat", "quiz", "api_integration", "custom_branding"]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Url = Annotated[str, StringConstraints(max_length=500, pattern=r"^(https?://|/)\S+$")]
Amount = Annotated[int, Field(ge=1, le=10**12)]


# --- provisioning -------------------------------------------------------------------------------

class ProvisionRequest(BaseModel):
    university_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    application_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    admin_email: Email
    admin_name: DisplayName
    kind: Literal["demo", "service"] = "demo"
    features: list[Feature] = Field(default_factory=lambda: ["chat", "rag"])


class ProvisionResponse(BaseModel):
    tenant_id: str
    status: Literal["created", "existing"]
    tenant_url: str
    admin_email: str
    plan: str
    created_at: str


# --- users ----------------------------------------------------------------------------------------

class UserCreate(BaseModel):
    username: Username
    password: Annotated[str, Field(min_length=8, max_length=128)]
    display_name: DisplayName | None = None
    email: Email


class UserUpdate(BaseModel):
    display_name: DisplayName | None = None
    email: Email | None = None
    role: Role | None = None
    is_active: bool | None = None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str
    is_active: bool
    created_at: str
    last_login: str | None
    monthly_cost_usd: float
    role: Role


class UserStats(BaseModel):
    sessions: int
    messages: int
    tokens: int


class UserDetail(UserOut):
    stats: UserStats


class UserList(BaseModel):
    users: list[UserOut]
    total: int
    page: int
    limit: int


class UserActionResult(BaseModel):
    message: str
    user_id: int


# --- settings -------------------------------------------------------------------------------------

class Features(BaseModel):
    rag: bool
    chat: bool
    quiz: bool
    api_integration: bool
    custom_branding: bool


class Limits(BaseModel):
    daily_tokens: int
    monthly_tokens: int
    max_file_size_mb: int


class Branding(BaseModel):
    logo_url: str | None
    primary_color: str | None


class Subscription(BaseModel):
    start_date: str
    end_date: str | None
    auto_renew: bool


class SettingsOut(BaseModel):
    tenant_id: str
    plan: str
    max_users: int
    max_storage_mb: int
    features: Features
    limits: Limits
    branding: Branding
    subscription: Subscription


class FeaturesPatch(BaseModel):
    rag: bool | None = None
    chat: bool | None = None
    quiz: bool | None = None
    api_integration: bool | None = None
    custom_branding: bool | None = None


class LimitsPatch(BaseModel):
    daily_tokens: Amount | None = None
    monthly_tokens: Amount | None = None
    max_file_size_mb: Annotated[int, Field(ge=1, le=10_000)] | None = None


class BrandingPatch(BaseModel):
    """Fields sent as null are cleared; fields left out are kept."""

    logo_url: Url | None = None
    primary_color: Color | None = None


class SettingsUpdate(BaseModel):
    features: FeaturesPatch | None = None
    limits: LimitsPatch | None = None
    branding: BrandingPatch | None = None


# --- dashboard ------------------------------------------------------------------------------------

class UserCounts(BaseModel):
    total: int
    active: int
    new_this_week: int
    active_7days: int
    active_30days: int
    admins: int


class UsageCounts(BaseModel):
    total_sessions: int
    sessions_today: int
    total_messages: int
    messages_today: int
    total_tokens: int
    tokens_today: int


class DailyPoint(BaseModel):
    date: str
    messages: int
    users: int
    tokens: int


class MonthlyPoint(BaseModel):
    month: str
    users: int
    messages: int
    tokens: int


class ModelUsage(BaseModel):
    model: str
    count: int
    tokens: int


class Dashboard(BaseModel):
    users: UserCounts
    usage: UsageCounts
    daily_trend: list[DailyPoint]
    monthly_user_trend: list[MonthlyPoint]
    model_usage: list[ModelUsage]


class ModelCost(BaseModel):
    model: str
    tokens: int
    cost_usd: float
    input_tokens: int
    output_tokens: int


class UserCost(BaseModel):
    username: str
    tokens: int
    cost_usd: float
    user_id: int
    display_name: str


class MonthlyCost(BaseModel):
    month: str
    cost_usd: float


class DailyCost(BaseModel):
    date: str
    cost_usd: float


class Costs(BaseModel):
    total_tokens: int
    estimated_cost_usd: float
    by_model: list[ModelCost]
    by_user: list[UserCost]
    monthly_costs: list[MonthlyCost]
    daily_costs: list[DailyCost]


class HourCount(BaseModel):
    hour: int
    count: int


class DayCount(BaseModel):
    day: str
    count: int


class UsagePatterns(BaseModel):
    hourly_distribution: list[HourCount]
    weekday_distribution: list[DayCount]
    avg_session_length: float


class TopUser(BaseModel):
    id: int
    username: str
    display_name: str
    email: str
    sessions: int
    messages: int
    tokens: int
    last_active: str


class TopUsers(BaseModel):
    period_days: int
    users: list[TopUser]
