"""Settings read from the environment.

Read at call time (not import time) so that tests, the seed script and parity runs can point one process at
another data directory or clock without re-importing the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# <examples/advisor>/data: next to the package, ignored by git, recreated by the seed.
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Development defaults; production sets the variables (the Service Market issues the real keys).
DEFAULT_MARKETPLACE_KEY = "adv-mk-dev-8f2c1a"
DEFAULT_API_KEY = "mt_dev_key_12345"
DEFAULT_PUBLIC_URL = "http://localhost:8000"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    now: str | None
    marketplace_key: str
    api_key: str
    public_url: str

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "tenants.db"

    @property
    def tenants_dir(self) -> Path:
        return self.data_dir / "tenants"

    def __repr__(self) -> str:  # keys stay out of logs and tracebacks
        return f"Settings(data_dir={str(self.data_dir)!r}, now={self.now!r}, public_url={self.public_url!r})"


def get_settings() -> Settings:
    data_dir = os.environ.get("ADVISOR_DATA_DIR") or str(DEFAULT_DATA_DIR)
    return Settings(
        data_dir=Path(data_dir).expanduser().resolve(),
        now=os.environ.get("ADVISOR_NOW") or None,
        marketplace_key=os.environ.get("ADVISOR_MARKETPLACE_KEY", DEFAULT_MARKETPLACE_KEY),
        api_key=os.environ.get("ADVISOR_API_KEY", DEFAULT_API_KEY),
        public_url=(os.environ.get("ADVISOR_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
    )
