"""Before/after pairs for phase 1 (the plan executed by `ExtractRoutes`, `GenerateService` and `WireStandardApi`):
each case is plain data. `files` form a small service `svc` (path -> source, `svc/main.py` creates the app);
`after` holds the expected source of every router and service module phase 1 writes (the handler, the app wiring
and the journal are checked elsewhere); `manual` maps a route path to a fragment of the reason it stays.
"""

PYPROJECT = '[project]\nname = "svc"\nversion = "1.0.0"\ndependencies = ["fastapi>=0.110"]\n'
AUTH = '''from fastapi import Header


def tenant_admin(x_tenant_id: str = Header(..., alias="X-Tenant-ID")) -> str:
    return x_tenant_id
'''
MAIN = '''from fastapi import FastAPI

from svc.routers import dashboard, users

app = FastAPI()
app.include_router(dashboard.router, prefix="/admin")
app.include_router(users.router, prefix="/admin")
'''

CASES = [
    {
        "name": "a route body with its SQL and helpers moves to services/legacy_<router>.py; the route delegates",
        "files": {
            "pyproject.toml": PYPROJECT,
            "svc/__init__.py": "",
            "svc/auth.py": AUTH,
            "svc/db.py": "def get_db(tenant_id):\n    return tenant_id\n",
            "svc/main.py": MAIN.replace(", users", "").replace('app.include_router(users.router, prefix="/admin")\n',
                                                                 ""),
            "svc/routers/__init__.py": "",
            "svc/routers/dashboard.py": '''"""Dashboard."""

import logging

from fastapi import APIRouter, Depends, Query

from svc.auth import tenant_admin
from svc.db import get_db

logger = logging.getLogger(__name__)
router = APIRouter()
WINDOW_MAX = 365


def _window(days: int) -> int:
    # the UI sends silly values
    return min(days, WINDOW_MAX)


@router.get("/dashboard/costs")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(tenant_admin)):
    """Costs of the last `days` days."""
    db = get_db(tenant_id)
    rows = db.execute(
        """
        SELECT model, SUM(tokens) AS tokens
        FROM messages
        WHERE created_at >= ?
        """,
        (_window(days),),
    )
    logger.info("costs for %s", tenant_id)
    return {"days": _window(days), "total_cost": 0.0, "rows": rows}


@router.get("/dashboard/export")
async def export(tenant_id: str = Depends(tenant_admin)):
    return {"window": _window(7)}
''',
        },
        "after": {
            "svc/routers/dashboard.py": '''"""Dashboard."""

import logging

from fastapi import APIRouter, Depends, Query

from svc.auth import tenant_admin
from svc.services import legacy_dashboard
from svc.services.legacy_dashboard import window as _window

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/dashboard/costs")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(tenant_admin)):
    """Costs of the last `days` days."""
    return await legacy_dashboard.get_costs(days=days, tenant_id=tenant_id)


@router.get("/dashboard/export")
async def export(tenant_id: str = Depends(tenant_admin)):
    return {"window": _window(7)}
''',
            "svc/services/legacy_dashboard.py": '''"""The logic of the legacy routes of `svc/routers/dashboard.py`.

The routes there delegate to these functions, and so does the Standard API handler
(`svc.handlers.market_handler`): this is the service's code, edit it freely.
"""

import logging

from svc.db import get_db

logger = logging.getLogger(__name__)
WINDOW_MAX = 365


def window(days: int) -> int:
    # the UI sends silly values
    return min(days, WINDOW_MAX)


async def get_costs(*, days: int = 30, tenant_id: str):
    """Costs of the last `days` days."""
    db = get_db(tenant_id)
    rows = db.execute(
        """
        SELECT model, SUM(tokens) AS tokens
        FROM messages
        WHERE created_at >= ?
        """,
        (window(days),),
    )
    logger.info("costs for %s", tenant_id)
    return {"days": window(days), "total_cost": 0.0, "rows": rows}
''',
        },
        "manual": {},
    },
    {
        "name": "a helper imported from another router moves once, into its own module's service; a route that "
                "reads the caller stays byte for byte and imports the public name under the old one",
        "files": {
            "pyproject.toml": PYPROJECT,
            "svc/__init__.py": "",
            "svc/auth.py": AUTH + '''

class Admin:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id


def current_admin(authorization: str = Header("")) -> Admin:
    return Admin(1)
''',
            "svc/main.py": MAIN,
            "svc/routers/__init__.py": "",
            "svc/routers/users.py": '''from fastapi import APIRouter, Depends

from svc.auth import tenant_admin

router = APIRouter()
USERS = {1: {"id": 1, "username": "kim", "email": "kim@example.org", "created_at": "2026-01-05T09:00:00"}}


def _user_row(user_id: int) -> dict:
    row = USERS[user_id]
    return {"id": row["id"], "username": row["username"], "email": row["email"], "is_active": True,
            "created_at": row["created_at"]}


@router.get("/users/{user_id}")
def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    return _user_row(user_id)
''',
            "svc/routers/dashboard.py": '''from fastapi import APIRouter, Depends

from svc.auth import Admin, current_admin, tenant_admin
from svc.routers.users import _user_row as row

router = APIRouter()


@router.get("/dashboard")
def get_dashboard(tenant_id: str = Depends(tenant_admin)):
    return {"total_users": 1, "active_users": 1, "first": row(1)["username"]}


@router.delete("/admins/{user_id}")
def remove_admin(user_id: int, tenant_id: str = Depends(tenant_admin), admin: Admin = Depends(current_admin)):
    if admin.user_id == user_id:
        return {"detail": "no"}
    return row(user_id)
''',
        },
        "after": {
            "svc/routers/users.py": '''from fastapi import APIRouter, Depends

from svc.auth import tenant_admin
from svc.services import legacy_users

router = APIRouter()


@router.get("/users/{user_id}")
def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    return legacy_users.get_user(user_id=user_id, tenant_id=tenant_id)
''',
            "svc/routers/dashboard.py": '''from fastapi import APIRouter, Depends

from svc.auth import Admin, current_admin, tenant_admin
from svc.services import legacy_dashboard
from svc.services.legacy_users import user_row as row

router = APIRouter()


@router.get("/dashboard")
def get_dashboard(tenant_id: str = Depends(tenant_admin)):
    return legacy_dashboard.get_dashboard(tenant_id=tenant_id)


@router.delete("/admins/{user_id}")
def remove_admin(user_id: int, tenant_id: str = Depends(tenant_admin), admin: Admin = Depends(current_admin)):
    if admin.user_id == user_id:
        return {"detail": "no"}
    return row(user_id)
''',
            "svc/services/legacy_users.py": '''"""The logic of the legacy routes of `svc/routers/users.py`.

The routes there delegate to these functions, and so does the Standard API handler
(`svc.handlers.market_handler`): this is the service's code, edit it freely.
"""

USERS = {1: {"id": 1, "username": "kim", "email": "kim@example.org", "created_at": "2026-01-05T09:00:00"}}


def user_row(user_id: int) -> dict:
    row = USERS[user_id]
    return {"id": row["id"], "username": row["username"], "email": row["email"], "is_active": True,
            "created_at": row["created_at"]}


def get_user(*, user_id: int, tenant_id: str):
    return user_row(user_id)
''',
            "svc/services/legacy_dashboard.py": '''"""The logic of the legacy routes of `svc/routers/dashboard.py`.

The routes there delegate to these functions, and so does the Standard API handler
(`svc.handlers.market_handler`): this is the service's code, edit it freely.
"""

from svc.services.legacy_users import user_row


def get_dashboard(*, tenant_id: str):
    return {"total_users": 1, "active_users": 1, "first": user_row(1)["username"]}
''',
        },
        "manual": {"/admin/admins/{user_id}": "caller's identity `admin.user_id`"},
    },
]


