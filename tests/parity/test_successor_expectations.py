"""Parity expects the successor link phase 2 wrote: a single-tenant deployment's declared tenant written out (its
requests carry no X-Tenant-ID) and the legacy route's own parameter names filled from the request."""

from __future__ import annotations

import pytest

from migrator.journal import DeprecationInfo, Journal, JournalRoute, TenantInfo
from migrator.parity.cassette import Exchange
from migrator.parity.expectations import RouteTable, expected_for


def _journal(path: str, tenant: TenantInfo | None, *, phase: int = 2, gone: bool = False) -> Journal:
    route = JournalRoute(methods=["DELETE"], path=path, function="svc.users.remove", file="svc/users.py",
                         operation="delete_user", standard_method="DELETE",
                         standard_path="/mt/tenant/{tenant_id}/users/{user_id}",
                         state="removed" if phase >= 3 else "deprecated")
    return Journal(service="svc", routes=[route], tenant=tenant,
                   deprecation=DeprecationInfo(date="2026-12-06", sunset="2027-01-03", gone=gone))


def _exchange(path: str, headers: dict[str, str] | None = None) -> Exchange:
    return Exchange.model_validate({"id": 1, "request": {"method": "DELETE", "path": path, "headers": headers or {}},
                                    "response": {"status": 200, "headers": {}, "json": {"id": 3}}})


def _link(journal: Journal, exchange: Exchange, phase: int = 2) -> str | None:
    table = RouteTable(journal)
    expected, _ = expected_for(exchange, table.match("DELETE", exchange.request.path), table, phase)
    return (expected.headers or {}).get("link")


@pytest.mark.parametrize(("legacy", "tenant", "headers", "successor"), [
    # a declared single tenant: written out, as phase 2's Link has it (the request carries no X-Tenant-ID)
    ("/api/v1/users/{user_id}", TenantInfo(tenant="acme"), {}, "/mt/tenant/acme/users/3"),
    # the legacy route names the user otherwise: its own name fills the standard path
    ("/api/v1/sys/users/{pk}", TenantInfo(tenant="acme"), {}, "/mt/tenant/acme/users/3"),
    ("/api/v1/sys/users/{pk}", None, {"x-tenant-id": "t1"}, "/mt/tenant/t1/users/3"),
    # a tenant named by the environment is read at run time: the header fills it, as before
    ("/admin/users/{user_id}", TenantInfo(tenant="acme", env="SVC_TENANT"), {"x-tenant-id": "t9"},
     "/mt/tenant/t9/users/3"),
])
def test_the_expected_link_is_the_one_phase_2_wrote(legacy, tenant, headers, successor):
    path = legacy.split("{")[0] + "3"
    assert _link(_journal(legacy, tenant), _exchange(path, headers)) == f'<{successor}>; rel="successor-version"'


def test_a_gone_route_expects_the_same_successor():
    journal = _journal("/api/v1/users/{user_id}", TenantInfo(tenant="acme"), phase=3, gone=True)
    assert _link(journal, _exchange("/api/v1/users/3"), phase=3) == '</mt/tenant/acme/users/3>; rel="successor-version"'
