"""A dependency that is an instance made by a factory of another module (`_ReportsRead = Checker("reports")` in
`shop/reports/auth.py`, the class in `shop/authn.py`) is named where it is bound, the name another module imports;
an instance bound to a local name inside a function has no importable name: it is named by its class."""

from __future__ import annotations

from migrator.inventory.build import run_inventory

REPO = {
    "shop/__init__.py": "",
    "shop/authn.py": """
        from fastapi import Header


        class _Checker:
            def __init__(self, scope: str) -> None:
                self.scope = scope

            async def __call__(self, x_api_key: str = Header(...)) -> str:
                return x_api_key


        def Checker(scope: str) -> _Checker:
            return _Checker(scope)


        def guard(scope: str):
            local_checker = _Checker(scope)
            return local_checker
    """,
    "shop/reports/__init__.py": "",
    "shop/reports/auth.py": """
        from typing import Annotated

        from fastapi import Depends

        from shop.authn import Checker, guard

        _ReportsRead = Checker("reports:read")
        ReportsRead = Annotated[str, Depends(_ReportsRead)]
        ReportsWrite = Annotated[str, Depends(guard("reports:write"))]
    """,
    "shop/main.py": """
        from fastapi import FastAPI

        from shop.reports import auth

        app = FastAPI()


        @app.get("/reports")
        async def reports(caller: auth.ReportsRead):
            return []


        @app.post("/reports")
        async def create_report(caller: auth.ReportsWrite):
            return {}
    """,
}


def test_an_instance_dependency_is_named_where_it_is_bound(make_repo):
    root = make_repo(REPO)
    routes = {(r.methods[0], r.path): r for r in run_inventory(root, workers=1).inventory.routes}
    [read] = routes["GET", "/reports"].params
    assert (read.dependency, read.auth) == ("shop.reports.auth._ReportsRead", ["x-api-key"])
    [write] = routes["POST", "/reports"].params
    assert (write.dependency, write.auth) == ("shop.authn._Checker()", ["x-api-key"])