def _fitted_case(width: int, router_after: str) -> dict:
    """The service's ruff `line-length` (`width`) governs the delegation calls phase 1 writes; the code it leaves
    (the route signatures, a comment, a route that stays) keeps its long lines."""
    ruff = "" if width == 88 else f"\n[tool.ruff]\nline-length = {width}\n"
    return {
        "name": f"the delegation calls fit the service's line length ({width}), the code left keeps its lines",
        "files": {
            "pyproject.toml": PYPROJECT + ruff,
            "svc/__init__.py": "",
            "svc/auth.py": AUTH,
            "svc/main.py": MAIN.replace("dashboard, ", "").replace(
                'app.include_router(dashboard.router, prefix="/admin")\n', ""),
            "svc/routers/__init__.py": "",
            "svc/routers/users.py": '''from fastapi import APIRouter, Depends, Query

from svc.auth import tenant_admin

router = APIRouter()
USERS = {1: {"id": 1, "username": "kim", "email": "kim@example.org", "created_at": "2026-01-05T09:00:00"}}


def _user_row(row: dict) -> dict:
    return {"id": row["id"], "username": row["username"], "email": row["email"], "is_active": True,
            "created_at": row["created_at"]}


@router.get("/users")
async def list_users(page: int = Query(1, ge=1), limit: int = Query(20, ge=1, le=100), search: str = "", tenant_id: str = Depends(tenant_admin)):
    rows = [_user_row(row) for row in USERS.values() if search in row["username"]]
    return {"users": rows[(page - 1) * limit:page * limit], "total": len(rows), "page": page, "limit": limit}


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    return _user_row(USERS[user_id])


# an export the Standard API has no operation for: it stays here as it is, long lines included
@router.get("/users-export")
async def export_users(tenant_id: str = Depends(tenant_admin)):
    return {"rows": [{"id": row["id"], "username": row["username"], "email": row["email"]} for row in USERS.values()]}
''',
        },
        "after": {"svc/routers/users.py": router_after},
        "manual": {},
    }


_FITTED_HEAD = '''from fastapi import APIRouter, Depends, Query

from svc.auth import tenant_admin
from svc.services import legacy_users
from svc.services.legacy_users import USERS

router = APIRouter()


@router.get("/users")
async def list_users(page: int = Query(1, ge=1), limit: int = Query(20, ge=1, le=100), search: str = "", tenant_id: str = Depends(tenant_admin)):
'''
_FITTED_TAIL = '''

# an export the Standard API has no operation for: it stays here as it is, long lines included
@router.get("/users-export")
async def export_users(tenant_id: str = Depends(tenant_admin)):
    return {"rows": [{"id": row["id"], "username": row["username"], "email": row["email"]} for row in USERS.values()]}
'''
CASES += [
    _fitted_case(88, _FITTED_HEAD + '''    return await legacy_users.list_users(
        page=page,
        limit=limit,
        search=search,
        tenant_id=tenant_id,
    )


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    return await legacy_users.get_user(user_id=user_id, tenant_id=tenant_id)
''' + _FITTED_TAIL),
    _fitted_case(60, _FITTED_HEAD + '''    return await legacy_users.list_users(
        page=page,
        limit=limit,
        search=search,
        tenant_id=tenant_id,
    )


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    return await legacy_users.get_user(
        user_id=user_id,
        tenant_id=tenant_id,
    )
''' + _FITTED_TAIL),
]
