"""``GET /health`` at the service root, for services that have none: the Service Market and its sandbox tester probe
it there (``/mt/health`` is the Standard API's). Answers what ``/mt/health`` answers, without a key.

Phase 1 wires it only when the legacy app serves no ``GET /health`` of its own (a legacy one keeps precedence).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request

from .standard_api.interop import call_operation, health_from
from .standard_api.models import HealthResponse

__all__ = ["create_health_router"]

logger = logging.getLogger("shims.health")


def create_health_router(handler: Any, path: str = "/health") -> APIRouter:
    router = APIRouter()

    @router.get(path, response_model=HealthResponse, tags=["health"], summary="Service health (root)",
                operation_id="service_root_health")  # fmt: skip
    async def root_health(request: Request) -> HealthResponse:
        try:
            return health_from(await call_operation(handler, "check_health"), handler, request.app.version)
        except Exception:
            logger.exception("health check failed")
            return health_from("unhealthy", handler, request.app.version)

    return router
