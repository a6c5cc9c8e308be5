"""`migrator.cst_lines.start_lines`: the start line of every node, equal to LibCST's `PositionProvider`."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from migrator.cst_lines import LineIndex, start_lines

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


# statements whose first token is a bracket, a decorator whose expression starts a line later, `a; b` lines,
# comments indented into the footer of a block, a docstring, a module ending without a newline
STATEMENTS = '''"""Doc."""
(a) = 1; b = 2
[c, d] = 3, 4

@(
    decorator
)
# between decorator and def

def f():
    return (
        1)
        # indented deeper: the block's footer

    # the next statement's leading line
class K: x = 1
if a:
    pass
elif b:  # c
    pass
try:
    import os
except ImportError as e:  # pragma
    os = None
async def g():
    async with x as y:
        pass
for i in range(3): pass
while False:
    break
else:
    pass
with open("f") as h: pass
match a:
    case 1:
        pass
last = 1'''


def _every_node(module: cst.Module) -> list[cst.CSTNode]:
    from codemods._source import children

    out, stack = [], list(module.body)
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children(node))
    return out


@pytest.mark.parametrize("source", [TRICKY, STATEMENTS], ids=["tricky", "statements"])
@pytest.mark.parametrize("order", ["forward", "backward"])
def test_line_index_equals_start_lines_per_statement(source, order):
    module = cst.parse_module(source)
    expected = start_lines(module)
    nodes = _every_node(module)
    index = LineIndex(module, source)
    for node in nodes if order == "forward" else reversed(nodes):
        assert index.line(node) == expected[node], (type(node).__name__, node)
    assert not index._whole  # every statement's lines came from its own code generation


def test_line_index_generates_only_the_statements_asked_about():
    module = cst.parse_module(STATEMENTS)
    index = LineIndex(module, STATEMENTS)
    function = next(s for s in module.body if isinstance(s, cst.FunctionDef))
    returned = function.body.body[0].body[0].value
    assert index.line(function) == start_lines(module)[function] == 10  # the `def` line, after the decorator
    assert not index._done  # a definition's own line needs no code generation
    assert index.line(returned) == start_lines(module)[returned] == 12  # `1`, the line after its `(`
    assert len(index._done) == 1


@pytest.mark.parametrize("source", ["x = 1\r\ny = 2\r\n", "match = 1\nx: int = (\n  2)\n"])
def test_line_index_falls_back_to_the_whole_module(source, monkeypatch):
    module = cst.parse_module(source)
    if "\r" not in source:  # `ast` refusing the source (syntax newer than the interpreter) is the other case
        import migrator.cst_lines as cst_lines

        def refuse(text):
            raise SyntaxError("newer syntax")
        monkeypatch.setattr(cst_lines.ast, "parse", refuse)
    index = LineIndex(module, source)
    last = module.body[-1]
    assert index.line(last) == start_lines(module)[last] == 2
    assert index._whole


def test_line_index_on_every_example_file():
    files = sorted((ROOT / "examples").rglob("*.py"))
    for path in files:
        source = path.read_text(encoding="utf-8")
        module = cst.parse_module(source)
        expected = start_lines(module)
        index = LineIndex(module, source)
        assert all(index.line(node) == expected[node] for node in _every_node(module)), path
