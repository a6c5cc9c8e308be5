"""Settings from the environment, read on every call (tests and parity runs repoint one process)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

# <examples/classroom>/data: next to the package, ignored by git, recreated by the seed.
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# Development key of the platform operator; production sets CLASSROOM_PLATFORM_KEY.
DEFAULT_PLATFORM_KEY = "cls-platform-dev-7d41"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    data_dir: Path
    now: str | None = None
    platform_key: str = Field(repr=False)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "classroom.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_path}"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            data_dir=Path(os.environ.get("CLASSROOM_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve(),
            now=os.environ.get("CLASSROOM_NOW") or None,
            platform_key=os.environ.get("CLASSROOM_PLATFORM_KEY", DEFAULT_PLATFORM_KEY),
        )


def get_settings() -> Settings:
    return Settings.from_env()
