"""The codemod registry: every codemod is a LibCST command class, one a module, documented, and the docs list the
same ones as `codemods.CODEMODS`."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from libcst.codemod import Codemod

from codemods import CODEMODS, registry

ROOT = Path(__file__).resolve().parents[1]


def test_every_registered_codemod_is_a_documented_libcst_command():
    for module, cls in registry().items():
        assert issubclass(cls, Codemod), module
        assert cls.DESCRIPTION and cls.DESCRIPTION != "No description.", module
        assert "METADATA_DEPENDENCIES" in vars(cls), f"{module}: declare METADATA_DEPENDENCIES"
        doc = inspect.getmodule(cls).__doc__ or ""
        assert re.search(r"\bBefore\b", doc) and re.search(r"\bAfter\b", doc), f"{module}: before/after docstring"


def test_one_codemod_class_per_module_and_every_module_is_registered():
    registered = {module for module, _, _ in CODEMODS}
    for path in sorted((ROOT / "codemods").glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text())
        commands = [n.name for n in tree.body if isinstance(n, ast.ClassDef)
                    and any(getattr(b, "id", "") == "MigratorCommand" for b in n.bases)]
        assert path.stem in registered, f"{path.name} is not in codemods.CODEMODS"
        assert len(commands) == 1, (path.name, commands)


def test_the_docs_list_the_registry():
    rows = re.findall(r"^\| (\d) \| `codemods/(\w+)\.py` \| `(\w+)` \|", (ROOT / "docs" / "codemods.md").read_text(),
                      re.MULTILINE)
    assert [(module, cls, int(phase)) for phase, module, cls in rows] == list(CODEMODS)
