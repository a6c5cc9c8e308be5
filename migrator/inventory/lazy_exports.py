"""Lazy exports of a module (PEP 562): a module-level `__getattr__(name)` that imports the name on first use from a
table the module defines, the way packages keep their imports cheap:

    _EXPORTS = {"users_router": ("svc.routes.users", "router")}     # name -> (module, attribute)
    _lazy = {"users_router": ".users"}                             # name -> module holding the same name

`from pkg import users_router` then is what the table says. Only dict tables the `__getattr__` body reads are
followed, and only entries that are string constants; anything else stays unresolved.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from . import ir
from .facts import AssignOp, ExprOp, IfOp, ImportTarget, LoopOp, Op, ReturnOp
from .values import ConstV, DictV, SeqV, Value


def names_read(ops: tuple[Op, ...]) -> set[str]:
    """Every plain name an expression of the body reads (nested blocks included)."""
    out: set[str] = set()
    for op in ops:
        if isinstance(op, (AssignOp, ExprOp, ReturnOp)) and op.value is not None:
            _expr_names(op.value, out)
        elif isinstance(op, IfOp):
            for test in op.tests:
                if test is not None:
                    _expr_names(test, out)
            for branch in op.branches:
                out |= names_read(branch)
        elif isinstance(op, LoopOp):
            if op.iter is not None:
                _expr_names(op.iter, out)
            out |= names_read(op.body)
    return out


def _expr_names(expr: object, out: set[str]) -> None:
    if isinstance(expr, ir.Name):
        out.add(expr.id)
    elif isinstance(expr, tuple):
        for item in expr:
            _expr_names(item, out)
    elif is_dataclass(expr):
        for field in fields(expr):
            _expr_names(getattr(expr, field.name), out)


def export_target(table: Value, name: str) -> ImportTarget | None:
    """Where a table entry says `name` lives: `(module, attribute)` or `module` (attribute = name)."""
    if not isinstance(table, DictV) or name not in table.items:
        return None
    entry = table.items[name]
    if isinstance(entry, SeqV) and len(entry.items) == 2:
        module, attr = (_string(item) for item in entry.items)
    else:
        module, attr = _string(entry), name
    if not module or not attr:
        return None
    dotted = module.lstrip(".")
    return ImportTarget(level=len(module) - len(dotted), module=dotted, attr=attr)


def _string(value: Value) -> str | None:
    return value.value if isinstance(value, ConstV) and isinstance(value.value, str) else None
