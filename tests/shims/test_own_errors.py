"""The standard routers answer their own errors: an app whose exception handlers rewrite every HTTP and validation
error into the service's envelope (`{"code", "msg", "data"}`) does not reshape the /mt or Service Market errors."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from migrator.testing.reference import InMemoryHandler, make_app

KEY = "own-errors-key"


def _envelope_app() -> FastAPI:
    app = make_app(InMemoryHandler(), keys=[KEY])

    @app.exception_handler(HTTPException)
    async def envelope_http(request: Request, exc: HTTPException):
        return JSONResponse({"code": exc.status_code, "msg": exc.detail, "data": None}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def envelope_invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"code": 422, "msg": "invalid", "data": None}, status_code=422)

    @app.get("/legacy/items/{item_id}")
    async def legacy_item(item_id: int):
        raise HTTPException(404, "no such item")

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(_envelope_app(), raise_server_exceptions=False) as served:
        yield served


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/mt/tenant/nobody_here/status", 404, "TENANT_NOT_FOUND"),
    ("DELETE", "/mt/tenant/nobody_here/users/1", 404, "TENANT_NOT_FOUND"),
    ("GET", "/mt/tenant/nobody_here/usage?period=2026-13", 400, "INVALID_REQUEST"),
])
def test_standard_errors_keep_the_standard_body(client, method, path, status, code):
    answer = client.request(method, path, headers={"X-Market-API-Key": KEY, "X-API-Key": KEY})
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert (detail["success"], detail["error"]) == (False, code)
    assert "msg" not in answer.json()


def test_validation_errors_keep_fastapis_body(client):
    answer = client.get("/mt/tenant/x/users?limit=banana", headers={"X-Market-API-Key": KEY})
    assert answer.status_code == 422
    assert isinstance(answer.json()["detail"], list) and "msg" not in answer.json()


def test_the_alias_routers_errors_keep_their_bodies(client):
    answer = client.get("/api/tenant/list", headers={"X-API-Key": "wrong"})
    assert (answer.status_code, answer.json()) == (401, {"detail": "Invalid API key"})
    answer = client.get("/api/tenant/status/nobody_here", headers={"X-API-Key": KEY})
    assert (answer.status_code, answer.json()) == (404, {"detail": "Tenant not found"})


def test_the_apps_own_routes_keep_the_apps_handlers(client):
    answer = client.get("/legacy/items/3")
    assert answer.json() == {"code": 404, "msg": "no such item", "data": None}
    assert client.get("/legacy/items/abc").json() == {"code": 422, "msg": "invalid", "data": None}
