"""An import block that ruff finds sorted keeps being sorted when a phase adds to it, even when one of its
statements carries a trailing comment (`# noqa: F401`): the comment stays on its statement and the added import
goes to ruff's place. A comment migrator cannot place as ruff would (on a statement merged with another of the
same module, on an aliased or wrapped import, above a statement) leaves the block as the visitors made it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst

from codemods._imports import ImportStyle, top_block_is_sorted
from codemods._wire_deprecation import wire_deprecation_router

SORTED = '''import logging

from fastapi import FastAPI
from shims.standard_api import create_standard_router
from slowapi.util import get_remote_address  # noqa: F401 - kept for later
from starlette.requests import Request

from app.handler import handler
from app.routes import router

app = FastAPI()
app.include_router(router)
app.include_router(create_standard_router(handler))
'''


def _style() -> ImportStyle:
    return ImportStyle(first_party=lambda module: module.split(".")[0] == "app", line_length=100)


def _ruff_import_findings(tmp_path: Path, text: str) -> str:
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "main.py").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "I",
                           "--line-length", "100", "app/main.py"], cwd=tmp_path, capture_output=True, text=True)
    return proc.stdout if proc.returncode else ""


def test_a_block_with_a_trailing_comment_is_sorted_and_stays_sorted(tmp_path):
    assert _ruff_import_findings(tmp_path, SORTED) == ""
    assert top_block_is_sorted(cst.parse_module(SORTED), _style())
    new = wire_deprecation_router(SORTED, _style())
    assert ("from shims.deprecation import DeprecationHeadersMiddleware, create_deprecation_router\n"
            "from shims.standard_api import create_standard_router\n"
            "from slowapi.util import get_remote_address  # noqa: F401 - kept for later\n") in new
    assert _ruff_import_findings(tmp_path, new) == ""
    assert wire_deprecation_router(new, _style()) == new


def test_comments_migrator_cannot_place_leave_the_block_alone():
    merged = SORTED.replace("from starlette.requests import Request\n",
                            "from slowapi.util import get_ipaddr\nfrom starlette.requests import Request\n")
    aliased = SORTED.replace("import get_remote_address  #", "import get_remote_address as remote  #")
    above = SORTED.replace("from slowapi.util import get_remote_address  # noqa: F401 - kept for later\n",
                           "# kept for later\nfrom slowapi.util import get_remote_address\n")
    for text in (merged, aliased, above):
        assert not top_block_is_sorted(cst.parse_module(text), _style())
