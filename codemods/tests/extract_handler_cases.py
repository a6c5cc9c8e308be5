"""Before/after pairs for the extract_handler codemod: each case is plain data.

`files` are router modules (path -> source) under a package `svc`; `moves` name the route functions to move;
`after` is the expected source of every rewritten module; `methods` the expected handler methods; `helpers` the
module-level definitions that move into the handler module; `imports` the imports the handler needs;
`refused` maps a route function to a fragment of the reason it stays where it is.
"""

CASES = [
    {
        "name": "query default, dependency tenant, private helper and import move with the body; a logger is copied",
        "files": {
            "svc/routers/dash.py": '''
import logging

from fastapi import APIRouter, Depends, Query

from svc.auth import verify_admin
from svc.db import get_db

logger = logging.getLogger(__name__)
router = APIRouter()


def _window(days: int) -> int:
    # clamp: the UI sends silly values
    return min(days, 365)


@router.get("/dashboard/costs")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_admin)):
    """Costs of the last `days` days."""
    with get_db(tenant_id) as db:
        rows = db.execute("SELECT 1").fetchall()
    logger.info("costs for %s", tenant_id)
    return {"days": _window(days), "rows": len(rows)}
''',
        },
        "moves": {"svc/routers/dash.py": [{"function": "get_costs", "method": "legacy_get_costs",
                                           "tenant_param": "tenant_id", "path": "/dashboard/costs"}]},
        "after": {
            "svc/routers/dash.py": '''
import logging

from fastapi import APIRouter, Depends, Query

from svc.auth import verify_admin
from svc.handlers.market_handler import market_handler

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/dashboard/costs")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_admin)):
    """Costs of the last `days` days."""
    return await market_handler.legacy_get_costs(days=days, tenant_id=tenant_id)
''',
        },
        "methods": {
            "legacy_get_costs": '''
async def legacy_get_costs(self, *, days: int = 30, tenant_id: str):
    """Costs of the last `days` days."""
    with get_db(tenant_id) as db:
        rows = db.execute("SELECT 1").fetchall()
    logger.info("costs for %s", tenant_id)
    return {"days": _window(days), "rows": len(rows)}
''',
        },
        "helpers": ["logger = logging.getLogger(__name__)\n", '''
def _window(days: int) -> int:
    # clamp: the UI sends silly values
    return min(days, 365)
'''],
        "imports": [("logging", None, None), ("svc.db", "get_db", None)],
        "refused": {},
    },
    {
        "name": "a helper the router still uses is imported back from the handler module",
        "files": {
            "svc/routers/users.py": '''
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from svc.auth import verify_admin

router = APIRouter()
USERS = {1: "kim"}


class UserCreate(BaseModel):
    username: str


def _to_dict(uid):
    return {"id": uid, "username": USERS[uid]}


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(verify_admin)):
    if user_id not in USERS:
        raise HTTPException(status_code=404, detail="User not found")
    return _to_dict(user_id)


@router.post("/users")
def create_user(user: UserCreate, tenant_id: str = Depends(verify_admin)):
    return {"username": user.username}


@router.get("/users/me")
async def me(tenant_id: str = Depends(verify_admin)):
    return _to_dict(1)
''',
        },
        "moves": {"svc/routers/users.py": [
            {"function": "get_user", "method": "legacy_get_user", "tenant_param": "tenant_id",
             "path": "/users/{user_id}"},
            {"function": "create_user", "method": "legacy_create_user", "tenant_param": "tenant_id",
             "path": "/users"},
        ]},
        "after": {
            "svc/routers/users.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin
from svc.handlers.market_handler import UserCreate, _to_dict, market_handler

router = APIRouter()


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(verify_admin)):
    return await market_handler.legacy_get_user(user_id=user_id, tenant_id=tenant_id)


@router.post("/users")
def create_user(user: UserCreate, tenant_id: str = Depends(verify_admin)):
    return market_handler.legacy_create_user(user=user, tenant_id=tenant_id)


@router.get("/users/me")
async def me(tenant_id: str = Depends(verify_admin)):
    return _to_dict(1)
''',
        },
        "methods": {
            "legacy_get_user": '''
async def legacy_get_user(self, *, user_id: int, tenant_id: str):
    if user_id not in USERS:
        raise HTTPException(status_code=404, detail="User not found")
    return _to_dict(user_id)
''',
            "legacy_create_user": '''
def legacy_create_user(self, *, user: UserCreate, tenant_id: str):
    return {"username": user.username}
''',
        },
        "helpers": ['USERS = {1: "kim"}\n', '''
class UserCreate(BaseModel):
    username: str
''', '''
def _to_dict(uid):
    return {"id": uid, "username": USERS[uid]}
'''],
        "imports": [("fastapi", "HTTPException", None), ("pydantic", "BaseModel", None)],
        "refused": {},
    },
    {
        "name": "Annotated parameters: the tenant header stays a str, an unused auth dependency is dropped",
        "files": {
            "svc/api/settings.py": '''
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from ..deps import Admin, require_admin
from ..store import load_settings

router = APIRouter(prefix="/admin/settings")


@router.get("")
def read_settings(
    tenant_id: Annotated[str, Header(alias="X-Tenant-ID")],
    admin: Annotated[Admin, Depends(require_admin)],
    verbose: bool = False,
) -> dict:
    return load_settings(tenant_id, verbose=verbose)
''',
        },
        "moves": {"svc/api/settings.py": [{"function": "read_settings", "method": "legacy_read_settings",
                                           "tenant_param": "tenant_id", "path": "/admin/settings"}]},
        "after": {
            "svc/api/settings.py": '''
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from ..deps import Admin, require_admin
from svc.handlers.market_handler import market_handler

router = APIRouter(prefix="/admin/settings")


@router.get("")
def read_settings(
    tenant_id: Annotated[str, Header(alias="X-Tenant-ID")],
    admin: Annotated[Admin, Depends(require_admin)],
    verbose: bool = False,
) -> dict:
    return market_handler.legacy_read_settings(tenant_id=tenant_id, verbose=verbose)
''',
        },
        "methods": {
            "legacy_read_settings": '''
def legacy_read_settings(self, *, tenant_id: str, verbose: bool = False) -> dict:
    return load_settings(tenant_id, verbose=verbose)
''',
        },
        "helpers": [],
        "imports": [("svc.store", "load_settings", None)],
        "refused": {},
    },
    {
        "name": "bodies that need what the handler cannot supply stay untouched, with a reason",
        "files": {
            "svc/routers/admin.py": '''
from fastapi import APIRouter, BackgroundTasks, Depends, Request

from svc.auth import AdminContext, get_admin_context, verify_admin

router = APIRouter()


@router.delete("/admins/{user_id}")
async def remove_admin(user_id: int, ctx: AdminContext = Depends(get_admin_context)):
    if ctx.user_id == user_id:
        return {"detail": "You cannot remove your own admin rights"}
    return {"user_id": user_id}


@router.post("/users/{user_id}/suspend")
async def suspend(user_id: int, background_tasks: BackgroundTasks, tenant_id: str = Depends(verify_admin)):
    background_tasks.add_task(print, user_id)
    return {"user_id": user_id}


@router.get("/whoami")
async def whoami(request: Request, tenant_id: str = Depends(verify_admin)):
    return {"ip": request.client.host}


def make_routes():
    @router.get("/closure")
    async def closure(tenant_id: str = Depends(verify_admin)):
        return {"tenant": tenant_id}
''',
        },
        "moves": {"svc/routers/admin.py": [
            {"function": "remove_admin", "method": "legacy_remove_admin", "tenant_param": None,
             "path": "/admins/{user_id}"},
            {"function": "suspend", "method": "legacy_suspend", "tenant_param": "tenant_id",
             "path": "/users/{user_id}/suspend"},
            {"function": "whoami", "method": "legacy_whoami", "tenant_param": "tenant_id", "path": "/whoami"},
            {"function": "closure", "method": "legacy_closure", "tenant_param": "tenant_id", "path": "/closure"},
        ]},
        "after": {},
        "methods": {},
        "helpers": [],
        "imports": [],
        "refused": {
            "remove_admin": "reads `ctx` from the dependency `get_admin_context`",
            "suspend": "uses `BackgroundTasks`",
            "whoami": "uses `Request`",
            "closure": "not defined at module level",
        },
    },
    {
        "name": "a helper imported from another router module moves once, under one name",
        "files": {
            "svc/routers/users.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin

router = APIRouter()


def _user_row(uid):
    return {"id": uid}


@router.get("/users/{uid}")
async def get_user(uid: int, tenant_id: str = Depends(verify_admin)):
    return _user_row(uid)
''',
            "svc/routers/admins.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin
from svc.routers.users import _user_row as row

router = APIRouter()


@router.get("/admins")
async def list_admins(tenant_id: str = Depends(verify_admin)):
    return {"admins": [row(1)]}
''',
        },
        "moves": {
            "svc/routers/users.py": [{"function": "get_user", "method": "legacy_get_user",
                                      "tenant_param": "tenant_id", "path": "/users/{uid}"}],
            "svc/routers/admins.py": [{"function": "list_admins", "method": "legacy_list_admins",
                                       "tenant_param": "tenant_id", "path": "/admins"}],
        },
        "after": {
            "svc/routers/users.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin
from svc.handlers.market_handler import market_handler

router = APIRouter()


@router.get("/users/{uid}")
async def get_user(uid: int, tenant_id: str = Depends(verify_admin)):
    return await market_handler.legacy_get_user(uid=uid, tenant_id=tenant_id)
''',
            "svc/routers/admins.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin
from svc.handlers.market_handler import market_handler

router = APIRouter()


@router.get("/admins")
async def list_admins(tenant_id: str = Depends(verify_admin)):
    return await market_handler.legacy_list_admins(tenant_id=tenant_id)
''',
        },
        "methods": {
            "legacy_get_user": '''
async def legacy_get_user(self, *, uid: int, tenant_id: str):
    return _user_row(uid)
''',
            "legacy_list_admins": '''
async def legacy_list_admins(self, *, tenant_id: str):
    return {"admins": [_user_row(1)]}
''',
        },
        "helpers": ['''
def _user_row(uid):
    return {"id": uid}
'''],
        "imports": [],
        "refused": {},
    },
    {
        "name": "a route that already delegates is left alone (second run)",
        "files": {
            "svc/routers/dash.py": '''
from fastapi import APIRouter, Depends

from svc.auth import verify_admin
from svc.handlers.market_handler import market_handler

router = APIRouter()


@router.get("/dashboard")
async def get_dashboard(tenant_id: str = Depends(verify_admin)):
    return await market_handler.legacy_get_dashboard(tenant_id=tenant_id)
''',
        },
        "moves": {"svc/routers/dash.py": [{"function": "get_dashboard", "method": "legacy_get_dashboard",
                                           "tenant_param": "tenant_id", "path": "/dashboard"}]},
        "after": {},
        "methods": {},
        "helpers": [],
        "imports": [],
        "refused": {"get_dashboard": "already delegates"},
    },
    {
        "name": "identical loggers are moved once; a helper a staying route still imports is re-exported; "
                "a resource dependency passes through",
        "files": {
            "svc/routers/users.py": '''
import logging

from fastapi import APIRouter, Depends

from svc.auth import verify_admin

logger = logging.getLogger(__name__)
router = APIRouter()


def _row(uid):
    return {"id": uid}


@router.get("/users/{uid}")
async def get_user(uid: int, tenant_id: str = Depends(verify_admin)):
    logger.info("read %s", uid)
    return _row(uid)
''',
            "svc/routers/admins.py": '''
import logging

from fastapi import APIRouter, Depends

from svc.auth import AdminContext, admin_context, verify_admin
from svc.routers.users import _row

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/admins")
async def list_admins(tenant_id: str = Depends(verify_admin)):
    logger.info("admins")
    return {"admins": [_row(1)]}


@router.delete("/admins/{uid}")
async def remove_admin(uid: int, ctx: AdminContext = Depends(admin_context)):
    if ctx.user_id == uid:
        return {"detail": "no"}
    return _row(uid)
''',
            "svc/api/items.py": '''
from fastapi import APIRouter

from svc.deps import Db, TenantId

router = APIRouter()


@router.get("/items")
def list_items(tenant_id: TenantId, db: Db):
    return db.items(tenant_id)
''',
        },
        "moves": {
            "svc/routers/users.py": [{"function": "get_user", "method": "legacy_get_user", "tenant_param": "tenant_id",
                                      "path": "/users/{uid}"}],
            "svc/routers/admins.py": [
                {"function": "list_admins", "method": "legacy_list_admins", "tenant_param": "tenant_id",
                 "path": "/admins"},
                {"function": "remove_admin", "method": "legacy_remove_admin", "tenant_param": None,
                 "path": "/admins/{uid}"},
            ],
            "svc/api/items.py": [{"function": "list_items", "method": "legacy_list_items", "tenant_param": "tenant_id",
                                  "path": "/items", "param_kinds": {"tenant_id": "header", "db": "depends"},
                                  "resources": {"db": "svc.deps.get_database"}}],
        },
        "after": {
            "svc/routers/users.py": '''
import logging

from fastapi import APIRouter, Depends

from svc.auth import verify_admin
from svc.handlers.market_handler import _row as _row, market_handler

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/users/{uid}")
async def get_user(uid: int, tenant_id: str = Depends(verify_admin)):
    return await market_handler.legacy_get_user(uid=uid, tenant_id=tenant_id)
''',
            "svc/routers/admins.py": '''
import logging

from fastapi import APIRouter, Depends

from svc.auth import AdminContext, admin_context, verify_admin
from svc.routers.users import _row
from svc.handlers.market_handler import market_handler

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/admins")
async def list_admins(tenant_id: str = Depends(verify_admin)):
    return await market_handler.legacy_list_admins(tenant_id=tenant_id)


@router.delete("/admins/{uid}")
async def remove_admin(uid: int, ctx: AdminContext = Depends(admin_context)):
    if ctx.user_id == uid:
        return {"detail": "no"}
    return _row(uid)
''',
            "svc/api/items.py": '''
from fastapi import APIRouter

from svc.deps import Db, TenantId
from svc.handlers.market_handler import market_handler

router = APIRouter()


@router.get("/items")
def list_items(tenant_id: TenantId, db: Db):
    return market_handler.legacy_list_items(tenant_id=tenant_id, db=db)
''',
        },
        "methods": {
            "legacy_get_user": '''
async def legacy_get_user(self, *, uid: int, tenant_id: str):
    logger.info("read %s", uid)
    return _row(uid)
''',
            "legacy_list_admins": '''
async def legacy_list_admins(self, *, tenant_id: str):
    logger.info("admins")
    return {"admins": [_row(1)]}
''',
            "legacy_list_items": '''
def legacy_list_items(self, *, tenant_id: str, db: Db):
    return db.items(tenant_id)
''',
        },
        "helpers": ["logger = logging.getLogger(__name__)\n", '''
def _row(uid):
    return {"id": uid}
'''],
        "imports": [("logging", None, None), ("svc.deps", "Db", None)],
        "refused": {"remove_admin": "reads `ctx` from the dependency `admin_context`"},
    },
]
