"""migrator.conformance.suite: passes the reference, fails a broken service precisely, cleans up, keeps secrets."""

from __future__ import annotations

import io
import json
import socket

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from rich.console import Console
from starlette.responses import JSONResponse

from migrator.conformance import (
    CheckStatus,
    ConformanceError,
    ConformanceReport,
    TargetUnreachableError,
    run_conformance,
)
from migrator.conformance.render import render_json, render_rich
from migrator.testing.reference import InMemoryHandler, make_app
from shims.standard_api import NotImplementedOperationError, StandardAPIHandler
from shims.standard_api.models import ActivateResponse, UserFilters

A, B = "hallym_univ", "yonsei_univ"
KEY = "test-market-key-0123456789"


class Broken(InMemoryHandler):
    """The reference with three wire bugs: a wrong status, a missing field, a wrong type."""

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


def _run(handler=None, keys=None, **kwargs) -> ConformanceReport:
    with TestClient(make_app(handler, keys=keys), raise_server_exceptions=False) as client:
        return run_conformance(client, api_key=KEY, tenant_id=kwargs.pop("tenant_id", A), **kwargs)


def _by_name(report: ConformanceReport):
    return {check.name: check for check in report.checks}


def _users_of(handler: InMemoryHandler, tenant: str) -> list[str]:
    import asyncio

    # the reference's own method: Broken.list_users answers with a (deliberately wrong) JSONResponse
    listing = asyncio.run(InMemoryHandler.list_users(handler, tenant, UserFilters(limit=100)))
    return [u.user_id for u in listing.users]


# --- the reference passes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", [A, B])
def test_the_reference_handler_is_conformant(tenant):
    report = _run(keys=[KEY], tenant_id=tenant)
    assert report.ok, [c for c in report.checks if c.status is not CheckStatus.PASSED]
    assert report.counts["failed"] == report.counts["skipped"] == report.counts["not-implemented"] == 0
    assert report.counts["passed"] == len(report.checks) > 50
    assert {c.suite for c in report.checks} == {"lifecycle", "dashboard", "users", "settings", "webhook", "auth"}
    # the market client's sequence and the sandbox tester's checks are part of it
    names = {c.name for c in report.checks}
    assert {"reactivate: the same contact activates it again", "webhook: the same e-mail again → the same tenant",
            "webhook: a tenant id another e-mail owns → 409"} <= names  # fmt: skip


def test_without_a_tenant_the_run_picks_a_listed_active_one():
    report = _run(keys=[KEY], tenant_id=None, suite="dashboard")
    assert (report.tenant_id, report.tenant_source) == (A, "/api/tenant/list")
    assert report.ok


def test_without_a_tenant_and_no_tenant_list_the_error_says_how_to_choose():
    with pytest.raises(ConformanceError, match=r"answered 404: pass --tenant ID: the id of an existing tenant"):
        _run(tenant_id=None)


def test_a_service_that_hands_a_tenant_to_another_applicant_fails_the_webhook_suite():
    class Careless(InMemoryHandler):
        async def activate_tenant(self, request):
            if request.tenant_id in self._tenants:  # "reuse" whatever exists: the bug of issue 13
                return ActivateResponse(success=True, tenant_id=request.tenant_id, access_url="https://x", message="")
            return await super().activate_tenant(request)

        async def list_tenants(self):
            raise NotImplementedOperationError("list_tenants")

    report = _run(Careless(), keys=[KEY], suite="webhook")
    check = _by_name(report)["webhook: a tenant id another e-mail owns → 409"]
    assert check.status is CheckStatus.FAILED and "handed to the wrong caller" in check.reason


@pytest.mark.parametrize("suite", ["dashboard", "users", "settings", "lifecycle", "webhook"])
def test_each_suite_runs_only_its_checks(suite):
    report = _run(suite=suite)
    assert report.ok and report.suite == suite
    assert {c.suite for c in report.checks} == {suite}


def test_an_unprotected_target_skips_auth_checks_unless_auth_is_required():
    lenient = _by_name(_run())
    assert lenient["auth: no key → 401"].status is CheckStatus.SKIPPED
    assert "not protected" in lenient["auth: no key → 401"].reason
    strict = _run(require_auth=True)
    assert not strict.ok
    failed = {c.name for c in strict.failures()}
    assert failed == {"auth: no key → 401", "auth: wrong key → 401"}


