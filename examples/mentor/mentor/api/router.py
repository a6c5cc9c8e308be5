"""All API routes, mounted by main.py under settings.API_PREFIX."""

from __future__ import annotations

from fastapi import APIRouter

from mentor.api.routes import auth, conversations, dashboard, users

api_router = APIRouter()
api_router.include_router(auth.router, prefix="/auth", tags=["auth"])
api_router.include_router(conversations.router, prefix="/conversations", tags=["conversations"])
api_router.include_router(users.router, prefix="/admin/users", tags=["admin: users"])
api_router.include_router(dashboard.router, prefix="/admin", tags=["admin: dashboard"])
