"""`shims.gone.create_gone_router`: the 410 stubs `--gone` keeps for removed legacy paths."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from migrator.testing.headers import parse_link
from shims.deprecation import CallCounter, caller_identity
from shims.gone import create_gone_router

ROUTES = {
    ("GET", "/admin/dashboard"): "/mt/tenant/{tenant_id}/stats",
    ("DELETE", "/admin/users/{user_id}"): "/mt/tenant/{tenant_id}/users/{user_id}",
    ("post", "/api/marketplace/demo/request"): "/mt/tenant/{tenant_id}/activate",
    ("GET", "/admin/old-report"): None,
}


@pytest.fixture
def counter():
    return CallCounter()


@pytest.fixture
def client(counter):
    app = FastAPI()

    @app.get("/admin/users/{user_id}")  # a route that stays on a removed path (another method)
    def get_user(user_id: int):
        return {"id": user_id}

    app.include_router(create_gone_router(ROUTES, counter=counter))
    return TestClient(app)


def test_a_removed_path_answers_410_with_the_filled_successor(client):
    answer = client.get("/admin/dashboard", headers={"X-Tenant-ID": "hallym univ"})
    assert answer.status_code == 410
    assert answer.json() == {"detail": "GET /admin/dashboard was removed; use /mt/tenant/hallym%20univ/stats",
                             "successor": "/mt/tenant/hallym%20univ/stats"}
    (link,) = parse_link(answer.headers["link"])
    assert (link.url, link.rel) == ("/mt/tenant/hallym%20univ/stats", "successor-version")


def test_path_parameters_fill_the_successor_and_an_unknown_tenant_stays_a_placeholder(client):
    answer = client.delete("/admin/users/42")
    assert answer.status_code == 410
    assert answer.json()["successor"] == "/mt/tenant/{tenant_id}/users/42"
    assert client.post("/api/marketplace/demo/request", json={}).status_code == 410  # method case-insensitive


def test_without_successor_there_is_no_link(client):
    answer = client.get("/admin/old-report")
    assert answer.status_code == 410 and "link" not in answer.headers
    assert answer.json() == {"detail": "GET /admin/old-report was removed", "successor": None}


def test_other_methods_and_paths_are_not_touched(client):
    assert client.get("/admin/users/7").json() == {"id": 7}
    assert client.put("/admin/dashboard").status_code == 405
    assert client.get("/admin/elsewhere").status_code == 404


def test_calls_are_counted_per_route_and_caller_without_the_secret(client, counter):
    client.get("/admin/dashboard", headers={"Authorization": "Bearer s3cret"})
    client.get("/admin/dashboard", headers={"Authorization": "Bearer s3cret"})
    client.delete("/admin/users/1")
    calls = counter.snapshot()
    assert calls == {"GET /admin/dashboard": {caller_identity({"Authorization": "Bearer s3cret"}, None): 2},
                     "DELETE /admin/users/{user_id}": {"ip:testclient": 1}}
    assert "s3cret" not in repr(calls)


def test_the_stubs_are_not_in_the_openapi_schema(client):
    assert set(client.get("/openapi.json").json()["paths"]) == {"/admin/users/{user_id}"}


@pytest.mark.parametrize("routes, message", [
    ({("FETCH", "/x"): None}, "not an HTTP method"),
    ({("GET", "x"): None}, "must start with '/'"),
    ({("GET", "/x"): "/mt/<bad>"}, "not usable in a Link header"),
])
def test_bad_tables_are_refused_at_start_up(routes, message):
    with pytest.raises(ValueError, match=message):
        create_gone_router(routes)
