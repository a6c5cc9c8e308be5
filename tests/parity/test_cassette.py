"""Request lists and cassettes: validation messages name the file and the entry or line."""

from __future__ import annotations

import json

import pytest

from migrator.parity.cassette import atomic_writer, iter_exchanges, load_request_list
from migrator.parity.errors import ParityUsageError


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_json_request_lists_are_read(tmp_path):
    yaml_list = _write(tmp_path, "r.yaml", "version: 1\ncredentials: [tok]\nrequests:\n"
                                           "  - {name: a, path: /x, query: {days: 30, flag: true}}\n")
    listing = load_request_list(yaml_list)
    assert listing.credentials["tok"].default is None
    assert listing.requests[0].method == "GET" and listing.requests[0].query == {"days": 30, "flag": True}
    json_list = _write(tmp_path, "r.json", json.dumps(
        {"version": 1, "requests": [{"name": "b", "method": "post", "path": "/y", "json": None}]}))
    spec = load_request_list(json_list).requests[0]
    assert spec.method == "POST" and spec.has_json and spec.json_body is None


@pytest.mark.parametrize("body, message", [
    ("version: 1\nrequests:\n  - {name: a, path: /x}\n  - {name: bad, path: nope}\n",
     "requests[1] (name 'bad'), field path: must start with '/'"),
    ("version: 1\nrequests:\n  - {name: a, path: /x, method: FETCH}\n", "requests[0] (name 'a'), field method"),
    ("version: 1\nrequests:\n  - {name: a, path: /x}\n  - {name: a, path: /y}\n", "duplicate name 'a'"),
    ("version: 1\nrequests:\n  - {name: a, path: /x, json: {}, body: t}\n", "either `json` or `body`"),
    ("version: 2\nrequests:\n  - {name: a, path: /x}\n", "unsupported request list version 2"),
    ("version: 1\nrequests:\n  - {name: a, path: /x, colour: red}\n", "field colour"),
    ("version: 1\nrequests: []\n", "field requests"),
    ("- just a list\n", "a request list is a mapping"),
    ("version: 1\nrequests: [\n", "not valid YAML"),
])
def test_request_list_errors_name_file_and_entry(tmp_path, body, message):
    path = _write(tmp_path, "requests.yaml", body)
    with pytest.raises(ParityUsageError) as info:
        load_request_list(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_cassette_errors_name_file_and_line(tmp_path):
    good = {"request": {"method": "GET", "path": "/a"}, "response": {"status": 200}}
    path = _write(tmp_path, "c.jsonl", json.dumps(good) + "\n\n" + '{"request": {"method": "GET"}}\n')
    exchanges = iter_exchanges(path)
    first = next(exchanges)
    assert first.id == 1 and first.response.status == 200 and not first.response.has_json
    with pytest.raises(ParityUsageError, match=r"c\.jsonl:3: not a cassette exchange"):
        next(exchanges)
    with pytest.raises(ParityUsageError, match="cannot read the cassette"):
        list(iter_exchanges(tmp_path / "missing.jsonl"))


def test_atomic_writer_keeps_the_old_file_when_writing_fails(tmp_path):
    path = _write(tmp_path, "out.jsonl", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_writer(path) as handle:
            handle.write("partial")
            raise RuntimeError("boom")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
