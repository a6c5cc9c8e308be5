"""`migrator parity`: replay a cassette against the target, compare by the phase's expectations, sort out noise.

Passes are sequential, in cassette order, each after the reset hook. The cassette is streamed: one exchange and
one response are in memory at a time; what is kept per exchange is its small result (differences only).
Pass 1 replays and compares everything (plus standard twins). When it found differences, pass 2 replays, from the
same reset state, every mutating exchange up to the last differing one and every differing exchange, and flags the
differences whose new value did not repeat as noise (see `noise.py`). Without a reset hook, pass 2 runs only
for a cassette without mutations (their replay would not start from the same state).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from migrator.journal import Journal, JournalError, load_journal
from migrator.parity.cassette import Exchange, iter_exchanges
from migrator.parity.compare import Actual, compare
from migrator.parity.credentials import placeholders_in
from migrator.parity.equivalents import MARKET_KEY_HEADER, Companions, Mappings, Twin, plan_twin
from migrator.parity.errors import ParityUsageError
from migrator.parity.expectations import RouteMatch, RouteTable, expected_for
from migrator.parity.noise import IgnoreRules, mark_noise
from migrator.parity.paths import PathPattern
from migrator.parity.report import ExchangeResult, ParityReport
from migrator.parity.session import (
    Client,
    Session,
    TargetOptions,
    encode_json,
    open_session,
    substitute_json,
    substitute_query,
)
from migrator.parity.target import find_repo, load_target_config
from shims.recording import Redactor, body_fields, is_credential_name

Progress = Callable[[int], None]


@dataclass
class ParityOptions(TargetOptions):
    cassette: Path = Path("cassette.jsonl")
    phase: Optional[int] = None
    market_key: Optional[str] = None
    ignore: list[str] = field(default_factory=list)
    noise: bool = True
    twins: bool = True
    requests: Optional[Path] = None  # a request list whose credential defaults replay may use
    allow_empty: bool = False  # a run that compares nothing passes (otherwise it is a usage error)


def sibling_request_list(cassette: Path) -> Optional[Path]:
    """``requests.yaml`` (or .yml/.json) beside the cassette: where its credential dev defaults live by convention."""
    for name in ("requests.yaml", "requests.yml", "requests.json"):
        candidate = cassette.parent / name
        if candidate.is_file():
            return candidate
    return None


def count_exchanges(path: Path) -> int:
    """Non-blank lines, without parsing (for a progress bar)."""
    count = 0
    try:
        with path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    count += 1
    except OSError as exc:
        raise ParityUsageError(f"{path}: cannot read the cassette: {exc.strerror or exc}") from exc
    return count


def _market_key(options: "ParityOptions") -> Optional[str]:
    """The key standard twins send: --market-key, else one the run configures for the target (--env, the target's
    [tool.migrator.parity] env), else one the environment already has."""
    if options.market_key:
        return options.market_key
    env: dict[str, str] = {}
    try:
        env.update(load_target_config((options.repo or find_repo(options.cassette.parent)).resolve()).parity.env)
    except ParityUsageError:
        pass  # open_session reports a broken target with its own message
    env.update(options.env)
    for source in (env, os.environ):
        if source.get("MARKET_API_KEY"):
            return source["MARKET_API_KEY"]
        keys = [k.strip() for k in source.get("MARKET_API_KEYS", "").split(",") if k.strip()]
        if keys:
            return keys[0]
    return None


_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-fA-F-]{16,})$")


def _route_key(method: str, exchange: Exchange, journal_path: Optional[str], replayed: Optional[str]) -> str:
    template = exchange.route or journal_path or replayed
    if template is None:
        template = "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in exchange.request.path.split("/"))
    return f"{method} {template}"


def _tenant_of(exchange: Exchange, match: Optional[RouteMatch]) -> Optional[str]:
    return (match.params.get("tenant_id") if match else None) or exchange.request.headers.get("x-tenant-id")


def _url(path: str, query: str) -> str:
    return path + ("?" + query if query else "")


class _Runner:
    def __init__(self, session: Session, options: ParityOptions, table: Optional[RouteTable], phase: int,
                 ignore: IgnoreRules, market_key: Optional[str], companions: Optional[Companions]) -> None:
        self.session = session
        self.options = options
        self.table = table
        self.phase = phase
        self.ignore = ignore
        self.market_key = market_key
        self.companions = companions
        self.mappings: Optional[Mappings] = None  # the generated answer mappings the twins adapt with
        self.redactor = Redactor(known=session.credentials.values())
        session.credentials.listener = lambda text, value: self.redactor.remember(value, text)
        self.twin_skips: Counter = Counter()
        # header name -> (exchanges sent without it, its placeholder keys): no value for a redacted plain header
        self.headers_left_out: dict[str, tuple[set[int], set[str]]] = {}
        self.twins_sent = 0
        # Phase 3: tenants whose state no longer follows the recording, because a recorded mutation hit a removed
        # route; tenant -> the first such exchange ("*" for a mutation without a tenant).
        self.diverged: dict[str, str] = {}
        self.unsafe = 0

    # --- one exchange ---------------------------------------------------------------------------------------

    async def send(self, client: Client, exchange: Exchange):
        request = exchange.request
        where = f"{self.options.cassette.name} {exchange.label}"
        credentials = self.session.credentials
        headers = self._headers(request.headers, where, exchange.id or 0)
        body: Optional[bytes] = None
        if request.has_json:
            body = encode_json(substitute_json(request.json_body, credentials, where))
            headers.setdefault("content-type", "application/json")
        elif request.body is not None:
            body = credentials.substitute(request.body, where).encode("utf-8")
        elif request.body_b64 is not None:
            body = base64.b64decode(request.body_b64)
        query = substitute_query(request.query, credentials, where)
        path = credentials.substitute(request.path, where)
        return await client.send(request.method, path, query, headers, body, label=where)

    def _headers(self, recorded: dict[str, str], where: str, exchange_id: int) -> dict[str, str]:
        """Recorded headers with their values; a header recorded only because it is not on the allowlist (no
        credential name) and without a value is left out and reported, instead of failing the run."""
        headers: dict[str, str] = {}
        for name, value in recorded.items():
            try:
                headers[name] = self.session.credentials.substitute(value, where)
            except ParityUsageError:
                if is_credential_name(name) or not placeholders_in(value):
                    raise
                left_out = self.headers_left_out.setdefault(name, (set(), set()))
                left_out[0].add(exchange_id)
                left_out[1].update(placeholders_in(value))
        return headers

    def _actual(self, response) -> Actual:
        headers = self.redactor.response_headers(response.headers)
        return Actual(response.status, headers, body_fields(response.content, headers, self.redactor))

    async def check(self, client: Client, exchange: Exchange) -> tuple[ExchangeResult, Optional[ExchangeResult]]:
        response = await self.send(client, exchange)
        method = exchange.request.method
        match = self.table.match(method, exchange.request.path) if self.table is not None else None
        expected, notes = expected_for(exchange, match, self.table, self.phase)
        route = _route_key(method, exchange, match.route.path if match else None, response.route)
        template = route.split(" ", 1)[1]
        differences, more = compare(expected, self._actual(response),
                                    self.ignore.for_exchange(method, template, exchange.request.path))
        result = ExchangeResult(id=exchange.id or 0, name=exchange.name, method=method,
                                url=_url(exchange.request.path, exchange.request.query), route=route,
                                expected_status=expected.status, actual_status=response.status,
                                differences=differences, more_differences=more, notes=notes)
        stale = self._stale(_tenant_of(exchange, match))
        if stale and not self._removed(match):
            result.outcome = "skipped"
            result.notes.append(f"not compared: this tenant's state diverged after {stale}, a recorded mutation on "
                                "a route removed in phase 3")
        self._track_divergence(exchange, match)
        twin_result = None
        if stale:
            if self.options.twins and self.table is not None and \
                    plan_twin(exchange, match, None, self.mappings)[0] is not None:
                self.twin_skips["state diverged after a mutation on a removed route"] += 1
        elif self.options.twins and self.table is not None:
            twin, reason = plan_twin(exchange, match, self.companions, self.mappings)
            if reason is not None:
                self.twin_skips[reason] += 1
            elif twin is not None:
                if self.market_key is None:
                    self.twin_skips["no market key"] += 1
                else:
                    twin_result = await self.check_twin(client, exchange, twin)
        if self.companions is not None:
            self.companions.advance(exchange)
        return result, twin_result

    async def check_twin(self, client: Client, exchange: Exchange, twin: Twin) -> ExchangeResult:
        self.twins_sent += 1
        result = ExchangeResult(id=exchange.id or 0, name=exchange.name, kind="standard", method="GET",
                                url=_url(twin.path, twin.query), route=twin.route,
                                expected_status=twin.expected.status if twin.expected else 200, notes=twin.notes)
        headers = {MARKET_KEY_HEADER: self.market_key, **{k: v or self.market_key for k, v in twin.headers.items()}}
        response = await client.send("GET", twin.path, twin.query, headers, None,
                                     label=f"{self.options.cassette.name} {exchange.label} (standard twin)")
        result.actual_status = response.status
        if twin.failure is not None:
            result.differences = [twin.failure]
            return result
        assert twin.expected is not None
        template = twin.route.split(" ", 1)[1]
        rules = self.ignore.for_exchange("GET", template, twin.path)
        extra = [PathPattern(text) for text in twin.ignore]

        def ignored(where: str, segments: tuple) -> bool:
            if where == "json" and any(p.match(segments) for p in extra):
                return True
            return rules is not None and rules(where, segments)

        twin.expected.body = {"json": self.redactor.body(twin.expected.body.get("json"))}
        result.differences, result.more_differences = compare(twin.expected, self._actual(response), ignored)
        return result

    def _removed(self, match: Optional[RouteMatch]) -> bool:
        return match is not None and self.phase >= 3 and id(match.route) in self.table.removed

    def _track_divergence(self, exchange: Exchange, match: Optional[RouteMatch]) -> None:
        """Phase 3: a recorded mutation on a removed route no longer happens; its tenant's state diverges."""
        if not exchange.safe and self._removed(match):
            self.diverged.setdefault(_tenant_of(exchange, match) or "*", exchange.label)

    def _stale(self, tenant: Optional[str]) -> Optional[str]:
        if not self.diverged:
            return None
        if tenant is None:
            return next(iter(self.diverged.values()))  # a cross-tenant read (e.g. a tenant list)
        return self.diverged.get(tenant) or self.diverged.get("*")

    # --- passes ---------------------------------------------------------------------------------------------

    async def first_pass(self, report: ParityReport, progress: Optional[Progress]) -> dict[int, tuple]:
        """All exchanges; returns {position: (legacy result, twin result)} for those with differences."""
        differing: dict[int, tuple] = {}
        self.unsafe = 0
        self.diverged.clear()
        if self.companions is not None:
            self.companions.reset()
        await self.session.reset()
        async with self.session.client() as client:
            for position, exchange in enumerate(iter_exchanges(self.options.cassette)):
                if not exchange.safe:
                    self.unsafe += 1
                result, twin = await self.check(client, exchange)
                report.results.append(result)
                if twin is not None:
                    report.results.append(twin)
                if (result.differences and result.outcome != "skipped") or (twin is not None and twin.differences):
                    differing[position] = (result, twin)
                if progress is not None:
                    progress(1)
        return differing

    async def second_pass(self, differing: dict[int, tuple]) -> tuple[int, int]:
        """Replays what pass 1 found different; returns (exchanges replayed, differences marked as noise)."""
        last = max(differing)
        replayed = noise = 0
        # The report's twin statistics describe pass 1; pass 2 starts from the reset state again.
        counts = (self.twins_sent, Counter(self.twin_skips))
        self.diverged.clear()
        if self.companions is not None:
            self.companions.reset()
        await self.session.reset()
        async with self.session.client() as client:
            for position, exchange in enumerate(iter_exchanges(self.options.cassette)):
                if position > last:
                    break
                if position in differing:
                    first, first_twin = differing[position]
                    second, second_twin = await self.check(client, exchange)
                    replayed += 1
                    noise += mark_noise(first.differences, second.differences)
                    if first_twin is not None and second_twin is not None:
                        noise += mark_noise(first_twin.differences, second_twin.differences)
                elif not exchange.safe:
                    await self.send(client, exchange)
                    replayed += 1
                    match = self.table.match(exchange.request.method, exchange.request.path) if self.table else None
                    self._track_divergence(exchange, match)
        self.twins_sent, self.twin_skips = counts
        return replayed, noise


