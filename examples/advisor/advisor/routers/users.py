"""Tenant-admin user management: /admin/users."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time
from typing import List, Optional

from fastapi import APIRouter, Depends, HTTPException, Query

from advisor import clock
from advisor.auth import hash_password, verify_tenant_admin
from advisor.database import get_db
from advisor.pricing import cost_usd
from advisor.schemas import UserCreate, UserUpdate

logger = logging.getLogger(__name__)

router = APIRouter()

USER_COLUMNS = "id, username, display_name, email, role, is_active, created_at, last_login"

# SQLite stores signed 64-bit integers; a larger id cannot exist (and would not even bind).
_MAX_ID = 2**63 - 1


def _user_to_dict(row, monthly_cost_usd: float = 0.0) -> dict:
    """The wire form of a user: an explicit allow-list (the password hash never leaves)."""
    return {
        "id": row["id"],
        "username": row["username"],
        "display_name": row["display_name"],
        "email": row["email"],
        "is_active": bool(row["is_active"]),
        "created_at": row["created_at"],
        "last_login": row["last_login"],
        "monthly_cost_usd": round(monthly_cost_usd, 4),
        "role": row["role"],
    }


def _month_costs(db, user_ids: List[int]) -> dict:
    """Estimated cost per user in the current calendar month (user id -> USD, unrounded)."""
    if not user_ids:
        return {}
    month_start = datetime.combine(clock.today().replace(day=1), time.min)
    placeholders = ", ".join("?" for _ in user_ids)
    rows = db.execute(
        f"""
        SELECT user_id, model, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens
        FROM messages
        WHERE created_at >= ? AND user_id IN ({placeholders})
        GROUP BY user_id, model
        """,
        (clock.isoformat(month_start), *user_ids),
    ).fetchall()
    costs: dict = defaultdict(float)
    for row in rows:
        costs[row["user_id"]] += cost_usd(row["model"], row["input_tokens"], row["output_tokens"])
    return dict(costs)


def _get_user_row(db, user_id: int):
    if not 0 < user_id <= _MAX_ID:
        raise HTTPException(status_code=404, detail="User not found")
    row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="User not found")
    return row


def _email_taken(db, email: str, except_user_id: Optional[int] = None) -> bool:
    row = db.execute(
        "SELECT 1 FROM users WHERE lower(email) = lower(?) AND id != ?", (email, except_user_id or 0)
    ).fetchone()
    return row is not None


def _insert_user(db, user: UserCreate, role: str = "user") -> int:
    """Insert a new user; 409 when the username or the e-mail is taken. Returns the new id."""
    if db.execute("SELECT 1 FROM users WHERE username = ?", (user.username,)).fetchone():
        raise HTTPException(status_code=409, detail="Username already exists")
    if _email_taken(db, user.email):
        raise HTTPException(status_code=409, detail="Email already exists")
    cursor = db.execute(
        "INSERT INTO users (username, display_name, email, password_hash, role, is_active, created_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?)",
        (
            user.username,
            user.display_name or user.username,
            user.email,
            hash_password(user.password),
            role,
            clock.isoformat(clock.now()),
        ),
    )
    return cursor.lastrowid


@router.get("/users")
async def list_users(
    page: int = Query(1, ge=1),
    limit: int = Query(20, ge=1, le=100),
    search: Optional[str] = Query(None, max_length=100),
    tenant_id: str = Depends(verify_tenant_admin),
):
    """Users of the tenant, by id, with paging and a case-insensitive search."""
    where = ""
    params: list = []
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        where = (
            "WHERE lower(username) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\'"
            " OR lower(email) LIKE ? ESCAPE '\\'"
        )
        params = [pattern, pattern, pattern]
    offset = (page - 1) * limit
    with get_db(tenant_id) as db:
        total = db.execute(f"SELECT COUNT(*) FROM users {where}", params).fetchone()[0]
        rows = []
        if offset < total:
            rows = db.execute(
                f"SELECT {USER_COLUMNS} FROM users {where} ORDER BY id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        costs = _month_costs(db, [row["id"] for row in rows])
    return {
        "users": [_user_to_dict(row, costs.get(row["id"], 0.0)) for row in rows],
        "total": total,
        "page": page,
        "limit": limit,
    }


@router.post("/users")
async def create_user(user: UserCreate, tenant_id: str = Depends(verify_tenant_admin)):
    with get_db(tenant_id) as db:
        user_id = _insert_user(db, user)
        row = _get_user_row(db, user_id)
    logger.info("tenant %s: user %s created", tenant_id, user_id)
    return _user_to_dict(row)


@router.post("/users/bulk")
async def create_users_bulk(users: List[UserCreate], tenant_id: str = Depends(verify_tenant_admin)):
    """Create many users; one that cannot be created is reported in `errors` and the rest go on."""
    created = []
    errors = []
    for user in users:
        try:
            created.append(await create_user(user, tenant_id))
        except HTTPException as exc:
            errors.append({"username": user.username, "detail": exc.detail})
    return {"created": len(created), "users": created, "errors": errors}


@router.get("/users/{user_id}")
async def get_user(user_id: int, tenant_id: str = Depends(verify_tenant_admin)):
    with get_db(tenant_id) as db:
        row = _get_user_row(db, user_id)
        stats = db.execute(
            """
            SELECT
                (SELECT COUNT(*) FROM sessions WHERE user_id = :uid) AS sessions,
                (SELECT COUNT(*) FROM messages WHERE user_id = :uid) AS messages,
                (SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM messages WHERE user_id = :uid) AS tokens
            """,
            {"uid": user_id},
        ).fetchone()
        costs = _month_costs(db, [user_id])
    user = _user_to_dict(row, costs.get(user_id, 0.0))
    user["stats"] = {"sessions": stats["sessions"], "messages": stats["messages"], "tokens": stats["tokens"]}
    return user


@router.put("/users/{user_id}")
async def update_user(user_id: int, update: UserUpdate, tenant_id: str = Depends(verify_tenant_admin)):
    changes = {field: value for field, value in update.model_dump().items() if value is not None}
    with get_db(tenant_id) as db:
        _get_user_row(db, user_id)
        if "email" in changes and _email_taken(db, changes["email"], except_user_id=user_id):
            raise HTTPException(status_code=409, detail="Email already exists")
        if "is_active" in changes:
            changes["is_active"] = int(changes["is_active"])
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)  # columns come from the model
            db.execute(f"UPDATE users SET {assignments} WHERE id = ?", (*changes.values(), user_id))
        row = _get_user_row(db, user_id)
        costs = _month_costs(db, [user_id])
    return _user_to_dict(row, costs.get(user_id, 0.0))


@router.delete("/users/{user_id}")
async def delete_user(user_id: int, tenant_id: str = Depends(verify_tenant_admin)):
    """Delete a user together with their sessions and messages."""
    with get_db(tenant_id) as db:
        _get_user_row(db, user_id)
        db.execute("DELETE FROM users WHERE id = ?", (user_id,))
    logger.info("tenant %s: user %s deleted", tenant_id, user_id)
    return {"message": "User deleted", "user_id": user_id}


@router.post("/users/{user_id}/suspend")
async def suspend_user(user_id: int, tenant_id: str = Depends(verify_tenant_admin)):
    with get_db(tenant_id) as db:
        _get_user_row(db, user_id)
        db.execute("UPDATE users SET is_active = 0 WHERE id = ?", (user_id,))
    return {"message": "User suspended", "user_id": user_id}


@router.post("/users/{user_id}/activate")
async def activate_user(user_id: int, tenant_id: str = Depends(verify_tenant_admin)):
    with get_db(tenant_id) as db:
        _get_user_row(db, user_id)
        db.execute("UPDATE users SET is_active = 1 WHERE id = ?", (user_id,))
    return {"message": "User activated", "user_id": user_id}
