"""The standard routes of a migrated example (a copy of examples/advisor after phase 1), hit with generated input.

- generated request bodies (any JSON, near-valid objects with the request model's field names, broken JSON) to
  every standard POST/PUT operation of real and unknown tenants: never a 5xx other than 501 (an operation the
  service does not implement);
- schemathesis over the app's own OpenAPI, in process: every operation (legacy routes too), with the market key,
  the legacy keys and a seeded admin's token so that real code runs; zero server errors (501 allowed as above)
  and zero response-schema or content-type violations.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "advisor"
MARKET_KEY = "property-market-key-0123456789"
SETTINGS = settings(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


class Migrated:
    def __init__(self, app, client, credentials: dict) -> None:
        self.app, self.client = app, client
        self.tenants = sorted(k for k, v in credentials.items() if isinstance(v, dict))
        self.credentials = credentials

    def headers(self, tenant: str) -> dict[str, str]:
        admin = self.credentials.get(tenant)
        return {"X-Market-API-Key": MARKET_KEY, "X-API-Key": MARKET_KEY,
                "X-Marketplace-Key": self.credentials.get("marketplace_key", ""), "X-Tenant-ID": quote(tenant),
                "Authorization": f"Bearer {admin['admin_token'] if admin else 'not-a-token'}"}


def _forget(package: str) -> dict:
    dropped = {n: m for n, m in sys.modules.items() if n == package or n.startswith(package + ".")}
    for name in dropped:
        del sys.modules[name]
    return dropped


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """examples/advisor copied and migrated with phase 1, imported fresh (and forgotten afterwards, so that the
    example's own tests keep their module objects), running with seeded data in a temp folder."""
    from fastapi.testclient import TestClient

    from migrator.apply import plan_phase, write_phase

    base = tmp_path_factory.mktemp("migrated")
    root = base / "advisor"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".migrator", "data", "*.db"))
    write_phase(root, plan_phase(root, 1))
    saved = _forget("advisor")
    sys.path.insert(0, str(root))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ADVISOR_DATA_DIR", str(base / "data"))
        env.setenv("ADVISOR_NOW", "2026-11-20T15:00:00")
        env.setenv("MARKET_API_KEYS", MARKET_KEY)
        env.delenv("MARKET_API_KEY", raising=False)
        env.delenv("MARKET_MAX_BODY_BYTES", raising=False)
        try:
            from advisor.seed import demo_credentials
            from advisor.server import app

            with TestClient(app, raise_server_exceptions=False) as client:
                yield Migrated(app, client, demo_credentials())
        finally:
            sys.path.remove(str(root))
            _forget("advisor")
            sys.modules.update(saved)


# --- generated bodies --------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
SEGMENT = st.text(st.characters(codec="utf-8", exclude_characters="/?#%"), min_size=1, max_size=20)


