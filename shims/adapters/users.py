"""Users family: legacy ``User`` documents ⇄ standard user models and request payloads."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from typing import Any

from ..standard_api.errors import InvalidRequestError, UserNotFoundError
from ..standard_api.models import (
    CreateUserRequest,
    CreateUserResponse,
    DeleteUserResponse,
    UpdateUserRequest,
    UserInfo,
    UserRole,
    UsersListResponse,
    UserStatus,
    UserUsage,
)
from ._shape import parse
from .legacy_models import LegacyUser, LegacyUserMessage

#: legacy role words -> standard roles (the standard values themselves, and the usual words for them)
_ROLES = {
    **{role.value: role for role in UserRole},
    "teacher": UserRole.INSTRUCTOR, "tutor": UserRole.INSTRUCTOR, "professor": UserRole.INSTRUCTOR,
    "staff": UserRole.INSTRUCTOR, "mod": UserRole.MODERATOR, "administrator": UserRole.ADMIN,
    "owner": UserRole.ADMIN, "student": UserRole.USER, "member": UserRole.USER,
}
_USERNAME_FORBIDDEN = re.compile(r"[^a-z0-9_.]")
_USERNAME_MIN, _USERNAME_MAX = 3, 50
_PASSWORD_SYMBOLS = "-_.!@#%+="
_PASSWORD_ALPHABET = string.ascii_letters + string.digits + _PASSWORD_SYMBOLS


def role_from_legacy(role: str | None) -> UserRole:
    """Legacy ``role`` extra → standard role (the standard words, and ``teacher``/``tutor``/... for instructor,
    ``administrator``/``owner``/... for admin, ``student``/``member`` for user); absent or unknown → ``user``."""
    return _ROLES.get((role or "").strip().lower(), UserRole.USER)


def full_name(*parts: object) -> str:
    """A person's name given in parts (first name, last name) → the standard ``name``: the parts that are present
    and not empty, joined by a space (``""`` when none is)."""
    return " ".join(str(part).strip() for part in parts if part is not None and str(part).strip())


def user_status_from_legacy(is_active: bool) -> UserStatus:
    return UserStatus.ACTIVE if is_active else UserStatus.SUSPENDED


def _info(user: LegacyUser) -> UserInfo:
    usage = None
    if user.stats is not None:
        usage = UserUsage(sessions=user.stats.sessions, messages=user.stats.messages, tokens=user.stats.tokens)
    return UserInfo(
        user_id=str(user.id),
        email=user.email or "",
        name=user.display_name or user.username,
        role=role_from_legacy(user.role),
        status=user_status_from_legacy(user.is_active),
        created_at=user.created_at,
        last_login=user.last_login,
        usage=usage,
    )


def user_from_legacy(user: Any) -> UserInfo:
    """An allow-list conversion: only the fields above are read, so password hashes never leave."""
    return _info(parse(LegacyUser, user, "user"))


def users_list_from_legacy(tenant_id: str, users: list[Any], total: int, limit: int, offset: int) -> UsersListResponse:
    items = [_info(parse(LegacyUser, u, f"users[{i}]")) for i, u in enumerate(users)]
    return UsersListResponse(tenant_id=tenant_id, total=total, limit=limit, offset=offset, users=items)


#: hex digits of the e-mail digest in a generated username (48 bits: distinct e-mails never meet in practice)
USERNAME_DIGEST = 12


def username_from_email(email: str) -> str:
    """Deterministic legacy username, distinct for distinct e-mail addresses (case-insensitive).

    The local part, lower-cased, other than ``[a-z0-9_.]`` → ``_``, cut to fit, then ``_`` and a digest of the
    whole address: ``john@a.example`` and ``john@b.example``, ``john+1@x`` and ``john-1@x`` get different names,
    where the local part alone would collide (legacy usernames are unique, so the second creation would be a 409).
    A local part without ``[a-z0-9]`` (e.g. Hangul) keeps only ``user`` before the digest.
    """
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        raise InvalidRequestError(f"email: {email[:80]!r} is not an e-mail address")
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:USERNAME_DIGEST]
    name = _USERNAME_FORBIDDEN.sub("_", local.lower())[: _USERNAME_MAX - USERNAME_DIGEST - 1].strip("_.")
    if not any(c.isalnum() for c in name):
        name = "user"
    return f"{name}_{digest}"


def generate_temporary_password(length: int = 16) -> str:
    """A random password with lower, upper, digit and symbol characters (``secrets``, never logged)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(c in _PASSWORD_SYMBOLS for c in password)
        ):
            return password


def create_user_payload(request: CreateUserRequest) -> tuple[dict[str, Any], bool]:
    """Legacy ``UserCreate`` body and whether the password was generated.

    The legacy body has no role: an admin is created through the legacy admin route (catalog variant
    ``create_user/admin``) by the caller. An empty password counts as absent.
    """
    generated = not request.password
    payload = {
        "username": username_from_email(request.email),
        "password": generate_temporary_password() if generated else request.password,
        "display_name": request.name,
        "email": request.email,
    }
    return payload, generated


def create_user_response_from_legacy(user: Any, temporary_password: bool) -> CreateUserResponse:
    return create_user_response(_info(parse(LegacyUser, user, "user")), temporary_password)


def create_user_response(info: UserInfo, temporary_password: bool) -> CreateUserResponse:
    """The answer to ``POST .../users``: the created user's identity, role, status and creation date."""
    return CreateUserResponse(
        user_id=info.user_id,
        email=info.email,
        name=info.name,
        role=info.role,
        status=info.status,
        created_at=info.created_at,
        temporary_password=temporary_password,
    )


def update_user_payload(request: UpdateUserRequest) -> dict[str, Any]:
    """Legacy ``PUT /admin/users/{id}`` body with only the fields the request set (nulls are skipped)."""
    payload: dict[str, Any] = {}
    if request.name is not None:
        payload["display_name"] = request.name
    if request.role is not None:
        payload["role"] = request.role.value
    if request.status is not None:
        if request.status is UserStatus.PENDING:
            raise InvalidRequestError("status: 'pending' cannot be set on this service (use active or suspended)")
        # legacy users are active or not: inactive and suspended both switch is_active off
        payload["is_active"] = request.status is UserStatus.ACTIVE
    return payload


def delete_response_from_legacy(legacy: Any) -> DeleteUserResponse:
    doc = parse(LegacyUserMessage, legacy, "legacy")
    return DeleteUserResponse(success=True, user_id=str(doc.user_id), message=doc.message)


def legacy_user_id(user_id: str, kind: Any = int) -> Any:
    """A standard user id (a string) as the legacy id: an integer, or another type the legacy route took (a UUID,
    converted as FastAPI converts a path parameter); a string that is not one names no user (404)."""
    if kind is int:
        if user_id.isascii() and user_id.isdigit() and len(user_id) <= 19:
            return int(user_id)
        raise UserNotFoundError(user_id)
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(kind).validate_python(user_id)
    except ValidationError:
        raise UserNotFoundError(user_id) from None
