"""shims.adapters, provisioning: standard ActivateRequest → legacy marketplace bodies → ActivateResponse.

The round trips run the legacy side as the manual (§3, §4.1) and docs/ARCHITECTURE.md describe it: a small
in-test fake of advisor's /api/marketplace/demo/request and llm_chatbot's /api/marketplace/demo/provision.
"""

import json
import re

import pytest

from shims.adapters import (
    LegacyShapeError,
    activate_from_marketplace,
    activate_from_provision,
    activate_from_webhook_payload,
    derive_tenant_id,
    legacy_identity,
    marketplace_payload_from_activate,
    provision_payload_from_activate,
)
from shims.standard_api import InvalidRequestError, TenantExistsError
from shims.standard_api.models import ActivateRequest

# manual §3.1 request and §3.2 response, verbatim
MANUAL_WEBHOOK = json.loads("""
{
    "application": {
        "id": 17,
        "kind": "demo",
        "contact": "02-880-1234",
        "reason": "AI 튜터 서비스 데모 체험 신청합니다."
    },
    "applicant": {
        "id": 27,
        "name": "김서울",
        "email": "seoul@university.ac.kr",
        "university_name": "서울대학교"
    },
    "service": {
        "id": 18,
        "slug": "keli-tutor",
        "title": "KELI Tutor"
    }
}
""")

MANUAL_RESPONSE = json.loads("""
{
    "success": true,
    "tenant_id": "seoul_university_17",
    "message": "테넌트 '서울대학교' 생성 완료",
    "access_url": "http://your-service.com?tenant=seoul_university_17",
    "admin_credentials": {
        "email": "seoul@university.ac.kr",
        "note": "LMS 계정으로 로그인하세요."
    },
    "created_at": "2026-01-04T21:38:22"
}
""")


def request_for(**overrides):
    body = {
        "tenant_id": "seoul_national_university_101",
        "tenant_name": "Seoul National University",
        "plan": "demo",
        "features": ["chat", "rag"],
        "config": {"application_id": 101, "applicant_id": 27, "contact": "02-880-1234", "reason": "trial",
                   "service": {"id": 18, "slug": "keli-tutor", "title": "KELI Tutor"}},
        "contact": {"email": "admin@snu.ac.kr", "name": "김서울"},
    }
    body.update(overrides)
    return ActivateRequest.model_validate(body)


class FakeAdvisor:
    """Manual §4.1: tenant id from the university name + application id, same e-mail → existing tenant."""

    def __init__(self):
        self.tenants = {}

    def demo_request(self, payload):
        app, applicant = payload["application"], payload["applicant"]
        assert isinstance(app["id"], int) and app["kind"] in ("demo", "service")
        university, email = applicant["university_name"], applicant["email"]
        tenant_id = re.sub(r"[^a-z0-9]", "_", university.lower())[:30] + f"_{app['id']}"
        existing = next((tid for tid, t in self.tenants.items() if t["email"] == email), None)
        if existing:
            tenant_id, message = existing, f"기존 테넌트 '{university}' 재사용"
        else:
            self.tenants[tenant_id] = {"email": email, "kind": app["kind"]}
            message = f"테넌트 '{university}' 생성 완료"
        return {"success": True, "tenant_id": tenant_id, "message": message,
                "access_url": f"http://advisor.local?tenant={tenant_id}",
                "admin_credentials": {"email": email, "note": "LMS 계정으로 로그인하세요."},
                "created_at": "2026-11-20T15:00:00"}


class FakeChatbot:
    def __init__(self):
        self.tenants = {}

    def provision(self, body):
        assert set(body) <= {"university_name", "application_id", "admin_email", "admin_name", "kind", "features"}
        tenant_id = re.sub(r"[^a-z0-9]", "_", body["university_name"].lower())[:30] + f"_{body['application_id']}"
        existing = next((tid for tid, t in self.tenants.items() if t["email"] == body["admin_email"]), None)
        status = "existing" if existing else "created"
        if existing:
            tenant_id = existing
        else:
            self.tenants[tenant_id] = {"email": body["admin_email"], "features": body.get("features", ["chat", "rag"])}
        return {"tenant_id": tenant_id, "status": status, "tenant_url": f"http://chatbot.local/t/{tenant_id}",
                "admin_email": body["admin_email"], "plan": body.get("kind", "demo"), "created_at": "2026-11-20"}


# --- advisor (nested manual payload) -----------------------------------------------------------------------------


def test_marketplace_payload_from_activate():
    assert marketplace_payload_from_activate(request_for()) == {
        "application": {"id": 101, "kind": "demo", "contact": "02-880-1234", "reason": "trial"},
        "applicant": {"id": 27, "name": "김서울", "email": "admin@snu.ac.kr",
                      "university_name": "Seoul National University"},
        "service": {"id": 18, "slug": "keli-tutor", "title": "KELI Tutor"},
    }


