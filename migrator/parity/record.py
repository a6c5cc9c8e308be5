"""`migrator record`: send a request list to the (legacy) service and write what comes back as a cassette.

The cassette keeps each request as written in the list — ``${name}`` placeholders, not their values; a secret written
in clear becomes ``${<request>.<place>}`` (`literals.py`) — and every response redacted by `shims.recording` (with
the list's credential values known, so an echoed token becomes its placeholder too). The file is written atomically. Before sending, the reset hook (if any) rebuilds the target's
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

from migrator.parity.cassette import RequestList, RequestSpec, atomic_writer, encode_query, load_request_list
from migrator.parity.credentials import Credentials, placeholders_in
from migrator.parity.errors import ParityUsageError
from migrator.parity.literals import literal_secrets
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
    notes: list[str] = field(default_factory=list)

    @property
    def unexpected(self) -> list[Recorded]:
        return [e for e in self.exchanges if e.unexpected]


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


@dataclass
class _Prepared:
    """One request of the list: as stored in the cassette (placeholders) and as sent (values)."""

    headers: dict[str, str]
    body: bytes
    query: str
    sent_path: str
    sent_headers: dict[str, str]
    sent_query: str
    sent_body: bytes


def _prepare(spec: RequestSpec, credentials: Credentials, where: str) -> _Prepared:
    headers = {name.lower(): value for name, value in spec.headers.items()}
    body = b""
    sent_body = b""
    if spec.has_json:
        body = encode_json(spec.json_body)
        headers.setdefault("content-type", "application/json")
        sent_body = encode_json(substitute_json(spec.json_body, credentials, where))
    elif spec.body is not None:
        body = spec.body.encode("utf-8")
        sent_body = credentials.substitute(spec.body, where).encode("utf-8")
    query = encode_query(spec.query)
    return _Prepared(
        headers=headers, body=body, query=query, sent_path=credentials.substitute(spec.path, where),
        sent_headers={name: credentials.substitute(value, where) for name, value in headers.items()},
        sent_query=substitute_query(query, credentials, where), sent_body=sent_body)


def _redactor(session: Session, listing: RequestList) -> tuple[Redactor, int]:
    """The recorder's redactor: the list's credentials and literal secrets known by their placeholder names."""
    plain = [*session.config.parity.plain_headers, *listing.plain_headers]
    literals = literal_secrets(listing, plain)
    known = session.credentials.values()
    for literal in literals:
        known.setdefault(literal.value, "${" + literal.key + "}")
    return Redactor(known=known, plain_headers=plain), len(literals)


async def _send_all(session: Session, listing: RequestList, options: RecordOptions, handle,
                    result: RecordResult, progress: Optional[Callable[[int], None]]) -> None:
    redactor, literals = _redactor(session, listing)
    if literals:
        result.notes.append(
            f"{literals} secret value(s) written in clear in {options.requests.name} are stored as "
            "${<request>.<place>} placeholders; replay takes them from that request list (beside the cassette, "
            "--requests, or [tool.migrator.parity] requests)")
    await session.reset()
    async with session.client() as client:
        for index, spec in enumerate(listing.requests, start=1):
            where = f"{options.requests.name} {spec.name!r}"
            sent = _prepare(spec, session.credentials, where)
            started, clock = time.time(), time.perf_counter()
            response = await client.send(spec.method, sent.sent_path, sent.sent_query, sent.sent_headers,
                                         sent.sent_body or None, label=where)
            elapsed = (time.perf_counter() - clock) * 1000
            exchange = build_exchange(
                method=spec.method, path=spec.path, query=sent.query, request_headers=sent.headers.items(),
                request_body=sent.body, status=response.status, response_headers=response.headers,
                response_body=response.content, redactor=redactor, started=started, elapsed_ms=elapsed,
                route=response.route, name=spec.name, id=index,
            )
            stored = exchange["request"]
            if '"<redacted>"' in json.dumps(stored.get("json")) or "<redacted>" in (stored.get("body") or ""):
                result.warnings.append(
                    f"{where}: a secret in the request body was recorded as \"<redacted>\" and replays as that "
                    "text; write it as a ${name} placeholder with a value in `credentials:`")
            if not options.timestamps:
                exchange.pop("time")
                exchange.pop("elapsed_ms")
            handle.write(dumps_exchange(exchange) + "\n")
            url = stored["path"] + ("?" + stored["query"] if stored["query"] else "")
            result.exchanges.append(Recorded(spec.name, spec.method, url, response.status, spec.expect))
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
