"""The standard side: what each field of a `shims.standard_api.models` model is, read from the pydantic model."""

from __future__ import annotations

import enum
import types
from dataclasses import dataclass
from typing import Any, Literal, Optional, Union, get_args, get_origin

from pydantic import BaseModel

FieldKind = Literal["scalar", "model", "list", "dict_of_lists", "str_list"]


@dataclass(frozen=True)
class StandardField:
    owner: str  # the model class name
    name: str
    kind: FieldKind
    python: Any  # scalar: int/float/str/bool, an Enum class, or a Literal; else the element/nested model
    required: bool
    nullable: bool

    @property
    def key(self) -> str:
        return f"{self.owner}.{self.name}"

    @property
    def is_text(self) -> bool:
        return self.kind == "scalar" and self.python is str

    @property
    def is_enum(self) -> bool:
        return isinstance(self.python, type) and issubclass(self.python, enum.Enum)

    @property
    def is_literal(self) -> bool:
        return get_origin(self.python) is Literal


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def fields_of(model: type[BaseModel]) -> list[StandardField]:
    out = []
    for name, info in model.model_fields.items():
        annotation, nullable = _strip_optional(info.annotation)
        origin, args = get_origin(annotation), get_args(annotation)
        kind: FieldKind = "scalar"
        python: Any = annotation
        if _is_model(annotation):
            kind = "model"
        elif origin is list and args and _is_model(args[0]):
            kind, python = "list", args[0]
        elif origin is list and args and args[0] is str:
            kind, python = "str_list", str
        elif origin is dict and len(args) == 2 and get_origin(args[1]) is list and _is_model(get_args(args[1])[0]):
            kind, python = "dict_of_lists", get_args(args[1])[0]
        out.append(StandardField(model.__name__, name, kind, python, info.is_required(), nullable))
    return out


def allows_extra(model: type[BaseModel]) -> bool:
    return model.model_config.get("extra") == "allow"


def scalar_type(field: StandardField) -> Optional[str]:
    """The wire type the standard field wants: int, float, str, bool (enums and literals: str)."""
    if field.is_enum or field.is_literal:
        return "str"
    return {int: "int", float: "float", str: "str", bool: "bool"}.get(field.python)
