"""MarketAuthMiddleware: keys, fail-closed, constant-time comparison, path tricks, pass-through scopes."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

import httpx
import pytest
from fastapi import FastAPI

from shims.middleware import market_auth
from shims.middleware.market_auth import (
    MarketAuthMiddleware,
    key_digests,
    key_matches,
    load_market_keys,
    normalize_path,
)

KEY = "mk_live_0123456789abcdef"
OTHER = "mk_live_fedcba9876543210"


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch):
    monkeypatch.delenv("MARKET_API_KEYS", raising=False)
    monkeypatch.delenv("MARKET_API_KEY", raising=False)


class Recorder:
    """Inner ASGI app: records what reached it and answers 200 (or completes lifespan/websocket)."""

    def __init__(self):
        self.scopes: list[dict] = []

    async def __call__(self, scope, receive, send):
        self.scopes.append(scope)
        if scope["type"] == "lifespan":
            message = await receive()
            assert message["type"] == "lifespan.startup"
            await send({"type": "lifespan.startup.complete"})
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})
            return
        body = json.dumps({"reached": scope["path"]}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def call(app, path, headers=(), method="GET", root_path=""):
    """Drive the ASGI app with a hand-made scope, so that paths reach it exactly as written."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("10.0.0.7", 5555),
        "server": ("test", 80),
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    headers_out = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], headers_out, json.loads(body) if body else None


def guarded(**kwargs):
    inner = Recorder()
    kwargs.setdefault("valid_keys", [KEY])
    return inner, MarketAuthMiddleware(inner, **kwargs)


# --- keys -----------------------------------------------------------------------------------------------------


def test_valid_key_reaches_the_app():
    inner, app = guarded()
    status, _, body = call(app, "/mt/tenant/t1/users", [("X-Market-API-Key", KEY)])
    assert status == 200 and body == {"reached": "/mt/tenant/t1/users"}
    assert len(inner.scopes) == 1


@pytest.mark.parametrize(
    "headers",
    [
        [],  # missing
        [("X-Market-API-Key", OTHER)],  # wrong, same length
        [("X-Market-API-Key", KEY[:-1])],  # a prefix of the key
        [("X-Market-API-Key", KEY + "0")],  # longer
        [("X-Market-API-Key", "k")],  # much shorter
        [("X-Market-API-Key", "")],  # empty header
        [("X-Market-API-Key", KEY.upper())],  # keys are case-sensitive
        [("X-API-Key", KEY)],  # right key, wrong header
        [("X-Market-API-Key", KEY), ("X-Market-API-Key", KEY)],  # repeated header is ambiguous
    ],
    ids=["missing", "wrong", "prefix", "longer", "short", "empty", "case", "other-header", "repeated"],
)
def test_bad_or_missing_key_is_401_with_standard_body(headers):
    inner, app = guarded()
    status, out_headers, body = call(app, "/mt/tenant/t1/users", headers)
    assert status == 401
    assert body == {
        "detail": {
            "success": False,
            "error": "UNAUTHORIZED",
            "message": "Missing or invalid X-Market-API-Key header",
        }
    }
    assert out_headers["www-authenticate"] == 'ApiKey header="X-Market-API-Key"'
    assert inner.scopes == []


def test_header_name_is_case_insensitive_and_configurable():
    _inner, app = guarded(api_key_header="X-Custom-Key")
    assert call(app, "/mt/x", [("x-custom-key", KEY)])[0] == 200
    status, headers, body = call(app, "/mt/x", [("X-Market-API-Key", KEY)])
    assert status == 401
    assert headers["www-authenticate"] == 'ApiKey header="X-Custom-Key"'
    assert body["detail"]["message"] == "Missing or invalid X-Custom-Key header"


def test_several_valid_keys_each_accepted():
    keys = ["alpha-key-1", "beta-key-22", "gamma-key-333"]
    _, app = guarded(valid_keys=keys)
    for key in keys:
        assert call(app, "/mt/x", [("X-Market-API-Key", key)])[0] == 200
    assert call(app, "/mt/x", [("X-Market-API-Key", "delta-key-4444")])[0] == 401


