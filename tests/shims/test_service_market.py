"""Service Market alias router: webhook (both payload forms, tenant id rule, reuse, errors) and the read aliases."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from fastapi import FastAPI

from shims.compat.service_market import create_service_market_router, tenant_id_for
from shims.standard_api import (
    NotImplementedOperationError,
    QuotaExceededError,
    StandardAPIHandler,
    TenantExistsError,
    TenantNotFoundError,
)
from shims.standard_api.models import (
    ActivateRequest,
    ActivateResponse,
    ResourceItem,
    ResourcesResponse,
    StatsResponse,
    StatsSummary,
    StatusResponse,
    TenantSummary,
    UserInfo,
    UsersListResponse,
)

KEY = "sm_test_key_5f2c9a"
HEADERS = {"X-API-Key": KEY}


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch):
    monkeypatch.delenv("MARKET_API_KEYS", raising=False)
    monkeypatch.delenv("MARKET_API_KEY", raising=False)


# --- a handler that records every call, over two tenants ----------------------------------------------------------


def _user(uid, email, role="user", status="active"):
    return UserInfo(user_id=uid, email=email, name=uid, role=role, status=status, created_at="2026-01-01T00:00:00Z")


class RecordingHandler(StandardAPIHandler):
    def __init__(self, *, async_creation=False, fail_with=None):
        self.calls: list[tuple] = []
        self.async_creation = async_creation
        self.fail_with = fail_with
        self.tenants = {
            "alpha_1": {
                "email": "admin@alpha.ac.kr",
                "name": "Alpha Univ",
                "users": [_user("a1", "a1@alpha.ac.kr")],
                "messages": 111,
            },
            "beta_2": {
                "email": "admin@beta.ac.kr",
                "name": "Beta Univ",
                "users": [_user("b1", "b1@beta.ac.kr", "admin"), _user("b2", "b2@beta.ac.kr")],
                "messages": 222,
            },
        }

    def _tenant(self, tenant_id):
        if tenant_id not in self.tenants:
            raise TenantNotFoundError(tenant_id)
        return self.tenants[tenant_id]

    async def activate_tenant(self, request: ActivateRequest) -> ActivateResponse:
        self.calls.append(("activate_tenant", request))
        if self.fail_with is not None:
            raise self.fail_with
        if request.tenant_id in self.tenants:
            raise TenantExistsError(request.tenant_id)
        if self.async_creation:
            return ActivateResponse(
                success=False, tenant_id=request.tenant_id, access_url="", message="테넌트 생성 중..."
            )
        self.tenants[request.tenant_id] = {
            "email": request.contact.email,
            "name": request.tenant_name,
            "users": [],
            "messages": 0,
        }
        return ActivateResponse(
            success=True,
            tenant_id=request.tenant_id,
            access_url=f"https://svc.example/?tenant={request.tenant_id}",
            message="ok",
        )

    async def deactivate_tenant(self, tenant_id, request):
        raise NotImplementedOperationError("deactivate_tenant")

    async def get_tenant_status(self, tenant_id) -> StatusResponse:
        self.calls.append(("get_tenant_status", tenant_id))
        self._tenant(tenant_id)
        return StatusResponse(
            tenant_id=tenant_id,
            status="active",
            plan="demo",
            features=["chat"],
            created_at="2026-01-01T00:00:00Z",
            updated_at="2026-01-02T00:00:00Z",
        )

    async def get_tenant_usage(self, tenant_id, period):
        raise NotImplementedOperationError("get_tenant_usage")

    async def get_tenant_stats(self, tenant_id, period) -> StatsResponse:
        self.calls.append(("get_tenant_stats", tenant_id, period))
        tenant = self._tenant(tenant_id)
        return StatsResponse(
            tenant_id=tenant_id,
            period=period,
            summary=StatsSummary(total_users=len(tenant["users"]), total_messages=tenant["messages"]),
        )

    async def get_tenant_costs(self, tenant_id, period):
        raise NotImplementedOperationError("get_tenant_costs")

    async def list_users(self, tenant_id, filters) -> UsersListResponse:
        self.calls.append(("list_users", tenant_id, filters))
        users = [u for u in self._tenant(tenant_id)["users"] if filters.role is None or u.role == filters.role]
        page = users[filters.offset : filters.offset + filters.limit]
        return UsersListResponse(
            tenant_id=tenant_id, total=len(users), limit=filters.limit, offset=filters.offset, users=page
        )

    async def create_user(self, tenant_id, request):
        raise NotImplementedOperationError("create_user")

    async def get_user(self, tenant_id, user_id):
        raise NotImplementedOperationError("get_user")

    async def update_user(self, tenant_id, user_id, request):
        raise NotImplementedOperationError("update_user")

    async def delete_user(self, tenant_id, user_id):
        raise NotImplementedOperationError("delete_user")

    async def get_settings(self, tenant_id):
        raise NotImplementedOperationError("get_settings")

    async def list_resources(self, tenant_id, filters) -> ResourcesResponse:
        self.calls.append(("list_resources", tenant_id, filters))
        self._tenant(tenant_id)
        item = ResourceItem(
            id=f"{tenant_id}-{filters.type.value}-1", title=f"{tenant_id} {filters.type.value}", type=filters.type
        )
        return ResourcesResponse(tenant_id=tenant_id, resource_type=filters.type.value, total=1, items=[item])

    async def list_tenants(self) -> list[TenantSummary]:
        self.calls.append(("list_tenants",))
        # built from legacy-shaped dicts: only the fields the legacy service had are "set"
        return [
            TenantSummary.model_validate(
                {
                    "tenant_id": tid,
                    "university_name": t["name"],
                    "email": t["email"],
                    "status": "active",
                    "created_at": "2026-02-01T10:00:00",
                    "users_count": len(t["users"]),
                }
            )
            for tid, t in self.tenants.items()
        ]

    async def get_tenant_summary(self, tenant_id) -> TenantSummary:
        self.calls.append(("get_tenant_summary", tenant_id))
        t = self._tenant(tenant_id)
        return TenantSummary.model_validate(
            {
                "tenant_id": tenant_id,
                "university_name": t["name"],
                "email": t["email"],
                "status": "active",
                "created_at": "2026-02-01T10:00:00",
                "users_count": len(t["users"]),
                "active_users": 1,
                "plan": "demo",
                "features": ["chat", "rag"],
            }
        )


class NoListingHandler(RecordingHandler):
    """A handler without the optional Service Market methods: reuse relies on TenantExistsError."""

    by_email: dict[str, str]

    async def list_tenants(self):
        raise NotImplementedOperationError("list_tenants")

    async def get_tenant_summary(self, tenant_id):
        raise NotImplementedOperationError("get_tenant_summary")

    async def activate_tenant(self, request):
        for tid, t in self.tenants.items():
            if t["email"] == request.contact.email:
                self.calls.append(("activate_tenant", request))
                raise TenantExistsError(tid)
        return await super().activate_tenant(request)

    async def list_resources(self, tenant_id, filters):
        raise NotImplementedOperationError("list_resources")


def make_app(handler=None, **kwargs):
    kwargs.setdefault("api_keys", [KEY])
    handler = handler or RecordingHandler()
    app = FastAPI()
    app.include_router(create_service_market_router(handler, **kwargs))
    return app, handler


def request(app, method, url, **kwargs):
    async def run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(run())


NESTED = {
    "application": {
        "id": 17,
        "kind": "demo",
        "contact": "02-880-1234",
        "reason": "AI 튜터 서비스 데모 체험 신청합니다.",
    },
    "applicant": {"id": 27, "name": "김서울", "email": "seoul@university.ac.kr", "university_name": "서울대학교"},
    "service": {"id": 18, "slug": "keli-tutor", "title": "KELI Tutor"},
}
FLAT = {
    "application_id": 42,
    "kind": "service",
    "contact": "033-248-1234",
    "reason": "정식 도입",
    "applicant": {"id": 9, "name": "Kim Hallym", "email": "it@hallym.ac.kr", "university_name": "Hallym University"},
    "service": {"id": 18, "slug": "keli-tutor", "title": "KELI Tutor"},
    "start_date": "2026-03-01",
    "end_date": "2027-02-28",
}
WEBHOOKS = ["/api/tenant/webhook/application-approved", "/api/tenant/webhook/auto-provision"]


# --- tenant id rule -----------------------------------------------------------------------------------------------


def test_tenant_id_rule_manual_example_korean_name_becomes_underscores():
    # 5 Hangul syllables -> 5 underscores, then "_17" (the manual's rule; its sample response text disagrees)
    assert tenant_id_for("서울대학교", 17) == "______17"


def test_tenant_id_rule_ascii_name():
    assert tenant_id_for("Hallym University", 42) == "hallym_university_42"
    assert tenant_id_for("KAIST", "104") == "kaist_104"
    assert tenant_id_for("Seoul National Univ. (SNU)", 1) == "seoul_national_univ___snu__1"


def test_tenant_id_rule_cuts_the_name_to_30_characters_before_the_id():
    name = "Pohang University of Science and Technology"
    assert tenant_id_for(name, 202) == "pohang_university_of_science_a_202"
    assert len(tenant_id_for(name, 202).rsplit("_", 1)[0]) == 30


# --- webhook: both forms, both paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WEBHOOKS)
def test_nested_payload_creates_the_tenant(path):
    app, handler = make_app()
    response = request(app, "POST", path, json=NESTED, headers=HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["tenant_id"] == "______17"
    assert body["message"] == "테넌트 '서울대학교' 생성 완료"
    assert body["access_url"] == "https://svc.example/?tenant=______17"
    assert body["tenant_url"] == body["access_url"]
    assert body["status"] == "approved"
    assert body["admin_credentials"] == {"email": "seoul@university.ac.kr", "note": "LMS 계정으로 로그인하세요."}
    assert body["created_at"]
    ((_name, activate),) = [c for c in handler.calls if c[0] == "activate_tenant"]
    assert activate.tenant_id == "______17"
    assert activate.tenant_name == "서울대학교"
    assert activate.plan == "demo"
    assert activate.features == ["chat", "rag"]
    assert activate.contact.email == "seoul@university.ac.kr" and activate.contact.name == "김서울"
    assert activate.config == {
        "application_id": 17,
        "applicant_id": 27,
        "contact": "02-880-1234",
        "reason": "AI 튜터 서비스 데모 체험 신청합니다.",
        "service": {"id": 18, "slug": "keli-tutor", "title": "KELI Tutor"},
        "start_date": None,
        "end_date": None,
    }


@pytest.mark.parametrize("path", WEBHOOKS)
def test_flat_sandbox_payload_creates_the_tenant(path):
    app, handler = make_app()
    response = request(app, "POST", path, json=FLAT, headers=HEADERS)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tenant_id"] == "hallym_university_42"
    assert body["message"] == "테넌트 'Hallym University' 생성 완료"
    # the sandbox validator's fields
    assert body["status"] == "approved" and body["tenant_url"].endswith("hallym_university_42")
    activate = handler.calls[-1][1]
    assert activate.plan == "service"
    assert activate.config["start_date"] == "2026-03-01" and activate.config["end_date"] == "2027-02-28"
    assert activate.config["application_id"] == 42 and activate.config["applicant_id"] == 9


def test_access_url_template():
    app, _ = make_app(access_url_template="https://tutor.example/{tenant_id}/login")
    body = request(app, "POST", WEBHOOKS[0], json=FLAT, headers=HEADERS).json()
    assert body["access_url"] == body["tenant_url"] == "https://tutor.example/hallym_university_42/login"


def test_same_email_reuses_the_tenant_found_through_list_tenants():
    app, handler = make_app(public_url="http://svc.test")
    payload = json.loads(json.dumps(NESTED))
    payload["applicant"]["email"] = "ADMIN@beta.ac.kr"  # e-mail compared case-insensitively
    payload["application"]["id"] = 99
    body = request(app, "POST", WEBHOOKS[0], json=payload, headers=HEADERS).json()
    assert body["success"] is True
    assert body["tenant_id"] == "beta_2"
    assert body["message"] == "기존 테넌트 '서울대학교' 재사용"
    assert body["access_url"] == "http://svc.test?tenant=beta_2"
    assert body["created_at"] == "2026-02-01T10:00:00"  # the existing tenant's
    assert not [c for c in handler.calls if c[0] == "activate_tenant"]


def test_second_webhook_with_same_email_reuses_the_first_tenant():
    app, handler = make_app()
    first = request(app, "POST", WEBHOOKS[0], json=FLAT, headers=HEADERS).json()
    again = dict(FLAT, application_id=43)
    second = request(app, "POST", WEBHOOKS[1], json=again, headers=HEADERS).json()
    assert second["tenant_id"] == first["tenant_id"] == "hallym_university_42"
    assert second["message"] == "기존 테넌트 'Hallym University' 재사용"
    assert len([c for c in handler.calls if c[0] == "activate_tenant"]) == 1


def test_without_listing_a_tenant_exists_error_is_409_never_a_reuse():
    """A TenantExistsError names a tenant, not its owner: without `list_tenants` the router cannot check that the
    applicant owns it, so it refuses (the legacy routes answer 409 too) instead of handing the tenant over."""
    app, _handler = make_app(NoListingHandler())
    payload = dict(FLAT, applicant=dict(FLAT["applicant"], email="admin@alpha.ac.kr"))
    response = request(app, "POST", WEBHOOKS[1], json=payload, headers=HEADERS)
    assert response.status_code == 409
    assert response.json() == {"detail": "Tenant 'alpha_1' already exists"}
    assert "alpha_1" not in json.dumps(response.json().get("tenant_id", ""))


def test_asynchronous_creation_answers_processing():
    app, _ = make_app(RecordingHandler(async_creation=True))
    response = request(app, "POST", WEBHOOKS[0], json=NESTED, headers=HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False
    assert body["tenant_id"] is None
    assert body["access_url"] is None
    assert body["status"] == "processing"
    assert body["message"] == "테넌트 생성 중..."


# --- webhook errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "mentions"),
    [
        (b"{not json", "JSON"),
        (b"", "JSON"),
        (b"[1, 2]", "JSON"),
        (json.dumps({"applicant": NESTED["applicant"]}).encode(), "application"),
        (
            json.dumps(
                {**NESTED, "applicant": {k: v for k, v in NESTED["applicant"].items() if k != "email"}}
            ).encode(),
            "applicant.email",
        ),
        (
            json.dumps({**NESTED, "application": {**NESTED["application"], "id": "seventeen"}}).encode(),
            "application.id",
        ),
        (
            json.dumps({**NESTED, "application": {**NESTED["application"], "kind": "forever"}}).encode(),
            "application.kind",
        ),
        (
            json.dumps({**NESTED, "applicant": {**NESTED["applicant"], "email": "not-an-email"}}).encode(),
            "applicant.email",
        ),
        (json.dumps({**FLAT, "service": "keli"}).encode(), "service"),
        (json.dumps({k: v for k, v in FLAT.items() if k != "applicant"}).encode(), "applicant"),
    ],
    ids=[
        "malformed",
        "empty",
        "array",
        "no-application",
        "no-email",
        "id-type",
        "kind",
        "email-shape",
        "service-type",
        "flat-no-applicant",
    ],
)
def test_bad_body_is_400_in_the_manuals_shape(content, mentions):
    app, handler = make_app()
    response = request(
        app, "POST", WEBHOOKS[0], content=content, headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail.startswith("잘못된 요청 형식: ")
    assert mentions in detail
    assert not [c for c in handler.calls if c[0] == "activate_tenant"]


@pytest.mark.parametrize(
    "headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}, {"X-API-Key": KEY + "x"}, {"X-Market-API-Key": KEY}]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", WEBHOOKS[0]), ("POST", WEBHOOKS[1]), ("GET", "/api/tenant/list"), ("GET", "/api/tenant/users/alpha_1")],
)
def test_missing_or_wrong_key_is_401(headers, method, path):
    app, handler = make_app()
    response = request(app, method, path, json=NESTED if method == "POST" else None, headers=headers)
    assert response.status_code == 401
    # manual §4.1 (webhook) and §5.4 (tenant API) word the 401 differently; each alias keeps its section's text
    expected = "Invalid API Key" if "/webhook/" in path else "Invalid API key"
    assert response.json() == {"detail": expected}
    assert handler.calls == []


def test_keys_from_env_and_several_keys(monkeypatch):
    monkeypatch.setenv("MARKET_API_KEYS", "k-one, k-two")
    app, _ = make_app(api_keys=None)
    assert request(app, "GET", "/api/tenant/list", headers={"X-API-Key": "k-two"}).status_code == 200
    assert request(app, "GET", "/api/tenant/list", headers={"X-API-Key": "k-one"}).status_code == 200
    assert request(app, "GET", "/api/tenant/list", headers={"X-API-Key": "k-three"}).status_code == 401


def test_no_key_configured_is_503_and_logged(caplog):
    caplog.set_level(logging.WARNING, logger="shims.service_market")
    app, handler = make_app(api_keys=None)
    response = request(app, "POST", WEBHOOKS[0], json=NESTED, headers={"X-API-Key": "some-guess-123"})
    assert response.status_code == 503
    assert response.json() == {"detail": "Service Market API key is not configured on this service"}
    assert handler.calls == []
    assert "no market API key is configured" in caplog.text
    assert "some-guess-123" not in caplog.text


def test_handler_failure_is_500_without_internals(caplog):
    caplog.set_level(logging.ERROR)
    boom = RuntimeError("connect failed: postgres://svc:hunter2@db/tenants")
    app, _ = make_app(RecordingHandler(fail_with=boom))
    response = request(app, "POST", WEBHOOKS[0], json=NESTED, headers=HEADERS)
    assert response.status_code == 500
    assert response.json() == {"detail": "테넌트 생성 실패: 내부 오류 (RuntimeError)"}
    assert "hunter2" not in response.text
    assert KEY not in caplog.text


def test_domain_failure_is_500_with_its_message():
    app, _ = make_app(RecordingHandler(fail_with=QuotaExceededError("tenants", 10)))
    response = request(app, "POST", WEBHOOKS[1], json=FLAT, headers=HEADERS)
    assert response.status_code == 500
    assert response.json() == {"detail": "테넌트 생성 실패: Quota exceeded for tenants (limit 10)"}


# --- read aliases ---------------------------------------------------------------------------------------------------


def test_list_reproduces_legacy_documents_exactly():
    app, handler = make_app()
    response = request(app, "GET", "/api/tenant/list", headers=HEADERS)
    assert response.status_code == 200
    assert response.json() == {
        "tenants": [
            {
                "tenant_id": "alpha_1",
                "university_name": "Alpha Univ",
                "email": "admin@alpha.ac.kr",
                "status": "active",
                "created_at": "2026-02-01T10:00:00",
                "users_count": 1,
            },
            {
                "tenant_id": "beta_2",
                "university_name": "Beta Univ",
                "email": "admin@beta.ac.kr",
                "status": "active",
                "created_at": "2026-02-01T10:00:00",
                "users_count": 2,
            },
        ],
        "total": 2,
    }
    assert handler.calls == [("list_tenants",)]


def test_status_uses_the_summary_with_extra_fields():
    app, handler = make_app()
    body = request(app, "GET", "/api/tenant/status/beta_2", headers=HEADERS).json()
    assert body == {
        "tenant_id": "beta_2",
        "university_name": "Beta Univ",
        "email": "admin@beta.ac.kr",
        "status": "active",
        "created_at": "2026-02-01T10:00:00",
        "users_count": 2,
        "active_users": 1,
        "plan": "demo",
        "features": ["chat", "rag"],
    }
    assert handler.calls == [("get_tenant_summary", "beta_2")]


def test_status_falls_back_to_the_standard_status():
    app, handler = make_app(NoListingHandler())
    body = request(app, "GET", "/api/tenant/status/alpha_1", headers=HEADERS).json()
    assert body == {
        "tenant_id": "alpha_1",
        "status": "active",
        "plan": "demo",
        "features": ["chat"],
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z",
    }
    assert ("get_tenant_status", "alpha_1") in handler.calls


@pytest.mark.parametrize(
    "path",
    [
        "/api/tenant/stats/nope",
        "/api/tenant/users/nope",
        "/api/tenant/courses/nope",
        "/api/tenant/discussions/nope",
    ],
)
def test_unknown_tenant_is_the_standard_404(path):
    # (the aliases of standard operations answer the standard error body)
    app, _ = make_app()
    response = request(app, "GET", path, headers=HEADERS)
    assert response.status_code == 404
    assert response.json() == {
        "detail": {"success": False, "error": "TENANT_NOT_FOUND", "message": "Tenant 'nope' not found"}
    }


def test_tenant_status_alias_answers_404_in_the_manuals_shape():
    # /list and /status replace legacy routes of manual §5.4, whose errors are {"detail": "<text>"}
    app, _ = make_app()
    response = request(app, "GET", "/api/tenant/status/nope", headers=HEADERS)
    assert response.status_code == 404
    assert response.json() == {"detail": "Tenant not found"}


def test_not_implemented_is_501():
    app, _ = make_app(NoListingHandler())
    response = request(app, "GET", "/api/tenant/courses/alpha_1", headers=HEADERS)
    assert response.status_code == 501
    assert response.json()["detail"]["error"] == "NOT_IMPLEMENTED"
    response = request(app, "GET", "/api/tenant/list", headers=HEADERS)
    assert response.status_code == 501
    assert "list_tenants" in response.json()["detail"]


def test_an_unimplemented_alias_answers_404_for_a_tenant_the_handler_does_not_know():
    """The alias of a standard operation answers as the operation does: the tenant's 404 before the 501."""
    app, _ = make_app(NoListingHandler())
    response = request(app, "GET", "/api/tenant/courses/nope", headers=HEADERS)
    assert response.status_code == 404 and response.json()["detail"]["error"] == "TENANT_NOT_FOUND"


