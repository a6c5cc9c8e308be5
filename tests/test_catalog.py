"""The catalog: built-in entries, matching rules, and the [tool.migrator.catalog] extension."""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field

import pytest

from migrator.catalog import (
    BUILTIN,
    OPERATIONS,
    CatalogError,
    builtin_catalog,
    load_catalog,
    match_path,
)
from shims.standard_api.handler import HOOKS, StandardAPIHandler


@dataclass
class FakeRoute:
    methods: list[str]
    path: str
    params: list = field(default_factory=list)


def _match(method: str, path: str):
    return builtin_catalog().match(FakeRoute([method], path))


def test_operations_are_exactly_the_handler_methods():
    """Every public method is an operation, except mt_paas's lifecycle hooks (which both routers call)."""
    methods = {
        name for name, member in inspect.getmembers(StandardAPIHandler, inspect.isfunction)
        if not name.startswith("_") and name not in HOOKS
    }
    assert set(OPERATIONS) == methods


@pytest.mark.parametrize(
    "method,path,key,standard",
    [
        ("GET", "/admin/dashboard", "get_tenant_stats", "GET /mt/tenant/{tenant_id}/stats"),
        ("GET", "/api/admin/dashboard/costs", "get_tenant_costs", "GET /mt/tenant/{tenant_id}/stats/costs"),
        ("GET", "/admin/dashboard/usage-patterns", "get_usage_patterns", "GET /mt/tenant/{tenant_id}/stats/usage-patterns"),
        ("GET", "/admin/dashboard/top-users", "get_top_users", "GET /mt/tenant/{tenant_id}/stats/top-users"),
        ("GET", "/admin/users", "list_users", "GET /mt/tenant/{tenant_id}/users"),
        ("GET", "/admin/admins", "list_users/admins", "GET /mt/tenant/{tenant_id}/users"),
        ("POST", "/admin/users", "create_user", "POST /mt/tenant/{tenant_id}/users"),
        ("POST", "/api/admin/admins", "create_user/admin", "POST /mt/tenant/{tenant_id}/users"),
        ("GET", "/admin/users/{uid}", "get_user", "GET /mt/tenant/{tenant_id}/users/{user_id}"),
        ("PUT", "/admin/users/{user_id}", "update_user", "PUT /mt/tenant/{tenant_id}/users/{user_id}"),
        ("POST", "/admin/users/{id}/suspend", "update_user/suspend", "PUT /mt/tenant/{tenant_id}/users/{user_id}"),
        ("POST", "/admin/users/{id}/activate", "update_user/activate", "PUT /mt/tenant/{tenant_id}/users/{user_id}"),
        ("DELETE", "/admin/admins/{user_id}", "update_user/demote", "PUT /mt/tenant/{tenant_id}/users/{user_id}"),
        ("DELETE", "/admin/users/{user_id}", "delete_user", "DELETE /mt/tenant/{tenant_id}/users/{user_id}"),
        ("GET", "/api/tenant/list", "list_tenants", "GET /api/tenant/list"),
        ("GET", "/api/tenant/status/{tid}", "get_tenant_status", "GET /mt/tenant/{tenant_id}/status"),
        ("GET", "/admin/settings", "get_settings", "GET /mt/tenant/{tenant_id}/settings"),
        ("PUT", "/api/admin/settings", "update_settings", "PUT /mt/tenant/{tenant_id}/settings"),
        ("POST", "/api/marketplace/demo/request", "activate_tenant/demo_request", "POST /mt/tenant/{tenant_id}/activate"),
        ("POST", "/api/marketplace/demo/provision", "activate_tenant/demo_provision",
         "POST /mt/tenant/{tenant_id}/activate"),
    ],
)
def test_builtin_mapping_table(method, path, key, standard):
    match = _match(method, path)
    assert match is not None, f"{method} {path}"
    assert match.entry.key == key
    assert f"{match.entry.standard_method} {match.standard_path}" == standard


def test_unmapped_routes_and_wrong_methods_do_not_match():
    assert _match("GET", "/admin/data/stats") is None
    assert _match("POST", "/admin/users/bulk") is None
    assert _match("GET", "/admin/users/me") is None  # a literal where the pattern has a parameter
    catalog = builtin_catalog()
    assert catalog.match_pattern(FakeRoute(["PATCH"], "/admin/users/{user_id}")) is None
    assert catalog.match_pattern(FakeRoute(["GET"], "/v2/admin/users")) is None


def test_routes_no_entry_names_are_recognised_by_shape():
    # (the built-in patterns alone left these unmapped; by meaning they are update_user and list_users)
    patch = _match("PATCH", "/admin/users/{user_id}")
    assert patch.entry.key == "update_user" and 0.8 <= patch.confidence < 1
    assert any("admin prefix" in e for e in patch.evidence)
    assert _match("GET", "/v2/admin/users").entry.key == "list_users"


