"""The rendered mappings on shapes the examples do not have: run them on legacy answers of those shapes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from migrator.shapes import function_params, map_operation, render_module
from shims.adapters import LegacyShapeError, generic

DASHBOARD = """
async def route(session):
    return {
        "user_count": 9,
        "active_7_days": await active(session, 7),
        "active_30_days": await active(session, 30),
        "admin_count": 2,
        "recent_activity": [{"day": d, "count": c} for d, c in await activity(session)],
    }
"""

TENANTS = """
from pydantic import BaseModel


class TenantOut(BaseModel):
    id: str
    name: str
    status: str
    created_at: str
    user_count: int
    region: str


@router.get("/tenants", response_model=list[TenantOut])
async def route():
    ...
"""

USERS = """
from pydantic import BaseModel


class UserOut(BaseModel):
    id: int
    email: str | None
    full_name: str | None
    username: str
    active: bool
    created_at: str


@router.get("/users", response_model=list[UserOut])
async def route():
    ...
"""


def render(infer_inline, load, tmp_path, operation: str, source: str, doc: str = "legacy", **kw):
    mapping = map_operation(operation, {doc: infer_inline(source, "route")})
    code = render_module([mapping], service="svc", **kw)
    return mapping, code, load(code, tmp_path)


@pytest.fixture
def loader():
    import importlib.util
    import itertools

    counter = itertools.count()

    def load_code(code: str, tmp_path: Path):
        name = f"rendered_case_{next(counter)}_{id(code)}"
        file = tmp_path / f"{name}.py"
        file.write_text(code, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    return load_code


def test_stats_of_another_dashboard_shape(infer_inline, loader, tmp_path):
    mapping, code, module = render(infer_inline, loader, tmp_path, "get_tenant_stats", DASHBOARD, "dashboard")
    assert mapping.automatic
    legacy = {
        "user_count": 9, "active_7_days": 3, "active_30_days": 6, "admin_count": 2,
        "recent_activity": [{"day": f"2026-11-{d:02d}", "count": d} for d in range(1, 21)],
    }
    week = module.get_tenant_stats_from_legacy("t1", "7d", legacy)
    month = module.get_tenant_stats_from_legacy("t1", "30d", legacy)
    assert (week.summary.total_users, week.summary.active_users, month.summary.active_users) == (9, 3, 6)
    assert week.summary.total_messages == sum(range(14, 21))  # the 7 newest days
    assert month.summary.total_messages == sum(range(1, 21))
    assert [d.date for d in week.trends["daily"]][:2] == ["2026-11-20", "2026-11-19"]  # newest first
    assert week.trends["daily"][0].messages == 20
    assert 'key="day"' in code  # the window reads the legacy key of the dates


def test_a_bare_tenant_list_keeps_its_extra_fields(infer_inline, loader, tmp_path):
    mapping, code, module = render(infer_inline, loader, tmp_path, "list_tenants", TENANTS)
    assert mapping.automatic
    legacy = [{"id": "acme", "name": "Acme", "status": "active", "created_at": "2026-01-01", "user_count": 4,
               "region": "eu"}]
    [summary] = module.list_tenants_from_legacy(legacy)
    assert summary.model_dump(exclude_unset=True) == {
        "tenant_id": "acme", "university_name": "Acme", "status": "active", "created_at": "2026-01-01",
        "users_count": 4, "region": "eu",
    }


def test_a_bare_user_list_pages_with_its_length(infer_inline, loader, tmp_path):
    mapping, code, module = render(infer_inline, loader, tmp_path, "list_users", USERS, "page")
    assert mapping.automatic
    legacy = [{"id": 7, "email": None, "full_name": None, "username": "kim", "active": False,
               "created_at": "2026-01-01"}]
    page = module.list_users_page_from_legacy(legacy)
    assert page == {"users": legacy, "total": 1}
    response = module.list_users_from_legacy("t1", 1, 20, 0, page["users"])
    [user] = response.users
    assert (user.user_id, user.email, user.name, user.role.value, user.status.value) == (
        "7", "", "kim", "user", "suspended")


def test_function_params_are_what_the_codemod_calls():
    from migrator.shapes.mapping import FieldMap, OperationMapping

    def mapping(operation, inputs, docs):
        return OperationMapping(operation=operation, function=f"{operation}_from_legacy", model="M", inputs=inputs,
                                docs=docs, routes={}, root=FieldMap(target="", name="", rule="object"))

    assert function_params(mapping("get_tenant_stats", [("tenant_id", "str"), ("period", "str")],
                                   ["dashboard", "costs"])) == [
        ("tenant_id", "str"), ("period", "str"), ("dashboard", "Any"), ("costs", "Any = None")]  # costs: optional
    assert function_params(mapping("list_users", [("tenant_id", "str"), ("total", "int")], ["page"]))[-1] == (
        "users", "list[Any]")


def test_manual_mappings_are_left_out_unless_asked_for_and_then_say_what_is_missing(infer_inline, tmp_path):
    source = "async def route():\n    return {\"id\": 1, \"username\": \"kim\", \"is_active\": True}\n"
    mapping = map_operation("get_user", {"legacy": infer_inline(source, "route")})
    assert not mapping.automatic
    assert "get_user_from_legacy" not in render_module([mapping], service="svc")
    code = render_module([mapping], service="svc", include_manual=True)
    assert "def get_user_from_legacy" in code and "not mapped: email" in code and "created_at" in code
    compile(code, "legacy_shapes.py", "exec")


def test_generic_windows_order_and_validate_dates():
    rows = [{"date": "2026-11-01", "n": 1}, {"date": "2026-11-10", "n": 2}, {"date": "2026-11-08", "n": 3}]
    assert [r["n"] for r in generic.newest_first(rows)] == [2, 3, 1]
    assert [r["n"] for r in generic.in_period(rows, 3)] == [2, 3]
    assert generic.in_period([], 7) == []
    with pytest.raises(LegacyShapeError, match=r"\[1\]\.date"):
        generic.newest_first([{"date": "2026-11-01"}, {"date": "soon"}])


def test_generic_feature_lists():
    assert generic.enabled_features({"chat": True, "quiz": False, "rag": 1}) == ["chat", "rag"]
    assert generic.enabled_features(["chat"]) == ["chat"]
    assert generic.enabled_features(None) == []


def test_the_stats_without_costs_take_the_standard_defaults_for_the_fields_read_from_the_costs(infer_inline):
    from migrator.shapes.render import optional_paths

    dashboard = infer_inline('async def route():\n    return {"total_users": 3, "active_users": 2}\n', "route")
    costs = infer_inline('async def route(days: int = 30):\n    return {"total_cost": 1.5, "days": days}\n', "route")
    mapping = map_operation("get_tenant_stats", {"dashboard": dashboard, "costs": costs})
    assert mapping.automatic and optional_paths(mapping) == {"costs": ["summary.estimated_cost_usd"]}
    namespace: dict = {}
    exec(compile(render_module([mapping], service="svc"), "legacy_shapes.py", "exec"), namespace)
    convert = namespace["get_tenant_stats_from_legacy"]
    with_costs = convert("t1", "30d", {"total_users": 3, "active_users": 2}, {"total_cost": 1.5, "days": 30})
    assert with_costs.summary.estimated_cost_usd == 1.5 and with_costs.summary.total_users == 3
    without = convert("t1", "30d", {"total_users": 3, "active_users": 2})
    assert without.summary.estimated_cost_usd == 0.0 and without.summary.active_users == 2
