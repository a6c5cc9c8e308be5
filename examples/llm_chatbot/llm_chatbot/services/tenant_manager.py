"""Tenant provisioning for the Service Market (demo and service applications).

Rules shared with the Service Market manual: the tenant id is the university name lower-cased,
every character outside [a-z0-9] replaced by "_", cut to 30 characters, then "_<application id>";
an application from an e-mail that already owns a tenant gets that tenant back.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sqlite3
from datetime import datetime, timedelta

from fastapi import HTTPException

from ..core.clock import iso
from ..db import Database
from ..schemas import FEATURES, ProvisionRequest
from ..security import hash_token

log = logging.getLogger(__name__)

PLANS: dict[str, dict] = {
    "demo": {"max_users": 50, "max_storage_mb": 1024, "days": 30, "auto_renew": False,
             "limits": {"daily_tokens": 200_000, "monthly_tokens": 3_000_000, "max_file_size_mb": 20}},
    "standard": {"max_users": 500, "max_storage_mb": 10240, "days": 365, "auto_renew": True,
                 "limits": {"daily_tokens": 1_000_000, "monthly_tokens": 20_000_000, "max_file_size_mb": 50}},
    "premium": {"max_users": 2000, "max_storage_mb": 51200, "days": 365, "auto_renew": True,
                "limits": {"daily_tokens": 5_000_000, "monthly_tokens": 100_000_000, "max_file_size_mb": 100}},
}
PLAN_FOR_KIND = {"demo": "demo", "service": "standard"}


def tenant_id_for(university_name: str, application_id: int) -> str:
    return f"{re.sub(r'[^a-z0-9]', '_', university_name.lower())[:30]}_{application_id}"


def username_from_email(email: str) -> str:
    local = re.sub(r"[^a-z0-9_.]", "_", email.split("@", 1)[0].lower())
    return (local if len(local) >= 3 else f"{local}_admin")[:50]


def initial_settings(plan: str, start: datetime, branding: dict | None = None) -> dict:
    spec = PLANS[plan]
    return {
        "max_users": spec["max_users"],
        "max_storage_mb": spec["max_storage_mb"],
        "limits": dict(spec["limits"]),
        "branding": branding or {"logo_url": None, "primary_color": None},
        "subscription": {
            "start_date": start.date().isoformat(),
            "end_date": (start.date() + timedelta(days=spec["days"])).isoformat(),
            "auto_renew": spec["auto_renew"],
        },
    }


def insert_tenant(
    conn: sqlite3.Connection,
    *,
    tenant_id: str,
    university_name: str,
    admin_email: str,
    plan: str,
    features: list[str],
    settings: dict,
    created_at: datetime,
    application_id: int,
) -> None:
    flags = {name: name in features for name in FEATURES}
    conn.execute(
        "INSERT INTO tenants (tenant_id, university_name, admin_email, plan, features, settings, status,"
        " created_at, updated_at, application_id) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
        (tenant_id, university_name, admin_email, plan, json.dumps(flags), json.dumps(settings),
         iso(created_at), iso(created_at), application_id),
    )


def provision(db: Database, request: ProvisionRequest, now: datetime, public_url: str) -> dict:
    """Create the tenant and its first admin, or return the tenant the applicant already owns."""
    with db.connect() as conn:
        existing = conn.execute(
            "SELECT tenant_id, admin_email, plan, created_at FROM tenants WHERE admin_email = ?"
            " ORDER BY created_at, tenant_id LIMIT 1",
            (request.admin_email,),
        ).fetchone()
        if existing is not None:
            log.info("provision: e-mail already owns tenant %s, reusing it", existing["tenant_id"])
            return _response(existing, "existing", public_url)

        tenant_id = tenant_id_for(request.university_name, request.application_id)
        plan = PLAN_FOR_KIND[request.kind]
        try:
            insert_tenant(
                conn,
                tenant_id=tenant_id,
                university_name=request.university_name,
                admin_email=request.admin_email,
                plan=plan,
                features=list(request.features),
                settings=initial_settings(plan, now),
                created_at=now,
                application_id=request.application_id,
            )
            # The first admin signs in through the university's SSO, so no password is set here.
            conn.execute(
                "INSERT INTO users (tenant_id, username, display_name, email, password_hash, role, is_active,"
                " created_at, last_login) VALUES (?, ?, ?, ?, NULL, 'admin', 1, ?, NULL)",
                (tenant_id, username_from_email(request.admin_email), request.admin_name, request.admin_email,
                 iso(now)),
            )
        except sqlite3.IntegrityError:
            raise HTTPException(409, f"Tenant '{tenant_id}' already exists") from None
        row = conn.execute(
            "SELECT tenant_id, admin_email, plan, created_at FROM tenants WHERE tenant_id = ?", (tenant_id,)
        ).fetchone()
        log.info("provision: created tenant %s (plan %s)", tenant_id, plan)
        return _response(row, "created", public_url)


def _response(row: sqlite3.Row, status: str, public_url: str) -> dict:
    return {
        "tenant_id": row["tenant_id"],
        "status": status,
        "tenant_url": f"{public_url}/?tenant={row['tenant_id']}",
        "admin_email": row["admin_email"],
        "plan": row["plan"],
        "created_at": row["created_at"],
    }


def issue_admin_token(db: Database, tenant_id: str, user_id: int | None = None) -> str:
    """Mint a bearer token for an admin of ``tenant_id`` (the SSO bridge's job in production).

    Only its sha256 is stored; the caller hands the token to the admin and must not log it.
    """
    with db.tenant_scope(tenant_id) as s:
        row = s.one(
            "SELECT id FROM users WHERE tenant_id = :tenant_id AND role = 'admin' AND is_active = 1"
            + (" AND id = :uid" if user_id is not None else "")
            + " ORDER BY id LIMIT 1",
            {"uid": user_id},
        )
        if row is None:
            raise HTTPException(404, "User not found")
        token = "lcb_" + secrets.token_hex(20)
        s.execute(
            "INSERT INTO api_tokens (token_hash, tenant_id, user_id) VALUES (:h, :tenant_id, :uid)",
            {"h": hash_token(token), "uid": row["id"]},
        )
    return token


def load_settings(tenant: sqlite3.Row) -> dict:
    """The tenant's stored settings JSON (limits, branding, subscription, quotas)."""
    return json.loads(tenant["settings"])


def load_features(tenant: sqlite3.Row) -> dict[str, bool]:
    stored = json.loads(tenant["features"])
    return {name: bool(stored.get(name, False)) for name in FEATURES}
