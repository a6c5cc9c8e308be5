"""Where phase 1 declares the `migrator-shims` runtime (a Poetry project included), and the pydantic-1 pin that
blocks the plan because that runtime needs pydantic 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit

from migrator.analyze import analyze
from migrator.apply.requirements import locate, pydantic_one, requirement_change

APP = '''from fastapi import FastAPI, Header

app = FastAPI()


@app.get("/admin/users/{user_id}")
def get_user(user_id: int, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
    return {"id": user_id, "email": "a@example.org", "username": "a", "is_active": True,
            "created_at": "2026-01-01T00:00:00"}
'''

POETRY = '''[tool.poetry]
name = "svc"
version = "1.0.0"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.110"
pydantic = {pydantic}
'''


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize("spec, pinned", [
    ('"^1.10.4"', True), ('"~1.10"', True), ('"1.10.13"', True), ('{version = "^1.8", extras = ["email"]}', True),
    ('"^2.5"', False), ('">=1.10"', False), ('"*"', False), ('{version = ">=2"}', False),
])
def test_a_poetry_pin_of_pydantic_1_is_found(tmp_path, spec, pinned):
    root = _repo(tmp_path, {"pyproject.toml": POETRY.format(pydantic=spec)})
    found = pydantic_one(root)
    assert (found is not None) == pinned
    if pinned:
        assert found.startswith("pyproject.toml: pydantic = ")


@pytest.mark.parametrize("line, pinned", [
    ("pydantic==1.10.19", True), ("pydantic>=1.8,<2", True), ("pydantic[email]~=1.10  # old", True),
    ("pydantic<2.0.0", True), ("pydantic<=1.10", True), ("pydantic>=2.5", False), ("pydantic<2.1", False),
    ("pydantic-settings==1.2", False), ("pydantic>=1.8", False),
])
def test_a_requirements_pin_of_pydantic_1_is_found(tmp_path, line, pinned):
    root = _repo(tmp_path, {"requirements.txt": f"fastapi>=0.110\n{line}\n"})
    found = pydantic_one(root)
    assert (found is not None) == pinned
    if pinned:
        assert found == f"requirements.txt: {line.split('#')[0].strip()}"


def test_a_pydantic_1_service_is_blocked_with_the_pin_named(tmp_path):
    root = _repo(tmp_path, {"pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'
                                              'dependencies = ["fastapi<0.100", "pydantic>=1.10,<2"]\n',
                            "svc/__init__.py": "", "svc/main.py": APP})
    blockers = analyze(root).plan.blockers
    assert blockers == ["the service runs pydantic 1 (pyproject.toml: pydantic>=1.10,<2) and the Standard API runtime "
                        "(migrator-shims) needs pydantic >= 2.5: move the service to pydantic 2 first"]
    ok = _repo(tmp_path / "two", {"pyproject.toml": POETRY.format(pydantic='"^2.5"'), "svc/__init__.py": "",
                                  "svc/main.py": APP})
    assert analyze(ok).plan.blockers == []


def test_a_poetry_project_declares_the_runtime_in_its_poetry_dependencies(tmp_path):
    root = _repo(tmp_path, {"pyproject.toml": POETRY.format(pydantic='"^2.5"') + "# kept\n"})
    plan = locate(root)
    assert (plan.file, plan.poetry, plan.present) == ("pyproject.toml", True, False)
    change = requirement_change(root, plan)
    document = tomlkit.parse(change.new)
    assert document["tool"]["poetry"]["dependencies"]["migrator-shims"] == ">=0.2"
    assert "project" not in document and "# kept\n" in change.new  # comments stay
    (root / "pyproject.toml").write_text(change.new)
    assert locate(root).present is True  # declared once
