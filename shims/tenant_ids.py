"""The Service Market's tenant ids for a service whose database assigns its own (an autoincrement key).

The market names a tenant before it exists (``POST /mt/tenant/{id}/activate``: exactly ``{id}`` or nothing). A
service that numbers its tenants itself cannot create that id; `MarketTenantIds` serves its handler under the
market's ids instead: the first successful activation of a market id records which tenant the service created for
it (`TenantIdMap`, a small SQLite file), and from then on every operation on the market id reaches that tenant and
every answer names the market id. Tenants the service knew before (seeded, registered through its own routes) keep
their own ids; a service id that a market id maps to is reachable only through that market id, so a tenant is never
served under two names.

    market_handler = MarketTenantIds(ClassroomMarketHandler(), TenantIdMap(path_env="CLASSROOM_TENANT_IDS",
                                                                            default_path=".../tenant-ids.sqlite3"))

The map file: ``$<path_env>`` when set, else `default_path` (phase 1 generates ``<service root>/.migrator/
tenant-ids.sqlite3``); keep it with the service's data (a database rebuilt from scratch needs a new map too).
"""

from __future__ import annotations

import inspect
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from . import spec
from .standard_api.errors import StandardAPIError, TenantExistsError, TenantNotFoundError
from .standard_api.interop import call_operation

