"""A service whose modules import each other relatively (`from ..core import db`) runs under more than one import
root: its tests import `src.app.main` from the repository, its deployment `app.main` from `src` (FastAPI-boilerplate's
docker image mounts only `src/app`). What phase 1 writes must run under both: the handler and the service modules go
inside the app's folder and import the service's modules relatively. A service importing by absolute name keeps
today's layout and absolute imports (the examples)."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from codemods._imports import relative_module
from migrator.apply import plan_phase, write_phase

_DB = '''"""The users of the one tenant (in memory)."""

from pydantic import BaseModel


class UserRead(BaseModel):
    id: int
    username: str
    name: str
    email: str
    is_active: bool
    is_superuser: bool
    created_at: str


USERS = {"ada": UserRead(id=1, username="ada", name="Ada", email="ada@example.com", is_active=True,
                         is_superuser=False, created_at="2026-01-02T00:00:00Z")}
'''
_USERS = '''from fastapi import APIRouter, HTTPException

from ...core.db import USERS, UserRead

router = APIRouter(tags=["users"])


@router.get("/user/{username}", response_model=UserRead)
async def read_user(username: str) -> UserRead:
    user = USERS.get(username)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user
'''
_V1 = '''from fastapi import APIRouter

from .users import router as users_router

router = APIRouter(prefix="/v1")
router.include_router(users_router)
'''
_MAIN = '''from fastapi import FastAPI

from .api.v1 import router

app = FastAPI(title="boiler")
app.include_router(router, prefix="/api")
'''
SERVICE = {
    "pyproject.toml": '[project]\nname = "boiler"\nversion = "0.3.0"\n\n[tool.migrator]\ntenant = "default"\n',
    "src/__init__.py": "", "src/app/__init__.py": "", "src/app/core/__init__.py": "", "src/app/core/db.py": _DB,
    "src/app/api/__init__.py": "", "src/app/api/v1/__init__.py": _V1, "src/app/api/v1/users.py": _USERS,
    "src/app/main.py": _MAIN,
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def forget_modules():
    yield
    for name in [n for n in sys.modules if n.split(".")[0] in ("src", "app")]:
        del sys.modules[name]


def _app_under(root: Path, module: str):
    for name in [n for n in sys.modules if n.split(".")[0] in ("src", "app")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(module).app
    finally:
        sys.path.remove(str(root))


def test_relative_module_counts_the_dots_from_the_importing_package():
    assert relative_module("src.app.core.db", "src.app.services", "src.app") == (2, "core.db")
    assert relative_module("src.app.services", "src.app.handlers", "src.app") == (2, "services")
    assert relative_module("src.app.handlers.legacy_shapes", "src.app.handlers", "src.app") == (1, "legacy_shapes")
    assert relative_module("src.app.handlers", "src.app.handlers", "src.app") == (1, "")
    assert relative_module("shims.adapters", "src.app.handlers", "src.app") is None  # outside the service
    assert relative_module("src.tools", "src.app.handlers", "src.app") is None  # above its folder


def test_phase1_writes_inside_the_app_folder_with_relative_imports(tmp_path, forget_modules, monkeypatch):
    root = _write(tmp_path / "boiler", SERVICE)
    result = plan_phase(root, 1)
    write_phase(root, result)
    handler = root / "src/app/handlers/market_handler.py"
    service = root / "src/app/services/legacy_users.py"
    assert handler.is_file() and service.is_file() and not (root / "src/handlers").exists()
    for path in [handler, service, root / "src/app/main.py", root / "src/app/api/v1/users.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("src")]
        assert own == [], f"{path}: absolute imports of the service's own modules"
    assert "from ..services import legacy_users" in handler.read_text(encoding="utf-8")
    assert plan_phase(root, 1).changes == []  # a second run changes nothing
    monkeypatch.setenv("MARKET_API_KEY", "k")
    for where, module in [(root, "src.app.main"), (root / "src", "app.main")]:  # tests' root, deployment's root
        with TestClient(_app_under(where, module)) as client:
            standard = client.get("/mt/tenant/default/users/ada", headers={"X-Market-API-Key": "k"})
            legacy = client.get("/api/v1/user/ada")
        assert standard.status_code == 200, (module, standard.text)
        assert standard.json()["email"] == legacy.json()["email"] == "ada@example.com"
        assert standard.json()["user_id"] == "ada"  # the key the legacy route takes


def test_a_service_importing_by_absolute_name_keeps_its_layout(tmp_path, forget_modules):
    files = {rel: text.replace("from ...core.db import", "from src.app.core.db import")
             .replace("from .users import", "from src.app.api.v1.users import")
             .replace("from .api.v1 import", "from src.app.api.v1 import") for rel, text in SERVICE.items()}
    root = _write(tmp_path / "boiler", files)
    write_phase(root, plan_phase(root, 1))
    handler = root / "src/handlers/market_handler.py"
    assert handler.is_file()
    assert "from src.services import legacy_users" in handler.read_text(encoding="utf-8")
