"""The school a request is for, as an object: `tenant: Tenant` in a route.

`TenantContext` is a class dependency. FastAPI builds it from the `X-Tenant-ID` header (an integer) and a session;
it answers 404 for an unknown school and 403 for a deactivated one, and carries the school's id, name, plan and
seats. `TenantRouter` is the router every school route lives on: it also requires that school's own `X-API-Key`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Security
from sqlmodel import select

from classroom.db import SessionDep
from classroom.enums import Plan, TenantStatus
from classroom.errors import Forbidden, TenantInactive, TenantNotFound, Unauthorized
from classroom.models import Tenant as TenantRow
from classroom.security import hash_key, same_secret, school_key_header


class TenantContext:
    def __init__(self, session: SessionDep, x_tenant_id: Annotated[int, Header(alias="X-Tenant-ID", ge=1)]) -> None:
        row = session.get(TenantRow, x_tenant_id)
        if row is None:
            raise TenantNotFound(x_tenant_id)
        if row.status != TenantStatus.active:
            raise TenantInactive(x_tenant_id)
        self.tenant_id: int = row.id
        self.name: str = row.name
        self.slug: str = row.slug
        self.plan: Plan = Plan(row.plan)
        self.seats: int = row.seats
        self._key_hash = row.api_key_hash

    def key_matches(self, key: str) -> bool:
        return same_secret(hash_key(key), self._key_hash)

    def __repr__(self) -> str:
        return f"TenantContext(tenant_id={self.tenant_id}, slug={self.slug!r})"


Tenant = Annotated[TenantContext, Depends()]


def require_school_key(tenant: Tenant, session: SessionDep,
                       key: Annotated[str | None, Security(school_key_header)]) -> None:
    if not key:
        raise Unauthorized("Missing API key")
    if tenant.key_matches(key):
        return
    if session.exec(select(TenantRow.id).where(TenantRow.api_key_hash == hash_key(key))).first() is not None:
        raise Forbidden("This API key belongs to another school")
    raise Unauthorized("Invalid API key")


TENANT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid X-API-Key"},
    403: {"description": "The key of another school, or a deactivated school"},
    404: {"description": "Unknown X-Tenant-ID"},
}


class TenantRouter(APIRouter):
    """An APIRouter whose routes all belong to one school: the school's key is checked before any of them runs."""

    def __init__(self, *, prefix: str, tags: list[str]) -> None:
        super().__init__(prefix=prefix, tags=tags, dependencies=[Depends(require_school_key)],
                         responses=TENANT_ERRORS)
