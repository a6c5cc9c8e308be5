"""An import a phase adds to a module whose import block is not sorted (so it is not rewritten as a whole) fits the
service's line length: written one name a line in parentheses, as ruff formats it, when the one-line form is too
long. The author's own import lines stay as they are, long or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import libcst as cst

from codemods._imports import ImportStyle, fit_added_imports
from codemods._wire_deprecation import wire_deprecation_router
from migrator.apply import plan_phase, write_phase

REPO = Path(__file__).resolve().parents[2]

# not sorted (fastapi before fastapi's submodule, `app` before `fastapi`): phase edits keep the order
APP = '''from app.routes import router
from fastapi import FastAPI
from app.very_long_module_name_for_settings import settings_value_one, settings_value_two
from shims.standard_api import create_standard_router
from app.handler import handler

app = FastAPI()
app.include_router(router)
app.include_router(create_standard_router(handler))
'''


def _style(width: int) -> ImportStyle:
    return ImportStyle(first_party=lambda module: module.startswith("app"), line_length=width)


def test_phase_2_wiring_fits_its_import_to_the_services_width():
    new = wire_deprecation_router(APP, _style(60))
    assert "from shims.deprecation import (\n    DeprecationHeadersMiddleware,\n    create_deprecation_router,\n)\n" in new
    # the author's long line is theirs: untouched
    assert "from app.very_long_module_name_for_settings import settings_value_one, settings_value_two\n" in new
    assert wire_deprecation_router(new, _style(60)) == new  # a second run changes nothing


def test_an_added_import_that_fits_stays_on_one_line():
    new = wire_deprecation_router(APP, _style(100))
    assert "from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router\n" in new


def test_names_added_to_an_existing_import_are_fitted_too():
    before = cst.parse_module("from shims.deprecation import deprecated\nx = 1\n")
    after = cst.parse_module("from shims.deprecation import DeprecationHeadersMiddleware, deprecated\nx = 1\n")
    fitted = fit_added_imports(before, after, 60).code
    assert fitted == "from shims.deprecation import (\n    DeprecationHeadersMiddleware,\n    deprecated,\n)\nx = 1\n"
    assert fit_added_imports(before, after, 88).code == after.code


def test_phase_1_imports_in_an_unsorted_app_module_fit_60_columns(tmp_path):
    copy = tmp_path / "advisor"
    shutil.copytree(REPO / "examples" / "advisor", copy,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    server = copy / "advisor" / "server.py"
    text = server.read_text(encoding="utf-8")
    unsorted = text.replace("import logging\nfrom contextlib import asynccontextmanager\n",
                            "from contextlib import asynccontextmanager\nimport logging\n")
    assert unsorted != text
    server.write_text(unsorted, encoding="utf-8")
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n[tool.ruff]\nline-length = 60\n", encoding="utf-8")
    write_phase(copy, plan_phase(copy, 1))
    lines = server.read_text(encoding="utf-8").splitlines()
    added = [line for line in lines if line.startswith(("from shims", "    ")) and line not in text.splitlines()]
    assert any(line.startswith("from shims.compat.service_market import (") for line in lines)
    assert all(len(line) <= 60 for line in added), [line for line in added if len(line) > 60]
