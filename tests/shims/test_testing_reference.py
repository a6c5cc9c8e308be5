"""migrator.testing.reference: the in-memory reference handler is complete, consistent and deterministic."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

import migrator.testing.reference as reference
from migrator.testing.reference import REFERENCE_NOW, REFERENCE_TENANTS, InMemoryHandler, make_app
from shims.standard_api import (
    FeatureDisabledError,
    InvalidRequestError,
    QuotaExceededError,
    TenantExistsError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from shims.standard_api.models import (
    ActivateRequest,
    Branding,
    ContactInfo,
    CreateUserRequest,
    DeactivateRequest,
    FeatureFlags,
    ResourceFilters,
    ResourceType,
    UpdateSettingsRequest,
    UpdateUserRequest,
    UsageLimits,
    UserFilters,
    UserRole,
    UserStatus,
)

A, B = REFERENCE_TENANTS
DAYS = {"7d": 7, "30d": 30, "90d": 90}


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def h() -> InMemoryHandler:
    return InMemoryHandler()


# --- dashboard numbers are aggregates of one activity log -------------------------------------------------------


@pytest.mark.parametrize("tenant", REFERENCE_TENANTS)
@pytest.mark.parametrize("period", DAYS)
def test_stats_summary_is_the_sum_of_its_daily_trend(h, tenant, period):
    stats = run(h.get_tenant_stats(tenant, period))
    daily = stats.trends["daily"]
    expected_dates = [(REFERENCE_NOW.date() - timedelta(days=i)).isoformat() for i in range(DAYS[period])]
    assert [d.date for d in daily] == expected_dates  # newest first, zero-filled, exactly the period
    assert stats.summary.total_messages == sum(d.messages for d in daily) > 0
    assert stats.summary.total_tokens == sum(d.tokens for d in daily) > 0
    assert stats.summary.active_users >= max(d.users for d in daily)
    assert stats.summary.total_users == run(h.list_users(tenant, UserFilters(limit=100))).total


def test_longer_periods_count_at_least_as_much(h):
    totals = [run(h.get_tenant_stats(A, p)).summary for p in ("7d", "30d", "90d")]
    for shorter, longer in zip(totals, totals[1:]):
        assert shorter.total_messages < longer.total_messages
        assert shorter.total_tokens < longer.total_tokens
        assert shorter.active_users <= longer.active_users


@pytest.mark.parametrize("period,expected", [("7d", 2), ("30d", 3), ("90d", 4)])
def test_new_users_are_those_created_in_the_period(h, period, expected):
    # Seeded ages in hallym_univ: 1 and 3 days (7d), 20 (30d), 60 (90d); the rest are older.
    ages = [row[4] for row in reference._SEED_USERS[A]]
    assert expected == sum(1 for age in ages if age < DAYS[period])
    assert run(h.get_tenant_stats(A, period)).summary.new_users_this_period == expected


@pytest.mark.parametrize("period", DAYS)
def test_costs_agree_with_stats_and_with_themselves(h, period):
    stats = run(h.get_tenant_stats(A, period))
    costs = run(h.get_tenant_costs(A, period))
    assert costs.total_cost_usd == stats.summary.estimated_cost_usd > 0
    assert sum(m.input_tokens + m.output_tokens for m in costs.by_model) == stats.summary.total_tokens
    assert sum(m.cost_usd for m in costs.by_model) == pytest.approx(costs.total_cost_usd, abs=0.01)
    assert sum(d.cost_usd for d in costs.daily_trend) == pytest.approx(costs.total_cost_usd, abs=0.01)
    assert len(costs.by_user_top10) <= 10
    per_user = [u.cost_usd for u in costs.by_user_top10]
    assert per_user == sorted(per_user, reverse=True)
    assert {m.model for m in costs.by_model} <= set(reference.PRICES)


def test_top_users_are_ranked_by_messages_and_match_the_stats(h):
    top = run(h.get_top_users(A, "90d", 50))
    ranking = [(-u.messages, u.user_id) for u in top.users]
    assert ranking == sorted(ranking)
    assert sum(u.messages for u in top.users) == run(h.get_tenant_stats(A, "90d")).summary.total_messages
    assert "user_109" not in {u.user_id for u in top.users}  # pending: never active
    recent = {u.user_id for u in run(h.get_top_users(A, "30d", 50)).users}
    assert "user_105" not in recent  # suspended 40 days ago
    assert "user_105" in {u.user_id for u in top.users}
    assert len(run(h.get_top_users(A, "30d", 2)).users) == 2


def test_usage_patterns_cover_every_hour_and_weekday(h):
    patterns = run(h.get_usage_patterns(A, "30d"))
    assert [x.hour for x in patterns.hourly_distribution] == list(range(24))
    assert [x.day for x in patterns.weekday_distribution] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]  # fmt: skip
    total = run(h.get_tenant_stats(A, "30d")).summary.total_messages
    assert sum(x.count for x in patterns.hourly_distribution) == total
    assert sum(x.count for x in patterns.weekday_distribution) == total
    assert patterns.avg_session_length > 0


def test_usage_of_a_month(h):
    november = run(h.get_tenant_usage(A, "2026-11")).usage
    october = run(h.get_tenant_usage(A, "2026-10")).usage
    future = run(h.get_tenant_usage(A, "2027-03")).usage
    assert november.api_calls > 0 and october.api_calls > november.api_calls  # a full month vs 20 days
    assert future.model_dump() == {"active_users": 0, "total_sessions": 0, "api_calls": 0, "ai_tokens": 0,
                                   "storage_mb": 0}  # fmt: skip
    with pytest.raises(InvalidRequestError):
        run(h.get_tenant_usage(A, "2026-13"))


def test_answers_are_deterministic():
    one, two = InMemoryHandler(), InMemoryHandler()
    for tenant in REFERENCE_TENANTS:
        assert run(one.get_tenant_stats(tenant, "90d")) == run(two.get_tenant_stats(tenant, "90d"))
        assert run(one.list_users(tenant, UserFilters(limit=100))) == run(two.list_users(tenant, UserFilters(limit=100)))


# --- users -----------------------------------------------------------------------------------------------------


def test_seeded_users_cover_every_role_and_status(h):
    users = run(h.list_users(A, UserFilters(limit=100))).users
    assert {u.role for u in users} == set(UserRole)
    assert {u.status for u in users} == set(UserStatus)
    pending = next(u for u in users if u.status is UserStatus.PENDING)
    assert pending.last_login is None and pending.usage.messages == 0
    assert all(u.usage.tokens > 0 for u in users if u.status is not UserStatus.PENDING)


def test_list_users_filters_search_and_pages(h):
    assert [u.user_id for u in run(h.list_users(A, UserFilters(role=UserRole.ADMIN))).users] == ["user_101"]
    suspended = run(h.list_users(A, UserFilters(status=UserStatus.SUSPENDED)))
    assert suspended.total == 1 and suspended.users[0].user_id == "user_105"
    assert [u.name for u in run(h.list_users(A, UserFilters(search="KIM"))).users] == ["Kim Minji"]
    page = run(h.list_users(A, UserFilters(limit=3, offset=3)))
    assert (page.total, page.limit, page.offset) == (11, 3, 3)
    assert [u.user_id for u in page.users] == ["user_104", "user_105", "user_106"]
    assert run(h.list_users(A, UserFilters(offset=11))).users == []


def test_create_user_rules(h):
    created = run(h.create_user(A, CreateUserRequest(email="New@Hallym.ac.kr", name=" New ", password="pw123456!")))
    assert (created.name, created.status, created.temporary_password) == ("New", UserStatus.ACTIVE, False)
    assert run(h.create_user(A, CreateUserRequest(email="other@hallym.ac.kr", name="O"))).temporary_password is True
    with pytest.raises(UserExistsError):
        run(h.create_user(A, CreateUserRequest(email="new@hallym.ac.kr", name="Again")))
    with pytest.raises(UserExistsError):
        run(h.create_user(A, CreateUserRequest(email="MINJI.KIM@hallym.ac.kr", name="Again")))
    with pytest.raises(InvalidRequestError):
        run(h.create_user(A, CreateUserRequest(email="not-an-address", name="X")))
    assert run(h.get_user(A, created.user_id)).email == "New@Hallym.ac.kr"


def test_max_users_is_a_quota(h):
    settings = run(h.get_settings(B))
    count = run(h.list_users(B, UserFilters(limit=100))).total
    assert settings.config.max_users == count + 1
    run(h.create_user(B, CreateUserRequest(email="one@yonsei.ac.kr", name="One")))
    with pytest.raises(QuotaExceededError) as caught:
        run(h.create_user(B, CreateUserRequest(email="two@yonsei.ac.kr", name="Two")))
    assert caught.value.status_code == 429 and caught.value.limit == count + 1
    # raising the limit through the settings lifts the quota
    run(h.update_settings(B, UpdateSettingsRequest(limits=UsageLimits.model_validate({"max_users": 10}))))
    run(h.create_user(B, CreateUserRequest(email="two@yonsei.ac.kr", name="Two")))


def test_update_and_delete_user(h):
    updated = run(h.update_user(A, "user_103", UpdateUserRequest(status=UserStatus.SUSPENDED)))
    assert (updated.name, updated.role, updated.status) == ("Park Seoyeon", UserRole.USER, UserStatus.SUSPENDED)
    updated = run(h.update_user(A, "user_103", UpdateUserRequest(name="Park S.", role=UserRole.INSTRUCTOR)))
    assert (updated.name, updated.role, updated.status) == ("Park S.", UserRole.INSTRUCTOR, UserStatus.SUSPENDED)
    with pytest.raises(InvalidRequestError):
        run(h.update_user(A, "user_103", UpdateUserRequest(name="  ")))
    deleted = run(h.delete_user(A, "user_103"))
    assert (deleted.success, deleted.user_id) == (True, "user_103")
    for call in (h.get_user(A, "user_103"), h.delete_user(A, "user_103"), h.update_user(A, "user_103", UpdateUserRequest())):
        with pytest.raises(UserNotFoundError):
            run(call)


# --- settings, resources, lifecycle ---------------------------------------------------------------------------


def test_partial_settings_update_changes_only_what_is_sent(h):
    before = run(h.get_settings(A))
    after = run(h.update_settings(A, UpdateSettingsRequest.model_validate({"features": {"quiz": False}})))
    assert after.config.features.quiz is False
    assert after.config.features.model_dump(exclude={"quiz"}) == before.config.features.model_dump(exclude={"quiz"})
    assert after.config.limits == before.config.limits and after.subscription == before.subscription
    assert "quiz" not in run(h.get_tenant_status(A)).features
    branded = run(h.update_settings(A, UpdateSettingsRequest.model_validate({"branding": {"primary_color": "#fff"}})))
    assert branded.config.branding == Branding(logo_url="https://hallym.ac.kr/logo.png", primary_color="#fff")


def test_branding_needs_the_custom_branding_feature(h):
    with pytest.raises(FeatureDisabledError) as caught:
        run(h.update_settings(B, UpdateSettingsRequest(branding=Branding(primary_color="#123456"))))
    assert caught.value.status_code == 403 and caught.value.feature == "custom_branding"
    assert run(h.get_settings(B)).config.branding is None  # nothing applied
    both = UpdateSettingsRequest.model_validate({"features": {"custom_branding": True}, "branding": {"primary_color": "#1"}})
    assert run(h.update_settings(B, both)).config.branding.primary_color == "#1"


def test_limits_come_from_the_settings(h):
    limits = run(h.get_limits(B))
    assert limits.tenant_id == B
    assert limits.model_dump(exclude={"tenant_id"}) == run(h.get_settings(B)).config.limits.model_dump()


def test_resources_filter_by_type_and_search(h):
    everything = run(h.list_resources(A, ResourceFilters()))
    assert everything.total == 4 and everything.resource_type is None
    courses = run(h.list_resources(A, ResourceFilters(type=ResourceType.COURSE)))
    assert [i.id for i in courses.items] == ["course_h1", "course_h2"] and courses.resource_type == "course"
    assert [i.id for i in run(h.list_resources(A, ResourceFilters(search="syllabus"))).items] == ["document_h1"]
    assert run(h.list_resources(B, ResourceFilters(type=ResourceType.DISCUSSION))).total == 0


def test_activation_and_deactivation(h):
    request = ActivateRequest(tenant_id="new_u", tenant_name="New U", plan="demo", features=["chat", "quiz", "x"],
                              contact=ContactInfo(email="boss@new.ac.kr", name="Boss"))  # fmt: skip
    assert run(h.activate_tenant(request)).success is True
    status = run(h.get_tenant_status("new_u"))
    assert (status.status, status.plan, status.features) == ("active", "demo", ["chat", "quiz", "x"])
    admins = run(h.list_users("new_u", UserFilters(role=UserRole.ADMIN))).users
    assert [(u.email, u.name) for u in admins] == [("boss@new.ac.kr", "Boss")]
    assert run(h.get_settings("new_u")).config.features == FeatureFlags(rag=False, chat=True, quiz=True)
    with pytest.raises(TenantExistsError):
        run(h.activate_tenant(request))
    kept = run(h.deactivate_tenant("new_u", DeactivateRequest(reason="trial over", preserve_data=True)))
    assert kept.data_retention_until == (REFERENCE_NOW.date() + timedelta(days=90)).isoformat()
    assert run(h.get_tenant_status("new_u")).status == "deactivated"
    gone = run(h.deactivate_tenant(A, DeactivateRequest(reason="x", preserve_data=False)))
    assert gone.data_preserved is False and gone.data_retention_until is None
    assert run(h.list_users(A, UserFilters())).total == 0


def test_every_tenant_operation_knows_unknown_tenants(h):
    calls = [
        h.get_tenant_status("x"), h.get_tenant_usage("x", "2026-01"), h.get_tenant_stats("x", "30d"),
        h.get_tenant_costs("x", "30d"), h.get_top_users("x", "30d", 5), h.get_usage_patterns("x", "30d"),
        h.list_users("x", UserFilters()), h.create_user("x", CreateUserRequest(email="a@b.c", name="A")),
        h.get_user("x", "user_101"), h.update_user("x", "user_101", UpdateUserRequest()), h.delete_user("x", "user_101"),
        h.list_resources("x", ResourceFilters()), h.get_settings("x"), h.update_settings("x", UpdateSettingsRequest()),
        h.get_limits("x"), h.deactivate_tenant("x", DeactivateRequest(reason="r", preserve_data=True)),
        h.get_tenant_summary("x"),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(TenantNotFoundError):
            run(call)


def test_service_market_summaries(h):
    summaries = {s.tenant_id: s for s in run(h.list_tenants())}
    assert set(summaries) == set(REFERENCE_TENANTS)
    assert (summaries[A].users_count, summaries[A].active_users) == (11, 8)
    assert run(h.get_tenant_summary(B)).email == "hana.song@yonsei.ac.kr"


def test_a_custom_clock_moves_the_data():
    later = InMemoryHandler(now=REFERENCE_NOW + timedelta(days=10))
    daily = run(later.get_tenant_stats(A, "7d")).trends["daily"]
    assert daily[0].date == (date(2026, 11, 30)).isoformat()


# --- make_app ---------------------------------------------------------------------------------------------------


def test_make_app_without_keys_is_open_and_exposes_the_handler():
    handler = InMemoryHandler()
    app = make_app(handler)
    assert app.state.handler is handler
    assert TestClient(app).get(f"/mt/tenant/{A}/status").status_code == 200


def test_make_app_with_keys_is_protected_except_health():
    client = TestClient(make_app(keys=["k-one", "k-two"]))
    assert client.get("/mt/health").status_code == 200
    denied = client.get(f"/mt/tenant/{A}/status")
    assert denied.status_code == 401 and denied.json()["detail"]["error"] == "UNAUTHORIZED"
    assert client.get(f"/mt/tenant/{A}/status", headers={"X-Market-API-Key": "k-two"}).status_code == 200
    assert client.get(f"/mt/tenant/{A}/status", headers={"X-Market-API-Key": "k-three"}).status_code == 401


def test_make_app_with_a_key_string_does_not_accept_its_letters():
    client = TestClient(make_app(keys="secret"))
    assert client.get(f"/mt/tenant/{A}/status", headers={"X-Market-API-Key": "s"}).status_code == 401
    assert client.get(f"/mt/tenant/{A}/status", headers={"X-Market-API-Key": "secret"}).status_code == 200


def test_module_level_app_is_a_fresh_reference_app():
    first, second = reference.app, reference.app
    assert first is not second
    assert TestClient(first).get(f"/mt/tenant/{B}/users").json()["total"] == 5
    with pytest.raises(AttributeError):
        reference.no_such_thing  # noqa: B018
