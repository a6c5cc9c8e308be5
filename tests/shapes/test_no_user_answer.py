"""An update route that answers a bare envelope (`{"code": 0, "msg": "updated"}`) carries no user at all: the reason
says so once, naming the fields, instead of repeating "no legacy field matches" for each field of the user. An
answer carrying part of the user keeps one reason per field it lacks. A small service written for this test."""

from __future__ import annotations

from migrator.planner import make_plan

SERVICE = '''
from fastapi import FastAPI, Header
from pydantic import BaseModel

app = FastAPI()
PEOPLE = {1: {"id": 1, "email": "ana@example.org"}}


class Changes(BaseModel):
    email: str | None = None


@app.put("/admin/users/{user_id}")
async def update_person(user_id: int, changes: Changes, x_tenant_id: str = Header(...)):
    if changes.email:
        PEOPLE[user_id]["email"] = changes.email
    return ANSWER
'''


def _update_reasons(tmp_path, answer: str) -> list[str]:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/main.py").write_text(SERVICE.replace("ANSWER", answer))
    [route] = [r for r in make_plan(tmp_path).plan.routes if r.operation == "update_user"]
    assert route.verdict.status == "manual"
    return [r.message for r in route.verdict.reasons]


def test_an_answer_without_a_user_is_one_reason(tmp_path):
    [reason] = _update_reasons(tmp_path, '{"code": 0, "msg": "updated"}')
    assert reason.startswith("`update_user` answers a user and the legacy answer carries no user: none of ")
    for field in ("`user_id`", "`email`", "`name`", "`status`", "`created_at`"):
        assert field in reason
    assert "no legacy field matches" not in reason


def test_an_answer_with_part_of_a_user_names_each_missing_field(tmp_path):
    reasons = _update_reasons(tmp_path, '{"id": user_id, "email": PEOPLE[user_id]["email"], "msg": "updated"}')
    assert len(reasons) >= 2 and not any("carries no user" in r for r in reasons)
    assert all(r.startswith("`update_user` needs `") for r in reasons)
