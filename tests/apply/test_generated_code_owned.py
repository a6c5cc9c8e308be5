"""Generated and edited code a maintainer owns: phase 3 deletes a service module it empties (and says what is left
in one it keeps), the app wiring of phases 1 and 2 fits the service's line length, and the generated modules pass
the rule families a service's own ruff configuration typically selects (E, W, F, I, B, C4, UP, ARG) at the Python
version the service targets."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from codemods._imports import ImportStyle
from codemods._wire_deprecation import wire_deprecation_router
from codemods.wire_standard_api import wire_app
from migrator.apply import plan_phase, write_phase

REPO = Path(__file__).resolve().parents[2]
PHASE2 = datetime(2026, 12, 9, 9, 30, tzinfo=timezone.utc)

# a single-tenant service: its "welcome" router (under /private) lists, creates and updates users, its users router
# suspends one (a variant of update_user); the handler calls the welcome router's logic, so nothing but the suspend
# route uses the users one's (a second route creating users would be a candidate, held: never removed)
_STORE = '''"""The users of the one tenant this service serves (in memory)."""

from pydantic import BaseModel


class UserPublic(BaseModel):
    id: int
    email: str
    full_name: str
    is_active: bool
    created_at: str


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


USERS = [UserPublic(id=1, email="ada@example.com", full_name="Ada", is_active=True, created_at="2026-01-02")]
'''
_USERS = '''from fastapi import APIRouter, HTTPException

from svc.store import USERS, UserPublic

router = APIRouter(prefix="/users")


@router.post("/{user_id}/suspend", response_model=UserPublic)
def suspend_user(user_id: int) -> UserPublic:
    for user in USERS:
        if user.id == user_id:
            user.is_active = False
            return user
    raise HTTPException(status_code=404, detail="no such user")
'''
_WELCOME = '''from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from svc.store import USERS, UserPublic, UsersPublic

router = APIRouter(prefix="/private")


class WelcomeUserCreate(BaseModel):
    email: str
    full_name: str


@router.get("/users/", response_model=UsersPublic)
def read_users(skip: int = 0, limit: int = 100) -> UsersPublic:
    return UsersPublic(data=USERS[skip : skip + limit], count=len(USERS))


@router.post("/users/", response_model=UserPublic)
def create_user(user_in: WelcomeUserCreate) -> UserPublic:
    user = UserPublic(id=len(USERS) + 1, is_active=False, created_at="2026-12-01", **user_in.model_dump())
    USERS.append(user)
    return user


class WelcomeUserUpdate(BaseModel):
    full_name: str | None = None


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(user_id: int, user_in: WelcomeUserUpdate) -> UserPublic:
    for user in USERS:
        if user.id == user_id:
            if user_in.full_name is not None:
                user.full_name = user_in.full_name
            return user
    raise HTTPException(status_code=404, detail="no such user")
'''
_MAIN = '''from fastapi import FastAPI

from svc.routers import users, welcome

app = FastAPI(title="svc")
app.include_router(users.router, prefix="/api/v1")
app.include_router(welcome.router, prefix="/api/v1")
'''
SERVICE = {
    "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n\n'
                      '[tool.migrator]\ntenant = "acme"\n',
    "svc/__init__.py": "", "svc/routers/__init__.py": "", "svc/store.py": _STORE, "svc/main.py": _MAIN,
    "svc/routers/users.py": _USERS, "svc/routers/welcome.py": _WELCOME,
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _phases(root: Path, *phases: int) -> None:
    for phase in phases:
        options = {"now": PHASE2} if phase == 2 else {"force": True} if phase == 3 else {}
        write_phase(root, plan_phase(root, phase, **options))


def test_phase3_deletes_the_service_module_it_empties(tmp_path):
    root = _write(tmp_path / "svc_repo", SERVICE)
    _phases(root, 1)
    emptied = root / "svc/services/legacy_users.py"
    handler = (root / "svc/handlers/market_handler.py").read_text(encoding="utf-8")
    assert emptied.is_file() and "legacy_users" not in handler and "legacy_welcome" in handler
    _phases(root, 2, 3)
    assert not emptied.exists()  # its only user, the users route, is gone: no module of a docstring alone
    journal = json.loads((root / ".migrator/journal.json").read_text(encoding="utf-8"))
    assert "svc/services/legacy_users.py" in journal["phases"][2]["details"]["deleted"]
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        assert "legacy_users" not in source, path
    # the module the handler still calls stays, and its docstring no longer says routes delegate to it
    kept = (root / "svc/services/legacy_welcome.py").read_text(encoding="utf-8")
    doc = " ".join(ast.get_docstring(ast.parse(kept)).split())
    assert doc.startswith("The logic of the legacy routes of `svc/routers/welcome.py`, which phase 3 removed.")
    assert "The Standard API handler (`svc.handlers.market_handler`) calls these functions" in doc
    assert "delegate" not in doc


def test_phase3_leaves_a_docstring_a_maintainer_rewrote(tmp_path):
    root = _write(tmp_path / "svc_repo", SERVICE)
    _phases(root, 1, 2)
    kept = root / "svc/services/legacy_welcome.py"
    source = kept.read_text(encoding="utf-8")
    kept.write_text('"""Our user store access."""' + source[source.index('"""', 3) + 3:], encoding="utf-8")
    _phases(root, 3)
    assert kept.read_text(encoding="utf-8").startswith('"""Our user store access."""\n')


