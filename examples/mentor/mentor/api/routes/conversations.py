"""The caller's own conversations (any signed-in user)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mentor.api.deps import get_current_user
from mentor.db.models import Conversation, Message
from mentor.db.session import get_session

router = APIRouter()


def _iso(value) -> str:
    return value.isoformat(timespec="seconds")


@router.get("")
async def list_my_conversations(
    limit: int = Query(20, ge=1, le=100),
    session: AsyncSession = Depends(get_session),
    current_user: dict = Depends(get_current_user),
):
    counts = (select(Message.conversation_id, func.count().label("messages"))
              .group_by(Message.conversation_id).subquery())
    rows = (await session.execute(
        select(Conversation, func.coalesce(counts.c.messages, 0))
        .outerjoin(counts, counts.c.conversation_id == Conversation.id)
        .where(Conversation.user_id == current_user["id"])
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit)
    )).all()
    return [
        {"id": conversation.id, "title": conversation.title, "messages": messages,
         "created_at": _iso(conversation.created_at), "updated_at": _iso(conversation.updated_at)}
        for conversation, messages in rows
    ]


@router.get("/{conversation_id}")
async def get_my_conversation(
    conversation_id: int,
    session: AsyncSession = Depends(get_session),
    current_user: dict = Depends(get_current_user),
):
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.user_id != current_user["id"]:
        raise HTTPException(status_code=404, detail="Conversation not found")
    messages = (await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.created_at, Message.id)
    )).all()
    return {
        "id": conversation.id,
        "title": conversation.title,
        "created_at": _iso(conversation.created_at),
        "updated_at": _iso(conversation.updated_at),
        "messages": [
            {"id": m.id, "role": m.role, "model": m.model, "prompt_tokens": m.prompt_tokens,
             "completion_tokens": m.completion_tokens, "created_at": _iso(m.created_at)}
            for m in messages
        ],
    }
