import textwrap

import pytest

from codemods.tests.wire_standard_api_cases import CASES
from codemods.wire_standard_api import WireError, wire_app


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_wire_standard_api(case):
    after = wire_app(_src(case["before"]), case["app"], "svc.handlers.market_handler", "market_handler",
                     factory=case["factory"])
    assert after == _src(case["after"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_second_run_changes_nothing(case):
    once = wire_app(_src(case["before"]), case["app"], "svc.handlers.market_handler", "market_handler",
                    factory=case["factory"])
    assert wire_app(once, case["app"], "svc.handlers.market_handler", "market_handler",
                    factory=case["factory"]) == once


def test_module_without_the_app_is_refused():
    with pytest.raises(WireError, match="no top-level `app = FastAPI"):
        wire_app("x = 1\n", "app", "svc.handlers.market_handler", "market_handler")