def test_writes_clean_up_after_themselves():
    handler = InMemoryHandler()
    before = {t: _users_of(handler, t) for t in (A, B)}
    report = _run(handler, tenant_id=B)  # B has room for exactly one more user: the quota would show a leak
    assert report.ok
    assert {t: _users_of(handler, t) for t in (A, B)} == before
    created = [t for t in handler._tenants if t.startswith("conformance_")]
    assert len(created) == 1 and handler._tenants[created[0]].status == "deactivated"
    assert handler._tenants[created[0]].users == {}
    assert _run(handler, tenant_id=B).ok  # and a second run still passes


# --- a broken service fails precisely ---------------------------------------------------------------------------


def test_a_broken_handler_fails_with_precise_reasons():
    handler = Broken()
    before = _users_of(handler, A)
    report = _run(handler)
    assert not report.ok
    checks = _by_name(report)
    create = checks["users: create → 201"]
    assert create.status is CheckStatus.FAILED
    assert create.reason.startswith("expected status 201, got 200")
    assert (create.method, create.path) == ("POST", f"/mt/tenant/{A}/users")
    stats = checks["stats: default period is 30d"]
    assert stats.status is CheckStatus.FAILED and stats.reason == "StatsResponse: missing field $.summary.total_users"
    listing = checks["users: list default page"]
    assert listing.reason == "UsersListResponse: wrong type $.total: expected int, got str"
    # checks that need the failed create are skipped, not failed a second time
    assert checks["users: created user is readable"].status is CheckStatus.SKIPPED
    assert "users: create → 201" in checks["users: created user is readable"].reason
    # the user the wrong answer created was still deleted
    assert checks["users: clean up test users"].status is CheckStatus.PASSED
    assert _users_of(handler, A) == before
    # what the broken handler did not break still passes
    assert checks["costs: default period"].status is CheckStatus.PASSED
    assert checks["settings: get"].status is CheckStatus.PASSED


class Minimal(StandardAPIHandler):
    """Only mt_paas's abstract operations (delegated to the reference); the optional ones stay 501."""

    def __init__(self) -> None:
        self.reference = InMemoryHandler()


for _name in StandardAPIHandler.__abstractmethods__:
    setattr(Minimal, _name, (lambda n: lambda self, *a: getattr(self.reference, n)(*a))(_name))
Minimal.__abstractmethods__ = frozenset()


def test_optional_operations_answering_501_are_warnings():
    report = _run(Minimal())
    assert report.ok
    not_implemented = {c.name for c in report.checks if c.status is CheckStatus.NOT_IMPLEMENTED}
    assert "top users: default limit 10" in not_implemented
    assert "usage patterns: default period" in not_implemented
    assert "settings: update with unchanged values" in not_implemented
    reason = _by_name(report)["top users: default limit 10"].reason
    assert reason == "'get_top_users' answered 501 Not Implemented"
    assert _by_name(report)["limits: get (agrees with settings)"].status is CheckStatus.PASSED  # default from settings


def test_a_mandatory_read_answering_501_is_counted_apart_and_fails_only_when_strict():
    class NoSettings(InMemoryHandler):
        async def get_settings(self, tenant_id):
            raise NotImplementedOperationError("get_settings")

    report = _run(NoSettings(), suite="settings")
    check = _by_name(report)["settings: get"]
    assert check.status is CheckStatus.NOT_IMPLEMENTED
    assert check.reason == "'get_settings' is mandatory but answered 501 Not Implemented"
    assert report.ok and report.mandatory_not_implemented == ["get_settings"]
    assert _by_name(report)["settings: update with unchanged values"].status is CheckStatus.SKIPPED
    strict = _run(NoSettings(), suite="settings", strict=True)
    assert _by_name(strict)["settings: get"].status is CheckStatus.FAILED
    assert not strict.ok


def test_a_test_user_the_service_cannot_delete_is_not_implemented_and_named_not_a_failure():
    class NoDelete(InMemoryHandler):
        async def delete_user(self, tenant_id, user_id):
            raise NotImplementedOperationError("delete_user")

    handler = NoDelete()
    before = set(_users_of(handler, A))
    report = _run(handler, suite="users")
    assert report.ok, [(c.name, c.reason) for c in report.failures()]
    left = set(_users_of(handler, A)) - before
    assert len(left) == 1  # the created user stays: the service cannot delete it
    cleanup = _by_name(report)["users: clean up test users"]
    assert cleanup.status is CheckStatus.NOT_IMPLEMENTED
    assert left.pop() in cleanup.reason and "remove them by hand" in cleanup.reason


