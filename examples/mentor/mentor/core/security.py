"""Passwords (PBKDF2) and access tokens (JWT, HS256, signed with settings.JWT_SECRET).

Expiry is checked against the service clock, not the machine clock, so that a frozen MENTOR_NOW gives the same
answers on any day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt

from mentor.core import clock
from mentor.core.config import settings

PASSWORD_ITERATIONS = 120_000


class TokenError(Exception):
    """The token cannot be used; the message is what the client sees."""


def hash_password(password: str, *, salt: str | None = None, iterations: int = PASSWORD_ITERATIONS) -> str:
    salt = salt if salt is not None else secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hash_password(password, salt=salt, iterations=int(iterations))
    return hmac.compare_digest(candidate.rsplit("$", 1)[1], expected)


def _epoch(value: datetime) -> int:
    return int(value.replace(tzinfo=timezone.utc).timestamp())


def create_access_token(user_id: int, username: str, is_admin: bool, *, issued_at: datetime | None = None,
                        expires_in: timedelta | None = None) -> str:
    issued_at = issued_at or clock.utcnow()
    expires_in = expires_in or timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)
    payload = {
        "sub": str(user_id),
        "username": username,
        "adm": is_admin,
        "iat": _epoch(issued_at),
        "exp": _epoch(issued_at + expires_in),
    }
    return jwt.encode(payload, settings.JWT_SECRET, algorithm=settings.JWT_ALGORITHM)


def decode_access_token(token: str) -> dict[str, Any]:
    """The verified claims; TokenError when the signature, the claims or the expiry are wrong."""
    try:
        claims = jwt.decode(
            token,
            settings.JWT_SECRET,
            algorithms=[settings.JWT_ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp"]},
        )
    except jwt.PyJWTError:
        raise TokenError("Could not validate credentials") from None
    if not isinstance(claims.get("exp"), int) or not str(claims.get("sub", "")).isdigit():
        raise TokenError("Could not validate credentials")
    if claims["exp"] <= _epoch(clock.utcnow()):
        raise TokenError("Token has expired")
    return claims
