"""Tenant provisioning and lookup.

A tenant is one university. Provisioning (called by the Service Market when an application is approved)
registers the tenant, creates its database file and schema, and creates the applicant as its first admin.
The same applicant e-mail always maps back to its existing tenant (manual §9 Q1), so repeated applications
from one contact person never create duplicates.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any, Optional

from advisor import clock
from advisor.auth import hash_password, hash_token
from advisor.database import get_db, get_registry, open_tenant_db, tenant_db_path

logger = logging.getLogger(__name__)

# Plan of a new tenant by application kind, and the features each plan turns on.
PLAN_BY_KIND = {"demo": "demo", "service": "standard"}
PLAN_FEATURES: dict[str, list[str]] = {
    "demo": ["chat", "rag"],
    "standard": ["chat", "rag", "quiz"],
    "premium": ["chat", "rag", "quiz", "video", "crawl"],
}

_USERNAME_RE = re.compile(r"[^a-z0-9_.]")


class TenantExistsError(Exception):
    """A different applicant already owns the tenant id computed for this application."""

    def __init__(self, tenant_id: str):
        super().__init__(f"Tenant '{tenant_id}' already exists")
        self.tenant_id = tenant_id


def make_tenant_id(university_name: str, application_id: int) -> str:
    """Tenant id rule of the Service Market manual (§4.1).

    The university name lower-cased, every character outside ``[a-z0-9]`` replaced by ``_``, cut to 30
    characters, then ``_<application id>``: ``("Seoul National University", 101)`` ->
    ``"seoul_national_university_101"``.
    """
    base = re.sub(r"[^a-z0-9]", "_", university_name.lower())[:30]
    return f"{base}_{application_id}"


def _tenant_from_row(row: Any) -> dict[str, Any]:
    tenant = dict(row)
    try:
        tenant["features"] = json.loads(tenant.get("features") or "[]")
    except ValueError:
        tenant["features"] = []
    return tenant


def get_tenant(tenant_id: str) -> Optional[dict[str, Any]]:
    with get_registry() as registry:
        row = registry.execute("SELECT * FROM tenants WHERE tenant_id = ?", (tenant_id,)).fetchone()
    return _tenant_from_row(row) if row is not None else None


def find_tenant_by_email(email: str) -> Optional[dict[str, Any]]:
    """The tenant registered by this applicant e-mail (case-insensitive), oldest first."""
    with get_registry() as registry:
        row = registry.execute(
            "SELECT * FROM tenants WHERE lower(email) = lower(?) ORDER BY created_at, tenant_id LIMIT 1",
            (email.strip(),),
        ).fetchone()
    return _tenant_from_row(row) if row is not None else None


def list_tenants() -> list[dict[str, Any]]:
    with get_registry() as registry:
        rows = registry.execute("SELECT * FROM tenants ORDER BY created_at, tenant_id").fetchall()
    return [_tenant_from_row(row) for row in rows]


def count_users(tenant_id: str) -> tuple[int, int]:
    """(all users, active users) of a tenant; (0, 0) while its database does not exist yet."""
    if not tenant_db_path(tenant_id).exists():
        return 0, 0
    with get_db(tenant_id) as db:
        row = db.execute(
            "SELECT COUNT(*) AS total, COALESCE(SUM(is_active), 0) AS active FROM users"
        ).fetchone()
    return int(row["total"]), int(row["active"])


def _admin_username(email: str) -> str:
    local = email.split("@", 1)[0].lower()
    username = _USERNAME_RE.sub("_", local)[:50]
    return username if len(username) >= 3 else f"admin_{username}".rstrip("_")


def create_tenant(
    *,
    university_name: str,
    email: str,
    application_id: int,
    admin_name: str,
    plan: str = "demo",
    features: Optional[list[str]] = None,
    tenant_id: Optional[str] = None,
) -> dict[str, Any]:
    """Register a new tenant, create its database and its first admin (the applicant).

    The applicant signs in through the university LMS, so the admin gets a random password nobody knows.
    Raises TenantExistsError when the tenant id is taken.
    """
    tenant_id = tenant_id or make_tenant_id(university_name, application_id)
    if get_tenant(tenant_id) is not None:
        raise TenantExistsError(tenant_id)
    features = list(features if features is not None else PLAN_FEATURES.get(plan, PLAN_FEATURES["demo"]))
    created_at = clock.isoformat(clock.now())

    # The database first: a registered tenant always has one.
    with open_tenant_db(tenant_id) as db:
        db.execute(
            "INSERT INTO users (username, display_name, email, password_hash, role, is_active, created_at)"
            " VALUES (?, ?, ?, ?, 'admin', 1, ?)",
            (_admin_username(email), admin_name.strip() or email, email.strip(),
             hash_password(secrets.token_urlsafe(24)), created_at),
        )
    with get_registry() as registry:
        registry.execute(
            "INSERT INTO tenants (tenant_id, university_name, email, plan, features, status, created_at,"
            " updated_at, application_id) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
            (tenant_id, university_name, email.strip(), plan, json.dumps(features), created_at, created_at,
             application_id),
        )
    logger.info("tenant %s created (plan %s, application %s)", tenant_id, plan, application_id)
    tenant = get_tenant(tenant_id)
    assert tenant is not None
    return tenant


def provision_tenant(
    *, university_name: str, application_id: int, email: str, admin_name: str, kind: str = "demo"
) -> tuple[dict[str, Any], bool]:
    """The tenant for an approved application: (tenant, created).

    An applicant e-mail that already owns a tenant gets that tenant back (created = False).
    """
    existing = find_tenant_by_email(email)
    if existing is not None:
        logger.info("application %s reuses tenant %s", application_id, existing["tenant_id"])
        return existing, False
    plan = PLAN_BY_KIND.get(kind, "demo")
    tenant = create_tenant(
        university_name=university_name,
        email=email,
        application_id=application_id,
        admin_name=admin_name,
        plan=plan,
    )
    return tenant, True


def issue_admin_token(tenant_id: str, user_id: int, token: Optional[str] = None) -> str:
    """Store (the hash of) an admin token for `user_id` and return the token.

    Operators use this to hand a token to a university admin; the seed passes its own deterministic tokens.
    """
    token = token or "adv_" + secrets.token_urlsafe(30)
    with get_registry() as registry:
        registry.execute(
            "INSERT OR REPLACE INTO admin_tokens (token_hash, tenant_id, user_id) VALUES (?, ?, ?)",
            (hash_token(token), tenant_id, user_id),
        )
    return token