def test_user_entries_need_no_param_map_for_path_parameters(tmp_path):
    root = _pyproject(tmp_path, """
        [[tool.migrator.catalog.entries]]
        operation = "get_user"
        methods = ["GET"]
        paths = ["/api/v1/people/{person}"]
    """)
    match = load_catalog(root).match(FakeRoute(["GET"], "/api/v1/people/{pid}"))
    assert match.entry.key == "get_user" and match.confidence == 1.0
    assert match.param_map == {"pid": "user_id"}
    assert "[tool.migrator.catalog]" in match.evidence[0]


def test_a_suggestion_is_confirmed_by_an_entry_with_its_method_and_path(tmp_path):
    route = FakeRoute(["GET"], "/api/v1/members/{id}")
    assert builtin_catalog().match(route) is None
    suggestion = builtin_catalog().suggest(route)
    assert suggestion.entry.key == "get_user" and suggestion.confidence < 0.8
    root = _pyproject(tmp_path, """
        [[tool.migrator.catalog.entries]]
        operation = "get_user"
        methods = ["GET"]
        paths = ["/api/v1/members/{id}"]
    """)
    catalog = load_catalog(root)
    assert catalog.match(route).confidence == 1.0 and catalog.suggest(route) is None


def test_path_parameter_names_are_free_and_bound():
    match = _match("GET", "/admin/users/{uid}")
    assert match.bindings == {"user_id": "uid"}
    assert match.param_map == {"uid": "user_id"}
    assert match_path("/a/{x}/b", "/a/{y:int}/b") == {"x": "y"}
    assert match_path("/admin/users", "/admin/users/") == {}  # a router's "/" under a prefix


def test_adapters_pick_the_provisioning_variant():
    request = _match("POST", "/api/marketplace/demo/request").entry
    provision = _match("POST", "/api/marketplace/demo/provision").entry
    assert "marketplace_payload_from_activate" in request.adapters
    assert "provision_payload_from_activate" in provision.adapters
    assert not request.tenant_scoped and not provision.tenant_scoped


def test_parameter_mappings_of_the_contract():
    assert _match("GET", "/admin/dashboard/costs").entry.param_map == {"days": "period"}
    assert _match("GET", "/admin/dashboard/top-users").entry.param_map == {"days": "period", "limit": "limit"}
    assert _match("GET", "/admin/users").entry.param_map == {"page": "offset", "limit": "limit", "search": "search"}
    assert _match("POST", "/admin/users").entry.body_model == "CreateUserRequest"
    assert _match("POST", "/admin/users/{user_id}/suspend").entry.fixed == {"status": "suspended"}
    assert {e.key for e in BUILTIN} >= {"list_users/admins", "create_user/admin", "update_user/suspend",
                                        "update_user/activate", "update_user/demote"}


def _pyproject(tmp_path, body: str):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def test_extension_adds_entries_before_builtins_and_excludes(tmp_path):
    root = _pyproject(tmp_path, """
        [project]
        name = "svc"

        [tool.migrator.catalog]
        exclude = ["list_users/admins"]

        [[tool.migrator.catalog.entries]]
        operation = "get_tenant_stats"
        variant = "v1"
        methods = ["get"]
        paths = ["/api/v1/stats"]
        param_map = { window = "period" }
        adapters = ["stats_from_dashboard"]
    """)
    catalog = load_catalog(root)
    assert catalog.source == str(root / "pyproject.toml")
    match = catalog.match(FakeRoute(["GET"], "/api/v1/stats"))
    assert match.entry.key == "get_tenant_stats/v1"
    assert match.standard_path == "/mt/tenant/{tenant_id}/stats"  # defaulted from the operation
    assert catalog.match(FakeRoute(["GET"], "/admin/admins")) is None
    assert catalog.match(FakeRoute(["GET"], "/admin/users")).entry.key == "list_users"


def test_without_pyproject_or_section_the_builtins_apply(tmp_path):
    assert len(load_catalog(tmp_path).entries) == len(BUILTIN)
    _pyproject(tmp_path, "[project]\nname = 'x'\n")
    assert load_catalog(tmp_path).source is None


@pytest.mark.parametrize(
    "body,expected",
    [
        ("[tool.migrator.catalog\n", "invalid TOML"),
        ("[[tool.migrator.catalog.entries]]\noperation = 'fly'\nmethods = ['GET']\npaths = ['/x']\n", "operation"),
        ("[[tool.migrator.catalog.entries]]\noperation = 'get_user'\nmethods = ['GET']\npaths = ['x']\n",
         "must start with '/'"),
        ("[[tool.migrator.catalog.entries]]\noperation = 'get_user'\npaths = ['/x']\n", "methods"),
        ("[[tool.migrator.catalog.entries]]\noperation = 'get_user'\nmethods = ['GET']\npaths = ['/x']\nsurprise = 1\n",
         "surprise"),
        ("[tool.migrator.catalog]\nexclude = ['nope']\n", "unknown built-in"),
        ("[tool.migrator]\ncatalog = 3\n", "must be a table"),
    ],
)
def test_invalid_extension_names_the_file(tmp_path, body, expected):
    root = _pyproject(tmp_path, body)
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    message = str(info.value)
    assert message.startswith(str(root / "pyproject.toml"))
    assert expected in message
