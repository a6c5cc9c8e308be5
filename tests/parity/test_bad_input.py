"""Bad input to `migrator record` / `migrator parity`: one line naming the file (and line or entry), exit 2, never a
traceback; a run that compared nothing is not a pass."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

import pytest
from parity_support import MINI


def _usage_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# --- nothing compared ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n\n   \n"], ids=["empty", "blank"])
def test_a_cassette_without_exchanges_is_an_error_unless_allowed(cli, tmp_path, content):
    cassette = tmp_path / "empty.jsonl"
    cassette.write_text(content)
    _usage_error(cli("parity", "-c", cassette, "--repo", MINI), "empty.jsonl", "nothing was compared",
                 "--allow-empty")
    allowed = cli("parity", "-c", cassette, "--repo", MINI, "--allow-empty")
    assert allowed.exit_code == 0, allowed.output
    assert "0 passed, 0 failed" in allowed.output


# --- encodings -----------------------------------------------------------------------------------------------------


def test_invalid_utf8_in_a_cassette_names_the_line(cli, tmp_path, mini_cassette):
    broken = tmp_path / "broken.jsonl"
    lines = mini_cassette.read_bytes().splitlines(keepends=True)
    broken.write_bytes(b"".join(lines[:3]) + lines[3].replace(b"acme_1", b"acme_\xff\xfe1") + b"".join(lines[4:]))
    _usage_error(cli("parity", "-c", broken, "--repo", MINI), "broken.jsonl:4", "not valid UTF-8")


@pytest.mark.parametrize("raw", [
    "version: 1\nrequests:\n  - {name: caf\u00e9, path: /admin/dashboard}\n".encode("latin-1"),
    "version: 1\nrequests:\n  - {name: a, path: /admin/dashboard}\n".encode("utf-16"),
    b"version: 1\nrequests:\n  - {name: a, path: /admin/\xc3\x28}\n",
], ids=["latin-1", "utf-16", "invalid-sequence"])
def test_a_request_list_that_is_not_utf8_names_the_file(cli, tmp_path, raw):
    listing = tmp_path / "requests.yaml"
    listing.write_bytes(raw)
    _usage_error(cli("record", "-r", listing, "-o", tmp_path / "c.jsonl", "--repo", MINI), "requests.yaml",
                 "not valid UTF-8")
    assert not (tmp_path / "c.jsonl").exists()


# --- control characters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry, where", [
    ('{name: cr_path, path: "/admin/dashboard\\r"}', "field path"),
    ('{name: lf_header, path: /admin/users, headers: {X-Tenant-ID: "acme_1\\nX-Injected: 1"}}', "header X-Tenant-ID"),
    ('{name: nul_query, path: /admin/users, query: {search: "a\\0b"}}', "query search"),
    ('{name: cr_query, path: /admin/users, query: "search=a\\rb"}', "the query"),
    ('{name: bad_name, path: /admin/users, headers: {"X Tenant": acme_1}}', "not a valid HTTP header name"),
], ids=["cr-path", "lf-header", "nul-query", "cr-query-string", "header-name"])
def test_control_characters_in_a_request_list_are_refused_by_entry(cli, tmp_path, entry, where):
    listing = tmp_path / "requests.yaml"
    listing.write_text(f"version: 1\nrequests:\n  - {entry}\n", encoding="utf-8")
    name = entry.split("name: ")[1].split(",")[0]
    _usage_error(cli("record", "-r", listing, "-o", tmp_path / "c.jsonl", "--repo", MINI),
                 "requests.yaml", f"requests[0] (name '{name}')", where)


@pytest.mark.parametrize("old, new, where", [
    (b'"path":"/admin/dashboard"', b'"path":"/admin/dashboard\\r\\n"', "request.path"),
    (b'"x-tenant-id":"acme_1"', b'"x-tenant-id":"acme_1\\r\\nX-Evil: 1"', "request.headers"),
    (b'"query":""', b'"query":"a=\\u0000"', "request.query"),
], ids=["path", "header", "query"])
def test_control_characters_in_a_cassette_name_the_line(cli, tmp_path, mini_cassette, old, new, where):
    broken = tmp_path / "ctl.jsonl"
    lines = mini_cassette.read_bytes().splitlines(keepends=True)
    assert old in lines[0], lines[0][:200]
    broken.write_bytes(lines[0].replace(old, new, 1) + b"".join(lines[1:]))
    _usage_error(cli("parity", "-c", broken, "--repo", MINI), "ctl.jsonl:1", where, "control character")


# --- dates and the target --------------------------------------------------------------------------------------


def test_a_malformed_date_in_the_options_is_one_line(cli, tmp_path):
    from parity_support import EXAMPLES

    folder = EXAMPLES["advisor"][0]
    result = cli("parity", "-c", folder / "parity" / "cassette.jsonl", "--repo", folder,
                 "--env", "ADVISOR_DATA_DIR={tmp}/data", "--env", "ADVISOR_NOW=2026-13-45T99:00:00")
    _usage_error(result, "ADVISOR_NOW", "2026-13-45")


@contextmanager
def _server_closing_mid_response():
    """A TCP server that answers every request with half a response, then closes the connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"par")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_a_target_that_closes_the_connection_mid_response(cli, tmp_path, mini_cassette):
    with _server_closing_mid_response() as url:
        replay = cli("parity", "-c", mini_cassette, "--target", url, "--repo", MINI, "--no-reset")
        _usage_error(replay, "#1 dashboard_acme", "closed or broke mid-response")
        record = cli("record", "-r", MINI / "parity" / "requests.yaml", "-o", tmp_path / "c.jsonl", "--target", url,
                     "--repo", MINI)
        _usage_error(record, "requests.yaml 'dashboard_acme'", "closed or broke mid-response")
    assert not (tmp_path / "c.jsonl").exists()


# --- app factories -------------------------------------------------------------------------------------------------


def _with_factories(tmp_path):
    """The mini service with an app factory (as `[tool.migrator] app = "pkg.mod:create_app()"` names it for phase
    1) and a factory that fails."""
    import shutil

    repo = tmp_path / "mini_factory"
    shutil.copytree(MINI, repo)
    server = repo / "miniapp" / "server.py"
    server.write_text(server.read_text(encoding="utf-8") + (
        "\n\ndef create_app():\n    return app\n\n\ndef broken_app():\n    raise RuntimeError('no database')\n"),
        encoding="utf-8")
    return repo


def test_an_app_factory_written_with_its_call_is_served(cli, tmp_path, mini_cassette):
    repo = _with_factories(tmp_path)
    result = cli("parity", "-c", mini_cassette, "--repo", repo, "--app", "miniapp.server:create_app()")
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


@pytest.mark.parametrize(("spec", "fragment"), [
    ("miniapp.server:create_app", "an app factory: write 'miniapp.server:create_app()'"),
    ("miniapp.server:broken_app()", "calling the factory failed: RuntimeError: no database"),
])
def test_an_app_factory_named_without_its_call_or_failing_is_one_line(cli, tmp_path, mini_cassette, spec, fragment):
    repo = _with_factories(tmp_path)
    _usage_error(cli("parity", "-c", mini_cassette, "--repo", repo, "--app", spec), fragment)
