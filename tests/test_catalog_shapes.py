"""Mapping by meaning: route shapes drawn from real FastAPI services (paths, function names and list parameters as
they are written there), with the operation each should map to, or none.

Each row: method, path, function name, query parameters, expected catalog key (None: no mapping), and whether the
match is confident (`Catalog.match`, phase 1 moves it) or a suggestion (`Catalog.suggest`, to be confirmed in
`[tool.migrator.catalog]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from migrator.catalog import builtin_catalog
from migrator.catalog_shapes import CONFIDENT, SUGGEST

M, S = "match", "suggest"


@dataclass
class P:
    name: str
    kind: str = "query"
    annotation: str | None = None


@dataclass
class R:
    methods: list[str]
    path: str
    function: str = ""
    params: list[P] = field(default_factory=list)
    response_model: str | None = None
    dependencies: list[str] = field(default_factory=list)


def q(*names: str) -> list[P]:
    return [P(n) for n in names]


SHAPES = [
    # --- user management: collections and items -------------------------------------------------------------
    ("GET", "/api/v1/users/", "app.api.routes.users.read_users", q("skip", "limit"), "UsersPublic", "list_users", M),
    ("POST", "/api/v1/users/", "app.api.routes.users.create_user", [], "UserPublic", "create_user", M),
    ("GET", "/api/v1/users/{user_id}", "app.api.routes.users.read_user_by_id", [], "UserPublic", "get_user", M),
    ("PATCH", "/api/v1/users/{user_id}", "app.api.routes.users.update_user", [], "UserPublic", "update_user", M),
    ("DELETE", "/api/v1/users/{user_id}", "app.api.routes.users.delete_user", [], None, "delete_user", M),
    ("GET", "/api/v1/users/me", "read_user_me", [], "UserPublic", None, None),
    ("PATCH", "/api/v1/users/me/password", "update_password_me", [], None, None, None),
    ("POST", "/api/v1/users/signup", "register_user", [], "UserPublic", None, None),
    ("POST", "/api/v1/users/create", "app.api.endpoints.users.create_user", [], "schemas.User", "create_user", M),
    ("POST", "/api/accounts/new", "add_account", [], None, "create_user", S),
    ("DELETE", "/api/v1/users/me", "delete_user_me", [], None, None, None),
    ("GET", "/admin/api/users/", "list_users", q("limit", "skip", "query"), "PaginatedResults[User]", "list_users", M),
    ("POST", "/admin/api/users/", "create_user", [], "schemas.user.UserRead", "create_user", M),
    ("GET", "/admin/api/users/{id:uuid}", "get_user", [], "schemas.user.UserRead", "get_user", M),
    ("PATCH", "/admin/api/users/{id:uuid}", "update_user", [], "schemas.user.UserRead", "update_user", M),
    ("DELETE", "/admin/api/users/{id:uuid}", "delete_user", [], None, "delete_user", M),
    ("DELETE", "/admin/users/{id:uuid}/delete", "delete_user", [], None, "delete_user", M),
    ("GET", "/admin/api/users/{id:uuid}/permissions", "list_user_permissions", [], None, None, None),
    ("DELETE", "/admin/api/users/{id:uuid}/roles/{role_id:uuid}", "delete_user_role", [], None, None, None),
    ("GET", "/api/admin/users", "get_all", q("page", "perPage", "search"), "UserPagination", "list_users", M),
    ("GET", "/api/admin/users/{item_id}", "get_one", [], "UserOut", "get_user", M),
    ("PUT", "/api/admin/users/{item_id}", "update_one", [], "UserOut", "update_user", M),
    ("DELETE", "/api/admin/users/{item_id}", "delete_one", [], "UserOut", "delete_user", M),
    ("GET", "/api/users/self", "get_logged_in_user", [], "UserOut", None, None),
    # a GET on the collection answering one user is the caller's own profile, not a listing; `/users/all` lists
    ("GET", "/api/v1/users/", "read_user", [], "schemas.User", None, None),
    ("GET", "/api/v1/users/all", "read_all_users", q("page"), "List[schemas.User]", "list_users", M),
    ("GET", "/api/users/{id}/favorites", "get_favorites", [], None, None, None),
    ("GET", "/api/users", "get_all", q("page", "perPage"), "UserPagination", "list_users", M),
    ("GET", "/api/v1/{organization}/users", "get_users", q("page", "itemsPerPage", "q"), "UserPagination",
     "list_users", M),
    ("GET", "/api/v1/{organization}/users/{user_id}", "get_user", [], "UserRead", "get_user", M),
    ("PUT", "/api/v1/{organization}/users/{user_id}", "update_user", [], "UserRead", "update_user", M),
    ("GET", "/auth/users", "get_users", [], "list[User]", "list_users", M),
    ("POST", "/auth/users", "create_user", [], "User", "create_user", M),
    ("DELETE", "/auth/users/{user_email}", "delete_user", [], None, "delete_user", M),
    ("PUT", "/auth/users/{user_email}", "update_user", [], "User", "update_user", M),
    ("PUT", "/auth/users/me/password", "update_password", [], None, None, None),
    ("GET", "/v1/admin/users/", "list_users", q("after", "limit"), "List[User]", "list_users", M),
    ("POST", "/v1/admin/users/", "create_user", [], "User", "create_user", M),
    ("DELETE", "/v1/admin/users/", "delete_user", q("user_id"), "User", None, None),
    ("GET", "/backoffice/users/", "list", q("page", "limit", "query"), None, "list_users", M),
    ("GET", "/backoffice/users/{id}", "get", [], None, "get_user", M),
    ("POST", "/api/users/login", "login", [], "UserInResponse", None, None),
    ("POST", "/api/users", "register", [], "UserInResponse", "create_user", S),
    ("GET", "/api/profiles/{username}", "retrieve_profile_by_username", [], "ProfileInResponse", None, None),
    ("POST", "/users/{user_id}/deactivate", "deactivate_user", [], None, "update_user/suspend", M),
    ("POST", "/admin/users/{user_id}/deactivate", "deactivate", [], None, "update_user/suspend", M),
    ("POST", "/admin/users/{user_id}/reactivate", "reactivate", [], None, "update_user/activate", M),
    # a toggle flips the state: no fixed status of the standard update (under a module namespace, as before)
    ("PUT", "/users/api/v1/user/{user_id}/activate", "api_users_toggle_activate", [], None, None, None),
    ("POST", "/users/{user_id}/disable", "toggle_user", [], None, None, None),
    # a system-management prefix (`/sys`, `/system`) is an admin prefix, as in RBAC admin back-ends
    ("GET", "/api/v1/sys/users", "list_users_paged", q("page", "size"), "PageResult[UserOut]", "list_users", M),
    ("GET", "/system/users/{uid}", "user_detail", [], "UserOut", "get_user", M),
    # a plural `details` names a read as `detail` does (an item route under a bare `/api/v1`)
    ("GET", "/api/v1/users/{user_id}", "user_details", [], "User", "get_user", M),
    ("GET", "/api/v1/users/{user_id}", "details", [], None, "get_user", S),
    ("DELETE", "/api/system/users/{uid}", "remove_user", [], None, "delete_user", M),
    ("GET", "/api/v1/sys/users/me", "current_user", [], "UserOut", None, None),
    ("GET", "/api/v1/sys/roles", "list_roles", q("page"), None, None, None),
    # a singular noun alone answers the caller (`GET /user`, like `/me`), unless the route says it lists
    ("GET", "/user", "whoami", [], None, None, None),
    ("GET", "/api/user", "current_user", [], None, None, None),
    ("GET", "/api/v1/user", "get_users", q("page", "size"), None, "list_users", M),
    ("GET", "/api/v1/member", "all_members", [], None, "list_users", S),
    # a verb between the collection and the item (`/users/get/{id}`), as `/users/create` for a new one
    ("GET", "/users/get/{uid}", "fetch_user", [], None, "get_user", M),
    ("PUT", "/api/users/update/{uid}", "edit_user", [], None, "update_user", M),
    ("PATCH", "/users/edit/{uid}", "patch", [], None, "update_user", S),
    ("DELETE", "/users/delete/{uid}", "remove_user", [], None, "delete_user", M),
    ("POST", "/users/remove/{uid}", "drop", [], None, "delete_user", S),
    ("GET", "/members/detail/{member_id}", "member_detail", [], None, "get_user", S),
    ("GET", "/users/update/{uid}", "edit_form", [], None, None, None),
    ("DELETE", "/users/get/{uid}", "forget", [], None, None, None),
    ("GET", "/projects/get/{project_id}", "get_project", [], None, None, None),
    ("GET", "/users/get/all", "all_users", [], None, None, None),
    # --- members, nested under an organisation or tenant -------------------------------------------------------
    ("GET", "/organizations/{org}/members", "list_members", q("page", "limit"), "list[MemberRead]", "list_users", M),
    ("POST", "/organizations/{org}/members", "invite_member", [], "MemberRead", "create_user", M),
    ("DELETE", "/v1/organizations/{id}/members/{user_id}", "remove_member", [], None, "delete_user", M),
    ("DELETE", "/v1/organizations/{id}/members/leave", "leave_organization", [], None, None, None),
    ("GET", "/tenants/{tenant_id}/users", "tenant_users", [], None, "list_users", M),
    ("GET", "/workspaces/{workspace_id}/members/{member_id}", "get_member", [], "Member", "get_user", M),
    ("GET", "/api/groups/members", "get_group_members", q("page", "perPage"), "PaginationBase[UserOut]",
     "list_users", M),
    ("GET", "/v1/members/{id}", "get", [], "Member", "get_user", S),
    ("GET", "/teams/{team_id}/members", "list_members", [], None, "list_users", M),
    # a namespace of the service's own before the tenant scope (`/permissions/tenants/{id}/users`): the users of
    # that tenant; other collections of the tenant stay unmapped
    ("GET", "/api/v1/permissions/tenants/{tenant_id}/users", "get_users_in_tenant", [], None, "list_users", M),
    ("DELETE", "/api/v1/permissions/tenants/{tenant_id}/users/{user_id}", "remove_user_from_tenant_endpoint", [],
     None, "delete_user", M),
    ("GET", "/directory/orgs/{org_id}/members", "list_members", [], None, "list_users", M),
    ("GET", "/api/v1/permissions/tenants/{tenant_id}/roles/{role_id}/users", "get_users_in_role", [], None, None,
     None),
    ("GET", "/api/v1/permissions/tenants/{tenant_id}/roles/users/{user_id}", "get_user_roles", [], None, None, None),
    ("GET", "/projects/{project_id}/tenants/{tenant_id}/users", "project_tenant_users", [], None, None, None),
    # the caller's own customer account (singular, no id) before the collection: its members
    ("GET", "/client/members", "get_members", [], None, "list_users", S),
    ("POST", "/client/members", "add_member", [P("data", "body", "schemas.CreateMemberSchema")], None,
     "create_user", M),
    ("PUT", "/client/members/{memberId}", "edit_member", [P("data", "body", "schemas.EditMemberSchema")], None,
     "update_user", M),
    ("DELETE", "/client/members/{memberId}", "delete_member", [], None, "delete_user", S),
    ("GET", "/api/account/users", "list_users", q("page"), None, "list_users", M),
    ("GET", "/client/members/{memberId}/reset", "reset_reinvite_member", [], None, None, None),
    ("GET", "/client/invoices", "list_invoices", [], None, None, None),
    ("GET", "/clients/{client_id}/users", "client_users", [], None, None, None),
    ("POST", "/account/password", "change_password", [], None, None, None),
    # a module's own namespace before its API prefix (`/<module>/api/v1/...`): the rest is read as usual
    ("POST", "/crew/api/v1/members", "add_member", [P("data", "body", "NewMember")], None, "create_user", M),
    ("GET", "/crew/api/v1/members/{member_id}", "show_member", [], "MemberOut", "get_user", M),
    ("GET", "/shop/api/v2/orders", "list_orders", [], None, None, None),
    ("GET", "/a/b/c/api/v1/users", "list_users", [], None, None, None),  # three segments: not a namespace
    # --- admins ----------------------------------------------------------------------------------------------
    ("GET", "/api/v2/admin/admins", "list_admins", [], None, "list_users/admins", M),
    ("DELETE", "/api/admin/admins/{admin_id}", "remove_admin", [], None, "update_user/demote", M),
    # --- dashboards and statistics -----------------------------------------------------------------------------
    ("GET", "/stats/overview", "stats_overview", [], None, "get_tenant_stats", M),
    ("GET", "/api/v1/dashboard", "get_dashboard", [], None, "get_tenant_stats", M),
    ("GET", "/dashboard", "read_dashboards", [], "list[Dashboard]", "get_tenant_stats", S),
    ("GET", "/api/admin/dashboard/summary", "summary", [], None, "get_tenant_stats", M),
    ("GET", "/admin/statistics", "statistics", [], None, "get_tenant_stats", M),
    ("GET", "/api/admin/about/statistics", "get_app_statistics", [], None, None, None),
    ("GET", "/api/v1/{organization}/signals/stats", "get_signal_stats", [], None, None, None),
    ("GET", "/api/v1/payments/stats/daily", "api_payments_daily_stats", [], None, None, None),
    ("GET", "/ai/stats", "get_stats", [], None, None, None),
    ("GET", "/orgs/{org_id}/stats/costs", "get_costs", q("days"), None, "get_tenant_costs", M),
    ("GET", "/api/usage/costs", "usage_costs", [], None, "get_tenant_costs", S),
    ("GET", "/admin/dashboard/top-users", "top", q("days", "limit"), None, "get_top_users", M),
    ("GET", "/api/v1/stats/usage-patterns", "usage_patterns", [], None, "get_usage_patterns", M),
    ("GET", "/v1/runs/{run_id}/usage", "retrieve_run_usage", [], None, None, None),
    # --- settings ----------------------------------------------------------------------------------------------
    ("GET", "/api/admin/settings", "read_settings", [], None, "get_settings", M),
    ("PATCH", "/admin/api/v1/settings", "api_update_settings", [], None, "update_settings", M),
    ("GET", "/project/settings", "project_settings", [], None, None, None),
    ("GET", "/settings/smtp", "get_smtp_settings", [], None, None, None),
    ("GET", "/settings", "get_settings", [], None, "get_settings", S),
    # --- tenant lifecycle routes of the service's own ------------------------------------------------------------
    ("POST", "/platform/tenants/{tenant_id}/deactivate", "deactivate_tenant", [], "TenantStatusOut",
     "deactivate_tenant", M),
    ("POST", "/platform/tenants/{tenant_id}/reactivate", "reactivate_tenant", [], None, "activate_tenant/reactivate", M),
    ("PUT", "/api/v1/organizations/{org_id}/suspend", "suspend_org", [], None, "deactivate_tenant", M),
    ("POST", "/schools/{id}/archive", "archive", [], None, "deactivate_tenant", M),
    ("POST", "/workspaces/{ws}/disable", "handle", [], None, "deactivate_tenant", S),
    ("GET", "/admin/tenants/{tenant_id}/status", "tenant_status", [], None, "get_tenant_status", M),
    ("POST", "/api/v1/users/{user_id}/deactivate", "deactivate_user", [], None, "update_user/suspend", M),
    ("POST", "/projects/{project_id}/archive", "archive_project", [], None, None, None),
    ("POST", "/platform/tenants", "register_tenant", [], "TenantRegistered", "activate_tenant/register", S),
    ("POST", "/api/v1/organizations", "create_organization", [], None, "activate_tenant/register", S),
    # adding a user to a tenant (a POST on a tenant collection under a user) is a membership, not a registration
    ("POST", "/api/v1/permissions/users/{user_id}/tenants", "add_user_to_tenant", [], None, None, None),
    # --- nothing to do with users or dashboards ------------------------------------------------------------------
    ("GET", "/api/v1/items/", "read_items", q("skip", "limit"), "ItemsPublic", None, None),
    ("GET", "/summaries/{id}/", "read_summary", [], None, None, None),
    ("POST", "/api/v1/login/access-token", "login_access_token", [], "Token", None, None),
    ("GET", "/mt/tenant/{tenant_id}/users", "list_users", [], None, None, None),
    ("GET", "/health", "health", [], None, None, None),
]


def _route(method, path, function, params, model) -> R:
    return R([method], path, function, params, model)


@pytest.mark.parametrize(("method", "path", "function", "params", "model", "key", "level"), SHAPES,
                         ids=[f"{s[0]} {s[1]}" for s in SHAPES])
def test_route_shape_maps_to_the_expected_operation(method, path, function, params, model, key, level):
    catalog = builtin_catalog()
    route = _route(method, path, function, params, model)
    match, suggestion = catalog.match(route), catalog.suggest(route)
    if key is None:
        assert match is None and suggestion is None, (match or suggestion).evidence
        return
    found = match if level == M else suggestion
    other = suggestion if level == M else match
    assert found is not None and other is None, (match and match.confidence, suggestion and suggestion.confidence)
    assert found.entry.key == key
    assert found.evidence and 0 < found.confidence <= 1
    assert (found.confidence >= CONFIDENT) if level == M else (SUGGEST <= found.confidence < CONFIDENT)


def test_the_table_is_large_and_varied():
    assert len(SHAPES) >= 60
    assert sum(1 for s in SHAPES if s[5] is None) >= 15
    assert sum(1 for s in SHAPES if s[6] == S) >= 5


def test_shape_match_binds_the_item_parameter_to_the_standard_one():
    match = builtin_catalog().match(_route("GET", "/api/v1/{organization}/users/{uid}", "get_user", [], "UserRead"))
    assert match.param_map == {"uid": "user_id"}
    assert match.standard_path == "/mt/tenant/{tenant_id}/users/{user_id}"
    assert "recognised by shape" in match.entry.notes


def test_a_page_that_also_answers_get_is_no_creation_api():
    # `GET, POST /admin/users/create`: a dashboard page showing its form and taking its submission
    route = R(["GET", "POST"], "/admin/users/create", "create_user", [], None)
    assert builtin_catalog().match(route) is None and builtin_catalog().suggest(route) is None


def test_exact_entries_are_certain_and_say_so():
    match = builtin_catalog().match(R(["GET"], "/admin/users"))
    assert match.confidence == 1.0 and "built-in catalog" in match.evidence[0]


def test_an_admin_guarded_api_route_is_an_administrators_operation():
    # `APIRouter(prefix="/staffing/api/v1", dependencies=[Depends(require_admin)])`: `GET /user/{uid}` there is
    # an administrator reading one user; without the guard the same route is only a suggestion
    guard = ["svc.security.require_admin"]
    catalog = builtin_catalog()
    item = R(["GET"], "/staffing/api/v1/user/{uid}", "fetch_user", [], None, guard)
    match = catalog.match(item)
    assert match is not None and match.entry.key == "get_user" and match.param_map == {"uid": "user_id"}
    assert "guarded by the admin dependency `require_admin`" in match.evidence
    unguarded = R(["GET"], "/staffing/api/v1/user/{uid}", "fetch_user", [], None)
    assert catalog.match(unguarded) is None and catalog.suggest(unguarded).entry.key == "get_user"
    listing = R(["GET"], "/staffing/api/v1/user", "fetch_users", [], None, guard)
    assert catalog.match(listing).entry.key == "list_users"


def test_an_admin_guarded_page_outside_the_api_stays_a_suggestion():
    # `GET /users` rendering the admin UI behind the same guard: a page, not the listing API
    page = R(["GET"], "/users", "index", [], None, ["svc.security.require_admin"])
    assert builtin_catalog().match(page) is None
    assert builtin_catalog().suggest(page).entry.key == "list_users"
