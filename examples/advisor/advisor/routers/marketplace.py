"""Service Market provisioning webhook (manual §3): POST /api/marketplace/demo/request.

The Service Market calls this when a university's application is approved; the response tells it where the
new tenant lives. Authenticated with X-Marketplace-Key.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from advisor.auth import verify_marketplace_key
from advisor.config import get_settings
from advisor.schemas import EMAIL_PATTERN
from advisor.tenant_manager import TenantExistsError, provision_tenant

logger = logging.getLogger(__name__)

router = APIRouter()

ADMIN_NOTE = "LMS 계정으로 로그인하세요."


class Application(BaseModel):
    # Application ids become part of the tenant id (and of a file name): keep them positive and bounded.
    id: int = Field(..., ge=1, le=2_147_483_647)
    kind: Literal["demo", "service"]
    contact: str = Field("", max_length=100)
    reason: str = Field("", max_length=2000)


class Applicant(BaseModel):
    id: int
    name: str = Field(..., min_length=1, max_length=100)
    email: str = Field(..., max_length=254, pattern=EMAIL_PATTERN)
    university_name: str = Field(..., min_length=1, max_length=200)


class ServiceInfo(BaseModel):
    id: int
    slug: str = Field(..., max_length=100)
    title: str = Field(..., max_length=200)


class DemoRequest(BaseModel):
    application: Application
    applicant: Applicant
    service: ServiceInfo


@router.post("/demo/request")
async def request_demo(payload: DemoRequest, marketplace: str = Depends(verify_marketplace_key)):
    """Create (or find again) the tenant of an approved application."""
    university = payload.applicant.university_name
    try:
        tenant, created = provision_tenant(
            university_name=university,
            application_id=payload.application.id,
            email=payload.applicant.email,
            admin_name=payload.applicant.name,
            kind=payload.application.kind,
        )
    except TenantExistsError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except (sqlite3.Error, OSError) as exc:
        logger.exception("provisioning of application %s failed", payload.application.id)
        raise HTTPException(status_code=500, detail=f"테넌트 생성 실패: {type(exc).__name__}") from None

    tenant_id = tenant["tenant_id"]
    message = f"테넌트 '{university}' 생성 완료" if created else f"기존 테넌트 '{university}' 재사용"
    return {
        "success": True,
        "tenant_id": tenant_id,
        "message": message,
        "access_url": f"{get_settings().public_url}?tenant={tenant_id}",
        "admin_credentials": {"email": payload.applicant.email, "note": ADMIN_NOTE},
        "created_at": tenant["created_at"],
    }
