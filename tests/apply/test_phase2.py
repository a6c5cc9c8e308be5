"""`migrator apply --phase 2` on the `svc` fixture (a service as phase 1 leaves it): what changes, what does not."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from codemods.tests.phase23_repo_cases import DEPRECATED, JOURNAL, load_app, write_repo
from migrator.apply import ApplyError, plan_phase, write_phase
from migrator.testing.headers import parse_deprecation, parse_link, parse_sunset
from shims.deprecation import (
    CallCounter,
    caller_identity,
    set_default_counter,
)

NOW = datetime(2026, 12, 9, 9, 30, tzinfo=timezone.utc)  # phase 1 was applied on 2026-11-25
MARKET_KEY = "fixture-market-key"
ADMIN = {"Authorization": "Bearer fixture-admin-token", "X-Tenant-ID": "t1"}
STANDARD = {"X-Market-API-Key": MARKET_KEY}

# every deprecated route, called the way a legacy client calls it
CALLS = {
    ("GET", "/admin/dashboard"): ("/admin/dashboard", {}),
    ("GET", "/admin/dashboard/costs"): ("/admin/dashboard/costs?days=7", {}),
    ("GET", "/admin/dashboard/top-users"): ("/admin/dashboard/top-users?limit=3", {}),
    ("GET", "/admin/dashboard/usage-patterns"): ("/admin/dashboard/usage-patterns", {}),
    ("GET", "/admin/users"): ("/admin/users?page=2", {}),
    ("GET", "/admin/users/{user_id}"): ("/admin/users/1", {}),
    ("POST", "/api/marketplace/demo/request"): (
        "/api/marketplace/demo/request",
        {"json": {"university_name": "kaist", "application_id": 7},
         "headers": {"X-Marketplace-Key": "fixture-marketplace-key"}}),
}
SUCCESSORS = {r["path"]: r["standard_path"] for r in JOURNAL["routes"] if r["state"] == "moved"}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEY", MARKET_KEY)
    monkeypatch.delenv("MIGRATOR_DEPRECATION_LOG", raising=False)
    counter = CallCounter()
    set_default_counter(counter)
    yield counter
    set_default_counter(None)


@pytest.fixture
def repo(tmp_path):
    return write_repo(tmp_path / "svc_repo")


def apply(root, phase, **options):
    result = plan_phase(root, phase, **options)
    return result, write_phase(root, result)


def call(client, method, path, **kwargs):
    url, extra = CALLS[(method, path)]
    headers = {**ADMIN, **extra.get("headers", {})}
    return client.request(method, url, headers=headers, json=extra.get("json"))


def cli() -> typer.Typer:
    from migrator.commands import apply as apply_command

    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """apply only"""

    apply_command.register(app)
    return app


def test_exactly_the_moved_routes_are_marked_deprecated_with_the_sunset(repo):
    result, written = apply(repo, 2, now=NOW)
    assert sorted(written) == [".migrator/journal.json", "svc/routers/dashboard.py", "svc/routers/marketplace.py",
                               "svc/routers/users.py", "svc/server.py"]
    spec = load_app(repo).openapi()
    marked = {(method.upper(), path): op for path, ops in spec["paths"].items() for method, op in ops.items()
              if op.get("deprecated")}
    assert set(marked) == set(DEPRECATED)
    assert {op["x-sunset"] for op in marked.values()} == {"2026-12-23"}
    journal = json.loads((repo / ".migrator/journal.json").read_text())
    assert journal["deprecation"] == {"date": "2026-12-09", "sunset": "2026-12-23", "gone": False}
    states = {(r["methods"][0], r["path"]): r["state"] for r in journal["routes"]}
    assert {k for k, v in states.items() if v == "deprecated"} == set(DEPRECATED)
    assert states[("GET", "/api/tenant/list")] == "alias"  # the alias router will serve it: no warning
    assert states[("POST", "/admin/users/{user_id}/suspend")] == "manual"
    assert journal["phases"][-1]["phase"] == 2 and journal["phases"][-1]["details"]["deprecated"] == 7


def test_openapi_is_unchanged_apart_from_the_flag(repo):
    before = load_app(repo).openapi()
    apply(repo, 2, now=NOW)
    after = load_app(repo).openapi()
    assert set(after["paths"]) - set(before["paths"]) == {"/mt/deprecations"}
    for path, operations in before["paths"].items():
        for method, operation in operations.items():
            changed = dict(after["paths"][path][method])
            changed.pop("deprecated", None)
            changed.pop("x-sunset", None)
            assert changed == operation, f"{method.upper()} {path}"  # parameters, auth headers, bodies, responses
    schemas, old_schemas = after["components"]["schemas"], before["components"]["schemas"]
    assert {name: schemas[name] for name in old_schemas} == old_schemas
    assert set(schemas) - set(old_schemas) == {"DeprecationUsage", "RecentCalls"}  # GET /mt/deprecations
    assert after["components"]["securitySchemes"] == before["components"]["securitySchemes"]


def test_deprecated_routes_answer_as_before_plus_exactly_the_three_headers(repo):
    old = TestClient(load_app(repo))
    before = {key: call(old, *key) for key in CALLS}
    apply(repo, 2, now=NOW)
    new = TestClient(load_app(repo))
    for key in CALLS:
        answer = call(new, *key)
        assert (answer.status_code, answer.json()) == (before[key].status_code, before[key].json()), key
        assert set(answer.headers) - set(before[key].headers) == {"deprecation", "sunset", "link"}, key
        assert parse_deprecation(answer.headers["deprecation"]) == datetime(2026, 12, 9, tzinfo=timezone.utc)
        assert answer.headers["deprecation"] == "@1796774400"
        assert parse_sunset(answer.headers["sunset"]) == datetime(2026, 12, 23, tzinfo=timezone.utc)
        assert answer.headers["sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"
        (link,) = parse_link(answer.headers["link"])
        assert link.rel == "successor-version"
        assert link.url == SUCCESSORS[key[1]].replace("{tenant_id}", "t1").replace("{user_id}", "1")


def test_routes_that_are_not_deprecated_carry_no_header(repo):
    apply(repo, 2, now=NOW)
    client = TestClient(load_app(repo))
    for method, url in [("GET", "/admin/dashboard/top_users"), ("GET", "/admin/dashboard/export"),
                        ("POST", "/admin/users/1/suspend"), ("GET", "/health")]:
        answer = client.request(method, url, headers=ADMIN)
        assert answer.status_code == 200, url
        assert not {"deprecation", "sunset", "link"} & set(answer.headers), url
    tenants = client.get("/api/tenant/list", headers={"X-API-Key": "fixture-api-key"})
    assert tenants.status_code == 200 and "deprecation" not in tenants.headers


def test_auth_and_validation_answers_are_unchanged(repo):
    old = TestClient(load_app(repo))
    probes = [("GET", "/admin/dashboard", {}), ("GET", "/admin/dashboard/costs?days=0", ADMIN),
              ("GET", "/admin/users/x", ADMIN), ("POST", "/api/marketplace/demo/request", {})]
    before = [old.request(m, u, headers=h) for m, u, h in probes]
    apply(repo, 2, now=NOW)
    new = TestClient(load_app(repo))
    for (method, url, headers), was in zip(probes, before):
        now = new.request(method, url, headers=headers)
        assert (now.status_code, now.json()) == (was.status_code, was.json()), url
    unauthorised = new.get("/admin/dashboard", headers={"X-Tenant-ID": "t1"})  # auth runs after the headers
    assert unauthorised.status_code == 401 and unauthorised.headers["sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"


def test_calling_a_deprecated_route_emits_a_deprecation_warning(repo):
    apply(repo, 2, now=NOW)
    client = TestClient(load_app(repo))
    with pytest.warns(DeprecationWarning, match=r"Use GET /mt/tenant/\{tenant_id\}/stats instead"):
        client.get("/admin/dashboard", headers=ADMIN)
    with pytest.warns(DeprecationWarning, match="stats/top-users"):  # the shared function of both spellings
        client.get("/admin/dashboard/top-users", headers=ADMIN)


def test_the_counter_counts_per_route_and_caller_without_the_secret(repo, _isolated):
    apply(repo, 2, now=NOW)
    client = TestClient(load_app(repo))
    client.get("/admin/dashboard", headers=ADMIN)
    client.get("/admin/dashboard", headers=ADMIN)
    client.get("/admin/dashboard")  # no credential: counted by client address
    client.get("/admin/users/2", headers=ADMIN)
    client.get("/admin/dashboard/export", headers=ADMIN)  # not deprecated: not counted
    assert client.get("/mt/deprecations").status_code == 401  # behind the market key
    usage = client.get("/mt/deprecations", headers=STANDARD)
    assert usage.status_code == 200
    me = caller_identity(ADMIN, None)
    assert usage.json()["calls"] == {"GET /admin/dashboard": {me: 2, "ip:testclient": 1},
                                     "GET /admin/users/{user_id}": {me: 1}}
    assert usage.json()["last_7_days"]["total"] == 4
    assert "fixture-admin-token" not in usage.text
    assert _isolated.total() == 4


def test_a_second_run_changes_nothing(repo):
    apply(repo, 2, now=NOW)
    result = plan_phase(repo, 2, now=datetime(2026, 12, 10, tzinfo=timezone.utc))
    assert [c.path for c in result.changes if c.changed] == []
    runner = CliRunner()
    out = runner.invoke(cli(), ["apply", "--phase", "2", str(repo)])
    assert out.exit_code == 0 and "nothing to change" in out.output


def test_sunset_option_and_a_later_change_of_it(repo):
    apply(repo, 2, now=NOW, sunset=date(2027, 1, 15))
    assert '"sunset": "2027-01-15"' in (repo / "svc/routers/users.py").read_text()
    before = {p: (repo / p).read_text() for p in ("svc/routers/dashboard.py", "svc/server.py")}
    result, written = apply(repo, 2, now=NOW, sunset=date(2027, 2, 1))
    assert sorted(written) == [".migrator/journal.json", "svc/routers/dashboard.py", "svc/routers/marketplace.py",
                               "svc/routers/users.py"]
    after = (repo / "svc/routers/dashboard.py").read_text()
    assert after == before["svc/routers/dashboard.py"].replace('"sunset": "2027-01-15"', '"sunset": "2027-02-01"')
    journal = json.loads((repo / ".migrator/journal.json").read_text())
    assert journal["deprecation"]["sunset"] == "2027-02-01" and journal["deprecation"]["date"] == "2026-12-09"
    # without --sunset a later run keeps the published date
    assert not [c for c in plan_phase(repo, 2, now=NOW).changes if c.changed]


def test_a_sunset_before_the_deprecation_date_is_refused(repo):
    with pytest.raises(ApplyError, match="earlier than the Deprecation date 2026-12-09"):
        plan_phase(repo, 2, now=NOW, sunset=date(2026, 12, 1))
    out = CliRunner().invoke(cli(), ["apply", "--phase", "2", "--sunset", "2001-01-01", str(repo)])
    assert out.exit_code == 2 and "earlier than the Deprecation date" in out.output
    assert "Traceback" not in out.output
    assert "LEGACY_DEPRECATION" not in (repo / "svc/routers/users.py").read_text()


def test_late_phase_2_still_gets_a_deprecation_window(repo):
    apply(repo, 2, now=datetime(2027, 2, 1, tzinfo=timezone.utc))  # the plan's phase-3 date (12-23) is past
    journal = json.loads((repo / ".migrator/journal.json").read_text())
    assert journal["deprecation"] == {"date": "2027-02-01", "sunset": "2027-02-15", "gone": False}


def test_phase_1_must_be_in_the_journal(tmp_path):
    root = write_repo(tmp_path / "fresh", journal=False)
    with pytest.raises(ApplyError, match="phase 1 is not in the journal"):
        plan_phase(root, 2)
    out = CliRunner().invoke(cli(), ["apply", "--phase", "2", str(root)])
    assert out.exit_code == 2 and "phase 1 is not in the journal" in out.output


def test_phase_2_after_phase_3_is_refused(repo):
    # (a journal must list phase 2 before phase 3: migrator.journal refuses anything else)
    journal = dict(JOURNAL, phases=[*JOURNAL["phases"],
                                    {"phase": 2, "applied_at": "2026-12-09T00:00:00+00:00", "tool_version": "0.1.0"},
                                    {"phase": 3, "applied_at": "2027-01-01T00:00:00+00:00", "tool_version": "0.1.0"}],
                   deprecation={"date": "2026-12-09", "sunset": "2026-12-23"})
    write_repo(repo, files={}, journal=journal)
    with pytest.raises(ApplyError, match="phase 3 was applied"):
        plan_phase(repo, 2, now=NOW)


def test_check_and_diff_write_nothing(repo):
    before = {p.relative_to(repo).as_posix(): p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    runner = CliRunner()
    check = runner.invoke(cli(), ["apply", "--phase", "2", "--check", str(repo)])
    assert check.exit_code == 1 and "would change: svc/routers/users.py" in check.output
    diff = runner.invoke(cli(), ["apply", "--phase", "2", "--diff", str(repo)])
    assert diff.exit_code == 0
    assert "+++ b/svc/routers/dashboard.py" in diff.output and "+@deprecated(reason=" in diff.output
    assert {p.relative_to(repo).as_posix(): p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_a_route_the_file_no_longer_has_is_a_manual_step(repo):
    journal = json.loads(json.dumps(JOURNAL))
    journal["routes"][0]["function"] = "svc.routers.dashboard.renamed_dashboard"
    write_repo(repo, files={}, journal=journal)
    result, _ = apply(repo, 2, now=NOW)
    assert [(s.route, s.where) for s in result.manual] == [("GET /admin/dashboard", "svc/routers/dashboard.py:1")]
    assert "no registration" in result.manual[0].reason
    assert len(result.moved) == 6


@pytest.mark.parametrize("phase", ["1", "2", "3"])
@pytest.mark.parametrize("mode", [[], ["--check"], ["--diff"]])
def test_a_missing_repository_gets_one_clear_line_and_exit_2(tmp_path, phase, mode):
    missing = tmp_path / "missing"
    out = CliRunner().invoke(cli(), ["apply", "--phase", phase, *mode, str(missing)])
    assert out.exit_code == 2
    assert out.output.strip() == f"error: {missing}: no such directory"
    assert not missing.exists()


@pytest.mark.parametrize("args, message", [
    (["--phase", "2", "--sunset", "2027-13-01"], "error: --sunset '2027-13-01' is not a date (YYYY-MM-DD)"),
    (["--phase", "2", "--tenant", "acme"], "error: --tenant belongs to --phase 1"),
    (["--phase", "1", "--gone"], "error: --gone, --force and --calls belong to --phase 3"),
    (["--phase", "2", "--force"], "error: --gone, --force and --calls belong to --phase 3"),
])
def test_an_option_of_another_phase_or_a_bad_date_gets_one_line_and_exit_2(repo, args, message):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    out = CliRunner().invoke(cli(), ["apply", *args, str(repo)])
    assert out.exit_code == 2
    assert len(out.output.strip().splitlines()) == 1 and out.output.startswith(message)
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_a_service_declaring_no_version_gets_deprecated_without_one(tmp_path):
    # a requirements.txt service without [project]: its journal says 0.0.0 (unknown), and `@deprecated` says no
    # version rather than a made-up "0.0.0"; with a version, the decorator names it
    from codemods.tests.phase23_repo_cases import FILES

    files = {rel: text for rel, text in FILES.items() if rel != "pyproject.toml"}
    journal = {**JOURNAL, "service_version": "0.0.0"}
    root = write_repo(tmp_path / "svc_repo", files=files, journal=journal)
    write_phase(root, plan_phase(root, 2, now=NOW))
    code = (root / "svc/routers/dashboard.py").read_text(encoding="utf-8")
    assert "@deprecated(" in code and "version=" not in code
    named = write_repo(tmp_path / "named_repo")
    write_phase(named, plan_phase(named, 2, now=NOW))
    assert 'version="1.0.0"' in (named / "svc/routers/dashboard.py").read_text(encoding="utf-8")
