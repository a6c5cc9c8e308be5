"""Provisioning, for the platform operator: register a school, list schools, read a school's status, deactivate
and reactivate it. Every route needs `X-Platform-Key`."""

from __future__ import annotations

from fastapi import APIRouter, Query, Security

from classroom.db import SessionDep
from classroom.enums import TenantStatus
from classroom.repositories import TenantRepository
from classroom.schemas import Deactivation, TenantOut, TenantRegistered, TenantRegistration, TenantStatusOut
from classroom.security import require_platform_key

router = APIRouter(prefix="/platform/tenants", tags=["platform"], dependencies=[Security(require_platform_key)])


@router.post("", response_model=TenantRegistered, status_code=201)
def register_tenant(body: TenantRegistration, session: SessionDep) -> TenantRegistered:
    tenant, key = TenantRepository(session).register(body)
    return TenantRegistered(**TenantOut.model_validate(tenant).model_dump(), contact_email=tenant.contact_email,
                            api_key=key)


@router.get("", response_model=list[TenantOut])
def list_tenants(session: SessionDep, status: TenantStatus | None = Query(None)) -> list:
    return TenantRepository(session).list(status)


@router.get("/{tenant_id}/status", response_model=TenantStatusOut)
def tenant_status(tenant_id: int, session: SessionDep) -> TenantStatusOut:
    return TenantRepository(session).status(tenant_id)


@router.post("/{tenant_id}/deactivate", response_model=TenantStatusOut)
def deactivate_tenant(tenant_id: int, body: Deactivation, session: SessionDep) -> TenantStatusOut:
    repository = TenantRepository(session)
    repository.set_status(tenant_id, TenantStatus.deactivated, body.reason)
    return repository.status(tenant_id)


@router.post("/{tenant_id}/reactivate", response_model=TenantStatusOut)
def reactivate_tenant(tenant_id: int, session: SessionDep) -> TenantStatusOut:
    repository = TenantRepository(session)
    repository.set_status(tenant_id, TenantStatus.active)
    return repository.status(tenant_id)
