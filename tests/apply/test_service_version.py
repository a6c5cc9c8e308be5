"""The version `/mt/health` reports: the one the service declares (`[project] version`, written into the handler by
phase 1), else the one its app declares (`FastAPI(version=...)`, what its OpenAPI document says). Many services run
from a requirements file without `[project]` metadata (Marzban: `FastAPI(version=__version__)`); their handler must
not claim 0.0.0."""

from __future__ import annotations

import importlib
import sys

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from migrator.apply import plan_phase, write_phase
from shims.health import create_health_router
from shims.standard_api import create_standard_router
from tests.apply.test_generated_code_owned import SERVICE

PACKAGE = "svc"
APP_VERSION = "0.8.4"


@pytest.fixture
def service(tmp_path):
    def build(pyproject: str):
        root = tmp_path / "svc_root"
        files = {**SERVICE, "pyproject.toml": pyproject,
                 "svc/main.py": SERVICE["svc/main.py"].replace('FastAPI(title="svc")',
                                                                f'FastAPI(title="svc", version="{APP_VERSION}")')}
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        write_phase(root, plan_phase(root, 1))
        sys.path.insert(0, str(root))
        try:
            app = importlib.import_module(f"{PACKAGE}.main").app
        finally:
            sys.path.remove(str(root))
        return root, app

    yield build
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _health_version(app) -> str:
    with TestClient(app) as client:
        response = client.get("/mt/health")
    assert response.status_code == 200, response.text
    return response.json()["version"]


def test_without_a_declared_version_the_handler_reports_the_apps(service):
    root, app = service('[tool.migrator]\ntenant = "acme"\n')
    handler = (root / "svc/handlers/market_handler.py").read_text(encoding="utf-8")
    assert "service_version" not in handler
    assert _health_version(app) == APP_VERSION


def test_a_declared_version_is_written_into_the_handler_and_reported(service):
    root, app = service('[project]\nname = "svc"\nversion = "2.1.0"\n\n[tool.migrator]\ntenant = "acme"\n')
    handler = (root / "svc/handlers/market_handler.py").read_text(encoding="utf-8")
    assert 'service_version = "2.1.0"' in handler
    assert _health_version(app) == "2.1.0"


class _Handler:
    """A handler as mt_paas writes them: a status string from check_health, a version or none."""

    def __init__(self, version=None):
        if version is not None:
            self.service_version = version

    async def activate_tenant(self, request):  # pragma: no cover - not called
        raise AssertionError

    async def check_health(self):
        return "healthy"


@pytest.mark.parametrize("declared, reported", [(None, APP_VERSION), ("1.2.3", "1.2.3")])
def test_both_health_routes_fall_back_to_the_apps_version(declared, reported):
    handler = _Handler(declared)
    app = FastAPI(version=APP_VERSION)
    app.include_router(create_health_router(handler))
    app.include_router(create_standard_router(handler))
    with TestClient(app) as client:
        assert client.get("/health").json()["version"] == reported
        assert client.get("/mt/health").json()["version"] == reported
