import textwrap

import libcst as cst
import pytest

from codemods.extract_handler import HandlerExtraction, MoveRequest
from codemods.tests.extract_handler_cases import CASES


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _run(case):
    extraction = HandlerExtraction("svc.handlers.market_handler", "market_handler", set())
    for path, source in case["files"].items():
        moves = [MoveRequest(**m) for m in case["moves"].get(path, [])]
        extraction.add_module(path, _src(source), moves)
    extraction.plan()
    return extraction, extraction.rewrite()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_extract_handler(case):
    extraction, rewritten = _run(case)
    refused = {r.function: r.reason for r in extraction.refused}
    assert set(refused) == set(case["refused"])
    for function, fragment in case["refused"].items():
        assert fragment in refused[function]
    assert rewritten == {path: _src(text) for path, text in case["after"].items()}
    methods = {mv.method: cst.Module([]).code_for_node(mv.node).lstrip("\n") for mv in extraction.moved}
    assert methods == {name: _src(code) for name, code in case["methods"].items()}
    helpers = [cst.Module([]).code_for_node(node).lstrip("\n") for node in extraction.helper_statements()]
    assert helpers == [_src(code) for code in case["helpers"]]
    assert sorted((i.module, i.name, i.asname) for i in extraction.imports) == sorted(case["imports"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rewritten_modules_parse_and_untouched_modules_are_not_returned(case):
    _, rewritten = _run(case)
    for path, code in rewritten.items():
        cst.parse_module(code)
        compile(code, path, "exec")
    if case["refused"] and not case["after"]:
        assert rewritten == {}
