"""The mentor API server: `uvicorn mentor.main:app`."""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

from mentor import __version__, seed
from mentor.api.router import api_router
from mentor.core import clock
from mentor.core.config import settings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    clock.utcnow()  # a malformed MENTOR_NOW stops the start-up with a clear message instead of failing requests
    if seed.ensure_seeded():
        logger.info("no database found: seeded the demo data")
    yield


app = FastAPI(
    title=settings.PROJECT_NAME,
    description=f"AI study mentor of {settings.INSTITUTION}: chat history, user management, usage and costs.",
    version=__version__,
    lifespan=lifespan,
)
app.include_router(api_router, prefix=settings.API_PREFIX)


@app.get("/health", tags=["health"])
async def health():
    return {"status": "ok", "service": "mentor", "version": __version__}


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's own 422 body, written with ASCII escapes: the default handler cannot encode a rejected input that
    holds a lone surrogate (a valid JSON escape such as \\ud800) and answers 500 instead."""
    body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True, separators=(",", ":"))
    return Response(content=body, status_code=422, media_type="application/json")
