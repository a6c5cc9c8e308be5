"""Fixtures of the classroom tests.

Only this folder is needed (a migrated copy of it runs these tests unchanged): it goes on sys.path, the
environment points at a per-test copy of a database seeded once per session, and the clock is frozen.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import warnings
from pathlib import Path

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parent.parent
if str(EXAMPLE_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_DIR))

with warnings.catch_warnings():  # starlette's notice about its httpx transport; irrelevant to these tests
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from fastapi.testclient import TestClient

FROZEN_NOW = "2026-11-20T15:00:00"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    from classroom.clock import parse_instant
    from classroom.seed import seed

    template = tmp_path_factory.mktemp("classroom-template")
    seed(template, parse_instant(FROZEN_NOW))
    return template


@pytest.fixture(autouse=True)
def data_dir(seeded_template, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the seeded database for each test, the env pointing at it, the clock frozen."""
    target = tmp_path / "data"
    shutil.copytree(seeded_template, target)
    monkeypatch.setenv("CLASSROOM_DATA_DIR", str(target))
    monkeypatch.setenv("CLASSROOM_NOW", FROZEN_NOW)
    monkeypatch.delenv("CLASSROOM_PLATFORM_KEY", raising=False)
    return target


@pytest.fixture
def client(data_dir):
    from classroom.app import app

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def creds() -> dict:
    from classroom.seed import demo_credentials

    return demo_credentials()


@pytest.fixture
def school(creds):
    """school(tenant_id=1, key_of=None): the headers of a school's own calls (with another school's key if given)."""

    def headers(tenant_id: int = 1, key_of: int | None = None) -> dict[str, str]:
        return {"X-Tenant-ID": str(tenant_id), "X-API-Key": creds[key_of or tenant_id]["api_key"]}

    return headers


@pytest.fixture
def platform(creds) -> dict[str, str]:
    return {"X-Platform-Key": creds["platform_key"]}


@pytest.fixture
def sql(data_dir):
    """sql(query, *params) -> rows, straight from SQLite (independent of the service code)."""

    def run(query: str, *params):
        conn = sqlite3.connect(data_dir / "classroom.db")
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    return run


@pytest.fixture
def scalar(sql):
    def run(query: str, *params):
        return sql(query, *params)[0][0]

    return run
