"""Redaction by default: what is a placeholder, what stays plain, and how replay copes with each."""

from __future__ import annotations

import json

import pytest
from parity_support import HERE, read_cassette

from shims.redactor import REDACTED, Redactor, body_fields, multipart

ECHO = HERE / "echo_repo"


def _listing(tmp_path, text: str):
    folder = tmp_path / "lists"
    folder.mkdir(exist_ok=True)
    path = folder / "requests.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_headers_off_the_allowlist_are_placeholders_unless_declared_plain(cli, tmp_path):
    listing = _listing(tmp_path, """
version: 1
plain_headers: [X-Client-Version]
requests:
  - name: hello
    path: /echo/h
    headers: {X-Client-Version: "4.2.0", X-Feature: beta-channel, Accept-Language: ko-KR, X-Tenant-ID: t1}
""")
    out = listing.parent / "cassette.jsonl"
    result = cli("record", "-r", listing, "-o", out, "--repo", ECHO, "--no-timestamps")
    assert result.exit_code == 0, result.output
    assert "1 secret value(s) written in clear" in result.output
    headers = read_cassette(out)[0]["request"]["headers"]
    assert headers["x-client-version"] == "4.2.0" and headers["accept-language"] == "ko-KR"
    assert headers["x-tenant-id"] == "t1"
    assert headers["x-feature"] == "${hello.header.x-feature}"
    assert "beta-channel" not in out.read_text(encoding="utf-8")
    # the request list beside the cassette gives the value back: the service fingerprints what it received
    replay = cli("parity", "-c", out, "--repo", ECHO)
    assert replay.exit_code == 0, replay.output
    assert "without header" not in replay.output


def test_plain_headers_from_the_target_configuration(cli, tmp_path):
    repo = tmp_path / "echo"
    import shutil

    shutil.copytree(ECHO, repo, ignore=shutil.ignore_patterns("__pycache__"))
    config = repo / "pyproject.toml"
    config.write_text(config.read_text() + '\n[tool.migrator.parity]\nplain_headers = ["X-Feature"]\n')
    listing = _listing(tmp_path, "version: 1\nrequests:\n  - {name: a, path: /echo/a, headers: {X-Feature: beta}}\n")
    out = tmp_path / "c.jsonl"
    assert cli("record", "-r", listing, "-o", out, "--repo", repo).exit_code == 0
    assert read_cassette(out)[0]["request"]["headers"]["x-feature"] == "beta"


def test_an_unresolvable_plain_data_header_is_left_out_and_noted_a_credential_fails(cli, tmp_path):
    listing = _listing(tmp_path, """
version: 1
requests:
  - {name: feature, path: /echo/f, headers: {X-Feature: beta-channel}}
""")
    out = tmp_path / "elsewhere" / "cassette.jsonl"  # no request list beside it
    assert cli("record", "-r", listing, "-o", out, "--repo", ECHO, "--no-timestamps").exit_code == 0
    replay = cli("parity", "-c", out, "--repo", ECHO)
    assert replay.exit_code == 1  # the service saw another request: its fingerprint differs
    assert "replayed 1 exchange(s) without header x-feature" in replay.output
    assert "--credential feature.header.x-feature=VALUE" in replay.output
    with_value = cli("parity", "-c", out, "--repo", ECHO, "--credential", "feature.header.x-feature=beta-channel")
    assert with_value.exit_code == 0, with_value.output
    # a header named like a credential is never silently dropped
    text = out.read_text(encoding="utf-8").replace("x-feature", "x-client-key")
    (out.parent / "key.jsonl").write_text(text, encoding="utf-8")
    missing = cli("parity", "-c", out.parent / "key.jsonl", "--repo", ECHO)
    assert missing.exit_code == 2 and "no value for credential 'feature.header.x-client-key'" in missing.output


def test_a_literal_json_number_secret_replays_as_a_number(cli, tmp_path):
    listing = _listing(tmp_path, """
version: 1
requests:
  - {name: pin, method: POST, path: /echo/p, json: {pin: 48213, user_id: 7}}
""")
    out = listing.parent / "cassette.jsonl"
    assert cli("record", "-r", listing, "-o", out, "--repo", ECHO).exit_code == 0
    exchange = read_cassette(out)[0]
    assert exchange["request"]["json"] == {"pin": "${pin.json.pin}", "user_id": 7}
    assert exchange["response"]["json"]["echo"]["body"] == {"pin": "${pin.json.pin}", "user_id": 7}
    replay = cli("parity", "-c", out, "--repo", ECHO)
    assert replay.exit_code == 0, replay.output  # a string "48213" would change the fingerprint


def test_secret_looking_path_segments_are_placeholders():
    redactor = Redactor()
    token = "Zx9aQ2LmT7vB1cRk5nWp0yHs"
    assert redactor.path(f"/reset/{token}/confirm") == "/reset/<redacted:path:1>/confirm"
    assert redactor.path("/admin/users/42") == "/admin/users/42"
    assert redactor.path("/api/tenant/status/seoul_national_university_101") == \
        "/api/tenant/status/seoul_national_university_101"


def test_multipart_form_parts_named_like_secrets_are_redacted():
    body = ("--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nkim\r\n"
            "--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2-horse\r\n"
            "--XyZ\r\nContent-Disposition: form-data; name=\"notes\"; filename=\"a.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\nplain file text\r\n--XyZ--\r\n")
    stored = body_fields(body.encode(), {"content-type": "multipart/form-data; boundary=XyZ"}, Redactor())["body"]
    assert "hunter2-horse" not in stored and f"\r\n\r\n{REDACTED}\r\n" in stored
    assert "kim" in stored and "plain file text" in stored
    assert multipart("no boundary", "multipart/form-data", Redactor()) == "no boundary"


@pytest.mark.parametrize("text, kept, gone", [
    ("Welcome! your session: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl ok", ["Welcome!"],
     ["eyJhbGci"]),
    ("<a href='/cb?code=4%2F0AX4Xf&state=xyz'>next</a>", ["state=xyz", "next"], ["4%2F0AX4Xf"]),
    ('{"detail": "Token does not belong to this tenant"}', ["Token does not belong to this tenant"], []),
    ("key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", ["key:"], ["MIIEow"]),
    ("Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543", ["Authorization: Bearer"], ["8f14e45f"]),
])
def test_free_text_is_scrubbed_by_shape_and_by_name(text, kept, gone):
    out = Redactor().text(text)
    for fragment in kept:
        assert fragment in out, out
    for fragment in gone:
        assert fragment not in out, out


def test_response_fields_keep_counters_and_lose_secrets():
    body = {"users": {"total": 3}, "usage": {"total_tokens": 900, "tokens_today": 12, "total_sessions": 4},
            "session": {"id": "a1b2c3d4", "token": "tok-9f8e7d6c"}, "admin_credentials": {"email": "a@b.kr"},
            "error": {"code": "INVALID_REQUEST"}, "recovery_codes": ["abcd-1234", "efgh-5678"]}
    out = Redactor().body(json.loads(json.dumps(body)))
    assert out["usage"] == body["usage"] and out["users"] == body["users"]
    assert out["session"] == {"id": "a1b2c3d4", "token": REDACTED}
    assert out["admin_credentials"] == {"email": "a@b.kr"}
    assert out["error"] == {"code": "INVALID_REQUEST"}
    assert out["recovery_codes"] == [REDACTED, REDACTED]
