"""Idioms met in a public SQLModel project template, in a small service written for this test: a Poetry project, an
app created inside a factory with no module-level app (`uvicorn --factory`), SQLModel table rows with UUID ids
returned straight after `commit()` (expired: only attribute reads reload them), a `SessionDep` alias of a
generator dependency, and a second "create" route on a router included only when an environment variable is set.
Phase 1 must move the routes and the generated handler must answer on the wire."""

from __future__ import annotations

import importlib
import os
import sys
import uuid
from pathlib import Path

import pytest
import tomlkit
from fastapi.testclient import TestClient

from migrator.analyze import analyze
from migrator.apply import plan_phase, write_phase

PYPROJECT = '''[tool.poetry]
name = "roster"
version = "0.3.0"
description = "members of one club"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = ">=0.110"
sqlmodel = ">=0.0.22"
pydantic = "^2.5"

[tool.migrator]
tenant = "club"
'''

DB = '''import uuid
from datetime import datetime, timezone
from typing import Annotated, Generator, Optional

from fastapi import Depends
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel, create_engine


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Member(SQLModel, table=True):
    __tablename__ = "roster_member"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(unique=True)
    full_name: Optional[str] = None
    is_active: bool = True
    created_at: datetime = Field(default_factory=_now)


class MemberPublic(SQLModel):
    id: uuid.UUID
    email: str
    full_name: Optional[str] = None
    is_active: bool
    created_at: datetime


class MembersPublic(SQLModel):
    data: list[MemberPublic]
    count: int


class MemberCreate(SQLModel):
    email: str
    full_name: Optional[str] = None
    password: str


class MemberUpdate(SQLModel):
    email: Optional[str] = None
    full_name: Optional[str] = None
    is_active: Optional[bool] = None


engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)


def get_db() -> Generator[Session, None, None]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
'''

MEMBERS = '''import uuid
from typing import Any, Optional

from fastapi import APIRouter, HTTPException
from sqlmodel import col, func, select

from roster.db import Member, MemberCreate, MemberPublic, MembersPublic, MemberUpdate, SessionDep

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/", response_model=MembersPublic)
def read_members(session: SessionDep, skip: int = 0, limit: int = 100, search: Optional[str] = None) -> Any:
    query = select(Member)
    if search:
        query = query.where(col(Member.email).contains(search))
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Member.created_at)).offset(skip).limit(limit)).all()
    return MembersPublic(data=[MemberPublic.model_validate(row) for row in rows], count=count)


@router.post("/", response_model=MemberPublic)
def create_member(*, session: SessionDep, member_in: MemberCreate) -> Any:
    member = Member(email=member_in.email, full_name=member_in.full_name)
    session.add(member)
    session.commit()
    return member


@router.patch("/{member_id}", response_model=MemberPublic)
def update_member(*, session: SessionDep, member_id: uuid.UUID, member_in: MemberUpdate) -> Any:
    member = session.get(Member, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail="No such member")
    for key, value in member_in.model_dump(exclude_unset=True).items():
        setattr(member, key, value)
    session.add(member)
    session.commit()
    return member
'''

LOCAL = '''from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from roster.db import Member, MemberPublic, SessionDep

router = APIRouter(prefix="/private", tags=["private"])


class LocalMember(BaseModel):
    email: str
    full_name: str


@router.post("/users/", response_model=MemberPublic)
def create_user(member_in: LocalMember, session: SessionDep) -> Any:
    member = Member(email=member_in.email, full_name=member_in.full_name, is_active=False)
    session.add(member)
    session.commit()
    return member
'''

MAIN = '''import os

from fastapi import FastAPI

from roster.routes import local, members


def get_app() -> FastAPI:
    application = FastAPI(title="roster")
    application.include_router(members.router, prefix="/api")
    if "ROSTER_LOCAL" in os.environ:
        application.include_router(local.router, prefix="/api")
    return application
'''

FILES = {"pyproject.toml": PYPROJECT, "roster/__init__.py": "", "roster/db.py": DB, "roster/main.py": MAIN,
         "roster/routes/__init__.py": "", "roster/routes/members.py": MEMBERS, "roster/routes/local.py": LOCAL}
KEY = {"X-Market-API-Key": "k"}


@pytest.fixture
def roster(tmp_path):
    root = tmp_path / "roster_root"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    yield root
    for name in [n for n in sys.modules if n == "roster" or n.startswith("roster.")]:
        del sys.modules[name]
    from sqlmodel import SQLModel

    table = SQLModel.metadata.tables.get("roster_member")  # the table class is gone with its module
    if table is not None:
        SQLModel.metadata.remove(table)


def _client(root: Path, local: bool) -> TestClient:
    sys.path.insert(0, str(root))
    os.environ["MARKET_API_KEY"] = "k"
    if local:
        os.environ["ROSTER_LOCAL"] = "1"
    try:
        importlib.invalidate_caches()
        db = importlib.import_module("roster.db")
        db.SQLModel.metadata.create_all(db.engine)
        return TestClient(importlib.import_module("roster.main").get_app())
    finally:
        sys.path.remove(str(root))
        os.environ.pop("ROSTER_LOCAL", None)


