"""Parsing strategy: prefilter tiers, skeleton parsing with exact lines, on-demand parsing, the process pool."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from migrator.inventory import ast_facts, build_inventory, cst_facts
from migrator.inventory.build import run_inventory
from migrator.inventory.extract import (
    ROUTING,
    ExtractError,
    RoutingScan,
    _line_starts,
    extract_source,
    has_routing,
)

LONG_HELPER = "\n".join(f"            total += {i}" for i in range(30))  # 8 (dedented) + 4

REPO = {
    "svc/config.py": """
        class Settings:
            API: str = "/api"

        settings = Settings()
    """,
    "svc/errors.py": """
        from fastapi import HTTPException

        def not_found():
            raise HTTPException(status_code=404)
    """,
    "svc/models.py": """
        class Thing:
            pass
    """,
    "svc/prefixes.py": f"""
        def compute_prefix():
            total = 0
{LONG_HELPER}
            return "/computed"
    """,
    "svc/main.py": f"""
        from fastapi import APIRouter, FastAPI

        from svc.config import settings
        from svc.models import Thing
        from svc.prefixes import compute_prefix


        def helper(values):
            total = 0
{LONG_HELPER}
            return total


        router = APIRouter(prefix=compute_prefix())


        @router.get("/after-helper")
        async def after_helper(thing: Thing):
            return helper([1])


        app = FastAPI()
        app.include_router(router, prefix=settings.API)
    """,
}


def test_prefilter_tiers_and_on_demand_parsing(make_repo):
    root = make_repo(REPO)
    run = run_inventory(root, workers=1)
    inventory = run.inventory
    assert [r.path for r in inventory.routes] == ["/api/computed/after-helper"]
    assert run.discovery.candidates == ["svc/main.py"]
    assert run.discovery.fastapi_modules == {"svc/errors.py"}
    # parsed: main (up front), config and prefixes (a prefix needs them), models (whether `Thing` is an Enum, a
    # query parameter, or a model, the body, is read from its class); never errors.py
    assert set(run.facts) == {"svc/main.py", "svc/config.py", "svc/prefixes.py", "svc/models.py"}
    assert [p.kind for p in inventory.routes[0].params] == ["body"]
    assert inventory.files_parsed == 4 and inventory.files_total == 5


ROUTING_SNIPPETS = {
    # routing code: the prefilter keeps these (a candidate, a function body that is read)
    b"from fastapi import APIRouter\n": True,
    b"app = FastAPI(title='x')\n": True,
    b"api.include_router(users)\n": True,
    b"router.add_api_route('/x', handler)\n": True,
    b"app.mount ('/static', files)\n": True,
    b"app.mount(\n    '/static', files)\n": True,
    b"@ router.get('/items')\nasync def items(): ...\n": True,
    b"@api.v1.websocket(\n  '/ws')\n": True,
    # no routing code: skipped (parsed on demand only)
    b"import fastapi\nraise fastapi.HTTPException(404)\n": False,
    b"@property\ndef mount(self): return self.mounted\n": False,
    b"@cache.get\ndef f(): ...\n": False,  # not called: a decorator that is not a route
    b"email = 'team@example.com'  # see docs.get (manual)\n": False,
    b"self.mount = True\nrouter_like = 'APIrouter'\n": False,
    b"": False,
}


@pytest.mark.parametrize("src", list(ROUTING_SNIPPETS), ids=range(len(ROUTING_SNIPPETS)))
def test_has_routing_is_the_routing_regex(src):
    assert has_routing(src) is ROUTING_SNIPPETS[src]
    assert bool(ROUTING.search(src)) is ROUTING_SNIPPETS[src]
    # within a range, as the skeleton reads a function body: what lies outside the range does not count
    padded = b"@r.get('/a')\n" + src + b"\nAPIRouter"
    start, end = len(b"@r.get('/a')\n"), len(b"@r.get('/a')\n") + len(src)
    assert has_routing(padded, start, end) is ROUTING_SNIPPETS[src] is bool(ROUTING.search(padded, start, end))
    # the skeleton's scan of one module's bodies: the same answer, whatever else the module holds
    for module in (padded, src + b"\n" + src, b"x = 1\n" + src):
        offset = module.find(src) if src else 0
        assert RoutingScan(module).within(offset, offset + len(src)) is ROUTING_SNIPPETS[src]


def test_skeleton_keeps_lines_and_stubs_long_bodies_without_routing(make_repo, def_line):
    root = make_repo(REPO)
    data = (root / "svc/main.py").read_bytes()
    facts = extract_source("svc/main.py", "svc.main", data)
    assert facts.skeleton is True
    functions = {op.func.name: op.func for op in facts.ops if type(op).__name__ == "DefOp"}
    assert functions["helper"].body is None  # 30+ lines, no routing code: not parsed
    assert functions["after_helper"].line == def_line(root / "svc/main.py", "after_helper")
    assert functions["after_helper"].decorators[0][1] == functions["after_helper"].line - 1
    whole = extract_source("svc/main.py", "svc.main", data, skeleton=False)
    assert next(op.func for op in whole.ops if getattr(op, "func", None) and op.func.name == "helper").body


def test_lines_match_ast_on_a_tricky_file():
    source = (
        "import os; import sys\n"
        "from fastapi import APIRouter\n"
        "router = APIRouter()\n"
        "if os.name:\n"
        "    def a(): return 1\n"
        "else:\n"
        "    pass\n"
        "try:\n"
        "    x = 1\n"
        "except Exception:\n"
        "    x = 2\n"
        "class C:\n"
        '    """doc\n'
        '    more"""\n'
        "    def m(self):\n"
        "        return 3\n"
        "@router.get(\n"
        '    "/p"\n'
        ")\n"
        "async def route(): ...\n"
    )
    facts = extract_source("m.py", "m", source.encode())
    route = next(op.func for op in facts.ops if getattr(op, "func", None) and op.func.name == "route")
    assert (route.line, route.decorators[0][1], route.first_line, route.end_line) == (20, 17, 17, 20)


