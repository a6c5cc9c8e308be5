"""The answer-mapping module at the service's line length: the same code at every width (only its layout, comments
and docstrings change), every line within the width."""

from __future__ import annotations

import pytest

from migrator.shapes import render_module
from migrator.testing.syntax import code_only


@pytest.mark.parametrize("service", ["advisor", "llm_chatbot"])
@pytest.mark.parametrize("width", [79, 88, 100])
def test_every_width_renders_the_same_code_within_the_width(service, width, example_mappings):
    mappings = list(example_mappings[service].values())
    wide = render_module(mappings, service=service, line_length=200)
    text = render_module(mappings, service=service, line_length=width)
    assert [line for line in text.splitlines() if len(line) > width] == []
    assert code_only(text) == code_only(wide)
    assert max(len(line) for line in wide.splitlines()) > width  # the wide one does not fit: the width was used


def test_the_default_width_is_ruffs(example_mappings):
    mappings = list(example_mappings["advisor"].values())
    assert render_module(mappings, service="advisor") == render_module(mappings, service="advisor", line_length=88)
