"""The app as a whole: its route table, health, start-up, the clock, robustness, and a real uvicorn run."""

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
SEOUL = "seoul_national_university_101"

EXPECTED_ROUTES = {
    ("POST", "/api/marketplace/demo/request"),
    ("GET", "/api/tenant/list"),
    ("GET", "/api/tenant/status/{tenant_id}"),
    ("GET", "/admin/dashboard"),
    ("GET", "/admin/dashboard/costs"),
    ("GET", "/admin/dashboard/usage-patterns"),
    ("GET", "/admin/dashboard/top-users"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/bulk"),
    ("GET", "/admin/users/{user_id}"),
    ("PUT", "/admin/users/{user_id}"),
    ("DELETE", "/admin/users/{user_id}"),
    ("POST", "/admin/users/{user_id}/suspend"),
    ("POST", "/admin/users/{user_id}/activate"),
    ("GET", "/admin/admins"),
    ("POST", "/admin/admins"),
    ("DELETE", "/admin/admins/{user_id}"),
    ("GET", "/admin/data/stats"),
    ("GET", "/health"),
}


def test_route_table():
    from advisor.server import app

    schema = app.openapi()
    served = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert EXPECTED_ROUTES <= served
    # A migration adds the Standard API (/mt/...) and the Service Market aliases (/api/tenant/...) beside the
    # legacy routes; apart from those, the served surface is exactly the legacy one.
    added = {(method, path) for method, path in served - EXPECTED_ROUTES}
    assert all(path.startswith(("/mt/", "/api/tenant/")) for _, path in added), added
    assert schema["info"]["version"] == "1.4.2"


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "healthy"}


def test_the_clock_is_read_at_call_time(client, admin_headers, monkeypatch):
    monkeypatch.setenv("ADVISOR_NOW", "2026-12-01T08:30:00+09:00")  # an offset is converted to UTC
    body = {"username": "late.user", "password": "password1", "email": "late@snu.ac.kr"}
    assert client.post("/admin/users", json=body, headers=admin_headers()).json()["created_at"] == "2026-11-30T23:30:00"
    trend = client.get("/admin/dashboard", headers=admin_headers()).json()["daily_trend"]
    assert trend[-1]["date"] == "2026-11-30" and trend[-1]["messages"] == 0


def test_a_malformed_clock_stops_the_start_up(data_dir, monkeypatch):
    from advisor.clock import ClockError
    from advisor.server import app
    from fastapi.testclient import TestClient

    monkeypatch.setenv("ADVISOR_NOW", "next tuesday")
    with pytest.raises(ClockError, match="ADVISOR_NOW is not an ISO 8601 date-time: 'next tuesday'"):
        with TestClient(app):
            pass


def test_start_up_seeds_an_empty_data_dir(tmp_path, monkeypatch):
    from advisor.server import app
    from fastapi.testclient import TestClient

    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "empty"))
    with TestClient(app) as client:
        response = client.get("/api/tenant/list", headers={"X-API-Key": "mt_dev_key_12345"})
    assert response.status_code == 200 and response.json()["total"] == 4


def test_a_registered_tenant_whose_file_is_gone_still_answers(client, admin_headers, data_dir, creds):
    (data_dir / "tenants" / "kaist_104.db").unlink()
    status = client.get("/api/tenant/status/kaist_104", headers={"X-API-Key": creds["api_key"]})
    assert status.status_code == 200 and status.json()["users_count"] == 0
    # the admin of the lost database cannot be verified any more
    assert client.get("/admin/users", headers=admin_headers("kaist_104")).status_code == 401


NASTY_STRINGS = ["\x00", "\ud800", "' OR 1=1 --", "%", "😀" * 40, "a" * 5000, "\\", "null", "-1", "1e400"]


@pytest.fixture
def raw_client(data_dir):
    """A client that returns server errors as 500 responses instead of raising them."""
    from advisor.server import app
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_hostile_input_never_gives_500(raw_client, admin_headers, creds, value):
    admin = {**admin_headers(), "Content-Type": "application/json"}
    api = {"X-API-Key": creds["api_key"]}
    market = {"X-Marketplace-Key": creds["marketplace_key"], "Content-Type": "application/json"}
    user = {"username": "abc", "password": "password1", "email": "x@y.kr", "display_name": value}
    all_bad = dict(user, username=value, password=value, email=value)
    demo = {
        "application": {"id": 5, "kind": "demo", "contact": value, "reason": value},
        "applicant": {"id": 1, "name": value, "email": "n@x.kr", "university_name": value},
        "service": {"id": 1, "slug": value, "title": value},
    }
    calls = [
        ("GET", "/admin/users", admin, {"params": {"search": value}}),
        ("POST", "/admin/users", admin, {"content": json.dumps(user)}),
        ("PUT", "/admin/users/3", admin, {"content": json.dumps(user)}),
        ("POST", "/admin/users", admin, {"content": json.dumps(all_bad)}),
        ("POST", "/admin/users/bulk", admin, {"content": json.dumps([user, user])}),
        ("GET", "/admin/dashboard/costs", admin, {"params": {"days": value}}),
        ("GET", "/admin/users", {**admin, "X-Tenant-ID": value}, {}),
        ("GET", f"/api/tenant/status/{value}", api, {}),
        ("POST", "/api/marketplace/demo/request", market, {"content": json.dumps(demo)}),
    ]
    for method, path, headers, kwargs in calls:
        try:
            request = raw_client.build_request(method, path, headers=headers, **kwargs)
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # the HTTP client itself refuses to send it
        response = raw_client.send(request)
        assert response.status_code < 500, (method, path, response.text[:200])


@pytest.mark.parametrize("query", ["search=%ED%A0%80", "search=%FF%FE", "page=%00", "limit=1%00"])
def test_invalid_utf8_in_the_query_never_gives_500(raw_client, admin_headers, query):
    assert raw_client.get(f"/admin/users?{query}", headers=admin_headers()).status_code < 500


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runs_with_uvicorn(tmp_path, creds):
    """The 'runs out of the box' proof: a fresh data dir, a real server, real HTTP."""
    port = _free_port()
    env = {**os.environ, "ADVISOR_DATA_DIR": str(tmp_path / "served"), "ADVISOR_NOW": "2026-11-20T15:00:00"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "advisor.server:app", "--app-dir", str(EXAMPLE_DIR),
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
        tenants = httpx.get(f"{base}/api/tenant/list", headers={"X-API-Key": creds["api_key"]}, timeout=10)
        assert tenants.status_code == 200 and tenants.json()["total"] == 4
        token = creds[SEOUL]["admin_token"]
        users = httpx.get(f"{base}/admin/users?limit=5", timeout=10,
                          headers={"Authorization": f"Bearer {token}", "X-Tenant-ID": SEOUL})
        assert users.status_code == 200 and [u["id"] for u in users.json()["users"]] == [1, 2, 3, 4, 5]
        assert httpx.get(f"{base}/admin/users", timeout=10, headers={"X-Tenant-ID": SEOUL}).status_code == 401
    finally:
        server.terminate()
        try:
            output = server.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert token not in output  # the server never logs a token
    assert (tmp_path / "served" / "tenants.db").is_file()
