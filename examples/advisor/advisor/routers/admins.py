"""Tenant-admin management of the admins themselves: /admin/admins."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException

from advisor.auth import AdminContext, get_admin_context, verify_tenant_admin
from advisor.database import get_db
from advisor.routers.users import USER_COLUMNS, _get_user_row, _insert_user, _month_costs, _user_to_dict
from advisor.schemas import UserCreate

logger = logging.getLogger(__name__)

router = APIRouter()


@router.get("/admins")
async def list_admins(tenant_id: str = Depends(verify_tenant_admin)):
    with get_db(tenant_id) as db:
        rows = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE role = 'admin' ORDER BY id").fetchall()
        costs = _month_costs(db, [row["id"] for row in rows])
    admins = [_user_to_dict(row, costs.get(row["id"], 0.0)) for row in rows]
    return {"admins": admins, "total": len(admins)}


@router.post("/admins")
async def create_admin(user: UserCreate, tenant_id: str = Depends(verify_tenant_admin)):
    with get_db(tenant_id) as db:
        user_id = _insert_user(db, user, role="admin")
        row = _get_user_row(db, user_id)
    logger.info("tenant %s: admin %s created", tenant_id, user_id)
    return _user_to_dict(row)


@router.delete("/admins/{user_id}")
async def remove_admin(
    user_id: int,
    tenant_id: str = Depends(verify_tenant_admin),
    ctx: AdminContext = Depends(get_admin_context),
):
    """Take admin rights away (the account stays, as a user). An admin cannot demote themselves, which also
    guarantees that a tenant always keeps at least one admin."""
    if user_id == ctx.user_id:
        raise HTTPException(status_code=400, detail="You cannot remove your own admin rights")
    with get_db(tenant_id) as db:
        row = _get_user_row(db, user_id)
        if row["role"] != "admin":
            raise HTTPException(status_code=400, detail="User is not an admin")
        db.execute("UPDATE users SET role = 'user' WHERE id = ?", (user_id,))
    logger.info("tenant %s: admin %s removed by %s", tenant_id, user_id, ctx.user_id)
    return {"message": "Admin removed", "user_id": user_id}
