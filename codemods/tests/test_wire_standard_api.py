import textwrap

import pytest

from codemods._imports import ImportStyle
from codemods.tests.wire_standard_api_cases import CASES
from codemods.wire_standard_api import WireError, wire_app

# `svc` is the service's own package (first party), as ruff would see it in the service's folder
STYLE = ImportStyle(lambda module: module.split(".")[0] == "svc", 120)


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_wire_standard_api(case):
    after = wire_app(_src(case["before"]), case["app"], "svc.handlers.market_handler", "market_handler",
                     factory=case["factory"], style=STYLE)
    assert after == _src(case["after"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_second_run_changes_nothing(case):
    once = wire_app(_src(case["before"]), case["app"], "svc.handlers.market_handler", "market_handler",
                    factory=case["factory"], style=STYLE)
    assert wire_app(once, case["app"], "svc.handlers.market_handler", "market_handler",
                    factory=case["factory"], style=STYLE) == once


def test_module_without_the_app_is_refused():
    with pytest.raises(WireError, match="no top-level `app = FastAPI"):
        wire_app("x = 1\n", "app", "svc.handlers.market_handler", "market_handler")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_ruff_finds_the_imports_sorted(case, tmp_path):
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\n\n[tool.ruff]\nline-length = 120\n')
    for module in ("svc/handlers/market_handler.py", "svc/routers/users.py"):  # ruff resolves first-party paths
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module).write_text("")
    (tmp_path / "app.py").write_text(_src(case["after"]))
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "I", "app.py"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
