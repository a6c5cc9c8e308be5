"""`legacy_errors`: legacy ``HTTPException``s raised by moved logic → the standard domain errors."""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException

from ..standard_api.errors import (
    FeatureDisabledError,
    InvalidRequestError,
    QuotaExceededError,
    StandardAPIError,
    TenantExistsError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from ._shape import describe

_FEATURE = re.compile(r"""[Ff]eature\s+['"]?([\w.-]+)['"]?\s+is\s+disabled""")
_NUMBER = re.compile(r"\d+")
# a 400 that says the user exists: "The user with this email already exists in the system.", "Email already
# registered", "username is already taken"
_EXISTS = re.compile(r"\balready\s+(exists?|registered|taken|in\s+use)\b", re.IGNORECASE)
_USER_WRITES = ("create_user", "update_user")


def detail_text(detail: Any) -> str:
    """A legacy ``detail`` as one line: a string, a standard ``{"message"}`` body or FastAPI's 422 error list.

    Only locations and messages are read from error lists, never the rejected input values.
    """
    if isinstance(detail, str):
        return detail
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        return detail["message"]
    if isinstance(detail, list):
        parts = []
        for err in detail:
            if isinstance(err, dict) and "msg" in err:
                loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {err['msg']}" if loc else str(err["msg"]))
        if parts:
            return "; ".join(parts)
    return "Invalid request"


def _http_status(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599 else None


def http_error_of(exc: BaseException) -> HTTPException | None:
    """`exc` as an HTTP error: an ``HTTPException`` itself, or a domain exception that carries an HTTP status
    (an ``int`` ``status_code`` of 400-599, or, without one, an ``int`` ``code`` of 400-599 as in the
    ``code``/``msg`` errors of services answering ``{code, msg, data}``; their exception handlers turn them into
    answers) with its ``detail`` / ``message`` / ``msg`` / text; else None."""
    if isinstance(exc, HTTPException):
        return exc
    status = _http_status(getattr(exc, "status_code", None))
    if status is None and getattr(exc, "status_code", None) is None:
        status = _http_status(getattr(exc, "code", None))
    if status is None:
        return None
    detail = (getattr(exc, "detail", None) or getattr(exc, "message", None) or getattr(exc, "msg", None)
              or str(exc) or type(exc).__name__)
    return HTTPException(status, detail if isinstance(detail, (str, dict, list)) else str(detail))


def translate(
    exc: HTTPException, operation: str, *, tenant_id: str, user_id: str | None = None, email: str | None = None
) -> StandardAPIError | None:
    """The standard error for a legacy HTTP error, or None to let the original through (401, 5xx, ...)."""
    status, text = exc.status_code, detail_text(exc.detail)
    if status == 404:
        if "tenant" in text.lower() or user_id is None:
            return TenantNotFoundError(tenant_id)
        return UserNotFoundError(user_id)
    if status == 409:
        if operation.split("/")[0] == "activate_tenant":
            return TenantExistsError(tenant_id)
        return UserExistsError(email or text)
    if status in (400, 422):
        if status == 400 and operation.split("/")[0] in _USER_WRITES and _EXISTS.search(text):
            return UserExistsError(email or text)  # many services answer a duplicate with 400, not 409
        return InvalidRequestError(text)
    if status == 403:
        found = _FEATURE.search(text)
        return FeatureDisabledError(found.group(1) if found else text)
    if status == 429:
        number = _NUMBER.search(text)
        return QuotaExceededError(text, int(number.group()) if number else 0)
    return None


class legacy_errors:  # noqa: N801  (used like a function: `with legacy_errors(...):`)
    """Context manager for sync and async code (plain ``with``): translates what the legacy logic raises
    (``HTTPException``s, and domain exceptions carrying an HTTP status, see `http_error_of`).

    404 → tenant not found when the detail mentions the tenant (or no user is involved), else user not found;
    409 → tenant exists for ``activate_tenant``, user exists otherwise; a 400 of a user write whose detail says
    the user "already exists" (registered, taken, in use) → user exists; other 400/422 and pydantic validation
    errors of legacy body models → invalid request; 403 → feature disabled (name parsed from "Feature 'x' is
    disabled"); 429 → quota exceeded. Standard errors and any other status pass through untouched.
    """

    def __init__(self, operation: str, *, tenant_id: str, user_id: str | None = None, email: str | None = None) -> None:
        self.operation, self.tenant_id, self.user_id, self.email = operation, tenant_id, user_id, email

    def __enter__(self) -> legacy_errors:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if exc is None or isinstance(exc, StandardAPIError):
            return False
        if isinstance(exc, ValidationError):
            # a legacy body model (e.g. UserCreate(**payload)) rejected the converted request
            raise InvalidRequestError(describe(exc, "body")) from None
        http = http_error_of(exc)
        if http is not None:
            error = translate(http, self.operation, tenant_id=self.tenant_id, user_id=self.user_id, email=self.email)
            if error is not None:
                raise error from exc
            if http is not exc:  # a domain error: as the HTTP error it stands for, for the router to answer
                raise http from exc
        return False
