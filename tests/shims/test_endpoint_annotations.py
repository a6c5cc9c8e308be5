"""Every endpoint and dependency the shims routers register resolves its annotations the way FastAPI before 0.118
did (`fastapi.dependencies.utils.get_typed_signature`: string annotations evaluated in `call.__globals__` only).
A callable instance has no `__globals__`: with `from __future__ import annotations` its `request: Request` stays the
string "Request" and importing a migrated app on such a FastAPI (0.115, a real service's pin) fails with
`PydanticUndefinedAnnotation: name 'Request' is not defined`."""

from __future__ import annotations

import inspect

from fastapi.routing import APIRoute

from migrator.testing.reference import InMemoryHandler
from shims.compat.service_market import create_service_market_router
from shims.deprecation import create_deprecation_router
from shims.health import create_health_router
from shims.standard_api.router import create_standard_router


def _calls(dependant) -> list:
    out = [dependant.call] if dependant.call is not None else []
    for sub in dependant.dependencies:
        out += _calls(sub)
    return out


def _unresolvable(call) -> list[str]:
    globalns = getattr(call, "__globals__", {})
    bad = []
    for param in inspect.signature(call).parameters.values():
        if isinstance(param.annotation, str):
            try:
                eval(param.annotation, globalns)  # noqa: S307  (the rule of the old FastAPI, on our own code)
            except NameError as exc:
                bad.append(f"{getattr(call, '__qualname__', type(call).__qualname__)}({param.name}): {exc}")
    return bad


def test_every_shims_endpoint_resolves_its_annotations_without_the_new_fastapi_unwrapping():
    handler = InMemoryHandler()
    routers = [create_standard_router(handler), create_service_market_router(handler, api_keys=["k" * 24]),
               create_health_router(handler), create_deprecation_router()]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert any(r.path.endswith("/webhook/auto-provision") for r in routes)  # the webhook is among them
    problems = [p for route in routes for call in _calls(route.dependant) for p in _unresolvable(call)]
    assert problems == []
