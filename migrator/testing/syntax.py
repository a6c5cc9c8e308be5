"""`code_only`: what a module means without its layout, comments and docstrings (for tests of re-layout passes)."""

from __future__ import annotations

import ast


def code_only(text: str) -> str:
    """The `ast.dump` of `text` with every docstring removed: equal for two layouts of the same code."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:]
    return ast.dump(tree)
