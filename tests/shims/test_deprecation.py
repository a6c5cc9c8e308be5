"""shims.deprecation: header formats and parsers, the route dependency, the call counter and its report route."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException

from migrator.testing import headers as header_parsers
from migrator.testing.headers import Link, parse_deprecation, parse_link, parse_sunset
from shims.deprecation import (
    CallCounter,
    caller_identity,
    create_deprecation_router,
    deprecated_endpoint,
    deprecation_headers,
    format_deprecation,
    format_link,
    format_sunset,
    get_default_counter,
    set_default_counter,
)
from shims.middleware.market_auth import MarketAuthMiddleware

UTC = timezone.utc
KST = timezone(timedelta(hours=9))


def request(app, method, url, **kwargs):
    async def run():
        transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(run())


# --- formats ------------------------------------------------------------------------------------------------------


def test_known_values():
    assert format_deprecation(date(2026, 1, 1)) == "@1767225600"
    assert format_sunset(date(2026, 12, 23)) == "Wed, 23 Dec 2026 00:00:00 GMT"
    assert format_sunset(datetime(2026, 12, 23, 9, 30, tzinfo=KST)) == "Wed, 23 Dec 2026 00:30:00 GMT"
    assert format_deprecation("2026-12-09") == "@1796774400"
    assert format_sunset("2024-02-29T23:59:59Z") == "Thu, 29 Feb 2024 23:59:59 GMT"


ROUND_TRIP = [
    datetime(2024, 2, 29, 0, 0, tzinfo=UTC),  # leap day
    datetime(2000, 2, 29, 12, 0, 1, tzinfo=UTC),  # leap day of a century leap year
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),  # year boundary, last second
    datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC),  # year boundary, first second
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 1, 1, 8, 59, 59, tzinfo=KST),  # still 2025 in UTC
    datetime(2100, 3, 1, tzinfo=UTC),  # 2100 is not a leap year
    datetime(1970, 1, 1, tzinfo=UTC),
]


@pytest.mark.parametrize("when", ROUND_TRIP, ids=lambda d: d.isoformat())
def test_formats_round_trip_through_the_parsers(when):
    assert parse_deprecation(format_deprecation(when)) == when.astimezone(UTC)
    assert parse_sunset(format_sunset(when)) == when.astimezone(UTC)
    assert parse_deprecation(format_sunset(when)) == when.astimezone(UTC)  # the drafts' HTTP-date form


def test_dates_are_midnight_utc_and_sub_seconds_are_dropped():
    assert parse_sunset(format_sunset(date(2024, 2, 29))) == datetime(2024, 2, 29, tzinfo=UTC)
    moment = datetime(2026, 6, 1, 12, 0, 0, 999_999, tzinfo=UTC)
    assert parse_deprecation(format_deprecation(moment)) == moment.replace(microsecond=0)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        format_sunset(datetime(2026, 12, 23))
    with pytest.raises(ValueError, match="ISO 8601"):
        format_sunset("23/12/2026")


def test_sunset_parser_accepts_the_obsolete_http_date_forms():
    expected = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
    assert parse_sunset("Sun, 06 Nov 1994 08:49:37 GMT") == expected
    assert parse_sunset("Sunday, 06-Nov-94 08:49:37 GMT") == expected  # RFC 850
    assert parse_sunset("Sun Nov  6 08:49:37 1994") == expected  # asctime
    assert parse_sunset("Sat Feb 29 00:00:00 2020") == datetime(2020, 2, 29, tzinfo=UTC)
    # RFC 850 two-digit years: more than 50 years ahead means the previous century
    assert (
        header_parsers.parse_http_date("Friday, 01-Jan-70 00:00:00 GMT", now=datetime(2026, 1, 1, tzinfo=UTC)).year == 2070
    )
    assert (
        header_parsers.parse_http_date("Monday, 01-Jan-99 00:00:00 GMT", now=datetime(2026, 1, 1, tzinfo=UTC)).year == 1999
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "tomorrow",
        "Wed, 23 Dec 2026 00:00:00 UTC",
        "Wed, 30 Feb 2026 00:00:00 GMT",
        "23 Dec 2026",
        "Wed, 23 Dec 2026 25:00:00 GMT",
        "wed, 23 dec 2026 00:00:00 GMT",
    ],
)
def test_sunset_parser_rejects_non_http_dates(bad):
    with pytest.raises(ValueError):
        parse_sunset(bad)


def test_deprecation_parser_forms():
    assert parse_deprecation("@0") == datetime(1970, 1, 1, tzinfo=UTC)
    assert parse_deprecation(" @1767225600 ") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_deprecation("true") is None  # "deprecated, date unknown"
    assert parse_deprecation("TRUE") is None
    for bad in ("@", "@12.5", "false", "1767225600", "@abc"):
        with pytest.raises(ValueError):
            parse_deprecation(bad)


def test_link_format_and_parse():
    assert format_link("/mt/tenant/t/stats") == '</mt/tenant/t/stats>; rel="successor-version"'
    assert format_link("https://docs.example/x", rel="deprecation", type="text/html") == (
        '<https://docs.example/x>; rel="deprecation"; type="text/html"'
    )
    value = (
        '</a>; rel="successor-version", <https://d.example/p?q=1,2>; rel="deprecation"; type="text/html"; title="a, b"'
    )
    assert parse_link(value) == [
        Link(url="/a", rel="successor-version"),
        Link(url="https://d.example/p?q=1,2", rel="deprecation", type="text/html", params={"title": "a, b"}),
    ]
    assert parse_link("<x>;rel=next") == [Link(url="x", rel="next")]
    assert parse_link(format_link("/u/{tenant_id}")) == [Link(url="/u/{tenant_id}", rel="successor-version")]


@pytest.mark.parametrize("bad", ["/a\r\nSet-Cookie: x=1", "/a b", "/a>", "", '/a"'])
def test_link_refuses_header_injection(bad):
    with pytest.raises(ValueError):
        format_link(bad)


@pytest.mark.parametrize("bad", ["x", "<x", "<x>; =1", '<x>; rel="open'])
def test_link_parser_rejects_garbage(bad):
    with pytest.raises(ValueError):
        parse_link(bad)


def test_deprecation_headers():
    headers = deprecation_headers(
        date(2026, 12, 9), date(2026, 12, 23), "/mt/tenant/{tenant_id}/stats", docs_url="https://docs.example/migrate"
    )
    assert headers == {
        "Deprecation": "@1796774400",
        "Sunset": "Wed, 23 Dec 2026 00:00:00 GMT",
        "Link": '</mt/tenant/{tenant_id}/stats>; rel="successor-version", '
        '<https://docs.example/migrate>; rel="deprecation"; type="text/html"',
    }
    same_day = deprecation_headers(date(2026, 12, 9), date(2026, 12, 9), None)
    assert set(same_day) == {"Deprecation", "Sunset"}


def test_sunset_before_deprecation_is_rejected():
    with pytest.raises(ValueError, match="earlier than Deprecation"):
        deprecation_headers(date(2026, 12, 23), date(2026, 12, 9), "/x")
    with pytest.raises(ValueError, match="earlier than Deprecation"):
        deprecation_headers(datetime(2026, 12, 9, 1, tzinfo=UTC), datetime(2026, 12, 9, 9, 59, tzinfo=KST), "/x")
    with pytest.raises(ValueError):
        deprecated_endpoint(deprecated_at=date(2026, 12, 23), sunset=date(2026, 12, 9), successor="/x")


# --- caller identity ------------------------------------------------------------------------------------------


def test_caller_identity_hashes_credentials_and_falls_back_to_ip():
    import hashlib

    secret = "Bearer adm_9f8e7d6c5b4a"
    expected = "key:" + hashlib.sha256(secret.encode()).hexdigest()[:12]
    assert caller_identity({"Authorization": secret}, "10.0.0.1") == expected
    assert caller_identity({"x-api-key": "k1"}, None) == "key:" + hashlib.sha256(b"k1").hexdigest()[:12]
    assert caller_identity({"X-Marketplace-Key": "mk"}, "1.2.3.4").startswith("key:")
    assert caller_identity({"X-Market-API-Key": "mk2"}, "1.2.3.4").startswith("key:")
    # Authorization wins over the others; different credentials are different callers
    assert caller_identity({"X-API-Key": "k1", "Authorization": secret}, None) == expected
    assert caller_identity({"Authorization": "Bearer other"}, None) != expected
    assert caller_identity({"Authorization": " "}, "10.0.0.1") == "ip:10.0.0.1"
    assert caller_identity({}, None) == "ip:unknown"


# --- the dependency on a route --------------------------------------------------------------------------------


def make_app(counter, **overrides):
    options = {
        "deprecated_at": date(2026, 12, 9),
        "sunset": date(2026, 12, 23),
        "successor": "/mt/tenant/{tenant_id}/users/{user_id}",
        "docs_url": None,
        "counter": counter,
    }
    options.update(overrides)
    dep = Depends(deprecated_endpoint(**options))

    def admin(authorization: str = Header(None)):
        if authorization != "Bearer good-admin-token":
            raise HTTPException(401, "Invalid or missing token")

    router = APIRouter()

    @router.get("/users/{user_id}", dependencies=[dep])
    async def get_user(user_id: int, _: None = Depends(admin)):
        if user_id == 0:
            raise HTTPException(404, "User not found")
        return {"id": user_id}

    @router.get(
        "/dashboard",
        dependencies=[
            Depends(
                deprecated_endpoint(
                    deprecated_at="2026-12-09",
                    sunset="2026-12-23",
                    successor="/mt/tenant/{tenant_id}/stats",
                    counter=counter,
                )
            )
        ],
    )
    def dashboard():  # a sync route works the same
        return {"ok": True}

    app = FastAPI()
    app.include_router(router, prefix="/admin")
    return app


GOOD = {"Authorization": "Bearer good-admin-token", "X-Tenant-ID": "hallym_university_102"}


def test_headers_on_success_with_placeholders_filled():
    counter = CallCounter()
    response = request(make_app(counter), "GET", "/admin/users/7", headers=GOOD)
    assert response.status_code == 200 and response.json() == {"id": 7}
    assert response.headers["Deprecation"] == "@1796774400"
    assert response.headers["Sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"
    assert parse_link(response.headers["Link"]) == [
        Link(url="/mt/tenant/hallym_university_102/users/7", rel="successor-version")
    ]


def test_headers_on_a_404_raised_by_the_route():
    response = request(make_app(CallCounter()), "GET", "/admin/users/0", headers=GOOD)
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}  # the body is untouched
    assert response.headers["Deprecation"] == "@1796774400"
    assert response.headers["Sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"
    assert "/mt/tenant/hallym_university_102/users/0" in response.headers["Link"]


def test_headers_on_a_401_raised_by_a_later_dependency():
    response = request(make_app(CallCounter()), "GET", "/admin/users/3", headers={"X-Tenant-ID": "t1"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or missing token"}
    assert response.headers["Sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"


def test_placeholders_without_a_tenant_header_stay_and_values_are_quoted():
    app = make_app(CallCounter())
    response = request(app, "GET", "/admin/users/5", headers={"Authorization": GOOD["Authorization"]})
    assert parse_link(response.headers["Link"])[0].url == "/mt/tenant/{tenant_id}/users/5"
    response = request(app, "GET", "/admin/users/5", headers={**GOOD, "X-Tenant-ID": "../x y"})
    assert parse_link(response.headers["Link"])[0].url == "/mt/tenant/..%2Fx%20y/users/5"


def test_sync_route_and_docs_link():
    app = make_app(CallCounter())
    response = request(app, "GET", "/admin/dashboard", headers={"X-Tenant-ID": "kaist_104"})
    assert response.json() == {"ok": True}
    assert response.headers["Link"] == '</mt/tenant/kaist_104/stats>; rel="successor-version"'
    docs = make_app(CallCounter(), docs_url="https://docs.example/m")
    links = parse_link(request(docs, "GET", "/admin/users/1", headers=GOOD).headers["Link"])
    assert [link.rel for link in links] == ["successor-version", "deprecation"]
    assert links[1] == Link(url="https://docs.example/m", rel="deprecation", type="text/html")


def test_counter_counts_per_route_and_caller_without_secrets(tmp_path):
    log = tmp_path / "calls.jsonl"
    counter = CallCounter(log)
    app = make_app(counter)
    other = {**GOOD, "Authorization": "Bearer another-admin-secret"}
    for headers in (GOOD, GOOD, other):
        request(app, "GET", "/admin/users/1", headers=headers)
    request(app, "GET", "/admin/users/2", headers=GOOD)  # same route, other id
    request(app, "GET", "/admin/dashboard")  # no credential: the client address
    snapshot = counter.snapshot()
    good_id = caller_identity({"Authorization": GOOD["Authorization"]}, None)
    other_id = caller_identity({"Authorization": other["Authorization"]}, None)
    assert snapshot == {
        "GET /admin/dashboard": {"ip:203.0.113.5": 1},
        "GET /admin/users/{user_id}": {good_id: 3, other_id: 1},
    }
    text = log.read_text() + json.dumps(snapshot)
    assert "good-admin-token" not in text and "another-admin-secret" not in text
    assert len(log.read_text().splitlines()) == 5


def test_default_counter_from_env(tmp_path, monkeypatch):
    log = tmp_path / "sub" / "deprecations.jsonl"
    monkeypatch.setenv("MIGRATOR_DEPRECATION_LOG", str(log))
    set_default_counter(None)
    try:
        app = make_app(None)
        request(app, "GET", "/admin/users/1", headers=GOOD)
        assert get_default_counter().path == log
        assert json.loads(log.read_text())["route"] == "GET /admin/users/{user_id}"
    finally:
        set_default_counter(None)
    monkeypatch.delenv("MIGRATOR_DEPRECATION_LOG")
    assert get_default_counter().path is None
    set_default_counter(None)


# --- the counter on its own -----------------------------------------------------------------------------------


def test_jsonl_round_trip_and_reload(tmp_path):
    log = tmp_path / "calls.jsonl"
    counter = CallCounter(log)
    t0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    counter.record("GET /admin/dashboard", "key:aaaaaaaaaaaa", when=t0)
    counter.record("GET /admin/dashboard", "ip:10.0.0.1", when=t0 + timedelta(hours=1))
    counter.record("GET /admin/users", "key:aaaaaaaaaaaa", when=datetime(2026, 12, 10, 18, 0, tzinfo=KST))
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines[0] == {"ts": "2026-12-10T09:00:00Z", "route": "GET /admin/dashboard", "caller": "key:aaaaaaaaaaaa"}
    assert lines[2]["ts"] == "2026-12-10T09:00:00Z"  # stored in UTC
    loaded = CallCounter.load(log)
    assert loaded.snapshot() == counter.snapshot()
    assert loaded.path is None  # a loaded copy never writes
    assert loaded.calls_since(1, now=t0 + timedelta(hours=2)) == 3
    # a counter opened on an existing log continues from it
    reopened = CallCounter(log)
    reopened.record("GET /admin/users", "ip:10.0.0.2", when=t0)
    assert reopened.snapshot()["GET /admin/users"] == {"key:aaaaaaaaaaaa": 1, "ip:10.0.0.2": 1}
    assert len(log.read_text().splitlines()) == 4


def test_corrupt_lines_are_skipped_with_a_warning(tmp_path, caplog):
    log = tmp_path / "calls.jsonl"
    good = '{"ts": "2026-12-10T09:00:00Z", "route": "GET /a", "caller": "ip:1"}'
    log.write_text(
        f'{good}\n{{not json\n{{"ts": "x", "route": "GET /a", "caller": "ip:1"}}\n\n{{"route": "GET /a"}}\n{{"ts": "2026-12-10T09:00:00", "route": "GET /a", "caller": "i"}}\n{good}'
        + "\n"
    )
    caplog.set_level(logging.WARNING, logger="shims.deprecation")
    counter = CallCounter.load(log)
    assert counter.snapshot() == {"GET /a": {"ip:1": 2}}
    assert "skipped 4 corrupt line(s)" in caplog.text and "2, 3, 5, 6" in caplog.text


def test_calls_since_counts_a_window_per_route():
    counter = CallCounter()
    now = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    for days_ago, route in [(0, "GET /a"), (1, "GET /a"), (6.9, "GET /b"), (7.1, "GET /a"), (30, "GET /b")]:
        counter.record(route, "ip:1", when=now - timedelta(days=days_ago))
    assert counter.calls_since(7, now=now) == 3
    assert counter.calls_since(7, now=now, route="GET /a") == 2
    assert counter.calls_since(7, now=now, route="GET /b") == 1
    assert counter.calls_since_by_route(7, now=now) == {"GET /a": 2, "GET /b": 1}
    assert counter.calls_since(31, now=now) == 5
    assert counter.total() == 5


def test_concurrent_records_from_threads(tmp_path):
    log = tmp_path / "calls.jsonl"
    counter = CallCounter(log)
    threads_n, per_thread = 8, 250

    def work(n):
        for i in range(per_thread):
            counter.record(f"GET /r{i % 3}", f"ip:10.0.0.{n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snapshot = counter.snapshot()
    assert sum(sum(c.values()) for c in snapshot.values()) == threads_n * per_thread
    assert all(count in (83, 84) for callers in snapshot.values() for count in callers.values())
    lines = log.read_text().splitlines()
    assert len(lines) == threads_n * per_thread
    assert all(json.loads(line)["route"].startswith("GET /r") for line in lines)  # no interleaved writes
    assert CallCounter.load(log).snapshot() == snapshot


def test_unwritable_log_does_not_break_the_route(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    counter = CallCounter(blocker / "calls.jsonl")  # a file where a directory should be
    caplog.set_level(logging.WARNING, logger="shims.deprecation")
    counter.record("GET /a", "ip:1")
    assert counter.snapshot() == {"GET /a": {"ip:1": 1}}
    assert "could not append" in caplog.text


# --- the report route -----------------------------------------------------------------------------------------


def test_deprecations_router_reports_snapshot_and_last_7_days():
    counter = CallCounter()
    now = datetime.now(UTC)
    counter.record("GET /admin/dashboard", "key:aaaaaaaaaaaa", when=now - timedelta(days=1))
    counter.record("GET /admin/dashboard", "ip:10.0.0.1", when=now - timedelta(days=10))
    counter.record("GET /admin/users", "key:aaaaaaaaaaaa", when=now - timedelta(hours=1))
    app = FastAPI()
    app.include_router(create_deprecation_router(counter))
    response = request(app, "GET", "/mt/deprecations")
    assert response.status_code == 200
    assert response.json() == {
        "calls": {
            "GET /admin/dashboard": {"key:aaaaaaaaaaaa": 1, "ip:10.0.0.1": 1},
            "GET /admin/users": {"key:aaaaaaaaaaaa": 1},
        },
        "total": 3,
        "last_7_days": {"days": 7, "total": 2, "routes": {"GET /admin/dashboard": 1, "GET /admin/users": 1}},
    }


def test_deprecations_router_is_behind_the_market_key():
    app = FastAPI()
    app.include_router(create_deprecation_router(CallCounter()))
    app.add_middleware(MarketAuthMiddleware, valid_keys=["market-key-1"])
    assert request(app, "GET", "/mt/deprecations").status_code == 401
    response = request(app, "GET", "/mt/deprecations", headers={"X-Market-API-Key": "market-key-1"})
    assert response.status_code == 200 and response.json()["total"] == 0


def test_unreadable_log_is_a_warning_not_a_crash(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="shims.deprecation")
    directory = tmp_path / "calls.jsonl"
    directory.mkdir()  # a directory where the log file should be
    counter = CallCounter(directory)
    assert "could not read deprecation log" in caplog.text
    counter.record("GET /a", "ip:1")
    assert counter.snapshot() == {"GET /a": {"ip:1": 1}}
    with pytest.raises(OSError):
        CallCounter.load(tmp_path / "missing.jsonl")  # an explicit load of a missing file is the caller's error


def test_calls_since_window_edges():
    counter = CallCounter()
    now = datetime(2026, 12, 20, tzinfo=UTC)
    counter.record("GET /a", "ip:1", when=now - timedelta(days=7))  # the first instant of the window
    counter.record("GET /a", "ip:1", when=now - timedelta(days=7, seconds=1))  # just before it
    counter.record("GET /a", "ip:1", when=now)  # now itself
    counter.record("GET /a", "ip:1", when=now + timedelta(seconds=5))  # after "now": not in the window
    assert counter.calls_since(7, now=now) == 2


# --- answers the dependency never sees: DeprecationHeadersMiddleware ------------------------------------------


def _guarded_app(counter):
    from fastapi import Depends, FastAPI, Header, HTTPException
    from fastapi.testclient import TestClient

    from shims.deprecation import DeprecationHeadersMiddleware, deprecated_endpoint

    def require_token(authorization: str = Header("")):
        if authorization != "Bearer ok":
            raise HTTPException(401, "Invalid or missing token")

    router = APIRouter(prefix="/admin/users", dependencies=[Depends(require_token)])
    dependency = deprecated_endpoint(deprecated_at="2026-12-09", sunset="2026-12-23",
                                     successor="/mt/tenant/{tenant_id}/users", counter=counter)

    @router.get("/fresh")
    async def not_deprecated():
        return {}

    @router.get("/{user_id}", dependencies=[Depends(dependency)])
    async def get_user(user_id: int):
        return {"id": user_id}

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(DeprecationHeadersMiddleware)
    return TestClient(app)


def test_middleware_adds_the_headers_to_a_401_from_a_router_level_dependency():
    counter = CallCounter()
    client = _guarded_app(counter)
    response = client.get("/admin/users/7", headers={"X-Tenant-ID": "t1"})
    assert response.status_code == 401
    assert response.headers["Deprecation"] == "@1796774400"
    assert response.headers["Sunset"] == "Wed, 23 Dec 2026 00:00:00 GMT"
    assert response.headers["Link"] == '</mt/tenant/t1/users>; rel="successor-version"'
    assert counter.snapshot() == {"GET /admin/users/{user_id}": {"ip:testclient": 1}}


def test_middleware_adds_the_headers_to_a_422_and_counts_each_call_once():
    counter = CallCounter()
    client = _guarded_app(counter)
    invalid = client.get("/admin/users/not-a-number", headers={"Authorization": "Bearer ok"})
    assert invalid.status_code == 422 and invalid.headers["Deprecation"] == "@1796774400"
    ok = client.get("/admin/users/7", headers={"Authorization": "Bearer ok", "X-Tenant-ID": "t1"})
    assert ok.status_code == 200 and ok.headers["Link"] == '</mt/tenant/t1/users>; rel="successor-version"'
    assert [h.lower() for h in ok.headers.keys()].count("deprecation") == 1
    caller = "key:" + hashlib.sha256(b"Bearer ok").hexdigest()[:12]
    assert counter.snapshot() == {"GET /admin/users/{user_id}": {caller: 2}}


def test_middleware_leaves_routes_that_are_not_deprecated_alone():
    counter = CallCounter()
    response = _guarded_app(counter).get("/admin/users/fresh", headers={"Authorization": "Bearer ok"})
    assert response.status_code == 200 and "deprecation" not in response.headers
    assert counter.snapshot() == {}


def test_middleware_leaves_a_405_on_a_deprecated_path_alone():
    # a PUT where only the deprecated GET exists is no call of that route: no headers, nothing counted
    counter = CallCounter()
    response = _guarded_app(counter).put("/admin/users/7", headers={"Authorization": "Bearer ok"})
    assert response.status_code == 405 and "deprecation" not in response.headers
    assert counter.snapshot() == {}
