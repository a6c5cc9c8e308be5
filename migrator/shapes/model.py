"""The inferred JSON shape of a legacy answer: objects, lists, scalars and what is not known.

A `Shape` describes what FastAPI puts on the wire (after ``jsonable_encoder``): datetimes are strings, models are
objects keyed by their aliases. Unknown parts are ``kind="unknown"`` with the reason; nothing is guessed.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from migrator.location import Where

ShapeKind = Literal["object", "list", "scalar", "unknown"]
#: scalar types on the wire; None = a JSON value whose type is not known statically
ScalarType = Literal["int", "float", "str", "bool", "null"]


class Shape(BaseModel):
    kind: ShapeKind
    type: Optional[str] = None  # scalar: a ScalarType, or None when not known
    fields: dict[str, "FieldShape"] = Field(default_factory=dict)  # object: wire key -> field
    item: Optional["Shape"] = None  # list: the element shape
    open: bool = False  # object: may also hold keys not listed (``**unknown``, ``dict(row)``, extra="allow")
    nullable: bool = False  # may be null
    model: Optional[str] = None  # object: the pydantic class it comes from
    origin: Optional[Where] = None
    reason: Optional[str] = None  # unknown: why
    error: Optional[int] = None  # unknown: an error answer (`JSONResponse(..., status_code=410)`), not the success shape

    # -- constructors --------------------------------------------------------------------------------------------

    @classmethod
    def unknown(cls, reason: str, origin: Optional[Where] = None) -> "Shape":
        return cls(kind="unknown", reason=reason, origin=origin)

    @classmethod
    def scalar(cls, type_: Optional[str], origin: Optional[Where] = None, nullable: bool = False) -> "Shape":
        return cls(kind="scalar", type=type_, origin=origin, nullable=nullable or type_ == "null")

    @classmethod
    def object(cls, fields: dict[str, "FieldShape"], origin: Optional[Where] = None, **extra: object) -> "Shape":
        return cls(kind="object", fields=fields, origin=origin, **extra)

    @classmethod
    def list_of(cls, item: "Shape", origin: Optional[Where] = None) -> "Shape":
        return cls(kind="list", item=item, origin=origin)

    # -- reading -------------------------------------------------------------------------------------------------

    def at(self, path: tuple[str, ...]) -> Optional["FieldShape"]:
        """The field at `path` (object keys only), or None."""
        shape: Optional[Shape] = self
        found: Optional[FieldShape] = None
        for key in path:
            if shape is None or shape.kind != "object" or key not in shape.fields:
                return None
            found = shape.fields[key]
            shape = found.shape
        return found

    def describe(self) -> str:
        """One short word for messages: ``object``, ``list[object]``, ``int``, ``any``, ``unknown``."""
        if self.kind == "list":
            return f"list[{self.item.describe() if self.item else 'unknown'}]"
        if self.kind == "scalar":
            return (self.type or "any") + ("?" if self.nullable and self.type != "null" else "")
        if self.kind == "object":
            return "object" + ("?" if self.nullable else "")
        return "unknown"


class FieldShape(BaseModel):
    shape: Shape
    origin: Optional[Where] = None
    optional: bool = False  # may be absent from the document


class InferredResponse(BaseModel):
    """What `migrator.shapes.infer_response` found for one route function."""

    function: str  # dotted name
    origin: Where  # of the ``def``
    source: Literal["response_model", "return_annotation", "body"]
    model: Optional[str] = None  # the response model, when the shape comes from one
    shape: Shape
    notes: list[str] = Field(default_factory=list)


def flatten(shape: Shape, prefix: str = "") -> dict[str, str]:
    """``{"users.total": "int", "daily[]": "list[object]", "daily[].date": "str", ...}``: a compact, comparable view
    (tests, reports). Optional fields end in ``?``; an open object adds ``<prefix>*``."""
    out: dict[str, str] = {}
    if shape.kind == "object":
        if shape.open:
            out[f"{prefix}*" if prefix else "*"] = "open"
        for key, field in shape.fields.items():
            path = f"{prefix}{key}"
            out[path + ("?" if field.optional else "")] = field.shape.describe()
            out.update(flatten(field.shape, path + ".") if field.shape.kind == "object" else {})
            if field.shape.kind == "list" and field.shape.item is not None:
                out.update(flatten(field.shape.item, path + "[]."))
    elif shape.kind == "list" and shape.item is not None:
        out.update(flatten(shape.item, prefix + "[]."))
    return out


Shape.model_rebuild()
FieldShape.model_rebuild()
