"""In-memory data, rebuilt by `reset()`; admin tokens derived from a seed so no test file spells them out."""

from __future__ import annotations

import hashlib
import os

TENANTS = ("acme_1", "globex_2")
API_KEY = hashlib.sha256(b"miniapp-api-key").hexdigest()[:24]
USERS: dict[str, list[dict]] = {}


def token(tenant_id: str) -> str:
    return "tok_" + hashlib.sha256(f"miniapp:{tenant_id}".encode()).hexdigest()[:28]


def now() -> str:
    return os.environ.get("MINIAPP_NOW") or "1970-01-01T00:00:00"


def reset() -> None:
    USERS.clear()
    for number, tenant in enumerate(TENANTS, start=1):
        USERS[tenant] = [
            {
                "id": index,
                "username": f"user{index}",
                "display_name": f"User {index}",
                "email": f"user{index}@{tenant}.example",
                "is_active": index % 4 != 0,
                "created_at": "2026-01-0%dT09:00:00" % (1 + index % 9),
                "last_login": None if index % 3 == 0 else "2026-11-19T10:00:00",
                "monthly_cost_usd": round(index * 0.37 * number, 2),
                "role": "admin" if index == 1 else "user",
                "password_hash": hashlib.sha256(f"pw{index}".encode()).hexdigest(),
            }
            for index in range(1, 6 + number * 2)
        ]


def parity_credentials() -> dict[str, str]:
    values = {f"admin_{tenant}": token(tenant) for tenant in TENANTS}
    values["api_key"] = API_KEY
    return values
