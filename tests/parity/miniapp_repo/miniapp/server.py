"""Legacy routes (phase 0), optionally with the standard twins (MINIAPP_PHASE >= 1), deprecation headers (2) or
without the legacy routes (3). MINIAPP_BREAK=a,b,... injects behaviour changes for the parity tests."""

from __future__ import annotations

import os
import uuid
from typing import Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field

from miniapp import store

PHASE = int(os.environ.get("MINIAPP_PHASE", "0"))
BREAK = set(filter(None, os.environ.get("MINIAPP_BREAK", "").split(",")))
PUBLIC = ("id", "username", "display_name", "email", "is_active", "created_at", "last_login", "monthly_cost_usd",
          "role")

app = FastAPI()


@app.middleware("http")
async def version_header(request, call_next):
    response = await call_next(request)
    if "drop_header" not in BREAK:
        response.headers["X-Service-Version"] = "1.0"
    return response


def admin_tenant(x_tenant_id: str = Header(...), authorization: Optional[str] = Header(None)) -> str:
    if x_tenant_id not in store.USERS:
        raise HTTPException(404, "Tenant not found")
    if authorization != f"Bearer {store.token(x_tenant_id)}":
        raise HTTPException(401, "Invalid or missing token")
    return x_tenant_id


def public(user: dict) -> dict:
    out = {k: user[k] for k in PUBLIC}
    if "rename_field" in BREAK:
        out["name"] = out.pop("display_name")
    if "leak_hash" in BREAK:
        out["password_hash"] = user["password_hash"]
    return out


def dashboard(tenant: str = Depends(admin_tenant)):
    users = store.USERS[tenant]
    total = len(users) - (1 if "off_by_one" in BREAK else 0)
    return {"users": {"total": total, "active": sum(u["is_active"] for u in users)}, "generated_at": store.now()}


def list_users(tenant: str = Depends(admin_tenant), page: int = Query(1, ge=1), limit: int = Query(20, ge=1, le=100),
               search: str = ""):
    users = [u for u in store.USERS[tenant] if search.lower() in (u["username"] + u["email"]).lower()]
    start = (page - 1) * limit
    return {"users": [public(u) for u in users[start:start + limit]], "total": len(users), "page": page,
            "limit": limit}


def get_user(user_id: int, tenant: str = Depends(admin_tenant)):
    for user in store.USERS[tenant]:
        if user["id"] == user_id:
            return {**public(user), "stats": {"sessions": user_id * 2, "messages": user_id * 5, "tokens": 100}}
    raise HTTPException(404, "User not found")


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=50)
    password: str = Field(min_length=8)
    email: str
    display_name: Optional[str] = None


def create_user(body: UserCreate, tenant: str = Depends(admin_tenant)):
    users = store.USERS[tenant]
    if any(u["username"] == body.username for u in users):
        raise HTTPException(409, "Username already exists")
    user = {"id": max(u["id"] for u in users) + 1, "username": body.username,
            "display_name": body.display_name or body.username, "email": body.email, "is_active": True,
            "created_at": store.now(), "last_login": None, "monthly_cost_usd": 0.0, "role": "user",
            "password_hash": "hashed:" + body.password[::-1]}
    users.append(user)
    return public(user)


def delete_user(user_id: int, tenant: str = Depends(admin_tenant)):
    users = store.USERS[tenant]
    for user in users:
        if user["id"] == user_id:
            users.remove(user)
            return {"message": "User deleted", "user_id": user_id}
    raise HTTPException(404, "User not found")


def noisy(tenant: str = Depends(admin_tenant)):
    return {"request_id": str(uuid.uuid4()), "value": 1}


def tenant_status(tenant_id: str, x_api_key: Optional[str] = Header(None)):
    if x_api_key != store.API_KEY:
        raise HTTPException(401, "Invalid API key")
    if tenant_id not in store.USERS:
        raise HTTPException(404, "Tenant not found")
    return {"tenant_id": tenant_id, "university_name": tenant_id.title(), "email": f"admin@{tenant_id}.example",
            "status": "active", "created_at": "2026-01-01T00:00:00", "users_count": len(store.USERS[tenant_id]),
            "active_users": 3, "plan": "demo", "features": ["chat"], "updated_at": "2026-01-02T00:00:00"}


