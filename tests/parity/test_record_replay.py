"""`migrator record` and `migrator parity` end to end on the mini service (phase 0)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from parity_support import MINI, assert_no_secrets, isolated_import, mini_credentials, read_cassette


def test_record_writes_placeholders_never_secrets(cli, tmp_path, mini_secrets):
    out = tmp_path / "c.jsonl"
    result = cli("record", "--requests", MINI / "parity" / "requests.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Recorded 17 exchanges" in result.output
    lines = read_cassette(out)
    assert len(lines) == 17 and all(line["time"] and line["elapsed_ms"] is not None for line in lines)
    assert lines[0]["request"]["headers"]["authorization"] == "Bearer ${admin_acme_1}"
    assert lines[9]["request"]["json"]["password"] == "${new_password}"
    assert {line["response"]["status"] for line in lines} >= {200, 401, 404, 409, 422}
    assert_no_secrets(out, mini_secrets)


def test_rerecording_without_timestamps_is_byte_identical(cli, tmp_path, mini_cassette, mini_secrets):
    again = tmp_path / "again.jsonl"
    result = cli("record", "-r", MINI / "parity" / "requests.yaml", "-o", again, "--no-timestamps")
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == mini_cassette.read_bytes()
    assert_no_secrets(mini_cassette, mini_secrets)


def test_replay_of_an_unchanged_service_passes(cli, mini_cassette):
    result = cli("parity", "--cassette", mini_cassette, "--repo", MINI)
    assert result.exit_code == 0, result.output
    assert "17 passed, 0 failed, 0 noisy" in result.output


def test_unexpected_status_during_record_exits_1(cli, tmp_path):
    listing = tmp_path / "r.yaml"
    listing.write_text("version: 1\nrequests:\n  - {name: dash, path: /admin/dashboard, expect: 200}\n")
    result = cli("record", "-r", listing, "-o", tmp_path / "c.jsonl", "--repo", MINI)
    assert result.exit_code == 1
    assert "422 (expected 200)" in result.output


@pytest.mark.parametrize("fmt", ["json", "junit", "markdown", "rich"])
def test_report_formats_written_atomically(cli, tmp_path, mini_cassette, mini_secrets, fmt):
    out = tmp_path / f"report.{fmt}"
    result = cli("parity", "-c", mini_cassette, "--repo", MINI, "--env", "MINIAPP_BREAK=off_by_one",
                 "--format", fmt, "-o", out)
    assert result.exit_code == 1, result.output
    assert "15 passed, 2 failed, 0 noisy" in result.output
    text = out.read_text()
    assert_no_secrets(out, mini_secrets)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind
    if fmt == "json":
        data = json.loads(text)
        assert data["summary"] == {"total": 17, "passed": 15, "failed": 2, "noisy": 0, "skipped": 0, "legacy": 17,
                                   "standard": 0}
        failed = [r for r in data["results"] if r["outcome"] == "failed"]
        assert {d["path"] for r in failed for d in r["differences"]} == {"$.users.total"}
        assert failed[0]["differences"][0] == {"path": "$.users.total", "change": "changed", "old": 7, "new": 6,
                                               "noise": False}
    elif fmt == "junit":
        root = ET.fromstring(text)
        cases = root.findall(".//testcase")
        assert len(cases) == 17
        failures = root.findall(".//failure")
        assert len(failures) == 2 and failures[0].get("message") == "$.users.total: 7 → 6"
    elif fmt == "markdown":
        assert "15 passed, 2 failed, 0 noisy" in text and "`$.users.total: 7 → 6`" in text
        assert "| `GET /admin/dashboard` | 3 | 2 | 0 | 0 |" in text
    else:
        assert "GET /admin/dashboard" in text and "$.users.total: 7 → 6" in text


@pytest.mark.parametrize("args, message", [
    (["--cassette", "missing.jsonl"], "no such cassette"),
    (["--app", "miniapp.server:app", "--target", "http://x"], "either --app or --target"),
    (["--app", "miniapp.nope:app"], "cannot import 'miniapp.nope'"),
    (["--app", "miniapp.server:nothing"], "has no attribute 'nothing'"),
    (["--app", "no-colon"], "must look like 'package.module:name'"),
    (["--target", "ftp://x"], "--target must be an http(s) URL"),
    (["--credential", "tok_secretvalue"], "--credential expects NAME=VALUE (an item has no NAME=)"),
    (["--reset", "miniapp.store:TENANTS"], "is not callable"),
    (["--phase", "2"], "phase 2 expectations need"),
    (["--ignore", "users.id"], "a JSON path starts with '$'"),
    (["--phase", "7"], "'--phase'"),
    (["--format", "xml"], "xml"),
])
def test_usage_errors_exit_2_with_one_clear_line(cli, mini_cassette, args, message):
    base = ["parity", "--repo", MINI]
    if "--cassette" not in args:
        base += ["--cassette", mini_cassette]
    result = cli(*base, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert "tok_secretvalue" not in result.output  # a malformed --credential is not echoed


def test_missing_credential_names_the_exchange(cli, mini_repo, mini_cassette):
    repo = mini_repo
    config = repo / "pyproject.toml"
    config.write_text(config.read_text().replace('credentials = "miniapp.store:parity_credentials"\n', ""))
    result = cli("parity", "-c", mini_cassette, "--repo", repo)
    assert result.exit_code == 2
    assert "#1 dashboard_acme: no value for credential 'admin_acme_1'" in result.output
    assert "MIGRATOR_CRED_ADMIN_ACME_1" in result.output


def test_malformed_cassette_line_is_a_usage_error(cli, tmp_path, mini_cassette):
    broken = tmp_path / "broken.jsonl"
    broken.write_text(mini_cassette.read_text() + "{not json}\n")
    result = cli("parity", "-c", broken, "--repo", MINI)
    assert result.exit_code == 2
    assert "broken.jsonl:18: not a cassette exchange" in result.output


def _noisy_cassette(cli, tmp_path):
    listing = tmp_path / "noisy.yaml"
    listing.write_text(
        "version: 1\ncredentials: [admin_acme_1]\nrequests:\n"
        "  - {name: noisy, path: /admin/noisy, headers: &h {Authorization: 'Bearer ${admin_acme_1}', "
        "X-Tenant-ID: acme_1}}\n"
        "  - {name: dash, path: /admin/dashboard, headers: *h}\n")
    out = tmp_path / "noisy.jsonl"
    assert cli("record", "-r", listing, "-o", out, "--repo", MINI).exit_code == 0
    return out


def test_fields_that_change_between_two_replays_are_noise_not_failures(cli, tmp_path):
    cassette = _noisy_cassette(cli, tmp_path)
    result = cli("parity", "-c", cassette, "--repo", MINI, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["noisy"] == 1 and report["summary"]["failed"] == 0
    noisy = report["results"][0]
    assert noisy["outcome"] == "noisy" and noisy["differences"][0]["path"] == "$.request_id"
    assert noisy["differences"][0]["noise"] is True
    assert report["routes"][1]["noisy_paths"] == ["$.request_id"] or report["routes"][0]["noisy_paths"] == [
        "$.request_id"]
    # a real change next to the noise still fails
    broken = cli("parity", "-c", cassette, "--repo", MINI, "--env", "MINIAPP_BREAK=off_by_one")
    assert broken.exit_code == 1 and "1 passed, 1 failed, 1 noisy" not in broken.output
    assert "0 passed, 1 failed, 1 noisy" in broken.output
    # without the noise check the changing field is a failure
    plain = cli("parity", "-c", cassette, "--repo", MINI, "--no-noise")
    assert plain.exit_code == 1 and "1 passed, 1 failed, 0 noisy" in plain.output


def test_ignore_rules_from_flag_and_config(cli, mini_repo, mini_cassette):
    flag = cli("parity", "-c", mini_cassette, "--repo", MINI, "--env", "MINIAPP_BREAK=off_by_one",
               "--ignore", "$.users.total")
    assert flag.exit_code == 0, flag.output
    repo = mini_repo
    config = repo / "pyproject.toml"
    config.write_text(config.read_text() + 'ignore = ["header:x-service-version", '
                                           '{route = "GET /admin/users*", paths = ["$..display_name"]}]\n')
    result = cli("parity", "-c", mini_cassette, "--repo", repo, "--env", "MINIAPP_BREAK=drop_header,rename_field")
    assert result.exit_code == 1
    # the header and display_name (on GET /admin/users...) are ignored; the new field `name` is not
    assert "header:x-service-version" not in result.output and "display_name" not in result.output.split(
        "POST /admin/users")[0]
    assert '$.users[0].name: (absent) → "User 1"' in result.output


def test_middleware_cassette_replays_with_numbered_credentials(cli, tmp_path, mini_secrets, monkeypatch):
    """Traffic recorded by the middleware (no symbolic names) replays with --credential authorization:N=..."""
    import asyncio

    import httpx

    from shims.recording import RecordingMiddleware

    creds = mini_credentials()
    cassette = tmp_path / "traffic.jsonl"
    monkeypatch.setenv("MINIAPP_NOW", "2026-11-20T15:00:00")  # what [tool.migrator.parity] env sets on replay
    with isolated_import(MINI, "miniapp"):
        from miniapp import server, store

        store.reset()
        app = RecordingMiddleware(server.app, cassette=cassette)

        async def drive():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                for tenant in ("acme_1", "globex_2"):
                    headers = {"Authorization": f"Bearer {creds['admin_' + tenant]}", "X-Tenant-ID": tenant}
                    await client.get("/admin/dashboard", headers=headers)
                    await client.get("/admin/users", params={"limit": 2}, headers=headers)
                await client.get("/api/tenant/status/acme_1", headers={"X-API-Key": creds["api_key"]})

        asyncio.run(drive())
    assert_no_secrets(cassette, mini_secrets)
    lines = read_cassette(cassette)
    assert lines[2]["request"]["headers"]["authorization"] == "Bearer <redacted:authorization:2>"
    assert lines[4]["request"]["headers"]["x-api-key"] == "<redacted:x-api-key:1>"
    missing = cli("parity", "-c", cassette, "--repo", MINI)
    assert missing.exit_code == 2 and "authorization:1" in missing.output
    result = cli("parity", "-c", cassette, "--repo", MINI,
                 "--credential", f"authorization:1={creds['admin_acme_1']}",
                 "--credential", f"authorization:2={creds['admin_globex_2']}",
                 "--credential", f"x-api-key:1={creds['api_key']}")
    assert result.exit_code == 0, result.output
    assert "5 passed, 0 failed, 0 noisy" in result.output


def test_credentials_from_the_environment(cli, mini_repo, mini_cassette, monkeypatch):
    repo = mini_repo
    config = repo / "pyproject.toml"
    config.write_text(config.read_text().replace('credentials = "miniapp.store:parity_credentials"\n', ""))

    for name, value in mini_credentials().items():
        monkeypatch.setenv(f"MIGRATOR_CRED_{name.upper()}", value)
    result = cli("parity", "-c", mini_cassette, "--repo", repo)
    assert result.exit_code == 0, result.output


def test_replay_over_http(cli, mini_cassette, tmp_path, monkeypatch):
    """--target URL: the same cassette against a real server (uvicorn in a thread), reset by --reset."""
    import socket
    import threading
    import time

    import uvicorn

    creds = mini_credentials()
    monkeypatch.setenv("MINIAPP_NOW", "2026-11-20T15:00:00")
    with isolated_import(MINI, "miniapp"):
        from miniapp import server

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        config = uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        instance = uvicorn.Server(config)
        thread = threading.Thread(target=instance.run, daemon=True)
        thread.start()
        for _ in range(100):
            if instance.started:
                break
            time.sleep(0.05)
        try:
            # The reset hook must act on the server's own module objects: import it from the same copy.
            from miniapp import store

            store.reset()
            over_http = tmp_path / "http.jsonl"
            recorded = cli("record", "-r", MINI / "parity" / "requests.yaml", "-o", over_http, "--no-timestamps",
                           "--target", f"http://127.0.0.1:{port}", "--repo", MINI)
            assert recorded.exit_code == 0, recorded.output
            # the same exchanges as in process, except the route template (unknown over HTTP)
            in_process = read_cassette(mini_cassette)
            assert [dict(e, route=None) for e in in_process] == read_cassette(over_http)
            assert_no_secrets(over_http, [*creds.values(), "s3cret-pass-123"])
            store.reset()
            result = cli("parity", "-c", mini_cassette, "--target", f"http://127.0.0.1:{port}", "--repo", MINI,
                         "--no-reset")
            assert result.exit_code == 0, result.output
            assert "17 passed" in result.output
            # a second replay without reset meets the mutated state: reported, not hidden as noise
            again = cli("parity", "-c", mini_cassette, "--target", f"http://127.0.0.1:{port}", "--repo", MINI,
                        "--no-reset")
            assert again.exit_code == 1
            assert "noise check skipped: the cassette mutates state and there is no reset hook" in again.output
        finally:
            instance.should_exit = True
            thread.join(timeout=5)
