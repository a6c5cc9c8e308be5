import textwrap

import pytest

from codemods._imports import ImportStyle
from codemods._phase23_routes import RouteRef
from codemods.remove_dead_code import remove_dead_code
from codemods.remove_routes import remove_routes
from codemods.tests.remove_routes_cases import CASES
from codemods.unwire_deprecation import unwire_deprecation_router
from codemods.wire_gone import GoneError, wire_gone_router

PROTECTED = {"svc/server.py", "svc/handlers/market_handler.py"}


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _refs(routes):
    return [RouteRef(function, tuple(sorted(methods)), path) for function, methods, path in routes]


def run(files: dict, remove: dict, texts: str = "") -> tuple[dict, list]:
    """remove_routes on each file, then the dead-code pass over the whole repository; returns (files, missing)."""
    files = dict(files)
    names, attributes, lost, missing = {}, {}, set(), []
    for path, routes in remove.items():
        if files.get(path) is None:
            missing += _refs(routes)
            continue
        result = remove_routes(files[path], _refs(routes))
        missing += result.missing
        if result.removed:
            files[path] = result.code
            names[path], attributes[path] = result.names, result.attributes
            lost.add(path)
    dead = remove_dead_code({p: s for p, s in files.items() if s is not None}, names, attributes, lost,
                            protected=PROTECTED, texts=texts)
    files.update(dead.sources)
    return files, missing


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_remove_routes_and_dead_code(case):
    before = {p: _src(s) for p, s in case["files"].items()}
    after, missing = run(before, case["remove"], case.get("texts", ""))
    assert missing == []
    changed = {p: s for p, s in after.items() if s != before[p]}
    assert changed == {p: (None if s is None else _src(s)) for p, s in case["after"].items()}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_second_run_changes_nothing(case):
    before = {p: _src(s) for p, s in case["files"].items()}
    once, _ = run(before, case["remove"], case.get("texts", ""))
    twice, missing = run(once, case["remove"], case.get("texts", ""))
    assert twice == once
    assert len(missing) == sum(len(r) for r in case["remove"].values())  # nothing left to find


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_remaining_file_compiles(case):
    after, _ = run({p: _src(s) for p, s in case["files"].items()}, case["remove"], case.get("texts", ""))
    for path, source in after.items():
        if source is not None:
            compile(source, path, "exec")


def test_formatting_and_comments_elsewhere_stay_byte_identical():
    case = CASES[0]
    before = _src(case["files"]["svc/routers/dash.py"]).replace("\n", "\r\n")  # CRLF file
    after, _ = run({**{p: _src(s) for p, s in case["files"].items()}, "svc/routers/dash.py": before},
                   case["remove"])
    assert after["svc/routers/dash.py"].endswith(
        '@router.get("/dashboard/export")\r\nasync def export(tenant_id: str = Depends(verify_admin)):\r\n'
        '    return {"tenant": tenant_id}\r\n')
    assert '"""Dashboard."""\r\n\r\nfrom fastapi import APIRouter, Depends\r\n' in after["svc/routers/dash.py"]


def test_a_route_that_is_not_there_is_reported():
    source = _src(CASES[1]["files"]["svc/routers/dash.py"])
    result = remove_routes(source, [RouteRef("get_top_users", ("POST",), "/admin/dashboard/top-users")])
    assert result.code == source and len(result.missing) == 1 and result.removed == []


APP = '''
from fastapi import FastAPI
from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router

app = FastAPI()
app.include_router(create_standard_router(market_handler))
app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

# migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market
# key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.
app.include_router(create_deprecation_router())
app.add_middleware(DeprecationHeadersMiddleware)


@app.get("/health")
def health():
    return {}
'''


def test_unwire_deprecation_router_returns_what_it_used():
    code, used = unwire_deprecation_router(_src(APP))
    assert "create_deprecation_router()" not in code and "phase 2" not in code
    assert code.endswith('exclude_paths=("/mt/health",))\n\n\n@app.get("/health")\ndef health():\n    return {}\n')
    assert {"app", "create_deprecation_router", "DeprecationHeadersMiddleware"} <= used
    assert "add_middleware(DeprecationHeadersMiddleware)" not in code
    assert unwire_deprecation_router(code) == (code, set())


def test_wire_gone_router_adds_then_merges_the_stub_table():
    gone = {("GET", "/admin/dashboard"): "/mt/tenant/{tenant_id}/stats"}
    once = wire_gone_router(_src(APP), gone)
    assert "from shims.gone import create_gone_router\n" in once
    assert ('app.include_router(create_gone_router({\n'
            '    ("GET", "/admin/dashboard"): "/mt/tenant/{tenant_id}/stats",\n}))\n') in once
    assert wire_gone_router(once, gone) == once
    more = wire_gone_router(once, {("DELETE", "/admin/users/{user_id}"): None})
    assert ('    ("GET", "/admin/dashboard"): "/mt/tenant/{tenant_id}/stats",\n'
            '    ("DELETE", "/admin/users/{user_id}"): None,\n}))\n') in more
    compile(more, "server.py", "exec")


def test_wire_gone_router_needs_the_phase_1_block():
    with pytest.raises(GoneError):
        wire_gone_router("app = FastAPI()\n", {("GET", "/x"): None})


IMPORTING = '''"""Routes."""

from __future__ import annotations

import hmac

from fastapi import APIRouter

from svc.helpers import (
    alpha,
    beta,
    gamma,
)

router = APIRouter()


@router.get("/kept")
def kept():
    return alpha()


@router.get("/gone")
def gone(token: str):
    return {"ok": hmac.compare_digest(token, "x"), "b": beta(), "g": gamma()}
'''
IMPORTING_AFTER = '''"""Routes."""

from __future__ import annotations

from fastapi import APIRouter

from svc.helpers import alpha

router = APIRouter()


@router.get("/kept")
def kept():
    return alpha()
'''


def test_an_import_that_loses_names_gets_the_layout_of_what_is_left():
    # with the service's import style, a sorted block is written again as ruff sorts it (without it, LibCST's
    # removal leaves `from svc.helpers import (\n    alpha)`)
    files = {"svc/__init__.py": "", "svc/helpers.py": "def alpha():\n    return 1\n\n\ndef beta():\n    return 2\n\n\n"
             "def gamma():\n    return 3\n"}
    removed = remove_routes(IMPORTING, [RouteRef("gone", ("GET",), "/gone")])
    files["svc/routes.py"] = removed.code
    style = ImportStyle(lambda module: module.split(".")[0] == "svc", 88)
    dead = remove_dead_code(files, {"svc/routes.py": removed.names}, {"svc/routes.py": removed.attributes},
                            {"svc/routes.py"}, style=style)
    assert dead.sources["svc/routes.py"] == IMPORTING_AFTER
