"""The advisor API server: `uvicorn advisor.server:app`."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from advisor import __version__, clock, seed
from advisor.routers import admins, dashboard, data, marketplace, tenant, users

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    clock.now()  # a malformed ADVISOR_NOW stops the start-up with a clear message instead of failing requests
    if seed.ensure_seeded():
        logger.info("no data found: seeded the demo tenants")
    yield


app = FastAPI(
    title="Advisor",
    description="AI tutor for universities: Service Market provisioning and the tenant-admin API.",
    version=__version__,
    lifespan=lifespan,
)

app.include_router(marketplace.router, prefix="/api/marketplace", tags=["marketplace"])
app.include_router(tenant.router, prefix="/api/tenant", tags=["tenant"])
app.include_router(dashboard.router, prefix="/admin", tags=["dashboard"])
app.include_router(users.router, prefix="/admin", tags=["users"])
app.include_router(admins.router, prefix="/admin", tags=["admins"])
app.include_router(data.router, prefix="/admin", tags=["data"])


def _utf8_safe(value):
    """Replace what UTF-8 cannot encode (lone surrogates sent as JSON \\ud800 escapes) by "?"."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_utf8_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: _utf8_safe(item) for key, item in value.items()}
    return value


@app.exception_handler(RequestValidationError)
async def validation_exception_handler(request: Request, exc: RequestValidationError):
    # FastAPI's own 422 body, made safe: the default handler echoes the bad input and fails (500) to encode it
    # when it is not valid UTF-8.
    return JSONResponse(status_code=422, content={"detail": _utf8_safe(jsonable_encoder(exc.errors()))})


@app.get("/health")
async def health():
    return {"status": "healthy"}
