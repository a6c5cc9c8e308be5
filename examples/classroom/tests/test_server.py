"""The app as a whole: route table, the factory, response models, start-up, the clock, hostile input, uvicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

EXAMPLE_DIR = Path(__file__).resolve().parent.parent

EXPECTED_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/platform/tenants"),
    ("POST", "/platform/tenants"),
    ("GET", "/platform/tenants/{tenant_id}/status"),
    ("POST", "/platform/tenants/{tenant_id}/deactivate"),
    ("POST", "/platform/tenants/{tenant_id}/reactivate"),
    ("GET", "/v1/users"),
    ("POST", "/v1/users"),
    ("GET", "/v1/users/{user_id}"),
    ("PATCH", "/v1/users/{user_id}"),
    ("DELETE", "/v1/users/{user_id}"),
    ("GET", "/v1/courses"),
    ("GET", "/v1/stats/overview"),
    ("GET", "/v1/stats/usage"),
    ("GET", "/v1/stats/leaderboard"),
}


def _served(app) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}


def test_route_table():
    from classroom.app import app

    served = _served(app)
    assert EXPECTED_ROUTES <= served
    # A migration adds the Standard API (/mt/...), the Service Market aliases (/api/tenant/...) and, as the app has
    # none, a root GET /health the market probes, beside the legacy routes; apart from those, the served surface is
    # exactly the legacy one.
    added = served - EXPECTED_ROUTES - {("GET", "/health")}
    assert all(path.startswith(("/mt/", "/api/tenant/")) for _, path in added), added
    assert app.openapi()["info"]["version"] == "0.9.4"


def test_the_factory_builds_independent_apps():
    from classroom.app import app, create_app

    fresh = create_app()
    assert fresh is not app and _served(fresh) == _served(app)


def test_every_operation_declares_its_response_model():
    from classroom.app import app

    for path, item in app.openapi()["paths"].items():
        if path.startswith(("/mt/", "/api/tenant/")):
            continue
        for method, operation in item.items():
            success = next(code for code in operation["responses"] if code.startswith("2"))
            schema = operation["responses"][success]["content"]["application/json"]["schema"]
            assert schema, (method, path)


def test_school_routes_document_their_security_and_the_tenant_header():
    from classroom.app import app

    schema = app.openapi()
    for method, path in EXPECTED_ROUTES:
        operation = schema["paths"][path][method.lower()]
        security = {name for entry in operation.get("security", []) for name in entry}
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if path.startswith("/v1/"):
            assert security == {"SchoolKey"} and headers == {"X-Tenant-ID"}, path
            assert {"401", "403", "404"} <= set(operation["responses"]), path
        elif path.startswith("/platform/"):
            assert security == {"PlatformKey"}, path


def test_stats_answer_in_camel_case_in_the_schema_too():
    from classroom.app import app

    components = app.openapi()["components"]["schemas"]
    assert {"tenantId", "from", "to", "daily"} <= set(components["StatsOverview"]["properties"])
    assert "created_at" in components["UserOut"]["properties"]


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok", "version": "0.9.4", "active_tenants": 3}


def test_settings_never_show_the_platform_key(monkeypatch):
    from classroom.config import get_settings

    monkeypatch.setenv("CLASSROOM_PLATFORM_KEY", "very-private-platform-key")
    settings = get_settings()
    assert settings.platform_key == "very-private-platform-key" and "private" not in repr(settings)


def test_the_clock_is_read_at_call_time(client, school, monkeypatch):
    monkeypatch.setenv("CLASSROOM_NOW", "2026-12-01T08:30:00+09:00")  # an offset is converted to UTC
    created = client.post("/v1/users", headers=school(1), json={"email": "late@hanbit.hs.kr", "name": "늦은 학생"})
    assert created.json()["created_at"] == "2026-11-30T23:30:00"
    overview = client.get("/v1/stats/overview", headers=school(1), params={"period": "7d"}).json()
    assert overview["to"] == "2026-11-30" and overview["daily"][-1]["questions"] == 0
    assert overview["users"]["newInPeriod"] == 1


def test_a_malformed_clock_stops_the_start_up(data_dir, monkeypatch):
    from classroom.app import app
    from classroom.clock import ClockError
    from fastapi.testclient import TestClient

    monkeypatch.setenv("CLASSROOM_NOW", "next tuesday")
    with pytest.raises(ClockError, match="CLASSROOM_NOW is not an ISO 8601 date-time: 'next tuesday'"):
        with TestClient(app):
            pass


def test_start_up_seeds_an_empty_data_dir(tmp_path, monkeypatch, creds):
    from classroom.app import app
    from fastapi.testclient import TestClient

    monkeypatch.setenv("CLASSROOM_DATA_DIR", str(tmp_path / "empty"))
    with TestClient(app) as client:
        response = client.get("/platform/tenants", headers={"X-Platform-Key": creds["platform_key"]})
    assert response.status_code == 200 and len(response.json()) == 4
    assert (tmp_path / "empty" / "classroom.db").is_file()


@pytest.fixture
def raw_client(data_dir):
    """A client that returns server errors as 500 responses instead of raising them."""
    from classroom.app import app
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


NASTY_STRINGS = ["\x00", "\ud800", "' OR 1=1 --", "%", "😀" * 40, "a" * 5000, "\\", "null", "-1", "1e400"]


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_hostile_input_never_gives_500(raw_client, school, platform, value):
    headers = {**school(1), "Content-Type": "application/json"}
    admin = {**platform, "Content-Type": "application/json"}
    calls = [
        ("GET", "/v1/users", headers, {"params": {"q": value, "role": value}}),
        ("POST", "/v1/users", headers, {"content": json.dumps({"email": "x@y.kr", "name": value})}),
        ("POST", "/v1/users", headers, {"content": json.dumps({"email": value, "name": value, "grade": value})}),
        ("PATCH", "/v1/users/3", headers, {"content": json.dumps({"name": value})}),
        ("GET", "/v1/stats/overview", headers, {"params": {"period": value}}),
        ("GET", "/v1/users", {**headers, "X-Tenant-ID": value}, {}),
        ("GET", "/v1/users", {**headers, "X-API-Key": value}, {}),
        ("POST", "/platform/tenants", admin, {"content": json.dumps({"name": value, "slug": "ok-slug",
                                                                     "contact_email": "a@b.kr"})}),
        ("POST", "/platform/tenants/2/deactivate", admin, {"content": json.dumps({"reason": value})}),
        ("GET", "/platform/tenants", {"X-Platform-Key": value}, {}),
    ]
    for method, path, call_headers, kwargs in calls:
        try:
            request = raw_client.build_request(method, path, headers=call_headers, **kwargs)
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # the HTTP client itself refuses to send it
        response = raw_client.send(request)
        assert response.status_code < 500, (method, path, response.text[:200])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runs_with_uvicorn(tmp_path, creds):
    """The 'runs out of the box' proof: a fresh data dir, a real server, real HTTP (the factory form too)."""
    port = _free_port()
    env = {**os.environ, "CLASSROOM_DATA_DIR": str(tmp_path / "served"), "CLASSROOM_NOW": "2026-11-20T15:00:00"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "classroom.app:create_app", "--factory", "--app-dir", str(EXAMPLE_DIR),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    key = creds[1]["api_key"]
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not come up: {server.stdout.read() if server.poll() is not None else ''}")
            time.sleep(0.1)
        users = httpx.get(f"{base}/v1/users?size=5", headers={"X-Tenant-ID": "1", "X-API-Key": key}, timeout=10)
        assert users.status_code == 200 and [u["id"] for u in users.json()["items"]] == [1, 2, 3, 4, 5]
        assert httpx.get(f"{base}/v1/users", headers={"X-Tenant-ID": "1"}, timeout=10).status_code == 401
    finally:
        server.terminate()
        try:
            output = server.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert key not in output  # the server never logs a key
    assert (tmp_path / "served" / "classroom.db").is_file()
