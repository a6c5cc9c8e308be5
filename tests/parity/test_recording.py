"""shims.recording: the middleware and its redaction rules."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from shims.recording import REDACTED, RecordingMiddleware, Redactor, build_exchange, is_secret_field


def _service() -> FastAPI:
    app = FastAPI()

    @app.post("/login")
    async def login(request: Request):
        body = await request.json()
        return {"user": body.get("username"), "token": "issued-token-abcdef123", "password_hash": "pbkdf2$xyz",
                "tokens_today": 12, "echo": request.headers.get("authorization")}

    @app.get("/items/{item_id}")
    def item(item_id: int, response: Response):
        response.set_cookie("session", "cookie-secret-value-42")
        response.headers["X-Request-ID"] = "req-1"
        response.headers["X-Custom"] = "kept"
        return {"id": item_id}

    return app


async def _drive(app, calls):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        for method, url, kwargs in calls:
            await client.request(method, url, **kwargs)


def _record(calls, **kwargs) -> list[dict]:
    import asyncio

    lines: list[dict] = []
    app = RecordingMiddleware(_service(), sink=lines.append, **kwargs)
    asyncio.run(_drive(app, calls))
    return lines


TOKEN_A = "Bearer aaaa-secret-token-1111"
TOKEN_B = "Bearer bbbb-secret-token-2222"


def test_credential_headers_become_stable_numbered_placeholders_and_keep_the_scheme():
    lines = _record([
        ("GET", "/items/1", {"headers": {"Authorization": TOKEN_A, "X-Tenant-ID": "t1"}}),
        ("GET", "/items/2", {"headers": {"Authorization": TOKEN_B}}),
        ("GET", "/items/3", {"headers": {"Authorization": TOKEN_A, "X-Market-API-Key": "mk-123456789",
                                          "Cookie": "session=abcdefgh12345"}}),
    ])
    auth = [line["request"]["headers"]["authorization"] for line in lines]
    assert auth == ["Bearer <redacted:authorization:1>", "Bearer <redacted:authorization:2>",
                    "Bearer <redacted:authorization:1>"]
    assert lines[2]["request"]["headers"]["x-market-api-key"] == "<redacted:x-market-api-key:1>"
    # (the client also replays the cookie the service set on the first call: two distinct values)
    assert lines[2]["request"]["headers"]["cookie"] == "<redacted:cookie:2>"
    assert lines[1]["request"]["headers"]["cookie"] == "<redacted:cookie:1>"
    assert lines[0]["request"]["headers"]["x-tenant-id"] == "t1"
    assert [line["id"] for line in lines] == [1, 2, 3]
    assert lines[0]["route"] == "/items/{item_id}"


def test_response_secrets_password_fields_and_echoed_tokens_are_redacted():
    lines = _record([("POST", "/login", {"json": {"username": "kim", "password": "hunter2-long-pw"},
                                         "headers": {"Authorization": TOKEN_A}})])
    request, response = lines[0]["request"], lines[0]["response"]
    assert request["json"] == {"username": "kim", "password": REDACTED}
    body = response["json"]
    assert body["token"] == REDACTED and body["password_hash"] == REDACTED
    assert body["tokens_today"] == 12  # a count, not a secret
    assert body["echo"] == "Bearer <redacted:authorization:1>"  # the known value, scrubbed where it is echoed
    text = json.dumps(lines)
    for secret in ("aaaa-secret-token-1111", "hunter2-long-pw", "issued-token-abcdef123", "pbkdf2$xyz"):
        assert secret not in text


def test_dropped_and_redacted_response_headers():
    lines = _record([("GET", "/items/7", {})])
    headers = lines[0]["response"]["headers"]
    assert headers["set-cookie"] == REDACTED
    assert headers["x-custom"] == "kept" and headers["content-type"] == "application/json"
    assert "x-request-id" not in headers and "content-length" not in headers and "date" not in headers
    assert "cookie-secret-value-42" not in json.dumps(lines)


def test_query_credentials_and_validation_inputs_are_redacted():
    redactor = Redactor()
    exchange = build_exchange(
        method="post", path="/x", query="api_key=qsecret-123456&page=2", request_headers=[], request_body=b"",
        status=422, response_headers=[("content-type", "application/json")],
        response_body=json.dumps({"detail": [{"loc": ["body", "password"], "input": "tiny", "msg": "too short"},
                                             {"loc": ["body", "username"], "input": "ok", "msg": "bad"}]}).encode(),
        redactor=redactor)
    assert exchange["request"]["query"] == "api_key=<redacted:api_key:1>&page=2"
    detail = exchange["response"]["json"]["detail"]
    assert detail[0]["input"] == REDACTED and detail[1]["input"] == "ok"
    assert exchange["request"]["method"] == "POST"


@pytest.mark.parametrize("key, value, secret", [
    ("password", "hunter2", True), ("new_password", "x", True), ("password_hash", "pbkdf2$1", True),
    ("temporary_password", "Tmp-1", True), ("passwd", "p", True), ("client_secret", "s", True),
    ("api_key", "k1", True), ("apiKey", "k1", True), ("admin_token", "t", True), ("token", "t", True),
    ("passphrase", "correct horse battery", True), ("pin", 4821, True), ("pin", "4821", True),
    ("code", "4/0AX4Xf", True), ("auth", "opaque", True), ("session_id", "a1b2c3", True),
    # counters and plain data stay comparable
    ("total_tokens", 120, False), ("tokens_today", 12, False), ("tokens", 99, False), ("sessions", 4, False),
    ("session_count", 4, False), ("user_id", 7, False), ("username", "kim", False), ("email", "a@b.kr", False),
    ("code", "INVALID_REQUEST", False), ("code", 404, False), ("country_code", "KR", False),
    ("sort_key", "name", False), ("session_title", "My chat", False), ("private_notes", "call back later", False),
    ("is_private", True, False),
    # a secret value is a secret under any name
    ("note", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", True), ("note", "9f86d081884c7d659a2feaa0", True),
])
def test_secret_fields_by_name_and_value(key, value, secret):
    assert is_secret_field(key, value) is secret


def test_placeholders_written_by_a_request_list_are_kept():
    redactor = Redactor()
    exchange = build_exchange(
        method="POST", path="/u", query="", request_headers=[("Authorization", "Bearer ${admin}")],
        request_body=b'{"password": "${pw}", "other": "<redacted>"}', status=200,
        response_headers=[], response_body=b"", redactor=redactor)
    assert exchange["request"]["headers"]["authorization"] == "Bearer ${admin}"
    # no content-type recorded: the body is stored as text, placeholders untouched
    assert "${pw}" in exchange["request"]["body"]


def test_file_cassette_appends_continuing_ids_and_placeholder_numbers(tmp_path):
    import asyncio

    path = tmp_path / "traffic.jsonl"
    asyncio.run(_drive(RecordingMiddleware(_service(), cassette=path),
                       [("GET", "/items/1", {"headers": {"Authorization": TOKEN_A}})]))
    # a new process: the old value cannot be matched any more, so the new one gets the next number
    asyncio.run(_drive(RecordingMiddleware(_service(), cassette=path),
                       [("GET", "/items/2", {"headers": {"Authorization": TOKEN_B}}),
                        ("GET", "/docs", {})]))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["id"] for line in lines] == [1, 2]  # /docs is not recorded
    assert lines[1]["request"]["headers"]["authorization"] == "Bearer <redacted:authorization:2>"
    assert "secret-token" not in path.read_text()


def test_disabled_middleware_records_nothing(tmp_path):
    import asyncio

    path = tmp_path / "off.jsonl"
    asyncio.run(_drive(RecordingMiddleware(_service(), cassette=path, enabled=False), [("GET", "/items/1", {})]))
    assert not path.exists()
    with pytest.raises(ValueError):
        RecordingMiddleware(_service())


def test_appending_to_a_cassette_with_a_damaged_line_keeps_recording(tmp_path):
    import asyncio

    path = tmp_path / "traffic.jsonl"
    path.write_bytes(b'{"id": 1, "request": {"method": "GET", "path": "/\xff"}}\n')
    asyncio.run(_drive(RecordingMiddleware(_service(), cassette=path), [("GET", "/items/2", {})]))
    assert json.loads(path.read_bytes().splitlines()[1])["id"] == 2
