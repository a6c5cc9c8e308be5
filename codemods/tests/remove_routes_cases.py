"""Before/after pairs for phase 3: the remove_routes codemod followed by the repository-wide dead-code pass.

Each case is plain data: `files` (path -> source) form a small repository; `remove` lists per file the journal routes
to remove as (function, methods, full path); `texts` stands for configuration files (pyproject.toml) that may name
modules; `after` holds every file that changes (None: deleted). The app (`svc/server.py`) and the handler module
(`svc/handlers/market_handler.py`) are protected as phase 3 protects them.
"""

CASES = [
    {
        "name": "a removed route takes the imports and helpers only it used; shared ones stay",
        "remove": {"svc/routers/dash.py": [("get_costs", ["GET"], "/admin/dashboard/costs")]},
        "files": {
            "svc/routers/dash.py": '''
"""Dashboard."""

from fastapi import APIRouter, Depends, Query

from svc.auth import verify_admin
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter()
WINDOW_MAX = 365


def _clamp(days: int) -> int:
    # the UI sends silly values
    return min(days, WINDOW_MAX)


@router.get(
    "/dashboard/costs",
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats/costs"))],
)
@deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats/costs instead", version="1.4.2")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_admin)):
    return {"days": _clamp(days)}


@router.get("/dashboard/export")
async def export(tenant_id: str = Depends(verify_admin)):
    return {"tenant": tenant_id}
''',
            "svc/auth.py": '''
def verify_admin():
    return "t1"
''',
        },
        "after": {
            "svc/routers/dash.py": '''
"""Dashboard."""

from fastapi import APIRouter, Depends

from svc.auth import verify_admin

router = APIRouter()


@router.get("/dashboard/export")
async def export(tenant_id: str = Depends(verify_admin)):
    return {"tenant": tenant_id}
''',
        },
    },
    {
        "name": "stacked decorators: the kept spelling keeps the function, @deprecated goes with the last marked one",
        "remove": {"svc/routers/dash.py": [("get_top_users", ["GET"], "/admin/dashboard/top-users")]},
        "files": {
            "svc/routers/dash.py": '''
from fastapi import APIRouter, Depends

from shims.deprecation import deprecated, deprecated_endpoint

LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/admin/dashboard")


# both spellings answer
@router.get(
    "/top-users",
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/x"))],
)
@router.get("/top_users", operation_id="top_users_legacy")
@deprecated(reason="Use GET /mt/x instead", version="1.4.2")
async def get_top_users(limit: int = 10):
    return {"limit": limit}
''',
        },
        "after": {
            "svc/routers/dash.py": '''
from fastapi import APIRouter

router = APIRouter(prefix="/admin/dashboard")


# both spellings answer
@router.get("/top_users", operation_id="top_users_legacy")
async def get_top_users(limit: int = 10):
    return {"limit": limit}
''',
        },
    },
    {
        "name": "add_api_route: the statement goes, then the endpoint nothing else uses",
        "remove": {"svc/routers/dash.py": [("get_usage_patterns", ["GET"], "/admin/dashboard/usage-patterns")]},
        "files": {
            "svc/routers/dash.py": '''
from fastapi import APIRouter, Depends

from svc.schemas import Export, Patterns

router = APIRouter(prefix="/admin/dashboard")


async def get_usage_patterns(days: int = 30):
    return {"days": days}


router.add_api_route("/usage-patterns", get_usage_patterns, methods=["GET"], response_model=Patterns)


@router.get("/export", response_model=Export)
async def export():
    return {"rows": []}
''',
            "svc/schemas.py": '''
from pydantic import BaseModel


class Hour(BaseModel):
    hour: int


class Patterns(BaseModel):
    hours: list[Hour]


class Export(BaseModel):
    rows: list
''',
        },
        "after": {
            "svc/routers/dash.py": '''
from fastapi import APIRouter, Depends

from svc.schemas import Export

router = APIRouter(prefix="/admin/dashboard")


@router.get("/export", response_model=Export)
async def export():
    return {"rows": []}
''',
            "svc/schemas.py": '''
from pydantic import BaseModel


class Export(BaseModel):
    rows: list
''',
        },
    },
    {
        "name": "a router module left without routes is deleted, with its wiring in the app and what only it imported",
        "remove": {"svc/routers/tenant.py": [("list_tenants", ["GET"], "/api/tenant/list")],
                   "svc/routers/market.py": [("request_demo", ["POST"], "/api/marketplace/demo/request")]},
        "files": {
            "svc/routers/tenant.py": '''
from fastapi import APIRouter, Depends

from svc import auth, registry
from svc.handlers.market_handler import market_handler

router = APIRouter()


@router.get("/list")
async def list_tenants(api_key: str = Depends(auth.verify_api_key)):
    return {"tenants": registry.all_tenants(), "total": registry.count()}
''',
            "svc/routers/market.py": '''
from fastapi import APIRouter

from .provisioning import DemoRequest

router = APIRouter()


@router.post("/demo/request")
async def request_demo(payload: DemoRequest):
    return {"success": True}
''',
            "svc/routers/provisioning.py": '''
from pydantic import BaseModel


class DemoRequest(BaseModel):
    university_name: str
''',
            "svc/routers/dash.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin

router = APIRouter()


@router.get("/dashboard")
def dashboard(tenant_id: str = Depends(verify_admin)):
    return {"tenant": tenant_id}
''',
            "svc/registry.py": '''
TENANTS = ["t1"]


def all_tenants():
    return list(TENANTS)


def count():
    return len(TENANTS)
''',
            "svc/auth.py": '''
def verify_admin():
    return "t1"


def verify_api_key():
    return "key"
''',
            "svc/handlers/market_handler.py": '''
from svc import registry

market_handler = object()
TOTAL = registry.count()
''',
            "svc/server.py": '''
from fastapi import FastAPI

from svc.routers import dash, market, tenant
from svc.handlers.market_handler import market_handler

app = FastAPI()

app.include_router(market.router, prefix="/api/marketplace")
app.include_router(tenant.router, prefix="/api/tenant")
app.include_router(dash.router, prefix="/admin")
''',
            "tests/test_registry.py": '''
from svc.registry import TENANTS


def test_tenants():
    assert TENANTS
''',
        },
        "after": {
            "svc/auth.py": '''
def verify_admin():
    return "t1"
''',
            "svc/registry.py": '''
TENANTS = ["t1"]


def count():
    return len(TENANTS)
''',
            "svc/routers/market.py": None,
            "svc/routers/provisioning.py": None,
            "svc/routers/tenant.py": None,
            "svc/server.py": '''
from fastapi import FastAPI

from svc.routers import dash
from svc.handlers.market_handler import market_handler

app = FastAPI()

app.include_router(dash.router, prefix="/admin")
''',
        },
    },
    {
        "name": "what another module imports, a script, a module named in pyproject and __all__ all stay",
        "remove": {"svc/routers/r.py": [("a", ["GET"], "/a")]},
        "texts": '[tool.migrator.parity]\nreset = "svc.seed:reset"\n',
        "files": {
            "svc/routers/r.py": '''
from fastapi import APIRouter

from svc import seed, tools
from svc.models import Shared, Exported, Local

router = APIRouter()


@router.get("/a")
def a(x: Shared, y: Exported, z: Local):
    return seed.reset(), tools.run()


@router.get("/b")
def b():
    return 2
''',
            "svc/models.py": '''
__all__ = ["Exported"]


class Shared:
    pass


class Exported:
    pass


class Local:
    pass
''',
            "svc/handlers/market_handler.py": '''
from svc.models import Shared
''',
            "svc/seed.py": '''
def reset():
    return "seeded"
''',
            "svc/tools.py": '''
def run():
    return 1


if __name__ == "__main__":
    run()
''',
        },
        "after": {
            "svc/models.py": '''
__all__ = ["Exported"]


class Shared:
    pass


class Exported:
    pass
''',
            "svc/routers/r.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/b")
def b():
    return 2
''',
        },
    },
    {
        "name": "a decorated helper, a name assigned twice and a module imported inside a function are kept",
        "remove": {"svc/r.py": [("a", ["GET"], "/a")]},
        "files": {
            "svc/r.py": '''
from fastapi import APIRouter

from svc import lazy

router = APIRouter()
FLAG = 1
FLAG = 2


@cache
def helper():
    return 1


@router.get("/a")
def a():
    return helper(), FLAG, lazy.x()


@router.get("/b")
def b():
    return 2
''',
            "svc/lazy.py": '''
def x():
    return 1
''',
            "svc/other.py": '''
def f():
    from svc import lazy

    return lazy
''',
        },
        "after": {
            "svc/r.py": '''
from fastapi import APIRouter

router = APIRouter()
FLAG = 1
FLAG = 2


@cache
def helper():
    return 1


@router.get("/b")
def b():
    return 2
''',
        },
    },
    {
        "name": "a name another module reads as package.module.name stays, its sibling goes",
        "remove": {"svc/routers/r.py": [("a", ["GET"], "/a")]},
        "files": {
            "svc/routers/r.py": '''
from fastapi import APIRouter

from svc import registry

router = APIRouter()


@router.get("/a")
def a():
    return registry.count(), registry.total()


@router.get("/b")
def b():
    return 2
''',
            "svc/registry.py": '''
def count():
    return 1


def total():
    return 2
''',
            "svc/report.py": '''
import svc.registry


def report():
    return svc.registry.count()
''',
        },
        "after": {
            "svc/routers/r.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/b")
def b():
    return 2
''',
            "svc/registry.py": '''
def count():
    return 1
''',
        },
    },
]
