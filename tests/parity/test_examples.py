"""The examples' parity data: the committed cassettes stay in sync with the phase-0 examples, replay clean, cover
every route family / seeded tenant / error class, and hold no secret."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from parity_support import (
    EXAMPLES,
    assert_no_secrets,
    example_args,
    example_credentials,
    isolated_import,
    read_cassette,
)


@dataclass(frozen=True)
class Coverage:
    """What an example's cassette must exercise besides every route and the error classes."""

    app: tuple[str, str]  # module, attribute
    tenants: tuple[str, ...]  # each appears in a path or an X-Tenant-ID (none for a single-tenant service)
    reads: tuple[str, ...]  # routes each tenant in `serving` (or the one deployment) answers with 200
    serving: tuple[str, ...] = ()  # the tenants whose reads are checked (default: all of `tenants`)


ADMIN_READS = ("/admin/dashboard", "/admin/dashboard/costs", "/admin/dashboard/usage-patterns", "/admin/users")
COVERAGE = {
    "advisor": Coverage(("advisor.server", "app"), ("seoul_national_university_101", "hallym_university_102",
                                                    "korea_university_103", "kaist_104"), ADMIN_READS),
    "llm_chatbot": Coverage(("llm_chatbot.main", "app"),
                            ("yonsei_university_201", "postech_202", "pusan_national_university_203"), ADMIN_READS),
    "mentor": Coverage(("mentor.main", "app"), (), ("/api/v1/admin/dashboard", "/api/v1/admin/usage/costs",
                                                    "/api/v1/admin/users", "/api/v1/admin/users/{user_id}")),
    # school 4 is deactivated: it appears (403s), the other three read their dashboard
    "classroom": Coverage(("classroom.app", "app"), ("1", "2", "3", "4"),
                          ("/v1/stats/overview", "/v1/stats/usage", "/v1/stats/leaderboard", "/v1/users",
                           "/v1/courses"), serving=("1", "2", "3")),
}
NAMES = sorted(EXAMPLES)


def _paths(name: str) -> tuple[Path, Path]:
    folder = EXAMPLES[name][0]
    return folder / "parity" / "requests.yaml", folder / "parity" / "cassette.jsonl"


@pytest.mark.parametrize("name", NAMES)
def test_rerecording_the_phase0_example_reproduces_the_committed_cassette(cli, tmp_path, name):
    requests, committed = _paths(name)
    fresh = tmp_path / "cassette.jsonl"
    result = cli("record", "-r", requests, "-o", fresh, "--no-timestamps", *example_args(name))
    assert result.exit_code == 0, result.output  # also: every `expect:` status was met
    assert fresh.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), (
        f"{committed} is out of date: re-record it with `migrator record -r {requests} -o {committed} "
        "--no-timestamps`")
    secrets = [*example_credentials(name).values(), "Parity-Pass-2026", "not-a-valid-token-0000"]
    assert_no_secrets(fresh, secrets)
    assert_no_secrets(committed, secrets)


@pytest.mark.parametrize("name", NAMES)
def test_committed_cassette_replays_clean_against_the_phase0_example(cli, name):
    _, cassette = _paths(name)
    result = cli("parity", "-c", cassette, "--format", "json", *example_args(name))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["phase"] == 0
    assert report["summary"]["failed"] == 0 and report["summary"]["noisy"] == 0
    assert report["summary"]["passed"] == len(read_cassette(cassette))


@pytest.mark.parametrize("name", NAMES)
def test_cassette_covers_routes_tenants_and_error_classes(name):
    _, cassette = _paths(name)
    exchanges = read_cassette(cassette)
    assert cassette.stat().st_size < 1_000_000
    statuses = {e["response"]["status"] for e in exchanges}
    assert {200, 401, 403, 404, 409, 422} <= statuses
    coverage = COVERAGE[name]
    tenants = {e["request"]["headers"].get("x-tenant-id") for e in exchanges}
    tenants |= {part for e in exchanges for part in e["request"]["path"].split("/")}
    assert set(coverage.tenants) <= tenants
    recorded = {(e["request"]["method"], e["route"]) for e in exchanges}
    folder, package, _ = EXAMPLES[name]
    with isolated_import(folder, package):
        app = getattr(importlib.import_module(coverage.app[0]), coverage.app[1])
        served = {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}
    assert served - recorded == set(), "routes without a recorded exchange"
    # each tenant (or the one deployment) reads its dashboard family
    for tenant in coverage.serving or coverage.tenants or (None,):
        routes = {e["route"] for e in exchanges if e["request"]["headers"].get("x-tenant-id") == tenant
                  and e["response"]["status"] == 200}
        assert set(coverage.reads) <= routes, tenant

