"""Tables (SQLModel). Every row but a tenant's belongs to a tenant; ids are integers shared by all tenants.

Timestamps are naive UTC (`NaiveDatetime`: SQLModel refuses naive datetimes on plain `datetime` fields).
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from classroom.enums import Plan, Role, TenantStatus, UserStatus


class TableBase(SQLModel, registry=registry()):
    """The base of this service's tables: their own registry and MetaData, not SQLModel's process-wide default, so
    that importing the package again (a second copy of the service in one process) defines them afresh."""


class Tenant(TableBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    slug: str = Field(unique=True, index=True)
    plan: Plan = Plan.basic
    status: TenantStatus = TenantStatus.active
    seats: int
    contact_email: str
    api_key_hash: str = Field(index=True)
    created_at: NaiveDatetime
    deactivated_at: NaiveDatetime | None = None
    deactivation_reason: str | None = None


class User(TableBase, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    email: str = Field(index=True)
    name: str
    role: Role = Role.student
    status: UserStatus = UserStatus.active
    grade: int | None = None
    created_at: NaiveDatetime
    last_seen_at: NaiveDatetime | None = None


class Course(TableBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    title: str
    subject: str
    teacher_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: NaiveDatetime


class Enrollment(TableBase, table=True):
    course_id: int = Field(foreign_key="course.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")


class Question(TableBase, table=True):
    """One question to the assistant and the tokens its answer took."""

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    course_id: int | None = Field(default=None, foreign_key="course.id", ondelete="SET NULL")
    model: str
    prompt_tokens: int
    completion_tokens: int
    created_at: NaiveDatetime = Field(index=True)
