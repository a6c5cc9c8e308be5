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

import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel

from . import spec
from .standard_api.errors import TenantExistsError, TenantNotFoundError
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

    def service_id(self, market_id: str) -> Optional[str]:
        return self._one("SELECT service_id FROM market_tenant_ids WHERE market_id = ?", market_id)

    def market_id(self, service_id: str) -> Optional[str]:
        return self._one("SELECT market_id FROM market_tenant_ids WHERE service_id = ?", service_id)

    def record(self, market_id: str, service_id: str) -> bool:
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
    """`answer` with its ``tenant_id`` naming the market id (models and dicts; anything else as is)."""
    if isinstance(answer, BaseModel) and getattr(answer, "tenant_id", None) == service_id:
        return answer.model_copy(update={"tenant_id": market_id})
    if isinstance(answer, dict) and answer.get("tenant_id") == service_id:
        return {**answer, "tenant_id": market_id}
    return answer


class MarketTenantIds:
    """`handler`, served under the market's tenant ids (see the module docstring). Any attribute that is not a
    tenant operation is the handler's own (``service_version``, ``public_url``, hooks without a tenant, ...)."""

    def __init__(self, handler: Any, ids: TenantIdMap) -> None:
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

    def to_service(self, market_id: str) -> str:
        """The service's id for `market_id`: its mapping, else the id itself, unless that id belongs to another
        market id (then no tenant has that name: 404)."""
        mapped = self.ids.service_id(market_id)
        if mapped is not None:
            return mapped
        if self.ids.market_id(market_id) is not None:
            raise TenantNotFoundError(market_id)
        return market_id

    def _scoped(self, name: str) -> Callable[..., Any]:
        async def operation(tenant_id: str, *args: Any) -> Any:
            service_id = self.to_service(tenant_id)
            answer = await call_operation(self.handler, name, service_id, *args)
            return _renamed(answer, service_id, tenant_id)

        operation.__name__ = name
        return operation

    async def list_tenants(self) -> list[Any]:
        tenants = await call_operation(self.handler, "list_tenants")
        out = []
        for tenant in tenants:
            service_id = tenant.tenant_id if isinstance(tenant, BaseModel) else (tenant or {}).get("tenant_id")
            market_id = self.ids.market_id(str(service_id)) if service_id is not None else None
            out.append(_renamed(tenant, service_id, market_id) if market_id else tenant)
        return out

    async def activate_tenant(self, request: Any) -> Any:
        market_id = request.tenant_id
        mapped = self.ids.service_id(market_id)
        if mapped is not None:  # a tenant created for this market id: a reactivation (or a refusal) of it
            answer = await call_operation(self.handler, "activate_tenant",
                                          request.model_copy(update={"tenant_id": mapped}))  # fmt: skip
            return _renamed(answer, mapped, market_id)
        if self.ids.market_id(market_id) is not None:
            raise TenantExistsError(market_id)
        answer = await call_operation(self.handler, "activate_tenant", request)
        created = getattr(answer, "tenant_id", None) if not isinstance(answer, dict) else answer.get("tenant_id")
        success = getattr(answer, "success", None) if not isinstance(answer, dict) else answer.get("success")
        if success and created and created != market_id and self.ids.record(market_id, str(created)):
            return _renamed(answer, created, market_id)
        return answer
