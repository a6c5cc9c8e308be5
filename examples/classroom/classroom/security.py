"""API keys: the platform operator's key (provisioning) and each school's own key (everything under /v1).

School keys are stored as sha256 hashes; all comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Security
from fastapi.security import APIKeyHeader

from classroom.config import get_settings
from classroom.errors import Unauthorized

platform_key_header = APIKeyHeader(name="X-Platform-Key", auto_error=False, scheme_name="PlatformKey",
                                   description="The platform operator's key (provisioning).")
school_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="SchoolKey",
                                 description="The school's own key, issued at registration.")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_school_key() -> str:
    return "ck_" + secrets.token_urlsafe(24)


def same_secret(provided: str | None, expected: str | None) -> bool:
    if not provided or not expected:  # an unset key never matches
        return False
    return hmac.compare_digest(provided.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def require_platform_key(key: Annotated[str | None, Security(platform_key_header)]) -> None:
    if not same_secret(key, get_settings().platform_key):
        raise Unauthorized("Invalid platform key")
