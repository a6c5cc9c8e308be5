"""Service Market tenant queries (manual §5.3.1): /api/tenant, authenticated with X-API-Key."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException

from advisor import tenant_manager
from advisor.auth import verify_api_key

router = APIRouter()


@router.get("/list")
async def list_tenants(api_key: str = Depends(verify_api_key)):
    tenants = []
    for tenant in tenant_manager.list_tenants():
        users_count, _active = tenant_manager.count_users(tenant["tenant_id"])
        tenants.append(
            {
                "tenant_id": tenant["tenant_id"],
                "university_name": tenant["university_name"],
                "email": tenant["email"],
                "status": tenant["status"],
                "created_at": tenant["created_at"],
                "users_count": users_count,
            }
        )
    return {"tenants": tenants, "total": len(tenants)}


@router.get("/status/{tenant_id}")
async def get_tenant_status(tenant_id: str, api_key: str = Depends(verify_api_key)):
    tenant = tenant_manager.get_tenant(tenant_id)
    if tenant is None:
        raise HTTPException(status_code=404, detail="Tenant not found")
    users_count, active_users = tenant_manager.count_users(tenant_id)
    return {
        "tenant_id": tenant["tenant_id"],
        "university_name": tenant["university_name"],
        "email": tenant["email"],
        "status": tenant["status"],
        "created_at": tenant["created_at"],
        "users_count": users_count,
        "active_users": active_users,
        "plan": tenant["plan"],
        "features": tenant["features"],
        "updated_at": tenant["updated_at"],
    }
