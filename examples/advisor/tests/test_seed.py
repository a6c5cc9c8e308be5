"""The seed: deterministic, fast, realistic, and its CLI / reset / start-up hooks."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from advisor.clock import parse_instant
from advisor.seed import TENANTS, demo_credentials, ensure_seeded, parity_credentials, reset, seed

EXAMPLE_DIR = Path(__file__).resolve().parent.parent
NOW = parse_instant("2026-11-20T15:00:00")


def dump(data_dir: Path) -> list[str]:
    lines = []
    for path in [data_dir / "tenants.db", *sorted((data_dir / "tenants").glob("*.db"))]:
        conn = sqlite3.connect(path)
        lines += [path.name, *conn.iterdump()]
        conn.close()
    return lines


def test_seed_is_deterministic(tmp_path, seeded_template):
    seed(tmp_path / "again", NOW)
    assert dump(tmp_path / "again") == dump(seeded_template)


def test_the_clock_anchors_the_data(tmp_path, seeded_template):
    later = parse_instant("2027-03-02T08:00:00")
    seed(tmp_path / "later", later)
    conn = sqlite3.connect(tmp_path / "later" / "tenants" / f"{TENANTS[0].tenant_id}.db")
    newest, oldest = conn.execute("SELECT MAX(created_at), MIN(created_at) FROM messages").fetchone()
    conn.close()
    assert "2027-03-02T00:00:00" <= newest <= "2027-03-02T08:00:00"
    assert oldest >= "2026-12-03T00:00:00"  # 90 days back
    assert dump(tmp_path / "later") != dump(seeded_template)


def test_seeded_data_is_realistic(seeded_template):
    total_messages = 0
    for spec in TENANTS:
        conn = sqlite3.connect(seeded_template / "tenants" / f"{spec.tenant_id}.db")

        def one(sql, *params, conn=conn):
            return conn.execute(sql, params).fetchone()[0]

        users = one("SELECT COUNT(*) FROM users")
        assert 80 <= users <= 200
        assert one("SELECT COUNT(*) FROM users WHERE role = 'admin'") == 3
        assert one("SELECT role FROM users WHERE id = 1") == "admin"
        assert 0 < one("SELECT COUNT(*) FROM users WHERE is_active = 0") < users // 5
        assert one("SELECT COUNT(*) FROM users WHERE created_at >= '2026-11-14T00:00:00'") >= 4
        assert one("SELECT MIN(created_at) FROM users") <= "2026-07-20T00:00:00"
        assert one("SELECT MAX(created_at) FROM messages") <= "2026-11-20T15:00:00"
        assert one("SELECT MIN(created_at) FROM messages") >= "2026-08-23T00:00:00"
        assert one(
            "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.user_id WHERE m.created_at < u.created_at"
        ) == 0
        assert one("SELECT COUNT(*) FROM sessions WHERE ended_at < started_at") == 0
        assert one(
            "SELECT COUNT(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.user_id != s.user_id"
        ) == 0
        per_session = one("SELECT AVG(n) FROM (SELECT COUNT(*) AS n FROM messages GROUP BY session_id)")
        assert 3 < per_session < 10
        models = dict(conn.execute("SELECT model, AVG(input_tokens + output_tokens) FROM messages GROUP BY model"))
        assert len(models) == 5 and models["gpt-4"] > models["gpt-3.5-turbo"]
        counts = dict(conn.execute("SELECT model, COUNT(*) FROM messages GROUP BY model"))
        assert counts["gpt-4o-mini"] > counts["gpt-4o"] > counts["gpt-4"]
        weekday = one("SELECT COUNT(*) FROM messages WHERE strftime('%w', created_at) IN ('1','2','3','4','5')") / 5
        weekend = one("SELECT COUNT(*) FROM messages WHERE strftime('%w', created_at) IN ('0','6')") / 2
        assert weekday > 2 * weekend
        office = one("SELECT COUNT(*) FROM messages WHERE substr(created_at, 12, 2) BETWEEN '09' AND '17'") / 9
        night = one("SELECT COUNT(*) FROM messages WHERE substr(created_at, 12, 2) BETWEEN '01' AND '06'") / 6
        assert office > 5 * night
        assert one("SELECT COUNT(*) FROM documents") > 0 and one("SELECT COUNT(*) FROM videos") > 0
        total_messages += one("SELECT COUNT(*) FROM messages")
        conn.close()
    assert 36_000 <= total_messages <= 44_000


def test_demo_credentials(creds):
    tenants = {spec.tenant_id for spec in TENANTS}
    assert set(creds) == tenants | {"marketplace_key", "api_key"}
    assert creds["marketplace_key"] == "adv-mk-dev-8f2c1a" and creds["api_key"] == "mt_dev_key_12345"
    tokens = {creds[t]["admin_token"] for t in tenants}
    assert len(tokens) == 4 and all(len(token) >= 32 for token in tokens)
    assert all(creds[t]["admin_user_id"] == 1 for t in tenants)
    assert demo_credentials() == creds  # derived, not random


def test_parity_credentials_are_the_same_values_flat(creds):
    flat = parity_credentials()
    assert flat == {
        **{f"admin_{spec.tenant_id}": creds[spec.tenant_id]["admin_token"] for spec in TENANTS},
        "api_key": creds["api_key"],
        "marketplace_key": creds["marketplace_key"],
    }


def test_tokens_are_stored_hashed(data_dir, creds):
    raw = (data_dir / "tenants.db").read_bytes()
    assert all(creds[spec.tenant_id]["admin_token"].encode() not in raw for spec in TENANTS)


def test_reset_rebuilds_the_configured_data(data_dir, seeded_template):
    conn = sqlite3.connect(data_dir / "tenants" / f"{TENANTS[0].tenant_id}.db")
    conn.execute("DELETE FROM users WHERE id > 10")
    conn.commit()
    conn.close()
    (data_dir / "tenants" / "extra_tenant_1.db").write_bytes(b"")
    (data_dir / "notes.txt").write_text("kept")
    reset()
    assert dump(data_dir) == dump(seeded_template)
    assert (data_dir / "notes.txt").read_text() == "kept"  # only the seed's own files are replaced


def test_ensure_seeded_only_seeds_an_empty_location(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "fresh"))
    assert ensure_seeded() is True
    assert (tmp_path / "fresh" / "tenants.db").is_file()
    assert ensure_seeded() is False


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "advisor.seed", *args],
        cwd=EXAMPLE_DIR, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "ADVISOR_NOW": "2026-11-20T15:00:00", **env},
    )


def test_cli_seeds_and_never_prints_tokens(tmp_path, creds, seeded_template):
    result = run_cli("--data-dir", str(tmp_path / "cli"))
    assert result.returncode == 0, result.stderr
    assert "Seeded 4 tenants" in result.stdout and "seoul_national_university_101" in result.stdout
    for spec in TENANTS:
        assert creds[spec.tenant_id]["admin_token"] not in result.stdout + result.stderr
    assert dump(tmp_path / "cli") == dump(seeded_template)


@pytest.mark.parametrize(
    "args,env,message",
    [
        (["--now", "yesterday"], {}, "error: --now: not an ISO 8601 date-time: 'yesterday'"),
        ([], {"ADVISOR_NOW": "20.11.2026"}, "error: ADVISOR_NOW is not an ISO 8601 date-time: '20.11.2026'"),
        (["--bogus"], {}, "unrecognized arguments: --bogus"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path, args, env, message):
    result = run_cli("--data-dir", str(tmp_path / "cli"), *args, **env)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "cli" / "tenants.db").exists()


def test_cli_data_dir_that_is_a_file_exits_2(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = run_cli("--data-dir", str(target))
    assert result.returncode == 2 and "is not a directory" in result.stderr and "Traceback" not in result.stderr