__all__ = ["MarketTenantIds", "TenantIdMap"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS market_tenant_ids (
    market_id  TEXT PRIMARY KEY,
    service_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
)
"""
#: operations whose first argument is the tenant id (their standard path names it)
TENANT_SCOPED = frozenset(op.name for op in spec.OPERATIONS if "{tenant_id}" in op.path) - {"activate_tenant"}


class TenantIdMap:
    """market id ⇄ service id, persisted."""

    def __init__(self, *, path_env: str, default_path: str | os.PathLike) -> None:
        self.path_env = path_env
        self.default_path = Path(default_path)
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        configured = os.environ.get(self.path_env, "").strip()
        return Path(configured).expanduser() if configured else self.default_path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def _one(self, sql: str, value: str) -> Optional[str]:
        with self._lock:
            conn = self._connect()
            try:
                row = conn.execute(sql, (value,)).fetchone()
            finally:
                conn.close()
        return row[0] if row else None

    def service_id_of(self, market_id: str) -> Optional[str]:
        return self._one("SELECT service_id FROM market_tenant_ids WHERE market_id = ?", market_id)

    def market_id_of(self, service_id: str) -> Optional[str]:
        return self._one("SELECT market_id FROM market_tenant_ids WHERE service_id = ?", service_id)

    def record_market_id(self, market_id: str, service_id: str) -> bool:
        """Remember the pair; False when either id is mapped already (nothing changes)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    conn.execute("INSERT INTO market_tenant_ids (market_id, service_id, created_at) VALUES (?, ?, ?)",
                                 (market_id, service_id, now))  # fmt: skip
                return True
            except sqlite3.IntegrityError:
                return False
            finally:
                conn.close()


def _renamed(answer: Any, service_id: str, market_id: str) -> Any:
    """`answer` with its ``tenant_id`` (and a ``message`` quoting it) naming the market id (models and dicts)."""
    def message(text: Any) -> Any:
        return text.replace(f"'{service_id}'", f"'{market_id}'") if isinstance(text, str) else text

    if isinstance(answer, BaseModel) and getattr(answer, "tenant_id", None) == service_id:
        update = {"tenant_id": market_id}
        if isinstance(getattr(answer, "message", None), str):
            update["message"] = message(answer.message)
        return answer.model_copy(update=update)
    if isinstance(answer, dict) and answer.get("tenant_id") == service_id:
        return {**answer, "tenant_id": market_id, **({"message": message(answer["message"])} if "message" in answer
                                                     else {})}
    return answer


class MarketTenantIds:
    """`handler`, served under the market's tenant ids (see the module docstring). `ids` is the map: a `TenantIdMap`,
    or any object with ``service_id_of(market_id)``, ``market_id_of(service_id)`` and ``record_market_id(market_id,
    service_id) -> bool`` (sync or async; phase 1 generates them in the service's tenant-registry module, so that
    the map lives in the service's own database). Any attribute that is not a tenant operation is the handler's own
    (``service_version``, ``public_url``, hooks without a tenant, ...)."""

    def __init__(self, handler: Any, ids: Any) -> None:
        self.handler = handler
        self.ids = ids

    @property
    def public_url(self) -> Optional[str]:
        from .adapters.lifecycle import public_url_for

        return public_url_for(self.handler)

    def __getattr__(self, name: str) -> Any:
        if name in TENANT_SCOPED or name == "before_deactivate":
            return self._scoped(name)
        return getattr(self.handler, name)

    async def _ids(self, function: str, *args: str) -> Any:
        method = getattr(self.ids, function)
        if inspect.iscoroutinefunction(method):
            return await method(*args)
        return await run_in_threadpool(method, *args)

    async def to_service(self, market_id: str) -> str:
        """The service's id for `market_id`: its mapping, else the id itself, unless that id belongs to another
        market id (then no tenant has that name: 404)."""
        mapped = await self._ids("service_id_of", market_id)
        if mapped is not None:
            return str(mapped)
        if await self._ids("market_id_of", market_id) is not None:
            raise TenantNotFoundError(market_id)
        return market_id

    async def service_tenant_id(self, market_id: str) -> str:
        """The service's own id of `market_id` (`to_service`): the id its access URLs name, whichever path (creation,
        reactivation, the webhook's reuse by e-mail) answers the tenant."""
        return await self.to_service(market_id)

    def _scoped(self, name: str) -> Callable[..., Any]:
        async def operation(tenant_id: str, *args: Any) -> Any:
            service_id = await self.to_service(tenant_id)
            with _named(service_id, tenant_id):
                answer = await call_operation(self.handler, name, service_id, *args)
            return _renamed(answer, service_id, tenant_id)

        operation.__name__ = name
        return operation

    async def tenant_of_contact(self, email: str) -> Optional[str]:
        """The market id of the tenant this contact e-mail owns (the webhook's reuse rule), if the handler knows."""
        lookup = getattr(self.handler, "tenant_of_contact", None)
        if not callable(lookup):  # the tenant list's e-mails, as the webhook reads them without this method
            wanted = email.strip().lower()
            try:
                tenants = await self.list_tenants()
            except StandardAPIError:  # no list either: the legacy provisioning applies its own reuse rule
                return None
            for tenant in tenants:
                data = tenant.model_dump() if isinstance(tenant, BaseModel) else dict(tenant or {})
                if str(data.get("email") or "").strip().lower() == wanted:
                    return data.get("tenant_id")
            return None
        service_id = await lookup(email)
        if service_id is None:
            return None
        return await self._ids("market_id_of", str(service_id)) or str(service_id)

    async def list_tenants(self) -> list[Any]:
        tenants = await call_operation(self.handler, "list_tenants")
        out = []
        for tenant in tenants:
            service_id = tenant.tenant_id if isinstance(tenant, BaseModel) else (tenant or {}).get("tenant_id")
            market_id = await self._ids("market_id_of", str(service_id)) if service_id is not None else None
            out.append(_renamed(tenant, service_id, market_id) if market_id else tenant)
        return out

    async def activate_tenant(self, request: Any) -> Any:
        market_id = request.tenant_id
        mapped = await self._ids("service_id_of", market_id)
        if mapped is not None:  # a tenant created for this market id: a reactivation (or a refusal) of it
            with _named(str(mapped), market_id):
                answer = await call_operation(self.handler, "activate_tenant",
                                              request.model_copy(update={"tenant_id": str(mapped)}))  # fmt: skip
            return _renamed(answer, str(mapped), market_id)
        if await self._ids("market_id_of", market_id) is not None:
            raise TenantExistsError(market_id)
        answer = await call_operation(self.handler, "activate_tenant", request)
        created = getattr(answer, "tenant_id", None) if not isinstance(answer, dict) else answer.get("tenant_id")
        success = getattr(answer, "success", None) if not isinstance(answer, dict) else answer.get("success")
        if success and created and created != market_id and await self._ids("record_market_id", market_id,
                                                                           str(created)):
            return _renamed(answer, str(created), market_id)
        return answer


@contextmanager
def _named(service_id: str, market_id: str) -> Iterator[None]:
    """Errors naming the service's id name the market's instead (the caller knows no other)."""
    try:
        yield
    except (TenantNotFoundError, TenantExistsError) as exc:
        if exc.message.find(f"'{service_id}'") < 0 and exc.message.find(f" {service_id} ") < 0:
            raise
        raise type(exc)(market_id) from None
