"""migrator.conformance.shapes: exact key sets and strict JSON types, with JSONPath-like problem messages."""

from __future__ import annotations

from typing import Literal, Optional

import pytest
from pydantic import BaseModel

from migrator.conformance.shapes import shape_problems
from shims.standard_api.models import StatsResponse, StatsSummary, TenantSummary, UserInfo, UsersListResponse


def _user(**changes):
    user = {
        "user_id": "user_1", "email": "a@b.c", "name": "A", "role": "admin", "status": "active",
        "created_at": "2026-01-01T00:00:00Z", "last_login": None, "usage": {"sessions": 1, "messages": 2, "tokens": 3},
    }  # fmt: skip
    user.update(changes)
    return user


def test_an_exact_document_has_no_problems():
    assert shape_problems(_user(), UserInfo) == []
    assert shape_problems(StatsResponse(tenant_id="t", period="7d", summary=StatsSummary()).model_dump(), StatsResponse) == []


@pytest.mark.parametrize(
    "document,problem",
    [
        ({k: v for k, v in _user().items() if k != "email"}, "missing field $.email"),
        (_user(extra=1), "unexpected field $.extra"),
        (_user(user_id=1), "wrong type $.user_id: expected str, got int"),
        (_user(role="owner"), "wrong value $.role: expected 'admin' | 'instructor' | 'moderator' | 'user', got 'owner'"),
        (_user(last_login=5), "wrong type $.last_login: expected str | null, got int"),
        (_user(usage={"sessions": "1", "messages": 2, "tokens": 3}), "wrong type $.usage.sessions: expected int, got str"),
        (_user(usage={"sessions": True, "messages": 2, "tokens": 3}), "wrong type $.usage.sessions: expected int, got bool"),
        (_user(usage=[]), "wrong type $.usage: expected object | null, got array"),
        (_user(name=None), "wrong type $.name: expected str, got null"),
    ],
)
def test_each_kind_of_problem_is_named_precisely(document, problem):
    assert shape_problems(document, UserInfo) == [problem]


def test_problems_inside_lists_carry_the_index():
    page = {"tenant_id": "t", "total": 2, "limit": 20, "offset": 0, "users": [_user(), _user(status="gone")]}
    assert shape_problems(page, UsersListResponse) == [
        "wrong value $.users[1].status: expected 'active' | 'inactive' | 'suspended' | 'pending', got 'gone'"
    ]
    page["users"] = {"0": _user()}
    assert shape_problems(page, UsersListResponse) == ["wrong type $.users: expected array, got object"]


def test_dict_values_and_floats():
    stats = StatsResponse(tenant_id="t", period="30d", summary=StatsSummary()).model_dump()
    stats["summary"]["estimated_cost_usd"] = 3  # an integral JSON number is a valid float
    stats["trends"] = {"daily": [{"date": "2026-01-01", "users": 1, "messages": 2, "tokens": 3.5}]}
    assert shape_problems(stats, StatsResponse) == ["wrong type $.trends.daily[0].tokens: expected int, got float"]
    stats["summary"]["estimated_cost_usd"] = "3.0"
    assert "wrong type $.summary.estimated_cost_usd: expected float, got str" in shape_problems(stats, StatsResponse)


def test_a_non_object_body_is_one_problem():
    assert shape_problems([1, 2], UserInfo) == ["wrong type $: expected object, got array"]


def test_models_that_allow_extra_keys_accept_them():
    summary = {"tenant_id": "t", "university_name": None, "email": None, "status": "active", "created_at": None,
               "users_count": 1, "active_users": None, "plan": "basic"}  # fmt: skip
    assert shape_problems(summary, TenantSummary) == []


def test_literals_and_optional_models():
    class Inner(BaseModel):
        n: int

    class Outer(BaseModel):
        kind: Literal["a", "b"]
        inner: Optional[Inner] = None

    assert shape_problems({"kind": "a", "inner": None}, Outer) == []
    assert shape_problems({"kind": "c", "inner": {"n": 1}}, Outer) == ["wrong value $.kind: expected 'a' | 'b', got 'c'"]
    assert shape_problems({"kind": "a", "inner": {}}, Outer) == ["missing field $.inner.n"]
