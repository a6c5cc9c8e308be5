"""The generated handler module: standard methods over moved legacy methods, 501 where there is no logic."""

import textwrap
import types

import pytest

from codemods._handler_module import HandlerSpec, build_handler_module
from codemods._standard_methods import Operation
from codemods.extract_handler import HandlerExtraction, MoveRequest

ROUTER = '''
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from svc.auth import verify

router = APIRouter()
USERS = {1: {"id": 1, "username": "kim", "display_name": "Kim", "email": "kim@x.ac.kr", "is_active": True,
             "created_at": "2026-01-01T00:00:00", "last_login": None, "monthly_cost_usd": 0.0, "role": "admin"}}


class UserInfo(BaseModel):  # a legacy model whose name collides with a standard one
    id: int


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(verify)):
    if tenant_id != "t1":
        raise HTTPException(404, "Tenant not found")
    if user_id not in USERS:
        raise HTTPException(404, "User not found")
    return dict(USERS[user_id])


@router.get("/info")
def info(tenant_id: str = Depends(verify)) -> UserInfo:
    return UserInfo(id=len(USERS))
'''


def _build():
    extraction = HandlerExtraction("svc.handlers.market_handler", "market_handler", {"SvcMarketHandler"})
    extraction.add_module("svc/routers/users.py", textwrap.dedent(ROUTER).lstrip(), [
        MoveRequest("get_user", "legacy_get_user", "tenant_id", "/users/{user_id}"),
        MoveRequest("info", "legacy_info", "tenant_id", "/info"),
    ])
    extraction.plan()
    get_user = next(mv for mv in extraction.moved if mv.function == "get_user")
    spec = HandlerSpec(service="svc", class_name="SvcMarketHandler", instance="market_handler",
                       service_version="2.0.1", module="svc.handlers.market_handler", first_party={"svc"},
                       operations={"get_user": Operation("get_user", routes={None: get_user})})
    return build_handler_module(spec, extraction)


def _load(code: str):
    module = types.ModuleType("svc_handler_under_test")
    exec(compile(code, "market_handler.py", "exec"), module.__dict__)
    return module


def test_missing_abstract_operations_answer_501_and_are_listed():
    built = _build()
    assert built.implemented == ["get_user"]
    assert set(built.not_implemented) == {
        "activate_tenant", "deactivate_tenant", "get_tenant_status", "get_tenant_usage", "get_tenant_stats",
        "get_tenant_costs", "list_users", "create_user", "update_user", "delete_user", "get_settings",
    }
    assert "svc has no legacy logic" in built.not_implemented["get_settings"]


def test_a_standard_name_taken_by_moved_code_is_imported_under_an_alias():
    code = _build().code
    assert "UserInfo as StandardUserInfo" in code
    assert "class UserInfo(BaseModel):" in code
    assert "-> StandardUserInfo:" in code


@pytest.mark.anyio
async def test_the_generated_handler_instantiates_and_serves_the_moved_logic():
    from shims.standard_api import NotImplementedOperationError, TenantNotFoundError, UserNotFoundError

    module = _load(_build().code)
    handler = module.market_handler
    assert type(handler).__name__ == "SvcMarketHandler" and handler.service_version == "2.0.1"
    user = await handler.get_user("t1", "1")
    assert (user.user_id, user.name, user.role.value, user.status.value) == ("1", "Kim", "admin", "active")
    with pytest.raises(UserNotFoundError):
        await handler.get_user("t1", "2")
    with pytest.raises(UserNotFoundError):
        await handler.get_user("t1", "not-a-number")
    with pytest.raises(TenantNotFoundError):
        await handler.get_user("t2", "1")
    with pytest.raises(NotImplementedOperationError):
        await handler.get_tenant_stats("t1", "30d")
    assert handler.legacy_info(tenant_id="t1").id == 1  # sync legacy logic stays sync
