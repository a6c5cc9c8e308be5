"""The app as a whole: its route table, health, start-up, the clock, hostile input, and a real uvicorn run."""

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
API = "/api/v1"

EXPECTED_ROUTES = {
    ("GET", "/health"),
    ("POST", f"{API}/auth/login"),
    ("GET", f"{API}/auth/me"),
    ("GET", f"{API}/conversations"),
    ("GET", f"{API}/conversations/{{conversation_id}}"),
    ("GET", f"{API}/admin/dashboard"),
    ("GET", f"{API}/admin/usage/costs"),
    ("GET", f"{API}/admin/users"),
    ("POST", f"{API}/admin/users"),
    ("GET", f"{API}/admin/users/{{user_id}}"),
    ("PUT", f"{API}/admin/users/{{user_id}}"),
    ("DELETE", f"{API}/admin/users/{{user_id}}"),
    ("POST", f"{API}/admin/users/{{user_id}}/deactivate"),
    ("POST", f"{API}/admin/users/{{user_id}}/activate"),
}


def test_route_table():
    from mentor.main import app

    schema = app.openapi()
    served = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert EXPECTED_ROUTES <= served
    # A migration adds the Standard API (/mt/...) and the Service Market aliases (/api/tenant/...) beside the
    # legacy routes; apart from those, the served surface is exactly the legacy one.
    added = served - EXPECTED_ROUTES
    assert all(path.startswith(("/mt/", "/api/tenant/")) for _, path in added), added
    assert schema["info"]["version"] == "3.1.0"


def test_the_prefix_comes_from_the_settings():
    from mentor.core.config import settings
    from mentor.main import app

    paths = set(app.openapi()["paths"]) - {"/health"}
    legacy = [path for path in paths if not path.startswith(("/mt/", "/api/tenant/"))]
    assert len(legacy) == 10 and all(path.startswith(settings.API_PREFIX + "/") for path in legacy)


def test_health(client):
    assert client.get("/health").json() == {"status": "ok", "service": "mentor", "version": "3.1.0"}


def test_settings_never_show_the_secret(monkeypatch):
    from mentor.core.config import settings

    monkeypatch.setenv("MENTOR_JWT_SECRET", "a-very-private-secret-value-123456")
    assert settings.JWT_SECRET == "a-very-private-secret-value-123456"
    assert "private" not in repr(settings)


def test_the_clock_is_read_at_call_time(client, admin, monkeypatch):
    monkeypatch.setenv("MENTOR_NOW", "2026-12-01T08:30:00+09:00")  # an offset is converted to UTC
    body = {"username": "late.user", "email": "late@hanul.ac.kr", "password": "password1"}
    assert client.post(f"{API}/admin/users", headers=admin, json=body).json()["created_at"] == "2026-11-30T23:30:00"
    series = client.get(f"{API}/admin/dashboard", headers=admin).json()["messages_by_day"]
    assert series[-1] == {"day": "2026-11-30", "messages": 0, "users": 0, "tokens": 0}


def test_a_malformed_clock_stops_the_start_up(data_dir, monkeypatch):
    from fastapi.testclient import TestClient
    from mentor.core.clock import ClockError
    from mentor.main import app

    monkeypatch.setenv("MENTOR_NOW", "next tuesday")
    with pytest.raises(ClockError, match="MENTOR_NOW is not an ISO 8601 date-time: 'next tuesday'"):
        with TestClient(app):
            pass


def test_start_up_seeds_an_empty_data_dir(tmp_path, monkeypatch, creds):
    from fastapi.testclient import TestClient
    from mentor.main import app

    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path / "empty"))
    with TestClient(app) as client:
        response = client.get(f"{API}/admin/users", headers={"Authorization": f"Bearer {creds['admin']['token']}"})
    assert response.status_code == 200 and response.json()["total"] == 260
    assert (tmp_path / "empty" / "mentor.db").is_file()


@pytest.fixture
def raw_client(data_dir):
    """A client that returns server errors as 500 responses instead of raising them."""
    from fastapi.testclient import TestClient
    from mentor.main import app

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


NASTY_STRINGS = ["\x00", "\ud800", "' OR 1=1 --", "%", "😀" * 40, "a" * 5000, "\\", "null", "-1", "1e400"]


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_hostile_input_never_gives_500(raw_client, admin, value):
    headers = {**admin, "Content-Type": "application/json"}
    user = {"username": "abc", "password": "password1", "email": "x@y.kr", "full_name": value}
    calls = [
        ("GET", f"{API}/admin/users", headers, {"params": {"search": value}}),
        ("POST", f"{API}/admin/users", headers, {"content": json.dumps(user)}),
        ("POST", f"{API}/admin/users", headers, {"content": json.dumps(dict(user, username=value, email=value))}),
        ("PUT", f"{API}/admin/users/3", headers, {"content": json.dumps({"full_name": value, "email": value})}),
        ("GET", f"{API}/admin/usage/costs", headers, {"params": {"days": value}}),
        ("GET", f"{API}/admin/users/{value}", headers, {}),
        ("POST", f"{API}/auth/login", {"Content-Type": "application/json"},
         {"content": json.dumps({"username": value, "password": value})}),
        ("GET", f"{API}/auth/me", {"Authorization": f"Bearer {value}"}, {}),
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
    """The 'runs out of the box' proof: a fresh data dir, a real server, real HTTP."""
    port = _free_port()
    env = {**os.environ, "MENTOR_DATA_DIR": str(tmp_path / "served"), "MENTOR_NOW": "2026-11-20T15:00:00"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mentor.main:app", "--app-dir", str(EXAMPLE_DIR),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not come up: {server.stdout.read() if server.poll() is not None else ''}")
            time.sleep(0.1)
        login = httpx.post(f"{base}{API}/auth/login", timeout=10,
                           json={"username": "admin", "password": creds["admin"]["password"]})
        assert login.status_code == 200
        token = login.json()["access_token"]
        users = httpx.get(f"{base}{API}/admin/users?limit=5", headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
        assert users.status_code == 200 and [u["id"] for u in users.json()["items"]] == [1, 2, 3, 4, 5]
        assert httpx.get(f"{base}{API}/admin/users", timeout=10).status_code == 401
    finally:
        server.terminate()
        try:
            output = server.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert token not in output and creds["admin"]["password"] not in output  # nothing secret is logged
    assert (tmp_path / "served" / "mentor.db").is_file()
