"""`migrator conform`: run the Standard API conformance suite (migrator.conformance) against a service.

Thin: picks the client (a running service over HTTP, or an app imported in-process), calls
`migrator.conformance.run_conformance` and renders the report. Exit 0 all passed, 1 failures, 2 usage or input errors.
"""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional
from urllib.parse import urlparse

import typer

_KEY_ENV = "MARKET_API_KEY"


class Suite(str, Enum):
    dashboard = "dashboard"
    users = "users"
    settings = "settings"
    lifecycle = "lifecycle"
    webhook = "webhook"
    full = "full"


class Format(str, Enum):
    rich = "rich"
    json = "json"


class UsageError(Exception):
    """Bad arguments or an unusable target: reported in one line, exit 2."""


@contextmanager
def _market_key_in_environment(key: str) -> Iterator[None]:
    """An in-process app reads its market key from the environment at start-up (as `MarketAuthMiddleware` and the
    Service Market router do): give it the key under test unless one is configured already."""
    configured = any(os.environ.get(name, "").strip() for name in ("MARKET_API_KEYS", "MARKET_API_KEY"))
    if not configured:
        os.environ[_KEY_ENV] = key
    try:
        yield
    finally:
        if not configured:
            os.environ.pop(_KEY_ENV, None)


@contextmanager
def _import_root(app_dir: Optional[Path]) -> Iterator[None]:
    # The current directory (as `uvicorn module:app` does) and --app-dir, for the duration of the run only.
    added = [str(Path.cwd())] + ([str(app_dir.resolve())] if app_dir else [])
    saved = list(sys.path)
    sys.path[:0] = [entry for entry in reversed(added) if entry not in sys.path]
    try:
        yield
    finally:
        sys.path[:] = saved


