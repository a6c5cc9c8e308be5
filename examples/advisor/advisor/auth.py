"""Request authentication.

- the Service Market calls provisioning with `X-Marketplace-Key` and the tenant queries with `X-API-Key`;
- a university admin calls `/admin/...` with `Authorization: Bearer <admin token>` and `X-Tenant-ID`.
Admin tokens are stored as sha256 hashes in the registry; a token is valid while its user is an active admin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from fastapi import Header, HTTPException

from advisor.config import get_settings
from advisor.database import get_db, get_registry


@dataclass(frozen=True)
class AdminContext:
    """The admin making the request."""

    tenant_id: str
    user_id: int
    username: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _key_matches(provided: Optional[str], expected: str) -> bool:
    # An unset key never matches (fail closed); compare in constant time.
    if not provided or not expected:
        return False
    return hmac.compare_digest(provided.encode("utf-8"), expected.encode("utf-8"))


def verify_marketplace_key(x_marketplace_key: Optional[str] = Header(None, alias="X-Marketplace-Key")) -> str:
    if not _key_matches(x_marketplace_key, get_settings().marketplace_key):
        raise HTTPException(status_code=401, detail="Invalid marketplace key")
    return "marketplace"


def verify_api_key(x_api_key: Optional[str] = Header(None, alias="X-API-Key")) -> str:
    if not _key_matches(x_api_key, get_settings().api_key):
        raise HTTPException(status_code=401, detail="Invalid API key")
    return "service-market"


def _bearer_token(authorization: Optional[str]) -> Optional[str]:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def _resolve_admin(authorization: Optional[str], tenant_id: str) -> AdminContext:
    invalid = HTTPException(status_code=401, detail="Invalid or missing token")
    token = _bearer_token(authorization)
    if token is None:
        raise invalid
    with get_registry() as registry:
        row = registry.execute(
            "SELECT tenant_id, user_id FROM admin_tokens WHERE token_hash = ?", (hash_token(token),)
        ).fetchone()
    if row is None:
        raise invalid
    if row["tenant_id"] != tenant_id:
        raise HTTPException(status_code=403, detail="Token does not belong to this tenant")
    with get_db(tenant_id) as db:
        user = db.execute(
            "SELECT id, username FROM users WHERE id = ? AND role = 'admin' AND is_active = 1", (row["user_id"],)
        ).fetchone()
    if user is None:  # the admin was demoted, suspended or deleted since the token was issued
        raise invalid
    return AdminContext(tenant_id=tenant_id, user_id=user["id"], username=user["username"])


def verify_tenant_admin(
    authorization: Optional[str] = Header(None),
    x_tenant_id: str = Header(..., alias="X-Tenant-ID"),
) -> str:
    """The tenant id of a request made by one of its admins."""
    return _resolve_admin(authorization, x_tenant_id).tenant_id


def get_admin_context(
    authorization: Optional[str] = Header(None),
    x_tenant_id: str = Header(..., alias="X-Tenant-ID"),
) -> AdminContext:
    """The calling admin, for routes that must know who asks (not only for which tenant)."""
    return _resolve_admin(authorization, x_tenant_id)



def hash_password(password: str, salt: Optional[str] = None) -> str:
    """`<salt>$<sha256(salt + password)>`; the seed passes a fixed salt so that its files are reproducible."""
    salt = salt if salt is not None else secrets.token_hex(8)
    digest = hashlib.sha256((salt + password).encode("utf-8")).hexdigest()
    return f"{salt}${digest}"
