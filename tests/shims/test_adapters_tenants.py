"""shims.adapters, tenant and settings families: /api/tenant/status|list and /admin/settings ⇄ standard."""

import json

import pytest

from shims.adapters import (
    LegacyShapeError,
    settings_from_legacy,
    status_from_legacy,
    tenant_list_to_legacy,
    tenant_summary_from_legacy,
    update_settings_payload,
)
from shims.standard_api.models import SettingsResponse, TenantSummary, UpdateSettingsRequest

# manual §5.3.1, verbatim
MANUAL_TENANT_LIST = json.loads("""
{
    "tenants": [
        {
            "tenant_id": "demo_1000",
            "university_name": "서울대학교",
            "email": "admin@seoul.ac.kr",
            "status": "active",
            "created_at": "2026-02-01T10:00:00",
            "users_count": 150
        }
    ],
    "total": 1
}
""")

# plan §3.4, verbatim (the standard side)
PLAN_SETTINGS = json.loads("""
{
  "tenant_id": "hallym_univ",
  "config": {
    "max_users": 2000,
    "max_storage_mb": 10240,
    "features": {
      "rag": true,
      "chat": true,
      "quiz": false,
      "api_integration": true
    },
    "limits": {
      "daily_tokens": 1000000,
      "monthly_tokens": 20000000,
      "max_file_size_mb": 50
    },
    "branding": {
      "logo_url": "https://...",
      "primary_color": "#003366"
    }
  },
  "subscription": {
    "plan": "premium",
    "start_date": "2025-09-01",
    "end_date": "2026-08-31",
    "auto_renew": true
  }
}
""")

# --- status -------------------------------------------------------------------------------------------------------

ADVISOR_STATUS = {
    "tenant_id": "hallym_university_102",
    "university_name": "한림대학교",
    "email": "admin@hallym.ac.kr",
    "status": "active",
    "created_at": "2026-08-01T09:00:00",
    "users_count": 58,
    "active_users": 51,
    "plan": "standard",
    "features": ["chat", "rag", "quiz"],
    "updated_at": "2026-11-02T12:00:00",
}

STATUS_CASES = [
    pytest.param(
        ADVISOR_STATUS,
        {"tenant_id": "hallym_university_102", "status": "active", "plan": "standard",
         "features": ["chat", "rag", "quiz"], "created_at": "2026-08-01T09:00:00",
         "updated_at": "2026-11-02T12:00:00"},
        id="with-extras",
    ),
    pytest.param(
        # manual §5.4 status shape, without plan/features/updated_at
        {"tenant_id": "demo_1000", "university_name": "서울대학교", "email": "admin@seoul.ac.kr", "status": "active",
         "created_at": "2026-02-01T10:00:00", "users_count": 150, "active_users": 140},
        {"tenant_id": "demo_1000", "status": "active", "plan": "unknown", "features": [],
         "created_at": "2026-02-01T10:00:00", "updated_at": "2026-02-01T10:00:00"},
        id="without-extras",
    ),
    pytest.param(
        {**ADVISOR_STATUS, "status": "Suspended", "features": {"rag": True, "chat": False, "quiz": True}},
        {"tenant_id": "hallym_university_102", "status": "suspended", "plan": "standard", "features": ["rag", "quiz"],
         "created_at": "2026-08-01T09:00:00", "updated_at": "2026-11-02T12:00:00"},
        id="features-as-flags",
    ),
    pytest.param(
        {**ADVISOR_STATUS, "status": "inactive", "created_at": None, "updated_at": None},
        {"tenant_id": "hallym_university_102", "status": "deactivated", "plan": "standard",
         "features": ["chat", "rag", "quiz"], "created_at": "", "updated_at": ""},
        id="inactive-without-dates",
    ),
]


@pytest.mark.parametrize(("legacy", "expected"), STATUS_CASES)
def test_status_from_legacy(legacy, expected):
    assert status_from_legacy(legacy).model_dump() == expected


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"status": "on-fire"}, "legacy.status: unknown tenant status 'on-fire'"),
        ({"status": None}, "legacy.status"),
        ({"tenant_id": None}, "legacy.tenant_id"),
        ({"features": "chat,rag"}, "legacy.features"),
    ],
)
def test_status_invalid_names_the_path(change, fragment):
    with pytest.raises(LegacyShapeError) as err:
        status_from_legacy({**ADVISOR_STATUS, **change})
    assert fragment in str(err.value)


# --- tenant list -------------------------------------------------------------------------------------------------


def test_tenant_list_round_trips_the_manual_example_exactly():
    summaries = [tenant_summary_from_legacy(item) for item in MANUAL_TENANT_LIST["tenants"]]
    assert summaries[0].tenant_id == "demo_1000" and summaries[0].users_count == 150
    assert summaries[0].active_users is None
    assert tenant_list_to_legacy(summaries) == MANUAL_TENANT_LIST


def test_tenant_summary_keeps_extras_and_only_given_fields():
    item = {"tenant_id": "t_1", "status": "active", "plan": "premium", "features": ["rag"], "active_users": 3}
    summary = tenant_summary_from_legacy(item)
    assert summary.plan == "premium"  # extras are kept as attributes
    assert tenant_list_to_legacy([summary, dict(ADVISOR_STATUS)]) == {"tenants": [item, ADVISOR_STATUS], "total": 2}
    assert tenant_list_to_legacy([]) == {"tenants": [], "total": 0}


def test_tenant_summary_built_by_a_handler_serialises_without_unset_defaults():
    summary = TenantSummary(tenant_id="x_1", status="active", users_count=4)
    assert tenant_list_to_legacy([summary])["tenants"] == [{"tenant_id": "x_1", "status": "active", "users_count": 4}]


