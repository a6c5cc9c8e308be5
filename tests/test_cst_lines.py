"""`migrator.cst_lines.start_lines`: the start line of every node, equal to LibCST's `PositionProvider`."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from migrator.cst_lines import start_lines

ROOT = Path(__file__).resolve().parent.parent

# decorators, comments and blank lines before statements, continuation lines, strings holding newlines, a class
# body, `a; b` lines, a lambda, nested brackets spanning lines, an `else` after comments
TRICKY = '''"""Module docstring
on two lines."""
import os, sys  # trailing comment


# a comment before a decorated function

@decorator(
    "arg",
)
@other
async def f(a: int = 1,
            *, b: str = """x
y""") -> dict:
    x = 1; y = 2
    value = (a +
             b)
    if value:
        return {"k": [1,
                      2]}
    # comment before else
    else:
        return lambda q: (q,
                          q)


class C(Base):
    """Doc."""

    field: int = \\
        3

    def m(self):
        with open("f") as h, \\
                open("g") as g:
            pass
'''


def _expected(module: cst.Module) -> dict[cst.CSTNode, int]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: where.start.line for node, where in positions.items()}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_start_lines_equal_the_position_provider(newline):
    module = cst.parse_module(TRICKY.replace("\n", newline))
    lines = start_lines(module)
    assert lines == _expected(module)
    function = next(s for s in module.body if isinstance(s, cst.FunctionDef))
    assert lines[function] == lines[function.name] == 12  # where `async def` is, not the first decorator
    assert lines[function.decorators[0]] == 8


def test_start_lines_on_every_example_file():
    files = sorted((ROOT / "examples").rglob("*.py"))
    assert len(files) > 20
    for path in files:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        assert start_lines(module) == _expected(module), path
