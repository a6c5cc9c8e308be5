"""`StandardAPIHandler`'s signatures and abstract operations read from its source equal those of the class."""

from __future__ import annotations

import inspect

from codemods import _standard_methods as methods
from shims.standard_api.handler import StandardAPIHandler


def _imported_signature(op: str) -> tuple[tuple[tuple[str, str], ...], str]:
    sig = inspect.signature(getattr(StandardAPIHandler, op))
    params = tuple((p.name, methods._text(p.annotation)) for p in sig.parameters.values() if p.name != "self")
    return params, methods._text(sig.return_annotation)


def test_signatures_read_from_the_source_equal_the_class():
    for op in methods.ORDER:
        assert methods.signature(op) == _imported_signature(op), op


def test_abstract_operations_read_from_the_source_equal_the_class():
    abstract = tuple(op for op in methods.ORDER
                     if getattr(getattr(StandardAPIHandler, op, None), "__isabstractmethod__", False))
    assert methods.abstract_operations() == abstract
    assert "get_settings" in abstract and "get_top_users" not in abstract
