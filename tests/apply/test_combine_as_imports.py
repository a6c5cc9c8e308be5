"""A service whose ruff sets `combine-as-imports` writes `from m import a as b, c` as one statement. migrator reads
that setting (as ruff does: the closest configuration file, `extend` followed, the legacy top-level `isort` table
too), so such a block counts as sorted and what a phase adds to it goes where the service's own ruff wants it
(SurfSense's app.py: the shims imports were appended after the first-party block, I001)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from codemods._imports import ImportStyle, top_block_is_sorted
from codemods._wire_deprecation import wire_deprecation_router

COMBINED = '''import logging

from fastapi import FastAPI
from shims.standard_api import create_standard_router

from app.handler import handler
from app.routes import admin as admin_routes, router, users as user_routes

app = FastAPI()
app.include_router(router)
app.include_router(admin_routes.router)
app.include_router(user_routes.router)
app.include_router(create_standard_router(handler))
'''

CONFIG = "[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint.isort]\ncombine-as-imports = true\n"


def _service(tmp_path: Path, pyproject: str, text: str = COMBINED) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "app").mkdir()
    for module in ("__init__.py", "handler.py", "routes/__init__.py", "routes/admin.py", "routes/users.py"):
        (tmp_path / "app" / module).parent.mkdir(exist_ok=True)
        (tmp_path / "app" / module).write_text("", encoding="utf-8")
    (tmp_path / "app" / "main.py").write_text(text, encoding="utf-8")
    return tmp_path


def _ruff_import_findings(root: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I", "app/main.py"],
                          cwd=root, capture_output=True, text=True)
    return proc.stdout if proc.returncode else ""


def test_a_combined_block_stays_sorted_under_the_services_ruff(tmp_path):
    root = _service(tmp_path, CONFIG)
    assert _ruff_import_findings(root) == ""
    style = ImportStyle.for_root(root)
    assert style.combine_as and style.line_length == 100
    assert top_block_is_sorted(cst.parse_module(COMBINED), style)
    new = wire_deprecation_router(COMBINED, style)
    assert ("from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router\n"
            "from shims.standard_api import create_standard_router\n\n"
            "from app.handler import handler\n") in new
    (root / "app" / "main.py").write_text(new, encoding="utf-8")
    assert _ruff_import_findings(root) == ""
    assert wire_deprecation_router(new, style) == new


def test_without_the_setting_a_combined_block_is_not_ruffs_order_and_is_left_alone(tmp_path):
    root = _service(tmp_path, "[tool.ruff]\nline-length = 100\n")
    style = ImportStyle.for_root(root)
    assert not style.combine_as
    assert not top_block_is_sorted(cst.parse_module(COMBINED), style)
    split = COMBINED.replace("from app.routes import admin as admin_routes, router, users as user_routes\n",
                             "from app.routes import admin as admin_routes\nfrom app.routes import router\n"
                             "from app.routes import users as user_routes\n")
    assert top_block_is_sorted(cst.parse_module(split), style)
    assert not top_block_is_sorted(cst.parse_module(split), ImportStyle.for_root(_service(tmp_path / "c", CONFIG)))


@pytest.mark.parametrize("files", [
    {"ruff.toml": "[lint.isort]\ncombine-as-imports = true\n"},
    {"pyproject.toml": "[tool.ruff.isort]\ncombine-as-imports = true\n"},  # the legacy top-level table
    {"base.toml": "[lint.isort]\ncombine-as-imports = true\n", "ruff.toml": 'extend = "base.toml"\nline-length = 99\n'},
])
def test_the_setting_is_read_where_ruff_reads_it(tmp_path, files):
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert ImportStyle.for_root(tmp_path).combine_as


def test_the_closest_configuration_wins(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ruff.toml").write_text("[lint.isort]\ncombine-as-imports = true\n", encoding="utf-8")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "ruff.toml").write_text("line-length = 90\n", encoding="utf-8")
    assert ImportStyle.for_root(tmp_path).combine_as
    assert not ImportStyle.for_root(tmp_path / "svc").combine_as
