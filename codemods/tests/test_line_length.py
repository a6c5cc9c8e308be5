"""The line length generated code fits: read from the service's ruff or black configuration the way those tools
find it, from the folder migrator is given up to the repository's root (a service analysed from `src/` has its
configuration one level up)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods._imports import DEFAULT_LINE_LENGTH, ImportStyle


def _tree(tmp_path: Path, files: dict[str, str], repository: bool = True) -> Path:
    if repository:
        (tmp_path / ".git").mkdir(parents=True)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "src/svc").mkdir(parents=True, exist_ok=True)
    return tmp_path / "src"


def _width(root: Path) -> int:
    return ImportStyle.for_root(root).line_length


def test_the_configuration_beside_src_is_read(tmp_path):
    root = _tree(tmp_path, {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    assert _width(root) == 100


def test_the_closest_ruff_configuration_wins(tmp_path):
    root = _tree(tmp_path, {"pyproject.toml": "[tool.ruff]\nline-length = 100\n",
                            "src/ruff.toml": "line-length = 72\n"})
    assert _width(root) == 72


def test_a_pyproject_without_a_ruff_table_is_passed_over_for_ruff(tmp_path):
    root = _tree(tmp_path, {"ruff.toml": "line-length = 110\n",
                            "src/pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'})
    assert _width(root) == 110


def test_dot_ruff_toml_takes_precedence_in_one_folder(tmp_path):
    root = _tree(tmp_path, {"src/ruff.toml": "line-length = 90\n", "src/.ruff.toml": "line-length = 95\n"})
    assert _width(root) == 95


def test_extend_is_followed(tmp_path):
    root = _tree(tmp_path, {"pyproject.toml": "[tool.ruff]\nline-length = 120\n",
                            "src/ruff.toml": 'extend = "../pyproject.toml"\n'})
    assert _width(root) == 120


def test_black_reads_the_closest_pyproject(tmp_path):
    root = _tree(tmp_path, {"pyproject.toml": "[tool.black]\nline-length = 99\n"})
    assert _width(root) == 99
    (root / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "1"\n', encoding="utf-8")
    assert _width(root) == DEFAULT_LINE_LENGTH  # black stops at the first pyproject.toml it finds


@pytest.mark.parametrize("repository", [True, False])
def test_nothing_above_the_repository_is_read(tmp_path, repository):
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 60\n", encoding="utf-8")
    root = _tree(tmp_path / "checkout", {"pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'},
                 repository=repository)
    assert _width(root) == DEFAULT_LINE_LENGTH