def test_stats_delegates_with_period():
    app, handler = make_app()
    body = request(app, "GET", "/api/tenant/stats/alpha_1?period=7d", headers=HEADERS).json()
    assert body["tenant_id"] == "alpha_1" and body["period"] == "7d"
    assert body["summary"]["total_messages"] == 111
    assert handler.calls == [("get_tenant_stats", "alpha_1", "7d")]
    request(app, "GET", "/api/tenant/stats/alpha_1", headers=HEADERS)
    assert handler.calls[-1] == ("get_tenant_stats", "alpha_1", "30d")
    assert request(app, "GET", "/api/tenant/stats/alpha_1?period=1w", headers=HEADERS).status_code == 422
    assert request(app, "GET", "/api/tenant/stats/alpha_1?period=1y", headers=HEADERS).status_code == 200
    assert handler.calls[-1] == ("get_tenant_stats", "alpha_1", "1y")


def test_users_delegates_filters():
    app, handler = make_app()
    url = "/api/tenant/users/beta_2?limit=5&offset=0&role=admin&status=active&search=b1"
    body = request(app, "GET", url, headers=HEADERS).json()
    assert [u["user_id"] for u in body["users"]] == ["b1"]
    name, tenant, filters = handler.calls[-1]
    assert (name, tenant) == ("list_users", "beta_2")
    assert (filters.limit, filters.offset, filters.role.value, filters.status.value, filters.search) == (
        5,
        0,
        "admin",
        "active",
        "b1",
    )
    assert request(app, "GET", "/api/tenant/users/beta_2?limit=0", headers=HEADERS).status_code == 422
    assert request(app, "GET", "/api/tenant/users/beta_2?role=root", headers=HEADERS).status_code == 422


