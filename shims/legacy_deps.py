"""Legacy route dependencies for generated handler code, obtained exactly as FastAPI obtains them.

A generated handler method receives the standard ``tenant_id`` (a string from ``/mt/tenant/{tenant_id}/...``). The
legacy logic it calls needs what its route's parameters gave it: a tenant *object* from a dependency (a class whose
``__init__`` reads ``X-Tenant-ID`` and 404s for an unknown tenant), an ``int`` tenant id, a database session from a
``yield`` dependency or an async generator, an ``Annotated`` alias, nested ``Depends``. `legacy_inputs` solves them
with FastAPI's own dependency machinery for a synthetic legacy request carrying the tenant id where the legacy
route reads it::

    async def _dashboard_inputs(tenant: Tenant, db: SessionDep) -> None:
        \"\"\"The legacy route's tenant and resource parameters (signature copied from the route).\"\"\"

    async def get_tenant_stats(self, tenant_id: str, period: str) -> StatsResponse:
        async with legacy_inputs(_dashboard_inputs, tenant_id=tenant_id, tenant_in=("header", "X-Tenant-ID")) as deps:
            dashboard = await self.legacy_get_dashboard(**deps)
        ...

What behaves as in the legacy route:
- validation and type conversion: an id the legacy parameter rejects (``tenant_id: int`` given "abc") names no
  tenant: `TenantNotFoundError` (404 TENANT_NOT_FOUND); other validation errors: `InvalidRequestError` (400);
- a dependency's own ``HTTPException``: 404 → `TenantNotFoundError`, 400/422 → `InvalidRequestError`, anything
  else (401, 403, 5xx) passes through unchanged for the router to answer;
- ``yield`` dependencies (sync or async generators, context-manager classes, nested, cached per solve) are entered
  before the block and closed after it in FastAPI's order (``scope="function"`` ones first); an exception raised in
  the block is thrown into them, so a session dependency commits on success and rolls back on error; one that
  swallows the exception raises `FastAPIError`, as FastAPI does;
- ``app.dependency_overrides`` of the application serving the current Standard API call (see
  `shims.request_context`) are honoured; ``request.app`` and ``request.state`` are the real ones.

What is not provided: the body (``inputs_fn`` may not declare body parameters), request headers other than the
tenant's (the caller's credentials never reach legacy dependencies: auth parameters do not belong in
``inputs_fn``), background tasks and the ``Response`` a dependency may modify (both are dropped).

`SingleTenant` serves deployments that hold one tenant (``[tool.migrator] tenant`` / ``tenant_env``).

A Standard API call carries no end-user credential, but legacy code may need the caller's identity (``admin:
Admin = Depends(current_admin)`` whose body reads ``admin.username``). The service's maintainer says who acts for a
standard call with a dependency of their own (``[tool.migrator] identity = "pkg.module:function"``); `legacy_inputs`
gives it in place of the route's auth dependency for that solve only (``identity={"admin": service_identity}``; the
legacy routes keep their real auth). That dependency may itself depend on what FastAPI solves (a session) and on
`standard_tenant_id`, the tenant id of the standard call.

FastAPI internals (``get_dependant``, ``solve_dependencies`` and the scope keys of its exit stacks) are used by
`_dependant`, `_solve` and `_synthetic_request` only; tested with FastAPI 0.110.3, 0.115.12, 0.120.0 and 0.165.
A FastAPI that changed them makes `_solve` raise `LegacyInputsError` naming the version, never a silent misbehaviour.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Literal, Optional
from urllib.parse import urlencode

from fastapi.exceptions import FastAPIError, RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from .adapters.legacy_errors import detail_text, http_error_of
from .request_context import current_request
from .standard_api.errors import InvalidRequestError, StandardAPIError, TenantNotFoundError

__all__ = ["LegacyInputsError", "SingleTenant", "TenantIn", "legacy_inputs", "standard_tenant_id"]

#: where the legacy route reads the tenant id: ("header", "X-Tenant-ID"), ("path", "tenant_id"), ("query", "tenant")
TenantIn = tuple[Literal["header", "path", "query"], str]

_MISSING_TYPES = {"missing", "value_error.missing"}
_TENANT_KEY = "migrator.standard_tenant_id"  # the synthetic request's scope key holding the standard call's tenant


class LegacyInputsError(RuntimeError):
    """The legacy inputs cannot be obtained for a reason that is the service's, not the caller's: a dependency needs
    a request input the standard call does not carry, the single-tenant configuration is missing, or FastAPI changed
    the internals used here. The standard router answers 500 and logs this message."""


# --- the only code that knows FastAPI's dependency internals --------------------------------------------------------

_DEPENDANTS: dict[tuple[Callable[..., Any], str], Any] = {}


def _dependant(inputs_fn: Callable[..., Any], path: str = "") -> Any:
    """FastAPI's `Dependant` of `inputs_fn`, built once (as FastAPI builds a route's once). `path` names the path
    parameters (``/{tenant_id}``), so that a plain ``tenant_id: int`` is read from the path as in the route."""
    cached = _DEPENDANTS.get((inputs_fn, path))
    if cached is not None:
        return cached
    from fastapi.dependencies.utils import get_dependant

    dependant = get_dependant(path=path, call=inputs_fn)
    body = _body_params(dependant)
    if body:
        raise TypeError(
            f"{getattr(inputs_fn, '__qualname__', inputs_fn)}: legacy_inputs cannot provide body parameters "
            f"({', '.join(body)}); pass the body to the legacy method yourself"
        )
    _DEPENDANTS[(inputs_fn, path)] = dependant
    return dependant


def _body_params(dependant: Any) -> list[str]:
    names = [field.name for field in dependant.body_params]
    for sub in dependant.dependencies:
        names += _body_params(sub)
    return names


def _solver() -> tuple[Callable[..., Any], dict[str, Any]]:
    from fastapi.dependencies.utils import solve_dependencies

    accepted = inspect.signature(solve_dependencies).parameters
    extra: dict[str, Any] = {}
    if "embed_body_fields" in accepted:  # FastAPI >= 0.113
        extra["embed_body_fields"] = False
    known = {"request", "dependant", "dependency_overrides_provider", "async_exit_stack", *extra}
    for name, param in accepted.items():
        if param.default is inspect.Parameter.empty and name not in known:
            raise LegacyInputsError(f"FastAPI {_fastapi_version()}: solve_dependencies() now requires `{name}`; "
                                    "shims.legacy_deps supports FastAPI 0.110 to 0.165")
    return solve_dependencies, extra


class _Overrides:
    """A `dependency_overrides_provider` for one solve: the app's overrides plus the identity's."""

    def __init__(self, app: Any, extra: Mapping[Callable[..., Any], Callable[..., Any]]) -> None:
        self.dependency_overrides = {**(getattr(app, "dependency_overrides", None) or {}), **extra}


def _identity_overrides(dependant: Any, identity: Mapping[str, Callable[..., Any]]) -> dict[Any, Any]:
    """{the dependency of each named parameter: the dependency giving the identity instead}."""
    by_name = {sub.name: sub for sub in dependant.dependencies}
    overrides: dict[Any, Any] = {}
    for name, provider in identity.items():
        sub = by_name.get(name)
        if sub is None or sub.call is None:
            raise TypeError(f"legacy_inputs: identity names `{name}`, which is no dependency parameter of the inputs "
                            "function")
        overrides[sub.call] = provider
    return overrides


async def _solve(dependant: Any, request: Request, app: Any, stack: AsyncExitStack,
                 overrides: Optional[Mapping[Any, Any]] = None) -> tuple[dict[str, Any], list]:
    """(values, errors) of FastAPI's own solver; yield dependencies enter `stack` (and the scope's stacks).
    `overrides` replace dependencies for this solve only, over the app's own."""
    solve, extra = _solver()
    provider = _Overrides(app, overrides) if overrides else app
    result = await solve(
        request=request, dependant=dependant, dependency_overrides_provider=provider, async_exit_stack=stack, **extra
    )
    if isinstance(result, tuple):  # FastAPI < 0.112: (values, errors, background_tasks, response, cache)
        return result[0], list(result[1])
    try:
        return result.values, list(result.errors)
    except AttributeError:
        raise LegacyInputsError(
            f"FastAPI {_fastapi_version()}: solve_dependencies() returned {type(result).__name__}; "
            "shims.legacy_deps supports FastAPI 0.110 to 0.165"
        ) from None


