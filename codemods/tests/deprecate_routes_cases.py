"""Before/after pairs for the deprecate_routes codemod (phase 2): each case is plain data. Imports go where
`ruff check --select I` wants them when the block was sorted before (`svc` is first party).

`routes` lists the journal routes to deprecate as (function, methods, full path, successor method, successor path);
every case runs with Deprecation 2026-12-09, Sunset 2026-12-23 and service version 1.4.2.
"""

CASES = [
    {
        "name": "a bare decorator: flag, x-sunset, the headers dependency, @deprecated, the dates constant, imports",
        "routes": [("get_dashboard", ["GET"], "/admin/dashboard", "GET", "/mt/tenant/{tenant_id}/stats")],
        "before": '''
"""Dashboard."""

from fastapi import APIRouter, Query

from svc.auth import verify_admin

router = APIRouter()


@router.get("/dashboard")
async def get_dashboard(tenant_id: str = Depends(verify_admin)):
    return {"tenant": tenant_id}
''',
        "after": '''
"""Dashboard."""

from fastapi import APIRouter, Depends, Query
from shims.deprecation import deprecated, deprecated_endpoint

from svc.auth import verify_admin

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter()


@router.get(
    "/dashboard",
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats"))],
)
@deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats instead", version="1.4.2")
async def get_dashboard(tenant_id: str = Depends(verify_admin)):
    return {"tenant": tenant_id}
''',
    },
    {
        "name": "existing dependencies, openapi_extra and deprecated=False are merged, the headers go first",
        "routes": [("list_users", ["GET"], "/admin/users", "GET", "/mt/tenant/{tenant_id}/users")],
        "before": '''
from fastapi import APIRouter, Depends

router = APIRouter(prefix="/admin/users")


@router.get("", response_model=UserList, deprecated=False, openapi_extra={"x-owner": "team-a"}, dependencies=[Depends(audit)])
def list_users(page: int = 1):
    return []
''',
        "after": '''
from fastapi import APIRouter, Depends
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/admin/users")


@router.get(
    "",
    response_model=UserList,
    deprecated=True,
    openapi_extra={"x-owner": "team-a", "x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[
        Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/users")),
        Depends(audit),
    ],
)
@deprecated(reason="Use GET /mt/tenant/{tenant_id}/users instead", version="1.4.2")
def list_users(page: int = 1):
    return []
''',
    },
    {
        "name": "stacked decorators: only the mapped one is marked; @deprecated goes right above the def",
        "routes": [("get_top_users", ["GET"], "/admin/dashboard/top-users", "GET",
                    "/mt/tenant/{tenant_id}/stats/top-users")],
        "before": '''
from fastapi import APIRouter, Depends

router = APIRouter(prefix="/admin/dashboard")


# both spellings answer
@router.get("/top-users", response_model=TopUsers)
@router.get("/top_users", response_model=TopUsers, operation_id="top_users_legacy")
async def get_top_users(limit: int = 10):
    return {"limit": limit}
''',
        "after": '''
from fastapi import APIRouter, Depends
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/admin/dashboard")


# both spellings answer
@router.get(
    "/top-users",
    response_model=TopUsers,
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[
        Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats/top-users")),
    ],
)
@router.get("/top_users", response_model=TopUsers, operation_id="top_users_legacy")
@deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats/top-users instead", version="1.4.2")
async def get_top_users(limit: int = 10):
    return {"limit": limit}
''',
    },
    {
        "name": "add_api_route: the keywords go into the call, the decorator onto the def",
        "routes": [("get_usage_patterns", ["GET"], "/admin/dashboard/usage-patterns", "GET",
                    "/mt/tenant/{tenant_id}/stats/usage-patterns")],
        "before": '''
from fastapi import APIRouter

router = APIRouter(prefix="/admin/dashboard")


async def get_usage_patterns(days: int = 30):
    return {"days": days}


router.add_api_route(
    "/usage-patterns", get_usage_patterns, methods=["GET"], response_model=UsagePatterns
)
''',
        "after": '''
from fastapi import APIRouter, Depends
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/admin/dashboard")


@deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats/usage-patterns instead", version="1.4.2")
async def get_usage_patterns(days: int = 30):
    return {"days": days}


router.add_api_route(
    "/usage-patterns",
    get_usage_patterns,
    methods=["GET"],
    response_model=UsagePatterns,
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[
        Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats/usage-patterns")),
    ],
)
''',
    },
    {
        "name": "two routes of one module share the constant; an unmapped route and relative imports are untouched",
        "routes": [("get_user", ["GET"], "/admin/users/{user_id}", "GET", "/mt/tenant/{tenant_id}/users/{user_id}"),
                   ("delete_user", ["DELETE"], "/admin/users/{user_id}", "DELETE",
                    "/mt/tenant/{tenant_id}/users/{user_id}")],
        "before": '''
"""Users."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import Db, TenantId  # the tenant comes from X-Tenant-ID

router = APIRouter(prefix="/admin/users")


@router.get("/{user_id}")
async def get_user(user_id: int, tenant_id: TenantId, db: Db):
    return {"id": user_id}


@router.delete("/{user_id}")
async def delete_user(user_id: int, tenant_id: TenantId, db: Db):
    return {"message": "User deleted", "user_id": user_id}


@router.post("/{user_id}/suspend")  # stays: reads the caller
async def suspend_user(user_id: int):
    return {"message": "User suspended", "user_id": user_id}
''',
        "after": '''
"""Users."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from shims.deprecation import deprecated, deprecated_endpoint

from ..deps import Db, TenantId  # the tenant comes from X-Tenant-ID

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/admin/users")


@router.get(
    "/{user_id}",
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[
        Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/users/{user_id}")),
    ],
)
@deprecated(reason="Use GET /mt/tenant/{tenant_id}/users/{user_id} instead", version="1.4.2")
async def get_user(user_id: int, tenant_id: TenantId, db: Db):
    return {"id": user_id}


@router.delete(
    "/{user_id}",
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[
        Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/users/{user_id}")),
    ],
)
@deprecated(reason="Use DELETE /mt/tenant/{tenant_id}/users/{user_id} instead", version="1.4.2")
async def delete_user(user_id: int, tenant_id: TenantId, db: Db):
    return {"message": "User deleted", "user_id": user_id}


@router.post("/{user_id}/suspend")  # stays: reads the caller
async def suspend_user(user_id: int):
    return {"message": "User suspended", "user_id": user_id}
''',
    },
    {
        "name": "a call with a comment inside keeps its layout: the new keywords follow the last argument",
        "routes": [("provision", ["POST"], "/api/marketplace/demo/provision", "POST",
                    "/mt/tenant/{tenant_id}/activate")],
        "before": '''
from fastapi import APIRouter, Depends

router = APIRouter(prefix="/api/marketplace/demo")


@router.post(
    "/provision",
    status_code=200,  # the manual says 200, not 201
)
async def provision(body: dict):
    return body
''',
        "after": '''
from fastapi import APIRouter, Depends
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/api/marketplace/demo")


@router.post(
    "/provision",
    status_code=200,  # the manual says 200, not 201
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/activate"))],
)
@deprecated(reason="Use POST /mt/tenant/{tenant_id}/activate instead", version="1.4.2")
async def provision(body: dict):
    return body
''',
    },
    {
        "name": "api_route with several methods, matched by its method set",
        "routes": [("sync", ["GET", "POST"], "/admin/sync", "POST", "/mt/tenant/{tenant_id}/resources")],
        "before": '''
import fastapi

app = fastapi.FastAPI()


@app.api_route("/admin/sync", methods=["POST", "GET"])
def sync():
    return {}
''',
        "after": '''
import fastapi
from fastapi import Depends
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

app = fastapi.FastAPI()


@app.api_route(
    "/admin/sync",
    methods=["POST", "GET"],
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/resources"))],
)
@deprecated(reason="Use POST /mt/tenant/{tenant_id}/resources instead", version="1.4.2")
def sync():
    return {}
''',
    },
]

