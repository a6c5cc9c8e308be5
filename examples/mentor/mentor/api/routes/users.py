"""User management for the deployment's admins (ORM, session from the `get_session` dependency)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mentor.api.deps import require_admin
from mentor.core import clock
from mentor.core.security import hash_password
from mentor.db.models import Conversation, Message, User
from mentor.db.session import get_session
from mentor.pricing import cost_sql
from mentor.schemas import UserCreate, UserDetail, UserPage, UserRead, UserUpdate

router = APIRouter()


def _like(search: str) -> str:
    escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _get_user_or_404(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


async def _ensure_unique(session: AsyncSession, *, username: str | None = None, email: str | None = None,
                         exclude_id: int | None = None) -> None:
    checks = [("username", username, "Username already registered"), ("email", email, "Email already registered")]
    for column, value, message in checks:
        if value is None:
            continue
        stmt = select(User.id).where(getattr(User, column) == value)
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        if (await session.execute(stmt)).first() is not None:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=message)


@router.get("", response_model=UserPage)
async def list_users(
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
    search: str | None = Query(None, max_length=100),
    is_active: bool | None = Query(None),
    session: AsyncSession = Depends(get_session),
    current_user: dict = Depends(require_admin),
):
    stmt = select(User)
    if search:
        pattern = _like(search)
        stmt = stmt.where(or_(
            func.lower(User.username).like(pattern, escape="\\"),
            func.lower(User.email).like(pattern, escape="\\"),
            func.lower(func.coalesce(User.full_name, "")).like(pattern, escape="\\"),
        ))
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    users = (await session.scalars(stmt.order_by(User.id).offset(skip).limit(limit))).all()
    return {"items": users, "total": total, "skip": skip, "limit": limit}


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(
    body: UserCreate,
    session: AsyncSession = Depends(get_session),
    current_user: dict = Depends(require_admin),
):
    await _ensure_unique(session, username=body.username, email=body.email)
    user = User(
        username=body.username,
        email=body.email,
        full_name=body.full_name,
        hashed_password=hash_password(body.password),
        is_admin=body.is_admin,
        is_active=True,
        created_at=clock.utcnow(),
    )
    session.add(user)
    await session.commit()
    await session.refresh(user)
    return user


@router.get("/{user_id}", response_model=UserDetail)
async def get_user(user_id: int, session: AsyncSession = Depends(get_session),
                   current_user: dict = Depends(require_admin)):
    user = await _get_user_or_404(session, user_id)
    conversations = await session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.user_id == user_id))
    messages, tokens = (await session.execute(
        select(func.count(), func.coalesce(func.sum(Message.prompt_tokens + Message.completion_tokens), 0))
        .where(Message.user_id == user_id))).one()
    cost = await session.scalar(
        select(func.coalesce(func.sum(literal_column(cost_sql())), 0.0)).select_from(Message)
        .where(Message.user_id == user_id, Message.role == "assistant"))
    return {
        **UserRead.model_validate(user).model_dump(),
        "conversation_count": conversations,
        "message_count": messages,
        "total_tokens": tokens,
        "total_cost": round(cost, 4),
    }


@router.put("/{user_id}", response_model=UserRead)
async def update_user(
    user_id: int,
    body: UserUpdate,
    session: AsyncSession = Depends(get_session),
    current_user: dict = Depends(require_admin),
):
    user = await _get_user_or_404(session, user_id)
    changes = body.model_dump(exclude_unset=True)
    for field in ("email", "is_admin", "is_active"):
        if field in changes and changes[field] is None:
            raise HTTPException(status_code=422, detail=f"{field} cannot be null")
    if "email" in changes:
        await _ensure_unique(session, email=changes["email"], exclude_id=user_id)
    password = changes.pop("password", None)
    if password is not None:
        user.hashed_password = hash_password(password)
    for field, value in changes.items():
        setattr(user, field, value)
    await session.commit()
    await session.refresh(user)
    return user


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: int, session: AsyncSession = Depends(get_session),
                      current_user: dict = Depends(require_admin)):
    if user_id == current_user["id"]:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="You cannot delete your own account")
    user = await _get_user_or_404(session, user_id)
    await session.delete(user)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{user_id}/deactivate", response_model=UserRead)
async def deactivate_user(user_id: int, session: AsyncSession = Depends(get_session),
                          current_user: dict = Depends(require_admin)):
    if user_id == current_user["id"]:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="You cannot deactivate your own account")
    user = await _get_user_or_404(session, user_id)
    user.is_active = False
    await session.commit()
    await session.refresh(user)
    return user


@router.post("/{user_id}/activate", response_model=UserRead)
async def activate_user(user_id: int, session: AsyncSession = Depends(get_session),
                        current_user: dict = Depends(require_admin)):
    user = await _get_user_or_404(session, user_id)
    user.is_active = True
    await session.commit()
    await session.refresh(user)
    return user
