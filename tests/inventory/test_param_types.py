"""A parameter whose type lives in a module without FastAPI code: an Enum is a query parameter, a model the body,
as FastAPI binds them (the inventory parses that module to know which)."""

from __future__ import annotations

from migrator.inventory.build import run_inventory

REPO = {
    "shop/vocab.py": """
        from enum import Enum


        class Period(str, Enum):
            week = "7d"
            month = "30d"


        class Role(str, Enum):
            admin = "admin"
            user = "user"
    """,
    "shop/bodies.py": """
        from pydantic import BaseModel


        class Filters(BaseModel):
            role: str
    """,
    "shop/main.py": """
        from typing import Optional

        from fastapi import FastAPI

        from shop.bodies import Filters
        from shop.vocab import Period, Role

        app = FastAPI()


        @app.get("/stats")
        def stats(period: Period = Period.month, role: Role | None = None, other: Optional[Role] = None):
            return {}


        @app.post("/search")
        def search(filters: Filters, period: Period):
            return {}
    """,
}


def test_enum_types_of_other_modules_are_query_parameters_models_the_body(make_repo):
    root = make_repo(REPO)
    inventory = run_inventory(root, workers=1).inventory
    kinds = {(r.path, p.name): p.kind for r in inventory.routes for p in r.params}
    assert kinds == {("/stats", "period"): "query", ("/stats", "role"): "query", ("/stats", "other"): "query",
                     ("/search", "filters"): "body", ("/search", "period"): "query"}
    # FastAPI agrees: the query parameters are in the OpenAPI schema as such
    import importlib
    import sys

    sys.path.insert(0, str(root))
    try:
        schema = importlib.import_module("shop.main").app.openapi()
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "shop" or m.startswith("shop.")]:
            del sys.modules[name]
    query = {(path, p["name"]) for path, item in schema["paths"].items() for op in item.values()
             for p in op.get("parameters", []) if p["in"] == "query"}
    assert query == {k for k, v in kinds.items() if v == "query"}


LOOP = {
    "kit/models.py": """
        from pydantic import BaseModel


        class Overview(BaseModel):
            total: int


        class Entry(BaseModel):
            name: str
    """,
    "kit/main.py": """
        from fastapi import APIRouter, FastAPI

        from kit.models import Entry as Row, Overview


        def overview() -> Overview:
            return Overview(total=1)


        def board() -> list[Row]:
            return []


        TABLE = (("/overview", overview, Overview), ("/board", board, list[Row]))
        router = APIRouter()
        for path, endpoint, model in TABLE:
            router.add_api_route(path, endpoint, methods=["GET"], response_model=model)

        app = FastAPI()
        app.include_router(router)
    """,
}


def test_the_response_model_of_a_route_added_in_a_loop_is_the_class_of_that_iteration(make_repo):
    root = make_repo(LOOP)
    models = {r.path: r.response_model for r in run_inventory(root, workers=1).inventory.routes}
    # `Entry` is bound as `Row` in that module: its own name would not name it there, the loop variable stays
    assert models == {"/overview": "Overview", "/board": "model"}


PAGING = {
    "pg/main.py": """
        from dataclasses import dataclass
        from typing import Annotated

        from fastapi import Depends, FastAPI, Header, Query

        app = FastAPI()


        @dataclass
        class Paging:
            page: int = Query(1, ge=1)
            size: int = Query(20, alias="per_page")
            sort: str = "id"


        class Tenant:
            def __init__(self, x_tenant_id: Annotated[int, Header(alias="X-Tenant-ID")], verbose: bool = False):
                self.tenant_id = x_tenant_id


        @app.get("/items")
        def items(paging: Annotated[Paging, Depends()], tenant: Annotated[Tenant, Depends()]):
            return []
    """,
}


def test_the_query_parameters_a_dependency_reads_are_listed(make_repo):
    root = make_repo(PAGING)
    route = run_inventory(root, workers=1).inventory.routes[0]
    queries = {p.name: p.queries for p in route.params}
    assert queries == {"paging": ["page", "per_page", "sort"], "tenant": ["verbose"]}
    assert route.tenant_source == "header:X-Tenant-ID" and route.tenant_param == "tenant"