def test_syntax_error_reason_has_the_line():
    with pytest.raises(ExtractError, match="syntax error at line 2"):
        extract_source("bad.py", "bad", b"x = 1\ndef f(:\n")


def test_libcst_validation_is_restored_after_parsing():
    extract_source("m.py", "m", b"from fastapi import APIRouter\nrouter = APIRouter()\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_process_pool_gives_the_same_inventory_and_reports_progress():
    root = Path(__file__).parent / "fixtures" / "idioms"
    calls: list[tuple[int, int]] = []
    pooled = run_inventory(root, workers=2, progress=lambda done, total: calls.append((done, total)))
    single = build_inventory(root, workers=1)
    assert pooled.inventory.model_dump() == single.model_dump()
    candidates = len(pooled.discovery.candidates)
    assert candidates > 2 and calls[-1] == (candidates, candidates)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_both_parsers_keep_the_value_of_a_flat_unpacking_only():
    # `a, b = f()` keeps f() for the interpreter to unpack; starred or nested targets stay value-less
    source = b"a, b = f()\n[c, d] = g()\ne, *rest = h()\n(i, (j, k)) = m()\nn = o, p = q()\n"
    by_ast = ast_facts.Builder(source, _line_starts(source), set(), set()).block(ast.parse(source).body, "", False)
    by_cst, _ = cst_facts.extract_ops(source, _line_starts(source), None)
    assert by_ast == by_cst
    assert [(op.targets, op.value is not None, op.unpack) for op in by_ast] == [
        (("a", "b"), True, True),
        (("c", "d"), True, True),
        (("e", "rest"), False, False),
        (("i", "j", "k"), False, False),
        (("n", "o", "p"), False, False),
    ]
