"""`migrator conform`: exit 0 on the reference, 1 with a precise report on a broken service, 2 on usage errors."""

from __future__ import annotations

import json
import socket
import textwrap
import threading
import time
import uuid

import pytest
import uvicorn
from typer.testing import CliRunner

from migrator.cli import app
from migrator.testing.reference import make_app

runner = CliRunner()
KEY = "cli-market-key-9876543210"
REFERENCE = "migrator.testing.reference:app"

BROKEN_MODULE = '''
from starlette.responses import JSONResponse
from migrator.testing.reference import InMemoryHandler, make_app


class Broken(InMemoryHandler):
    """A wrong status code, a missing field and a wrong type."""

    async def create_user(self, tenant_id, request):
        created = await super().create_user(tenant_id, request)
        return JSONResponse(created.model_dump(mode="json"), status_code=200)

    async def get_tenant_stats(self, tenant_id, period):
        data = (await super().get_tenant_stats(tenant_id, period)).model_dump(mode="json")
        del data["summary"]["total_users"]
        return JSONResponse(data)

    async def list_users(self, tenant_id, filters):
        data = (await super().list_users(tenant_id, filters)).model_dump(mode="json")
        data["total"] = str(data["total"])
        return JSONResponse(data)


app = make_app(Broken())
protected = make_app(keys=[{key!r}])
'''


def invoke(*args: str, key: str | None = KEY):
    return runner.invoke(app, ["conform", *args], env={"MARKET_API_KEY": key})


@pytest.fixture
def service_dir(tmp_path):
    """A directory holding an importable module with a broken and a protected app; returns (dir, module name)."""
    name = f"svc_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(BROKEN_MODULE.format(key=KEY)))
    return tmp_path, name


def test_the_reference_app_passes_with_exit_0():
    result = invoke("--app", REFERENCE, "--tenant", "hallym_univ")
    assert result.exit_code == 0, result.output
    assert "conformant:" in result.output and "0 failed" in result.output


def test_without_tenant_the_reference_app_picks_a_listed_one():
    result = invoke("--app", REFERENCE)
    assert result.exit_code == 0, result.output
    assert "tenant hallym_univ picked from /api/tenant/list" in result.output


def test_without_tenant_and_without_a_tenant_list_exit_2_says_how_to_choose(tmp_path):
    name = f"nolist_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("from migrator.testing.reference import make_app\n\napp = make_app()\n")
    result = invoke("--app", f"{name}:app", "--app-dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no tenant given and GET /api/tenant/list answered 404: pass --tenant ID: the id of an existing tenant"
        " of the service (one of its seeded tenants, or one created with POST /mt/tenant/{id}/activate)"
    ]


