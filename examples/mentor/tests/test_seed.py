"""The seed: deterministic, anchored at the clock, internally consistent; its CLI and its credentials."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 20, 15, 0, 0)
TABLES = ("users", "conversations", "messages")


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in TABLES}
    finally:
        conn.close()


def test_the_same_clock_gives_the_same_rows(tmp_path, data_dir):
    from mentor.seed import seed

    counts = seed(tmp_path / "again", NOW)
    assert dump(tmp_path / "again" / "mentor.db") == dump(data_dir / "mentor.db")
    assert counts == {table: len(rows) for table, rows in dump(data_dir / "mentor.db").items()}


def test_another_clock_moves_the_history_with_it(tmp_path, sql):
    from mentor.seed import seed

    seed(tmp_path / "later", datetime(2027, 3, 1, 9, 0, 0))
    conn = sqlite3.connect(tmp_path / "later" / "mentor.db")
    latest = conn.execute("SELECT MAX(created_at) FROM messages").fetchone()[0]
    conn.close()
    assert "2027-02-28" <= latest[:10] <= "2027-03-01"
    assert sql("SELECT MAX(created_at) FROM messages")[0][0][:10] == "2026-11-20"


def test_sizes_and_accounts(scalar):
    assert scalar("SELECT COUNT(*) FROM users") == 260
    assert 3_500 < scalar("SELECT COUNT(*) FROM conversations") < 6_000
    assert 18_000 < scalar("SELECT COUNT(*) FROM messages") < 30_000
    assert scalar("SELECT group_concat(id) FROM (SELECT id FROM users WHERE is_admin = 1 ORDER BY id)") == "1,4,9"
    assert 5 <= scalar("SELECT COUNT(*) FROM users WHERE is_active = 0") <= 30
    assert scalar("SELECT COUNT(*) FROM users WHERE full_name IS NULL") == 1
    assert scalar("SELECT COUNT(*) FROM users WHERE id NOT IN (SELECT user_id FROM messages)") > 20  # dormant


def test_history_is_consistent(scalar):
    now = "2026-11-20 15:00:00"
    assert scalar("SELECT COUNT(*) FROM messages WHERE created_at > ?", now) == 0
    assert scalar("SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.user_id"
                  " WHERE m.created_at < u.created_at") == 0
    assert scalar("SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                  " WHERE m.user_id != c.user_id") == 0
    # every question is answered, by one model, with tokens; questions carry none
    assert scalar("SELECT SUM(role = 'user') - SUM(role = 'assistant') FROM messages") == 0
    assert scalar("SELECT COUNT(*) FROM messages WHERE role = 'user' AND (model IS NOT NULL"
                  " OR prompt_tokens + completion_tokens > 0)") == 0
    assert scalar("SELECT COUNT(*) FROM messages WHERE role = 'assistant' AND (model IS NULL"
                  " OR completion_tokens = 0)") == 0
    assert scalar("SELECT COUNT(*) FROM conversations c WHERE updated_at != (SELECT MAX(created_at) FROM messages m"
                  " WHERE m.conversation_id = c.id)") == 0
    assert scalar("SELECT COUNT(*) FROM users WHERE last_login_at IS NOT NULL AND id NOT IN"
                  " (SELECT user_id FROM conversations)") == 0
    # message ids follow time
    assert scalar("SELECT COUNT(*) FROM messages a JOIN messages b ON b.id = a.id + 1"
                  " WHERE b.created_at < a.created_at") == 0


def test_timestamps_have_seconds_precision(scalar):
    for table, column in (("users", "created_at"), ("messages", "created_at"), ("conversations", "updated_at")):
        assert scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} NOT LIKE '%.000000'") == 0


def test_seeded_passwords_log_in(client, creds):
    for account in ("admin", "student"):
        response = client.post("/api/v1/auth/login", json={"username": creds[account]["username"],
                                                           "password": creds[account]["password"]})
        assert response.status_code == 200


def test_demo_tokens_do_not_depend_on_the_clock(monkeypatch):
    from mentor.seed import demo_credentials

    first = demo_credentials()
    monkeypatch.setenv("MENTOR_NOW", "2030-01-01T00:00:00")
    assert demo_credentials() == first


def test_parity_credentials_are_the_demo_values():
    from mentor.seed import demo_credentials, parity_credentials

    creds, flat = demo_credentials(), parity_credentials()
    assert flat == {"admin_token": creds["admin"]["token"], "admin_password": creds["admin"]["password"],
                    "student_token": creds["student"]["token"], "student_password": creds["student"]["password"],
                    "expired_token": creds["expired_token"], "forged_token": creds["forged_token"]}
    assert len(set(flat.values())) == len(flat)


def test_reset_rebuilds_the_configured_database(client, admin, data_dir):
    from mentor.seed import reset

    client.delete("/api/v1/admin/users/2", headers=admin)
    assert client.get("/api/v1/admin/users/2", headers=admin).status_code == 404
    reset()
    assert client.get("/api/v1/admin/users/2", headers=admin).status_code == 200
    assert not (data_dir / "mentor.db.tmp").exists()


def test_cli_writes_and_reports(tmp_path, capsys):
    from mentor.seed import main

    assert main(["--data-dir", str(tmp_path / "cli"), "--now", "2026-11-20T15:00:00"]) == 0
    out = capsys.readouterr().out
    assert "260 users" in out and (tmp_path / "cli" / "mentor.db").is_file()


@pytest.mark.parametrize("args, message", [(["--now", "soon"], "error: --now: not an ISO 8601 date-time: 'soon'"),
                                           (["--data-dir", "{file}"], "is not a directory")])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    from mentor.seed import main

    (tmp_path / "a-file").write_text("x")
    args = [arg.replace("{file}", str(tmp_path / "a-file")) for arg in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