def test_marketplace_payload_fallbacks_from_a_minimal_config():
    payload = marketplace_payload_from_activate(request_for(plan="premium", config={"application_id": "101"}))
    assert payload["application"] == {"id": 101, "kind": "service", "contact": "", "reason": ""}
    assert payload["applicant"]["id"] == 0
    assert payload["service"] == {"id": 0, "slug": "", "title": ""}  # the manual's fields, always present
    partial = request_for(config={"service": {"slug": "keli-tutor"}})
    assert marketplace_payload_from_activate(partial)["service"] == {"id": 0, "slug": "keli-tutor", "title": ""}


def test_advisor_round_trip_create_then_reuse():
    advisor = FakeAdvisor()
    first = activate_from_marketplace(advisor.demo_request(marketplace_payload_from_activate(request_for())))
    assert first.model_dump() == {
        "success": True,
        "tenant_id": "seoul_national_university_101",
        "access_url": "http://advisor.local?tenant=seoul_national_university_101",
        "message": "테넌트 'Seoul National University' 생성 완료",
    }
    assert advisor.tenants["seoul_national_university_101"]["kind"] == "demo"
    # same e-mail, another application: the legacy side reuses the tenant
    again = request_for(tenant_id="seoul_national_university_555", config={"application_id": 555})
    second = activate_from_marketplace(advisor.demo_request(marketplace_payload_from_activate(again)))
    assert second.tenant_id == "seoul_national_university_101"
    assert second.message == "기존 테넌트 'Seoul National University' 재사용"


def test_manual_webhook_to_standard_and_back():
    request = activate_from_webhook_payload(MANUAL_WEBHOOK)
    assert request.model_dump() == {
        "tenant_id": "______17",  # the manual's rule on a Hangul name: 5 underscores + "_17"
        "tenant_name": "서울대학교",
        "plan": "demo",
        "features": [],
        "config": {"application_id": 17, "applicant_id": 27, "contact": "02-880-1234",
                   "reason": "AI 튜터 서비스 데모 체험 신청합니다.",
                   "service": {"id": 18, "slug": "keli-tutor", "title": "KELI Tutor"}},
        "contact": {"email": "seoul@university.ac.kr", "name": "김서울"},
    }
    assert marketplace_payload_from_activate(request) == MANUAL_WEBHOOK


def test_webhook_flat_sandbox_form_and_explicit_tenant():
    flat = {"application_id": 17, "kind": "service", "contact": "02", "reason": "r",
            "applicant": MANUAL_WEBHOOK["applicant"], "service": MANUAL_WEBHOOK["service"],
            "start_date": "2026-03-01", "end_date": "2027-02-28"}
    request = activate_from_webhook_payload(flat)
    assert request.tenant_id == "______17"
    assert request.plan == "service"
    assert request.config["start_date"] == "2026-03-01" and request.config["end_date"] == "2027-02-28"
    nested = marketplace_payload_from_activate(request)
    assert nested["application"] == {"id": 17, "kind": "service", "contact": "02", "reason": "r"}
    # an explicit tenant id that application 17 cannot produce: refused before anything is created
    with pytest.raises(InvalidRequestError, match="does not match tenant_id 'existing_3'"):
        marketplace_payload_from_activate(activate_from_webhook_payload(flat, tenant_id="existing_3"))


def test_manual_response_to_activate_response():
    assert activate_from_marketplace(MANUAL_RESPONSE).model_dump() == {
        "success": True,
        "tenant_id": "seoul_university_17",
        "access_url": "http://your-service.com?tenant=seoul_university_17",
        "message": "테넌트 '서울대학교' 생성 완료",
    }


def test_asynchronous_answer_of_faq_q3():
    legacy = {"success": False, "tenant_id": None, "message": "테넌트 생성 중...", "access_url": None}
    assert activate_from_marketplace(legacy).model_dump() == {
        "success": False, "tenant_id": "", "access_url": "", "message": "테넌트 생성 중...",
    }


@pytest.mark.parametrize(
    ("name", "app_id", "tenant_id"),
    [
        ("Seoul National University", 101, "seoul_national_university_101"),
        ("KAIST", 104, "kaist_104"),
        ("Pusan National University of Science", 203, "pusan_national_university_of_s_203"),  # cut to 30
        ("서울대학교", 17, "______17"),
    ],
)
def test_derive_tenant_id(name, app_id, tenant_id):
    assert derive_tenant_id(name, app_id) == tenant_id


# --- llm_chatbot (flat provision body) ----------------------------------------------------------------------------


def test_provision_payload_from_activate():
    assert provision_payload_from_activate(request_for(plan="service", features=["chat", "quiz"])) == {
        "university_name": "Seoul National University",
        "application_id": 101,
        "admin_email": "admin@snu.ac.kr",
        "admin_name": "김서울",
        "kind": "service",
        "features": ["chat", "quiz"],
    }
    # no features: the legacy default applies
    assert "features" not in provision_payload_from_activate(request_for(features=[]))


