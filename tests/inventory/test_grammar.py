"""One grammar: whether a file parses, and what is read from it, does not depend on the running interpreter."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrator.inventory import build_inventory, extract, find_function
from migrator.inventory.extract import GRAMMAR, ExtractError, extract_source

ROOT = Path(__file__).resolve().parents[2]

# Valid Python 3.12-3.14 (PEP 695 generics and aliases, PEP 758 `except A, B:`, PEP 750 t-strings) next to 3.10
# match statements and 3.11 except*: no interpreter before 3.14 accepts all of it with `ast`.
NEW_SYNTAX = '''\
from fastapi import APIRouter

router = APIRouter(prefix="/boxes")

type Pair[T] = tuple[T, T]


class Box[T]:
    def get[U](self, default: U) -> T | U:
        try:
            return self.value
        except AttributeError, KeyError:
            return default


def render(name: str) -> object:
    return t"hello {name}"


@router.get("/{box_id}")
async def get_box[T](box_id: int) -> dict:
    match box_id:
        case 0:
            return {}
        case _:
            try:
                pass
            except* ValueError:
                pass
    return {"id": box_id}
'''

MAIN = '''\
from fastapi import FastAPI

from svc.boxes import router

app = FastAPI()
app.include_router(router)
'''


def test_the_grammar_is_the_newest_libcst_knows():
    assert tuple(int(p) for p in GRAMMAR.split(".")) >= (3, 14)


def test_syntax_newer_than_the_interpreter_parses_and_its_routes_are_found(make_repo):
    root = make_repo({"svc/__init__.py": "", "svc/boxes.py": NEW_SYNTAX, "svc/main.py": MAIN})
    inventory = build_inventory(root, workers=1)
    assert inventory.skipped == []
    [route] = inventory.routes
    assert (route.methods, route.path, route.function) == (["GET"], "/boxes/{box_id}", "svc.boxes.get_box")
    lines = NEW_SYNTAX.splitlines()
    assert route.line == next(i for i, t in enumerate(lines, 1) if t.startswith("async def get_box"))
    assert route.decorator_line == route.line - 1 and route.end_line == len(lines)


def _without_ast(monkeypatch) -> None:
    monkeypatch.setattr(extract, "_fast_tree", lambda data, rel: None)


def _facts(path: Path, skeleton: bool):
    return extract_source(path.name, "m", path.read_bytes(), skeleton=skeleton)


def test_without_the_interpreters_ast_the_facts_are_the_same(monkeypatch):
    # The fast path (ast lines) and LibCST's own positions agree on every statement of real code.
    files = sorted((ROOT / "examples").rglob("*.py")) + sorted((ROOT / "tests/inventory/fixtures").rglob("*.py"))
    assert len(files) > 50
    with_ast = [_facts(path, skeleton=False) for path in files]
    _without_ast(monkeypatch)
    assert [_facts(path, skeleton=False) for path in files] == with_ast


def test_inventory_is_the_same_without_the_interpreters_ast(monkeypatch):
    root = ROOT / "tests/inventory/fixtures/idioms"
    fast = build_inventory(root, workers=1)
    _without_ast(monkeypatch)
    assert build_inventory(root, workers=1).model_dump() == fast.model_dump()


@pytest.mark.parametrize("first", [
    "    @functools.wraps(func)\n    def wrapper(*args, **kwargs):\n",
    "    @app.middleware('http')\n    async def wrapper(request, call_next):\n",
    "    @staticmethod\n\n    # a comment between\n    @other\n    def wrapper(*args, **kwargs):\n",
    "    @dataclass\n    class wrapper:\n",
])
def test_a_body_starting_with_a_decorated_definition_is_stubbed_whole(first):
    source = (
        "import functools\n\n"
        "def outer(func, app=None):\n"
        f"{first}"
        "        one = 1\n        two = 2\n        three = 3\n        return one + two + three\n"
        "    return wrapper\n\n"
        "x = outer\n"
    )
    facts = extract_source("m.py", "m", source.encode())
    assert facts.skeleton  # the body was stubbed, and the stub parsed
    outer = facts.ops[1].func
    assert outer.name == "outer" and outer.body is None and outer.end_line == source.count("\n") - 2


def test_a_file_invalid_in_every_python_is_a_syntax_error_with_its_line(monkeypatch):
    with pytest.raises(ExtractError, match="syntax error at line 2"):
        extract_source("bad.py", "bad", b"x = 1\ndef f(:\n    pass\n")
    _without_ast(monkeypatch)
    with pytest.raises(ExtractError, match=r"^syntax error at line \d+: "):
        extract_source("bad.py", "bad", b"x = 1\ndef f(:\n    pass\n")


def test_find_function_picks_duplicates_by_line_in_new_syntax():
    source = "def f[T](x: T) -> T:\n    return x\n\n\ndef f[T](x: T) -> T:\n    return x\n"
    module = cst.parse_module(source)
    second = find_function(module, "f", 5)
    assert second is module.body[1]
    assert find_function(module, "f", 3) is None
