"""The runtime migrated services import (`shims`) ships on its own: the `migrator-shims` wheel builds offline from
`shims/`, requires FastAPI, pydantic and `deprecated` only, holds every shims module and imports with libcst, typer,
rich, yaml and migrator made unimportable."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIMS = REPO / "shims"
ALLOWED_REQUIREMENTS = {"fastapi", "pydantic", "deprecated"}
BLOCKED = ("libcst", "typer", "rich", "yaml", "migrator", "codemods", "httpx")


def _shims_modules() -> list[str]:
    """Every module of the source tree, as a dotted name (the wheel must hold each one)."""
    names = []
    for path in sorted(SHIMS.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(REPO).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy: an in-tree build would leave build/ and *.egg-info inside shims/.
    work = tmp_path_factory.mktemp("shims-wheel")
    source = work / "shims"
    shutil.copytree(SHIMS, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    out = work / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (built,) = out.glob("migrator_shims-*.whl")
    return built


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode("utf-8"))


def test_the_wheel_is_migrator_shims_0_2_0_requiring_only_the_runtime(wheel):
    meta = _metadata(wheel)
    assert meta["Name"] == "migrator-shims"
    assert meta["Version"] == "0.2.0"
    requires = meta.get_all("Requires-Dist") or []
    names = {req.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
             for req in requires}  # fmt: skip
    assert names == ALLOWED_REQUIREMENTS, requires


def test_the_wheel_holds_every_shims_module_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        files = {n for n in archive.namelist() if not n.startswith("migrator_shims-")}
    expected = {str(p.relative_to(REPO)) for p in SHIMS.rglob("*.py") if "__pycache__" not in p.parts}
    assert files == expected


_IMPORT_EVERYTHING = r"""
import importlib, importlib.abc, json, sys

BLOCKED = set(json.loads(sys.argv[2]))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked in this test: {name}")
        return None

sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[1])
loaded = {}
for module in json.loads(sys.argv[3]):
    loaded[module] = importlib.import_module(module).__file__
print(json.dumps(loaded))
"""


def test_every_shims_module_imports_from_the_wheel_without_the_tool_dependencies(wheel, tmp_path):
    modules = _shims_modules()
    proc = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_EVERYTHING, str(wheel), json.dumps(BLOCKED), json.dumps(modules)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = json.loads(proc.stdout)
    assert sorted(loaded) == sorted(modules)
    # imported from the wheel (a zip on sys.path), not from the repository's editable install
    assert all(str(wheel) in path for path in loaded.values()), loaded


def test_the_blocker_really_blocks(tmp_path):
    """Guards the test above: the same harness fails on a module that needs a blocked dependency."""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_EVERYTHING, str(tmp_path), json.dumps(BLOCKED),
         json.dumps(["migrator.testing.headers"])],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "blocked in this test: migrator" in proc.stderr