def _outcomes(report: ParityReport) -> None:
    for result in report.results:
        if result.outcome == "skipped":
            continue
        if not result.differences and not result.more_differences:
            result.outcome = "passed"
        elif result.more_differences or any(not d.noise for d in result.differences):
            result.outcome = "failed"
        else:
            result.outcome = "noisy"


def run_parity(options: ParityOptions, progress: Optional[Progress] = None) -> ParityReport:
    """Replay ``options.cassette`` against the target and compare; bad input raises `ParityUsageError`."""
    cassette = options.cassette
    if not cassette.is_file():
        raise ParityUsageError(f"{cassette}: no such cassette")
    if not options.allow_empty and count_exchanges(cassette) == 0:
        _require_compared(ParityReport(cassette=str(cassette), target="", phase=0), cassette)
    started = time.perf_counter()
    options, market_key = _with_market_key(options)
    with open_session(options, anchor=cassette.parent, defaults_from=options.requests,
                      fallback_defaults=sibling_request_list(cassette)) as session:
        try:
            journal = load_journal(session.repo)
        except JournalError as exc:
            raise ParityUsageError(str(exc)) from exc
        phase = _phase(journal, options, session)
        table = RouteTable(journal) if journal.routes and phase >= 1 else None
        runner = _make_runner(session, options, journal, table, phase, market_key)
        report = ParityReport(cassette=str(cassette), target=session.description, phase=phase)
        report.notes.append(
            f"phase {phase} expectations" + (f" from {session.repo / '.migrator' / 'journal.json'}"
                                             if journal.phases else " (no journal: baseline)"))
        if session.reset_hook is None:
            report.notes.append("no reset hook: the cassette replays on the target's current state "
                                "(set [tool.migrator.parity] reset or pass --reset)")
        asyncio.run(_replay(runner, report, progress))
        _run_notes(report, runner, table is not None and options.twins)
        _outcomes(report)
        report.finish()
    report.duration_s = round(time.perf_counter() - started, 3)
    if not options.allow_empty:
        _require_compared(report, cassette)
    return report