def test_chatbot_round_trip_create_then_reuse():
    chatbot = FakeChatbot()
    first = activate_from_provision(chatbot.provision(provision_payload_from_activate(request_for())))
    assert first.model_dump() == {
        "success": True,
        "tenant_id": "seoul_national_university_101",
        "access_url": "http://chatbot.local/t/seoul_national_university_101",
        "message": "Tenant 'seoul_national_university_101' created",
    }
    again = request_for(tenant_id="seoul_national_university_300", config={})
    second = activate_from_provision(chatbot.provision(provision_payload_from_activate(again)))
    assert (second.tenant_id, second.message) == (
        "seoul_national_university_101", "Existing tenant 'seoul_national_university_101' reused",
    )


# --- invalid input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"application_id": "abc"}, "config.application_id must be an integer"),
        ({"application_id": True}, "config.application_id must be an integer"),
        ({"application_id": 1}, "config.application_id 1 does not match tenant_id 'seoul_national_university_101'"),
        ({"application_id": 101, "applicant_id": "x"}, "config.applicant_id must be an integer"),
        ({"service": "keli"}, "config.service must be an object"),
    ],
)
def test_marketplace_payload_invalid_config(config, message):
    with pytest.raises(InvalidRequestError) as err:
        marketplace_payload_from_activate(request_for(config=config))
    assert message in err.value.message


def test_provision_payload_takes_the_application_id_from_the_tenant_id():
    assert provision_payload_from_activate(request_for(config={}))["application_id"] == 101
    with pytest.raises(InvalidRequestError, match="config.application_id"):
        provision_payload_from_activate(request_for(config={"application_id": 7}))


# --- exactly the tenant in the path ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant_id", "tenant_name", "university", "application_id"),
    [
        ("seoul_national_university_101", "Seoul National University", "Seoul National University", 101),
        ("______17", "서울대학교", "서울대학교", 17),  # the manual's rule on a Hangul name
        ("foo_1", "Bar University", "foo", 1),  # the name cannot give "foo": the id's prefix stands in
        ("hallym_univ_5", "한림대학교", "hallym_univ", 5),
    ],
)
def test_the_legacy_payload_yields_exactly_the_requested_tenant(tenant_id, tenant_name, university, application_id):
    request = request_for(tenant_id=tenant_id, tenant_name=tenant_name, config={})
    assert legacy_identity(request) == (university, application_id)
    assert derive_tenant_id(university, application_id) == tenant_id
    nested = marketplace_payload_from_activate(request)
    assert derive_tenant_id(nested["applicant"]["university_name"], nested["application"]["id"]) == tenant_id
    flat = provision_payload_from_activate(request)
    assert derive_tenant_id(flat["university_name"], flat["application_id"]) == tenant_id


@pytest.mark.parametrize("tenant_id", ["hallym_univ", "foo_0", "Foo_1", "foo-bar_1", "a" * 31 + "_1", "foo_1x", "_"])
def test_a_tenant_id_the_legacy_rule_cannot_produce_is_400(tenant_id):
    for build in (marketplace_payload_from_activate, provision_payload_from_activate):
        with pytest.raises(InvalidRequestError, match="cannot be created by this service"):
            build(request_for(tenant_id=tenant_id, config={}))


def test_an_answer_about_another_tenant_is_409_when_the_expected_id_is_given():
    advisor = FakeAdvisor()
    activate_from_marketplace(advisor.demo_request(marketplace_payload_from_activate(request_for())))
    again = request_for(tenant_id="seoul_national_university_555", config={})
    legacy = advisor.demo_request(marketplace_payload_from_activate(again))  # the legacy side reuses by e-mail
    with pytest.raises(TenantExistsError, match="already owns tenant 'seoul_national_university_101'"):
        activate_from_marketplace(legacy, expected_tenant_id="seoul_national_university_555")
    chatbot = FakeChatbot()
    activate_from_provision(chatbot.provision(provision_payload_from_activate(request_for())))
    legacy = chatbot.provision(provision_payload_from_activate(again))
    with pytest.raises(TenantExistsError):
        activate_from_provision(legacy, expected_tenant_id="seoul_national_university_555")
    assert activate_from_provision(legacy, expected_tenant_id="seoul_national_university_101").success


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({**MANUAL_WEBHOOK, "applicant": {"name": "x", "email": "e@x"}}, "payload.applicant.university_name"),
        ({**MANUAL_WEBHOOK, "application": {"kind": "demo"}}, "payload.application.id"),
        ({"kind": "demo", "applicant": MANUAL_WEBHOOK["applicant"]}, "payload.application.id"),
        ("not json object", "payload"),
    ],
)
def test_invalid_webhook_is_a_400_naming_the_path(payload, path):
    with pytest.raises(InvalidRequestError) as err:
        activate_from_webhook_payload(payload)
    assert path in err.value.message


@pytest.mark.parametrize(
    ("convert", "legacy", "path"),
    [
        (activate_from_marketplace, {"tenant_id": "x", "message": "m"}, "legacy.success"),
        (activate_from_provision, {"tenant_id": "x", "status": "pending", "tenant_url": "u"}, "legacy.status"),
        (activate_from_provision, {"tenant_id": "x", "status": "created"}, "legacy.tenant_url"),
    ],
)
def test_invalid_legacy_provisioning_response_names_the_path(convert, legacy, path):
    with pytest.raises(LegacyShapeError) as err:
        convert(legacy)
    assert path in str(err.value)
