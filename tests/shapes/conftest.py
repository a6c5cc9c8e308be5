"""Helpers for the migrator.shapes tests: infer, map and render a service's routes, load rendered code."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Optional

import libcst as cst
import pytest

from migrator.shapes import (
    Evaluator,
    InferredResponse,
    ModuleIndex,
    OperationMapping,
    SourceModule,
    infer_response,
    map_operation,
    render_module,
)

REPO = Path(__file__).resolve().parents[2]
_counter = itertools.count()


def infer_source(source: str, function: str, *, extra: Optional[dict[str, str]] = None,
                 response_model: Optional[str] = None) -> InferredResponse:
    """Infer `function` of a module written inline (``app.routes``); `extra` adds modules by dotted name."""
    modules = {"app.routes": SourceModule("app.routes", "app/routes.py", cst.parse_module(textwrap.dedent(source)))}
    for name, text in (extra or {}).items():
        modules[name] = SourceModule(name, name.replace(".", "/") + ".py", cst.parse_module(textwrap.dedent(text)))
    index = ModuleIndex(modules=modules)
    module = modules["app.routes"]
    func = module.definitions[function]
    assert isinstance(func, cst.FunctionDef)
    return infer_response(func, module, index, response_model=response_model)


def service_responses(root: Path) -> dict[str, InferredResponse]:
    """The inferred answer of each primary catalog route of a service, by operation."""
    from migrator.catalog import load_catalog
    from migrator.inventory import build_inventory

    inventory, catalog = build_inventory(root), load_catalog(root)
    index = ModuleIndex(root)
    evaluator = Evaluator(index)
    found: dict[str, InferredResponse] = {}
    for route in inventory.routes:
        match = catalog.match(route)
        if match is None or match.entry.variant or match.operation in found:
            continue
        module_name, _, name = route.function.rpartition(".")
        module = index(module_name)
        func = module.definitions.get(name) if module is not None else None
        if isinstance(func, cst.FunctionDef):
            found[match.operation] = infer_response(func, module, index, response_model=route.response_model,
                                                    evaluator=evaluator)
    if "get_tenant_status" in found:
        found["get_tenant_summary"] = found["get_tenant_status"]  # the Service Market view of the same route
    return found


def service_mappings(root: Path) -> dict[str, OperationMapping]:
    responses = service_responses(root)
    mappings = {}
    for operation, response in responses.items():
        if operation == "get_tenant_stats":
            docs = {"dashboard": response}
            if "get_tenant_costs" in responses:
                docs["costs"] = responses["get_tenant_costs"]
        elif operation == "list_users":
            docs = {"page": response}
        elif operation in ("activate_tenant",):
            continue
        else:
            docs = {"legacy": response}
        mappings[operation] = map_operation(operation, docs)
    return mappings


def load_code(code: str, tmp_path: Path) -> ModuleType:
    """Import rendered code as a real module (from a file, as a service would)."""
    name = f"rendered_shapes_{next(_counter)}"
    file = tmp_path / f"{name}.py"
    file.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def infer_inline():
    return infer_source


@pytest.fixture(scope="session")
def example_mappings() -> dict[str, dict[str, OperationMapping]]:
    return {name: service_mappings(REPO / "examples" / name) for name in ("advisor", "llm_chatbot")}


@pytest.fixture(scope="session")
def rendered_examples(example_mappings, tmp_path_factory) -> dict[str, tuple[str, ModuleType]]:
    out = {}
    for name, mappings in example_mappings.items():
        code = render_module(list(mappings.values()), service=name)
        out[name] = (code, load_code(code, tmp_path_factory.mktemp(name)))
    return out
