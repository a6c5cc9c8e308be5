"""Echoes every part of a request back: as JSON, as plain text, in response headers and in 422 errors.

``fingerprint`` (a CRC of what arrived) tells a replay that sent placeholders instead of values from one that sent
the recorded values: it is a number, so redaction leaves it comparable. ``ECHO_BREAK=1`` changes every echoed string
(a regression whose differences would show secret values if reports did not redact them).
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Form, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

app = FastAPI()
_SKIP = {"host", "content-length", "user-agent", "accept", "accept-encoding", "connection"}


async def _received(request: Request) -> dict[str, Any]:
    raw = (await request.body()).decode("utf-8")
    media = request.headers.get("content-type", "").split(";")[0]
    body: Any = raw or None
    if media == "application/json" and raw:
        body = json.loads(raw)
    elif media == "application/x-www-form-urlencoded":
        body = dict(parse_qsl(raw, keep_blank_values=True))
    return {
        "path": request.url.path,
        "headers": {k: v for k, v in request.headers.items() if k not in _SKIP},
        "query": dict(request.query_params.multi_items()),
        "body": body,
    }


def _broken(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _broken(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_broken(v) for v in value]
    return value + "-changed" if isinstance(value, str) else value


def _shown(received: dict) -> dict:
    return _broken(received) if os.environ.get("ECHO_BREAK") else received


@app.api_route("/echo/{rest:path}", methods=["GET", "POST", "PUT"])
async def echo(request: Request, rest: str) -> JSONResponse:
    received = await _received(request)
    fingerprint = zlib.crc32(json.dumps(received, sort_keys=True).encode())
    shown = _shown(received)
    headers = {"X-Echo-Query": request.url.query, "X-Echo-Authorization": request.headers.get("authorization", ""),
               "Set-Cookie": f"sid={request.headers.get('x-session-token', 'none')}; HttpOnly"}
    return JSONResponse({"echo": shown, "segments": rest.split("/"), "fingerprint": fingerprint}, headers=headers)


@app.api_route("/text/{rest:path}", methods=["GET", "POST"])
async def text(request: Request, rest: str) -> PlainTextResponse:
    shown = _shown(await _received(request))
    lines = [f"path {shown['path']}"]
    lines += [f"{name}: {value}" for name, value in shown["headers"].items()]
    lines += [f"{name}={value}" for name, value in shown["query"].items()]
    lines.append(f"body {json.dumps(shown['body'])}")
    return PlainTextResponse("\n".join(lines))


class Login(BaseModel):
    username: str
    password: str = Field(min_length=64)
    passphrase: str = Field(min_length=64)
    pin: int
    client_secret: str = Field(max_length=3)


@app.post("/login-json")
def login_json(login: Login) -> dict:
    return {"ok": True}


@app.post("/login-form")
def login_form(username: str = Form(), password: str = Form(min_length=64), client_secret: str = Form(max_length=3),
               code: int = Form()) -> dict:
    return {"ok": True}


@app.get("/typed")
def typed(key: int = Query(), sig: int = Query(), x_client_key: int = Header()) -> dict:
    return {"ok": True}