def test_a_test_user_left_for_another_reason_fails_the_clean_up():
    class FailingDelete(InMemoryHandler):
        async def delete_user(self, tenant_id, user_id):
            raise RuntimeError("disk full")

    report = _run(FailingDelete(), suite="users")
    cleanup = _by_name(report)["users: clean up test users"]
    assert cleanup.status is CheckStatus.FAILED and "(500)" in cleanup.reason


def test_a_wrong_error_body_is_reported():
    class LegacyErrors(InMemoryHandler):
        async def get_user(self, tenant_id, user_id):
            return JSONResponse({"detail": "User not found"}, status_code=404)

    check = _by_name(_run(LegacyErrors(), suite="users"))["users: unknown user → 404"]
    assert check.status is CheckStatus.FAILED
    assert "error body is not" in check.reason and "User not found" in check.reason


def test_extra_keys_are_reported():
    class Chatty(InMemoryHandler):
        async def get_settings(self, tenant_id):
            data = (await super().get_settings(tenant_id)).model_dump(mode="json")
            data["config"]["internal_db"] = "sqlite:///x"
            return JSONResponse(data)

    check = _by_name(_run(Chatty(), suite="settings"))["settings: get"]
    assert check.reason == "SettingsResponse: unexpected field $.config.internal_db"


# --- arguments, unreachable targets, secrets --------------------------------------------------------------------


def test_bad_arguments_are_conformance_errors():
    with TestClient(make_app()) as client:
        with pytest.raises(ConformanceError, match="no tenant"):
            run_conformance(client, api_key=KEY)
        with pytest.raises(ConformanceError, match="unknown suite 'everything'"):
            run_conformance(client, api_key=KEY, tenant_id=A, suite="everything")
        with pytest.raises(ConformanceError, match="no API key"):
            run_conformance(client, api_key="", tenant_id=A)


def test_a_rejected_key_stops_the_run_with_one_message():
    with TestClient(make_app(keys=["right"])) as client:
        with pytest.raises(ConformanceError, match="rejects the given X-Market-API-Key") as caught:
            run_conformance(client, api_key="wrong-key-value", tenant_id=A)
    assert "wrong-key-value" not in str(caught.value)


def test_an_unreachable_target_raises():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        with pytest.raises(TargetUnreachableError, match=f"cannot reach http://127.0.0.1:{port}"):
            run_conformance(client, api_key=KEY, tenant_id=A)


def test_the_key_never_appears_in_the_report_even_when_echoed():
    echo = FastAPI()

    @echo.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def everything(request: Request):
        return JSONResponse({"got": request.headers.get("x-market-api-key")}, status_code=500)

    with TestClient(echo) as client:
        report = run_conformance(client, api_key=KEY, tenant_id=A)
    assert not report.ok
    dumped = render_json(report)
    assert KEY not in dumped
    assert "***" in dumped  # the echoed key was there and was redacted


# --- report and renderers ---------------------------------------------------------------------------------------


def test_the_report_is_json_with_counts_and_verdict():
    report = _run(Broken(), suite="dashboard")
    data = json.loads(render_json(report))
    assert data["ok"] is False and data["suite"] == "dashboard" and data["tenant_id"] == A
    assert data["counts"]["failed"] == 4  # stats x4 (default, 7d, 90d, 1y): the missing field
    assert sum(data["counts"].values()) == len(data["checks"])
    assert ConformanceReport.model_validate(data).failures()[0].name == "stats: default period is 30d"


def test_rich_rendering_lists_failures_and_the_verdict():
    buffer = io.StringIO()
    render_rich(_run(Broken(), suite="users"), Console(file=buffer, width=200, no_color=True))
    text = buffer.getvalue()
    assert "NOT conformant" in text
    assert "wrong type $.total: expected int, got str" in text
    buffer = io.StringIO()
    render_rich(_run(Broken(), suite="dashboard"), Console(file=buffer, width=200, no_color=True))
    assert "missing field $.summary.total_users" in buffer.getvalue()
    assert "costs: default period" not in buffer.getvalue()  # passed checks are listed only with verbose
    buffer = io.StringIO()
    render_rich(_run(suite="settings"), Console(file=buffer, width=200, no_color=True), verbose=True)
    assert "conformant: " in buffer.getvalue() and "settings: get" in buffer.getvalue()