# The service's line length (88 by default, 60 here with `line-length = 60`) governs what phase 2 writes: the
# rebuilt route decorator, `@deprecated(...)`, the dates constant and its comment; the code it does not touch (a
# long signature, a route it does not deprecate) keeps its long lines.
FITTED_BEFORE = '''
from fastapi import APIRouter, Depends

router = APIRouter(prefix="/admin/dashboard")


@router.get("/usage-patterns", response_model=UsagePatterns)
async def get_usage_patterns(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
    return await legacy_dashboard.get_usage_patterns(days=days, tenant_id=tenant_id)


@router.get("/data/stats", response_model=DataStats, responses={404: {"description": "the tenant has no data yet"}})
async def data_stats(tenant_id: str = Depends(verify_tenant_admin)):
    return {}
'''
FITTED_ROUTES = [("get_usage_patterns", ["GET"], "/admin/dashboard/usage-patterns", "GET",
                  "/mt/tenant/{tenant_id}/stats/usage-patterns")]
_FITTED_TAIL = '''async def get_usage_patterns(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
    return await legacy_dashboard.get_usage_patterns(days=days, tenant_id=tenant_id)


@router.get("/data/stats", response_model=DataStats, responses={404: {"description": "the tenant has no data yet"}})
async def data_stats(tenant_id: str = Depends(verify_tenant_admin)):
    return {}
'''
FITTED_AFTER = {
    88: '''
from fastapi import APIRouter, Depends
from shims.deprecation import deprecated, deprecated_endpoint

# migrator phase 2: the legacy routes below are deprecated since this date and removed
# at the sunset.
LEGACY_DEPRECATION = {"deprecated_at": "2026-12-09", "sunset": "2026-12-23"}

router = APIRouter(prefix="/admin/dashboard")


@router.get(
    "/usage-patterns",
    response_model=UsagePatterns,
    deprecated=True,
    openapi_extra={"x-sunset": LEGACY_DEPRECATION["sunset"]},
    dependencies=[
        Depends(
            deprecated_endpoint(
                **LEGACY_DEPRECATION,
                successor="/mt/tenant/{tenant_id}/stats/usage-patterns",
            ),
        ),
    ],
)
@deprecated(
    reason="Use GET /mt/tenant/{tenant_id}/stats/usage-patterns instead",
    version="1.4.2",
)
''' + _FITTED_TAIL,
    60: '''
from fastapi import APIRouter, Depends
from shims.deprecation import (
    deprecated,
    deprecated_endpoint,
)

# migrator phase 2: the legacy routes below are deprecated
# since this date and removed at the sunset.
LEGACY_DEPRECATION = {
    "deprecated_at": "2026-12-09",
    "sunset": "2026-12-23",
}

router = APIRouter(prefix="/admin/dashboard")


@router.get(
    "/usage-patterns",
    response_model=UsagePatterns,
    deprecated=True,
    openapi_extra={
        "x-sunset": LEGACY_DEPRECATION["sunset"],
    },
    dependencies=[
        Depends(
            deprecated_endpoint(
                **LEGACY_DEPRECATION,
                successor="/mt/tenant/{tenant_id}/stats/usage-patterns",
            ),
        ),
    ],
)
@deprecated(
    reason="Use GET "
    "/mt/tenant/{tenant_id}/stats/usage-patterns "
    "instead",
    version="1.4.2",
)
''' + _FITTED_TAIL,
}
