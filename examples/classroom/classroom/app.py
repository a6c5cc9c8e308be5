"""The classroom API: `uvicorn classroom.app:app` (or `create_app()` for a fresh instance)."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from classroom import __version__, clock, errors, seed
from classroom.routers import courses, health, platform, stats, users

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    clock.now()  # a malformed CLASSROOM_NOW stops the start-up with a clear message instead of failing requests
    if seed.ensure_seeded():
        logger.info("no database found: seeded the demo schools")
    yield


def create_app() -> FastAPI:
    app = FastAPI(
        title="Classroom",
        description="AI teaching assistant for schools: provisioning, members, courses and the school dashboard.",
        version=__version__,
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(platform.router)
    for router in (users.router, courses.router, stats.router):
        app.include_router(router)
    return app


app = create_app()
