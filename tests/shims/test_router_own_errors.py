"""The Standard API answers its own errors: a service whose app registers exception handlers of its own (a legacy
envelope `{"status_code": ..., "status_message": ...}` answered with HTTP 200 for HTTPException, validation errors
and Exception) must not reshape /mt answers. Without this a 501, 404 or 422 of the standard router reached the
client as a 200 in the legacy envelope."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse

from migrator.testing.reference import InMemoryHandler
from shims.compat.service_market import create_service_market_router
from shims.standard_api import NotImplementedOperationError, create_standard_router

KEY = "own-errors-key"


def _envelope(request: Request, exc: Exception) -> JSONResponse:
    code = getattr(exc, "status_code", 500)
    return JSONResponse({"status_code": code, "status_message": "legacy"})  # HTTP 200, as such services do


class Partial(InMemoryHandler):
    async def get_tenant_stats(self, tenant_id, period):
        raise NotImplementedOperationError("get_tenant_stats", "no legacy logic")


def _client() -> TestClient:
    handlers = {HTTPException: _envelope, RequestValidationError: _envelope, Exception: _envelope}
    app = FastAPI(exception_handlers=handlers)
    handler = Partial()
    app.include_router(create_standard_router(handler))
    app.include_router(create_service_market_router(handler, api_keys=[KEY]))
    return TestClient(app, raise_server_exceptions=False)


def test_standard_errors_keep_their_status_and_body_under_the_service_handlers():
    client = _client()
    answer = client.get("/mt/tenant/hallym_univ/stats")
    assert answer.status_code == 501
    assert answer.json()["detail"]["error"] == "NOT_IMPLEMENTED"
    answer = client.get("/mt/tenant/nobody_here/status")
    assert answer.status_code == 404
    assert answer.json()["detail"]["error"] == "TENANT_NOT_FOUND"
    answer = client.get("/mt/tenant/hallym_univ/users", params={"limit": "many"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "limit"


def test_service_market_aliases_keep_their_errors_too():
    answer = _client().get("/api/tenant/list")  # no key
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Invalid API key"}  # the manual's alias body (service_market.py)


def test_success_answers_are_unchanged():
    answer = _client().get("/mt/tenant/hallym_univ/status")
    assert answer.status_code == 200
    assert answer.json()["tenant_id"] == "hallym_univ"
