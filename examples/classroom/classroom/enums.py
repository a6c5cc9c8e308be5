"""The closed vocabularies of the service."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    student = "student"
    teacher = "teacher"
    admin = "admin"


class UserStatus(str, Enum):
    active = "active"
    suspended = "suspended"


class Plan(str, Enum):
    basic = "basic"
    standard = "standard"
    premium = "premium"


class TenantStatus(str, Enum):
    active = "active"
    deactivated = "deactivated"


class Period(str, Enum):
    week = "7d"
    month = "30d"
    quarter = "90d"

    @property
    def days(self) -> int:
        return int(self.value[:-1])