@pytest.mark.parametrize(("segment", "kind"), [("courses", "course"), ("discussions", "discussion")])
def test_resources_delegate_with_their_type(segment, kind):
    app, handler = make_app()
    body = request(app, "GET", f"/api/tenant/{segment}/alpha_1?limit=3&search=x", headers=HEADERS).json()
    assert body["resource_type"] == kind
    assert body["items"][0]["id"] == f"alpha_1-{kind}-1"
    name, tenant, filters = handler.calls[-1]
    assert (name, tenant, filters.type.value, filters.limit, filters.search) == (
        "list_resources",
        "alpha_1",
        kind,
        3,
        "x",
    )


def test_a_tenant_cannot_read_another_tenants_data_through_an_alias():
    app, _ = make_app()
    alpha = request(app, "GET", "/api/tenant/users/alpha_1", headers=HEADERS).json()
    beta = request(app, "GET", "/api/tenant/users/beta_2", headers=HEADERS).json()
    assert {u["email"].split("@")[1] for u in alpha["users"]} == {"alpha.ac.kr"}
    assert {u["email"].split("@")[1] for u in beta["users"]} == {"beta.ac.kr"}
    assert alpha["tenant_id"] == "alpha_1" and beta["tenant_id"] == "beta_2"
    assert request(app, "GET", "/api/tenant/stats/alpha_1", headers=HEADERS).json()["summary"]["total_messages"] == 111
    assert request(app, "GET", "/api/tenant/stats/beta_2", headers=HEADERS).json()["summary"]["total_messages"] == 222
    # a path trick cannot turn one tenant's alias into another's
    assert request(app, "GET", "/api/tenant/users/alpha_1%2F..%2Fbeta_2", headers=HEADERS).status_code == 404


