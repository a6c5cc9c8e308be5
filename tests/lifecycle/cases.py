"""Tenant-registry inference as data: small legacy services written for these tests (raw SQL through a DB-API
context manager, a SQLAlchemy declarative model behind a yield dependency, a SQLModel table with an enum status,
async SQLAlchemy ``text()`` through ``async with get_db()``, a flag and a timestamp as status), each with the
provisioning route phase 1 starts from and the registry it must find (or the reason it must give).

Each case's `files` form a package ``svc`` under a temporary root; `route` is the provisioning route function and
`deps` its ``Depends`` parameters (parameter -> dotted provider), as the inventory reports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    route: str  # dotted route function
    deps: dict[str, str] = field(default_factory=dict)
    # expected registry facts (None when `error` is expected)
    table: Optional[str] = None
    id_column: Optional[str] = None
    status: Optional[tuple[str, str]] = None  # (column, kind)
    email: Optional[str] = None
    connection: Optional[str] = None  # the expression the generated code enters
    api: Optional[str] = None
    is_async: bool = False
    active: str = "active"
    inactive: str = "deactivated"
    clock: Optional[str] = None  # dotted
    error: Optional[str] = None  # a fragment of RegistryNotFound's message
    schema: Optional[str] = None  # SQL creating the tables (runtime check of the generated module), raw-SQL cases
    assigned: bool = False  # the database assigns the tenant's id (the market's ids need a map)


RAW_DB = '''
import sqlite3
from contextlib import contextmanager
import os

SCHEMA = """
CREATE TABLE IF NOT EXISTS organizations (
    org_key TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    owner_email TEXT NOT NULL,
    plan TEXT NOT NULL,
    features TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('enabled', 'disabled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS members (id INTEGER PRIMARY KEY, org_key TEXT, email TEXT, is_active INTEGER);
"""


@contextmanager
def registry():
    conn = sqlite3.connect(os.environ["SVC_DB"])
    conn.executescript(SCHEMA)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()
'''

RAW_CLOCK = '''
from datetime import datetime


def utcnow() -> datetime:
    return datetime(2026, 3, 1, 12, 0, 0)
'''

RAW_SQL = Case(
    name="raw SQL through a DB-API context manager (qmark, JSON column, CHECK vocabulary, clock)",
    files={
        "svc/db.py": RAW_DB,
        "svc/clock.py": RAW_CLOCK,
        "svc/orgs.py": '''
import json
from svc.clock import utcnow
from svc.db import registry

INSERT = (
    "INSERT INTO organizations (org_key, title, owner_email, plan, features, state, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, 'enabled', ?, ?)"
)


def _add_member(conn, key, email):
    conn.execute("INSERT INTO members (org_key, email, is_active) VALUES (?, ?, 1)", (key, email))


def open_org(key: str, title: str, email: str, features: list[str]) -> dict:
    now = utcnow().isoformat()
    with registry() as conn:
        conn.execute(INSERT, (key, title, email, "basic", json.dumps(features), now, now))
        _add_member(conn, key, email)
    return {"key": key}
''',
        "svc/routes.py": '''
from fastapi import APIRouter
from svc import orgs

router = APIRouter()


@router.post("/orgs")
async def create_org(body: dict):
    return orgs.open_org(body["key"], body["title"], body["email"], body.get("features", []))
''',
    },
    route="svc.routes.create_org",
    table="organizations", id_column="org_key", status=("state", "text"), email="owner_email",
    connection="registry()", api="dbapi", active="enabled", inactive="disabled", clock="svc.clock.utcnow",
    schema="",
)

ORM_FILES = {
    "svc/models.py": '''
from datetime import datetime
from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    admin_email: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
''',
    "svc/db.py": '''
import os
from sqlalchemy import create_engine
from sqlalchemy.orm import Session


def get_session():
    engine = create_engine(os.environ["SVC_URL"])
    with Session(engine) as session:
        yield session
''',
    "svc/routes.py": '''
from datetime import datetime
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from svc.db import get_session
from svc.models import Workspace

router = APIRouter()


class WorkspaceService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, name: str, email: str) -> Workspace:
        now = datetime(2026, 3, 1)
        workspace = Workspace(name=name, admin_email=email, is_active=True, created_at=now, updated_at=now)
        self.session.add(workspace)
        self.session.commit()
        return workspace


@router.post("/workspaces")
def create_workspace(body: dict, session: Session = Depends(get_session)):
    workspace = WorkspaceService(session).create(body["name"], body["email"])
    return {"id": workspace.id}
''',
}

SQLALCHEMY_ORM = Case(
    name="a SQLAlchemy declarative model added through a repository bound to a yield dependency's session",
    files=ORM_FILES, route="svc.routes.create_workspace", deps={"session": "svc.db.get_session"},
    table="workspaces", id_column="id", status=("is_active", "bool"), email="admin_email",
    connection="contextmanager(get_session)()", api="orm", assigned=True,
)

SQLMODEL = Case(
    name="a SQLModel table with an enum status, an Annotated session dependency",
    files={
        "svc/enums.py": '''
from enum import Enum


class SchoolState(str, Enum):
    live = "live"
    paused = "paused"
    closed = "closed"
''',
        "svc/models.py": '''
from datetime import datetime
from sqlmodel import Field, SQLModel
from svc.enums import SchoolState


class School(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    name: str
    contact_email: str
    status: SchoolState = SchoolState.live
    created_at: datetime
''',
        "svc/db.py": '''
import os
from typing import Annotated
from fastapi import Depends
from sqlmodel import Session, create_engine


def get_session():
    with Session(create_engine(os.environ["SVC_URL"])) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
''',
        "svc/routes.py": '''
from datetime import datetime, timezone
from fastapi import APIRouter
from svc.db import SessionDep
from svc.models import School

router = APIRouter()


@router.post("/schools")
def register(body: dict, session: SessionDep):
    school = School(slug=body["slug"], name=body["name"], contact_email=body["email"], created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    session.add(school)
    session.commit()
    return {"id": school.id}
''',
    },
    route="svc.routes.register", deps={"session": "svc.db.get_session"},
    table="school", id_column="id", status=("status", "enum"), email="contact_email",
    connection="contextmanager(get_session)()", api="orm", active="live", inactive="closed", assigned=True,
)

ASYNC_TEXT = Case(
    name="async SQLAlchemy text() through `async with get_db() as session` (named placeholders, a flag status)",
    files={
        "svc/db.py": '''
import os
from contextlib import asynccontextmanager
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


@asynccontextmanager
async def get_db():
    maker = async_sessionmaker(create_async_engine(os.environ["SVC_URL"]))
    async with maker() as session:
        yield session
        await session.commit()
''',
        "svc/routes.py": '''
from fastapi import APIRouter
from sqlalchemy import text
from svc.db import get_db

router = APIRouter()

CREATE = text(
    "INSERT INTO tenant_accounts (tenant_id, email, enabled, created_at) VALUES (:tid, :email, 1, :at)"
)


@router.post("/provision")
async def provision(body: dict):
    async with get_db() as session:
        await session.execute(text(
            "INSERT INTO tenant_accounts (tenant_id, email, enabled, created_at) VALUES (:tid, :email, 1, :at)"
        ), {"tid": body["id"], "email": body["email"], "at": "2026-01-01T00:00:00"})
    return {"ok": True}
''',
    },
    route="svc.routes.provision",
    table="tenant_accounts", id_column="tenant_id", status=("enabled", "bool"), email="email",
    connection="get_db()", api="sqlalchemy", is_async=True,
    schema="CREATE TABLE tenant_accounts (tenant_id TEXT PRIMARY KEY, email TEXT, enabled INTEGER, created_at TEXT)",
)

TIMESTAMP_STATUS = Case(
    name="a `deactivated_at` timestamp as the status, a connection from a module-level factory",
    files={
        "svc/db.py": '''
import os
import sqlite3


class Store:
    def connect(self):
        return sqlite3.connect(os.environ["SVC_DB"])


store = Store()
''',
        "svc/routes.py": '''
from fastapi import APIRouter
from svc.db import store

router = APIRouter()


@router.post("/tenants")
def add_tenant(body: dict):
    with store.connect() as conn:
        conn.execute(
            "INSERT INTO tenants (tenant_id, email, deactivated_at) VALUES (?, ?, NULL)", (body["id"], body["email"])
        )
    return {"ok": True}
''',
    },
    route="svc.routes.add_tenant",
    table="tenants", id_column="tenant_id", status=("deactivated_at", "timestamp"), email="email",
    connection="store.connect()", api="dbapi",
    schema="CREATE TABLE tenants (tenant_id TEXT PRIMARY KEY, email TEXT, deactivated_at TEXT)",
)

NO_STATUS = Case(
    name="a tenant table without any status column: no registry, and the reason names the write",
    files={
        "svc/routes.py": '''
import sqlite3
from fastapi import APIRouter

router = APIRouter()


@router.post("/tenants")
def add_tenant(body: dict):
    with sqlite3.connect("x.db") as conn:
        conn.execute("INSERT INTO tenants (tenant_id, email) VALUES (?, ?)", (body["id"], body["email"]))
''',
    },
    route="svc.routes.add_tenant",
    error="writes tenants (svc/routes.py:10)",
)

FROM_REQUEST = Case(
    name="the connection comes from the request (request.state.db): named, never guessed",
    files={
        "svc/routes.py": '''
from fastapi import APIRouter, Request

router = APIRouter()


@router.post("/tenants")
def add_tenant(body: dict, request: Request):
    conn = request.state.db
    conn.execute("INSERT INTO tenants (tenant_id, status) VALUES (?, 'active')", (body["id"],))
''',
    },
    route="svc.routes.add_tenant",
    error="is written at svc/routes.py:9 through a connection the generated code cannot obtain",
)

CASES = [RAW_SQL, SQLALCHEMY_ORM, SQLMODEL, ASYNC_TEXT, TIMESTAMP_STATUS, NO_STATUS, FROM_REQUEST]
