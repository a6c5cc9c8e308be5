"""One record or replay run against a target: settings, env, imports, reset hook, credentials and the HTTP client.

Shared by `record.py` and `replay.py`; `open_session` is the only entry point.
"""

from __future__ import annotations

import inspect
import json
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator, Mapping, Optional
from urllib.parse import parse_qsl, quote, urlencode

import httpx

from migrator.parity.cassette import load_request_list
from migrator.parity.credentials import Credentials
from migrator.parity.errors import ParityUsageError
from migrator.parity.literals import literal_secrets
from migrator.parity.target import (
    TargetConfig,
    Workspace,
    call_maybe_async,
    find_repo,
    lifespan,
    load_target_config,
)
from shims.recording import route_template


@dataclass
class TargetOptions:
    """How to reach the service; shared by `migrator record` and `migrator parity`."""

    app: Optional[str] = None  # "module:app", in process
    target: Optional[str] = None  # "http://host:port", over HTTP
    repo: Optional[Path] = None  # the target folder (its pyproject.toml, journal and import root)
    reset: Optional[str] = None  # "module:function", overrides [tool.migrator.parity] reset
    no_reset: bool = False
    credentials: dict[str, str] = field(default_factory=dict)  # --credential NAME=VALUE
    env: dict[str, str] = field(default_factory=dict)  # --env KEY=VALUE, over [tool.migrator.parity] env
    timeout: float = 30.0


class Response:
    """What a send returns: status, headers (raw pairs), body bytes, and the matched route template if known."""

    __slots__ = ("content", "headers", "route", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], content: bytes, route: Optional[str]):
        self.status, self.headers, self.content, self.route = status, headers, content, route


class Client:
    """Sends requests sequentially to the target; in process it also reports the route template each matched."""

    def __init__(self, http: httpx.AsyncClient, capture: Optional[dict]) -> None:
        self._http = http
        self._capture = capture

    async def send(self, method: str, path: str, query: str, headers: Mapping[str, str], body: Optional[bytes],
                   *, label: str = "") -> Response:
        """Send one request; a failure names ``label`` (the exchange), never the URL, whose values may be secret."""
        url = path + ("?" + query if query else "")
        if self._capture is not None:
            self._capture["route"] = None
        try:
            response = await self._http.request(method, url, headers=dict(headers), content=body)
        except httpx.InvalidURL as exc:
            raise ParityUsageError(f"{label or method}: cannot send the request: invalid URL ({_reason(exc)})"
                                   ) from None
        except httpx.HTTPError as exc:
            raise ParityUsageError(f"{label or method}: the target {self._http.base_url} failed: {_reason(exc)}"
                                   ) from None
        route = self._capture["route"] if self._capture is not None else None
        return Response(response.status_code, response.headers.multi_items(), response.content, route)


def _reason(exc: Exception) -> str:
    """What went wrong, without the URL or header values httpx may quote."""
    names = {
        httpx.RemoteProtocolError: "the connection was closed or broke mid-response",
        httpx.ConnectError: "cannot connect",
        httpx.TimeoutException: "timed out",
        httpx.InvalidURL: "a control character or a malformed part",
        httpx.LocalProtocolError: "the request is not valid HTTP (a header name or value?)",
    }
    for kind, text in names.items():
        if isinstance(exc, kind):
            return f"{text} ({type(exc).__name__})"
    return type(exc).__name__


@dataclass
class Session:
    config: TargetConfig
    workspace: Optional[Workspace]
    app: Optional[Callable] = None
    base_url: Optional[str] = None
    reset_hook: Optional[Callable[[], Any]] = None
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = 30.0

    @property
    def repo(self) -> Path:
        return self.config.repo

    @property
    def description(self) -> str:
        return self.base_url or f"{self.config.app} (in process, {self.repo})"

    async def reset(self) -> bool:
        if self.reset_hook is None:
            return False
        try:
            await call_maybe_async(self.reset_hook)
        except Exception as exc:  # a broken hook is the target's problem: name it, don't dump a traceback
            raise ParityUsageError(f"reset hook failed: {type(exc).__name__}: {exc}") from exc
        return True

    @asynccontextmanager
    async def client(self) -> AsyncIterator[Client]:
        if self.base_url is not None:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as http:
                yield Client(http, None)
            return
        app = self.app
        assert app is not None
        capture: dict = {"route": None}
        async with lifespan(app) as state:

            async def routed(scope: dict, receive: Callable, send: Callable) -> None:
                if scope["type"] == "http" and state:
                    scope["state"] = dict(state)
                try:
                    await app(scope, receive, send)
                finally:
                    if scope["type"] == "http":
                        capture["route"] = route_template(scope)

            transport = httpx.ASGITransport(app=routed, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://parity.local",
                                         timeout=self.timeout) as http:
                yield Client(http, capture)


