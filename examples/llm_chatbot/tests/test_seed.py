"""The seed: deterministic, fast, realistic, and the credentials it hands out."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from llm_chatbot import seed

NOW = "2026-11-20T15:00:00"
SERVICE_ROOT = Path(__file__).resolve().parents[1]
TENANTS = ("yonsei_university_201", "postech_202", "pusan_national_university_203")


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def query(path: Path, sql: str, *params):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_same_clock_same_data_other_clock_other_dates(tmp_path, template_db, monkeypatch):
    summary = seed.build(tmp_path / "again.db")
    assert dump(tmp_path / "again.db") == dump(template_db)
    assert summary["messages"] == query(template_db, "SELECT COUNT(*) FROM messages")[0][0]

    monkeypatch.setenv("LLM_CHATBOT_NOW", "2027-03-02T09:30:00")
    seed.build(tmp_path / "later.db")
    assert query(tmp_path / "later.db", "SELECT MAX(created_at) FROM messages")[0][0] < "2027-03-02T09:30:00"
    assert query(tmp_path / "later.db", "SELECT MIN(created_at) FROM messages")[0][0] >= "2026-12-03"


def test_shape_of_the_seeded_data(template_db):
    rows = query(template_db, "SELECT tenant_id FROM tenants ORDER BY tenant_id")
    assert sorted(TENANTS) == [r[0] for r in rows]
    for tenant in TENANTS:
        (users, admins, inactive, new, never), = query(
            template_db,
            "SELECT COUNT(*), SUM(role = 'admin'), SUM(is_active = 0), SUM(created_at >= '2026-11-14'),"
            " SUM(last_login IS NULL) FROM users WHERE tenant_id = ?", tenant)
        assert 60 <= users <= 150 and 2 <= admins <= 3
        assert inactive > 0 and new > 0 and never > 0
        (models,), = query(template_db, "SELECT COUNT(DISTINCT model) FROM messages WHERE tenant_id = ?", tenant)
        assert models >= 3
    (total,), = query(template_db, "SELECT COUNT(*) FROM messages")
    assert 28_000 <= total <= 32_000


def test_timestamps_are_consistent(template_db):
    (first, last), = query(template_db, "SELECT MIN(created_at), MAX(created_at) FROM messages")
    assert "2026-08-23" <= first < "2026-08-24" and last < NOW
    assert query(template_db, "SELECT MAX(ended_at) FROM conversations")[0][0] < NOW
    assert query(template_db, "SELECT MAX(created_at) FROM users")[0][0] <= NOW
    # Nobody chats before joining, outside their conversation, or after being suspended for good.
    assert query(template_db, "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.user_id"
                              " WHERE m.created_at < u.created_at")[0][0] == 0
    assert query(template_db, "SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                              " WHERE m.created_at < c.started_at OR m.created_at > c.ended_at"
                              " OR m.user_id != c.user_id OR m.tenant_id != c.tenant_id")[0][0] == 0
    assert query(template_db, "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.user_id"
                              " WHERE u.is_active = 0 AND m.created_at >= '2026-10-22'")[0][0] == 0


def test_realistic_hour_and_weekday_patterns(template_db):
    hours = dict(query(template_db, "SELECT CAST(strftime('%H', created_at) AS INTEGER), COUNT(*) FROM messages"
                                    " GROUP BY 1"))
    assert min(hours[14], hours[15], hours[16]) > 5 * max(hours[3], hours[4])
    days = dict(query(template_db, "SELECT strftime('%w', created_at), COUNT(*) FROM messages GROUP BY 1"))
    assert min(days[str(d)] for d in range(1, 6)) > 1.3 * max(days["0"], days["6"])


def test_demo_credentials(template_db):
    creds = seed.demo_credentials()
    assert set(creds) == {*TENANTS, "service_token"}
    assert creds["service_token"] == "svc-dev-3b9d7e"
    for tenant in TENANTS:
        token, user_id = creds[tenant]["admin_token"], creds[tenant]["admin_user_id"]
        assert token.startswith("lcb_") and len(token) == 44
        assert query(template_db, "SELECT tenant_id, role FROM users WHERE id = ?", user_id) == [(tenant, "admin")]
        # Stored hashed only.
        digest = hashlib.sha256(token.encode()).hexdigest()
        assert query(template_db, "SELECT user_id FROM api_tokens WHERE token_hash = ?", digest) == [(user_id,)]
        assert query(template_db, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", token) == [(0,)]
    assert len({creds[t]["admin_token"] for t in TENANTS}) == 3


def test_reset_rebuilds_the_configured_database(client, admin, db_path, template_db):
    assert client.delete("/admin/users/4", headers=admin()).status_code == 200
    assert dump(db_path) != dump(template_db)
    seed.reset()
    assert dump(db_path) == dump(template_db)
    assert client.get("/admin/users/4", headers=admin()).status_code == 200


def test_cli(tmp_path):
    env = {**os.environ, "LLM_CHATBOT_NOW": NOW}
    target = tmp_path / "nested" / "cli.db"
    done = subprocess.run([sys.executable, "-m", "llm_chatbot.seed", "--db", str(target)], cwd=SERVICE_ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"seeded {target}: 3 tenants" in done.stdout and target.is_file()

    bad = subprocess.run([sys.executable, "-m", "llm_chatbot.seed", "--db", str(target)], cwd=SERVICE_ROOT,
                         env={**env, "LLM_CHATBOT_NOW": "yesterday"}, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "LLM_CHATBOT_NOW must be an ISO 8601 timestamp" in bad.stderr and "Traceback" not in bad.stderr

    usage = subprocess.run([sys.executable, "-m", "llm_chatbot.seed", "--nope"], cwd=SERVICE_ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "usage:" in usage.stderr


def test_app_seeds_a_missing_database_on_start_up(tmp_path, monkeypatch, template_db):
    from fastapi.testclient import TestClient
    from llm_chatbot.main import app

    missing = tmp_path / "fresh" / "chatbot.db"
    monkeypatch.setenv("LLM_CHATBOT_DB", str(missing))
    with TestClient(app) as client:
        assert missing.is_file()
        assert client.get("/health").json() == {"status": "healthy", "service": "llm-chatbot", "version": "2.3.0"}
    assert dump(missing) == dump(template_db)


def test_missing_database_without_start_up_is_a_clear_503(tmp_path, monkeypatch):
    import httpx
    from llm_chatbot.main import app

    monkeypatch.setenv("LLM_CHATBOT_DB", str(tmp_path / "absent.db"))
    creds = seed.demo_credentials()
    headers = {"Authorization": f"Bearer {creds[TENANTS[0]]['admin_token']}", "X-Tenant-ID": TENANTS[0]}

    async def call():
        # ASGITransport does not run the lifespan: the app must still answer cleanly.
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get("/admin/dashboard", headers=headers)

    import asyncio

    response = asyncio.run(call())
    assert response.status_code == 503
    assert "python -m llm_chatbot.seed" in response.json()["detail"]
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.parametrize("value", ["2026-11-20T15:00:00Z", "2026-11-21T00:00:00+09:00"])
def test_clock_accepts_utc_offsets(monkeypatch, value):
    from llm_chatbot.core.clock import utcnow

    monkeypatch.setenv("LLM_CHATBOT_NOW", value)
    assert utcnow().isoformat() == NOW
