"""A security scheme subclassed in the repository (`class ServiceKey(APIKeyHeader)` calling
`super().__init__(name="X-Service-Key")`): the credential is reported under the name the subclass passes up."""

from __future__ import annotations

from migrator.inventory import build_inventory

_SCHEMES = """
    from fastapi import Request
    from fastapi.security import APIKeyHeader, APIKeyQuery


    class ServiceKey(APIKeyHeader):
        def __init__(self, auto_error: bool = True):
            super(ServiceKey, self).__init__(name="X-Service-Key", auto_error=auto_error)

        async def __call__(self, request: Request):
            return await super().__call__(request)


    class StrictServiceKey(ServiceKey):
        async def __call__(self, request: Request):
            return await super().__call__(request)


    class QueryKey(APIKeyQuery):
        def __init__(self):
            super().__init__(name="sig")


    class AnyHeader(APIKeyHeader):
        async def __call__(self, request: Request):
            return await super().__call__(request)


    class WorkspaceHeader(APIKeyHeader):
        def __init__(self):
            super().__init__(name="X-Tenant-ID")
"""

_MAIN = """
    from fastapi import Depends, FastAPI

    from svc.schemes import AnyHeader, QueryKey, ServiceKey, StrictServiceKey, WorkspaceHeader

    app = FastAPI()


    @app.get("/service", dependencies=[Depends(ServiceKey())])
    def service():
        return {}


    @app.get("/strict", dependencies=[Depends(StrictServiceKey())])
    def strict():
        return {}


    @app.get("/signed", dependencies=[Depends(QueryKey())])
    def signed():
        return {}


    @app.get("/unnamed", dependencies=[Depends(AnyHeader(name="X-Set-By-Caller"))])
    def unnamed():
        return {}


    @app.get("/scoped")
    def scoped(tenant: str = Depends(WorkspaceHeader())):
        return {"tenant": tenant}
"""


def test_a_scheme_subclass_reports_the_name_it_passes_to_its_base(make_repo):
    root = make_repo({"svc/__init__.py": "", "svc/schemes.py": _SCHEMES, "svc/main.py": _MAIN})
    routes = {route.path: route for route in build_inventory(root, workers=1).routes}
    assert routes["/service"].auth == ["X-Service-Key"]
    assert routes["/strict"].auth == ["X-Service-Key"]  # inherited from a repository base
    assert routes["/signed"].auth == ["query:sig"]
    assert routes["/unnamed"].auth == ["API key header"]  # no constant in the class: not guessed
    assert routes["/scoped"].auth == [] and routes["/scoped"].tenant_source == "header:X-Tenant-ID"