# --- the app wiring at the service's line length ------------------------------------------------------------------

_APP = '''from fastapi import FastAPI

from svc.routers import users

app = FastAPI(title="svc")
app.include_router(users.router, prefix="/api/v1")
'''
_FACTORY = '''from fastapi import FastAPI

from svc.routers import users


def create_app() -> FastAPI:
    app = FastAPI(title="svc")
    app.include_router(users.router, prefix="/api/v1")
    return app
'''


def _style(tmp_path: Path, width: int) -> ImportStyle:
    (tmp_path / "pyproject.toml").write_text(f"[tool.ruff]\nline-length = {width}\n", encoding="utf-8")
    return ImportStyle.for_root(tmp_path)


def _statements(code: str) -> str:
    return ast.dump(ast.parse(code))


@pytest.mark.parametrize("width", [60, 79, 88, 100])
@pytest.mark.parametrize("factory", [None, "create_app"])
def test_wiring_of_phases_1_and_2_fits_the_line_length(tmp_path, width, factory):
    style = _style(tmp_path, width)
    source = _APP if factory is None else _FACTORY
    wired = wire_app(source, "app", "svc.handlers.market_handler", "market_handler", factory, style=style)
    wired = wire_deprecation_router(wired, style=style)
    body = wired[wired.index("app.include_router(users.router"):]  # the imports are the import sorter's
    assert max(len(line) for line in body.splitlines()) <= width, body
    assert "exclude_paths" in body and "create_deprecation_router()" in body
    # the same code as wired without a limit: only the layout differs
    wide = _style(tmp_path / "wide", 400) if (tmp_path / "wide").mkdir() is None else None
    loose = wire_deprecation_router(wire_app(source, "app", "svc.handlers.market_handler", "market_handler", factory,
                                             style=wide), style=wide)
    assert _statements(wired) == _statements(loose)


# --- the generated modules pass the usual rule families --------------------------------------------------------------

RULES = "E,W,F,I,B,C4,UP,ARG"
# FastAPI's `Depends()`/`Query()` defaults (copied from the legacy signatures) are its documented idiom: ruff's
# bugbear setting for them, as ruff's docs advise for FastAPI
FASTAPI_CALLS = "lint.flake8-bugbear.extend-immutable-calls=['fastapi.Depends', 'fastapi.Query', 'fastapi.Header']"


def _ruff(where: Path, *args: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--output-format",
                           "json", "--exit-zero", *args], cwd=where, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout or "[]")


def _new_findings(before: Path, after: Path, files: list[str], *args: str) -> list[str]:
    """Findings in `files` after a phase that the same line of the legacy code did not have (code + line text)."""
    def keyed(root: Path, names: list[str]) -> list[tuple[str, str, str]]:
        out = []
        for item in _ruff(root, *args, *names) if names else []:
            path = Path(item["filename"])
            text = path.read_text(encoding="utf-8").splitlines()[item["location"]["row"] - 1].strip()
            out.append((path.relative_to(root.resolve()).as_posix(), item["code"], text))
        return out

    seen = [(code, text) for _, code, text in keyed(before, [f for f in files if (before / f).is_file()])]
    new = []
    for path, code, text in keyed(after, files):
        if (code, text) in seen:
            seen.remove((code, text))
        else:
            new.append(f"{path} {code} {text}")
    return new


@pytest.mark.parametrize("name", sorted(p.parent.name for p in (REPO / "examples").glob("*/pyproject.toml")))
def test_generated_modules_pass_the_rule_families(name, tmp_path):
    before = tmp_path / "before" / name
    shutil.copytree(REPO / "examples" / name, before,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    after = tmp_path / "after" / name
    shutil.copytree(before, after)
    _phases(after, 1)
    args = ["--target-version", "py310", "--select", RULES, "--config", FASTAPI_CALLS]  # requires-python >= 3.10
    assert [f"{i['filename']}:{i['location']['row']} {i['code']} {i['message']}"
            for i in _ruff(after / name / "handlers", *args)] == []
    journal = json.loads((after / ".migrator/journal.json").read_text(encoding="utf-8"))
    _phases(after, 2)
    app = journal["app"]["file"]
    # the app module phases 1 and 2 edit: nothing the legacy module did not have (its own long lines stay its own)
    assert _new_findings(before, after, [app], *args) == []
