"""migrator.target: the service's name and version, a dynamic version included (read from the file, not imported)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.target import UNKNOWN_VERSION, load_target


def _project(root: Path, pyproject: str, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


DYNAMIC = '[project]\nname = "svc"\ndynamic = ["version"]\n'


@pytest.mark.parametrize(("pyproject", "files", "version"), [
    ('[project]\nname = "svc"\nversion = "2.1.0"\n', {}, "2.1.0"),
    (DYNAMIC + '[tool.hatch.version]\npath = "app/__init__.py"\n', {"app/__init__.py": "__version__ = '1.13.4'\n"},
     "1.13.4"),
    (DYNAMIC + '[tool.hatch.version]\npath = "app/about.py"\n', {"app/about.py": 'VERSION: str = "0.9"\n'}, "0.9"),
    (DYNAMIC + '[tool.setuptools.dynamic]\nversion = {attr = "pkg.__version__"}\n',
     {"src/pkg/__init__.py": 'import os\n__version__ = "3.0.1"\n'}, "3.0.1"),
    ('[tool.poetry]\nname = "svc"\nversion = "0.4.2"\n', {}, "0.4.2"),
    (DYNAMIC + '[tool.hatch.version]\npath = "app/missing.py"\n', {}, UNKNOWN_VERSION),
    (DYNAMIC + '[tool.hatch.version]\npath = "app/__init__.py"\n', {"app/__init__.py": "__version__ = get()\n"},
     UNKNOWN_VERSION),
    (DYNAMIC, {}, UNKNOWN_VERSION),
])
def test_the_version_a_project_declares(tmp_path, pyproject, files, version):
    assert load_target(_project(tmp_path, pyproject, files)).version == version


def test_the_plan_reads_the_same_dynamic_version(tmp_path):
    from migrator.planner import read_project

    root = _project(tmp_path, DYNAMIC + '[tool.hatch.version]\npath = "app/__init__.py"\n',
                    {"app/__init__.py": "__version__ = '1.13.4'\n"})
    assert read_project(root).version == "1.13.4"
