"""`codemods._source.import_bindings` finds the module-level import bindings LibCST's scope analysis records, and
`ModuleIndex.import_of` resolves a name through it."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from libcst.metadata import ImportAssignment, MetadataWrapper, ScopeProvider

from codemods._imports import ImportSpec
from codemods._source import SourceSet, import_bindings

SOURCES = {
    "plain": """
        import os
        import os.path
        import collections.abc as cabc
        from typing import Optional as Opt, Any
        from . import sibling
        from ..up import thing as other
        from star_module import *
        x = 1
        def f(): pass
        """,
    "nested": """
        try:
            import ujson as json
        except ImportError:
            json = None
        if TYPE_CHECKING:
            from app.models import User
        else:
            User = object
        with ctx():
            import a.b.c
        for _ in range(1):
            from loop import item
        while False:
            import w
        else:
            import w_else
        try:
            pass
        finally:
            import fin
        match command:
            case [x]:
                import matched
        """,
    "scopes": """
        def local_only():
            import not_global
            from pkg import also_local

        def declares():
            global declared, other
            import declared
            from pkg import other, still_local
            def inner():
                import declared_outer_only

        class Body:
            import class_local
            global from_class
            from pkg import from_class

        lam = lambda: 0
        """,
}


def _scope_provider_bindings(tree: cst.Module) -> dict[str, set[int]]:
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    scope = wrapper.resolve(ScopeProvider)[wrapper.module]
    out: dict[str, set[int]] = {}
    for assignment in scope.assignments:
        if isinstance(assignment, ImportAssignment):
            out.setdefault(assignment.name, set()).add(id(assignment.node))
    return out


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_bindings_as_the_scope_analysis(name):
    tree = cst.parse_module(textwrap.dedent(SOURCES[name]))
    expected = _scope_provider_bindings(tree)
    found = import_bindings(tree)
    assert set(found) == set(expected)
    assert all(id(node) in expected[bound] for bound, node in found.items())


def test_what_is_bound():
    found = import_bindings(cst.parse_module(textwrap.dedent(SOURCES["plain"] + SOURCES["scopes"])))
    assert {"os", "os.path", "cabc", "Opt", "Any", "sibling", "other", "declared", "from_class"} <= set(found)
    assert not {"collections", "Optional", "not_global", "also_local", "still_local", "class_local",
                "declared_outer_only", "x", "f"} & set(found)


def test_function_bodies_can_be_skipped():
    found = import_bindings(cst.parse_module(textwrap.dedent(SOURCES["scopes"])), functions=False)
    assert found == {}


def test_import_of(tmp_path):
    pkg = tmp_path / "app" / "api"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "routes.py").write_text(textwrap.dedent("""
        from typing import TYPE_CHECKING
        import os.path
        from .models import Item as Thing
        from ..core import settings
        try:
            import ujson as json
        except ImportError:
            import json
        if TYPE_CHECKING:
            from app.db import Session

        def setup():
            global cache
            import cache
        """))
    index = SourceSet(tmp_path).get("app/api/routes.py")
    assert index.import_of("Thing") == ImportSpec("app.api.models", "Item", "Thing")
    assert index.import_of("settings") == ImportSpec("app.core", "settings")
    assert index.import_of("os") == ImportSpec("os.path")
    assert index.import_of("json") == ImportSpec("ujson", None, "json")  # the first import, in source order
    assert index.import_of("Session") == ImportSpec("app.db", "Session")
    assert index.import_of("cache") == ImportSpec("cache")
    assert index.import_of("setup") is None
    assert index.import_of("missing") is None