def _with_market_key(options: ParityOptions) -> tuple[ParityOptions, Optional[str]]:
    """The options and the market key the standard twins send (None: no twins can run)."""
    market_key = _market_key(options)
    if market_key is None and options.target is None and options.twins:
        # In process the app is ours to configure: give it a one-off market key so the standard twins can run.
        market_key = secrets.token_urlsafe(24)
        options = dataclasses.replace(options, env={**options.env, "MARKET_API_KEYS": market_key,
                                                    "MARKET_API_KEY": market_key})
    return options, market_key


def _phase(journal: Journal, options: ParityOptions, session: Session) -> int:
    """The phase whose expectations apply (the journal's unless --phase), checked against what the journal has."""
    phase = journal.current_phase if options.phase is None else options.phase
    if phase not in (0, 1, 2, 3):
        raise ParityUsageError(f"--phase must be 0, 1, 2 or 3, got {phase}")
    if phase >= 2 and (not journal.routes or journal.deprecation is None):
        raise ParityUsageError(
            f"phase {phase} expectations need the deprecation dates and routes of "
            f"{session.repo / '.migrator' / 'journal.json'}; apply phase 2 first or pass a lower --phase")
    return phase


def _make_runner(session: Session, options: ParityOptions, journal: Journal, table: Optional[RouteTable], phase: int,
                 market_key: Optional[str]) -> "_Runner":
    ignore = IgnoreRules([*session.config.parity.ignore, *options.ignore])
    mappings = Mappings(journal, session.repo) if table is not None and options.twins else None
    single = mappings.tenant if mappings is not None else None
    companions = (Companions(options.cassette, table, single) if table is not None and options.twins and market_key
                  else None)
    runner = _Runner(session, options, table, phase, ignore, market_key, companions)
    runner.mappings = mappings
    if market_key:
        runner.redactor.remember(market_key, "<redacted:x-market-api-key>")
    return runner


