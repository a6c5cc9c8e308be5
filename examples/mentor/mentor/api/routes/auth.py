"""Sign-in and the caller's own identity."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select

from mentor.api.deps import get_current_user
from mentor.core import clock
from mentor.core.config import settings
from mentor.core.security import create_access_token, verify_password
from mentor.db.models import User
from mentor.db.session import get_db
from mentor.schemas import LoginRequest, Token

router = APIRouter()


@router.post("/login", response_model=Token)
async def login(body: LoginRequest):
    async with get_db() as session:
        user = (await session.execute(select(User).where(User.username == body.username.lower()))).scalar_one_or_none()
        if user is None or not verify_password(body.password, user.hashed_password):
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Incorrect username or password")
        if not user.is_active:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")
        user.last_login_at = clock.utcnow()
        token = create_access_token(user.id, user.username, user.is_admin)
    return {"access_token": token, "token_type": "bearer", "expires_in": settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60}


@router.get("/me")
async def read_me(current_user: dict = Depends(get_current_user)):
    return current_user
