"""bench/corpus_truth.py: the route walk of a real import, and the recall/precision comparison."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "corpus_truth.py"
APP_ROOT = Path(__file__).parent / "fixtures" / "truth_app"


def _load_script():
    spec = importlib.util.spec_from_file_location("corpus_truth", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _walk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "walk", "--root", str(APP_ROOT), *args],
                          capture_output=True, text=True, timeout=120, check=False)


EXPECTED = [
    ["DELETE", "/shop/items/{item_id}"], ["GET", "/health"], ["GET", "/partner/orders"], ["GET", "/ping"],
    ["GET", "/shop/admin/logs/audit"], ["GET", "/shop/items/"], ["PATCH", "/shop/items/{item_id}"],
    ["POST", "/partner/orders"], ["POST", "/ping"], ["PUT", "/shop/items/{item_id}"],
    ["WEBSOCKET", "/shop/admin/live"],
]


def test_walk_factory_flattens_includes_mounts_and_env_prefix():
    proc = _walk("--factory", "shop.main:create_app", "--env", "SHOP_API_PREFIX=/shop")
    assert proc.returncode == 0, proc.stderr
    truth = json.loads(proc.stdout)
    assert truth["routes"] == EXPECTED
    assert ["GET", "/docs"] in truth["framework_routes"]
    assert {"path": "/static", "kind": "static"} in truth["mounts"]
    assert {"path": "/partner", "kind": "router", "app": "FastAPI"} in truth["mounts"]
    # hidden from the schema: include_in_schema=False, plain starlette routes, the mounted app (no openapi_url)
    assert ["DELETE", "/shop/items/{item_id}"] in truth["not_in_openapi"]
    assert ["GET", "/health"] in truth["not_in_openapi"]
    assert truth["openapi_only"] == []


def test_walk_unwraps_an_asgi_wrapper_and_defaults_apply(tmp_path):
    out = tmp_path / "truth.json"
    proc = _walk("--app", "shop.main:wrapped", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    routes = json.loads(out.read_text())["routes"]
    assert ["GET", "/api/v1/items/"] in routes and ["GET", "/api/v1/admin/logs/audit"] in routes
    assert len(routes) == len(EXPECTED)


def test_walk_import_failure_is_one_message_and_exit_1():
    proc = _walk("--app", "shop.missing:app")
    assert proc.returncode == 1
    assert "importing shop.missing:app failed" in proc.stderr
    assert "ModuleNotFoundError" in proc.stderr


def test_bad_env_argument_exits_with_a_message():
    proc = _walk("--app", "shop.main:wrapped", "--env", "NOEQUALS")
    assert proc.returncode != 0
    assert "--env 'NOEQUALS': expected K=V" in proc.stderr


def test_compare_counts_recall_and_precision_with_anonymous_parameters():
    module = _load_script()
    truth = {"routes": [["GET", "/a/{id}"], ["POST", "/a"], ["GET", "/b"], ["DELETE", "/c"]]}
    report = {"routes": [{"methods": ["get"], "path": "/a/{item_id:int}"}, {"methods": ["POST", "PUT"], "path": "/a"},
                         {"methods": ["GET"], "path": "/zzz"}]}
    result = module.compare(truth, report)
    assert (result["truth"], result["analyzed"], result["hits"]) == (4, 4, 2)
    assert result["recall"] == pytest.approx(0.5) and result["precision"] == pytest.approx(0.5)
    assert result["missing"] == [("DELETE", "/c"), ("GET", "/b")]
    assert result["extra"] == [("GET", "/zzz"), ("PUT", "/a")]


def test_missing_interpreter_is_one_line_not_a_traceback():
    proc = _walk("--app", "shop.main:wrapped", "--python", "no/such/python")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "no/such/python" in proc.stderr
