"""Fixtures of the advisor tests.

Only this folder is needed (a migrated copy of it runs these tests unchanged): it goes on sys.path, the
environment points at a per-test copy of data seeded once per session, and the clock is frozen.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parent.parent
if str(EXAMPLE_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_DIR))

FROZEN_NOW = "2026-11-20T15:00:00"
SEOUL = "seoul_national_university_101"
KOREA = "korea_university_103"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    from advisor.clock import parse_instant
    from advisor.seed import seed

    template = tmp_path_factory.mktemp("advisor-template")
    seed(template, parse_instant(FROZEN_NOW))
    return template


@pytest.fixture(autouse=True)
def data_dir(seeded_template, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the seeded data for each test, with the env pointing at it and the clock frozen."""
    target = tmp_path / "data"
    shutil.copytree(seeded_template, target)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(target))
    monkeypatch.setenv("ADVISOR_NOW", FROZEN_NOW)
    for name in ("ADVISOR_MARKETPLACE_KEY", "ADVISOR_API_KEY", "ADVISOR_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    return target


@pytest.fixture
def client(data_dir):
    from advisor.server import app
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def creds() -> dict:
    from advisor.seed import demo_credentials

    return demo_credentials()


@pytest.fixture
def admin_headers(creds):
    """admin_headers(tenant_id=SEOUL, token_of=None): the headers of a seeded admin (of `token_of` if given)."""

    def make(tenant_id: str = SEOUL, token_of: str | None = None) -> dict:
        token = creds[token_of or tenant_id]["admin_token"]
        return {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant_id}

    return make


@pytest.fixture
def tenant_db(data_dir):
    """tenant_db(tenant_id): a read connection to the test's copy of a tenant database (for cross-checks)."""
    connections: dict[str, sqlite3.Connection] = {}

    def open_db(tenant_id: str = SEOUL) -> sqlite3.Connection:
        if tenant_id not in connections:
            conn = sqlite3.connect(data_dir / "tenants" / f"{tenant_id}.db")
            conn.row_factory = sqlite3.Row
            connections[tenant_id] = conn
        return connections[tenant_id]

    yield open_db
    for conn in connections.values():
        conn.close()


@pytest.fixture
def scalar(tenant_db):
    """scalar(sql, *params, tenant_id=SEOUL): the first column of the first row, straight from SQLite."""

    def run(sql: str, *params, tenant_id: str = SEOUL):
        return tenant_db(tenant_id).execute(sql, params).fetchone()[0]

    return run
