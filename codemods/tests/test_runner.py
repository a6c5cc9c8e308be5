"""codemods._runner: LibCST's matcher-decoratable visitors scan each class for decorated methods once, and a visitor
with decorated methods still gets them called."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.matchers import _visitors

import codemods._runner as runner


class CountNames(m.MatcherDecoratableVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    @m.visit(m.Name(value="target"))
    def found(self, node: cst.Name) -> None:
        self.seen.append(node.value)


def test_decorated_visitors_still_see_their_matches():
    module = cst.parse_module("target = other\nprint(target)\n")
    for _ in range(2):  # the second instance too: a class with decorated methods is never taken for an empty one
        visitor = CountNames()
        module.visit(visitor)
        assert visitor.seen == ["target", "target"]


def test_a_class_whose_scan_finds_nothing_is_scanned_once():
    calls: list[str] = []

    class Plain:
        pass

    class Decorated:
        pass

    def gather(obj):
        calls.append(type(obj).__name__)
        return {"matcher": ("method",)} if isinstance(obj, Decorated) else {}

    once = runner._once_per_class(gather)
    results = [once(Plain()), once(Plain()), once(Decorated()), once(Decorated())]
    assert calls == ["Plain", "Decorated", "Decorated"]
    assert results == [{}, {}, {"matcher": ("method",)}, {"matcher": ("method",)}]


def test_the_shortcut_is_installed_for_every_scan():
    for name in ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs", "_gather_matchers"):
        assert getattr(getattr(_visitors, name), "migrator_once_per_class", False), name
    AddImportsVisitor(CodemodContext())  # LibCST's own import visitor still builds


# --- unused imports: the block edited by LibCST's visitor, told what the rest of the module reads -----------------

IMPORTS = '''"""Doc."""
from __future__ import annotations

import os.path
import json as j, csv
from typing import (
    Any,  # kept: read below
    Optional,  # goes
    cast,
)
from . import sibling
from .models import Model, Other as O
from pkg.sub import thing

def f(x: "Model") -> Any:
    return os.getcwd(), csv, cast(int, x)
'''


def _schedule_every_import(context: CodemodContext, tree: cst.Module) -> None:
    from libcst.codemod.visitors import RemoveImportsVisitor
    from libcst.helpers import get_absolute_module_from_package_for_import

    for line in tree.body:
        for node in line.body if isinstance(line, cst.SimpleStatementLine) else ():
            if isinstance(node, cst.Import):
                for alias in node.names:
                    RemoveImportsVisitor.remove_unused_import(context, alias.evaluated_name, None,
                                                              alias.evaluated_alias)
            elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                module = get_absolute_module_from_package_for_import("app.api", node)
                for alias in node.names:
                    RemoveImportsVisitor.remove_unused_import(context, module, alias.evaluated_name,
                                                              alias.evaluated_alias)


def _whole_module(source: str) -> str:
    """What LibCST's own visitor does with the same schedule on the whole module (scope analysis and all)."""
    from libcst.codemod.visitors import RemoveImportsVisitor
    from libcst.metadata import MetadataWrapper

    wrapper = MetadataWrapper(cst.parse_module(source))
    context = CodemodContext(full_module_name="app.api.views", full_package_name="app.api", wrapper=wrapper)
    _schedule_every_import(context, wrapper.module)
    return wrapper.visit(RemoveImportsVisitor(context)).code


def test_unused_imports_go_as_libcsts_visitor_removes_them():
    for source in (IMPORTS, IMPORTS + "\n__all__ = ['thing']\n"):  # without __all__: the known-unused path
        tree = cst.parse_module(source)
        context = CodemodContext(full_module_name="app.api.views", full_package_name="app.api")
        _schedule_every_import(context, tree)
        result = runner._remove_imports(tree, context).code
        assert result == _whole_module(source)
        assert "Optional" not in result and "import json" not in result and "Other" not in result
        assert "Any,  # kept: read below" in result and "import os.path" in result and "from . import sibling" in result
        assert ("from pkg.sub import thing" in result) == ("__all__" in source)
