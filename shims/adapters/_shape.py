"""Validation of legacy documents: one error type that names the JSON path of what is wrong.

Legacy logic may hand back dicts holding ``datetime`` objects or pydantic models instead of wire JSON; both are
first turned into what FastAPI would have put on the wire (``jsonable_encoder``), so that a generated handler and
``migrator parity`` (which sees the recorded JSON) convert exactly the same document.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ValidationError

from ..standard_api.errors import InvalidRequestError, StandardAPIError

M = TypeVar("M", bound=BaseModel)

_MAX_LISTED = 3


class LegacyShapeError(StandardAPIError, ValueError):
    """A legacy document does not have the documented shape.

    A ``ValueError`` for parity and plain callers; a ``StandardAPIError`` so that the standard router answers a
    clean 500 ``INTERNAL_ERROR`` naming the path (the legacy side, not the caller, is at fault).
    """

    status_code = 500
    code = "INTERNAL_ERROR"


def json_path(root: str, loc: tuple[Any, ...]) -> str:
    """``("users", 3, "created_at")`` under ``root`` → ``root.users[3].created_at``."""
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def describe(exc: ValidationError, root: str) -> str:
    """Paths and messages only: input values are never echoed (they may be passwords)."""
    errors = exc.errors(include_url=False, include_input=False)
    text = "; ".join(f"{json_path(root, tuple(e['loc']))}: {e['msg']}" for e in errors[:_MAX_LISTED])
    if len(errors) > _MAX_LISTED:
        text += f" (and {len(errors) - _MAX_LISTED} more)"
    return text


def to_json(data: Any) -> Any:
    return jsonable_encoder(data)


def parse(model: type[M], data: Any, root: str, *, client_input: bool = False) -> M:
    """Validate a document into `model`, or raise naming the path: `LegacyShapeError` for a legacy document,
    `InvalidRequestError` (400) when the document comes from the caller (`client_input`)."""
    try:
        return model.model_validate(to_json(data))
    except ValidationError as exc:
        # `from None`: pydantic's own text repeats the input values.
        if client_input:
            raise InvalidRequestError(f"Invalid request body: {describe(exc, root)}") from None
        raise LegacyShapeError(f"Unexpected legacy shape: {describe(exc, root)}") from None


def shape_error(path: str, problem: str) -> LegacyShapeError:
    return LegacyShapeError(f"Unexpected legacy shape: {path}: {problem}")
