"""shims.health: GET /health at the service root answers what /mt/health answers, without a key."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shims.health import create_health_router


class Handler:
    service_version = "1.2.3"

    async def activate_tenant(self, request):  # pragma: no cover - not called
        raise AssertionError

    async def check_health(self):
        return "degraded"


class Broken(Handler):
    async def check_health(self):
        raise RuntimeError("database down")


def test_root_health_answers_the_handlers_health():
    app = FastAPI()
    app.include_router(create_health_router(Handler()))
    with TestClient(app) as client:
        body = client.get("/health").json()
    assert body["status"] == "degraded" and body["version"] == "1.2.3"


def test_a_failing_check_is_unhealthy_not_a_500():
    app = FastAPI()
    app.include_router(create_health_router(Broken()))
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "unhealthy"
