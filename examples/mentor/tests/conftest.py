"""Fixtures of the mentor tests.

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
API = "/api/v1"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    from mentor.core.clock import parse_instant
    from mentor.seed import seed

    template = tmp_path_factory.mktemp("mentor-template")
    seed(template, parse_instant(FROZEN_NOW))
    return template


@pytest.fixture(autouse=True)
def data_dir(seeded_template, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the seeded database for each test, the env pointing at it, the clock frozen."""
    target = tmp_path / "data"
    shutil.copytree(seeded_template, target)
    monkeypatch.setenv("MENTOR_DATA_DIR", str(target))
    monkeypatch.setenv("MENTOR_NOW", FROZEN_NOW)
    monkeypatch.delenv("MENTOR_JWT_SECRET", raising=False)
    return target


@pytest.fixture
def client(data_dir):
    from mentor.main import app

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def creds() -> dict:
    from mentor.seed import demo_credentials

    return demo_credentials()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(creds) -> dict[str, str]:
    return bearer(creds["admin"]["token"])


@pytest.fixture
def student(creds) -> dict[str, str]:
    return bearer(creds["student"]["token"])


@pytest.fixture
def sql(data_dir):
    """sql(query, *params) -> rows, straight from SQLite (independent of the service code)."""

    def run(query: str, *params):
        conn = sqlite3.connect(data_dir / "mentor.db")
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