def test_tenant_summary_invalid_names_the_path():
    with pytest.raises(LegacyShapeError, match=r"tenant\.status"):
        tenant_summary_from_legacy({"tenant_id": "x"})
    with pytest.raises(LegacyShapeError, match=r"tenants\[1\]\.tenant_id"):
        tenant_list_to_legacy([{"tenant_id": "a", "status": "active"}, {"status": "active"}])


# --- settings ----------------------------------------------------------------------------------------------------

LLM_CHATBOT_SETTINGS = {
    "tenant_id": "yonsei_university_201",
    "plan": "premium",
    "max_users": 2000,
    "max_storage_mb": 51200,
    "features": {"rag": True, "chat": True, "quiz": False, "api_integration": True, "custom_branding": True},
    "limits": {"daily_tokens": 5000000, "monthly_tokens": 100000000, "max_file_size_mb": 100},
    "branding": {"logo_url": "https://cdn.yonsei.ac.kr/logo.png", "primary_color": "#003876"},
    "subscription": {"start_date": "2026-03-01", "end_date": "2027-03-01", "auto_renew": True},
}

SETTINGS_CASES = [
    pytest.param(
        LLM_CHATBOT_SETTINGS,
        {
            "tenant_id": "yonsei_university_201",
            "config": {
                "max_users": 2000,
                "max_storage_mb": 51200,
                "features": {"rag": True, "chat": True, "quiz": False, "api_integration": True,
                             "custom_branding": True},
                "limits": {"daily_tokens": 5000000, "monthly_tokens": 100000000, "max_file_size_mb": 100,
                           "max_users": 2000, "max_storage_mb": 51200},
                "branding": {"logo_url": "https://cdn.yonsei.ac.kr/logo.png", "primary_color": "#003876",
                             "custom_css": None},
            },
            "subscription": {"plan": "premium", "start_date": "2026-03-01", "end_date": "2027-03-01",
                             "auto_renew": True},
        },
        id="llm-chatbot",
    ),
    pytest.param(
        {"tenant_id": "d_9", "plan": "demo", "max_users": 100, "max_storage_mb": 1024,
         "features": {"quiz": True}, "limits": {"daily_tokens": 1}, "branding": None,
         "subscription": {"start_date": "2026-11-20", "end_date": None}},
        {
            "tenant_id": "d_9",
            "config": {
                "max_users": 100,
                "max_storage_mb": 1024,
                "features": {"rag": True, "chat": True, "quiz": True, "api_integration": False,
                             "custom_branding": False},
                "limits": {"daily_tokens": 1, "monthly_tokens": 20000000, "max_file_size_mb": 50,
                           "max_users": 100, "max_storage_mb": 1024},
                "branding": None,
            },
            "subscription": {"plan": "demo", "start_date": "2026-11-20", "end_date": None, "auto_renew": False},
        },
        id="partial-with-standard-defaults",
    ),
]


@pytest.mark.parametrize(("legacy", "expected"), SETTINGS_CASES)
def test_settings_from_legacy(legacy, expected):
    assert settings_from_legacy(legacy).model_dump(mode="json") == expected


def test_settings_match_the_plan_example_built_from_the_same_facts():
    legacy = {
        "tenant_id": "hallym_univ", "plan": "premium", "max_users": 2000, "max_storage_mb": 10240,
        "features": {"rag": True, "chat": True, "quiz": False, "api_integration": True, "custom_branding": False},
        "limits": {"daily_tokens": 1000000, "monthly_tokens": 20000000, "max_file_size_mb": 50},
        "branding": {"logo_url": "https://...", "primary_color": "#003366"},
        "subscription": {"start_date": "2025-09-01", "end_date": "2026-08-31", "auto_renew": True},
    }
    plan = SettingsResponse.model_validate(PLAN_SETTINGS)
    plan.config.limits.max_users = 2000  # the plan example leaves these to the defaults inside limits
    assert settings_from_legacy(legacy) == plan


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"max_users": None}, "legacy.max_users"),
        ({"subscription": {"end_date": "2027-01-01"}}, "legacy.subscription.start_date"),
        ({"features": {"rag": "sometimes"}}, "legacy.features.rag"),
    ],
)
def test_settings_invalid_names_the_path(change, path):
    with pytest.raises(LegacyShapeError) as err:
        settings_from_legacy({**LLM_CHATBOT_SETTINGS, **change})
    assert path in str(err.value)


UPDATE_SETTINGS = [
    ({"features": {"quiz": True}}, {"features": {"quiz": True}}),
    ({"limits": {"daily_tokens": 10, "max_file_size_mb": 5}}, {"limits": {"daily_tokens": 10, "max_file_size_mb": 5}}),
    ({"limits": {"max_users": 300, "daily_tokens": 10}}, {"limits": {"daily_tokens": 10}, "max_users": 300}),
    ({"limits": {"max_storage_mb": 4096}}, {"max_storage_mb": 4096}),
    ({"branding": {"logo_url": None, "primary_color": "#fff"}},
     {"branding": {"logo_url": None, "primary_color": "#fff"}}),  # a null clears the logo
    ({"features": None, "branding": {"primary_color": "#000"}}, {"branding": {"primary_color": "#000"}}),
    ({}, {}),
]


@pytest.mark.parametrize(("body", "payload"), UPDATE_SETTINGS)
def test_update_settings_payload_is_partial(body, payload):
    assert update_settings_payload(UpdateSettingsRequest.model_validate(body)) == payload
