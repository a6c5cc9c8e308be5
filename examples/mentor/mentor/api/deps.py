"""Who is calling: a Bearer JWT resolved to the `current_user` dict, and the admin check on it."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text

from mentor.core.security import TokenError, decode_access_token
from mentor.db.session import get_db

bearer_scheme = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


async def get_current_user(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> dict[str, Any]:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("Not authenticated")
    try:
        claims = decode_access_token(credentials.credentials)
    except TokenError as exc:
        raise _unauthorized(str(exc)) from None
    async with get_db() as session:
        row = (await session.execute(
            text("SELECT id, username, email, full_name, is_admin, is_active FROM users WHERE id = :id"),
            {"id": int(claims["sub"])},
        )).mappings().first()
    if row is None:
        raise _unauthorized("Could not validate credentials")
    current_user = dict(row)
    current_user["is_admin"] = bool(current_user["is_admin"])
    current_user["is_active"] = bool(current_user["is_active"])
    if not current_user["is_active"]:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")
    return current_user


async def require_admin(current_user: dict = Depends(get_current_user)) -> dict[str, Any]:
    if not current_user["is_admin"]:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not enough privileges")
    return current_user
