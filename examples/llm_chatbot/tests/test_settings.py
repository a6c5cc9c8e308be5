"""GET/PUT /admin/settings: shape, partial updates, persistence and the custom_branding rule."""

from __future__ import annotations

import json

import pytest

NOW = "2026-11-20T15:00:00"
YONSEI, POSTECH = "yonsei_university_201", "postech_202"
FORBIDDEN = {"detail": "Feature 'custom_branding' is disabled"}


def stored(sql, tenant):
    (features, settings, updated_at), = sql("SELECT features, settings, updated_at FROM tenants WHERE tenant_id = ?",
                                            tenant)
    return json.loads(features), json.loads(settings), updated_at


@pytest.mark.parametrize("tenant", [YONSEI, POSTECH])
def test_get_settings_shape_matches_the_stored_tenant(client, admin, sql, tenant):
    response = client.get("/admin/settings", headers=admin(tenant))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["tenant_id", "plan", "max_users", "max_storage_mb", "features", "limits", "branding",
                          "subscription"]
    assert set(body["features"]) == {"rag", "chat", "quiz", "api_integration", "custom_branding"}
    assert set(body["limits"]) == {"daily_tokens", "monthly_tokens", "max_file_size_mb"}
    assert set(body["branding"]) == {"logo_url", "primary_color"}
    assert set(body["subscription"]) == {"start_date", "end_date", "auto_renew"}
    features, settings, _ = stored(sql, tenant)
    (plan,), = sql("SELECT plan FROM tenants WHERE tenant_id = ?", tenant)
    assert body == {"tenant_id": tenant, "plan": plan, "max_users": settings["max_users"],
                    "max_storage_mb": settings["max_storage_mb"], "features": features, "limits": settings["limits"],
                    "branding": settings["branding"], "subscription": settings["subscription"]}


def test_put_is_partial_and_persists(client, admin, sql):
    before = client.get("/admin/settings", headers=admin(POSTECH)).json()
    response = client.put("/admin/settings", json={"limits": {"daily_tokens": 123_456}, "features": {"quiz": True}},
                          headers=admin(POSTECH))
    assert response.status_code == 200
    expected = {**before, "limits": {**before["limits"], "daily_tokens": 123_456},
                "features": {**before["features"], "quiz": True}}
    assert response.json() == expected
    assert client.get("/admin/settings", headers=admin(POSTECH)).json() == expected
    features, settings, updated_at = stored(sql, POSTECH)
    assert features["quiz"] is True and settings["limits"]["daily_tokens"] == 123_456 and updated_at == NOW


def test_empty_put_changes_nothing(client, admin):
    before = client.get("/admin/settings", headers=admin(YONSEI)).json()
    assert client.put("/admin/settings", json={}, headers=admin(YONSEI)).json() == before


def test_branding_change_needs_custom_branding(client, admin, sql):
    before_db = stored(sql, POSTECH)[:2]
    body = {"branding": {"primary_color": "#123456"}, "limits": {"daily_tokens": 5}}
    response = client.put("/admin/settings", json=body, headers=admin(POSTECH))
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert stored(sql, POSTECH)[:2] == before_db  # nothing of the rejected request was saved

    # Re-sending the current branding is not a change.
    current = client.get("/admin/settings", headers=admin(POSTECH)).json()["branding"]
    assert client.put("/admin/settings", json={"branding": current}, headers=admin(POSTECH)).status_code == 200

    # Enabling the feature in the same request allows the change.
    response = client.put("/admin/settings", json={"features": {"custom_branding": True},
                                                   "branding": {"primary_color": "#123456"}}, headers=admin(POSTECH))
    assert response.status_code == 200
    assert response.json()["branding"] == {"logo_url": None, "primary_color": "#123456"}


def test_branding_update_and_clear_when_enabled(client, admin):
    response = client.put("/admin/settings", json={"branding": {"primary_color": "#abcdef"}}, headers=admin(YONSEI))
    assert response.status_code == 200
    branding = response.json()["branding"]
    assert branding["primary_color"] == "#abcdef" and branding["logo_url"].startswith("https://")
    cleared = client.put("/admin/settings", json={"branding": {"logo_url": None}}, headers=admin(YONSEI)).json()
    assert cleared["branding"] == {"logo_url": None, "primary_color": "#abcdef"}

    # Turning the feature off freezes the branding again.
    client.put("/admin/settings", json={"features": {"custom_branding": False}}, headers=admin(YONSEI))
    response = client.put("/admin/settings", json={"branding": {"primary_color": "#000000"}}, headers=admin(YONSEI))
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize(
    "body",
    [
        {"branding": {"primary_color": "blue"}},
        {"branding": {"logo_url": "javascript:alert(1)"}},
        {"limits": {"daily_tokens": 0}},
        {"limits": {"monthly_tokens": -5}},
        {"limits": {"max_file_size_mb": "big"}},
        {"features": {"rag": "perhaps"}},
        {"features": ["rag"]},
        ["features"],
    ],
)
def test_put_rejects_bad_bodies(client, admin, body):
    response = client.put("/admin/settings", json=body, headers=admin(YONSEI))
    assert response.status_code == 422


def test_put_rejects_malformed_json(client, admin):
    headers = {**admin(YONSEI), "Content-Type": "application/json"}
    assert client.put("/admin/settings", content=b"{features:", headers=headers).status_code == 422
