"""Fixtures of the apply tests: a small service of the test's own, written to a folder and committed the way a
user's repository is (apply refuses uncommitted changes), and its modules forgotten after the test imported them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=root, check=True,
                   capture_output=True)


def _commit_all(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", message)


@pytest.fixture
def service_repo(tmp_path: Path) -> Callable[..., Path]:
    """`service_repo(files, name, commit=True)`: {relative path: text} written under tmp_path/name, a git repository
    with one commit unless `commit=False`; the top-level packages written are dropped from sys.modules afterwards."""
    packages: set[str] = set()

    def make(files: dict[str, str], name: str, *, commit: bool = True) -> Path:
        root = tmp_path / name
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
            if rel.endswith(".py") and "/" in rel:
                packages.add(rel.split("/", 1)[0])
        if commit:
            _git(root, "init", "-q")
            _commit_all(root, "legacy")
        return root

    yield make
    for name in [n for n in sys.modules if n.split(".", 1)[0] in packages]:
        del sys.modules[name]


@pytest.fixture
def commit_all() -> Callable[[Path, str], None]:
    """`commit_all(root, message)`: what a phase wrote, committed (the next phase refuses a dirty tree)."""
    return _commit_all
