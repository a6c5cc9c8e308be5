import textwrap

import pytest

from codemods._imports import ImportStyle
from codemods._phase23_routes import RouteRef
from codemods.deprecate_routes import DeprecateError, Deprecation, deprecate_routes
from codemods.tests.deprecate_routes_cases import CASES, FITTED_AFTER, FITTED_BEFORE, FITTED_ROUTES
from codemods.wire_deprecation import WireError, wire_deprecation_router

# `svc` is the service's package (first party), as ruff sees it in the service's folder
DATES = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23", "version": "1.4.2",
         "style": ImportStyle(lambda module: module.split(".")[0] == "svc", 120)}


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _deprecations(case):
    return [Deprecation(RouteRef(f, tuple(sorted(methods)), path), method, successor)
            for f, methods, path, method, successor in case["routes"]]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_deprecate_routes(case):
    result = deprecate_routes(_src(case["before"]), _deprecations(case), **DATES)
    assert result.code == _src(case["after"])
    assert sorted(r.path for r in result.marked) == sorted(r[2] for r in case["routes"])
    assert result.missing == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_second_run_changes_nothing(case):
    once = deprecate_routes(_src(case["before"]), _deprecations(case), **DATES).code
    again = deprecate_routes(once, _deprecations(case), **DATES)
    assert again.code == once
    assert again.marked == [] and len(again.already) == len(case["routes"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_output_compiles(case):
    compile(deprecate_routes(_src(case["before"]), _deprecations(case), **DATES).code, "x.py", "exec")


def test_a_new_sunset_rewrites_only_the_dates_constant():
    case = CASES[4]
    once = deprecate_routes(_src(case["before"]), _deprecations(case), **DATES).code
    moved = deprecate_routes(once, _deprecations(case), **{**DATES, "sunset": "2027-01-15"}).code
    changed = [(a, b) for a, b in zip(once.splitlines(), moved.splitlines()) if a != b]
    assert changed == [('LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}',
                        'LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2027-01-15"}')]


def test_a_route_not_in_the_module_is_reported_and_nothing_changes():
    source = _src(CASES[0]["before"])
    missing = RouteRef("get_dashboard", ("POST",), "/admin/dashboard")  # right function, wrong method
    result = deprecate_routes(source, [Deprecation(missing, "GET", "/mt/x")], **DATES)
    assert result.code == source
    assert result.missing == [missing]


def test_the_longest_matching_path_wins_between_stacked_decorators():
    source = _src('''
        @router.get("/x")
        @router.get("/a/x")
        def f():
            return 1
    ''')
    route = RouteRef("f", ("GET",), "/pre/a/x")
    code = deprecate_routes(source, [Deprecation(route, "GET", "/mt/x")], **DATES).code
    assert '@router.get("/x")\n' in code
    assert '    "/a/x",\n    deprecated=True,' in code


@pytest.mark.parametrize("clash", [
    "def deprecated(x):\n    return x\n",
    "Depends = None\n",
    "LEGACY_DEPRECATION = 42\n",
    "from typing_extensions import deprecated\n",
    "from mylib import helper as deprecated_endpoint\n",
])
def test_a_name_the_generated_code_needs_is_refused_when_taken(clash):
    source = _src(CASES[0]["before"]) + "\n\n" + clash
    with pytest.raises(DeprecateError):
        deprecate_routes(source, _deprecations(CASES[0]), **DATES)


APP = '''
from fastapi import FastAPI

app = FastAPI()
app.include_router(users.router)

# Standard API v2 (migrator phase 1)
app.include_router(create_standard_router(market_handler))
app.include_router(create_service_market_router(market_handler))
app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))


@app.get("/health")
def health():
    return {}
'''

APP_AFTER = '''
from fastapi import FastAPI
from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router

app = FastAPI()
app.include_router(users.router)

# Standard API v2 (migrator phase 1)
app.include_router(create_standard_router(market_handler))
app.include_router(create_service_market_router(market_handler))
app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key", exclude_paths=("/mt/health",))

# migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market
# key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.
app.include_router(create_deprecation_router())
app.add_middleware(DeprecationHeadersMiddleware)


@app.get("/health")
def health():
    return {}
'''

FACTORY = '''
from fastapi import FastAPI


def create_app():
    app = FastAPI()
    app.include_router(create_standard_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key")
    return app
'''

FACTORY_AFTER = '''
from fastapi import FastAPI
from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router


def create_app():
    app = FastAPI()
    app.include_router(create_standard_router(market_handler))
    app.add_middleware(MarketAuthMiddleware, api_key_header="X-Market-API-Key")
    # migrator phase 2: GET /mt/deprecations counts calls to the deprecated routes per route and caller (market
    # key required); set MIGRATOR_DEPRECATION_LOG to a file to keep them and let phase 3 check them.
    app.include_router(create_deprecation_router())
    app.add_middleware(DeprecationHeadersMiddleware)
    return app
'''


@pytest.mark.parametrize("before, after", [(APP, APP_AFTER), (FACTORY, FACTORY_AFTER)], ids=["module", "factory"])
def test_wire_deprecation_router(before, after):
    once = wire_deprecation_router(_src(before), style=DATES["style"])
    assert once == _src(after)
    assert wire_deprecation_router(once, style=DATES["style"]) == once


def test_wiring_needs_the_phase_1_block():
    with pytest.raises(WireError, match="create_standard_router"):
        wire_deprecation_router("app = FastAPI()\n")


def test_the_deprecated_package_imported_already_is_reused():
    source = "from deprecated import deprecated\n" + _src(CASES[0]["before"])
    code = deprecate_routes(source, _deprecations(CASES[0]), **DATES).code
    assert code.startswith("from deprecated import deprecated\n")
    assert "from shims.deprecation import deprecated_endpoint\n" in code and code.count("import deprecated,") == 0


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_crlf_files_stay_crlf(case):
    source = _src(case["before"]).replace("\n", "\r\n")
    code = deprecate_routes(source, _deprecations(case), **DATES).code
    assert "\n" not in code.replace("\r\n", "")
    assert code.replace("\r\n", "\n") == _src(case["after"])


@pytest.mark.parametrize("width", [88, 60])
def test_what_phase_2_writes_fits_the_line_length_and_the_rest_keeps_its_lines(width):
    style = ImportStyle(lambda module: module.split(".")[0] == "svc", width)
    deprecations = [Deprecation(RouteRef(f, tuple(m), path), method, successor)
                    for f, m, path, method, successor in FITTED_ROUTES]
    dates = {**DATES, "style": style}
    once = deprecate_routes(_src(FITTED_BEFORE), deprecations, **dates).code
    assert once == _src(FITTED_AFTER[width])
    untouched = [line for line in _src(FITTED_BEFORE).splitlines() if len(line) > width]
    written = [line for line in once.splitlines() if len(line) > width and line not in untouched]
    # what cannot be broken (one long string literal, as a formatter leaves it) is all that stays longer
    assert all(line.strip().startswith('successor="') for line in written)
    assert all(line in once.splitlines() for line in untouched)
    assert deprecate_routes(once, deprecations, **dates).code == once
