"""Password and token hashing (stdlib only)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PASSWORD_ITERATIONS = 100_000


def hash_password(password: str, *, salt: str | None = None, iterations: int = PASSWORD_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hex digest>``; the work factor travels with the hash."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)


def hash_token(token: str) -> str:
    """Bearer tokens are stored as their sha256 only."""
    return hashlib.sha256(token.encode()).hexdigest()


def mask_email(email: str) -> str:
    """``k***@yonsei.ac.kr``: enough to recognise a recipient in a log line."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
