"""Runtime settings read from the environment.

Read on every call (no module-level cache) so that tests and the parity runner can point a running
process at another database or clock just by changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# examples/llm_chatbot/ — the folder that holds the package, its data/ and tests/.
SERVICE_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = SERVICE_ROOT / "data" / "chatbot.db"
DEFAULT_SERVICE_TOKEN = "svc-dev-3b9d7e"
DEFAULT_PUBLIC_URL = "http://localhost:8000"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    now: str | None
    service_token: str
    public_url: str

    def __repr__(self) -> str:  # keeps the service token out of logs and tracebacks
        return f"Settings(db_path={str(self.db_path)!r}, now={self.now!r}, public_url={self.public_url!r})"


def get_settings() -> Settings:
    env = os.environ
    return Settings(
        db_path=Path(env.get("LLM_CHATBOT_DB") or DEFAULT_DB),
        now=env.get("LLM_CHATBOT_NOW") or None,
        service_token=env.get("LLM_CHATBOT_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
        public_url=(env.get("LLM_CHATBOT_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
    )
