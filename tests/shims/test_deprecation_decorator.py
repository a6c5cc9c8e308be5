"""Phase 2 puts `@deprecated(reason=..., version=...)` under a FastAPI route decorator: FastAPI must not notice.

These tests pin what the module docstring of shims.deprecation states about the `deprecated` package, so that a
new release of it (or of wrapt or FastAPI) that breaks the phase-2 output fails here first.
"""

from __future__ import annotations

import asyncio
import inspect
import warnings
from datetime import date
from typing import Annotated

import deprecated as deprecated_package
import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Query
from pydantic import BaseModel

from shims.deprecation import CallCounter, deprecated, deprecated_endpoint

REASON = "Use GET /mt/tenant/{tenant_id}/stats instead"


class Body(BaseModel):
    username: str


def tenant(x_tenant_id: Annotated[str, Header(alias="X-Tenant-ID")]) -> str:
    return x_tenant_id


counter = CallCounter()
app = FastAPI()


@app.get("/admin/dashboard/costs", deprecated=True)
@deprecated(reason=REASON, version="1.4.2")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(tenant)):
    return {"days": days, "tenant": tenant_id}


@app.post(
    "/admin/users",
    status_code=201,
    dependencies=[
        Depends(
            deprecated_endpoint(
                deprecated_at=date(2026, 12, 9),
                sunset=date(2026, 12, 23),
                successor="/mt/tenant/{tenant_id}/users",
                counter=counter,
            )
        )
    ],
)
@deprecated(reason="Use POST /mt/tenant/{tenant_id}/users instead", version="1.4.2")
async def create_user(body: Body, tenant_id: Annotated[str, Depends(tenant)]):
    return {"username": body.username, "tenant": tenant_id}


@app.get("/admin/sync")
@deprecated(reason="sync route", version="1.4.2")
def sync_route(q: int = 1):
    return {"q": q}


def call(method, url, **kwargs):
    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(run())


def test_it_is_the_deprecated_package_itself():
    assert deprecated is deprecated_package.deprecated


def test_fastapi_sees_the_real_signature():
    assert list(inspect.signature(get_costs).parameters) == ["days", "tenant_id"]
    operation = app.openapi()["paths"]["/admin/dashboard/costs"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert set(names) == {"days", "X-Tenant-ID"}
    assert names["days"]["schema"]["maximum"] == 365
    assert operation["deprecated"] is True
    body = app.openapi()["paths"]["/admin/users"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/Body")


def test_async_endpoint_is_still_a_coroutine_function():
    assert inspect.iscoroutinefunction(get_costs)
    assert asyncio.iscoroutinefunction(create_user)
    assert not inspect.iscoroutinefunction(sync_route)


def test_each_call_emits_a_deprecation_warning_and_the_route_works():
    with pytest.warns(DeprecationWarning, match=r"get_costs\. \(Use GET /mt/tenant/\{tenant_id\}/stats instead\)"):
        response = call("GET", "/admin/dashboard/costs?days=7", headers={"X-Tenant-ID": "kaist_104"})
    assert response.json() == {"days": 7, "tenant": "kaist_104"}
    with pytest.warns(DeprecationWarning, match="1.4.2"):
        assert call("GET", "/admin/sync?q=3").json() == {"q": 3}


def test_validation_still_applies_through_the_decorator():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = call("GET", "/admin/dashboard/costs?days=0", headers={"X-Tenant-ID": "t"})
    assert response.status_code == 422
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning) and "get_costs" in str(w.message)]


def test_decorator_and_header_dependency_together():
    with pytest.warns(DeprecationWarning):
        response = call("POST", "/admin/users", json={"username": "kim"}, headers={"X-Tenant-ID": "postech_202"})
    assert response.status_code == 201
    assert response.json() == {"username": "kim", "tenant": "postech_202"}
    assert response.headers["Link"] == '</mt/tenant/postech_202/users>; rel="successor-version"'
    assert counter.snapshot()["POST /admin/users"] == {"ip:127.0.0.1": 1}
