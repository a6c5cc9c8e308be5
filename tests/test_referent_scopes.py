"""`ModuleIndex.referent_scopes` (the scope analysis without the bodies no verdict reads) resolves the names of a
route exactly as the analysis of the whole module does (`codemods._closure.global_referents`)."""

from __future__ import annotations

import textwrap
from collections import Counter

import libcst as cst

from codemods._closure import global_referents
from codemods._source import SourceSet

MODULE = textwrap.dedent("""
    import os
    from typing import Annotated
    from fastapi import APIRouter, Depends
    from .db import get_db, Session

    router = APIRouter()
    LIMIT = 10
    DbDep = Annotated[Session, Depends(get_db)]

    def helper(x):
        return os.path.join(x, str(LIMIT))

    def sets_state():
        global LIMIT, late
        LIMIT = 20
        late = 1

    def shadowing():
        helper = None
        return helper

    @router.get("/a")
    def route_a(db: DbDep, limit: int = LIMIT) -> dict:
        value = helper(db)
        return {"v": value, "late": late, "limit": limit}

    @router.get("/b")
    def route_b(skip: int = 0, db: Session = Depends(get_db)):
        helper = lambda: 1
        return [helper() for _ in range(skip)] + [LIMIT, os.sep]

    class Model:
        name: str = "x"

    def uses_model() -> Model:
        return Model()

    def late_def():
        pass
    """)


def _referents(index, node, scopes=None) -> Counter:
    out = Counter()
    for assignment in global_referents(index, node, scopes):
        same_node = id(assignment.node) if not isinstance(assignment.node, cst.FunctionDef) else 0
        out[(assignment.name, type(assignment).__name__, same_node)] += 1
    return out


def _nodes(func: cst.FunctionDef) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = [func.body] + ([func.returns] if func.returns else [])
    for param in func.params.params:
        nodes += [n for n in (param.annotation, param.default) if n is not None]
    return nodes


