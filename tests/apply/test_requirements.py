"""Where phase 1 declares the `migrator-shims` runtime (a Poetry project included), and the pydantic-1 and old FastAPI
pins that block the plan because that runtime needs pydantic 2 and FastAPI >= 0.110."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit

from migrator.analyze import analyze
from migrator.apply.requirements import fastapi_below, locate, pydantic_one, requirement_change

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
                        "(migrator-shims) needs pydantic >= 2.5: move the service to pydantic 2 first",
                        "the service pins FastAPI below 0.110 (pyproject.toml: fastapi<0.100) and the Standard API "
                        "runtime (migrator-shims) needs fastapi >= 0.110: upgrade FastAPI to 0.110 or later first"]
    ok = _repo(tmp_path / "two", {"pyproject.toml": POETRY.format(pydantic='"^2.5"'), "svc/__init__.py": "",
                                  "svc/main.py": APP})
    assert analyze(ok).plan.blockers == []


@pytest.mark.parametrize("line, pinned", [
    ("fastapi==0.65.2", True), ("fastapi[all]==0.99.1", True), ("fastapi<0.100", True), ("fastapi<0.110.0", True),
    ("fastapi>=0.60,<0.100", True), ("fastapi~=0.95.1", True), ("fastapi==0.109.*", True),
    ("fastapi>=0.65", False), ("fastapi~=0.65", False), ("fastapi==0.115.0", False), ("fastapi<=0.110", False),
    ("fastapi", False), ("fastapi-utils==0.2.1", False),
])
def test_a_requirements_pin_of_fastapi_below_the_runtime_is_found(tmp_path, line, pinned):
    root = _repo(tmp_path, {"requirements.txt": f"sqlalchemy==1.3.19\n{line}\n"})
    found = fastapi_below(root)
    assert found == (f"requirements.txt: {line}" if pinned else None)


@pytest.mark.parametrize("spec, pinned", [
    ('"^0.98.0"', True), ('"0.95.2"', True), ('"~0.99"', True), ('{version = "^0.100", extras = ["all"]}', True),
    ('"^0.110"', False), ('">=0.95"', False), ('"*"', False), ('"^1.0"', False),
])
def test_a_poetry_pin_of_fastapi_below_the_runtime_is_found(tmp_path, spec, pinned):
    text = POETRY.format(pydantic='"^2.5"').replace('fastapi = "^0.110"', f"fastapi = {spec}")
    found = fastapi_below(_repo(tmp_path, {"pyproject.toml": text}))
    assert (found is not None) == pinned


def test_a_service_pinning_an_old_fastapi_alone_is_blocked_and_phase_1_writes_nothing(tmp_path):
    """No pydantic pin at all: FastAPI 0.65 brings pydantic 1 itself, and pip cannot install the runtime beside it."""
    from typer.testing import CliRunner

    from migrator.cli import app as cli

    pins = "alembic==1.4.3\nfastapi==0.65.2\nSQLAlchemy==1.3.19"  # no newline at the end, as such files often are
    root = _repo(tmp_path, {"requirements.txt": pins, "pyproject.toml": '[tool.black]\nline-length = 80\n\n'
                            '[tool.migrator]\ntenant = "acme"\n', "svc/__init__.py": "", "svc/main.py": APP})
    assert analyze(root).plan.blockers == [
        "the service pins FastAPI below 0.110 (requirements.txt: fastapi==0.65.2) and the Standard API runtime "
        "(migrator-shims) needs fastapi >= 0.110: upgrade FastAPI to 0.110 or later first"]
    before = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    result = CliRunner().invoke(cli, ["apply", "--phase", "1", str(root)])
    assert result.exit_code != 0, result.output
    assert "FastAPI below 0.110" in result.output
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == before
    assert (root / "requirements.txt").read_text() == pins


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
