"""The modules phase 1 writes from nothing (`<pkg>/handlers/`: the handler, the answer mappings, the tenant registry)
are formatted as a maintainer would write them: pycodestyle's whitespace and statement rules (ruff's E2, E7, W)
and every line within the service's own ruff line length (E501 at 88, ruff's default, on every example; at 100 for
a service whose `[tool.ruff] line-length` says so)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.apply import plan_phase, write_phase

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/pyproject.toml"))


def _phase1(name: str, tmp_path: Path, pyproject_tail: str = "") -> Path:
    """A copy of the example after phase 1 (its pyproject extended by `pyproject_tail`): its `handlers` package."""
    copy = tmp_path / name
    shutil.copytree(REPO / "examples" / name, copy,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    if pyproject_tail:
        pyproject = copy / "pyproject.toml"
        pyproject.write_text(pyproject.read_text(encoding="utf-8") + pyproject_tail, encoding="utf-8")
    write_phase(copy, plan_phase(copy, 1))
    generated = copy / name / "handlers"
    assert (generated / "market_handler.py").is_file() and (generated / "legacy_shapes.py").is_file()
    return generated


def _findings(where: Path, select: str, line_length: int, *files: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--preview", "--no-cache",
                           "--select", select, "--line-length", str(line_length), "--output-format", "json",
                           *(files or ["."])], cwd=where, capture_output=True, text=True)
    return [f"{item['filename']}:{item['location']['row']} {item['code']} {item['message']}"
            for item in json.loads(proc.stdout or "[]")]


@pytest.mark.parametrize("name", EXAMPLES)
def test_generated_modules_have_no_style_findings(name, tmp_path):
    generated = _phase1(name, tmp_path)
    assert _findings(generated, "E2,E7,E501,W", 88) == []  # ruff's default: the examples do not set it


@pytest.mark.parametrize("name", ["advisor", "classroom"])
def test_generated_modules_follow_the_services_line_length(name, tmp_path):
    generated = _phase1(name, tmp_path, "\n[tool.ruff]\nline-length = 100\n")
    assert _findings(generated, "E2,E7,E501,W", 100) == []
    for module in ("legacy_shapes.py", "market_handler.py", "tenant_registry.py"):
        lines = (generated / module).read_text(encoding="utf-8").splitlines()
        assert max(len(line) for line in lines) > 88, module  # the room of the setting is used, not the default


@pytest.mark.parametrize("name", ["advisor", "classroom", "mentor"])
def test_generated_modules_fit_79_columns(name, tmp_path):
    generated = _phase1(name, tmp_path, "\n[tool.ruff]\nline-length = 79\n")
    assert _findings(generated, "E2,E7,E501,W", 79) == []


def test_a_service_formatted_by_black_gets_blacks_line_length(tmp_path):
    # no ruff settings: black's `line-length` is the service's width
    generated = _phase1("advisor", tmp_path, "\n[tool.black]\nline-length = 100\n")
    assert _findings(generated, "E501", 100) == []
    lines = (generated / "market_handler.py").read_text(encoding="utf-8").splitlines()
    assert max(len(line) for line in lines) > 88  # the room of the setting is used, not ruff's default


@pytest.mark.parametrize(("files", "width"), [
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n"}, 100),
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n\n[tool.ruff]\nline-length = 120\n"}, 120),
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n", "ruff.toml": "line-length = 72\n"}, 72),
    ({"pyproject.toml": "[tool.black]\ntarget-version = ['py311']\n"}, 88),
    ({"pyproject.toml": "[tool.black]\nline-length = true\n"}, 88),
    ({}, 88),
])
def test_the_width_is_ruffs_else_blacks_else_88(tmp_path, files, width):
    from codemods._imports import ImportStyle

    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert ImportStyle.for_root(tmp_path).line_length == width


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_answer_mappings_fit_60_columns(name, tmp_path):
    # legacy_shapes.py goes through the same fitting as the handler: nothing render.py lays out is left too long
    generated = _phase1(name, tmp_path, "\n[tool.ruff]\nline-length = 60\n")
    assert _findings(generated, "E2,E7,E501,W", 60, "legacy_shapes.py") == []
