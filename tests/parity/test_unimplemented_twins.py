"""A legacy read whose standard operation was left to a person in phase 1 (it answers 501 NOT_IMPLEMENTED) gets
no standard twin: parity says why instead of failing on the 501, or on an answer mapping that was never generated.
A read of a moved operation keeps its twin."""

from __future__ import annotations

import json

from parity_support import forget

from migrator.apply import plan_phase, write_phase

MAIN = '''from fastapi import Depends, FastAPI, Header, HTTPException

app = FastAPI()
USERS = {
    1: {"id": 1, "username": "kim", "email": "kim@example.org", "is_active": True, "created_at": "2026-01-05T09:00:00"},
    2: {"id": 2, "username": "lee", "email": "lee@example.org", "is_active": False,
        "created_at": "2026-01-06T09:00:00"},
}


class Caller:
    def __init__(self, user_id: int, admin: bool) -> None:
        self.user_id, self.admin = user_id, admin


def caller(authorization: str = Header(...)) -> Caller:
    if authorization != "Bearer letmein":
        raise HTTPException(status_code=401, detail="Not authenticated")
    return Caller(1, True)


@app.get("/admin/users")
def list_users(who: Caller = Depends(caller)):
    rows = [{"id": row["id"], "username": row["username"], "email": row["email"], "is_active": row["is_active"],
             "created_at": row["created_at"]} for row in USERS.values()]
    return {"users": rows, "total": len(rows)}


@app.get("/admin/users/{user_id}")
def get_user(user_id: int, who: Caller = Depends(caller)):
    if not who.admin and who.user_id != user_id:
        raise HTTPException(status_code=403, detail="Not yours")
    if user_id not in USERS:
        raise HTTPException(status_code=404, detail="User not found")
    return USERS[user_id]
'''

REQUESTS = '''version: 1
credentials:
  token:
    description: the caller's bearer token
    default: letmein
requests:
- name: list_users
  path: /admin/users
  headers:
    Authorization: Bearer ${token}
  expect: 200
- name: get_user
  path: /admin/users/2
  headers:
    Authorization: Bearer ${token}
  expect: 200
- name: get_user_unknown
  path: /admin/users/9
  headers:
    Authorization: Bearer ${token}
  expect: 404
'''

PYPROJECT = '''[project]
name = "half"
version = "1.0.0"
dependencies = ["fastapi>=0.110"]

[tool.migrator]
app = "svc.main:app"
tenant = "t1"
'''


def test_reads_of_an_operation_left_to_a_person_get_no_twin(cli, tmp_path, monkeypatch):
    root = tmp_path / "half"
    for rel, text in {"pyproject.toml": PYPROJECT, "svc/__init__.py": "", "svc/main.py": MAIN,
                      "parity/requests.yaml": REQUESTS}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    monkeypatch.setenv("MARKET_API_KEY", "k")
    cassette = root / "parity" / "cassette.jsonl"
    forget("svc")
    recorded = cli("record", "-r", root / "parity/requests.yaml", "-o", cassette, "--app", "svc.main:app",
                   "--repo", root, "--no-reset")
    assert recorded.exit_code == 0, recorded.output
    write_phase(root, plan_phase(root, 1))
    states = {r["path"]: r["state"] for r in json.loads((root / ".migrator/journal.json").read_text())["routes"]}
    assert states == {"/admin/users": "moved", "/admin/users/{user_id}": "manual"}  # `who.admin`: a person's job
    forget("svc")
    report = tmp_path / "report.json"
    replayed = cli("parity", "-c", cassette, "--app", "svc.main:app", "--repo", root, "--no-reset",
                   "--market-key", "k", "-f", "json", "-o", report)
    forget("svc")
    assert replayed.exit_code == 0, replayed.output + report.read_text()
    data = json.loads(report.read_text())
    assert [(r["route"], r["passed"], r["failed"]) for r in data["routes"]] == [
        ("GET /admin/users", 1, 0), ("GET /admin/users/{user_id}", 2, 0),
        ("GET /mt/tenant/{tenant_id}/users", 1, 0)]  # the moved list keeps its twin; get_user's reads have none
    assert any("no standard twin for 2 exchange(s): its standard operation answers 501" in note
               for note in data["notes"]), data["notes"]
