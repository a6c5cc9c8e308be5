"""A legacy route's answer as its JSON, the way FastAPI writes it, for code that calls the moved legacy logic.

A route declared with ``response_model=`` (or a return annotation FastAPI used as one) answers what that model
makes of the returned value: ORM rows read through their attributes (``from_attributes``), pydantic models dumped
by alias (``alias_generator=to_camel``), fields the model does not declare dropped. `legacy_json` does the same,
so that the generated mappings (and parity's twins) read the legacy answer the legacy clients read.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, TypeAdapter
from starlette.responses import Response

from ..standard_api.errors import TenantNotFoundError

__all__ = ["legacy_json", "legacy_tenant_id"]


@lru_cache(maxsize=256)
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def _prepared(value: Any) -> Any:
    """What FastAPI validates against the response model: pydantic models dumped by alias, containers walked."""
    if isinstance(value, BaseModel):
        if _config(value).get("read_with_orm_mode"):
            # a SQLModel table row: read through its attributes (they load lazily), as FastAPI does
            return value
        return value.model_dump(by_alias=True)
    if isinstance(value, (list, tuple)):
        return [_prepared(item) for item in value]
    if isinstance(value, dict):
        return {key: _prepared(item) for key, item in value.items()}
    return value


def _config(value: BaseModel) -> dict:
    config = getattr(type(value), "model_config", None)
    return config if isinstance(config, dict) else {}


def legacy_json(value: Any, response_model: Any = None) -> Any:
    """The JSON document a legacy route answered for `value` (its return value): validated by `response_model`
    from attributes and dumped by alias when the route declared one, else encoded by FastAPI's
    `jsonable_encoder`; a `Response` the route returned gives its JSON body."""
    if isinstance(value, Response):
        body = bytes(value.body or b"")
        return json.loads(body) if body else None
    if response_model is None:
        return jsonable_encoder(value)
    try:
        adapter = _adapter(response_model)
    except TypeError:  # an unhashable annotation: build it each time
        adapter = TypeAdapter(response_model)
    validated = adapter.validate_python(_prepared(value), from_attributes=True)
    return adapter.dump_python(validated, mode="json", by_alias=True)


def legacy_tenant_id(tenant_id: str) -> int:
    """A standard tenant id (a string) as a legacy integer id; a string that is not one names no tenant (404)."""
    if tenant_id.isascii() and tenant_id.isdigit() and len(tenant_id) <= 19:
        return int(tenant_id)
    raise TenantNotFoundError(tenant_id)
