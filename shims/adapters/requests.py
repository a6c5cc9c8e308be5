"""Standard user requests → the legacy service's own request body, read from its body model's fields.

`create_user_body(request, UserCreate)` and `update_user_body(request, UserPatch)` fill the fields of the legacy
model (a pydantic class) the standard request can fill, whatever the legacy service calls them: the e-mail, the
name (``name``, ``full_name``, ``display_name``), a username derived from the e-mail within the field's length and
pattern, the password (given, else a generated temporary one), the role (the legacy value standing for the standard
role: an enum member, a ``Literal`` value, an ``is_admin`` flag) and the status (``is_active``, or a status word).
Phase 1 checks the same names statically (`FIELDS`): a required legacy field nothing fills keeps the route manual.
"""

from __future__ import annotations

import enum
import hashlib
import re
import typing
from typing import Any

from pydantic import BaseModel

from ..body_fields import FIELDS
from ..standard_api.errors import InvalidRequestError
from ..standard_api.models import CreateUserRequest, UpdateUserRequest, UserRole, UserStatus
from .users import generate_temporary_password, role_from_legacy, username_from_email

__all__ = ["FIELDS", "create_user_body", "update_user_body"]

_DIGEST = 6


def _fields(model: type[BaseModel]) -> dict[str, tuple[str, Any]]:
    """kind -> (the name the model is given the value under, its field info)."""
    out: dict[str, tuple[str, Any]] = {}
    for name, info in model.model_fields.items():
        kind = FIELDS.get(name.lower())
        if kind is not None and kind not in out:
            out[kind] = (info.alias or name, info)
    return out


def _constraints(info: Any) -> tuple[int, re.Pattern | None]:
    """(max length, pattern) of a string field, read from its metadata."""
    longest, pattern = 50, None
    for item in info.metadata:
        longest = min(longest, getattr(item, "max_length", None) or longest)
        text = getattr(item, "pattern", None)
        if text:
            pattern = re.compile(text)
    return longest, pattern


def username_for(email: str, info: Any) -> str:
    """A username derived from the e-mail (the local part and a digest of the whole address, so distinct addresses
    get distinct names) that the legacy field accepts: within its length, matching its pattern."""
    longest, pattern = _constraints(info)
    local = email.strip().rpartition("@")[0].lower() or "user"
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:_DIGEST]
    stem = re.sub(r"[^a-z0-9]+", "_", local).strip("_") or "user"
    candidates = [username_from_email(email)]  # the fixed adapters' choice, when the field takes it
    for size in sorted({longest, 32, 24, 16, 12}, reverse=True):
        if size <= longest:
            candidates += [f"{stem[: size - _DIGEST - 1].rstrip('_')}_{digest}", f"{stem[: size - _DIGEST]}{digest}"]
    for candidate in [*candidates, f"u{digest}"]:
        if 0 < len(candidate) <= longest and (pattern is None or pattern.fullmatch(candidate)):
            return candidate
    raise InvalidRequestError(f"email: no username the legacy service accepts can be derived from {email[:80]!r}")


def _choices(annotation: Any) -> list[Any]:
    """The values an enum or Literal annotation allows (Optional unwrapped); [] for a free field."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return list(args)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return list(annotation)
    for arg in args:
        found = _choices(arg)
        if found:
            return found
    return []


def _legacy_role(role: UserRole, info: Any) -> Any:
    choices = _choices(info.annotation)
    if not choices:
        return role.value
    for choice in choices:
        if role_from_legacy(str(getattr(choice, "value", choice))) is role:
            return choice
    raise InvalidRequestError(f"role: the legacy service has no role standing for '{role.value}'")


def _no_pending(status: UserStatus) -> None:
    if status is UserStatus.PENDING:
        raise InvalidRequestError("status: 'pending' cannot be set on this service (use active or suspended)")


def _legacy_status(status: UserStatus, info: Any) -> Any:
    _no_pending(status)
    choices = _choices(info.annotation)
    wanted = "active" if status is UserStatus.ACTIVE else None
    for choice in choices:
        value = str(getattr(choice, "value", choice)).lower()
        if (wanted and value == wanted) or (not wanted and value in (status.value, "suspended", "inactive",
                                                                        "disabled", "blocked")):
            return choice
    if choices:
        raise InvalidRequestError(f"status: the legacy service has no status standing for '{status.value}'")
    return "active" if status is UserStatus.ACTIVE else status.value


def create_user_body(request: CreateUserRequest, model: type[BaseModel], *, role: bool = True
                     ) -> tuple[dict[str, Any], bool]:
    """The legacy create body for `request` (fields by name, see `FIELDS`), and whether the password was
    generated. `role=False`: the legacy route itself decides the role (an admin-creating route)."""
    fields = _fields(model)
    generated = not request.password
    body: dict[str, Any] = {}
    if "email" in fields:
        body[fields["email"][0]] = request.email
    if "name" in fields:
        body[fields["name"][0]] = request.name
    if "username" in fields:
        body[fields["username"][0]] = username_for(request.email, fields["username"][1])
    if "password" in fields:
        body[fields["password"][0]] = generate_temporary_password() if generated else request.password
    if role and "role" in fields:
        body[fields["role"][0]] = _legacy_role(request.role, fields["role"][1])
    elif role and "admin_flag" in fields:
        body[fields["admin_flag"][0]] = request.role is UserRole.ADMIN
        if request.role not in (UserRole.ADMIN, UserRole.USER):
            raise InvalidRequestError(f"role: the legacy service has no role standing for '{request.role.value}'")
    elif role and request.role is not UserRole.USER:
        raise InvalidRequestError(f"role: the legacy service has no role standing for '{request.role.value}'")
    return body, generated


def update_user_body(request: UpdateUserRequest, model: type[BaseModel], *, status_routes: bool = False
                     ) -> dict[str, Any]:
    """The legacy update body with what `request` sets (nulls are skipped). A change the legacy body cannot carry
    is `InvalidRequestError`, naming the field; with `status_routes`, a status change the body cannot carry comes
    back under ``"is_active"`` (a bool) for the legacy suspend/activate routes to apply."""
    fields = _fields(model)
    body: dict[str, Any] = {}
    unsupported = []
    if request.name is not None:
        if "name" in fields:
            body[fields["name"][0]] = request.name
        else:
            unsupported.append("name")
    if request.role is not None:
        if "role" in fields:
            body[fields["role"][0]] = _legacy_role(request.role, fields["role"][1])
        elif "admin_flag" in fields and request.role in (UserRole.ADMIN, UserRole.USER):
            body[fields["admin_flag"][0]] = request.role is UserRole.ADMIN
        else:
            unsupported.append("role")
    if request.status is not None:
        _no_pending(request.status)
        if "status" in fields:
            body[fields["status"][0]] = _legacy_status(request.status, fields["status"][1])
        elif "active_flag" in fields or status_routes:
            body[fields["active_flag"][0] if "active_flag" in fields else "is_active"] = (
                request.status is UserStatus.ACTIVE)
        else:
            unsupported.append("status")
    if unsupported:
        raise InvalidRequestError(f"the legacy service cannot change {', '.join(unsupported)}")
    return body
