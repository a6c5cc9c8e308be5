"""Small services (path -> source) that once made `analyze` and `apply` disagree: each must be decided once, the
same way by both. Written for these tests; the idioms are those seen in outside FastAPI services."""

PYPROJECT = '''[project]
name = "{name}"
version = "0.1.0"
dependencies = ["fastapi>=0.110"]
'''

AUTH = '''from fastapi import Header, HTTPException


def tenant_admin(authorization: str = Header(""), x_tenant_id: str = Header(..., alias="X-Tenant-ID")) -> str:
    if not authorization.startswith("Bearer "):
        raise HTTPException(401, "Invalid or missing token")
    return x_tenant_id
'''

#: a database session written as a generator dependency (`yield`), another as a coroutine
SESSION_DEPENDENCIES = {
    "pyproject.toml": PYPROJECT.format(name="sessions"),
    "svc/__init__.py": "",
    "svc/auth.py": AUTH,
    "svc/db.py": '''class Session:
    def users(self):
        return [{"id": 1, "username": "kim", "email": "kim@example.org", "created_at": "2026-01-05T09:00:00"}]

    def close(self):
        pass


def get_session():
    session = Session()
    try:
        yield session
    finally:
        session.close()


async def get_async_session():
    return Session()


def get_plain_session():
    return Session()
''',
    "svc/routes.py": '''from fastapi import APIRouter, Depends

from svc.auth import tenant_admin
from svc.db import Session, get_async_session, get_plain_session, get_session

router = APIRouter(prefix="/admin")


def _user(row: dict) -> dict:
    return {"id": row["id"], "username": row["username"], "email": row["email"], "is_active": True,
            "created_at": row["created_at"]}


@router.get("/users")
def list_users(tenant_id: str = Depends(tenant_admin), db: Session = Depends(get_session)):
    users = [_user(row) for row in db.users()]
    return {"users": users, "total": len(users), "page": 1, "limit": 20}


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(tenant_admin), db: Session = Depends(get_async_session)):
    return _user(db.users()[0])


@router.get("/dashboard")
def dashboard(tenant_id: str = Depends(tenant_admin), db: Session = Depends(get_plain_session)):
    return {"total_users": len(db.users()), "active_users": len(db.users())}
''',
    "svc/main.py": '''from fastapi import FastAPI

from svc.routes import router

app = FastAPI()
app.include_router(router)
''',
}

#: a credential header read inside the body; module state rebound with `global`
BODY_READS = {
    "pyproject.toml": PYPROJECT.format(name="bodyreads"),
    "svc/__init__.py": "",
    "svc/auth.py": AUTH,
    "svc/routes.py": '''from fastapi import APIRouter, Depends, Header

from svc.auth import tenant_admin

router = APIRouter(prefix="/admin")
CALLS = 0


@router.get("/settings")
def settings(tenant_id: str = Depends(tenant_admin), x_api_key: str = Header("", alias="X-API-Key")):
    return {"tenant_id": tenant_id, "signed_with": x_api_key[:4]}


@router.get("/dashboard")
def dashboard(tenant_id: str = Depends(tenant_admin)):
    global CALLS
    CALLS += 1
    return {"calls": CALLS}


@router.delete("/users/{user_id}")
def delete_user(user_id: int, tenant_id: str = Depends(tenant_admin), x_api_key: str = Header("")):
    return {"message": "User deleted", "user_id": user_id}
''',
    "svc/main.py": '''from fastapi import FastAPI

from svc.routes import router

app = FastAPI()
app.include_router(router)
''',
}

#: routes declared in the app's own file, with a helper there too
APP_FILE_ROUTES = {
    "pyproject.toml": PYPROJECT.format(name="appfile"),
    "svc/__init__.py": "",
    "svc/auth.py": AUTH,
    "svc/main.py": '''"""One-file service: the app and its routes."""

from fastapi import Depends, FastAPI

from svc.auth import tenant_admin

app = FastAPI(title="appfile")
USERS = {1: {"id": 1, "username": "kim", "email": "kim@example.org", "created_at": "2026-01-05T09:00:00"}}


def _user(user_id: int) -> dict:
    row = USERS[user_id]
    return {"id": row["id"], "username": row["username"], "email": row["email"], "is_active": True,
            "created_at": row["created_at"]}


@app.get("/admin/users/{user_id}")
def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    return _user(user_id)


@app.delete("/admin/users/{user_id}")
def delete_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    USERS.pop(user_id, None)
    return {"message": "User deleted", "user_id": user_id}


@app.get("/health")
def health():
    return {"status": "ok", "users": len(USERS), "first": _user(1)["username"]}
''',
}

CASES = {"session-dependencies": SESSION_DEPENDENCIES, "body-reads": BODY_READS, "app-file-routes": APP_FILE_ROUTES}
