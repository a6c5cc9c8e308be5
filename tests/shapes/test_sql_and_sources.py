"""The select-list reader and the module index the inference uses."""

from __future__ import annotations

import libcst as cst
import pytest

from migrator.shapes import ModuleIndex, SourceModule
from migrator.shapes.source import resolve_name
from migrator.shapes.sql import is_select, select_columns


@pytest.mark.parametrize(
    "sql, columns, is_open",
    [
        ("SELECT id, username FROM users", [("id", None), ("username", None)], False),
        ("select u.id, u.email AS mail from users u", [("id", None), ("mail", None)], False),
        ("SELECT COUNT(*) AS total, COALESCE(SUM(x), 0) AS s FROM t", [("total", "int"), ("s", None)], False),
        ("SELECT CAST(strftime('%H', created_at) AS INTEGER) AS hour, COUNT(*) AS count FROM m GROUP BY hour",
         [("hour", "int"), ("count", "int")], False),
        ("SELECT (SELECT COUNT(*) FROM s WHERE a = 1) AS sessions, 'a,b' AS text FROM t",
         [("sessions", None), ("text", None)], False),
        ("SELECT * FROM users", [], True),
        ("SELECT AVG(x) FROM t", [], True),
        ("-- comment\nSELECT DISTINCT name FROM t", [("name", None)], False),
        ("SELECT a FROM t UNION SELECT b FROM u", [("a", None)], False),
    ],
)
def test_select_columns(sql, columns, is_open):
    assert select_columns(sql) == (columns, is_open)


def test_only_selects_are_read():
    assert is_select("  with x as (select 1) select * from x")
    assert not is_select("UPDATE users SET a = 1")


def test_relative_and_absolute_imports_resolve_through_re_exports(tmp_path):
    package = tmp_path / "svc"
    (package / "api").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "api" / "__init__.py").write_text("from .models import Out as Out\n")
    (package / "api" / "models.py").write_text("class Out:\n    pass\n")
    (package / "api" / "routes.py").write_text(
        "from . import Out\nfrom ..api import models\nimport svc.api.models as m\n"
    )
    index = ModuleIndex(tmp_path)
    routes = index("svc.api.routes")
    where, definition, _ = resolve_name(routes, "Out", index)
    assert isinstance(definition, cst.ClassDef) and where.name == "svc.api.models"
    assert resolve_name(routes, "models", index)[2].name == "svc.api.models"
    assert resolve_name(routes, "m", index)[2].name == "svc.api.models"
    assert index("fastapi") is None  # outside the service


def test_origins_are_lines_of_the_caller_s_own_nodes():
    tree = cst.parse_module("x = 1\n\n\ndef route():\n    return {'a': 1}\n")
    module = SourceModule("svc.routes", "svc/routes.py", tree)
    func = module.definitions["route"]
    assert str(module.origin(func)) == "svc/routes.py:4"


_RAW_ROWS = '''import sqlite3

from fastapi import FastAPI

app = FastAPI()


def connection():
    return sqlite3.connect("users.db")


@app.get("/admin/users")
def list_users(limit: int = 20, offset: int = 0):
    rows = connection().execute("SELECT * FROM users LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    return {"users": rows, "total": len(rows)}
'''


def test_a_list_of_rows_whose_fields_are_unknown_is_said_so_not_called_lacking(tmp_path):
    # `SELECT *` rows: the list's elements have no field migrator knows; the reason says it cannot read them
    # instead of listing every UserInfo field as missing from them
    from migrator.analyze import analyze

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/main.py").write_text(_RAW_ROWS)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "rawsql"\nversion = "1.0"\n\n[tool.migrator]\n'
                                             'tenant = "t"\n')
    [route] = analyze(tmp_path).routes
    [step] = route.manual_steps
    assert "the legacy list `users` holds elements whose fields migrator cannot read" in step, step
    assert "no legacy field matches" not in step
