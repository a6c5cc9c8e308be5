"""Migrated copies of the examples, started as real uvicorn servers (shared by the interop tests).

`migrated_copy(name, phase, dest)` copies ``examples/<name>`` and runs ``migrator apply`` phase by phase up to
``phase`` (3 with ``--force``: the tests do not wait for the sunset); `serve(copy, example)` starts it on a free
port with fresh seeded data and yields the base URL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
MIGRATOR = [sys.executable, "-m", "migrator"]
MARKET_KEY = "interop-market-key-4c1e9a"
NOW = "2026-11-20T15:00:00"


@dataclass(frozen=True)
class Example:
    name: str
    app: str
    env: dict[str, str]  # "{data}" is the server's data folder
    public_url_env: str
    seeded: tuple[str, str] | None = None  # a seeded tenant and its contact e-mail
    seeded_application: tuple[str, int] | None = None  # its university name and application id
    #: a single-tenant deployment: the variable naming the tenant it serves (the test's tenant is deployed)
    tenant_env: str | None = None


EXAMPLES = {
    "advisor": Example(
        "advisor", "advisor.server:app",
        {"ADVISOR_DATA_DIR": "{data}", "ADVISOR_NOW": NOW, "ADVISOR_API_KEY": MARKET_KEY},
        "ADVISOR_PUBLIC_URL", ("kaist_104", "aitutor@kaist.ac.kr"), ("KAIST", 104),
    ),
    "llm_chatbot": Example(
        "llm_chatbot", "llm_chatbot.main:app", {"LLM_CHATBOT_DB": "{data}/chatbot.db", "LLM_CHATBOT_NOW": NOW},
        "LLM_CHATBOT_PUBLIC_URL", ("postech_202", "ai-admin@postech.ac.kr"), ("POSTECH", 202),
    ),
    # the examples of issue 12 (idioms phase 1 does not migrate yet): the tests skip them while phase 1 writes no
    # handler, and run as soon as it does
    "mentor": Example("mentor", "mentor.main:app", {"MENTOR_DATA_DIR": "{data}", "MENTOR_NOW": NOW,
                                                   "MENTOR_LIFECYCLE_FILE": "{data}/lifecycle.json"},
                      "MENTOR_PUBLIC_URL", tenant_env="MENTOR_TENANT_ID"),
    # Hanbit High School, seeded as school 1 with its contact (classroom/seed.py); no market id is mapped to it
    "classroom": Example("classroom", "classroom.app:app", {"CLASSROOM_DATA_DIR": "{data}", "CLASSROOM_NOW": NOW},
                         "CLASSROOM_PUBLIC_URL", ("1", "admin@hanbit.hs.kr")),
}  # fmt: skip


def skip_unless_migrated(copy: Path, name: str) -> None:
    """Skip (naming the reason) when phase 1 wrote no Standard API handler for the example."""
    import pytest

    if not any(copy.rglob("handlers/market_handler.py")):
        pytest.skip(f"phase 1 writes no Standard API handler for {name} yet (its idioms are issue 12's)")


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})  # fmt: skip


def migrated_copy(name: str, phase: int, dest: Path) -> Path:
    """A fresh copy of the example, migrated with the current `migrator apply` up to ``phase`` (0: legacy)."""
    copy = dest / name
    shutil.copytree(REPO / "examples" / name, copy,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))  # fmt: skip
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-qm", "legacy")
    for step in range(1, phase + 1):
        args = ["apply", "--phase", str(step), str(copy)] + (["--force"] if step == 3 else [])
        proc = subprocess.run(MIGRATOR + args, capture_output=True, text=True, cwd=REPO, timeout=600)
        assert proc.returncode == 0, f"phase {step} of {name}: {proc.stdout[-1500:]}{proc.stderr[-1500:]}"
        if step == 1 and not any(copy.rglob("handlers/market_handler.py")):
            break  # phase 1 migrated nothing: later phases have nothing to work on (skip_unless_migrated says so)
        _git(copy, "add", "-A")
        _git(copy, "commit", "-qm", f"phase {step}")
    return copy


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(copy: Path, example: Example, data: Path, tenant: str | None = None) -> Iterator[str]:
    """uvicorn on 127.0.0.1 with fresh data (a single-tenant example deployed for `tenant`); yields the base URL; the
    server is stopped afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MARKET_", "ADVISOR_", "LLM_CHATBOT_", "MENTOR_", "CLASSROOM_"))}
    env.update({k: v.format(data=data) for k, v in example.env.items()})
    env.update({"MARKET_API_KEY": MARKET_KEY, example.public_url_env: url, "PYTHONPATH": str(REPO)})
    if example.tenant_env and tenant:
        env[example.tenant_env] = tenant
    data.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", example.app, "--app-dir", str(copy), "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/mt/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read() if proc.poll() is not None else ""
                raise AssertionError(f"{example.name} did not start: {output[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
