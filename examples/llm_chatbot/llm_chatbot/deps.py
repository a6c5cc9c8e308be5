"""Request dependencies as ``Annotated`` aliases: tenant header, database, admin and service auth."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .core.settings import get_settings
from .db import Database
from .security import hash_token

# auto_error=False: a missing or malformed Authorization header gets this service's own 401 body.
bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class AdminPrincipal:
    user_id: int
    tenant_id: str
    username: str


def get_database() -> Database:
    return Database(get_settings().db_path)


TenantId = Annotated[str, Header(alias="X-Tenant-ID")]
Db = Annotated[Database, Depends(get_database)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require_admin(credentials: Credentials, tenant_id: TenantId, db: Db) -> AdminPrincipal:
    """The active admin that owns the bearer token; 401 unknown token, 403 token of another tenant."""
    if credentials is None:
        raise HTTPException(401, "Invalid or missing token")
    with db.connect() as conn:
        row = conn.execute(
            "SELECT t.tenant_id, u.id, u.username FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND u.role = 'admin' AND u.is_active = 1",
            (hash_token(credentials.credentials),),
        ).fetchone()
    if row is None:
        raise HTTPException(401, "Invalid or missing token")
    if row["tenant_id"] != tenant_id:
        raise HTTPException(403, "Token does not belong to this tenant")
    return AdminPrincipal(user_id=row["id"], tenant_id=row["tenant_id"], username=row["username"])


def require_service_token(credentials: Credentials) -> str:
    """The Service Market's provisioning call: ``Authorization: Bearer <LLM_CHATBOT_SERVICE_TOKEN>``."""
    expected = get_settings().service_token
    if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(401, "Invalid service token")
    return "service-market"


CurrentAdmin = Annotated[AdminPrincipal, Depends(require_admin)]
ServiceAuth = Annotated[str, Depends(require_service_token)]