# (method, path, endpoint, status code, successor); a route with a successor is "moved" (deprecated in phase 2,
# removed in phase 3).
ROUTES = [
    ("GET", "/admin/dashboard", dashboard, None, "/mt/tenant/{tenant_id}/stats"),
    ("GET", "/admin/users", list_users, None, "/mt/tenant/{tenant_id}/users"),
    ("GET", "/admin/users/{user_id}", get_user, None, "/mt/tenant/{tenant_id}/users/{user_id}"),
    ("POST", "/admin/users", create_user, 201 if "status_code" in BREAK else 200, "/mt/tenant/{tenant_id}/users"),
    ("DELETE", "/admin/users/{user_id}", delete_user, None, "/mt/tenant/{tenant_id}/users/{user_id}"),
    ("GET", "/admin/noisy", noisy, None, None),
    ("GET", "/api/tenant/status/{tenant_id}", tenant_status, None, None),
]
legacy = APIRouter()
for method, path, endpoint, status_code, successor in ROUTES:
    if PHASE >= 3 and successor and not ("keep_removed" in BREAK and path == "/admin/dashboard"):
        continue
    dependencies = []
    if PHASE == 2 and successor and not ("drop_deprecation" in BREAK and (method, path) == ("GET", "/admin/users")):
        from shims.deprecation import deprecated_endpoint

        dependencies = [Depends(deprecated_endpoint(deprecated_at="2026-12-09", sunset="2026-12-23",
                                                    successor=successor))]
    legacy.add_api_route(path, endpoint, methods=[method], status_code=status_code, dependencies=dependencies)
app.include_router(legacy)
if PHASE == 2:  # as `migrator apply --phase 2` wires it: the headers also on 401/422 answers
    from shims.deprecation import DeprecationHeadersMiddleware

    app.add_middleware(DeprecationHeadersMiddleware)


if PHASE >= 1:
    from shims.adapters import user_from_legacy, users_list_from_legacy

    standard = APIRouter(prefix="/mt")

    def market(x_market_api_key: Optional[str] = Header(None)) -> None:
        if x_market_api_key != os.environ.get("MARKET_API_KEY"):
            raise HTTPException(401, {"success": False, "error": "UNAUTHORIZED", "message": "bad key"})

    def known(tenant_id: str) -> str:
        if tenant_id not in store.USERS:
            raise HTTPException(404, {"success": False, "error": "TENANT_NOT_FOUND", "message": tenant_id})
        return tenant_id

    @standard.get("/tenant/{tenant_id}/users", dependencies=[Depends(market)])
    def standard_users(tenant_id: str, limit: int = 20, offset: int = 0, search: Optional[str] = None):
        known(tenant_id)
        users = [u for u in store.USERS[tenant_id] if (search or "").lower() in (u["username"] + u["email"]).lower()]
        total = len(users) + (1 if "standard_total" in BREAK else 0)
        page = [public(u) for u in users[offset:offset + limit]]
        return users_list_from_legacy(tenant_id, page, total, limit, offset).model_dump(mode="json")

    @standard.get("/tenant/{tenant_id}/users/{user_id}", dependencies=[Depends(market)])
    def standard_user(tenant_id: str, user_id: str):
        known(tenant_id)
        for user in store.USERS[tenant_id]:
            if str(user["id"]) == user_id:
                doc = {**public(user), "stats": {"sessions": user["id"] * 2, "messages": user["id"] * 5,
                                                 "tokens": 100}}
                return user_from_legacy(doc).model_dump(mode="json")
        raise HTTPException(404, {"success": False, "error": "USER_NOT_FOUND", "message": user_id})

    app.include_router(standard)
