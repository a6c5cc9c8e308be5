"""`SourceSet.may_define_class` reads the class names of a module's statement blocks only (`_source._class_names`),
finding every class `ast.walk` finds."""

from __future__ import annotations

import ast
import textwrap

from codemods._source import SourceSet, _class_names

MODULE = textwrap.dedent("""
    class Top:
        class Inner:
            pass
    if FLAG:
        class InIf: ...
    else:
        class InElse: ...
    try:
        class InTry: ...
    except ImportError:
        class InHandler: ...
    finally:
        class InFinally: ...
    def factory():
        class InFunction: ...
        return [type("NotAClass", (), {}) for _ in range(1)]
    match value:
        case 1:
            class InCase: ...
    for _ in ():
        pass
    else:
        class InForElse: ...
    with ctx:
        class InWith: ...
    """)


def test_every_class_at_any_depth():
    tree = ast.parse(MODULE)
    expected = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    assert _class_names(tree) == expected == {
        "Top", "Inner", "InIf", "InElse", "InTry", "InHandler", "InFinally", "InFunction", "InCase", "InForElse",
        "InWith"}


def test_may_define_class(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "models.py").write_text(MODULE)
    sources = SourceSet(tmp_path)
    assert sources.may_define_class("svc.models", "InCase") and not sources.may_define_class("svc.models", "NotAClass")
    assert sources.may_define_class("svc.missing", "Anything")  # unreadable: the LibCST reading decides
