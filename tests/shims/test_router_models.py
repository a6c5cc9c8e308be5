"""The plan's example documents (seed 000 §3.1–3.4) validate into the wire models and serialise back unchanged,
and the router serves them with exactly the model's keys."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from migrator.conformance.shapes import shape_problems
from migrator.testing.reference import InMemoryHandler, make_app
from shims.standard_api.models import (
    CostsResponse,
    CreateUserRequest,
    CreateUserResponse,
    ResourcesResponse,
    SettingsResponse,
    StatsResponse,
    UsersListResponse,
)

# Verbatim from seed 000 (Standard API 확장 계획) §3.1–3.4.
STATS = """
{
  "tenant_id": "hallym_univ",
  "period": "30d",
  "summary": {
    "total_users": 1250,
    "active_users": 890,
    "new_users_this_period": 45,
    "total_sessions": 15680,
    "total_messages": 89450,
    "total_tokens": 12500000,
    "estimated_cost_usd": 125.50
  },
  "trends": {
    "daily": [
      {"date": "2026-01-29", "users": 120, "messages": 3200, "tokens": 450000},
      {"date": "2026-01-28", "users": 115, "messages": 2980, "tokens": 420000}
    ]
  },
  "health": {
    "status": "healthy",
    "last_check": "2026-01-30T10:00:00Z",
    "response_time_ms": 45
  }
}
"""
COSTS = """
{
  "tenant_id": "hallym_univ",
  "period": "30d",
  "total_cost_usd": 125.50,
  "by_model": [
    {"model": "gpt-4", "input_tokens": 5000000, "output_tokens": 2000000, "cost_usd": 85.00},
    {"model": "gpt-3.5-turbo", "input_tokens": 4000000, "output_tokens": 1500000, "cost_usd": 40.50}
  ],
  "by_user_top10": [
    {"user_id": "user_123", "name": "김철수", "cost_usd": 15.20, "tokens": 1200000}
  ],
  "daily_trend": [
    {"date": "2026-01-29", "cost_usd": 4.50}
  ]
}
"""
USERS = """
{
  "tenant_id": "hallym_univ",
  "total": 1250,
  "limit": 20,
  "offset": 0,
  "users": [
    {
      "user_id": "user_123",
      "email": "admin@hallym.ac.kr",
      "name": "관리자",
      "role": "admin",
      "status": "active",
      "created_at": "2025-09-01T00:00:00Z",
      "last_login": "2026-01-30T09:00:00Z",
      "usage": {
        "sessions": 150,
        "messages": 2340,
        "tokens": 350000
      }
    }
  ]
}
"""
CREATE_REQUEST = """
{
  "email": "newuser@hallym.ac.kr",
  "name": "신규 사용자",
  "role": "user",
  "password": "temp_password_123",
  "send_welcome_email": true
}
"""
CREATE_RESPONSE = """
{
  "user_id": "user_456",
  "email": "newuser@hallym.ac.kr",
  "name": "신규 사용자",
  "role": "user",
  "status": "active",
  "created_at": "2026-01-30T10:30:00Z",
  "temporary_password": true
}
"""
RESOURCES = """
{
  "tenant_id": "hallym_univ",
  "resource_type": "course",
  "total": 45,
  "items": [
    {
      "id": "course_001",
      "title": "AI 개론",
      "created_by": "user_123",
      "created_at": "2025-10-01T00:00:00Z",
      "stats": {
        "participants": 35,
        "discussions": 120,
        "documents": 15
      }
    }
  ]
}
"""
SETTINGS = """
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
"""
EXAMPLES = [
    ("§3.1 stats", StatsResponse, STATS),
    ("§3.1 costs", CostsResponse, COSTS),
    ("§3.2 users", UsersListResponse, USERS),
    ("§3.2 create request", CreateUserRequest, CREATE_REQUEST),
    ("§3.2 create response", CreateUserResponse, CREATE_RESPONSE),
    ("§3.3 resources", ResourcesResponse, RESOURCES),
    ("§3.4 settings", SettingsResponse, SETTINGS),
]


def _key_paths(value, prefix="$"):
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{prefix}.{key}"
            yield from _key_paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _key_paths(item, f"{prefix}[{index}]")


@pytest.mark.parametrize("name,model,text", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_plan_examples_round_trip_through_the_models(name, model, text):
    document = json.loads(text)
    parsed = model.model_validate(document)
    again = parsed.model_dump(mode="json", exclude_unset=True)
    assert sorted(_key_paths(again)) == sorted(_key_paths(document))
    assert again == document
    # and through JSON text, as the wire carries it
    assert json.loads(model.model_validate_json(text).model_dump_json(exclude_unset=True)) == document


@pytest.mark.parametrize("name,model,text", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_full_serialisation_only_adds_documented_defaults(name, model, text):
    document = json.loads(text)
    full = model.model_validate(document).model_dump(mode="json")
    assert shape_problems(full, model) == []
    assert set(_key_paths(document)) <= set(_key_paths(full))


def test_settings_example_fills_the_documented_defaults():
    settings = SettingsResponse.model_validate_json(SETTINGS)
    assert settings.config.features.custom_branding is False
    assert (settings.config.limits.max_users, settings.config.limits.max_storage_mb) == (1000, 10240)
    assert settings.config.branding.custom_css is None


@pytest.mark.parametrize(
    "path,model",
    [
        ("/stats", StatsResponse),
        ("/stats/costs", CostsResponse),
        ("/users", UsersListResponse),
        ("/resources?type=course", ResourcesResponse),
        ("/settings", SettingsResponse),
    ],
)
def test_the_router_serves_exactly_the_model_keys(path, model):
    response = TestClient(make_app(InMemoryHandler())).get(f"/mt/tenant/hallym_univ{path}")
    assert response.status_code == 200
    assert shape_problems(response.json(), model) == []
