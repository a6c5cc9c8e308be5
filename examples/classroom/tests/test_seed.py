"""The seed: deterministic, anchored at the clock, internally consistent; its CLI and its credentials."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 20, 15, 0, 0)
TABLES = {"tenant": "id", "user": "id", "course": "id", "enrollment": "course_id, user_id", "question": "id"}


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
                for table, order in TABLES.items()}
    finally:
        conn.close()


def test_the_same_clock_gives_the_same_rows(tmp_path, data_dir):
    from classroom.seed import seed

    counts = seed(tmp_path / "again", NOW)
    assert dump(tmp_path / "again" / "classroom.db") == dump(data_dir / "classroom.db")
    assert counts == {table: len(rows) for table, rows in dump(data_dir / "classroom.db").items()}


def test_another_clock_moves_the_history_with_it(tmp_path):
    from classroom.seed import seed

    seed(tmp_path / "later", datetime(2027, 3, 1, 9, 0, 0))
    conn = sqlite3.connect(tmp_path / "later" / "classroom.db")
    latest, deactivated = conn.execute("SELECT (SELECT MAX(created_at) FROM question),"
                                       " (SELECT deactivated_at FROM tenant WHERE id = 4)").fetchone()
    conn.close()
    assert latest[:10] in ("2027-02-28", "2027-03-01") and deactivated.startswith("2027-01-30 09:00:00")


def test_schools_and_sizes(sql, scalar):
    assert sql("SELECT id, slug, plan, status, seats FROM tenant ORDER BY id") == [
        (1, "hanbit-high", "premium", "active", 400), (2, "saebom-middle", "standard", "active", 150),
        (3, "daehan-coding", "basic", "active", 64), (4, "old-pine", "basic", "deactivated", 40)]
    assert sql("SELECT tenant_id, COUNT(*) FROM user GROUP BY tenant_id") == [(1, 236), (2, 128), (3, 60), (4, 25)]
    assert 20_000 < scalar("SELECT COUNT(*) FROM question") < 28_000
    assert scalar("SELECT COUNT(*) FROM user WHERE status = 'suspended'") > 3
    assert scalar("SELECT COUNT(*) FROM user WHERE last_seen_at IS NULL") > 30  # members who never asked


def test_history_is_consistent(scalar):
    now = "2026-11-20 15:00:00"
    assert scalar("SELECT COUNT(*) FROM question WHERE created_at > ?", now) == 0
    assert scalar("SELECT COUNT(*) FROM question q JOIN user u ON u.id = q.user_id"
                  " WHERE q.created_at < u.created_at OR q.tenant_id != u.tenant_id") == 0
    assert scalar("SELECT COUNT(*) FROM question q JOIN course c ON c.id = q.course_id"
                  " WHERE c.tenant_id != q.tenant_id") == 0
    assert scalar("SELECT COUNT(*) FROM question q JOIN tenant t ON t.id = q.tenant_id"
                  " WHERE t.deactivated_at IS NOT NULL AND q.created_at >= t.deactivated_at") == 0
    assert scalar("SELECT COUNT(*) FROM question q JOIN user u ON u.id = q.user_id WHERE u.status = 'suspended'") == 0
    assert scalar("SELECT COUNT(*) FROM enrollment e JOIN user u ON u.id = e.user_id WHERE u.role != 'student'") == 0
    assert scalar("SELECT COUNT(*) FROM user u WHERE last_seen_at IS NOT"
                  " (SELECT MAX(created_at) FROM question q WHERE q.user_id = u.id)") == 0
    assert scalar("SELECT COUNT(*) FROM question a JOIN question b ON b.id = a.id + 1"
                  " WHERE b.created_at < a.created_at") == 0


def test_seeded_keys_open_their_school_only(client, creds):
    for tenant in (1, 2, 3):
        headers = {"X-Tenant-ID": str(tenant), "X-API-Key": creds[tenant]["api_key"]}
        assert client.get("/v1/users", headers=headers).status_code == 200
    assert len({creds[t]["api_key"] for t in (1, 2, 3, 4)}) == 4
    assert [creds[t]["admin_user_id"] for t in (1, 2, 3, 4)] == [1, 237, 365, 425]


def test_parity_credentials_are_the_demo_values(creds):
    from classroom.seed import parity_credentials

    assert parity_credentials() == {"key_1": creds[1]["api_key"], "key_2": creds[2]["api_key"],
                                    "key_3": creds[3]["api_key"], "key_4": creds[4]["api_key"],
                                    "platform_key": creds["platform_key"]}


def test_reset_rebuilds_the_configured_database(client, school, data_dir):
    from classroom.seed import reset

    client.delete("/v1/users/3", headers=school(1))
    assert client.get("/v1/users/3", headers=school(1)).status_code == 404
    reset()
    assert client.get("/v1/users/3", headers=school(1)).status_code == 200
    assert not (data_dir / "classroom.db.tmp").exists()


def test_cli_writes_and_reports(tmp_path, capsys):
    from classroom.seed import main

    assert main(["--data-dir", str(tmp_path / "cli"), "--now", "2026-11-20T15:00:00"]) == 0
    assert "4 tenants, 449 users" in capsys.readouterr().out
    assert (tmp_path / "cli" / "classroom.db").is_file()


@pytest.mark.parametrize("args, message", [(["--now", "soon"], "error: --now: not an ISO 8601 date-time: 'soon'"),
                                           (["--data-dir", "{file}"], "is not a directory")])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    from classroom.seed import main

    (tmp_path / "a-file").write_text("x")
    args = [arg.replace("{file}", str(tmp_path / "a-file")) for arg in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