def test_unexpected_read_failure_is_a_clean_500():
    class Broken(RecordingHandler):
        async def get_tenant_stats(self, tenant_id, period):
            raise ZeroDivisionError("secret internals")

    app, _ = make_app(Broken())
    response = request(app, "GET", "/api/tenant/stats/alpha_1", headers=HEADERS)
    assert response.status_code == 500
    assert response.json() == {
        "detail": {"success": False, "error": "INTERNAL_ERROR", "message": "Internal error while handling 'get_tenant_stats'"}
    }
    assert "secret" not in response.text


def test_prefix_is_configurable_and_openapi_lists_the_aliases():
    app, _ = make_app(prefix="/compat")
    paths = app.openapi()["paths"]
    assert set(paths) == {
        "/compat/webhook/application-approved",
        "/compat/webhook/auto-provision",
        "/compat/list",
        "/compat/status/{tenant_id}",
        "/compat/stats/{tenant_id}",
        "/compat/users/{tenant_id}",
        "/compat/courses/{tenant_id}",
        "/compat/discussions/{tenant_id}",
    }
    body_schema = paths["/compat/webhook/auto-provision"]["post"]["requestBody"]["content"]["application/json"]
    flat = json.dumps(body_schema)
    assert "$ref" not in flat and "$defs" not in flat  # nothing points outside the document
    assert {"application", "application_id"} <= {
        name for s in body_schema["schema"]["oneOf"] for name in s["properties"]
    }


