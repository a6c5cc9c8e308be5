"""Wire models (pydantic v2). Every route declares one of these as its `response_model`.

Tenants and users answer in snake_case; the stats family answers in camelCase (`alias_generator=to_camel`), as the
school dashboard (a JavaScript app) reads it.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from classroom.enums import Period, Plan, Role, TenantStatus, UserStatus

T = TypeVar("T")
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _unicode_text(value: str | None) -> str | None:
    """Refuse lone surrogates (a valid JSON escape, but no text SQLite or a response can hold)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text") from None
    return value


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int
    pages: int

    @classmethod
    def of(cls, items: list, total: int, page: int, size: int) -> Page:
        return cls(items=items, total=total, page=page, size=size, pages=math.ceil(total / size))


class Health(BaseModel):
    status: str
    version: str
    active_tenants: int


# --- tenants (platform) ----------------------------------------------------------------------------------------


class TenantRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100)
    slug: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
    plan: Plan = Plan.basic
    contact_email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    seats: int = Field(default=50, ge=1, le=5000)

    _text = field_validator("name")(_unicode_text)


class TenantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    plan: Plan
    status: TenantStatus
    seats: int
    created_at: datetime


class TenantRegistered(TenantOut):
    contact_email: str
    api_key: str = Field(description="The school's key; shown once, stored only as a hash.")


class Seats(BaseModel):
    used: int
    total: int


class TenantCounts(BaseModel):
    users: int
    students: int
    teachers: int
    admins: int
    courses: int
    questions_30d: int


class TenantStatusOut(BaseModel):
    id: int
    name: str
    slug: str
    status: TenantStatus
    plan: Plan
    seats: Seats
    counts: TenantCounts
    last_activity_at: datetime | None
    created_at: datetime
    deactivated_at: datetime | None
    deactivation_reason: str | None


class Deactivation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=200)

    _text = field_validator("reason")(_unicode_text)


# --- users -----------------------------------------------------------------------------------------------------


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    role: Role = Role.student
    grade: int | None = Field(default=None, ge=1, le=12)

    _text = field_validator("name")(_unicode_text)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class UserPatch(BaseModel):
    """PATCH: only the fields sent change; the e-mail is the login and never changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=80)
    role: Role | None = None
    status: UserStatus | None = None
    grade: int | None = Field(default=None, ge=1, le=12)

    _text = field_validator("name")(_unicode_text)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    status: UserStatus
    grade: int | None
    created_at: datetime
    last_seen_at: datetime | None


class Activity(BaseModel):
    questions: int
    tokens: int
    cost_usd: float
    courses: int


class UserDetail(UserOut):
    activity: Activity


class Deleted(BaseModel):
    id: int
    deleted: bool = True


# --- courses ---------------------------------------------------------------------------------------------------


class TeacherRef(BaseModel):
    id: int
    name: str


class CourseOut(BaseModel):
    id: int
    title: str
    subject: str
    teacher: TeacherRef | None
    students: int
    questions: int
    created_at: datetime


# --- stats (camelCase on the wire) -----------------------------------------------------------------------------


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class UserNumbers(CamelModel):
    total: int
    active: int
    students: int
    teachers: int
    admins: int
    new_in_period: int
    active_in_period: int


class CourseNumbers(CamelModel):
    total: int
    with_activity: int


class QuestionNumbers(CamelModel):
    total: int
    in_period: int
    tokens_in_period: int
    cost_usd_in_period: float


class DailyPoint(CamelModel):
    date: date
    questions: int
    active_users: int
    tokens: int


class StatsOverview(CamelModel):
    tenant_id: int
    period: Period
    from_: date = Field(alias="from")
    to: date
    users: UserNumbers
    courses: CourseNumbers
    questions: QuestionNumbers
    daily: list[DailyPoint]


class ModelUsage(CamelModel):
    model: str
    questions: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class DayCost(CamelModel):
    date: date
    tokens: int
    cost_usd: float


class UsageReport(CamelModel):
    tenant_id: int
    period: Period
    total_tokens: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    by_model: list[ModelUsage]
    by_day: list[DayCost]


class LeaderboardEntry(CamelModel):
    rank: int
    user_id: int
    name: str
    email: str
    role: Role
    questions: int
    tokens: int
    last_active: datetime