def test_a_broken_app_fails_with_exit_1_and_a_precise_report(service_dir):
    directory, module = service_dir
    result = invoke("--app", f"{module}:app", "--app-dir", str(directory), "--tenant", "hallym_univ", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    failures = {c["name"]: c["reason"] for c in report["checks"] if c["status"] == "failed"}
    assert failures["users: create → 201"].startswith("expected status 201, got 200")
    assert failures["stats: default period is 30d"] == "StatsResponse: missing field $.summary.total_users"
    assert failures["users: list default page"] == "UsersListResponse: wrong type $.total: expected int, got str"
    assert report["ok"] is False and report["counts"]["failed"] == len(failures)
    assert report["target"] == f"app {module}:app"


def test_the_rich_report_of_a_broken_app_names_the_problems(service_dir):
    directory, module = service_dir
    result = invoke("--app", f"{module}:app", "--app-dir", str(directory), "--tenant", "yonsei_univ",
                    "--suite", "dashboard")  # fmt: skip
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "NOT conformant" in flat and "total_users" in flat


def test_a_protected_app_with_the_key_from_the_environment(service_dir, tmp_path):
    directory, module = service_dir
    out = tmp_path / "report.json"
    result = invoke("--app", f"{module}:protected", "--app-dir", str(directory), "--tenant", "hallym_univ",
                    "--format", "json", "-o", str(out), "--require-auth")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"report written to {out}" in result.output
    text = out.read_text()
    report = json.loads(text)
    auth = {c["name"]: c["status"] for c in report["checks"] if c["suite"] == "auth"}
    assert auth == {"auth: health needs no key": "passed", "auth: no key → 401": "passed", "auth: wrong key → 401": "passed"}
    assert KEY not in text and KEY not in result.output


def test_a_rich_report_can_go_to_a_file(tmp_path):
    out = tmp_path / "report.txt"
    result = invoke("--app", REFERENCE, "--tenant", "hallym_univ", "--suite", "settings", "-o", str(out), "-v")
    assert result.exit_code == 0
    assert "settings: get" in out.read_text() and "conformant:" in out.read_text()


def test_a_wrong_key_is_a_usage_error(service_dir):
    directory, module = service_dir
    result = invoke("--app", f"{module}:protected", "--app-dir", str(directory), "--tenant", "hallym_univ",
                    key="not-the-key")  # fmt: skip
    assert result.exit_code == 2
    assert "rejects the given X-Market-API-Key (401)" in result.stderr
    assert "not-the-key" not in result.output


@pytest.fixture
def live_server():
    """The reference app served by uvicorn on a free local port, for --target."""
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else each answer waits ~40 ms (delayed ACK)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(keys=[KEY]), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_a_running_service_over_http(live_server):
    result = invoke("--target", live_server, "--tenant", "yonsei_univ", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["target"] == live_server and report["counts"]["failed"] == 0 and report["counts"]["skipped"] == 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--tenant", "t"], "give exactly one of --target URL or --app module:app"),
        (["--app", REFERENCE, "--target", "http://x", "--tenant", "t"], "give exactly one of"),
        (["--app", "no_such_module_xyz:app", "--tenant", "t"], "cannot import 'no_such_module_xyz'"),
        (["--app", "migrator.testing.reference:nothing", "--tenant", "t"], "has no attribute 'nothing'"),
        (["--app", "migrator.testing.reference", "--tenant", "t"], "--app must look like 'package.module:app'"),
        (["--app", "migrator.testing.reference:REFERENCE_TENANTS", "--tenant", "t"], "not an ASGI application"),
        (["--app", REFERENCE, "--app-dir", "/no/such/dir", "--tenant", "t"], "is not a directory"),
        (["--target", "localhost:8000", "--tenant", "t"], "--target must be an http(s) URL"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(args, message):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_unreachable_target_exits_2():
    port = _closed_port()
    result = invoke("--target", f"http://127.0.0.1:{port}", "--tenant", "t", "--timeout", "2")
    assert result.exit_code == 2
    assert f"cannot reach http://127.0.0.1:{port}" in result.stderr


def test_a_missing_key_exits_2():
    result = invoke("--app", REFERENCE, "--tenant", "t", key=None)
    assert result.exit_code == 2
    assert "no API key: pass --key KEY or set MARKET_API_KEY" in result.stderr


def test_an_unknown_suite_is_rejected_by_the_cli():
    result = invoke("--app", REFERENCE, "--tenant", "t", "--suite", "everything")
    assert result.exit_code == 2


def test_an_app_that_fails_to_start_exits_2(tmp_path):
    name = f"bad_start_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent('''
        from contextlib import asynccontextmanager
        from fastapi import FastAPI

        @asynccontextmanager
        async def lifespan(app):
            raise RuntimeError("database unavailable")
            yield

        app = FastAPI(lifespan=lifespan)
    '''))  # fmt: skip
    result = invoke("--app", f"{name}:app", "--app-dir", str(tmp_path), "--tenant", "t")
    assert result.exit_code == 2
    assert "failed to start" in result.stderr and "database unavailable" in result.stderr


def test_an_app_module_that_raises_on_import_exits_2(tmp_path):
    name = f"bad_import_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("raise ValueError('bad config')\n")
    result = invoke("--app", f"{name}:app", "--app-dir", str(tmp_path), "--tenant", "t")
    assert result.exit_code == 2
    assert "ValueError: bad config" in result.stderr


def test_conform_is_listed_in_the_help():
    result = runner.invoke(app, ["--help"])
    assert "conform" in result.output
