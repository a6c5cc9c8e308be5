"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func
from sqlmodel import select

from classroom import __version__
from classroom.db import SessionDep
from classroom.enums import TenantStatus
from classroom.models import Tenant
from classroom.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(session: SessionDep) -> Health:
    active = session.exec(select(func.count()).select_from(Tenant).where(Tenant.status == TenantStatus.active)).one()
    return Health(status="ok", version=__version__, active_tenants=active)
