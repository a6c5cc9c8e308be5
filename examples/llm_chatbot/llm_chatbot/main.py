"""LLM Chatbot API: the tenant admin console and the Service Market provisioning hook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from . import __version__, seed
from .api import provision
from .api.admin import dashboard, settings, users
from .core.clock import utcnow
from .core.settings import get_settings
from .db import Database
from .errors import validation_error_handler

log = logging.getLogger("llm_chatbot")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    utcnow()  # a malformed LLM_CHATBOT_NOW stops start-up with its message, not every request later
    db = Database(get_settings().db_path)
    if not db.exists():
        summary = seed.build(db.path)
        log.info("no database at %s: seeded %s messages in %ss", db.path, summary["messages"], summary["seconds"])
    yield


app = FastAPI(
    title="LLM Chatbot",
    version=__version__,
    description="University chatbot service: tenant admin console and Service Market provisioning.",
    lifespan=lifespan,
)
app.add_exception_handler(RequestValidationError, validation_error_handler)

app.include_router(provision.router)
app.include_router(dashboard.router)
app.include_router(users.router)
app.include_router(settings.router)


class Health(BaseModel):
    status: str
    service: str
    version: str


@app.get("/health", response_model=Health)
async def health():
    return {"status": "healthy", "service": "llm-chatbot", "version": __version__}
