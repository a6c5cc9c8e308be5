"""`migrator record`: send a request list to the (legacy) service and write what comes back as a cassette.

The cassette keeps each request as written in the list — ``${name}`` placeholders, not their values — and every
response redacted by `shims.recording` (with the list's credential values known, so an echoed token becomes its
placeholder too). The file is written atomically. Before sending, the reset hook (if any) rebuilds the target's
data, so a recording is reproducible; ``timestamps=False`` leaves out ``time``/``elapsed_ms`` so that re-recording an
unchanged service gives a byte-identical cassette.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlencode

from migrator.parity.cassette import RequestList, atomic_writer, load_request_list
from migrator.parity.credentials import placeholders_in
from migrator.parity.errors import ParityUsageError
from migrator.parity.session import Session, TargetOptions, encode_json, open_session, substitute_json, substitute_query
from shims.recording import Redactor, build_exchange, dumps_exchange


@dataclass
class RecordOptions(TargetOptions):
    requests: Path = Path("requests.yaml")
    output: Path = Path("cassette.jsonl")
    timestamps: bool = True


@dataclass
class Recorded:
    name: str
    method: str
    url: str
    status: int
    expect: Optional[int]

    @property
    def unexpected(self) -> bool:
        return self.expect is not None and self.expect != self.status


@dataclass
class RecordResult:
    output: Path
    target: str
    exchanges: list[Recorded] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def unexpected(self) -> list[Recorded]:
        return [e for e in self.exchanges if e.unexpected]


def encode_query(query) -> str:
    if isinstance(query, str):
        return query.lstrip("?")
    pairs = []
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, _query_text(item)))
    return urlencode(pairs, safe="${}<>:")


def _query_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_credentials(listing: RequestList, session: Session, path: Path) -> None:
    """Fail before sending anything when a placeholder has no value (all missing names at once)."""
    needed: dict[str, str] = {}
    for spec in listing.requests:
        texts = [*spec.headers.values(), encode_query(spec.query), spec.body or "",
                 json.dumps(spec.json_body) if spec.has_json else ""]
        for text in texts:
            for key in placeholders_in(text):
                needed.setdefault(key, spec.name)
    missing = [key for key in needed if session.credentials.get(key) is None]
    if missing:
        from migrator.parity.credentials import env_name

        listed = ", ".join(f"{k} (first used by {needed[k]!r})" for k in missing)
        raise ParityUsageError(
            f"{path}: no value for credential(s) {listed}; pass --credential NAME=VALUE, set "
            f"{env_name(missing[0])}, or configure [tool.migrator.parity] credentials")


async def _send_all(session: Session, listing: RequestList, options: RecordOptions, handle,
                    result: RecordResult, progress: Optional[Callable[[int], None]]) -> None:
    credentials = session.credentials
    redactor = Redactor(known=credentials.values())
    await session.reset()
    async with session.client() as client:
        for index, spec in enumerate(listing.requests, start=1):
            where = f"{options.requests.name} {spec.name!r}"
            stored_headers = {name.lower(): value for name, value in spec.headers.items()}
            stored_body = b""
            if spec.has_json:
                stored_body = encode_json(spec.json_body)
                stored_headers.setdefault("content-type", "application/json")
            elif spec.body is not None:
                stored_body = spec.body.encode("utf-8")
            query = encode_query(spec.query)
            sent_headers = {name: credentials.substitute(value, where) for name, value in stored_headers.items()}
            sent_body = stored_body
            if spec.has_json:
                sent_body = encode_json(substitute_json(spec.json_body, credentials, where))
            elif spec.body is not None:
                sent_body = credentials.substitute(spec.body, where).encode("utf-8")
            started, clock = time.time(), time.perf_counter()
            response = await client.send(spec.method, spec.path, substitute_query(query, credentials, where),
                                         sent_headers, sent_body or None)
            elapsed = (time.perf_counter() - clock) * 1000
            exchange = build_exchange(
                method=spec.method, path=spec.path, query=query, request_headers=stored_headers.items(),
                request_body=stored_body, status=response.status, response_headers=response.headers,
                response_body=response.content, redactor=redactor, started=started, elapsed_ms=elapsed,
                route=response.route, name=spec.name, id=index,
            )
            for name, value in exchange["request"]["headers"].items():
                if "<redacted:" in value and "<redacted:" not in stored_headers.get(name, ""):
                    result.warnings.append(
                        f"{where}: header {name} has a literal credential, recorded as {value!r}; use a ${{name}} "
                        "placeholder from `credentials:` so replay can re-inject it")
            if spec.has_json and '"<redacted>"' in json.dumps(exchange["request"].get("json")):
                result.warnings.append(
                    f"{where}: a password-like JSON field with a literal value was recorded as \"<redacted>\" and "
                    "replays as that text; use a ${name} placeholder to replay the real value")
            if not options.timestamps:
                exchange.pop("time")
                exchange.pop("elapsed_ms")
            handle.write(dumps_exchange(exchange) + "\n")
            result.exchanges.append(Recorded(spec.name, spec.method, spec.path + ("?" + query if query else ""),
                                             response.status, spec.expect))
            if progress is not None:
                progress(1)


def record(options: RecordOptions, progress: Optional[Callable[[int], None]] = None) -> RecordResult:
    """Send every request of ``options.requests`` and write the cassette ``options.output``."""
    listing = load_request_list(options.requests)
    with open_session(options, anchor=options.requests.parent, defaults_from=options.requests) as session:
        _check_credentials(listing, session, options.requests)
        result = RecordResult(output=options.output, target=session.description)
        try:
            with atomic_writer(options.output) as handle:
                asyncio.run(_send_all(session, listing, options, handle, result, progress))
        except OSError as exc:
            raise ParityUsageError(f"{options.output}: cannot write the cassette: {exc.strerror or exc}") from exc
    return result