async def _replay(runner: "_Runner", report: ParityReport, progress: Optional[Progress]) -> None:
    """Pass 1 over the cassette; pass 2 over what differed, when the noise check can run."""
    differing = await runner.first_pass(report, progress)
    if not differing:
        return
    if not runner.options.noise:
        report.notes.append("noise check disabled (--no-noise)")
    elif runner.session.reset_hook is None and runner.unsafe:
        report.notes.append("noise check skipped: the cassette mutates state and there is no reset hook")
    else:
        replayed, noise = await runner.second_pass(differing)
        report.notes.append(f"noise check: replayed {replayed} exchange(s) a second time; "
                            f"{noise} difference(s) did not repeat and count as noise")


def _run_notes(report: ParityReport, runner: "_Runner", twins: bool) -> None:
    for name, (exchanges, keys) in sorted(runner.headers_left_out.items()):
        report.notes.append(
            f"replayed {len(exchanges)} exchange(s) without header {name}: its recorded value is redacted (not on "
            f"the allowlist of plain headers) and no value was given (--credential {sorted(keys)[0]}=VALUE); or "
            "declare it in plain_headers (request list or [tool.migrator.parity]) and re-record")
    if not twins:
        return
    skips = runner.twin_skips
    mapped = runner.twins_sent + sum(skips.values()) - skips.get("no market key", 0)
    if skips.get("no market key"):
        report.notes.append(f"standard twins not sent for {skips['no market key']} mapped exchange(s): no market "
                            "key (pass --market-key or set MARKET_API_KEY)")
    if skips.get("mutation"):
        report.notes.append(f"{skips['mutation']} mutating exchange(s) replayed on their legacy route only: a "
                            "standard twin would apply the mutation twice")
    for reason, count in sorted(skips.items()):
        if reason not in ("mutation", "no market key"):
            report.notes.append(f"no standard twin for {count} exchange(s): {reason}")
    report.notes.append(f"standard twins sent: {runner.twins_sent} (of {mapped} mapped exchanges)")


