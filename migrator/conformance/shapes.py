"""Exact JSON shape checks against the wire models: every key present, no unknown key, JSON types strict.

Pydantic alone is too lenient for a conformance test (it turns ``"5"`` into ``5`` and ignores unknown keys), so
this walks the model's annotations and reports precise JSONPath-like problems, e.g.
``missing field $.summary.total_users`` or ``wrong type $.total: expected int, got str``.
"""

from __future__ import annotations

import types
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["json_type", "shape_problems"]

_NONE = type(None)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _describe(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return " | ".join(_describe(arg) for arg in get_args(annotation))
    if origin is list:
        return "array"
    if origin is dict:
        return "object"
    if origin is Literal:
        return " | ".join(repr(arg) for arg in get_args(annotation))
    if annotation is _NONE:
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " | ".join(repr(m.value) for m in annotation)
    return getattr(annotation, "__name__", str(annotation))


def _scalar_ok(value: Any, annotation: Any) -> bool:
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:  # JSON has one number type: 3 is a valid float
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    return True  # Any and other annotations: no constraint here


def shape_problems(value: Any, annotation: Any, path: str = "$") -> list[str]:
    """Problems of ``value`` (decoded JSON) against ``annotation`` (a model or a field annotation); [] if exact."""
    origin = get_origin(annotation)
    if annotation is Any:
        return []
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        if value is None:
            return [] if _NONE in args else [f"wrong type {path}: expected {_describe(annotation)}, got null"]
        options = [arg for arg in args if arg is not _NONE]
        if len(options) == 1:
            # Optional[X]: X's own problems, but a top-level type mismatch names null as allowed too.
            head = f"wrong type {path}: expected {_describe(options[0])},"
            fixed = f"wrong type {path}: expected {_describe(annotation)},"
            return [fixed + p[len(head):] if p.startswith(head) else p for p in shape_problems(value, options[0], path)]
        if any(not shape_problems(value, arg, path) for arg in options):
            return []
        return [f"wrong type {path}: expected {_describe(annotation)}, got {json_type(value)}"]
    if value is None:
        return [f"wrong type {path}: expected {_describe(annotation)}, got null"]
    if origin is Literal:
        allowed = get_args(annotation)
        return [] if value in allowed else [f"wrong value {path}: expected {_describe(annotation)}, got {value!r}"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        allowed = [m.value for m in annotation]
        return [] if value in allowed else [f"wrong value {path}: expected {_describe(annotation)}, got {value!r}"]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_problems(value, annotation, path)
    if origin is list:
        if not isinstance(value, list):
            return [f"wrong type {path}: expected array, got {json_type(value)}"]
        (item,) = get_args(annotation) or (Any,)
        return [p for i, v in enumerate(value) for p in shape_problems(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"wrong type {path}: expected object, got {json_type(value)}"]
        args = get_args(annotation)
        item = args[1] if len(args) == 2 else Any
        return [p for k, v in value.items() for p in shape_problems(v, item, f"{path}.{k}")]
    if not _scalar_ok(value, annotation):
        return [f"wrong type {path}: expected {_describe(annotation)}, got {json_type(value)}"]
    return []


def _model_problems(value: Any, model: type[BaseModel], path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"wrong type {path}: expected object, got {json_type(value)}"]
    problems: list[str] = []
    keys = set()
    for name, info in model.model_fields.items():
        key = info.alias or name
        keys.add(key)
        if key not in value:
            problems.append(f"missing field {path}.{key}")
        else:
            problems.extend(shape_problems(value[key], info.annotation, f"{path}.{key}"))
    if model.model_config.get("extra") != "allow":
        problems.extend(f"unexpected field {path}.{key}" for key in value if key not in keys)
    return problems
