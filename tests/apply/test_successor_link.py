"""Phase 2's successor link of a deprecated route names the standard path so that the deprecation dependency can
fill it from a request to the legacy route: the legacy route's own parameter names, the declared tenant written out."""

from __future__ import annotations

import pytest

from migrator.apply.phase2 import successor_path
from migrator.journal import JournalRoute


def _route(path: str, standard: str | None) -> JournalRoute:
    return JournalRoute(methods=["DELETE"], path=path, function="svc.users.remove", file="svc/users.py",
                        operation="delete_user", standard_method="DELETE", standard_path=standard)


@pytest.mark.parametrize(("path", "standard", "tenant", "expected"), [
    ("/admin/users/{user_id}", "/mt/tenant/{tenant_id}/users/{user_id}", None,
     "/mt/tenant/{tenant_id}/users/{user_id}"),
    ("/api/v1/sys/users/{pk}", "/mt/tenant/{tenant_id}/users/{user_id}", None, "/mt/tenant/{tenant_id}/users/{pk}"),
    ("/api/v1/sys/users/{pk:int}", "/mt/tenant/{tenant_id}/users/{user_id}", "main site",
     "/mt/tenant/main%20site/users/{pk}"),
    ("/orgs/{org_id}/members/{uid}", "/mt/tenant/{tenant_id}/users/{user_id}", None, "/mt/tenant/{org_id}/users/{uid}"),
    ("/admin/dashboard", "/mt/tenant/{tenant_id}/stats", "default", "/mt/tenant/default/stats"),
    ("/admin/users/{a}/{b}", "/mt/tenant/{tenant_id}/users/{user_id}", None, "/mt/tenant/{tenant_id}/users/{user_id}"),
])
def test_the_successor_is_written_with_the_legacy_names(path, standard, tenant, expected):
    assert successor_path(_route(path, standard), tenant) == expected


def test_phase_3s_gone_table_names_the_same_successors():
    from migrator.apply.phase3 import _gone_table
    from migrator.journal import Journal, TenantInfo

    removed = [_route("/api/v1/sys/users/{pk}", "/mt/tenant/{tenant_id}/users/{user_id}"),
               _route("/admin/old-report", None)]
    journal = Journal(service="svc", routes=removed, tenant=TenantInfo(tenant="default"))
    assert _gone_table(journal, removed) == {("DELETE", "/api/v1/sys/users/{pk}"): "/mt/tenant/default/users/{pk}",
                                             ("DELETE", "/admin/old-report"): None}
