"""Request lists (what `migrator record` sends) and cassettes (what came back), with their file formats.

Request list (YAML or JSON)::

    version: 1
    credentials:            # symbolic names; values come from --credential, MIGRATOR_CRED_<NAME>, the target's
      admin_seoul: {}       # [tool.migrator.parity] credentials callable, or (last resort) a dev default here
      bogus: {default: "not-a-token"}
    requests:
      - name: dashboard_seoul
        method: GET                         # default GET
        path: /admin/dashboard
        query: {days: 30}                   # or a string "days=30"
        headers: {Authorization: "Bearer ${admin_seoul}", X-Tenant-ID: seoul_national_university_101}
        json: {...}                         # or body: "raw text"
        expect: 200                         # optional: `record` reports a different status

Cassette: JSON Lines, one exchange a line, in the shape `shims.recording.build_exchange` writes. The reader streams
(one line in memory at a time) and names the file and line of anything malformed.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator, Optional, Union
from urllib.parse import urlencode

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from migrator.parity.errors import ParityUsageError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # control characters other than tab
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _no_control(value: str, what: str) -> str:
    match = _CONTROL.search(value)
    if match:
        raise ValueError(f"{what} holds a control character ({match.group(0)!r}): not sendable over HTTP")
    return value


def _check_headers(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"header name {name!r} is not a valid HTTP header name")
        _no_control(value, f"header {name}")
    return headers


def _check_query(query: Any) -> Any:
    if isinstance(query, str):
        return _no_control(query, "the query")
    if isinstance(query, dict):
        for key, value in query.items():
            _no_control(str(key), "a query name")
            for item in value if isinstance(value, list) else [value]:
                _no_control(str(item), f"query {key}")
    return query


def encode_query(query: Any) -> str:
    """A request list's ``query`` (a string or a mapping, lists repeat the name) as an encoded query string."""
    if isinstance(query, str):
        return query.lstrip("?")
    pairs = []
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, _query_text(item)))
    return urlencode(pairs, safe="${}<>:")


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- request lists ----------------------------------------------------------------------------------------------


class CredentialSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Optional[str] = None
    default: Optional[str] = None  # a dev default: used only when nothing else provides the value


QueryValue = Union[str, int, float, bool]


class RequestSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    method: str = "GET"
    path: str
    query: Union[str, dict[str, Union[QueryValue, list[QueryValue]]]] = ""
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    body: Optional[str] = None
    expect: Optional[int] = Field(default=None, ge=100, le=599)

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        value = value.upper()
        if value not in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}:
            raise ValueError(f"unknown HTTP method {value!r}")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or "?" in value:
            raise ValueError("must start with '/' and carry no query (use `query:`)")
        return _no_control(value, "the path")

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_headers(value)

    @field_validator("query")
    @classmethod
    def _query(cls, value: Any) -> Any:
        return _check_query(value)

    @model_validator(mode="after")
    def _one_body(self) -> "RequestSpec":
        if "json_body" in self.model_fields_set and self.body is not None:
            raise ValueError("give either `json` or `body`, not both")
        return self

    @property
    def has_json(self) -> bool:
        return "json_body" in self.model_fields_set


