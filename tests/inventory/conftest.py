"""Helpers for the inventory tests: synthetic repos and the truth of what FastAPI serves.

Fixtures: `served(root, "pkg.mod:app")` imports the app in a subprocess (sys.path = [root]) and lists the (method, path)
pairs FastAPI serves, walking FastAPI 0.16x's `_IncludedRouter` entries and mounted sub-applications; FastAPI's
own docs routes are left out. The inventory must list exactly these (`inventoried(inventory, "file:var")`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

_SERVED = r"""
import importlib, json, sys, types
sys.path.insert(0, sys.argv[1])
try:
    import pydantic_settings  # noqa: F401
except ImportError:  # the fixtures follow the FastAPI template; pydantic's BaseModel behaves the same here
    import pydantic
    stub = types.ModuleType("pydantic_settings")
    stub.BaseSettings = pydantic.BaseModel
    stub.SettingsConfigDict = dict
    sys.modules["pydantic_settings"] = stub
from starlette.routing import Mount, WebSocketRoute
try:
    from fastapi.routing import _IncludedRouter
except ImportError:  # older FastAPI: routes are flat
    _IncludedRouter = ()
DOCS = {"openapi", "swagger_ui_html", "swagger_ui_redirect", "redoc_html"}
module_name, _, attr = sys.argv[2].partition(":")
app = getattr(importlib.import_module(module_name), attr)
out = set()
def walk(routes, prefix):
    for route in routes:
        if _IncludedRouter and isinstance(route, _IncludedRouter):
            walk(route.effective_candidates(), prefix)
        elif isinstance(route, Mount):
            walk(getattr(route.app, "routes", []), prefix + route.path)
        elif getattr(route, "name", None) in DOCS:
            continue
        elif isinstance(getattr(route, "original_route", route), WebSocketRoute):
            out.add(("WEBSOCKET", prefix + route.path))
        else:
            methods = set(route.methods or ())
            if "GET" in methods:
                methods.discard("HEAD")  # added by starlette for GET routes, not declared
            for method in methods:
                out.add((method, prefix + route.path))
walk(app.routes, "")
print(json.dumps(sorted(out)))
"""


def _served(root: Path, target: str, env: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """(method, full path) pairs the app `target` ("pkg.mod:app") serves, importing it in a subprocess."""
    proc = subprocess.run(
        [sys.executable, "-c", _SERVED, str(root), target],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return {tuple(pair) for pair in json.loads(proc.stdout.strip().splitlines()[-1])}


def _inventoried(inventory, app: str) -> set[tuple[str, str]]:
    return {(method, route.path) for route in inventory.routes_of(app) for method in route.methods}


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def _def_line(path: Path, name: str) -> int:
    """1-based line of `def name(` / `async def name(` in a file (the test's own oracle for Route.line)."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = text.strip()
        if stripped.startswith((f"def {name}(", f"async def {name}(")):
            return number
    raise AssertionError(f"no def {name} in {path}")


@pytest.fixture
def make_repo(tmp_path):
    def make(files: dict[str, str], name: str = "repo") -> Path:
        return write_repo(tmp_path / name, files)

    return make


@pytest.fixture
def served():
    return _served


@pytest.fixture
def inventoried():
    return _inventoried


@pytest.fixture
def def_line():
    return _def_line


@pytest.fixture
def fixtures_dir():
    return FIXTURES
