"""The tenant lifecycle of a single-tenant deployment: the deployment is the tenant.

A service with no tenant registry (one deployment, one database per customer: ``[tool.migrator] tenant``) still
answers the Service Market's lifecycle calls. `DeploymentLifecycle` keeps a small state file (JSON) for the one
tenant the deployment serves (`shims.legacy_deps.SingleTenant`) and `DeactivationGuard` makes deactivation real.

Semantics:

- **status**: ``active`` until deactivated; plan and features are those of the activation (else the ones given
  when the lifecycle was built), ``created_at`` the moment the state was first written (the deployment's first
  Standard API lifecycle call), ``updated_at`` the last change. Any other tenant id: 404 TENANT_NOT_FOUND.
- **activate** ``{id}``: only this deployment's tenant can be activated here; another id is 409 TENANT_EXISTS (the
  deployment is taken: it never becomes someone else's). The first activation *claims* the deployment for its
  contact e-mail; later ones are reactivations, allowed to that contact only and only when deactivated
  (`shims.adapters.check_reactivation`: anything else is 409).
- **deactivate**: status ``deactivated``, the reason and ``preserve_data`` recorded; **no data is deleted**
  (``preserve_data: false`` only means no retention date is promised). Deactivating again is answered the same.
- **the Service Market's view** (tenant list and status): the one tenant, its claiming contact's e-mail and
  ``tenancy: "single"`` (so that `migrator conform` knows it checks a single-tenant deployment).
- **while deactivated**, `DeactivationGuard` answers 403 ``{"detail": "This deployment is deactivated"}`` to every
  request outside the Standard API (``/mt``), the Service Market paths (``/api/tenant``) and ``/health``, so the
  legacy routes stop serving; reactivation lifts it at once (the guard rereads the state when its file changes).

The state file: ``$<state_env>`` when set, else `default_path` (phase 1 generates ``<service root>/.migrator/
lifecycle.json``, next to the migration journal). Writes are atomic (a temporary file renamed over it) and
serialised with an advisory lock, so several worker processes share one state. A state file that cannot be parsed
is an error naming it (500 on the wire, logged), never silently "active".
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ValidationError

from .adapters.lifecycle import access_url_for, check_reactivation, deactivation_response, reactivation_response
from .legacy_deps import SingleTenant
from .standard_api.errors import TenantExistsError
from .standard_api.models import (
    ActivateRequest,
    ActivateResponse,
    DeactivateRequest,
    DeactivateResponse,
    StatusResponse,
    TenantSummary,
)

try:  # POSIX: serialise writers across processes; elsewhere the rename alone keeps the file whole
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["SINGLE_TENANCY", "TENANCY_FIELD", "DeactivationGuard", "DeploymentLifecycle", "DeploymentState",
           "LifecycleStateError"]

logger = logging.getLogger("shims.lifecycle")

#: the field of the Service Market's tenant view (list, status) saying the deployment serves this one tenant only
#: (`migrator conform` reads it to check the deployment as such)
TENANCY_FIELD, SINGLE_TENANCY = "tenancy", "single"

EXEMPT_PREFIXES = ("/mt", "/api/tenant", "/health", "/healthz", "/docs", "/redoc", "/openapi.json")


class LifecycleStateError(RuntimeError):
    """The state file cannot be read or written; the message names it (the router answers 500 and logs it)."""


class DeploymentState(BaseModel):
    """What the state file holds."""

    tenant_id: str
    status: Literal["active", "deactivated"] = "active"
    owner_email: Optional[str] = None  # the contact of the activation that claimed the deployment
    tenant_name: Optional[str] = None
    plan: Optional[str] = None
    features: list[str] = []
    created_at: str
    updated_at: str
    deactivated_at: Optional[str] = None
    reason: Optional[str] = None
    data_preserved: Optional[bool] = None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class DeploymentLifecycle:
    """Status, activation and deactivation of the one tenant a deployment serves."""

    def __init__(self, tenant: SingleTenant, *, state_env: str, default_path: str | os.PathLike,
                 clock: Optional[Callable[[], datetime]] = None, plan: str = "single-tenant",
                 features: Sequence[str] = ()) -> None:  # fmt: skip
        self.tenant = tenant
        self.state_env = state_env
        self.default_path = Path(default_path)
        self.clock = clock or _utcnow
        self.plan = plan
        self.features = list(features)
        self._lock = threading.Lock()
        self._cached: tuple[Optional[tuple[int, int]], Optional[DeploymentState]] = (None, None)

    # -- the state file -----------------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        configured = os.environ.get(self.state_env, "").strip()
        return Path(configured).expanduser() if configured else self.default_path

    def _read(self) -> Optional[DeploymentState]:
        path = self.path
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LifecycleStateError(f"{path}: cannot read the deployment's lifecycle state: {exc.strerror}") from None
        key = (stat.st_mtime_ns, stat.st_size)
        if self._cached[0] == key:
            return self._cached[1]
        try:
            state = DeploymentState.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            raise LifecycleStateError(f"{path}: the deployment's lifecycle state is not valid JSON of "
                                      "DeploymentState (fix or remove it)") from None
        self._cached = (key, state)
        return state

    def _write(self, state: DeploymentState) -> None:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".lifecycle-", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps(state.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
            os.replace(temporary, path)
        except OSError as exc:
            raise LifecycleStateError(f"{path}: cannot write the deployment's lifecycle state: {exc}") from None
        self._cached = (None, None)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """One writer at a time: a thread lock here and an advisory lock on ``<state>.lock`` across processes."""
        with self._lock:
            lock_path = self.path.with_name(self.path.name + ".lock")
            try:
                lock_path.parent.mkdir(parents=True, exist_ok=True)
                handle = open(lock_path, "a+")
            except OSError as exc:
                raise LifecycleStateError(f"{lock_path}: cannot lock the deployment's lifecycle state: {exc}") from None
            with handle:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                yield

    def _current(self) -> DeploymentState:
        """The state, written for the first time when there is none (the deployment is active, unclaimed)."""
        state = self._read()
        if state is not None and state.tenant_id == self.tenant.tenant_id:
            return state
        with self._changing():
            return self._current_locked()

    def _current_locked(self) -> DeploymentState:
        state = self._read()
        tenant_id = self.tenant.tenant_id
        if state is None or state.tenant_id != tenant_id:  # a first call, or the deployment serves another id now
            now = _iso(self.clock())
            state = DeploymentState(tenant_id=tenant_id, plan=self.plan, features=self.features, created_at=now,
                                    updated_at=now)  # fmt: skip
            self._write(state)
        return state

    # -- the operations -----------------------------------------------------------------------------------------

    def is_active(self) -> bool:
        state = self._read()
        return state is None or state.tenant_id != self.tenant.tenant_id or state.status == "active"

    def status(self, tenant_id: str) -> StatusResponse:
        self.tenant.check(tenant_id)
        state = self._current()
        return StatusResponse(tenant_id=state.tenant_id, status=state.status, plan=state.plan or self.plan,
                              features=state.features, created_at=state.created_at, updated_at=state.updated_at)

    def summary(self, tenant_id: str) -> TenantSummary:
        """The Service Market's view of the tenant (``/api/tenant/status/{id}``); its e-mail is the claiming
        contact's (the webhook's reuse rule answers that contact's applications with this tenant)."""
        self.tenant.check(tenant_id)
        state = self._current()
        return TenantSummary(tenant_id=state.tenant_id, university_name=state.tenant_name, email=state.owner_email,
                             status=state.status, created_at=state.created_at, **{TENANCY_FIELD: SINGLE_TENANCY})

    def tenants(self) -> list[TenantSummary]:
        """The Service Market's tenant list: this deployment's one tenant."""
        return [self.summary(self.tenant.tenant_id)]

    def activate(self, request: ActivateRequest, *, public_url: Optional[str]) -> ActivateResponse:
        served = self.tenant.tenant_id
        if request.tenant_id != served:
            raise TenantExistsError(request.tenant_id, f"this deployment serves the tenant '{served}' only: "
                                                       f"'{request.tenant_id}' cannot be created here")
        with self._changing():
            state = self._current_locked()
            if state.owner_email is not None:
                check_reactivation(request, status=state.status, owner_email=state.owner_email)
            claimed = state.owner_email is None
            changed = state.model_copy(update={
                "status": "active", "owner_email": state.owner_email or request.contact.email.strip(),
                "tenant_name": request.tenant_name, "plan": request.plan or state.plan,
                "features": list(request.features) or state.features, "updated_at": _iso(self.clock()),
                "deactivated_at": None, "reason": None, "data_preserved": None,
            })  # fmt: skip
            self._write(changed)
        access_url = access_url_for(public_url or "", served) if public_url else ""
        if claimed:
            logger.info("deployment tenant %s activated for its contact", served)
            return ActivateResponse(success=True, tenant_id=served, access_url=access_url,
                                    message=f"Tenant '{served}' activated")  # fmt: skip
        logger.info("deployment tenant %s reactivated", served)
        return reactivation_response(served, access_url)

    def deactivate(self, tenant_id: str, request: DeactivateRequest) -> DeactivateResponse:
        self.tenant.check(tenant_id)
        now = self.clock()
        with self._changing():
            state = self._current_locked()
            if state.status != "deactivated":
                self._write(state.model_copy(update={
                    "status": "deactivated", "updated_at": _iso(now), "deactivated_at": _iso(now),
                    "reason": request.reason, "data_preserved": request.preserve_data,
                }))  # fmt: skip
                logger.info("deployment tenant %s deactivated", tenant_id)
        return deactivation_response(tenant_id, request, now=now)


class DeactivationGuard:
    """ASGI middleware: while the deployment is deactivated, 403 on every path outside `exempt` (the Standard API,
    the Service Market paths, health and the API documents)."""

    def __init__(self, app: Any, lifecycle: DeploymentLifecycle, exempt: Sequence[str] = EXEMPT_PREFIXES) -> None:
        self.app = app
        self.lifecycle = lifecycle
        self.exempt = tuple(exempt)

    def _exempt(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in self.exempt)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or self._exempt(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        try:
            active = self.lifecycle.is_active()
        except LifecycleStateError:
            logger.exception("deactivation guard: the lifecycle state cannot be read")
            active = False  # fail closed: an unreadable state must not reopen a deactivated deployment
        if active:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": "This deployment is deactivated"}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