def test_same_referents_as_the_whole_analysis(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(MODULE)
    whole = SourceSet(tmp_path).get("app/routes.py")
    reduced = SourceSet(tmp_path).get("app/routes.py")
    functions = {stmt.name.value: stmt for stmt in reduced.tree.body if isinstance(stmt, cst.FunctionDef)}
    reduced.keep_whole([functions["route_a"].body, functions["route_b"].body])
    queried = [n for name in ("route_a", "route_b", "uses_model") for n in _nodes(functions[name])]
    queried += [stmt for stmt in reduced.tree.body if not isinstance(stmt, cst.FunctionDef)]
    found = [_referents(reduced, node, reduced.referent_scopes(node)) for node in queried]
    assert reduced._scopes is None  # the whole module was never analysed
    whole_functions = {s.name.value: s for s in whole.tree.body if isinstance(s, cst.FunctionDef)}
    expected_nodes = [n for name in ("route_a", "route_b", "uses_model") for n in _nodes(whole_functions[name])]
    expected_nodes += [stmt for stmt in whole.tree.body if not isinstance(stmt, cst.FunctionDef)]
    expected = [_referents(whole, node) for node in expected_nodes]
    # the two indexes parse the same text: compare by name and kind (import nodes differ only by object)
    strip = [Counter({(n, k): c for (n, k, _), c in counter.items()}) for counter in found]
    assert strip == [Counter({(n, k): c for (n, k, _), c in counter.items()}) for counter in expected]
    # route_a's body: a helper, a name bound by `global` in another function; its default: a constant
    assert {name for name, _ in strip[0]} == {"helper", "late"}
    assert {name for counter in strip for name, _ in counter} >= {"os", "LIMIT", "Model", "get_db", "DbDep"}


def test_exact_nodes_on_one_tree(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(MODULE)
    index = SourceSet(tmp_path).get("app/routes.py")
    functions = {stmt.name.value: stmt for stmt in index.tree.body if isinstance(stmt, cst.FunctionDef)}
    nodes = _nodes(functions["route_a"]) + _nodes(functions["route_b"])
    index.keep_whole(nodes)
    reduced = [_referents(index, node, index.referent_scopes(node)) for node in nodes]
    full = [_referents(index, node, index.scopes) for node in nodes]
    assert reduced == full


def test_other_nodes_read_the_whole_analysis(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(MODULE)
    index = SourceSet(tmp_path).get("app/routes.py")
    inner = cst.ensure_type(index.tree.body[0], cst.SimpleStatementLine).body[0]  # not a statement of its own
    assert index.referent_scopes(inner) is index.scopes


def test_a_run_that_rewrites_reads_one_whole_analysis_per_module(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(MODULE)
    index = SourceSet(tmp_path, whole_scopes=True).get("app/routes.py")
    functions = {stmt.name.value: stmt for stmt in index.tree.body if isinstance(stmt, cst.FunctionDef)}
    nodes = _nodes(functions["route_a"])
    index.keep_whole(nodes)
    assert all(index.referent_scopes(node) is index.scopes for node in nodes)
    assert index._referents is None  # no reduced analysis first: the codemods read the whole one next


def test_phase_1_plans_with_the_whole_analysis_and_analyze_with_the_reduced_one(tmp_path):
    import shutil
    from pathlib import Path

    from migrator.planner import make_plan

    example = Path(__file__).resolve().parents[1] / "examples" / "advisor"
    shutil.copytree(example, tmp_path / "advisor", ignore=shutil.ignore_patterns("data", "__pycache__", "*.db"))
    for rewrite in (False, True):
        run = make_plan(tmp_path / "advisor", estimate=False, rewrite=rewrite)
        assert run.plan.automatic
        reduced = [index.path for index in run.sources.loaded() if index._referents is not None]
        assert bool(reduced) is not rewrite


NAMES = textwrap.dedent("""
    import json
    import os.path
    import xml.etree.ElementTree
    from typing import TYPE_CHECKING
    from fastapi import APIRouter

    if TYPE_CHECKING:
        from .models import User
    print(found := 5)
    [BASE, OTHER] = "a", "b"
    router = APIRouter()
    unrelated = json.dumps({})

    def other():
        return json.loads("1")

    def sets_late():
        global late
        late = 1

    def helper(user: "User"):
        return os.path.join(BASE, CONST)

    CONST = 3

    @router.get("/")
    def route(user: User = None) -> dict:
        os = None
        return {"h": helper(user), "f": found, "l": late, "x": xml.etree.ElementTree.parse, "o": os}
    """)


def test_only_what_the_read_names_can_refer_to_is_analysed(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(NAMES)
    index = SourceSet(tmp_path).get("app/routes.py")
    functions = {stmt.name.value: stmt for stmt in index.tree.body if isinstance(stmt, cst.FunctionDef)}
    nodes = _nodes(functions["route"])
    index.keep_whole(nodes)
    reduced = [_referents(index, node, index.referent_scopes(node)) for node in nodes]
    helper = [_referents(index, functions["helper"], index.referent_scopes(functions["helper"]))]
    assert index._referents.runs == 1  # the helper a route names was analysed in the same run
    full = [_referents(index, node, index.scopes) for node in nodes + [functions["helper"]]]
    assert reduced + helper == full
    kept = {index.code(stmt).strip().splitlines()[-1].strip() for stmt in index.tree.body
            if id(stmt) in index._referents.included}
    assert "return json.loads(\"1\")" not in kept and "unrelated = json.dumps({})" not in kept
    assert "import json" not in kept and "import os.path" in kept  # `os` of the helper (the route's is local)
    assert {"print(found := 5)", "late = 1", "CONST = 3", "import xml.etree.ElementTree", "router = APIRouter()"} <= kept
    # `xml.etree.ElementTree.parse`: LibCST files the access under the dotted name's node, as in the whole analysis
    assert {name for counter in reduced for name, _, _ in counter} == {"helper", "found", "late", "User"}


def test_a_statement_left_out_is_analysed_when_read(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "routes.py").write_text(NAMES)
    index = SourceSet(tmp_path).get("app/routes.py")
    functions = {stmt.name.value: stmt for stmt in index.tree.body if isinstance(stmt, cst.FunctionDef)}
    index.keep_whole(_nodes(functions["route"]))
    index.referent_scopes(functions["route"].body)
    unrelated = next(s for s in index.tree.body if "unrelated" in index.code(s))
    found = _referents(index, unrelated, index.referent_scopes(unrelated))
    assert index._referents.runs == 2
    assert found == _referents(index, unrelated, index.scopes) and {n for n, _, _ in found} == {"json"}
