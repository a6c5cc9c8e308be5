"""Tenant isolation through the standard router: tenant A's paths never show or touch tenant B's data."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from migrator.testing.reference import InMemoryHandler, make_app

A, B = "hallym_univ", "yonsei_univ"
B_MARKERS = ("yonsei", "user_2", "Song Hana", "Oh Jaewon", "Shin Eunji", "Bae Suho", "Kwon Mira", "Campus handbook")

READS = [
    "/status",
    "/usage?period=2026-11",
    "/usage?period=2026-10",
    "/stats?period=7d",
    "/stats?period=90d",
    "/stats/costs?period=90d",
    "/stats/top-users?limit=50&period=90d",
    "/stats/usage-patterns?period=90d",
    "/users?limit=100",
    "/users?search=a&limit=100",
    "/users/user_101",
    "/resources?limit=100",
    "/settings",
    "/limits",
]


class Recorder(InMemoryHandler):
    """Records the tenant id of every call, whatever the operation."""

    def __init__(self) -> None:
        super().__init__()
        self.tenants: list[str] = []

    def _tenant(self, tenant_id):
        self.tenants.append(tenant_id)
        return super()._tenant(tenant_id)


@pytest.fixture(scope="module")
def served():
    recorder = Recorder()
    with TestClient(make_app(recorder), raise_server_exceptions=False) as client:
        yield recorder, client


@pytest.fixture
def handler(served) -> Recorder:
    served[0].reset()
    served[0].tenants.clear()
    return served[0]


@pytest.fixture
def client(served, handler) -> TestClient:
    return served[1]


@pytest.mark.parametrize("path", READS)
def test_every_read_of_tenant_a_shows_only_tenant_a(client, handler, path):
    # A header naming tenant B (as legacy services read it) must not matter.
    response = client.get(f"/mt/tenant/{A}{path}", headers={"X-Tenant-ID": B})
    assert response.status_code == 200, response.text
    text = response.text
    for marker in B_MARKERS:
        assert marker not in text, f"{path} leaks {marker!r}"
    assert set(handler.tenants) == {A}
    body = response.json()
    if "tenant_id" in body:
        assert body["tenant_id"] == A


@pytest.mark.parametrize("path", READS)
def test_the_same_read_for_tenant_b_differs(client, path):
    # Guards the test above: the markers really are in B's answers, and A's answers are A's own.
    path_b = path.replace("user_101", "user_201")
    a, b = client.get(f"/mt/tenant/{A}{path}").json(), client.get(f"/mt/tenant/{B}{path_b}").json()
    assert a != b
    if path.startswith(("/users", "/stats/top-users", "/resources", "/stats/costs")):
        assert any(marker in json.dumps(b) for marker in B_MARKERS)


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("GET", "/users/user_201", None),
        ("PUT", "/users/user_201", {"name": "Taken over", "role": "admin"}),
        ("DELETE", "/users/user_201", None),
    ],
)
def test_tenant_b_users_cannot_be_reached_through_tenant_a(client, method, suffix, body):
    response = client.request(method, f"/mt/tenant/{A}{suffix}", json=body)
    assert response.status_code == 404
    assert response.json()["detail"]["error"] == "USER_NOT_FOUND"
    untouched = client.get(f"/mt/tenant/{B}/users/user_201").json()
    assert (untouched["name"], untouched["role"]) == ("Song Hana", "admin")


def test_writes_through_tenant_a_change_only_tenant_a(client):
    before_b = client.get(f"/mt/tenant/{B}/users?limit=100").json()
    settings_b = client.get(f"/mt/tenant/{B}/settings").json()
    created = client.post(f"/mt/tenant/{A}/users", json={"email": "hana.song@yonsei.ac.kr", "name": "Same e-mail"})
    assert created.status_code == 201  # the e-mail exists in B only: no conflict across tenants
    assert client.put(f"/mt/tenant/{A}/settings", json={"features": {"quiz": False}}).status_code == 200
    assert client.post(f"/mt/tenant/{A}/deactivate", json={"reason": "test", "preserve_data": False}).status_code == 200
    assert client.get(f"/mt/tenant/{B}/users?limit=100").json() == before_b
    assert client.get(f"/mt/tenant/{B}/settings").json() == settings_b
    assert client.get(f"/mt/tenant/{B}/status").json()["status"] == "active"
    assert client.get(f"/mt/tenant/{A}/status").json()["status"] == "deactivated"


@pytest.mark.parametrize("raw", ["/mt/tenant/hallym_univ%2F..%2Fyonsei_univ/status", "/mt/tenant/hallym_univ%2Fyonsei_univ/users"])
def test_encoded_slashes_never_reach_another_tenant(client, handler, raw):
    response = client.get(raw)
    assert response.status_code == 404
    assert B not in handler.tenants
    assert "Yonsei" not in response.text


def test_an_encoded_tenant_id_reaches_the_handler_decoded_and_verbatim(client, handler):
    response = client.get("/mt/tenant/hallym%20univ/status")
    assert response.status_code == 404
    assert response.json()["detail"]["message"] == "Tenant 'hallym univ' not found"
    assert handler.tenants == ["hallym univ"]
