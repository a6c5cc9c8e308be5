"""Bounded request bodies (shims.standard_api.limits): 413 with the standard error body before a body is read in
full, on the standard and the Service Market routes; declared lengths and chunked uploads alike."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from migrator.testing.reference import InMemoryHandler
from shims.compat.service_market import create_service_market_router
from shims.standard_api.limits import DEFAULT_MAX_BODY_BYTES, MAX_BODY_ENV, body_limited_route, resolve_max_body_bytes
from shims.standard_api.router import create_standard_router

KEY = "limits-market-key-123456"
USERS = "/mt/tenant/hallym_univ/users"
WEBHOOK = "/api/tenant/webhook/auto-provision"


class CountingHandler(InMemoryHandler):
    def __init__(self) -> None:
        super().__init__()
        self.created = 0

    async def create_user(self, tenant_id, request):
        self.created += 1
        return await super().create_user(tenant_id, request)


def _app(handler=None, **limits) -> FastAPI:
    handler = handler or CountingHandler()
    app = FastAPI()
    app.include_router(create_standard_router(handler, **limits))
    app.include_router(create_service_market_router(handler, api_keys=[KEY], **limits))
    app.state.handler = handler
    return app


def _user(padding: int = 0) -> dict:
    return {"email": "limits@hallym.ac.kr", "name": "Limits", "role": "user", "note": "x" * padding}


async def _raw(app, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, dict, int]:
    """Drive the ASGI app directly: (status, JSON body, body chunks the app pulled)."""
    pulled = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"t"), (b"content-type", b"application/json"), *headers],
             "server": ("t", 80), "client": ("c", 1)}
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), pulled


def test_a_declared_length_over_the_limit_is_refused_before_reading_the_body():
    app = _app()
    fifty_mb = str(50 * 1024 * 1024).encode()
    status, body, pulled = asyncio.run(_raw(app, USERS, [(b"content-length", fifty_mb)], [b"{" * 1024] * 8))
    assert status == 413 and pulled == 0
    assert body == {"detail": {"success": False, "error": "INVALID_REQUEST",
                               "message": f"Request body too large (the limit is {DEFAULT_MAX_BODY_BYTES} bytes)"}}
    assert app.state.handler.created == 0


@pytest.mark.parametrize("path", [USERS, WEBHOOK], ids=["standard", "service-market"])
def test_a_chunked_upload_is_cut_off_once_past_the_limit(path):
    app = _app(max_body_bytes=64 * 1024)
    chunks = [b" " * 16 * 1024] * 64  # 1 MB in 16 KB chunks, no content-length
    headers = [(b"x-api-key", KEY.encode()), (b"transfer-encoding", b"chunked")]
    status, body, pulled = asyncio.run(_raw(app, path, headers, chunks))
    assert status == 413, body
    assert body["detail"]["error"] == "INVALID_REQUEST"
    assert pulled == 5  # 4 chunks fit in 64 KB; the fifth passes the limit and nothing more is read


def test_bodies_under_the_limit_are_served():
    app = _app(max_body_bytes=4096)
    with TestClient(app) as client:
        small = client.post(USERS, json=_user(100))
        assert small.status_code == 201, small.text
        large = client.post(USERS, json=_user(5000))
        assert large.status_code == 413
    assert app.state.handler.created == 1


def test_the_limit_comes_from_the_env_unless_the_router_argument_says_otherwise(monkeypatch):
    monkeypatch.setenv(MAX_BODY_ENV, "200")
    by_env = _app()
    by_argument = _app(max_body_bytes=10_000)
    for app, expected in ((by_env, 413), (by_argument, 201)):
        with TestClient(app) as client:
            assert client.post(USERS, json=_user(300)).status_code == expected
    with TestClient(by_env) as client:
        webhook = client.post(WEBHOOK, content=b"{" + b" " * 300 + b"}", headers={"X-API-Key": KEY})
        assert webhook.status_code == 413


@pytest.mark.parametrize("value", ["", "1048576", "12"])
def test_resolve_reads_the_env(monkeypatch, value):
    monkeypatch.setenv(MAX_BODY_ENV, value)
    assert resolve_max_body_bytes() == (int(value) if value else DEFAULT_MAX_BODY_BYTES)


@pytest.mark.parametrize("value", ["1MB", "-5", "0"])
def test_a_bad_limit_is_refused_when_the_router_is_built(monkeypatch, value):
    monkeypatch.setenv(MAX_BODY_ENV, value)
    with pytest.raises(ValueError, match="bytes"):
        body_limited_route()
    with pytest.raises(ValueError):
        body_limited_route(0)


@pytest.mark.parametrize("content, content_type, echoed", [
    (b"\x80\xff", "text/plain", "\ufffd\ufffd"),  # not UTF-8: FastAPI's handler failed to encode the bytes (500)
    (b'{"email": 1e400, "name": "n"}', "application/json", "inf"),  # parses to infinity: not JSON either
])
def test_validation_errors_echo_only_what_json_can_carry(content, content_type, echoed):
    """The route class keeps FastAPI's 422 encodable by any handler built on jsonable_encoder (FastAPI's own)."""
    with TestClient(_app(), raise_server_exceptions=False) as client:
        response = client.post(USERS, content=content, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    assert echoed in json.dumps(response.json()["detail"], ensure_ascii=False)