@contextmanager
def open_session(options: TargetOptions, *, anchor: Path, defaults_from: Optional[Path] = None,
                 fallback_defaults: Optional[Path] = None) -> Iterator[Session]:
    """Resolve the target folder (``--repo``, else the nearest folder at or above ``anchor`` with a
    ``[tool.migrator]`` pyproject, else the cwd), read its settings, set the env, import the app and hooks."""
    if bool(options.app) and bool(options.target):
        raise ParityUsageError("give either --app or --target, not both")
    if options.repo is not None and not options.repo.is_dir():
        raise ParityUsageError(f"--repo {options.repo}: not a folder")
    repo = (options.repo or find_repo(anchor)).resolve()
    config = load_target_config(repo)
    app_spec = options.app or (None if options.target else config.app)
    if not app_spec and not options.target:
        raise ParityUsageError(
            f"no target: pass --app module:app or --target URL (or set [tool.migrator] app in {repo}/pyproject.toml)")
    if options.target and not options.target.startswith(("http://", "https://")):
        raise ParityUsageError(f"--target must be an http(s) URL, got {options.target!r}")

    workspace = Workspace(repo)
    try:
        workspace.apply_env({**config.parity.env, **options.env})
        session = Session(config=config, workspace=workspace, timeout=options.timeout)
        if app_spec:
            config.app = app_spec
            session.app = load_app(workspace, app_spec)
        else:
            session.base_url = options.target.rstrip("/")
        reset_spec = None if options.no_reset else (options.reset or (config.parity.reset if app_spec else None))
        if reset_spec:
            session.reset_hook = workspace.load_callable(reset_spec, "reset hook")
        loader = None
        if config.parity.credentials:
            spec = config.parity.credentials

            def loader() -> Mapping[str, str]:
                func = workspace.load_callable(spec, "credentials callable")
                try:
                    values = func()
                except Exception as exc:
                    raise ParityUsageError(f"credentials callable {spec!r} failed: {type(exc).__name__}: {exc}"
                                           ) from exc
                if not isinstance(values, Mapping):
                    raise ParityUsageError(f"credentials callable {spec!r} must return a mapping of name → value")
                return values

        requests_file = defaults_from or (repo / config.parity.requests if config.parity.requests else None) \
            or fallback_defaults
        defaults, typed = _request_list_defaults(requests_file, config.parity.plain_headers)
        session.credentials = Credentials(options.credentials, loader=loader, defaults=defaults, typed=typed)
        yield session
    finally:
        workspace.close()


def _request_list_defaults(requests_file: Optional[Path], plain_headers: list[str]
                           ) -> tuple[dict[str, str], frozenset[str]]:
    """Values replay may take from a request list (the one being recorded, ``--requests``, [tool.migrator.parity]
    requests, else one beside the cassette): its credentials' dev defaults, and its literal secrets, which the
    cassette stores as ``${<request>.<place>}`` (see `literals.py`)."""
    if requests_file is None or not requests_file.is_file():
        return {}, frozenset()
    listing = load_request_list(requests_file)
    literals = literal_secrets(listing, plain_headers)
    defaults = {literal.key: literal.value for literal in literals}
    defaults.update({k: v.default for k, v in listing.credentials.items() if v.default is not None})
    return defaults, frozenset(literal.key for literal in literals if literal.typed)


def substitute_json(value: Any, credentials: Credentials, where: str) -> Any:
    if isinstance(value, str):
        return credentials.substitute_value(value, where)
    if isinstance(value, dict):
        return {k: substitute_json(v, credentials, where) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_json(v, credentials, where) for v in value]
    return value


def substitute_query(query: str, credentials: Credentials, where: str) -> str:
    """Placeholders in an encoded query string get URL-encoded values."""
    if "${" not in query and "<redacted:" not in query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, credentials.substitute(v, where)) for k, v in pairs], quote_via=quote)


def encode_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def load_app(workspace: Workspace, spec: str) -> Any:
    """The ASGI app `spec` names: `module:app`, or `module:create_app()` for an app factory (called once, without
    arguments), as `[tool.migrator] app` names the app phase 1 migrates. A factory named without its `()` is said
    so, not served."""
    factory = spec.endswith("()")
    obj = workspace.import_object(spec[:-2] if factory else spec, "--app")
    if factory:
        try:
            obj = obj()
        except Exception as exc:  # the target's own factory failed: one line, as for a failing import
            raise ParityUsageError(f"--app {spec!r}: calling the factory failed: {type(exc).__name__}: "
                                   f"{str(exc).splitlines()[0] if str(exc) else exc}") from exc
    elif inspect.isfunction(obj) and not any(p.default is inspect.Parameter.empty
                                             for p in inspect.signature(obj).parameters.values()):
        raise ParityUsageError(f"--app {spec!r} is a function taking no argument, an app factory: write "
                               f"'{spec}()' to serve the app it builds")
    if not callable(obj):
        raise ParityUsageError(f"--app {spec!r} is not an ASGI app")
    return obj
