"""The planner tells a module app from an app factory on the `ast` tree when it can (no LibCST parse of the app
module): same answer as the LibCST reading."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest

from codemods._source import SourceSet
from migrator.planner import _creates_fastapi, _creates_fastapi_at_top, factory_of

CASES = {
    "module app": ("from fastapi import FastAPI\napp = FastAPI()\n", True),
    "attribute": ("import fastapi\napp = fastapi.FastAPI(title='x')\n", True),
    "annotated": ("from fastapi import FastAPI\napp: FastAPI = FastAPI()\n", True),
    "annotation only": ("from fastapi import FastAPI\napp: FastAPI\n", False),
    "second on its line": ("x = 1; app = FastAPI()\n", False),
    "first on its line": ("app = FastAPI(); x = 1\n", True),
    "after a multi-line statement": ("x = (\n    1); app = FastAPI()\n", False),
    "multi-line call": ("app = FastAPI(\n    title='x',\n)\n", True),
    "tuple target": ("app, other = FastAPI(), 1\n", False),
    "other call": ("app = make_app()\n", False),
    "one-line if": ("if True: app = FastAPI()\n", False),
    "in a function": ("def create():\n    app = FastAPI()\n    return app\n", False),
    "in a try": ("try:\n    app = FastAPI()\nexcept Exception:\n    pass\n", False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ast_reading_agrees_with_libcst(name):
    source, expected = CASES[name]
    assert any(_creates_fastapi(stmt) for stmt in cst.parse_module(source).body) is expected
    assert _creates_fastapi_at_top(ast.parse(source)) is expected


def test_factory_of(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (tmp_path / "svc" / "factory.py").write_text(textwrap.dedent("""
        from fastapi import FastAPI

        def create_app():
            application = FastAPI()
            return application
        """))
    sources = SourceSet(tmp_path)
    assert factory_of(sources, "svc/main.py") is None
    assert "svc/main.py" not in {index.path for index in sources.loaded()}  # told from the ast tree alone
    assert factory_of(sources, "svc/factory.py") == "create_app"
