"""The mappings rendered from the two examples' code reproduce today's fixed `shims.adapters` on real answers.

Every 2xx exchange of each example's recorded cassette that an operation reads goes through both the fixed
adapter and the rendered function; the standard answers must be equal (for the tenant summaries also in what is
set, which the Service Market alias serialises).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from shims import adapters

REPO = Path(__file__).resolve().parents[2]
PERIODS = {7: "7d", 30: "30d", 90: "90d"}


def exchanges(service: str) -> list[dict]:
    out = []
    for line in (REPO / "examples" / service / "parity" / "cassette.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if 200 <= item["response"]["status"] < 300 and isinstance(item["response"].get("json"), (dict, list)):
            query = {k: v[0] for k, v in parse_qs(item["request"]["query"]).items()}
            out.append({**item, "query": query, "tenant": item["request"]["headers"].get("x-tenant-id")})
    return out


def by_route(service: str) -> dict[tuple[str, str], list[dict]]:
    grouped = defaultdict(list)
    for item in exchanges(service):
        grouped[(item["request"]["method"], item["route"])].append(item)
    return grouped


def dumped(model) -> dict:
    return model.model_dump(mode="json")


SERVICES = ["advisor", "llm_chatbot"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_read_operation_is_automatic_on_both_examples(service, example_mappings):
    mappings = example_mappings[service]
    expected = {"get_tenant_stats", "get_tenant_costs", "get_top_users", "get_usage_patterns", "list_users",
                "get_user", "update_user", "create_user", "delete_user"}
    expected |= {"get_tenant_status", "get_tenant_summary", "list_tenants"} if service == "advisor" else {
        "get_settings", "update_settings"}
    assert expected <= set(mappings)
    assert {op for op in expected if not mappings[op].automatic} == set()


@pytest.mark.parametrize("service", SERVICES)
def test_stats_equal_the_fixed_adapter_for_every_period(service, rendered_examples):
    module = rendered_examples[service][1]
    routes = by_route(service)
    costs_of = defaultdict(list)
    for item in routes[("GET", "/admin/dashboard/costs")]:
        costs_of[item["tenant"]].append(item)
    compared = 0
    for dashboard in routes[("GET", "/admin/dashboard")]:
        tenant = dashboard["tenant"]
        for costs in costs_of[tenant]:
            for period in ("7d", "30d", "90d"):
                legacy, legacy_costs = dashboard["response"]["json"], costs["response"]["json"]
                fixed = adapters.stats_from_dashboard(tenant, period, legacy, legacy_costs)
                rendered = module.get_tenant_stats_from_legacy(tenant, period, legacy, legacy_costs)
                assert dumped(rendered) == dumped(fixed), (dashboard["id"], costs["id"], period)
                compared += 1
    assert compared >= 9


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "route, operation, fixed",
    [
        ("/admin/dashboard/costs", "get_tenant_costs", adapters.costs_from_legacy),
        ("/admin/dashboard/usage-patterns", "get_usage_patterns", adapters.usage_patterns_from_legacy),
        ("/admin/dashboard/top-users", "get_top_users", adapters.top_users_from_legacy),
    ],
)
def test_period_reads_equal_the_fixed_adapters(service, route, operation, fixed, rendered_examples):
    module = rendered_examples[service][1]
    items = by_route(service)[("GET", route)]
    assert items
    for item in items:
        period = PERIODS.get(int(item["query"].get("days", 30)), "30d")
        legacy = item["response"]["json"]
        rendered = getattr(module, f"{operation}_from_legacy")(item["tenant"], period, legacy)
        assert dumped(rendered) == dumped(fixed(item["tenant"], period, legacy)), item["id"]


@pytest.mark.parametrize("service", SERVICES)
def test_user_listing_pages_equal_the_fixed_adapter(service, rendered_examples):
    module = rendered_examples[service][1]
    items = by_route(service)[("GET", "/admin/users")]
    assert len(items) >= 4
    for item in items:
        page = module.list_users_page_from_legacy(item["response"]["json"])
        legacy = item["response"]["json"]
        assert page == {"users": legacy["users"], "total": legacy["total"]}
        limit, offset = int(item["query"].get("limit", 20)), 0
        fixed = adapters.users_list_from_legacy(item["tenant"], legacy["users"], legacy["total"], limit, offset)
        rendered = module.list_users_from_legacy(item["tenant"], page["total"], limit, offset, page["users"])
        assert dumped(rendered) == dumped(fixed), item["id"]


@pytest.mark.parametrize("service", SERVICES)
def test_single_users_equal_the_fixed_adapters(service, rendered_examples):
    module = rendered_examples[service][1]
    routes = by_route(service)
    compared = 0
    for item in routes[("GET", "/admin/users/{user_id}")]:
        legacy = item["response"]["json"]
        assert dumped(module.get_user_from_legacy(legacy)) == dumped(adapters.user_from_legacy(legacy))
        compared += 1
    for item in routes[("PUT", "/admin/users/{user_id}")]:
        legacy = item["response"]["json"]
        assert dumped(module.update_user_from_legacy(legacy)) == dumped(adapters.user_from_legacy(legacy))
        compared += 1
    for item in routes[("POST", "/admin/users")]:
        legacy = item["response"]["json"]
        for generated in (True, False):
            fixed = adapters.create_user_response_from_legacy(legacy, generated)
            assert dumped(module.create_user_from_legacy(generated, legacy)) == dumped(fixed)
        compared += 1
    for item in routes[("DELETE", "/admin/users/{user_id}")]:
        legacy = item["response"]["json"]
        user_id = item["request"]["path"].rsplit("/", 1)[-1]
        fixed = adapters.delete_response_from_legacy(legacy)
        assert dumped(module.delete_user_from_legacy(user_id, legacy)) == dumped(fixed)
        compared += 1
    assert compared >= 4


def test_tenant_status_summary_and_list_equal_the_fixed_adapters(rendered_examples):
    module = rendered_examples["advisor"][1]
    routes = by_route("advisor")
    statuses = routes[("GET", "/api/tenant/status/{tenant_id}")]
    assert statuses
    for item in statuses:
        legacy, tenant = item["response"]["json"], item["request"]["path"].rsplit("/", 1)[-1]
        fixed_status = adapters.status_from_legacy(legacy)
        assert dumped(module.get_tenant_status_from_legacy(tenant, legacy)) == dumped(fixed_status)
        fixed = adapters.tenant_summary_from_legacy(legacy)
        rendered = module.get_tenant_summary_from_legacy(tenant, legacy)
        assert rendered.model_dump(exclude_unset=True) == fixed.model_dump(exclude_unset=True)
    for item in routes[("GET", "/api/tenant/list")]:
        legacy = item["response"]["json"]
        fixed = [adapters.tenant_summary_from_legacy(t).model_dump(exclude_unset=True) for t in legacy["tenants"]]
        assert [t.model_dump(exclude_unset=True) for t in module.list_tenants_from_legacy(legacy)] == fixed


def test_settings_equal_the_fixed_adapter(rendered_examples):
    module = rendered_examples["llm_chatbot"][1]
    routes = by_route("llm_chatbot")
    items = routes[("GET", "/admin/settings")] + routes[("PUT", "/admin/settings")]
    assert len(items) >= 4
    for item in items:
        legacy = item["response"]["json"]
        fixed = dumped(adapters.settings_from_legacy(legacy))
        assert dumped(module.get_settings_from_legacy(item["tenant"], legacy)) == fixed
        assert dumped(module.update_settings_from_legacy(item["tenant"], legacy)) == fixed


@pytest.mark.parametrize("service", SERVICES)
def test_rendered_module_is_ruff_clean_and_fits_120_columns(service, rendered_examples, tmp_path):
    import subprocess
    import sys

    code = rendered_examples[service][0]
    file = tmp_path / "legacy_shapes.py"
    file.write_text(code, encoding="utf-8")
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--isolated", "--select", "I,F,E501", "--line-length", "120",
                             file.name], capture_output=True, text=True, cwd=tmp_path)  # as in a service
    assert result.returncode == 0, result.stdout + result.stderr
