"""mentor and classroom (services written in other idioms, with no fixed adapter): their dashboard, costs and user
routes infer, map and render automatically, and the rendered functions give the standard answer of what the legacy
answered in their recorded cassettes (checked against the legacy values themselves)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import libcst as cst
import pytest

from migrator.shapes import Evaluator, ModuleIndex, infer_response, map_operation, render_module

REPO = Path(__file__).resolve().parents[2]

# route function -> (operation, document); read directly (classroom's TenantRouter is beyond the inventory today)
ROUTES = {
    "mentor": {
        "mentor.api.routes.dashboard.get_dashboard": ("get_tenant_stats", "dashboard"),
        "mentor.api.routes.dashboard.get_usage_costs": ("get_tenant_costs", "legacy"),
        "mentor.api.routes.users.list_users": ("list_users", "page"),
        "mentor.api.routes.users.get_user": ("get_user", "legacy"),
        "mentor.api.routes.users.create_user": ("create_user", "legacy"),
        "mentor.api.routes.users.update_user": ("update_user", "legacy"),
        "mentor.api.routes.users.delete_user": ("delete_user", "legacy"),
    },
    "classroom": {
        "classroom.routers.stats.overview": ("get_tenant_stats", "dashboard"),
        "classroom.routers.stats.usage": ("get_tenant_costs", "legacy"),
        "classroom.routers.stats.leaderboard": ("get_top_users", "legacy"),
        "classroom.routers.users.list_users": ("list_users", "page"),
        "classroom.routers.users.get_user": ("get_user", "legacy"),
        "classroom.routers.users.create_user": ("create_user", "legacy"),
        "classroom.routers.users.update_user": ("update_user", "legacy"),
        "classroom.routers.users.delete_user": ("delete_user", "legacy"),
        "classroom.routers.platform.tenant_status": ("get_tenant_status", "legacy"),
        "classroom.routers.platform.list_tenants": ("list_tenants", "legacy"),
    },
}

EXPECTED = {  # standard path -> "<rule> <legacy paths>" (as tests/shapes/test_cases.py writes them)
    ("mentor", "get_tenant_stats"): {
        "summary.total_users": "copy total_users",
        "summary.active_users": "by_period active_7_days active_30_days",
        "summary.new_users_this_period": "copy new_users_7_days",
        "summary.total_messages": "window_sum messages_by_day messages",
        "summary.estimated_cost_usd": "copy total_cost",
        "trends.daily": "list messages_by_day",
        "trends.daily[].date": "text day",
    },
    ("mentor", "get_tenant_costs"): {"total_cost_usd": "copy total_cost", "by_user_top10": "list top_spenders",
                                     "daily_trend": "list daily", "daily_trend[].cost_usd": "copy cost"},
    ("mentor", "list_users"): {"users": "list items", "users[].role": "role_flag is_admin",
                               "users[].name": "text full_name username", "page.total": "copy total"},
    ("mentor", "get_user"): {"usage.messages": "copy message_count", "usage.sessions": "copy conversation_count",
                             "last_login": "text last_login_at"},
    ("mentor", "delete_user"): {"message": 'constant "User deleted"', "user_id": "input user_id"},
    ("classroom", "get_tenant_stats"): {
        "summary.total_users": "copy users.total",
        "summary.active_users": "copy users.activeInPeriod",
        "summary.new_users_this_period": "copy users.newInPeriod",
        "summary.estimated_cost_usd": "copy questions.costUsdInPeriod",
        "trends.daily": "list daily",
        "trends.daily[].users": "copy activeUsers",
    },
    ("classroom", "get_tenant_costs"): {"by_model": "list byModel", "by_model[].input_tokens": "copy promptTokens",
                                        "daily_trend": "list byDay"},
    ("classroom", "get_top_users"): {"users": "list", "users[].user_id": "id userId",
                                     "users[].last_active": "text lastActive"},
    ("classroom", "list_users"): {"users": "list items", "users[].status": "user_status_text status"},
    ("classroom", "list_tenants"): {"tenants": "list", "tenants[].tenant_id": "id id",
                                    "tenants[].university_name": "text name"},
}


def summary(mapping) -> dict[str, str]:
    out, stack = {}, [mapping.root, *([mapping.page_total] if mapping.page_total else [])]
    while stack:
        current = stack.pop()
        if current.target:
            value = [current.value] if current.rule in ("input", "constant") and current.value else []
            out[current.target] = " ".join([current.rule, *(".".join(s.path) for s in current.sources), *value])
        stack.extend(current.children)
    return out


@pytest.fixture(scope="module")
def mapped():
    out = {}
    for service, routes in ROUTES.items():
        root = REPO / "examples" / service
        index = ModuleIndex(root)
        evaluator = Evaluator(index)
        inferred = {}
        for dotted, (operation, doc) in routes.items():
            module_name, _, name = dotted.rpartition(".")
            module = index(module_name)
            func = module.definitions[name]
            assert isinstance(func, cst.FunctionDef), dotted
            inferred[operation] = (doc, infer_response(func, module, index, evaluator=evaluator))
        for operation, (doc, response) in inferred.items():
            docs = {doc: response}
            if operation == "get_tenant_stats":
                docs["costs"] = inferred["get_tenant_costs"][1]
            out[(service, operation)] = map_operation(operation, docs)
    return out


@pytest.fixture(scope="module")
def rendered(mapped, tmp_path_factory):
    import importlib.util
    import sys

    modules = {}
    for service in ROUTES:
        code = render_module([m for (s, _), m in mapped.items() if s == service], service=service)
        file = tmp_path_factory.mktemp(service) / f"{service}_legacy_shapes.py"
        file.write_text(code, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(file.stem, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[file.stem] = module
        spec.loader.exec_module(module)
        modules[service] = module
    return modules


def answers(service: str, route: str, method: str = "GET") -> list[tuple[dict, object]]:
    out = []
    for line in (REPO / "examples" / service / "parity" / "cassette.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["route"] == route and item["request"]["method"] == method and 200 <= item["response"]["status"] < 300:
            query = {k: v[0] for k, v in parse_qs(item["request"]["query"]).items()}
            out.append((query, item["response"].get("json")))
    assert out, route
    return out


def test_every_route_is_automatic_and_maps_as_expected(mapped):
    assert [key for key, mapping in mapped.items() if not mapping.automatic] == []
    for key, expected in EXPECTED.items():
        got = summary(mapped[key])
        for target, rule in expected.items():
            assert got.get(target, "").strip() == rule, (key, target, got.get(target))


def test_mentor_costs_keyed_by_model_name_are_reported_not_guessed(mapped):
    missing = {m.target: m for m in mapped[("mentor", "get_tenant_costs")].missing}
    assert "by_model" in missing and not missing["by_model"].required


def test_mentor_dashboard_answers(rendered):
    module = rendered["mentor"]
    costs = [legacy for query, legacy in answers("mentor", "/api/v1/admin/usage/costs") if query.get("days") in
             (None, "30")]
    for _, legacy in answers("mentor", "/api/v1/admin/dashboard"):
        days = legacy["messages_by_day"]
        for period, active in (("7d", legacy["active_7_days"]), ("30d", legacy["active_30_days"])):
            stats = module.get_tenant_stats_from_legacy("mentor", period, legacy, costs[0])
            size = int(period[:-1])
            assert (stats.summary.total_users, stats.summary.active_users) == (legacy["total_users"], active)
            assert stats.summary.total_tokens == sum(d["tokens"] for d in days[-size:])
            assert [t.date for t in stats.trends["daily"]] == [d["day"] for d in reversed(days[-size:])]
            assert stats.summary.estimated_cost_usd == costs[0]["total_cost"]


def test_mentor_users(rendered):
    module = rendered["mentor"]
    for query, legacy in answers("mentor", "/api/v1/admin/users"):
        page = module.list_users_page_from_legacy(legacy)
        response = module.list_users_from_legacy("mentor", page["total"], 50, 0, page["users"])
        assert [u.user_id for u in response.users] == [str(u["id"]) for u in legacy["items"]]
        assert [u.role.value for u in response.users] == ["admin" if u["is_admin"] else "user" for u in legacy["items"]]
        assert [u.name for u in response.users] == [u["full_name"] or u["username"] for u in legacy["items"]]
    for _, legacy in answers("mentor", "/api/v1/admin/users/{user_id}"):
        user = module.get_user_from_legacy(legacy)
        assert (user.usage.messages, user.usage.sessions, user.usage.tokens) == (
            legacy["message_count"], legacy["conversation_count"], legacy["total_tokens"])
        assert user.status.value == ("active" if legacy["is_active"] else "suspended")
    for _, legacy in answers("mentor", "/api/v1/admin/users", "POST"):
        created = module.create_user_from_legacy(True, legacy)
        assert (created.user_id, created.email, created.temporary_password) == (
            str(legacy["id"]), legacy["email"], True)


def test_classroom_stats_leaderboard_and_tenants(rendered):
    module = rendered["classroom"]
    usage = {q.get("period", "30d"): legacy for q, legacy in answers("classroom", "/v1/stats/usage")}
    for query, legacy in answers("classroom", "/v1/stats/overview"):
        period = query.get("period", "30d")
        stats = module.get_tenant_stats_from_legacy("1", period, legacy, usage.get(period, usage["30d"]))
        assert stats.summary.active_users == legacy["users"]["activeInPeriod"]
        assert stats.summary.total_users == legacy["users"]["total"]
        assert len(stats.trends["daily"]) == len(legacy["daily"]) and stats.trends["daily"][0].date == legacy["to"]
    for query, legacy in answers("classroom", "/v1/stats/leaderboard"):
        top = module.get_top_users_from_legacy("1", query.get("period", "30d"), legacy)
        assert [(u.user_id, u.messages) for u in top.users] == [(str(e["userId"]), e["questions"]) for e in legacy]
    for _, legacy in answers("classroom", "/platform/tenants"):
        tenants = module.list_tenants_from_legacy(legacy)
        assert [(t.tenant_id, t.university_name, t.status) for t in tenants] == [
            (str(t["id"]), t["name"], t["status"]) for t in legacy]


def test_classroom_users(rendered):
    module = rendered["classroom"]
    for _, legacy in answers("classroom", "/v1/users"):
        page = module.list_users_page_from_legacy(legacy)
        response = module.list_users_from_legacy("1", page["total"], 20, 0, page["users"])
        assert [u.status.value for u in response.users] == [
            "active" if u["status"] == "active" else "suspended" for u in legacy["items"]]
    for _, legacy in answers("classroom", "/v1/users/{user_id}"):
        user = module.get_user_from_legacy(legacy)
        assert (user.user_id, user.email, user.usage.tokens) == (str(legacy["id"]), legacy["email"],
                                                                  legacy["activity"]["tokens"])
    for _, legacy in answers("classroom", "/v1/users/{user_id}", "PATCH"):
        assert module.update_user_from_legacy(legacy).name == legacy["name"]
    for _, legacy in answers("classroom", "/v1/users/{user_id}", "DELETE"):
        deleted = module.delete_user_from_legacy("7", legacy)
        assert (deleted.success, deleted.user_id) == (True, str(legacy["id"]))
