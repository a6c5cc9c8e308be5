"""The wrapping helpers generated code goes through: a long string argument becomes adjacent literals with the same
value, a long dict display one item a line, a docstring wrapped to the width; each result parses and fits."""

from __future__ import annotations

import ast

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st

from codemods._format import docstring, explode_value, wrap_long_calls

WORDS = st.lists(st.text(alphabet="abcdefghij{}[]().:/`'_-", min_size=1, max_size=14), min_size=1, max_size=40)


def _wrapped(source: str, width: int) -> str:
    return cst.Module([]).code_for_node(wrap_long_calls(cst.parse_module(source), width))


@settings(max_examples=60, deadline=None)
@given(words=WORDS, width=st.integers(min_value=60, max_value=120))
def test_a_long_string_argument_keeps_its_value_and_fits(words, width):
    message = " ".join(words)
    source = f"def f():\n    if x:\n        raise Error(\"op\", {message!r})\n"
    out = _wrapped(source, width)
    call = ast.parse(out).body[0].body[0].body[0].exc
    assert ast.literal_eval(call.args[1]) == message
    longest_word = max(len(w) for w in words)
    if longest_word + 20 < width:  # one word longer than a line cannot be split
        assert all(len(line) <= width for line in out.splitlines()), out


def test_a_long_dict_display_gets_one_item_a_line():
    source = ("def f(request):\n    payload = {\"name\": request.tenant_name, \"slug\": slug_for(request.tenant_id), "
              "\"contact_email\": request.contact.email}\n")
    out = _wrapped(source, 88)
    assert out == ("def f(request):\n    payload = {\n        \"name\": request.tenant_name,\n"
                   "        \"slug\": slug_for(request.tenant_id),\n        \"contact_email\": request.contact.email,\n"
                   "    }\n")
    ast.parse(out)


def test_a_docstring_is_wrapped_to_the_width_at_its_indentation():
    text = "What `pkg.api.routes.users.list_users` receives from FastAPI besides its auth and body; solved by " \
           "`legacy_inputs` for the standard methods (never called)."
    node = docstring(text, 4, 88)
    code = cst.Module([]).code_for_node(node)
    assert all(4 + len(line) <= 88 for line in code.splitlines())
    assert " ".join(ast.literal_eval(code.strip()).split()) == text


def test_a_dict_inside_a_longer_expression_splits_a_too_long_item_too():
    # `explode_value` on an expression that is not itself a bracket explodes its first dict display with several
    # items; an item still too long at its indentation is split at its own brackets, as for a call's arguments
    source = ('settings or {"endpoint": build_endpoint(region_name, service_name, account_identifier), '
              '"retries": 3}')
    value = cst.parse_expression(source)
    exploded = explode_value(value, 4, 48, 1)
    code = cst.Module([]).code_for_node(exploded)
    assert ast.dump(ast.parse(code.strip(), mode="eval")) == ast.dump(ast.parse(source, mode="eval"))
    lines = code.splitlines()
    assert all(4 + len(line) <= 48 for line in lines), code
    assert lines[-1].strip() == "}" and any(line.strip() == "region_name," for line in lines)