def _require_compared(report: ParityReport, cassette: Path) -> None:
    """Nothing checked is not a pass: a run that compared no exchange is a usage error (unless --allow-empty)."""
    compared = report.summary.total - report.summary.skipped
    if compared:
        return
    if report.summary.total == 0:
        reason = "the cassette holds no exchange"
    else:
        reason = f"all {report.summary.total} replayed exchange(s) were skipped"
    raise ParityUsageError(f"{cassette}: nothing was compared ({reason}); a parity run that checks nothing does not "
                           "pass — record traffic first, or pass --allow-empty if this is intended")


def replay_raw(options: ParityOptions, progress: Optional[Progress] = None) -> int:
    """Replay without comparing (the benchmark's baseline); returns the number of exchanges sent."""
    cassette = options.cassette
    if not cassette.is_file():
        raise ParityUsageError(f"{cassette}: no such cassette")
    with open_session(options, anchor=cassette.parent, defaults_from=options.requests,
                      fallback_defaults=sibling_request_list(cassette)) as session:
        runner = _Runner(session, options, None, 0, IgnoreRules(), None, None)

        async def run() -> int:
            count = 0
            await session.reset()
            async with session.client() as client:
                for exchange in iter_exchanges(cassette):
                    await runner.send(client, exchange)
                    count += 1
                    if progress is not None:
                        progress(1)
            return count

        return asyncio.run(run())
