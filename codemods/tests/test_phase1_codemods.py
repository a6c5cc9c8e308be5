"""Phase 1's codemods on small services: before/after as data, and the generated handler as running code."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from codemods.tests.phase1_cases import CASES
from migrator.apply import plan_phase, write_phase
from migrator.journal import load_journal


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_phase_1_before_after(case, tmp_path):
    root = _write(tmp_path / "svc_root", case["files"])
    result = plan_phase(root, 1)
    changes = {c.path: c.new for c in result.changes if c.changed}
    for path, expected in case["after"].items():
        assert changes.get(path) == expected, path
    reasons = {step.route.split(" ", 1)[1]: step.reason for step in result.manual}
    assert set(reasons) == set(case["manual"])
    for path, fragment in case["manual"].items():
        assert fragment in reasons[path]
    write_phase(root, result)
    assert plan_phase(root, 1).changes == []  # a second run changes nothing


HANDLER_SERVICE = {
    "pyproject.toml": '[project]\nname = "svc"\nversion = "2.0.1"\n',
    "svc/__init__.py": "",
    "svc/auth.py": '''from fastapi import Header


def tenant_admin(x_tenant_id: str = Header(..., alias="X-Tenant-ID")) -> str:
    return x_tenant_id
''',
    "svc/main.py": "from fastapi import FastAPI\n\nfrom svc.users import router\n\napp = FastAPI()\n"
                   "app.include_router(router, prefix=\"/admin\")\n",
    "svc/users.py": '''from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from svc.auth import tenant_admin

router = APIRouter()
USERS = {1: {"id": 1, "username": "kim", "display_name": "Kim", "email": "kim@x.ac.kr", "is_active": True,
             "created_at": "2026-01-01T00:00:00", "last_login": None, "monthly_cost_usd": 0.0, "role": "admin"}}


class UserInfo(BaseModel):  # a legacy model whose name is also a standard one
    id: int


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    if tenant_id != "t1":
        raise HTTPException(404, "Tenant not found")
    if user_id not in USERS:
        raise HTTPException(404, "User not found")
    return dict(USERS[user_id])


@router.delete("/users/{user_id}")
def delete_user(user_id: int, tenant_id: str = Depends(tenant_admin)):
    UserInfo(id=user_id)  # validates
    USERS.pop(user_id, None)
    return {"message": "User deleted", "user_id": user_id}
''',
}


@pytest.fixture
def handler(tmp_path):
    root = _write(tmp_path / "svc_handler", HANDLER_SERVICE)
    result = plan_phase(root, 1)
    write_phase(root, result)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("svc.handlers.market_handler"), result, root
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "svc" or n.startswith("svc.")]:
            del sys.modules[name]


@pytest.mark.anyio
async def test_the_generated_handler_serves_the_moved_logic_and_answers_501_for_the_rest(handler):
    from shims.standard_api import NotImplementedOperationError, TenantNotFoundError, UserNotFoundError

    module, result, root = handler
    market = module.market_handler
    assert type(market).__name__ == "SvcMarketHandler" and market.service_version == "2.0.1"
    user = await market.get_user("t1", "1")
    assert (user.user_id, user.name, user.role.value, user.status.value) == ("1", "Kim", "admin", "active")
    with pytest.raises(UserNotFoundError):
        await market.get_user("t1", "2")
    with pytest.raises(UserNotFoundError):
        await market.get_user("t1", "not-a-number")
    with pytest.raises(TenantNotFoundError):
        await market.get_user("t2", "1")
    with pytest.raises(NotImplementedOperationError):
        await market.get_tenant_stats("t1", "30d")
    assert set(result.not_implemented) == {
        "activate_tenant", "deactivate_tenant", "get_tenant_status", "get_tenant_usage", "get_tenant_stats",
        "get_tenant_costs", "list_users", "create_user", "update_user", "get_settings"}
    assert "svc has no legacy logic" in result.not_implemented["get_settings"]
    code = (root / "svc/handlers/market_handler.py").read_text()
    assert "from svc.services import legacy_users" in code and "await legacy_users.get_user(" in code
    service = importlib.import_module("svc.services.legacy_users")
    assert service.delete_user(user_id=5, tenant_id="t1")["user_id"] == 5  # sync legacy logic stays sync
    deleted = await market.delete_user("t1", "1")  # ... and runs in the thread pool behind the standard API
    assert deleted.success is True and 1 not in service.USERS
    assert "await run_in_threadpool(\n                    legacy_users.delete_user,\n                    **inputs," in code
    # the tenant dependency is no auth: the handler obtains the id through it, as the route did
    assert "def _delete_user_inputs(*, tenant_id: str = Depends(tenant_admin)) -> None:" in code
    assert "class UserInfo(BaseModel)" in (root / "svc/services/legacy_users.py").read_text()
    assert load_journal(root).services == ["svc/services/legacy_users.py"]