def _write_operations(app) -> list[tuple[str, str, list[str]]]:
    """(method, path template, request field names) of every standard POST/PUT operation."""
    from shims import spec

    schema = app.openapi()
    out = []
    for op in spec.standard_operations():
        if op.method not in ("POST", "PUT"):
            continue
        body = schema["paths"][op.path][op.method.lower()].get("requestBody", {})
        ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        fields = list(schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
        out.append((op.method, op.path, fields))
    return out


@st.composite
def requests(draw, migrated: Migrated):
    method, template, fields = draw(st.sampled_from(_write_operations(migrated.app)))
    tenant = draw(st.sampled_from(migrated.tenants) | SEGMENT)
    user = draw(st.sampled_from(["1", "2", "999999", "-1"]) | SEGMENT)
    path = template.format(tenant_id=quote(tenant, safe=""), user_id=quote(user, safe=""))
    near_valid = st.fixed_dictionaries({}, optional={field: JSON for field in fields})
    kind = draw(st.sampled_from(["json", "near", "raw"]))
    if kind == "raw":
        return method, path, tenant, {"content": draw(st.binary(max_size=200)),
                                      "headers": {"content-type": draw(st.sampled_from(
                                          ["application/json", "text/plain", "application/x-www-form-urlencoded"]))}}
    return method, path, tenant, {"json": draw(near_valid if kind == "near" else JSON)}


def test_generated_bodies_never_cause_a_server_error(migrated):
    seen: dict[int, int] = {}

    @settings(SETTINGS, max_examples=150, phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(request=requests(migrated))
    def check(request):
        method, path, tenant, body = request
        headers = {**migrated.headers(tenant), **body.get("headers", {})}
        payload = {key: value for key, value in body.items() if key != "headers"}
        response = migrated.client.request(method, path, headers=headers, **payload)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500 or response.status_code == 501, (method, path, response.text[:300])

    check()
    assert {200, 201, 404, 422} & set(seen) and len(seen) >= 3, seen  # real answers, not one wall of errors


# --- schemathesis --------------------------------------------------------------------------------------------------


OURS = ("/mt/", "/api/tenant/")  # the routes the shims serve


def schemathesis_problems(app, headers_for, tenants: list[str], max_examples: int) -> list[str]:
    """Run schemathesis over ``app``'s OpenAPI in process; the 5xx (501 aside) and the response-schema and
    content-type violations it found, one line each. ``tenant_id`` path parameters are mostly real tenants."""
    import schemathesis
    from schemathesis.checks import content_type_conformance, response_schema_conformance, status_code_conformance
    from schemathesis.core.failures import FailureGroup

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    problems: list[str] = []
    for operation in [result.ok() for result in schema.get_all_operations()]:
        checks = [response_schema_conformance, content_type_conformance]
        if operation.path.startswith(OURS):  # the shims document every status they send; legacy routes need not
            checks.append(status_code_conformance)

        @settings(SETTINGS, max_examples=max_examples, phases=[Phase.explicit, Phase.generate])
        @given(case=operation.as_strategy(), data=st.data())
        def check(case, data):
            tenant = data.draw(st.sampled_from(tenants))
            if case.path_parameters and "tenant_id" in case.path_parameters:
                tenant = data.draw(st.sampled_from([*tenants, case.path_parameters["tenant_id"]]))
                case.path_parameters["tenant_id"] = tenant
            try:
                response = case.call(headers=headers_for(tenant))
            except Exception as exc:  # in process, an unhandled exception reaches the caller: a 500 on the wire
                problems.append(f"{operation.label}: 500 (unhandled {type(exc).__name__})")
                return
            if response.status_code >= 500 and response.status_code != 501:
                problems.append(f"{operation.label}: {response.status_code} {response.text[:200]}")
            try:
                case.validate_response(response, checks=checks)
            except (Exception, FailureGroup) as exc:  # schemathesis reports through a BaseExceptionGroup
                problems.append(f"{operation.label}: {' '.join(str(exc).split())[:300]}")

        check()
    return problems


def test_schemathesis_finds_no_server_error_and_no_schema_violation(migrated):
    assert len(migrated.app.openapi()["paths"]) >= 30
    assert schemathesis_problems(migrated.app, migrated.headers, migrated.tenants, max_examples=12) == []


def test_the_schemathesis_run_does_find_server_errors_and_schema_violations():
    """The same harness on a service that breaks every rule: it must report them (the test above can fail)."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel

    class Count(BaseModel):
        count: int

    app = FastAPI()

    @app.get("/count", responses={200: {"model": Count}})
    def wrong_shape():
        return JSONResponse({"count": "many"})

    @app.get("/crash/{tenant_id}")
    def crash(tenant_id: str):
        raise RuntimeError("boom")

    @app.get("/mt/teapot", responses={200: {"model": Count}})
    def undocumented_status():
        return JSONResponse({"count": 1}, status_code=418)

    problems = schemathesis_problems(app, lambda tenant: {}, ["t1"], max_examples=3)
    assert any(p.startswith("GET /mt/teapot:") and "418" in p for p in problems), problems
    assert any(p.startswith("GET /count:") for p in problems), problems
    assert any(p.startswith("GET /crash/{tenant_id}: 500") for p in problems), problems
