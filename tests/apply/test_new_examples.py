"""mentor (single tenant, async SQLAlchemy sessions, a JWT identity, its own dashboard keys) and classroom (a tenant
object from a class dependency, integer ids, response models, domain exceptions) through phases 1 and 2 on fresh
copies: their own tests stay green after each phase, the standard API answers what the generated mappings make of
the legacy answers, tenants and ids keep their types and their 404s, and the whole 0 → 3 migration passes parity
with standard twins on every mapped read (`migrator demo`).
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from migrator.apply import plan_phase, write_phase
from migrator.journal import load_journal

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-20T15:00:00"
MARKET = "new-examples-market-key"
PHASE1 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
PHASE2 = datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Example:
    name: str
    app_module: str
    env: dict
    tenant: str  # a tenant the standard API serves
    moved: int  # routes phase 1 moves
    manual: dict  # route -> fragment of why it stays with a person


EXAMPLES = {
    "mentor": Example("mentor", "mentor.main", {"MENTOR_DATA_DIR": "{data}", "MENTOR_NOW": NOW}, "hanul-university", 7,
                      {"DELETE /api/v1/admin/users/{user_id}": "caller's identity `current_user[...]`",
                       "POST /api/v1/admin/users/{user_id}/deactivate": "caller's identity `current_user[...]`"}),
    # 13: the lifecycle merge also moves its registration, deactivation and reactivation routes
    "classroom": Example("classroom", "classroom.app", {"CLASSROOM_DATA_DIR": "{data}", "CLASSROOM_NOW": NOW}, "1",
                         13, {}),
}


def _copy(name: str, dest: Path) -> Path:
    shutil.copytree(REPO / "examples" / name, dest,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    return dest


def _own_tests(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@dataclass
class Migrated:
    example: Example
    phase1: Path
    phase2: Path
    result: object
    tests: dict  # phase -> the example's own tests running on that tree


@pytest.fixture(scope="module")
def migrated(request, tmp_path_factory):
    example = EXAMPLES[request.param]  # (parametrized indirectly by the tests)
    base = tmp_path_factory.mktemp(f"new-{example.name}")
    phase1 = _copy(example.name, base / "phase1")
    result = plan_phase(phase1, 1, now=PHASE1)
    write_phase(phase1, result)
    phase2 = base / "phase2"
    shutil.copytree(phase1, phase2)
    write_phase(phase2, plan_phase(phase2, 2, sunset=date(2026, 12, 23), now=PHASE2), allow_dirty=True)
    tests = {1: _own_tests(phase1), 2: _own_tests(phase2)}
    yield Migrated(example, phase1, phase2, result, tests)
    for proc in tests.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@contextmanager
def _client(folder: Path, example: Example, tmp_path: Path, monkeypatch):
    package = example.name
    for key, value in example.env.items():
        monkeypatch.setenv(key, value.format(data=tmp_path / "data"))
    monkeypatch.setenv("MARKET_API_KEYS", MARKET)
    saved = {n: m for n, m in sys.modules.items() if n == package or n.startswith(package + ".")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        seed = importlib.import_module(f"{package}.seed")
        seed.reset()
        app = importlib.import_module(example.app_module).app
        with TestClient(app) as client:
            yield client, seed.demo_credentials(), importlib.import_module(f"{package}.handlers.legacy_shapes")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


H = {"X-Market-API-Key": MARKET}


BOTH = pytest.mark.parametrize("migrated", sorted(EXAMPLES), indirect=True)


@BOTH
def test_the_examples_own_tests_pass_after_phases_1_and_2(migrated):
    for phase, proc in migrated.tests.items():
        output, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"phase {phase}: {output[-3000:]}"
        assert " passed" in output


@BOTH
def test_phase_1_moves_the_routes_analyze_called_automatic_and_says_why_the_rest_stay(migrated):
    journal = load_journal(migrated.phase1)
    moved = [r for r in journal.routes if r.state in ("moved", "alias")]
    assert len(moved) == migrated.example.moved
    manual = {f"{r.methods[0]} {r.path}": r.reason for r in journal.routes if r.state == "manual"}
    assert set(manual) == set(migrated.example.manual)
    for key, fragment in migrated.example.manual.items():
        assert fragment in manual[key]
    assert journal.shapes is not None and (migrated.phase1 / journal.shapes.file).is_file()
    assert "get_tenant_stats" in journal.shapes.functions


@pytest.mark.parametrize("migrated", ["mentor"], indirect=True)
def test_mentor_serves_its_one_tenant_and_no_other(migrated, tmp_path, monkeypatch):
    journal = load_journal(migrated.phase1)
    assert journal.tenant.tenant == "hanul-university" and journal.tenant.env == "MENTOR_TENANT_ID"
    with _client(migrated.phase1, migrated.example, tmp_path, monkeypatch) as (client, creds, shapes):
        legacy = {"Authorization": f"Bearer {creds['admin']['token']}"}
        dashboard = client.get("/api/v1/admin/dashboard", headers=legacy).json()
        costs = client.get("/api/v1/admin/usage/costs?days=7", headers=legacy).json()
        stats = client.get("/mt/tenant/hanul-university/stats?period=7d", headers=H)
        assert stats.status_code == 200
        assert stats.json() == shapes.get_tenant_stats_from_legacy("hanul-university", "7d", dashboard, costs)\
            .model_dump(mode="json")
        assert stats.json()["summary"]["active_users"] == dashboard["active_7_days"]
        other = client.get("/mt/tenant/another-school/stats", headers=H)
        assert other.status_code == 404 and other.json()["detail"]["error"] == "TENANT_NOT_FOUND"
        page = client.get("/api/v1/admin/users?skip=40&limit=20", headers=legacy).json()
        users = client.get("/mt/tenant/hanul-university/users?limit=20&offset=40", headers=H).json()
        assert [u["user_id"] for u in users["users"]] == [str(u["id"]) for u in page["items"]]
        suspended = client.get("/mt/tenant/hanul-university/users?status=suspended&limit=100", headers=H).json()
        inactive = client.get("/api/v1/admin/users?is_active=false&limit=100", headers=legacy).json()
        assert suspended["total"] == inactive["total"] > 0
        created = client.post("/mt/tenant/hanul-university/users", json={"email": "Mentor.Check@hanul.ac.kr",
                                                                         "name": "Check"}, headers=H)
        assert created.status_code == 201, created.text
        user_id = created.json()["user_id"]
        seen = client.get(f"/api/v1/admin/users/{user_id}", headers=legacy).json()
        assert seen["email"] == "mentor.check@hanul.ac.kr" and seen["full_name"] == "Check"
        updated = client.put(f"/mt/tenant/hanul-university/users/{user_id}", json={"status": "suspended"}, headers=H)
        assert updated.status_code == 200 and updated.json()["status"] == "suspended"
        assert client.get(f"/api/v1/admin/users/{user_id}", headers=legacy).json()["is_active"] is False
        # an id the legacy int parameter rejects names no user
        assert client.get("/mt/tenant/hanul-university/users/abc", headers=H).json()["detail"]["error"] == \
            "USER_NOT_FOUND"
        # the tenant this deployment serves can come from its environment variable
        monkeypatch.setenv("MENTOR_TENANT_ID", "hanul-campus-2")
        assert client.get("/mt/tenant/hanul-campus-2/stats", headers=H).status_code == 200
        assert client.get("/mt/tenant/hanul-university/stats", headers=H).status_code == 404


@pytest.mark.parametrize("migrated", ["classroom"], indirect=True)
def test_classroom_gets_its_tenant_object_from_the_id(migrated, tmp_path, monkeypatch):
    handler = (migrated.phase1 / "classroom/handlers/market_handler.py").read_text()
    assert "def _overview_inputs(\n    *,\n    tenant: Tenant," in handler
    service = (migrated.phase1 / "classroom/services/legacy_stats.py").read_text()
    assert "def overview(\n    *,\n    tenant: Tenant,\n    session: SessionDep,\n    period: Period = Period.month," in service
    with _client(migrated.phase1, migrated.example, tmp_path, monkeypatch) as (client, creds, shapes):
        legacy = {"X-Tenant-ID": "1", "X-API-Key": creds[1]["api_key"]}
        overview = client.get("/v1/stats/overview?period=7d", headers=legacy).json()
        usage = client.get("/v1/stats/usage?period=7d", headers=legacy).json()
        stats = client.get("/mt/tenant/1/stats?period=7d", headers=H)
        assert stats.status_code == 200
        assert stats.json() == shapes.get_tenant_stats_from_legacy("1", "7d", overview, usage).model_dump(mode="json")
        assert stats.json()["summary"]["active_users"] == overview["users"]["activeInPeriod"]
        board = client.get("/v1/stats/leaderboard?period=30d&limit=5", headers=legacy).json()
        top = client.get("/mt/tenant/1/stats/top-users?period=30d&limit=5", headers=H).json()
        assert [u["user_id"] for u in top["users"]] == [str(row["userId"]) for row in board]
        # the tenant dependency's own checks survive: unknown, deactivated, not an integer
        assert client.get("/mt/tenant/99/stats", headers=H).json()["detail"]["error"] == "TENANT_NOT_FOUND"
        assert client.get("/mt/tenant/abc/users", headers=H).json()["detail"]["error"] == "TENANT_NOT_FOUND"
        assert client.get("/mt/tenant/4/users", headers=H).status_code == 403
        # a period the legacy enum does not know is the caller's error, as it was on the legacy route
        assert client.get("/mt/tenant/1/stats?period=14d", headers=H).json()["detail"]["error"] == "INVALID_REQUEST"
        teachers = client.get("/mt/tenant/1/users?role=instructor&limit=100", headers=H).json()
        legacy_teachers = client.get("/v1/users?role=teacher&size=100", headers=legacy).json()
        assert teachers["total"] == legacy_teachers["total"] > 0
        created = client.post("/mt/tenant/1/users", json={"email": "t.check@hanbit.hs.kr", "name": "T Check",
                                                          "role": "instructor"}, headers=H)
        assert created.status_code == 201, created.text
        user_id = created.json()["user_id"]
        assert created.json()["role"] == "instructor"
        assert client.get(f"/v1/users/{user_id}", headers=legacy).json()["role"] == "teacher"
        other_school = client.get(f"/mt/tenant/2/users/{user_id}", headers=H)
        assert other_school.status_code == 404 and other_school.json()["detail"]["error"] == "USER_NOT_FOUND"
        assert client.delete(f"/mt/tenant/1/users/{user_id}", headers=H).json()["success"] is True
        assert client.get(f"/v1/users/{user_id}", headers=legacy).status_code == 404
        tenants = client.get("/api/tenant/list", headers={"X-API-Key": MARKET}).json()
        assert [t["tenant_id"] for t in tenants["tenants"]] == ["1", "2", "3", "4"]


#: why a mapped legacy exchange gets no standard twin, the documented ones (docs/parity.md)
DOCUMENTED_SKIPS = ("mutation", "legacy 401", "legacy 403", "legacy 422", "has no standard equivalent",
                    "state diverged after a mutation on a removed route")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_whole_migration_passes_parity_with_twins_on_every_mapped_read(name, tmp_path):
    from migrator.demo import run_demo

    notes = []
    result = run_demo(name, workdir=tmp_path, say=lambda event, payload: notes.extend(
        getattr(payload, "notes", []) if event == "parity" else []))
    assert result.ok, [(s.name, s.detail, s.parity) for s in result.steps]
    sent = [n for n in notes if n.startswith("standard twins sent:")]
    assert len(sent) == 3 and all(int(n.split(":")[1].split()[0]) > 0 for n in sent)
    skips = [n for n in notes if n.startswith("no standard twin for")]
    assert all(any(reason in n for reason in DOCUMENTED_SKIPS) for n in skips), skips
