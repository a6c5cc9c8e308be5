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
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..standard_api.errors import TenantNotFoundError

__all__ = ["envelope_error", "legacy_json", "legacy_tenant_id"]


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
    `jsonable_encoder`; a `Response` the route returned gives its JSON body.

    An answer that is a failure is raised as the ``HTTPException`` it stands for (`legacy_errors` translates it),
    never read as a success: a `Response` with a 4xx/5xx status, or an outcome envelope that says 4xx/5xx in its
    body (`envelope_error`)."""
    if isinstance(value, Response):
        body = bytes(value.body or b"")
        if value.status_code >= 400:
            raise HTTPException(value.status_code, _error_text(_json_or_text(body), value.status_code))
        document = json.loads(body) if body else None
    elif response_model is None:
        document = jsonable_encoder(value)
    else:
        try:
            adapter = _adapter(response_model)
        except TypeError:  # an unhashable annotation: build it each time
            adapter = TypeAdapter(response_model)
        validated = adapter.validate_python(_prepared(value), from_attributes=True)
        document = adapter.dump_python(validated, mode="json", by_alias=True)
    error = envelope_error(document)
    if error is not None:
        raise error
    return document


#: The keys of an answer that only reports an outcome (`{"code": 400, "msg": "failed", "data": null}`).
_OUTCOME_KEYS = frozenset({"code", "msg", "message", "data", "success", "trace_id", "request_id", "timestamp"})


def envelope_error(document: Any) -> HTTPException | None:
    """The error an outcome envelope answered on HTTP 200 reports, else None: services answering
    ``{code, msg, data}`` say a failure with an HTTP status in ``code`` (an ``int`` of 400-599), a text in ``msg``
    or ``message``, no ``data`` and no other fields."""
    if not isinstance(document, dict) or not set(document) <= _OUTCOME_KEYS or document.get("data") is not None:
        return None
    code = document.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or not 400 <= code <= 599:
        return None
    text = document.get("msg", document.get("message"))
    return HTTPException(code, text) if isinstance(text, str) else None


def _json_or_text(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def _error_text(document: Any, status: int) -> Any:
    if isinstance(document, dict):
        for key in ("detail", "message", "msg", "error"):
            if document.get(key):
                return document[key]
    if isinstance(document, str) and document.strip():
        return document.strip()
    return f"legacy answer {status}"


def legacy_tenant_id(tenant_id: str) -> int:
    """A standard tenant id (a string) as a legacy integer id; a string that is not one names no tenant (404)."""
    if tenant_id.isascii() and tenant_id.isdigit() and len(tenant_id) <= 19:
        return int(tenant_id)
    raise TenantNotFoundError(tenant_id)
