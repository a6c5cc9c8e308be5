"""Request and response bodies (pydantic v2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{2,31}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def _unicode_text(value: str | None) -> str | None:
    """Refuse lone surrogates (valid JSON escapes, but not text SQLite or a response can hold)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text") from None
    return value


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


    _text = field_validator("username", "password")(_unicode_text)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserCreate(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=8, max_length=128)
    full_name: str | None = Field(default=None, max_length=100)
    is_admin: bool = False

    _normalize = field_validator("username", "email", mode="before")(_lower)
    _text = field_validator("password", "full_name")(_unicode_text)


class UserUpdate(BaseModel):
    """Partial: fields left out are kept."""

    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    full_name: str | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, min_length=8, max_length=128)
    is_admin: bool | None = None
    is_active: bool | None = None

    _normalize = field_validator("email", mode="before")(_lower)
    _text = field_validator("password", "full_name")(_unicode_text)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    full_name: str | None
    is_admin: bool
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserDetail(UserRead):
    conversation_count: int
    message_count: int
    total_tokens: int
    total_cost: float


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
    skip: int
    limit: int