def test_keys_from_env_list_strip_blanks(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEYS", " first , ,second,")
    monkeypatch.setenv("MARKET_API_KEY", "ignored-when-list-set")
    assert load_market_keys() == ("first", "second")
    _, app = guarded(valid_keys=None)
    assert call(app, "/mt/x", [("X-Market-API-Key", "second")])[0] == 200
    assert call(app, "/mt/x", [("X-Market-API-Key", "ignored-when-list-set")])[0] == 401
    assert call(app, "/mt/x", [("X-Market-API-Key", " ")])[0] == 401


def test_single_env_key_is_the_fallback(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEYS", "  ")
    monkeypatch.setenv("MARKET_API_KEY", "mt_paas_single")
    _, app = guarded(valid_keys=None)
    assert call(app, "/mt/x", [("X-Market-API-Key", "mt_paas_single")])[0] == 200


def test_env_is_read_at_construction(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEY", "before")
    _, app = guarded(valid_keys=None)
    monkeypatch.setenv("MARKET_API_KEY", "after")
    assert call(app, "/mt/x", [("X-Market-API-Key", "before")])[0] == 200
    assert call(app, "/mt/x", [("X-Market-API-Key", "after")])[0] == 401


def test_explicit_keys_win_over_env(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEYS", "from-env")
    _, app = guarded(valid_keys=["explicit"])
    assert call(app, "/mt/x", [("X-Market-API-Key", "explicit")])[0] == 200
    assert call(app, "/mt/x", [("X-Market-API-Key", "from-env")])[0] == 401


def test_string_keys_are_a_comma_list_not_characters():
    _, app = guarded(valid_keys="one-key,two-key")
    assert call(app, "/mt/x", [("X-Market-API-Key", "two-key")])[0] == 200
    assert call(app, "/mt/x", [("X-Market-API-Key", "o")])[0] == 401


def test_comparison_visits_every_key_whichever_matches(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def counting(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(market_auth.hmac, "compare_digest", counting)
    digests = key_digests(["short", "a-much-longer-key-value", "mid-size-key"])
    for candidate in ("short", "mid-size-key", "nope", "x" * 500, ""):
        calls.clear()
        key_matches(candidate, digests)
        # always all three keys, always on fixed-length digests: neither position nor length shows
        assert calls == [(32, 32)] * 3


# --- fail closed ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [None, [], ["", "  "], ""])
def test_no_key_configured_fails_closed_with_503_and_a_warning(keys, caplog):
    caplog.set_level(logging.DEBUG, logger="shims.market_auth")
    inner, app = guarded(valid_keys=keys)
    assert not app.configured
    secret = "caller-sent-this-secret-value"
    status, _, body = call(app, "/mt/tenant/t1/users", [("X-Market-API-Key", secret)])
    assert status == 503
    assert body["detail"]["success"] is False
    assert body["detail"]["error"] == "SERVICE_UNAVAILABLE"
    assert "MARKET_API_KEYS" in body["detail"]["message"]
    assert inner.scopes == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "no market API key is configured" in warnings[0].getMessage()
    assert secret not in caplog.text
    # unprotected paths still work: fail closed applies to the market API only
    assert call(app, "/admin/users")[0] == 200


def test_rejected_key_never_appears_in_logs_or_body(caplog):
    caplog.set_level(logging.DEBUG)
    _, app = guarded()
    secret = "attacker-guess-9f8e7d"
    status, headers, body = call(app, "/mt/tenant/t1/users", [("X-Market-API-Key", secret)])
    assert status == 401
    assert secret not in json.dumps(body) and secret not in json.dumps(headers)
    assert caplog.records, "a refused request is logged"
    assert secret not in caplog.text and KEY not in caplog.text


# --- which paths are guarded ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/mt/health", "/mt/health/"])
def test_health_is_excluded(path):
    _inner, app = guarded()
    status, _, body = call(app, path)
    assert status == 200 and body == {"reached": path}


@pytest.mark.parametrize(
    "path",
    [
        "/mt/healthX",  # suffix
        "/mt/health-check",
        "/mt/health/x",  # below the excluded path
        "/mt/health/../tenant/x/users",  # dot-dot out of the exclusion
        "/mt/health/./../tenant/x/users",
        "/mt/health%2F..%2Ftenant%2Fx",  # encoded slashes, as a server that does not decode would pass them
        "/mt/health/%2e%2e/tenant/x",  # encoded dots
        "/mt/health/%2E%2E/tenant/x",
        "/mt/health/%252e%252e/tenant/x",  # double encoding
        "/mt/tenant/x/../../health",  # normalises to the exclusion, but the router would see a protected path
        "/mt//health",  # double slash: not the excluded path as routed
        "/mt/HEALTH",  # exclusion is case-sensitive
        "/MT/health",
        "/MT/tenant/x/users",  # protection is case-insensitive
        "/Mt/Tenant/x/users",
        "//mt/tenant/x/users",
        "/mt/tenant/x/users/",
        "/mt",
        "/mt/",
        "/legacy/../mt/tenant/x",  # normalises into /mt/
        "/legacy/%2e%2e/mt/tenant/x",
    ],
)
def test_path_tricks_do_not_bypass_the_key(path):
    inner, app = guarded()
    status, _, body = call(app, path)
    assert status == 401, path
    assert body["detail"]["error"] == "UNAUTHORIZED"
    assert inner.scopes == []
    # and the same path with the key goes through untouched
    assert call(app, path, [("X-Market-API-Key", KEY)])[0] == 200


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("/mt/health/", "/mt/health"),
        ("//mt///tenant//x", "/mt/tenant/x"),
        ("/mt/health%2F..%2Ftenant%2Fx", "/mt/tenant/x"),
        ("/mt/health/%2e%2e/tenant", "/mt/tenant"),
        ("/../../mt/x", "/mt/x"),  # never above the root
        ("/", "/"),
        ("/a/./b/.", "/a/b"),
    ],
)
def test_normalize_path(raw, normalised):
    assert normalize_path(raw) == normalised


@pytest.mark.parametrize("path", ["/admin/users", "/api/tenant/list", "/mtx/tenant", "/", "/docs"])
def test_unprotected_legacy_paths_are_untouched(path):
    inner, app = guarded()
    # a wrong market key on a legacy route is not this middleware's business either
    status, _, body = call(app, path, [("X-Market-API-Key", "whatever"), ("Authorization", "Bearer legacy")])
    assert status == 200 and body == {"reached": path}
    forwarded = dict(inner.scopes[0]["headers"])
    assert forwarded[b"authorization"] == b"Bearer legacy"


def test_custom_exclusions_and_prefixes():
    _inner, app = guarded(exclude_paths=("/mt/health", "/docs"), protect_prefixes=("/mt", "/internal/"))
    assert call(app, "/internal/stats")[0] == 401
    assert call(app, "/internalx")[0] == 200  # a prefix means a path segment, not a string prefix
    assert call(app, "/docs")[0] == 200  # excluded but not protected anyway
    assert call(app, "/mt/health")[0] == 200


def test_root_path_is_removed_before_matching():
    _, app = guarded()
    assert call(app, "/svc/mt/tenant/x", root_path="/svc")[0] == 401
    assert call(app, "/svc/mt/health", root_path="/svc")[0] == 200


def test_lifespan_and_websocket_scopes_pass_through():
    inner, app = guarded(valid_keys=[])  # even unconfigured: startup must not be blocked

    async def run():
        sent = []
        queue = [{"type": "lifespan.startup"}]

        async def receive():
            return queue.pop(0)

        async def send(message):
            sent.append(message)

        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
        await app({"type": "websocket", "path": "/mt/tenant/x/ws", "headers": []}, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "websocket.close", "code": 1000}]
    assert [s["type"] for s in inner.scopes] == ["lifespan", "websocket"]


# --- with FastAPI, as a service wires it ------------------------------------------------------------------------


def make_app():
    app = FastAPI()

    @app.get("/mt/health")
    async def health():
        return {"status": "healthy"}

    @app.get("/mt/tenant/{tenant_id}/users")
    async def users(tenant_id: str):
        return {"tenant": tenant_id}

    @app.get("/mt/tenant/{tenant_id}/files/{rest:path}")
    async def files(tenant_id: str, rest: str):
        return {"tenant": tenant_id, "file": rest}

    @app.get("/admin/users")
    async def legacy():
        return {"legacy": True}

    app.add_middleware(MarketAuthMiddleware, valid_keys=[KEY])
    return app


def get(app, url, headers=None):
    async def run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            return await client.get(url, headers=headers)

    return asyncio.run(run())


def test_fastapi_app_end_to_end():
    app = make_app()
    assert get(app, "/mt/health").json() == {"status": "healthy"}
    assert get(app, "/admin/users").json() == {"legacy": True}
    assert get(app, "/mt/tenant/a/users").status_code == 401
    assert get(app, "/mt/tenant/a/users", {"X-Market-API-Key": KEY}).json() == {"tenant": "a"}


@pytest.mark.parametrize(
    "url",
    [
        "/mt/tenant/x/files/..%2F..%2F..%2F..%2Fhealth",  # the router would match files/{rest:path}
        "/mt/tenant/x/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/health",
        "/mt/health%2F..%2Ftenant%2Fx%2Fusers",
    ],
)
def test_a_path_converter_route_is_not_reachable_through_the_exclusion(url):
    app = make_app()
    response = get(app, url)
    assert response.status_code == 401
    assert response.json()["detail"]["error"] == "UNAUTHORIZED"
