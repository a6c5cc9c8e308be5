"""No secret reaches a cassette or a report, whatever it is called and wherever it is echoed; replay still works.

A corpus of more than 100 secret spellings (request headers, query parameters, path segments, JSON fields at any
depth, form fields; named like credentials or shaped like them: JWTs, PEM blocks, API key formats, random tokens)
is recorded against `echo_repo`, a service that echoes everything back (as JSON, as text, in response headers and
in FastAPI's validation errors). None of the values may appear in the cassette or in any report format; the data
parity needs (counters, ids, tenants, error codes) must stay; and the cassette must replay green, sending the real
values (the service fingerprints what it received).
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from parity_support import HERE, isolated_import, read_cassette

ECHO = HERE / "echo_repo"
_WORDS = ["amber", "basil", "cedar", "delta", "ember", "fjord", "grove", "heron", "iris", "juniper", "kelp", "lumen",
          "maple", "nectar", "onyx", "pebble", "quartz", "raven", "sorrel", "thistle", "umber", "vesper", "willow"]
_rng = random.Random(14)
_counter = iter(range(1000))


def _restart() -> None:
    """The same corpus on every build (the module fixture and the middleware test must agree)."""
    global _rng, _counter
    _rng, _counter = random.Random(14), iter(range(1000))
    SECRETS.clear()


def plain_secret() -> str:
    """A secret only its name gives away: word-like, so no value rule can catch it."""
    i = next(_counter)
    return f"{_WORDS[i % len(_WORDS)]}-{_WORDS[(i * 7 + 3) % len(_WORDS)]}-{100 + i}"


def random_token(n: int = 24) -> str:
    return base64.urlsafe_b64encode(_rng.randbytes(n)).decode().rstrip("=")


def jwt() -> str:
    part = base64.urlsafe_b64encode(json.dumps({"sub": random_token(6)}).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{part}.{random_token(16)}"


def pem() -> str:
    return "-----BEGIN PRIVATE KEY-----\n" + random_token(30) + "\n" + random_token(30) + "\n-----END PRIVATE KEY-----"


SECRETS: list[str] = []


def s(value: str) -> str:
    SECRETS.append(value)
    return value


_HEADER_NAMES = ["X-Access-Key", "X-Client-Key", "X-Api-Key", "Api-Key", "X-Auth-Token", "X-Session-Token",
                 "X-CSRF-Token", "X-XSRF-TOKEN", "X-Amz-Security-Token", "X-Goog-Api-Key", "X-Hub-Signature-256",
                 "X-Signature", "X-Secret", "X-Upstream-Pass", "X-Private-Token", "X-Refresh-Token", "X-Id-Token",
                 "Ocp-Apim-Subscription-Key", "X-Shopify-Access-Token", "X-Password", "X-Pin", "X-Otp",
                 "X-Custom-Opaque", "X-Forwarded-Client-Cert", "X-Partner"]
_QUERY_NAMES = ["key", "sig", "code", "pass", "api_key", "apiKey", "token", "access_token", "secret", "client_secret",
                "password", "pin", "otp", "auth", "signature", "X-Amz-Signature", "session_id", "private_key",
                "cred", "refresh_token", "id_token", "hmac", "code_verifier", "sessionId"]
_FORM_NAMES = ["password", "client_secret", "code", "refresh_token", "pin", "api_key", "secret", "token",
               "passphrase", "cred"]


def _headers() -> dict[str, str]:
    headers = {name: s(plain_secret()) for name in _HEADER_NAMES}
    headers["Authorization"] = "Bearer " + s(plain_secret())
    headers["Proxy-Authorization"] = "Basic " + s(base64.b64encode(b"proxy-user:" + random_token(9).encode()).decode())
    headers["X-JWT-Assertion"] = s(jwt())
    headers["Cookie"] = f"sessionid={s(plain_secret())}; csrftoken={s(random_token(18))}"
    headers["X-Tenant-ID"] = "acme_university_301"  # allowlisted: kept
    return headers


def _query() -> dict[str, str]:
    query = {name: s(plain_secret()) for name in _QUERY_NAMES}
    query.update(next=s(jwt()), ref=s(random_token(20)), q=s("ghp_" + random_token(27)), page="2", days="30")
    return query


def _json() -> dict:
    return {
        "passphrase": s(plain_secret()), "pass": s(plain_secret()), "key": s(plain_secret()),
        "private_key_pem": s(pem()), "token_hash": s(plain_secret()), "auth": s(plain_secret()),
        "pin": s(str(48213907 + next(_counter))), "password": s(plain_secret()), "client_secret": s(plain_secret()),
        "apiKey": s(plain_secret()), "accessToken": s(plain_secret()), "refresh_token": s(plain_secret()),
        "secret": s(plain_secret()), "otp": s(plain_secret()), "session_id": s(plain_secret()),
        "signing_key": s(plain_secret()), "webhook_secret": s(plain_secret()), "mfa_code": s(plain_secret()),
        "verification_code": int(s(str(55132907 + next(_counter)))), "authorization": "Bearer " + s(plain_secret()),
        "credentials": {"username": "kim", "password": s(plain_secret())},
        "accounts": [{"name": "a", "token": s(plain_secret())}, {"name": "b", "api_key": s(plain_secret())}],
        "recovery_codes": [s(plain_secret()), s(plain_secret())],
        "cfg": {"aws": {"aws_secret_access_key": s(plain_secret()), "region": "ap-northeast-2"}},
        "note": s(jwt()), "data": s(random_token(30)), "stripe": s("sk_live_" + random_token(18)),
        "aws_key_id": s("AKIA" + "".join(_rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))),
        "slack": s("xoxb-" + random_token(15)), "attachments": [s(random_token(26))],
        # data parity needs: counters, ids, tenants, error codes
        "user_id": 4242, "session_count": 17, "sessions": 9, "tokens": 123456, "total_tokens": 98765,
        "input_tokens": 4321, "code": "INVALID_REQUEST", "tenant_id": "acme_university_301",
        "model": "claude-3-5-sonnet-20241022",
    }


def _form() -> str:
    return "&".join(f"{name}={quote_plus(s(plain_secret()))}" for name in _FORM_NAMES) + "&username=kim&page=3"


def build_request_list() -> dict:
    _restart()
    requests = [
        {"name": "headers_echo", "path": "/echo/h", "headers": _headers()},
        {"name": "query_echo", "path": "/echo/q", "query": _query()},
        {"name": "json_echo", "method": "POST", "path": "/echo/j", "json": _json()},
        {"name": "form_echo", "method": "POST", "path": "/echo/f", "body": _form(),
         "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"name": "path_echo", "path": f"/echo/reset/{s(random_token(24))}/magic/{s(jwt())}"},
        {"name": "text_echo", "method": "POST", "path": "/text/t", "headers": _headers(), "query": _query(),
         "json": _json()},
        {"name": "json_422", "method": "POST", "path": "/login-json",
         "json": {"username": "kim", "password": s(plain_secret()), "passphrase": s(plain_secret()),
                  "pin": s(plain_secret()), "client_secret": s(plain_secret())}},
        {"name": "form_422", "method": "POST", "path": "/login-form",
         "headers": {"Content-Type": "application/x-www-form-urlencoded"},
         "body": f"username=kim&password={s(plain_secret())}&client_secret={s(plain_secret())}&code={s(plain_secret())}"},
        {"name": "typed_422", "path": "/typed", "query": {"key": s(plain_secret()), "sig": s(plain_secret())},
         "headers": {"X-Client-Key": s(plain_secret())}},
    ]
    return {"version": 1, "requests": requests}


KEPT = ['"user_id":4242', '"session_count":17', '"sessions":9', '"tokens":123456', '"total_tokens":98765',
        '"input_tokens":4321', '"code":"INVALID_REQUEST"', '"x-tenant-id":"acme_university_301"',
        '"model":"claude-3-5-sonnet-20241022"', '"region":"ap-northeast-2"', "page=2", "days=30"]


def _spellings(secret: str) -> set[str]:
    """How a value can appear in a file: raw, JSON-escaped, URL-encoded."""
    return {secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}


def leaked(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [secret[:12] + "…" for secret in SECRETS if any(form in text for form in _spellings(secret))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    listing = build_request_list()
    (folder / "requests.json").write_text(json.dumps(listing, indent=1), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def recorded(cli, corpus):
    result = cli("record", "-r", corpus / "requests.json", "-o", corpus / "cassette.jsonl", "--repo", ECHO,
                 "--no-timestamps")
    assert result.exit_code == 0, result.output
    assert not any(form in result.output for secret in SECRETS for form in _spellings(secret))
    return corpus / "cassette.jsonl"


def test_the_corpus_has_more_than_100_secret_spellings():
    build_request_list()
    assert len(SECRETS) >= 100 and len(set(SECRETS)) == len(SECRETS)


def test_no_secret_value_in_the_cassette_and_parity_data_is_kept(recorded):
    assert leaked(recorded) == []
    text = recorded.read_text(encoding="utf-8")
    for kept in KEPT:
        assert kept in text, kept
    exchanges = read_cassette(recorded)
    # the echoes really happened (a 200 echo of every part, three validation errors echoing their inputs)
    assert [e["response"]["status"] for e in exchanges] == [200] * 6 + [422] * 3
    inputs = [d.get("input") for e in exchanges[6:] for d in e["response"]["json"]["detail"]]
    assert len(inputs) >= 8 and all(isinstance(i, str) and i.startswith(("${", "<redacted")) for i in inputs
                                    if i not in ("kim",)), inputs
    assert exchanges[0]["request"]["headers"]["x-custom-opaque"] == "${headers_echo.header.x-custom-opaque}"
    assert exchanges[2]["request"]["json"]["verification_code"] == "${json_echo.json.verification_code}"


def test_the_cassette_replays_green_sending_the_real_values(cli, recorded):
    result = cli("parity", "-c", recorded, "--repo", ECHO, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["passed"] == 9 and report["summary"]["failed"] == 0
    assert not any(form in result.output for secret in SECRETS for form in _spellings(secret))


@pytest.mark.parametrize("fmt", ["json", "junit", "markdown", "rich"])
def test_no_secret_value_in_any_report_of_a_regression(cli, recorded, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    args = ["parity", "-c", recorded, "--repo", ECHO, "--env", "ECHO_BREAK=1", "--format", fmt, "-o", out]
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert leaked(out) == []
    text = out.read_text(encoding="utf-8")
    assert "-changed" in text  # the differences are listed, with their (redacted) values
    if fmt == "rich":
        verbose = cli("parity", "-c", recorded, "--repo", ECHO, "--env", "ECHO_BREAK=1", "-v")
        assert verbose.exit_code == 1
        assert not any(form in verbose.output for secret in SECRETS for form in _spellings(secret))


def test_live_traffic_through_the_middleware_leaks_nothing(tmp_path):
    """The same corpus sent by a client (no request list, no names known): the middleware redacts by itself."""
    import asyncio

    import httpx

    from shims.recording import RecordingMiddleware

    listing = build_request_list()
    cassette = tmp_path / "live.jsonl"
    with isolated_import(ECHO, "echosvc"):
        from echosvc.server import app

        wrapped = RecordingMiddleware(app, cassette=cassette)

        async def drive():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://t") as client:
                for spec in listing["requests"]:
                    await client.request(spec.get("method", "GET"), spec["path"], params=spec.get("query"),
                                         headers=spec.get("headers"), json=spec.get("json"),
                                         content=spec.get("body"))

        asyncio.run(drive())
    assert len(read_cassette(cassette)) == 9
    assert leaked(cassette) == []
    text = cassette.read_text(encoding="utf-8")
    for kept in KEPT:
        assert kept in text, kept
