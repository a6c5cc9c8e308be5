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
