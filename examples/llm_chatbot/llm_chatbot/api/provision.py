"""Service Market provisioning: an approved demo or service application creates a tenant."""

from __future__ import annotations

from fastapi import APIRouter

from ..core.clock import utcnow
from ..core.settings import get_settings
from ..deps import Db, ServiceAuth
from ..schemas import ProvisionRequest, ProvisionResponse
from ..services import tenant_manager

router = APIRouter(prefix="/api/marketplace/demo", tags=["marketplace"])


@router.post("/provision", response_model=ProvisionResponse)
async def provision_tenant(body: ProvisionRequest, service: ServiceAuth, db: Db):
    return tenant_manager.provision(db, body, utcnow(), get_settings().public_url)
