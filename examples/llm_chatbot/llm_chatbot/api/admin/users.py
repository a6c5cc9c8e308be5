"""Tenant admin user management. Every route requires a tenant admin (router-level dependency)."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query

from ...core.clock import iso, utcnow
from ...db import SQLITE_INT_MAX, SQLITE_INT_MIN, TenantSession
from ...deps import Db, TenantId, require_admin
from ...schemas import UserActionResult, UserCreate, UserDetail, UserList, UserOut, UserUpdate
from ...security import hash_password
from ...services import analytics, notifications, tenant_manager

router = APIRouter(prefix="/admin/users", tags=["admin-users"], dependencies=[Depends(require_admin)])

USER_COLUMNS = "id, username, display_name, email, is_active, created_at, last_login, role"


def _find_user(s: TenantSession, user_id: int) -> sqlite3.Row:
    # Ids outside SQLite's integer range cannot exist (and cannot even be bound as a parameter).
    row = None
    if SQLITE_INT_MIN <= user_id <= SQLITE_INT_MAX:
        row = s.one(f"SELECT {USER_COLUMNS} FROM users WHERE tenant_id = :tenant_id AND id = :uid", {"uid": user_id})
    if row is None:
        raise HTTPException(404, "User not found")
    return row


def _out(s: TenantSession, rows: list[sqlite3.Row]) -> list[dict]:
    costs = analytics.monthly_costs_of_users(s, utcnow(), [row["id"] for row in rows])
    return [{**dict(row), "is_active": bool(row["is_active"]), "monthly_cost_usd": costs[row["id"]]} for row in rows]


def _check_unique(s: TenantSession, *, username: str | None = None, email: str | None = None, skip: int = 0):
    if username is not None and s.one(
        "SELECT 1 FROM users WHERE tenant_id = :tenant_id AND username = :v AND id != :skip",
        {"v": username, "skip": skip},
    ):
        raise HTTPException(409, "Username already exists")
    if email is not None and s.one(
        "SELECT 1 FROM users WHERE tenant_id = :tenant_id AND email = :v AND id != :skip",
        {"v": email, "skip": skip},
    ):
        raise HTTPException(409, "Email already exists")


@router.get("", response_model=UserList)
async def list_users(
    tenant_id: TenantId,
    db: Db,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    search: Annotated[str | None, Query(max_length=100)] = None,
):
    where, params = "tenant_id = :tenant_id", {}
    if search:
        # LIKE is case-insensitive for ASCII; escape its wildcards so "a_b" matches literally.
        pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where += (
            " AND (username LIKE :q ESCAPE '\\' OR display_name LIKE :q ESCAPE '\\' OR email LIKE :q ESCAPE '\\')"
        )
        params["q"] = f"%{pattern}%"
    with db.tenant_scope(tenant_id) as s:
        total = s.scalar(f"SELECT COUNT(*) FROM users WHERE {where}", params)
        offset = (page - 1) * limit
        rows = []
        if offset < total:
            rows = s.all(
                f"SELECT {USER_COLUMNS} FROM users WHERE {where} ORDER BY id LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
        return {"users": _out(s, rows), "total": total, "page": page, "limit": limit}


@router.post("", status_code=201, response_model=UserOut)
async def create_user(body: UserCreate, tenant_id: TenantId, db: Db):
    password_hash = hash_password(body.password)
    with db.tenant_scope(tenant_id) as s:
        max_users = tenant_manager.load_settings(s.tenant)["max_users"]
        if s.scalar("SELECT COUNT(*) FROM users WHERE tenant_id = :tenant_id") >= max_users:
            raise HTTPException(429, f"User limit of the plan reached (max_users={max_users})")
        _check_unique(s, username=body.username, email=body.email)
        try:
            cursor = s.execute(
                "INSERT INTO users (tenant_id, username, display_name, email, password_hash, role, is_active,"
                " created_at, last_login) VALUES (:tenant_id, :username, :display_name, :email, :password_hash,"
                " 'user', 1, :created_at, NULL)",
                {
                    "username": body.username,
                    "display_name": body.display_name or body.username,
                    "email": body.email,
                    "password_hash": password_hash,
                    "created_at": iso(utcnow()),
                },
            )
        except sqlite3.IntegrityError as exc:  # a concurrent create won the race
            detail = "Username already exists" if "username" in str(exc) else "Email already exists"
            raise HTTPException(409, detail) from None
        return _out(s, [_find_user(s, cursor.lastrowid)])[0]


@router.get("/{user_id}", response_model=UserDetail)
async def get_user(user_id: int, tenant_id: TenantId, db: Db):
    with db.tenant_scope(tenant_id) as s:
        user = _out(s, [_find_user(s, user_id)])[0]
        return {**user, "stats": analytics.user_stats(s, user_id)}


@router.put("/{user_id}", response_model=UserOut)
async def update_user(user_id: int, body: UserUpdate, tenant_id: TenantId, db: Db):
    changes = {key: value for key, value in body.model_dump(exclude_unset=True).items() if value is not None}
    with db.tenant_scope(tenant_id) as s:
        _find_user(s, user_id)
        _check_unique(s, email=changes.get("email"), skip=user_id)
        if changes:
            assignments = ", ".join(f"{column} = :{column}" for column in changes)
            s.execute(
                f"UPDATE users SET {assignments} WHERE tenant_id = :tenant_id AND id = :uid",
                {**changes, "uid": user_id},
            )
        return _out(s, [_find_user(s, user_id)])[0]


@router.delete("/{user_id}")
async def delete_user(user_id: int, tenant_id: TenantId, db: Db) -> UserActionResult:
    with db.tenant_scope(tenant_id) as s:
        _find_user(s, user_id)
        # Conversations, messages and tokens go with the user (ON DELETE CASCADE): erasure on request.
        s.execute("DELETE FROM users WHERE tenant_id = :tenant_id AND id = :uid", {"uid": user_id})
    return UserActionResult(message="User deleted", user_id=user_id)


@router.post("/{user_id}/suspend")
async def suspend_user(
    user_id: int, tenant_id: TenantId, db: Db, background_tasks: BackgroundTasks
) -> UserActionResult:
    with db.tenant_scope(tenant_id) as s:
        user = _find_user(s, user_id)
        s.execute("UPDATE users SET is_active = 0 WHERE tenant_id = :tenant_id AND id = :uid", {"uid": user_id})
        university = s.tenant["university_name"]
    background_tasks.add_task(notifications.send_suspension_notice, user["email"], user["display_name"], university)
    return UserActionResult(message="User suspended", user_id=user_id)


@router.post("/{user_id}/activate")
async def activate_user(user_id: int, tenant_id: TenantId, db: Db) -> UserActionResult:
    with db.tenant_scope(tenant_id) as s:
        _find_user(s, user_id)
        s.execute("UPDATE users SET is_active = 1 WHERE tenant_id = :tenant_id AND id = :uid", {"uid": user_id})
    return UserActionResult(message="User activated", user_id=user_id)