def _fastapi_version() -> str:
    import fastapi

    return getattr(fastapi, "__version__", "?")


def _query_value(value: Any) -> Any:
    value = getattr(value, "value", value)  # an Enum member travels as its value
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _query_pairs(query: Optional[Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """The standard inputs as legacy query parameters (None: left out, so the legacy default applies)."""
    pairs: list[tuple[str, Any]] = []
    for name, value in (query or {}).items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs += [(name, _query_value(item)) for item in values]
    return pairs


def _synthetic_request(
    tenant_id: Optional[str],
    tenant_in: Optional[TenantIn],
    app: Any,
    stacks: tuple[AsyncExitStack, AsyncExitStack],
    query_pairs: Sequence[tuple[str, Any]] = (),
) -> Request:
    """A legacy ``GET /`` carrying only the tenant id, where `tenant_in` says (never the caller's credentials), and
    the query parameters the standard call maps to legacy ones."""
    base = current_request()
    headers: list[tuple[bytes, bytes]] = []
    query, path_params = urlencode(list(query_pairs)).encode("utf-8"), {}
    if base is not None and "host" in base.headers:
        headers.append((b"host", base.headers["host"].encode("latin-1")))
    if tenant_in is not None and tenant_id is not None:
        kind, name = tenant_in
        if kind == "header":
            try:
                headers.append((name.lower().encode("latin-1"), tenant_id.encode("latin-1")))
            except UnicodeEncodeError:  # cannot travel in a legacy header: it names no tenant there
                raise TenantNotFoundError(tenant_id) from None
        elif kind == "query":
            query = urlencode([*query_pairs, (name, tenant_id)]).encode("utf-8")
        elif kind == "path":
            path_params[name] = tenant_id
        else:
            raise ValueError(f"tenant_in: expected header, path or query, got {kind!r}")
    request_stack, function_stack = stacks
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": base.url.scheme if base is not None else "http",
        "server": base.scope.get("server") if base is not None else None,
        "client": None,
        "root_path": base.scope.get("root_path", "") if base is not None else "",
        "path": "/",
        "raw_path": b"/",
        "query_string": query,
        "headers": headers,
        "path_params": path_params,
        # where the FastAPI versions look for the exit stacks of yield dependencies
        "fastapi_astack": request_stack,
        "fastapi_inner_astack": request_stack,
        "fastapi_function_astack": function_stack,
        _TENANT_KEY: tenant_id,
    }
    if app is not None:
        scope["app"] = app
    if base is not None and "state" in base.scope:
        scope["state"] = base.scope["state"]  # the same object: what middleware put there is visible
    return Request(scope)


# --- the API generated code uses ------------------------------------------------------------------------------------


@asynccontextmanager
async def legacy_inputs(
    inputs_fn: Callable[..., Any],
    *,
    tenant_id: Optional[str] = None,
    tenant_in: Optional[TenantIn] = None,
    app: Any = None,
    query: Optional[Mapping[str, Any]] = None,
    identity: Optional[Mapping[str, Callable[..., Any]]] = None,
) -> AsyncIterator[dict[str, Any]]:
    """The values of `inputs_fn`'s parameters, as FastAPI would pass them for a legacy request with `tenant_id`.

    `inputs_fn` is only inspected, never called. `tenant_in` is where the legacy route reads the id (None: it reads
    none, e.g. a single-tenant service). `query`: legacy query parameters the standard call gives (``{"days": 30,
    "q": None}``; None values are left out so the legacy default applies), converted and validated by FastAPI as the
    route did (a value the legacy parameter rejects is `InvalidRequestError`). `app` defaults to the application
    serving the current Standard API call; its ``dependency_overrides`` apply. `identity`: parameter name of
    `inputs_fn` -> the dependency giving the identity a standard call acts as, solved in place of that parameter's
    own dependency (for this call only). Dependencies are closed when the block ends; see the module docstring for
    how errors translate.
    """
    dependant = _dependant(inputs_fn, f"/{{{tenant_in[1]}}}" if tenant_in and tenant_in[0] == "path" else "")
    overrides = _identity_overrides(dependant, identity) if identity else None
    if app is None:
        base = current_request()
        app = base.scope.get("app") if base is not None else None
    solving, completed = True, False
    try:
        async with AsyncExitStack() as request_stack:
            async with AsyncExitStack() as function_stack:
                request = _synthetic_request(tenant_id, tenant_in, app, (request_stack, function_stack),
                                             _query_pairs(query))
                values, errors = await _solve(dependant, request, app, request_stack, overrides)
                if errors:
                    raise RequestValidationError(errors)  # through the dependencies, as in FastAPI
                solving = False
                yield dict(values)
                completed = True
    except RequestValidationError as exc:
        if not solving:
            raise
        raise _from_validation(exc.errors(), tenant_id, tenant_in, inputs_fn) from None
    except Exception as exc:
        standard = isinstance(exc, StandardAPIError)
        http = http_error_of(exc) if solving and not standard else None  # HTTPException, domain error with a status
        error = _from_http(http, tenant_id) if http is not None else None
        if error is None:
            raise
        raise error from exc
    if not completed and not solving:
        raise FastAPIError(
            f"{getattr(inputs_fn, '__qualname__', inputs_fn)}: a dependency with yield caught the block's exception "
            "and did not raise it again"
        )


def _is_tenant_location(loc: Sequence[Any], tenant_in: Optional[TenantIn]) -> bool:
    if tenant_in is None or len(loc) < 2:
        return False
    kind, name = tenant_in
    return str(loc[0]) == kind and str(loc[-1]).lower() == name.lower()


def _from_validation(
    errors: Sequence[Any], tenant_id: Optional[str], tenant_in: Optional[TenantIn], inputs_fn: Callable[..., Any]
) -> Exception:
    errors = [e for e in errors if isinstance(e, dict)]
    if tenant_id is not None and any(_is_tenant_location(e.get("loc", ()), tenant_in) for e in errors):
        return TenantNotFoundError(tenant_id)
    missing = [".".join(str(p) for p in e.get("loc", ())) for e in errors if e.get("type") in _MISSING_TYPES]
    if missing:
        return LegacyInputsError(
            f"{getattr(inputs_fn, '__qualname__', inputs_fn)} needs {', '.join(missing)}, which a Standard API call "
            "does not carry (only the tenant id is given)"
        )
    return InvalidRequestError(detail_text(errors))


def _from_http(exc: HTTPException, tenant_id: Optional[str]) -> Optional[Exception]:
    if exc.status_code == 404:
        return TenantNotFoundError(tenant_id or "")
    if exc.status_code in (400, 422):
        return InvalidRequestError(detail_text(exc.detail))
    return None


class SingleTenant:
    """The one tenant a single-tenant deployment serves: any other id names no tenant (404 TENANT_NOT_FOUND).

    ``SingleTenant("acme")`` bakes the id (``[tool.migrator] tenant``); ``SingleTenant(env="ACME_TENANT")`` reads
    it from the environment at each call (``tenant_env``); with both, a set variable wins over the baked id.
    """

    def __init__(self, tenant_id: Optional[str] = None, *, env: Optional[str] = None) -> None:
        if not tenant_id and not env:
            raise ValueError("SingleTenant needs a tenant id or the name of an environment variable")
        self.default, self.env = tenant_id or None, env or None

    @property
    def tenant_id(self) -> str:
        if self.env:
            value = os.environ.get(self.env, "").strip()
            if value:
                return value
        if self.default:
            return self.default
        raise LegacyInputsError(f"this deployment serves one tenant, named by ${self.env}, which is not set")

    def check(self, tenant_id: str) -> str:
        """`tenant_id` itself when it is this deployment's tenant, else `TenantNotFoundError`."""
        if tenant_id != self.tenant_id:
            raise TenantNotFoundError(tenant_id)
        return tenant_id

    def __repr__(self) -> str:
        return f"SingleTenant({self.default!r}, env={self.env!r})"


def standard_tenant_id(request: Request) -> str:
    """The tenant id of the Standard API call being served, for the dependency that gives the identity a standard
    call acts as (``[tool.migrator] identity``): ``def service_identity(tenant_id: str =
    Depends(standard_tenant_id)) -> Admin``. Only `legacy_inputs` gives it (`LegacyInputsError` elsewhere)."""
    tenant_id = request.scope.get(_TENANT_KEY)
    if tenant_id is None:
        raise LegacyInputsError("standard_tenant_id is only given to dependencies solved for a Standard API call "
                                "(shims.legacy_deps.legacy_inputs with a tenant_id)")
    return tenant_id