def test_a_bad_access_url_template_is_refused_when_the_router_is_built():
    with pytest.raises(ValueError, match="tenant_id"):
        create_service_market_router(RecordingHandler(), api_keys=[KEY], access_url_template="https://x/{tenant}")
    app, _ = make_app(access_url_template="{base_url}/t/{tenant_id}", public_url="http://svc.test")
    body = request(app, "POST", WEBHOOKS[0], json=FLAT, headers=HEADERS).json()
    assert body["access_url"] == "http://svc.test/t/hallym_university_42"


def test_openapi_documents_the_alias_errors_with_the_bodies_sent():
    app, _ = make_app()
    doc = app.openapi()
    ops = {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()}
    message, standard = "#/components/schemas/MessageErrorResponse", "#/components/schemas/ErrorResponse"

    def schema(op, status):
        return op["responses"][status]["content"]["application/json"]["schema"]["$ref"]

    webhook = ops[("POST", "/api/tenant/webhook/auto-provision")]
    assert {"400", "401", "409", "500", "503"} <= set(webhook["responses"])
    assert {schema(webhook, s) for s in ("400", "401", "409", "500", "503")} == {message}
    stats = ops[("GET", "/api/tenant/stats/{tenant_id}")]
    assert (schema(stats, "401"), schema(stats, "503")) == (message, message)  # the key guard's text
    assert {schema(stats, s) for s in ("400", "404", "500", "501")} == {standard}  # the handler's errors
    listing = ops[("GET", "/api/tenant/list")]
    assert schema(listing, "501") == message


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("GET", "/api/tenant/webhook/auto-provision", "POST"), ("DELETE", "/api/tenant/users/alpha_1", "GET"),
     ("POST", "/api/tenant/list", "GET")],
)  # fmt: skip
def test_alias_405_lists_every_allowed_method(method, path, allow):
    app, _ = make_app()
    response = request(app, method, path, headers=HEADERS)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