def load_app(spec: str) -> Any:
    """Import ``module:attribute`` (attribute may be dotted) and return the ASGI app it names."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"--app must look like 'package.module:app', got '{spec}'")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any failure while importing user code is an input error, not a crash
        raise UsageError(f"cannot import '{module_name}' (from --app {spec}): {type(exc).__name__}: {exc}") from None
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise UsageError(f"'{module_name}' has no attribute '{attribute}' (from --app {spec})") from None
        except Exception as exc:
            raise UsageError(f"cannot build '{spec}': {type(exc).__name__}: {exc}") from None
    if not callable(target):
        raise UsageError(f"'{spec}' is a {type(target).__name__}, not an ASGI application")
    return target


def _check_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"--target must be an http(s) URL of the service root, e.g. http://localhost:8000, got '{url}'")
    return url


def _run(
    *,
    target: Optional[str],
    app_spec: Optional[str],
    app_dir: Optional[Path],
    key: str,
    tenant: Optional[str],
    suite: str,
    prefix: str,
    require_auth: bool,
    timeout: float,
    strict: bool,
    webhook_path: Optional[str],
    new_tenant: Optional[str] = None,
):
    import httpx
    from fastapi.testclient import TestClient

    from migrator.conformance import ConformanceError, run_conformance

    def run(client: httpx.Client):
        try:
            return run_conformance(
                client,
                api_key=key,
                suite=suite,
                tenant_id=tenant,
                prefix=prefix,
                require_auth=require_auth,
                target=target or f"app {app_spec}",
                strict=strict,
                new_tenant=new_tenant,
                **({"webhook_path": webhook_path} if webhook_path else {}),
            )
        except ConformanceError as exc:
            raise UsageError(str(exc)) from None

    if target is not None:
        with httpx.Client(base_url=_check_url(target), timeout=timeout) as client:
            return run(client)
    if app_dir is not None and not app_dir.is_dir():
        raise UsageError(f"--app-dir {app_dir} is not a directory")
    with _import_root(app_dir), _market_key_in_environment(key):
        app = load_app(app_spec or "")
        try:
            client = TestClient(app, raise_server_exceptions=False)
            client.__enter__()  # runs the app's lifespan (start-up)
        except Exception as exc:
            raise UsageError(f"the app '{app_spec}' failed to start: {type(exc).__name__}: {exc}") from None
        try:
            return run(client)
        finally:
            client.__exit__(None, None, None)


# The options of `migrator conform` (one alias each, so the command's signature stays a readable list).
_Target = Annotated[Optional[str], typer.Option(
    "--target", help="Root URL of a running service, e.g. http://localhost:8000.", show_default=False)]
_AppSpec = Annotated[Optional[str], typer.Option(
    "--app", help="An ASGI app to test in-process, as module:attribute.", show_default=False)]
_AppDir = Annotated[Optional[Path], typer.Option(
    "--app-dir", help="Directory to import --app from (the current directory is always searched).")]
_Key = Annotated[Optional[str], typer.Option(
    "--key", envvar=_KEY_ENV, show_envvar=True, show_default=False,
    help="The X-Market-API-Key value the service accepts.")]
_Tenant = Annotated[Optional[str], typer.Option(
    "--tenant", help="Id of an existing tenant; default: the first active one GET /api/tenant/list names.")]
_NewTenant = Annotated[Optional[str], typer.Option(
    "--new-tenant", help="The tenant id the lifecycle checks activate and deactivate (default: a fresh "
    "conformance_<n>). The --tenant itself declares a single-tenant deployment and puts its one tenant through "
    "the sequence (claimed for conform's contact when unclaimed); a deployment whose tenant list marks it "
    "'tenancy: single' is recognised without it, and not claimed or deactivated.", show_default=False)]
_SuiteOption = Annotated[Suite, typer.Option(
    "--suite", help="Which checks to run; full runs them all, plus auth.")]
_Strict = Annotated[bool, typer.Option(
    "--strict", help="Fail (not just count) mandatory operations answering 501 Not Implemented.")]
_WebhookPath = Annotated[Optional[str], typer.Option(
    "--webhook-path", help="The Service Market webhook (webhook suite); default: the auto-provision alias.")]
_FormatOption = Annotated[Format, typer.Option("--format", help="Report format.")]
_Output = Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the report to this file.")]
_Prefix = Annotated[str, typer.Option("--prefix", help="Path prefix of the Standard API.")]
_RequireAuth = Annotated[bool, typer.Option(
    "--require-auth", help="Fail (not skip) the auth checks when /mt answers without a key.")]
_Verbose = Annotated[bool, typer.Option("-v", "--verbose", help="List passed checks too (rich format).")]
_AllowEmpty = Annotated[bool, typer.Option(
    "--allow-empty", help="Pass a run in which no check ran (by default that is an error, exit 2).")]
_Timeout = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per request (--target only).")]


def conform(
    target: _Target = None,
    app_spec: _AppSpec = None,
    app_dir: _AppDir = None,
    key: _Key = None,
    tenant: _Tenant = None,
    new_tenant: _NewTenant = None,
    suite: _SuiteOption = Suite.full,
    strict: _Strict = False,
    webhook_path: _WebhookPath = None,
    fmt: _FormatOption = Format.rich,
    output: _Output = None,
    prefix: _Prefix = "/mt",
    require_auth: _RequireAuth = False,
    verbose: _Verbose = False,
    allow_empty: _AllowEmpty = False,
    timeout: _Timeout = 10.0,
) -> None:
    """Check that a service serves the Standard API v2 exactly as the Service Market expects."""
    try:
        if (target is None) == (app_spec is None):
            raise UsageError("give exactly one of --target URL or --app module:app")
        if not key:
            raise UsageError(f"no API key: pass --key KEY or set {_KEY_ENV}")
        report = _run(target=target, app_spec=app_spec, app_dir=app_dir, key=key, tenant=tenant, suite=suite.value,
                      prefix=prefix, require_auth=require_auth, timeout=timeout, strict=strict,
                      webhook_path=webhook_path, new_tenant=new_tenant)
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    ran = report.counts["passed"] + report.counts["failed"]
    if not ran and not allow_empty:  # nothing checked is not a pass
        typer.echo(f"error: no conformance check ran ({len(report.checks)} skipped, not implemented or not "
                   "applicable); pass --allow-empty if that is intended", err=True)
        raise typer.Exit(2)
    if output is not None:
        _write_report(report, output, fmt, verbose)
    else:
        _print_report(report, fmt, verbose)
    raise typer.Exit(0 if report.ok else 1)


def _write_report(report: Any, output: Path, fmt: Format, verbose: bool) -> None:
    """The report in `output` (exit 2 when it cannot be written), one summary line on the terminal."""
    from rich.console import Console

    from migrator.conformance.render import render_json, render_rich

    try:
        with output.open("w", encoding="utf-8") as handle:
            if fmt is Format.json:
                handle.write(render_json(report) + "\n")
            else:
                render_rich(report, Console(file=handle, width=120, no_color=True), verbose=verbose)
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    counts = report.counts
    typer.echo(
        f"{'conformant' if report.ok else 'NOT conformant'}: {counts['passed']} passed, {counts['failed']} failed,"
        f" {counts['not-implemented']} not implemented, {counts['not-applicable']} not applicable (report written "
        f"to {output})"
    )


def _print_report(report: Any, fmt: Format, verbose: bool) -> None:
    from rich.console import Console

    from migrator.conformance.render import render_json, render_rich

    if fmt is Format.json:
        typer.echo(render_json(report))
    else:
        render_rich(report, Console(), verbose=verbose)


def register(app: typer.Typer) -> None:
    app.command("conform")(conform)
