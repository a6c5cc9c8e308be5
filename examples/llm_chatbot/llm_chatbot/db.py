"""SQLite storage: one database file for every tenant, a ``tenant_id`` column on every table.

Every query filters on ``tenant_id`` explicitly; ``Database.tenant_scope`` is the way route code
gets a connection for one tenant, and it refuses tenants that do not exist.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import HTTPException

SCHEMA = """
CREATE TABLE tenants (
    tenant_id       TEXT PRIMARY KEY,
    university_name TEXT NOT NULL,
    admin_email     TEXT NOT NULL COLLATE NOCASE,
    plan            TEXT NOT NULL,
    features        TEXT NOT NULL,          -- JSON: {rag, chat, quiz, api_integration, custom_branding}
    settings        TEXT NOT NULL,          -- JSON: {max_users, max_storage_mb, limits, branding, subscription}
    status          TEXT NOT NULL DEFAULT 'active',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    application_id  INTEGER
);
CREATE INDEX ix_tenants_admin_email ON tenants (admin_email);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL COLLATE NOCASE,
    password_hash TEXT,                     -- NULL: single sign-on only (provisioned admins)
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    is_active     INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    last_login    TEXT
);
CREATE UNIQUE INDEX ux_users_username ON users (tenant_id, username);
CREATE UNIQUE INDEX ux_users_email ON users (tenant_id, email);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,            -- sha256 hex of the bearer token; the token itself is never stored
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);

CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX ix_conversations_tenant_started ON conversations (tenant_id, started_at);
CREATE INDEX ix_conversations_user ON conversations (user_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model           TEXT NOT NULL,
    input_tokens    INTEGER NOT NULL,
    output_tokens   INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX ix_messages_tenant_created ON messages (tenant_id, created_at);
CREATE INDEX ix_messages_user ON messages (user_id, created_at);
CREATE INDEX ix_messages_conversation ON messages (conversation_id);
"""

# SQLite integers are signed 64-bit: larger Python ints cannot even be bound as parameters.
SQLITE_INT_MIN, SQLITE_INT_MAX = -(2**63), 2**63 - 1


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


@dataclass
class TenantSession:
    """A connection bound to one existing tenant (``tenant`` is its row)."""

    conn: sqlite3.Connection
    tenant_id: str
    tenant: sqlite3.Row

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[sqlite3.Row]:
        return self.conn.execute(sql, {"tenant_id": self.tenant_id, **(params or {})}).fetchall()

    def one(self, sql: str, params: dict[str, Any] | None = None) -> sqlite3.Row | None:
        return self.conn.execute(sql, {"tenant_id": self.tenant_id, **(params or {})}).fetchone()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, {"tenant_id": self.tenant_id, **(params or {})})


class Database:
    """The service database at ``path``; connections are short-lived, one per request."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.is_file()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and rolls back on any exception."""
        if not self.exists():
            # Opening in read-write mode never creates an empty file that would then fail every query.
            raise HTTPException(503, "Database not initialised: run `python -m llm_chatbot.seed`")
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    @contextmanager
    def tenant_scope(self, tenant_id: str) -> Iterator[TenantSession]:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM tenants WHERE tenant_id = ?", (tenant_id,)).fetchone()
            if row is None:
                raise HTTPException(404, "Tenant not found")
            yield TenantSession(conn=conn, tenant_id=tenant_id, tenant=row)
