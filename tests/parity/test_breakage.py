"""Parity catches real breakage: behaviour changes injected, one at a time, into a copy of each example;
each run must exit 1 and name the exact JSON path, header or status of the change.

The changes are source edits found by their text anywhere in the copy's package, so the same table can be pointed
at a migrated copy (`apply --phase 1` moves logic into a handler module; the snippets travel with it): call
`assert_breakage_caught(cli, copy, name, breakage, phase=1)` with such a copy. An edit whose text is not found
fails with a clear message, so a migration that rewrote a snippet shows up rather than silently passing.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from parity_support import EXAMPLES, example_args


@dataclass(frozen=True)
class Breakage:
    name: str
    edits: tuple[tuple[str, str], ...]  # (old text, new text); each old text occurs exactly once in the package
    expect: tuple[tuple[str, str, str], ...]  # (exchange name, difference path, change)


BREAKAGES: dict[str, list[Breakage]] = {
    "advisor": [
        Breakage("off_by_one_count",
                 (('"total": users["total"],', '"total": users["total"] - 1,'),),
                 (("dashboard_seoul_national_university_101", "$.users.total", "changed"),)),
        Breakage("renamed_field",
                 (('"display_name": row["display_name"],', '"displayName": row["display_name"],'),),
                 (("users_page1_seoul_national_university_101", "$.users[0].display_name", "removed"),
                  ("users_page1_seoul_national_university_101", "$.users[0].displayName", "added"))),
        Breakage("changed_status_code",
                 (('raise HTTPException(status_code=409, detail="Username already exists")',
                   'raise HTTPException(status_code=400, detail="Username already exists")'),),
                 (("create_user_same_username", "status", "changed"),)),
        Breakage("dropped_header",
                 (('return {"status": "healthy"}',
                   'return __import__("fastapi").Response(content=b\'{"status":"healthy"}\')'),),
                 (("health", "header:content-type", "removed"),)),
        Breakage("leaked_password_hash",
                 (('role, is_active, created_at, last_login"',
                   'role, is_active, created_at, last_login, password_hash"'),
                  ('"role": row["role"],', '"role": row["role"], "password_hash": row["password_hash"],')),
                 (("users_page1_seoul_national_university_101", "$.users[0].password_hash", "added"),
                  ("user_2_seoul", "$.password_hash", "added"))),
    ],
    "llm_chatbot": [
        Breakage("off_by_one_count",
                 (('"total": users["total"],', '"total": users["total"] - 1,'),),
                 (("dashboard_yonsei_university_201", "$.users.total", "changed"),)),
        Breakage("renamed_field",  # the wire name changes through the response model, as a real refactor would
                 (("class UserOut(BaseModel):\n    id: int\n    username: str\n    display_name: str\n",
                   "class UserOut(BaseModel):\n    id: int\n    username: str\n"
                   "    display_name: str = Field(serialization_alias='name')\n"),),
                 (("users_page1_yonsei_university_201", "$.users[0].display_name", "removed"),
                  ("users_page1_yonsei_university_201", "$.users[0].name", "added"))),
        Breakage("changed_status_code",
                 (('raise HTTPException(409, "Username already exists")',
                   'raise HTTPException(400, "Username already exists")'),),
                 (("create_user_same_username", "status", "changed"),)),
        Breakage("dropped_header",
                 (('return {"status": "healthy", "service": "llm-chatbot", "version": __version__}',
                   'return __import__("fastapi").Response(content=__import__("json").dumps({"status": "healthy", '
                   '"service": "llm-chatbot", "version": __version__}))'),),
                 (("health", "header:content-type", "removed"),)),
        Breakage("leaked_password_hash",
                 (('USER_COLUMNS = "id, username, display_name, email, is_active, created_at, last_login, role"',
                   'USER_COLUMNS = "id, username, display_name, email, is_active, created_at, last_login, role, '
                   'password_hash"'),
                  ("class UserOut(BaseModel):\n", "class UserOut(BaseModel):\n    password_hash: str | None = None\n")),
                 (("users_page1_yonsei_university_201", "$.users[1].password_hash", "added"),
                  ("user_3_after_update", "$.password_hash", "added"))),
    ],
    "mentor": [
        Breakage("off_by_one_count",
                 (('"admin_count": users["admin_count"],', '"admin_count": users["admin_count"] - 1,'),),
                 (("dashboard", "$.admin_count", "changed"),)),
        Breakage("renamed_field",  # through the response model the ORM rows are returned with
                 (("    is_admin: bool\n    is_active: bool\n    created_at: datetime\n",
                   "    is_admin: bool = Field(serialization_alias='admin')\n    is_active: bool\n"
                   "    created_at: datetime\n"),),
                 (("users_default", "$.items[0].is_admin", "removed"),
                  ("users_default", "$.items[0].admin", "added"))),
        Breakage("changed_status_code",
                 (("status_code=status.HTTP_409_CONFLICT, detail=message",
                   "status_code=status.HTTP_400_BAD_REQUEST, detail=message"),),
                 (("create_user_same_username", "status", "changed"),)),
    ],
    "classroom": [
        Breakage("off_by_one_count",
                 (("total=sum(row[2] for row in rows),", "total=sum(row[2] for row in rows) - 1,"),),
                 (("overview_tenant_1", "$.users.total", "changed"),)),
        Breakage("renamed_field",  # a camelCase alias changed by hand
                 (("    active_in_period: int\n", "    active_in_period: int = Field(alias='activeNow')\n"),),
                 (("overview_tenant_1", "$.users.activeInPeriod", "removed"),
                  ("overview_tenant_1", "$.users.activeNow", "added"))),
        Breakage("changed_status_code",  # one domain error class answers for every "not found"
                 (('status_code, code = 404, "not_found"', 'status_code, code = 410, "not_found"'),),
                 (("user_unknown", "status", "changed"), ("users_unknown_tenant", "status", "changed"))),
    ],
}


def copy_example(name: str, target: Path) -> Path:
    folder = EXAMPLES[name][0]
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__", "data", "*.db", ".pytest_cache"))
    return target


def inject(copy: Path, package: str, breakage: Breakage) -> None:
    for old, new in breakage.edits:
        hits = [(p, p.read_text(encoding="utf-8")) for p in sorted((copy / package).rglob("*.py"))]
        hits = [(p, text) for p, text in hits if old in text]
        assert len(hits) == 1 and hits[0][1].count(old) == 1, (
            f"{breakage.name}: expected the snippet exactly once in {copy / package}, found it in "
            f"{[str(p.relative_to(copy)) for p, _ in hits]}: {old!r}")
        path, text = hits[0]
        path.write_text(text.replace(old, new), encoding="utf-8")


def assert_breakage_caught(cli, copy: Path, name: str, breakage: Breakage, phase: int | None = None) -> dict:
    """Replay the example's committed cassette against ``copy`` (already broken) and check the report."""
    cassette = EXAMPLES[name][0] / "parity" / "cassette.jsonl"
    args = example_args(name)
    args[args.index("--repo") + 1] = str(copy)
    if phase is not None:
        args += ["--phase", str(phase)]
    result = cli("parity", "-c", cassette, "--format", "json", "--no-noise", *args)
    assert result.exit_code == 1, f"{breakage.name} was not caught:\n{result.output[:2000]}"
    report = json.loads(result.output)
    found = {(r["name"], d["path"], d["change"]) for r in report["results"] if r["outcome"] == "failed"
             for d in r["differences"]}
    for expected in breakage.expect:
        assert expected in found, f"{breakage.name}: {expected} not reported; got {sorted(found)[:20]}"
    return report


CASES = [(name, breakage) for name in sorted(BREAKAGES) for breakage in BREAKAGES[name]]


@pytest.mark.parametrize("name, breakage", CASES, ids=[f"{n}-{b.name}" for n, b in CASES])
def test_injected_breakage_is_caught_with_its_exact_path(cli, tmp_path, name, breakage):
    copy = copy_example(name, tmp_path / name)
    inject(copy, EXAMPLES[name][1], breakage)
    report = assert_breakage_caught(cli, copy, name, breakage)
    # The change shows where it is and nowhere else it cannot reach: the unrelated health check still passes
    # (unless it is the breakage).
    health = [r for r in report["results"] if r["name"] == "health"]
    assert health and (health[0]["outcome"] == "passed") is (breakage.name != "dropped_header")


def test_an_unchanged_copy_passes(cli, tmp_path):
    """The control: the same copy procedure without an edit is clean (so the failures above come from the edits)."""
    copy = copy_example("advisor", tmp_path / "advisor")
    cassette = EXAMPLES["advisor"][0] / "parity" / "cassette.jsonl"
    args = example_args("advisor")
    args[args.index("--repo") + 1] = str(copy)
    result = cli("parity", "-c", cassette, *args)
    assert result.exit_code == 0, result.output
