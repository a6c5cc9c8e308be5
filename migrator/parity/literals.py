"""Secrets a request list writes in clear: `record` stores each as a placeholder named after its place, and replay
takes the value back from the same request list.

A literal header ``X-Client-Key: abc123`` of request ``keys_demo`` is stored as ``${keys_demo.header.x-client-key}``;
likewise ``${<request>.query.<name>}``, ``${<request>.path.<segment index>}``, ``${<request>.json.<dotted path>}``
and ``${<request>.form.<name>}``. Which values count is decided by `shims.redaction` (a request header not on the
allowlist, a query value, path segment or body field whose name or value looks like a credential), exactly as the
recorder decides what to redact. Names follow places, not order, so editing other entries of the list does not
shift them. A literal JSON number (``pin: 4821``) replays as a number (`Literal.typed`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional
from urllib.parse import parse_qsl

from migrator.parity.cassette import RequestList, RequestSpec, encode_query
from shims.redaction import is_secret_text, looks_secret_value
from shims.redactor import Redactor, json_members, media_type, split_scheme


@dataclass(frozen=True)
class Literal:
    key: str  # the placeholder name: "create_user.json.password"
    value: str  # the text to send (a JSON number's encoding when typed)
    typed: bool = False  # a JSON number: substituted as a number, not a string


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text) or "_"


def literal_secrets(listing: RequestList, plain_headers: Iterable[str] = ()) -> list[Literal]:
    """Every literal secret of the list, in list order, each under a unique key."""
    rules = Redactor(plain_headers=[*plain_headers, *listing.plain_headers])  # the recorder's rules, no values
    found: dict[str, Literal] = {}
    for spec in listing.requests:
        for where, value, typed in _request_literals(spec, rules):
            key = f"{_slug(spec.name)}.{where}"
            unique, n = key, 1
            while unique in found:
                n += 1
                unique = f"{key}~{n}"
            found[unique] = Literal(unique, value, typed)
    return list(found.values())


def _clear(value: str) -> bool:
    return bool(value) and "${" not in value


def _request_literals(spec: RequestSpec, rules: Redactor) -> Iterator[tuple[str, str, bool]]:
    for index, part in enumerate(spec.path.split("/")):
        if _clear(part) and looks_secret_value(part):
            yield f"path.{index}", part, False
    for name, value in spec.headers.items():
        lowered = name.lower()
        secret = split_scheme(value)[1]
        if rules.is_credential_header(lowered) and _clear(secret):
            yield f"header.{_slug(lowered)}", secret, False
    for name, value in parse_qsl(encode_query(spec.query), keep_blank_values=True):
        if _clear(value) and is_secret_text(name, value):
            yield f"query.{_slug(name)}", value, False
    if spec.has_json:
        yield from _json_literals(spec.json_body, "json", None)
    elif spec.body is not None and media_type(spec.headers) == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(spec.body, keep_blank_values=True):
            if _clear(value) and is_secret_text(name, value):
                yield f"form.{_slug(name)}", value, False


def _json_literals(value: Any, where: str, name: Optional[str]) -> Iterator[tuple[str, str, bool]]:
    """The secrets of a JSON body, judged member by member as the recorder judges them (`json_members`); a string
    that looks like a secret counts wherever it stands."""
    for key, item, secret, inner in json_members(value, name):
        place = f"{where}.{_slug(str(key))}"
        if isinstance(item, str):
            if _clear(item) and (secret or looks_secret_value(item)):
                yield place, item, False
        elif secret:
            yield place, json.dumps(item), True
        else:
            yield from _json_literals(item, place, inner)