def test_the_routes_move_and_the_poetry_project_gets_the_runtime(roster):
    report = analyze(roster)
    assert report.plan.blockers == []
    statuses = {(r.methods[0], r.path): (r.operation, r.status) for r in report.routes}
    assert statuses == {
        ("GET", "/api/users/"): ("list_users", "automatic"),
        ("POST", "/api/users/"): ("create_user", "automatic"),
        ("PATCH", "/api/users/{member_id}"): ("update_user", "automatic"),
        ("POST", "/api/private/users/"): ("create_user", "automatic"),
    }
    result = plan_phase(roster, 1)
    write_phase(roster, result)
    project = tomlkit.parse((roster / "pyproject.toml").read_text())
    assert "migrator-shims" in project["tool"]["poetry"]["dependencies"]
    assert "project" not in project  # a Poetry project stays one
    handler = (roster / "roster/handlers/market_handler.py").read_text()
    # the route registered only when ROSTER_LOCAL is set is not the one the standard method calls
    assert "legacy_members.create_member" in handler and "legacy_local" not in handler
    assert "legacy_user_id(user_id, uuid.UUID)" in handler
    assert "cannot search users" not in handler  # the legacy route searches itself
    main = (roster / "roster/main.py").read_text()
    assert "application.include_router(create_standard_router(" in main


@pytest.mark.parametrize("local", [False, True])
def test_the_standard_routes_answer_from_the_legacy_logic(roster, local):
    write_phase(roster, plan_phase(roster, 1))
    client = _client(roster, local)
    created = client.post("/mt/tenant/club/users", json={"email": "ana@example.org", "name": "Ana"}, headers=KEY)
    assert created.status_code == 201, created.text
    member_id = created.json()["user_id"]
    assert uuid.UUID(member_id) and created.json()["status"] == "active"  # the unconditional route created it
    updated = client.put(f"/mt/tenant/club/users/{member_id}", json={"name": "Ana B", "status": "suspended"},
                         headers=KEY)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["status"]) == ("Ana B", "suspended")
    assert client.put("/mt/tenant/club/users/not-a-uuid", json={"name": "X"}, headers=KEY).json()["detail"][
        "error"] == "USER_NOT_FOUND"
    assert client.put(f"/mt/tenant/club/users/{uuid.uuid4()}", json={"name": "X"}, headers=KEY).status_code == 404
    client.post("/mt/tenant/club/users", json={"email": "bo@example.org", "name": "Bo"}, headers=KEY)
    listed = client.get("/mt/tenant/club/users", params={"search": "bo@"}, headers=KEY).json()
    assert (listed["total"], [u["email"] for u in listed["users"]]) == (1, ["bo@example.org"])
    assert client.get("/mt/tenant/club/users", headers=KEY).json()["total"] == 2
    assert client.get("/mt/tenant/other/users", headers=KEY).status_code == 404
    legacy = client.get("/api/users/").json()
    assert {m["email"]: m["full_name"] for m in legacy["data"]} == {"ana@example.org": "Ana B",
                                                                    "bo@example.org": "Bo"}
    if local:  # the legacy local route still answers, with its own logic
        answer = client.post("/api/private/users/", json={"email": "cy@example.org", "full_name": "Cy"})
        assert answer.status_code == 200 and answer.json()["is_active"] is False


def test_a_legacy_search_leaves_no_unused_refusal_import(tmp_path):
    root = tmp_path / "roster_root"
    files = {**FILES, "roster/main.py": MAIN.replace("from roster.routes import local, members", "from roster.routes "
                                                     "import members").split("    if ")[0] + "    return application\n"}
    files["roster/routes/members.py"] = MEMBERS.split('@router.post("/"')[0]  # the searching list route alone
    del files["roster/routes/local.py"]
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    write_phase(root, plan_phase(root, 1))
    handler = (root / "roster/handlers/market_handler.py").read_text()
    assert "async def list_users" in handler and "legacy_members.read_members" in handler
    assert "InvalidRequestError" not in handler  # the refusal the search made unnecessary imports nothing


CONFIG = '''from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file="../.env")

    environment: str = "local"
    local_router: bool = False


settings = Settings()
'''


@pytest.mark.parametrize("condition, extra, flags", [
    ('"ROSTER_LOCAL" in os.environ', {}, (True, False)),  # not known statically
    ('settings.environment == "local"', {}, (False, True)),  # the settings default
    ("settings.local_router", {".env": "LOCAL_ROUTER=true\n"}, (False, True)),  # the `.env` file next to the root
    ('os.getenv("ROSTER_LOCAL", "1") == "1"', {}, (False, True)),  # an environment default
])
def test_a_route_only_some_deployments_serve_is_not_the_operations_implementation(tmp_path, condition, extra,
                                                                                   flags):
    root = tmp_path / "svc" / "roster_root"
    main = MAIN.replace('"ROSTER_LOCAL" in os.environ', condition).replace(
        "import os\n", "import os\n\nfrom roster.config import settings\n")
    files = {**FILES, "roster/main.py": main, "roster/config.py": CONFIG}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for rel, text in extra.items():
        (root.parent / rel).write_text(text)
    report = analyze(root)
    private = next(r for r in report.plan.routes if r.path == "/api/private/users/")
    assert (private.conditional, private.configured) == flags
    assert private.verdict.status == "automatic"  # it moves, as a variant the standard method does not call
    write_phase(root, plan_phase(root, 1))
    handler = (root / "roster/handlers/market_handler.py").read_text()
    assert "legacy_members.create_member" in handler and "legacy_local" not in handler