class RequestList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    credentials: dict[str, CredentialSpec] = Field(default_factory=dict)
    plain_headers: list[str] = Field(default_factory=list)  # request headers recorded as they are (not secrets)
    requests: list[RequestSpec] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"unsupported request list version {value} (this migrator reads version 1)")
        return value

    @field_validator("credentials", mode="before")
    @classmethod
    def _credential_list(cls, value: Any) -> Any:
        # `credentials: [admin_seoul, admin_kaist]` is shorthand for names without defaults.
        if isinstance(value, list):
            return {str(name): {} for name in value}
        return {k: ({} if v is None else v) for k, v in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _unique_names(self) -> "RequestList":
        seen: set[str] = set()
        for index, request in enumerate(self.requests):
            if request.name in seen:
                raise ValueError(f"requests[{index}]: duplicate name {request.name!r}")
            seen.add(request.name)
        return self


def load_request_list(path: Path) -> RequestList:
    """Read and validate a request list; errors name the file and the entry (index and name)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParityUsageError(f"{path}: cannot read the request list: {exc.strerror or exc}") from exc
    text = decode_utf8(raw, path, "request list")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ParityUsageError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: "
                               f"{str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise ParityUsageError(f"{path}: a request list is a mapping with `version`, `credentials` and `requests`")
    try:
        return RequestList.model_validate(data)
    except ValidationError as exc:
        raise ParityUsageError(f"{path}: {_describe(exc, data)}") from exc


def _describe(exc: ValidationError, data: dict) -> str:
    error = exc.errors()[0]
    loc = list(error["loc"])
    where = []
    if len(loc) >= 2 and loc[0] == "requests" and isinstance(loc[1], int):
        entry = data.get("requests", [])[loc[1]] if isinstance(data.get("requests"), list) else None
        label = f"requests[{loc[1]}]"
        if isinstance(entry, dict) and entry.get("name"):
            label += f" (name {entry['name']!r})"
        where.append(label)
        loc = loc[2:]
    if loc:
        where.append("field " + ".".join(str(part) for part in loc))
    message = error["msg"].removeprefix("Value error, ")
    return f"{', '.join(where)}: {message}" if where else message


# --- cassettes --------------------------------------------------------------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    body: Optional[str] = None
    body_b64: Optional[str] = None
    body_omitted: Optional[int] = None

    @property
    def has_json(self) -> bool:
        return "json_body" in self.model_fields_set


class RecordedRequest(_Part):
    method: str
    path: str
    query: str = ""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("the path must start with '/'")
        return _no_control(value, "the path")

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        return _no_control(value, "the query")

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_headers(value)


class RecordedResponse(_Part):
    status: int


class Exchange(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Optional[int] = None
    name: Optional[str] = None
    time: Optional[str] = None
    elapsed_ms: Optional[float] = None
    route: Optional[str] = None
    request: RecordedRequest
    response: RecordedResponse

    @property
    def label(self) -> str:
        return f"#{self.id}" + (f" {self.name}" if self.name else "")

    @property
    def safe(self) -> bool:
        return self.request.method in SAFE_METHODS


def decode_utf8(raw: bytes, path: Path, what: str, line: Optional[int] = None) -> str:
    """``raw`` as text; invalid UTF-8 is a usage error naming the file (and line) and the byte offset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"{path}:{line}" if line is not None else str(path)
        raise ParityUsageError(f"{where}: the {what} is not valid UTF-8 (byte {exc.start + 1}: "
                               f"{raw[exc.start:exc.start + 1]!r})") from None


def iter_exchanges(path: Path) -> Iterator[Exchange]:
    """Stream the exchanges of a cassette; an exchange without an id gets its position (1-based)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ParityUsageError(f"{path}: cannot read the cassette: {exc.strerror or exc}") from exc
    with handle:
        position = 0
        for lineno, raw in enumerate(_lines(handle, path), start=1):
            line = decode_utf8(raw, path, "cassette", lineno)
            if not line.strip():
                continue
            position += 1
            try:
                exchange = Exchange.model_validate_json(line)
            except ValidationError as exc:
                error = exc.errors()[0]
                where = ".".join(str(p) for p in error["loc"])
                message = error["msg"].removeprefix("Value error, ")
                raise ParityUsageError(
                    f"{path}:{lineno}: not a cassette exchange: {where + ': ' if where else ''}{message}"
                ) from None
            if exchange.id is None:
                exchange.id = position
            yield exchange


def _lines(handle: Any, path: Path) -> Iterator[bytes]:
    try:
        yield from handle
    except OSError as exc:
        raise ParityUsageError(f"{path}: cannot read the cassette: {exc.strerror or exc}") from exc


def read_line(path: Path, offset: int) -> Exchange:
    """One exchange at a byte offset (companion look-ups without holding the cassette)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        return Exchange.model_validate_json(handle.readline())


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[Any]:
    """Write to a temporary file beside ``path`` and rename it into place only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8", newline=None if "b" in mode else "\n") \
                as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    try:
        with atomic_writer(path) as handle:
            handle.write(text)
    except OSError as exc:
        raise ParityUsageError(f"{path}: cannot write: {exc.strerror or exc}") from exc
