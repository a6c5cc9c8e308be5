"""Fixtures: a frozen clock, a once-seeded template database copied per test, a client and admin headers.

Uses only this folder (plus fastapi/httpx/pytest), so a migrated copy of it can run these tests as is.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import warnings
from pathlib import Path

import pytest

SERVICE_ROOT = Path(__file__).resolve().parents[1]
if str(SERVICE_ROOT) not in sys.path:
    sys.path.insert(0, str(SERVICE_ROOT))

with warnings.catch_warnings():  # starlette's notice about its httpx transport; irrelevant to these tests
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from fastapi.testclient import TestClient

NOW = "2026-11-20T15:00:00"
TODAY = "2026-11-20"
YONSEI, POSTECH, PUSAN = "yonsei_university_201", "postech_202", "pusan_national_university_203"
TENANTS = (YONSEI, POSTECH, PUSAN)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from llm_chatbot import seed

    path = tmp_path_factory.mktemp("template") / "chatbot.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LLM_CHATBOT_NOW", NOW)
        seed.build(path)
    return path


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, template_db: Path) -> Path:
    db_path = tmp_path / "chatbot.db"
    shutil.copyfile(template_db, db_path)
    monkeypatch.setenv("LLM_CHATBOT_NOW", NOW)
    monkeypatch.setenv("LLM_CHATBOT_DB", str(db_path))
    monkeypatch.delenv("LLM_CHATBOT_SERVICE_TOKEN", raising=False)
    monkeypatch.delenv("LLM_CHATBOT_PUBLIC_URL", raising=False)
    return db_path


@pytest.fixture
def db_path(env: Path) -> Path:
    return env


@pytest.fixture
def sql(db_path: Path):
    """Run a query against the test's database, independently of the service code."""

    def run(query: str, *params):
        conn = sqlite3.connect(db_path)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    return run


@pytest.fixture
def client():
    from llm_chatbot.main import app

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def creds() -> dict:
    from llm_chatbot.seed import demo_credentials

    return demo_credentials()


@pytest.fixture
def admin(creds):
    """``admin(tenant_id)`` -> headers of that tenant's seeded primary admin."""

    def headers(tenant_id: str = YONSEI) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds[tenant_id]['admin_token']}", "X-Tenant-ID": tenant_id}

    return headers
