"""codemods._transform: phases 2 and 3 edit imports directly, as LibCST's AddImportsVisitor / RemoveImportsVisitor
(the way `run_codemods` runs them) edit them, on generated modules; and their codemods give the same code run as
light transforms or as LibCST commands."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

import codemods._runner as runner
from codemods import _transform as transform
from codemods._imports import ImportStyle
from codemods._phase23_routes import RouteRef
from codemods.deprecate_routes import DeprecateRoutes, Deprecation, DeprecationPlan, deprecate_routes
from codemods.tests.deprecate_routes_cases import CASES
from codemods.wire_deprecation import WireDeprecation, wire_deprecation_router

PACKAGE = "app.api"
IMPORT_LINES = [
    "import os", "import os.path", "import json as j, csv", "import fastapi",
    "from fastapi import APIRouter", "from fastapi import Depends, Query", "from fastapi import *",
    "from fastapi import (\n    Query,  # the query\n    Depends,  # kept\n    Header,\n)",
    "from fastapi import Depends as D", "from shims.deprecation import deprecated",
    "from shims.deprecation import (deprecated_endpoint as de, deprecated)",
    "from shims.gone import create_gone_router",
    "from . import sibling", "from .models import Model, Other as O", "from ..core import thing",
    "from __future__ import annotations", "X = 1", "# a comment\nimport typing",
]
REQUESTS = [("fastapi", "Depends"), ("fastapi", "Query"), ("shims.deprecation", "deprecated"),
            ("shims.deprecation", "deprecated_endpoint"), ("shims.gone", "create_gone_router"),
            ("__future__", "annotations"), ("app.api.models", "Model"), ("app.core", "thing")]
GENERATED = settings(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
READS = ["os", "j", "csv", "fastapi", "APIRouter", "Depends", "Query", "Header", "D", "deprecated", "de",
         "create_gone_router", "sibling", "Model", "O", "thing", "typing", "x", "y"]


@st.composite
def modules(draw) -> str:
    head = draw(st.sampled_from(['"""Doc."""\n', "", "__strict__ = True\n", "# header comment\n"]))
    lines = draw(st.lists(st.sampled_from(IMPORT_LINES), min_size=1, max_size=7))
    if draw(st.integers(0, 5)) == 5:  # a line of two imports: removals go through LibCST's visitor
        lines.insert(draw(st.integers(0, len(lines))), "import x; import y")
    reads = draw(st.lists(st.sampled_from(READS), max_size=3, unique=True))
    first = draw(st.sampled_from(["\n\ndef f():\n", "# after the imports\ndef f():\n", "def f():\n"]))
    body = first + f"    return ({', '.join([*reads, 'None'])},)\n"
    if draw(st.booleans()):
        body += '\n\ndef g(x: "Model") -> "list[O]":\n    return x\n'
    if draw(st.integers(0, 3)) == 3:  # with __all__, removals go through LibCST's visitor: seldom
        body += "\n__all__ = ['thing']\n"
    return head + "".join(line + "\n" for line in lines) + body


def _context() -> CodemodContext:
    return CodemodContext(filename="app/api/views.py", full_module_name="app.api.views", full_package_name=PACKAGE)


@settings(GENERATED, max_examples=300)
@given(source=modules(), requests=st.lists(st.sampled_from(REQUESTS), min_size=1, max_size=4))
def test_added_imports_are_what_libcsts_visitor_adds(source, requests):
    tree = cst.parse_module(source)
    context = _context()
    for module, name in requests:
        AddImportsVisitor.add_needed_import(context, module, name)
    expected = tree.visit(AddImportsVisitor(context)).code
    assert transform.add_from_imports(tree, requests, PACKAGE).code == expected
    if not source.startswith("__strict__"):  # run_codemods's shortcut misses LibCST's `__strict__` rule
        assert runner._add_imports(tree, context).code == expected


def _every_import(tree: cst.Module) -> list[tuple[str, object, object]]:
    from libcst.helpers import get_absolute_module_from_package_for_import

    removals = []
    for line in tree.body:
        for node in line.body if isinstance(line, cst.SimpleStatementLine) else ():
            if isinstance(node, cst.Import):
                removals += [(a.evaluated_name, None, a.evaluated_alias) for a in node.names]
            elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                module = get_absolute_module_from_package_for_import(PACKAGE, node)
                removals += [(module, a.evaluated_name, a.evaluated_alias) for a in node.names if module]
    return removals


@settings(GENERATED, max_examples=200)
@given(source=modules(), data=st.data())
def test_removed_imports_are_what_libcsts_visitor_removes(source, data):
    tree = cst.parse_module(source)
    everything = _every_import(tree)
    removals = data.draw(st.lists(st.sampled_from(everything), unique=True)) if everything else []
    context = _context()
    for removal in removals:
        RemoveImportsVisitor.remove_unused_import(context, *removal)
    expected = runner._remove_imports(tree, context).code
    light = transform.file_context("app/api/views.py", "app.api.views", None, package=PACKAGE)
    assert transform.remove_imports(tree, removals, light).code == expected


STYLE = ImportStyle(lambda module: module.split(".")[0] == "svc", 120)


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_phase2_codemods_give_the_same_code_as_libcst_commands(case):
    deprecations = [Deprecation(RouteRef(f, tuple(sorted(methods)), path), method, successor)
                    for f, methods, path, method, successor in case["routes"]]
    light = deprecate_routes(_src(case["before"]), deprecations, deprecated_at="2026-12-09", sunset="2026-12-23",
                             version="1.4.2", style=STYLE).code
    plan = DeprecationPlan({"module.py": deprecations}, "2026-12-09", "2026-12-23", "1.4.2",
                           line_length=STYLE.line_length)  # what phase 2 writes is fitted to it
    heavy = runner.run_codemods(cst.parse_module(_src(case["before"])), [DeprecateRoutes],
                                runner.context_for("module.py", "module", plan), style=STYLE).code
    assert light == heavy == _src(case["after"])


def test_the_wiring_codemod_gives_the_same_code_as_a_libcst_command():
    source = _src('''
        """App."""
        from fastapi import FastAPI

        from shims.standard_api import create_standard_router

        app = FastAPI()
        app.include_router(create_standard_router(market_handler))
        ''')
    # the wiring is fitted to the line length the phase's state carries (phase 2: DeprecationPlan.line_length)
    state = DeprecationPlan({}, "2026-12-09", "2026-12-23", "1.4.2", line_length=STYLE.line_length)
    heavy = runner.run_codemods(cst.parse_module(source), [WireDeprecation], runner.context_for("app.py", "app", state),
                                style=STYLE).code
    assert wire_deprecation_router(source, style=STYLE) == heavy
    assert "from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router" in heavy


def test_phases_2_and_3_do_not_import_libcst_codemod():
    code = ("import sys, migrator.apply.phase2, migrator.apply.phase3, migrator.removal; "
            "print(sorted(m for m in sys.modules if m.startswith(('libcst.codemod', 'libcst.matchers'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_transform_command_runs_under_libcsts_own_transform_module():
    """LibCST's entry point (what `python -m libcst.tool codemod` calls): the command's import requests reach
    LibCST's AddImportsVisitor (no sorting there: that is migrator's runner)."""
    case = CASES[0]
    deprecations = [Deprecation(RouteRef(f, tuple(sorted(methods)), path), method, successor)
                    for f, methods, path, method, successor in case["routes"]]
    plan = DeprecationPlan({"module.py": deprecations}, "2026-12-09", "2026-12-23", "1.4.2",
                           line_length=STYLE.line_length)  # what phase 2 writes is fitted to it
    context = CodemodContext(filename="module.py", full_module_name="module", scratch={transform.STATE: plan})
    code = DeprecateRoutes(context).transform_module(cst.parse_module(_src(case["before"]))).code
    assert "from fastapi import Depends, APIRouter, Query" in code
    assert "from shims.deprecation import deprecated, deprecated_endpoint" in code
    assert "@deprecated(reason=" in code and "LEGACY_DEPRECATION = {" in code


ATTRIBUTE_READS = _src('''
    from fastapi import APIRouter
    from sqlmodel import delete, select

    router = APIRouter()


    @router.delete("/me")
    def delete_me(session):
        session.delete("me")
        return session.exec(query(select=True))
    ''')


@pytest.mark.parametrize("with_all", [False, True], ids=["plain", "with __all__"])
def test_a_name_read_only_as_an_attribute_or_a_keyword_leaves_its_unused_import(with_all):
    """full-stack-fastapi-template@68adb40d: phase 1 moved the only `delete(Item)` out of users.py, but
    `@router.delete` and `session.delete` kept `from sqlmodel import delete` (ruff F401); LibCST's visitor
    removes it."""
    source = ATTRIBUTE_READS + ("\n__all__ = ['router']\n" if with_all else "")
    tree = cst.parse_module(source)
    removals = [("sqlmodel", "delete", None), ("sqlmodel", "select", None)]
    context = _context()
    for removal in removals:
        RemoveImportsVisitor.remove_unused_import(context, *removal)
    wrapper = cst.MetadataWrapper(tree)
    whole = wrapper.visit(RemoveImportsVisitor(dataclasses.replace(_context_with(removals), wrapper=wrapper))).code
    assert "from sqlmodel" not in whole
    assert runner._remove_imports(tree, context).code == whole
    light = transform.file_context("app/api/views.py", "app.api.views", None, package=PACKAGE)
    assert transform.remove_imports(tree, removals, light).code == whole


def _context_with(removals) -> CodemodContext:
    context = _context()
    for removal in removals:
        RemoveImportsVisitor.remove_unused_import(context, *removal)
    return context
