"""`fit_module`: a generated module fitted to the service's line length keeps its code (the syntax tree without
docstrings), the words of its comments and docstrings in their order, and each rule does what it says."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import libcst as cst
import pytest

from codemods._fit import fit_module
from migrator.testing.syntax import code_only

REPO = Path(__file__).resolve().parents[2]
# real modules with long signatures, calls, dict displays, comments and docstrings (the rules are not specific to
# the generated handler)
CORPUS = ["codemods/_format.py", "migrator/shapes/render.py", "shims/standard_api/router.py",
          "migrator/conformance/suite.py", "shims/compat/service_market.py"]


def _comment_words(text: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [word for t in tokens if t.type == tokenize.COMMENT for word in t.string.lstrip("#:").split()]


def _docstring_words(text: str) -> list[str]:
    return [word for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            for word in (ast.get_docstring(node, clean=False) or "").split()]


def _fit(text: str, width: int) -> str:
    return fit_module(cst.parse_module(text), width).code


@pytest.mark.parametrize("width", [60, 88])
@pytest.mark.parametrize("path", CORPUS)
def test_fitting_keeps_the_code_and_the_words(path, width):
    text = (REPO / path).read_text(encoding="utf-8")
    fitted = _fit(text, width)
    assert code_only(fitted) == code_only(text)
    assert _comment_words(fitted) == _comment_words(text)
    assert _docstring_words(fitted) == _docstring_words(text)
    longer = sum(len(line) > width for line in text.splitlines())
    assert sum(len(line) > width for line in fitted.splitlines()) < longer / 2  # most long lines now fit


SOURCE = '''\
"""A module docstring whose one paragraph is much longer than the narrow width the test asks for here."""

#: a comment on a constant that is too long for the width and is wrapped as one paragraph
COLUMNS = ("tenant_id", "status", "email", "plan", "features", "created_at")


class Handler:
    async def deactivate(self, tenant_id: str, request: Request, reason: str) -> Response:
        await self.status(tenant_id)  # an unknown tenant: 404 TENANT_NOT_FOUND
        if request is not None:  # only its own contact reactivates it, when it is not active
            result = await legacy.request_demo(payload=legacy.DemoRequest(**payload))
        return {
            "tenant_id": tenant_id,
            "features": json.loads(row["features"]) if row["features"] else None,  # stored as JSON
        }


def inputs(*, q: str = Query(None, max_length=100, description="part of the name")) -> None:
    conn.execute("UPDATE tenants SET status = ?, updated_at = ? WHERE tenant_id = ?", (status, tenant_id))
'''


def test_each_rule_on_a_small_module():
    fitted = _fit(SOURCE, 72)
    assert [line for line in fitted.splitlines() if len(line) > 72] == []
    assert code_only(fitted) == code_only(SOURCE)
    lines = [line.strip() for line in fitted.splitlines()]
    # a trailing comment too long with its line goes above it, also on a dict item and an `if` header
    assert lines[lines.index("await self.status(tenant_id)") - 1] == "# an unknown tenant: 404 TENANT_NOT_FOUND"
    assert lines[lines.index("if request is not None:") - 1] == (
        "# only its own contact reactivates it, when it is not active")
    assert lines[lines.index('"features": (') - 1] == "# stored as JSON"  # and the value in parentheses
    # a long signature one parameter a line; a default call still too long one argument a line
    assert "async def deactivate(" in lines and "reason: str," in lines and ") -> Response:" in lines
    assert "q: str = Query(" in lines and "max_length=100," in lines
    # a one-argument call broken after its parenthesis; a tuple one item a line
    assert "result = await legacy.request_demo(" in lines and "payload=legacy.DemoRequest(**payload)," in lines
    assert "COLUMNS = (" in lines and '"tenant_id",' in lines
    # a comment paragraph is rewrapped with its marker; a long string split into adjacent literals
    assert [line for line in lines if line.startswith("#")][:2] == [
        "#: a comment on a constant that is too long for the width and is wrapped", "#: as one paragraph"]
    assert '"UPDATE tenants SET status = ?, updated_at = ? WHERE "' in lines


def test_what_fits_is_left_as_it_is():
    assert _fit(SOURCE, 200) == SOURCE


def test_pragmas_stay_on_their_line():
    source = "x = call(argument_one, argument_two, argument_three)  # noqa: E501\n"
    assert "# noqa: E501" in _fit(source, 40).splitlines()[-1]


DECORATED = '''\
@router.get("/dashboard/usage-patterns", response_model=UsagePatterns, deprecated=True, dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/tenant/{tenant_id}/stats/usage-patterns"))])
@deprecated(reason="Use GET /mt/tenant/{tenant_id}/stats/top-users instead", version="1.4.2")
async def get_usage_patterns(days: int, tenant_id: str):
    return await legacy_dashboard.get_usage_patterns(days=days, tenant_id=tenant_id, db=db)


class Routes:
    @router.get("/top-users", dependencies=[Depends(deprecated_endpoint(**LEGACY_DEPRECATION, successor="/mt/x"))])
    def top_users(self):
        return adapters.top_users_from_legacy(tenant_id, period, {"users": [row for row in rows], "period": 30})

    def create(self, request):
        if request.role not in (UserRole.USER, UserRole.ADMIN, UserRole.INSTRUCTOR):
            payload, temporary_password = adapters.create_user_body(request, UserCreate)
        return lifecycle(SERVED, default_path=Path(__file__).resolve().parents[2] / ".migrator/lifecycle.json")
'''


@pytest.mark.parametrize("width", [60, 88])
def test_decorators_and_nested_brackets_explode_as_a_formatter_keeps_them(width):
    fitted = _fit(DECORATED, width)
    assert code_only(fitted) == code_only(DECORATED)
    # the brackets that enclose the most break first, each on lines of its own (no call hugging another)
    assert "    dependencies=[\n        Depends(\n            deprecated_endpoint(\n" in fitted
    if width == 60:  # a long `if` explodes its condition; an assignment still too long gets its value in parentheses
        assert "        if request.role not in (\n            UserRole.USER,\n" in fitted
        assert "payload, temporary_password = (\n                adapters.create_user_body(" in fitted
        assert '.parents[2]\n                / ".migrator/lifecycle.json"\n' in fitted
    assert [line for line in fitted.splitlines() if len(line) > width and '"/mt/tenant/' not in line] == []
    # what a formatter makes of it is the same text (one item a line with a trailing comma is kept)
    formatted = subprocess.run([sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", str(width),
                                "-"], input=fitted, capture_output=True, text=True, check=True).stdout
    assert formatted == fitted


COMPREHENSIONS = '''\
def kept(ledger, known):
    spare = {name: amount for name, amount in ledger.items() if name not in known}
    return [entry.upper() for group in ledger.values() for entry in group if entry if len(entry) > 2]
'''


def test_a_comprehension_too_long_splits_at_its_own_brackets_one_clause_a_line():
    fitted = _fit(COMPREHENSIONS, 60)
    assert code_only(fitted) == code_only(COMPREHENSIONS)
    assert "    spare = {\n        name: amount\n        for name, amount in ledger.items()\n" in fitted
    assert "        for entry in group\n        if entry\n        if len(entry) > 2\n    ]\n" in fitted
    assert max(len(line) for line in fitted.splitlines()) <= 60
    formatted = subprocess.run([sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "60", "-"],
                               input=fitted, capture_output=True, text=True, check=True).stdout
    assert formatted == fitted
