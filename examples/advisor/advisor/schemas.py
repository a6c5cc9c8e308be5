"""Request bodies of the tenant-admin user routes (shared by /users and /admins)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

# Deliberately simple: a full RFC 5322 check belongs to the LMS that owns the accounts.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserCreate(BaseModel):
    username: str = Field(..., min_length=3, max_length=50, pattern=r"^[a-z0-9_.]+$")
    password: str = Field(..., min_length=8, max_length=128)
    display_name: Optional[str] = Field(None, min_length=1, max_length=100)
    email: str = Field(..., max_length=254, pattern=EMAIL_PATTERN)


class UserUpdate(BaseModel):
    display_name: Optional[str] = Field(None, min_length=1, max_length=100)
    email: Optional[str] = Field(None, max_length=254, pattern=EMAIL_PATTERN)
    role: Optional[Literal["admin", "user"]] = None
    is_active: Optional[bool] = None
