"""SQLite storage: one registry database plus one database file per tenant.

A file per tenant keeps each university's data isolated (a query can never mix tenants) and makes export or
deletion of one tenant a file operation. The registry (`tenants.db`) lists the tenants and the admin tokens.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import HTTPException

from advisor.config import get_settings

# Tenant ids follow the provisioning rule (lower-case letters, digits, "_"); anything else cannot name a file.
_TENANT_ID_RE = re.compile(r"[a-z0-9_]{1,64}")

REGISTRY_SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    tenant_id       TEXT PRIMARY KEY,
    university_name TEXT NOT NULL,
    email           TEXT NOT NULL,
    plan            TEXT NOT NULL DEFAULT 'demo',
    features        TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL DEFAULT 'active',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    application_id  INTEGER
);
CREATE INDEX IF NOT EXISTS idx_tenants_email ON tenants (lower(email));
CREATE TABLE IF NOT EXISTS admin_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL
);
"""

TENANT_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    is_active     INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    last_login    TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email ON users (lower(email));
CREATE TABLE IF NOT EXISTS sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX IF NOT EXISTS idx_sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS idx_sessions_started ON sessions (started_at);
CREATE TABLE IF NOT EXISTS messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model         TEXT NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_messages_created ON messages (created_at);
CREATE INDEX IF NOT EXISTS idx_messages_user ON messages (user_id, created_at);
CREATE INDEX IF NOT EXISTS idx_messages_session ON messages (session_id);
CREATE TABLE IF NOT EXISTS documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    filename    TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    is_indexed  INTEGER NOT NULL DEFAULT 0,
    uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS videos (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    size_bytes       INTEGER NOT NULL,
    is_transcribed   INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_sites (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL,
    is_active       INTEGER NOT NULL DEFAULT 1,
    pages_count     INTEGER NOT NULL DEFAULT 0,
    last_crawled_at TEXT,
    created_at      TEXT NOT NULL
);
"""


def tenant_db_path(tenant_id: str) -> Path:
    return get_settings().tenants_dir / f"{tenant_id}.db"


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


@contextmanager
def get_registry() -> Iterator[sqlite3.Connection]:
    """The tenant registry (commit on success, rollback on error)."""
    conn = connect(get_settings().registry_path)
    conn.executescript(REGISTRY_SCHEMA)
    with _transaction(conn):
        yield conn


def tenant_exists(tenant_id: str) -> bool:
    if not _TENANT_ID_RE.fullmatch(tenant_id or ""):
        return False
    with get_registry() as registry:
        row = registry.execute("SELECT 1 FROM tenants WHERE tenant_id = ?", (tenant_id,)).fetchone()
    return row is not None


def create_tenant_db(tenant_id: str) -> Path:
    """Create (or upgrade) the database file of a tenant; returns its path."""
    if not _TENANT_ID_RE.fullmatch(tenant_id or ""):
        raise ValueError(f"invalid tenant id: {tenant_id!r}")
    path = tenant_db_path(tenant_id)
    conn = connect(path)
    try:
        conn.executescript(TENANT_SCHEMA)
    finally:
        conn.close()
    return path


@contextmanager
def open_tenant_db(tenant_id: str) -> Iterator[sqlite3.Connection]:
    """The database of a tenant that is being provisioned (not registered yet): creates it if needed."""
    path = create_tenant_db(tenant_id)
    with _transaction(connect(path)) as conn:
        yield conn


@contextmanager
def get_db(tenant_id: str) -> Iterator[sqlite3.Connection]:
    """The database of one tenant (commit on success, rollback on error).

    Raises HTTPException(404, "Tenant not found") when the tenant is not registered.
    """
    if not tenant_exists(tenant_id):
        raise HTTPException(status_code=404, detail="Tenant not found")
    path = tenant_db_path(tenant_id)
    if not path.exists():
        create_tenant_db(tenant_id)
    with _transaction(connect(path)) as conn:
        yield conn
