"""The service as people run it: uvicorn in a subprocess, on a free local port, seeding on first start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SERVICE_ROOT = Path(__file__).resolve().parents[1]
YONSEI = "yonsei_university_201"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_uvicorn_serves_the_seeded_service(tmp_path, client, admin, creds):
    port = free_port()
    db = tmp_path / "served" / "chatbot.db"
    env = {**os.environ, "LLM_CHATBOT_DB": str(db), "PYTHONPATH": str(SERVICE_ROOT)}
    log = (tmp_path / "server.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "llm_chatbot.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=SERVICE_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "uvicorn exited early"
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not answer within 30 s"
            time.sleep(0.1)

        assert db.is_file()  # seeded on start-up
        served = httpx.get(f"{base}/admin/dashboard", headers=admin(YONSEI), timeout=10)
        assert served.status_code == 200
        # Same clock, same seed: the served numbers equal the in-process ones.
        assert served.json() == client.get("/admin/dashboard", headers=admin(YONSEI)).json()
        assert httpx.get(f"{base}/admin/dashboard", timeout=10).status_code == 422
        denied = httpx.get(f"{base}/admin/users", headers={**admin(YONSEI), "Authorization": "Bearer nope"}, timeout=10)
        assert (denied.status_code, denied.json()) == (401, {"detail": "Invalid or missing token"})
        created = httpx.post(f"{base}/admin/users", headers=admin(YONSEI), timeout=10,
                             json={"username": "served.user", "password": "long-enough", "email": "su@yonsei.ac.kr"})
        assert created.status_code == 201 and created.json()["created_at"] == "2026-11-20T15:00:00"
    finally:
        server.terminate()
        server.wait(timeout=10)
    log.seek(0)
    output = log.read()
    log.close()
    assert "GET /admin/dashboard" in output  # the access log is on …
    assert creds[YONSEI]["admin_token"] not in output  # … and never shows a credential
