"""The routers serve exactly what `shims.spec` defines, and the handler class has a method per operation."""

import inspect

from fastapi import APIRouter
from fastapi.routing import APIRoute

from migrator.testing.reference import InMemoryHandler
from shims import spec
from shims.compat.service_market import create_service_market_router
from shims.standard_api import StandardAPIHandler, create_standard_router


def _served(router: APIRouter) -> set[tuple[str, str, str]]:
    """The documented routes (the hidden 405 answers for unserved methods are not operations)."""
    return {(m, r.path, r.name) for r in router.routes if isinstance(r, APIRoute) and r.include_in_schema
            for m in r.methods}  # fmt: skip


def test_standard_router_serves_exactly_the_spec():
    served = _served(create_standard_router(InMemoryHandler()))
    expected = {(op.method, op.path, f"mt_{op.name}") for op in spec.standard_operations()}
    assert served == expected


def test_standard_router_success_statuses_come_from_the_spec():
    routes = {r.name: r for r in create_standard_router(InMemoryHandler()).routes if isinstance(r, APIRoute)}
    for op in spec.standard_operations():
        assert routes[f"mt_{op.name}"].status_code == op.status_code, op.name


def test_service_market_router_serves_exactly_the_aliases():
    served = _served(create_service_market_router(InMemoryHandler(), api_keys="k"))
    assert served == {(a.method, a.path, a.name) for a in spec.ALIASES}


def test_every_operation_is_a_handler_method_and_every_alias_names_one():
    for op in spec.OPERATIONS:
        assert inspect.iscoroutinefunction(getattr(StandardAPIHandler, op.name)), op.name
    assert {a.operation for a in spec.ALIASES} <= set(spec.BY_NAME)
    abstract = StandardAPIHandler.__abstractmethods__
    assert abstract <= set(spec.BY_NAME)
    assert not any(spec.BY_NAME[name].fallback for name in abstract)


def test_spec_imports_nothing_heavy():
    source = inspect.getsource(spec)
    assert "import fastapi" not in source and "import pydantic" not in source
