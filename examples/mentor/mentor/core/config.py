"""Settings. One deployment serves one university: there is no tenant anywhere in this service.

`API_PREFIX` and the project name are fixed when the app is built; everything that tests and parity runs change
per process (data directory, clock, JWT secret) is read from the environment when it is used.
"""

from __future__ import annotations

import os
from pathlib import Path

# <examples/mentor>/data: next to the package, ignored by git, recreated by the seed.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
# Development secret; production sets MENTOR_JWT_SECRET.
DEFAULT_JWT_SECRET = "mentor-dev-jwt-secret-change-me-4c1f9e27"


class Settings:
    PROJECT_NAME: str = "Mentor"
    API_PREFIX: str = "/api/v1"
    JWT_ALGORITHM: str = "HS256"
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 8
    INSTITUTION: str = "Hanul University"

    @property
    def DATA_DIR(self) -> Path:
        return Path(os.environ.get("MENTOR_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()

    @property
    def DATABASE_PATH(self) -> Path:
        return self.DATA_DIR / "mentor.db"

    @property
    def DATABASE_URL(self) -> str:
        return f"sqlite+aiosqlite:///{self.DATABASE_PATH}"

    @property
    def JWT_SECRET(self) -> str:
        return os.environ.get("MENTOR_JWT_SECRET") or DEFAULT_JWT_SECRET

    @property
    def NOW(self) -> str | None:
        return os.environ.get("MENTOR_NOW") or None

    def __repr__(self) -> str:  # the secret stays out of logs and tracebacks
        return f"Settings(API_PREFIX={self.API_PREFIX!r}, DATA_DIR={str(self.DATA_DIR)!r}, NOW={self.NOW!r})"


settings = Settings()
