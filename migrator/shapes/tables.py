"""Data the mapping reads: which legacy keys can feed each standard field, and how lists are ordered.

Keys are compared normalised (lower case, letters and digits only: ``active_7_days`` = ``active7days`` =
``active7Days``). A key written ``parent.key`` also requires the key just above it (``users.total``). Every
standard field also matches its own name (confidence `EXACT`) unless the table lists that name itself; and
``parent.key`` pairs that spell the field (``users`` + ``total`` ~ ``total_users``) match with `SPELLED`.
Confidences are judgements, visible in the generated code's evidence; edit them here, not in the matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

EXACT = 0.9
SPELLED = 0.85
CONFIDENT = 0.6  # below this a candidate is reported, never used


@dataclass(frozen=True)
class Syn:
    key: str  # normalised
    parent: Optional[str]  # normalised, or None for any parent
    confidence: float
    window: Optional[int] = None  # the legacy figure covers this many days (active_7days: 7)
    note: str = ""


UNKNOWN_LIST_KEY = 0.5  # the key confidence of a list whose name is not in LIST_KEYS


def norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def words(key: str) -> list[str]:
    """``activeUsers``, ``active_users``, ``Active-Users`` → ["active", "users"]."""
    return re.findall(r"[a-z]+|[0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower())


def _syns(*entries: tuple) -> tuple[Syn, ...]:
    out = []
    for entry in entries:
        spelled, confidence, *rest = entry
        window = rest[0] if rest and isinstance(rest[0], int) else None
        note = rest[-1] if rest and isinstance(rest[-1], str) else ""
        parent, _, key = spelled.rpartition(".")
        out.append(Syn(norm(key), norm(parent) if parent else None, confidence, window, note))
    return tuple(out)


_ALL_TIME = "all time: the legacy total is not limited to the period"
_QUESTIONS = ("questions", 0.7, "questions asked, taken as messages")

#: "Model.field" -> legacy keys, best first
SYNONYMS: dict[str, tuple[Syn, ...]] = {
    # --- stats -----------------------------------------------------------------------------------------------------
    "StatsSummary.total_users": _syns(
        ("total_users", 1.0), ("users.total", 0.95), ("user_count", 0.9), ("users_count", 0.9), ("num_users", 0.9),
        ("users.count", 0.9), ("total_members", 0.8), ("members.total", 0.8), ("registered_users", 0.8),
    ),
    "StatsSummary.active_users": _syns(
        ("active_users", 1.0), ("active_in_period", 1.0), ("active_users_in_period", 1.0), ("active_7days", 0.9, 7),
        ("weekly_active_users", 0.9, 7), ("wau", 0.85, 7), ("active_week", 0.85, 7), ("active_this_week", 0.85, 7),
        ("active_30days", 0.9, 30), ("monthly_active_users", 0.9, 30), ("mau", 0.85, 30), ("active_month", 0.85, 30),
        ("active_this_month", 0.85, 30), ("users.active", 0.4, "accounts marked active, not recent activity"),
    ),
    "StatsSummary.new_users_this_period": _syns(
        ("new_users", 0.95), ("new_users_this_period", 1.0), ("new_in_period", 1.0), ("new_users_in_period", 1.0),
        ("new_this_week", 0.9, 7), ("new_users_7days", 0.9, 7), ("new_7days", 0.9, 7), ("signups_7days", 0.85, 7),
        ("new_this_month", 0.9, 30), ("new_users_30days", 0.9, 30), ("new_30days", 0.9, 30),
        ("signups_30days", 0.85, 30),
    ),
    "StatsSummary.total_sessions": _syns(
        ("total_sessions", 0.95, _ALL_TIME), ("sessions_total", 0.9, _ALL_TIME), ("session_count", 0.9, _ALL_TIME),
        ("sessions.total", 0.9, _ALL_TIME), ("total_conversations", 0.85, _ALL_TIME),
        ("conversations.total", 0.85, _ALL_TIME), ("totals.sessions", 0.85, _ALL_TIME),
        ("totals.conversations", 0.8, _ALL_TIME),
    ),
    "StatsSummary.total_messages": _syns(
        ("total_messages", 0.7, _ALL_TIME), ("messages_total", 0.7, _ALL_TIME), ("message_count", 0.7, _ALL_TIME),
        ("messages.total", 0.7, _ALL_TIME), ("messages_in_period", 1.0), ("messages.in_period", 1.0),
    ),
    "StatsSummary.total_tokens": _syns(
        ("total_tokens", 0.7, _ALL_TIME), ("tokens_total", 0.7, _ALL_TIME), ("token_count", 0.7, _ALL_TIME),
        ("tokens.total", 0.7, _ALL_TIME), ("tokens_in_period", 1.0),
    ),
    "StatsSummary.estimated_cost_usd": _syns(
        ("estimated_cost_usd", 1.0), ("total_cost_usd", 0.95), ("total_cost", 0.9), ("cost_usd", 0.8),
        ("estimated_cost", 0.9), ("cost", 0.7), ("cost_usd_in_period", 1.0), ("cost_in_period", 1.0),
    ),
    "DailyTrend.date": _syns(("date", 1.0), ("day", 0.95)),
    "DailyTrend.messages": _syns(("messages", 1.0), ("message_count", 0.95), ("messages_count", 0.95), _QUESTIONS,
                                 ("count", 0.65, "a count per day, taken as messages")),
    "DailyTrend.users": _syns(("users", 1.0), ("active_users", 0.95), ("user_count", 0.9), ("unique_users", 0.9)),
    "DailyTrend.tokens": _syns(("tokens", 1.0), ("token_count", 0.95), ("total_tokens", 0.95)),
    # --- costs -----------------------------------------------------------------------------------------------------
    "CostsResponse.total_cost_usd": _syns(
        ("total_cost_usd", 1.0), ("estimated_cost_usd", 0.95), ("total_cost", 0.9), ("estimated_cost", 0.9),
        ("cost_usd", 0.8), ("cost", 0.7),
    ),
    "ModelCost.model": _syns(("model", 1.0), ("model_name", 0.95), ("name", 0.7)),
    "ModelCost.input_tokens": _syns(("input_tokens", 1.0), ("prompt_tokens", 0.95), ("tokens_in", 0.9)),
    "ModelCost.output_tokens": _syns(("output_tokens", 1.0), ("completion_tokens", 0.95), ("tokens_out", 0.9),
                                     ("tokens", 0.6, "no input/output split: every token counts as output")),
    "ModelCost.cost_usd": _syns(("cost_usd", 1.0), ("cost", 0.9), ("total_cost", 0.85), ("usd", 0.8)),
    "UserCost.user_id": _syns(("user_id", 1.0), ("id", 0.95), ("username", 0.65, "no id: the username")),
    "UserCost.name": _syns(("name", 1.0), ("display_name", 0.95), ("full_name", 0.95), ("username", 0.8)),
    "UserCost.cost_usd": _syns(("cost_usd", 1.0), ("cost", 0.9), ("total_cost", 0.85)),
    "UserCost.tokens": _syns(("tokens", 1.0), ("token_count", 0.95), ("total_tokens", 0.95)),
    "DailyCost.date": _syns(("date", 1.0), ("day", 0.95)),
    "DailyCost.cost_usd": _syns(("cost_usd", 1.0), ("cost", 0.9), ("total_cost", 0.85)),
    # --- top users, usage patterns ---------------------------------------------------------------------------------
    "TopUser.user_id": _syns(("user_id", 1.0), ("id", 0.95)),
    "TopUser.name": _syns(("name", 1.0), ("display_name", 0.95), ("full_name", 0.95), ("username", 0.8)),
    "TopUser.email": _syns(("email", 1.0), ("email_address", 0.95), ("mail", 0.8)),
    "TopUser.sessions": _syns(("sessions", 1.0), ("session_count", 0.95), ("conversations", 0.85),
                              ("conversation_count", 0.85)),
    "TopUser.messages": _syns(("messages", 1.0), ("message_count", 0.95), ("messages_count", 0.95), _QUESTIONS),
    "TopUser.tokens": _syns(("tokens", 1.0), ("token_count", 0.95), ("total_tokens", 0.95)),
    "TopUser.last_active": _syns(("last_active", 1.0), ("last_activity", 0.95), ("last_seen", 0.9),
                                 ("last_active_at", 0.95), ("last_message_at", 0.85), ("last_seen_at", 0.9),
                                 ("last_login", 0.6)),
    "HourlyCount.hour": _syns(("hour", 1.0), ("h", 0.8), ("hour_of_day", 0.95)),
    "HourlyCount.count": _syns(("count", 1.0), ("messages", 0.9), ("total", 0.85), ("value", 0.7)),
    "WeekdayCount.day": _syns(("day", 1.0), ("weekday", 0.95), ("day_of_week", 0.95), ("name", 0.6)),
    "WeekdayCount.count": _syns(("count", 1.0), ("messages", 0.9), ("total", 0.85), ("value", 0.7)),
    "UsagePatternsResponse.avg_session_length": _syns(
        ("avg_session_length", 1.0), ("average_session_length", 0.95), ("avg_session_minutes", 0.95),
        ("avg_session_duration", 0.9), ("avg_duration", 0.8),
    ),
    # --- users -----------------------------------------------------------------------------------------------------
    "UserInfo.user_id": _syns(("user_id", 1.0), ("id", 0.95), ("uid", 0.9)),
    "UserInfo.name": _syns(("name", 1.0), ("display_name", 0.95), ("full_name", 0.95), ("nickname", 0.85),
                           ("username", 0.8)),
    "UserInfo.email": _syns(("email", 1.0), ("email_address", 0.95), ("mail", 0.8)),
    "UserInfo.created_at": _syns(("created_at", 1.0), ("created", 0.9), ("created_time", 0.95), ("joined_at", 0.9),
                                 ("date_joined", 0.9), ("join_time", 0.9), ("registered_at", 0.9)),
    "UserInfo.last_login": _syns(("last_login", 1.0), ("last_login_at", 0.95), ("last_login_time", 0.95),
                                 ("last_seen", 0.8),
                                 ("last_seen_at", 0.8), ("last_active", 0.7)),
    "UserInfo.usage": _syns(("stats", 0.9), ("usage", 1.0)),
    "UserUsage.sessions": _syns(("sessions", 1.0), ("session_count", 0.95), ("conversations", 0.85),
                                ("conversation_count", 0.85)),
    "UserUsage.messages": _syns(("messages", 1.0), ("message_count", 0.95), _QUESTIONS),
    "UserUsage.tokens": _syns(("tokens", 1.0), ("token_count", 0.95), ("total_tokens", 0.9)),
    "DeleteUserResponse.message": _syns(("message", 1.0), ("detail", 0.9), ("msg", 0.9), ("status", 0.6)),
    "DeleteUserResponse.user_id": _syns(("user_id", 1.0), ("id", 0.95)),
    # --- tenants ---------------------------------------------------------------------------------------------------
    "StatusResponse.plan": _syns(("plan", 1.0), ("plan_name", 0.95), ("tier", 0.85), ("subscription_plan", 0.9)),
    "StatusResponse.features": _syns(("features", 1.0), ("enabled_features", 0.95), ("feature_flags", 0.9)),
    "StatusResponse.created_at": _syns(("created_at", 1.0), ("created", 0.9)),
    "StatusResponse.updated_at": _syns(("updated_at", 1.0), ("modified_at", 0.95), ("last_updated", 0.9),
                                       ("created_at", 0.65, "no update time: the creation time")),
    "TenantSummary.tenant_id": _syns(("tenant_id", 1.0), ("id", 0.9), ("slug", 0.8), ("tenant", 0.8)),
    "TenantSummary.university_name": _syns(("university_name", 1.0), ("name", 0.85), ("tenant_name", 0.9),
                                           ("organization", 0.85), ("org_name", 0.85), ("display_name", 0.8)),
    "TenantSummary.email": _syns(("email", 1.0), ("admin_email", 0.95), ("contact_email", 0.95)),
    "TenantSummary.users_count": _syns(("users_count", 1.0), ("user_count", 0.95), ("total_users", 0.9),
                                       ("num_users", 0.9)),
    # --- settings --------------------------------------------------------------------------------------------------
    "SubscriptionInfo.plan": _syns(("plan", 1.0), ("plan_name", 0.95), ("tier", 0.85)),
}

#: models that read the same legacy keys as another one
SAME_AS: dict[str, str] = {"CreateUserResponse": "UserInfo", "LimitsResponse": "UsageLimits"}


#: a user's id in the standard answers: the key the legacy user item routes take when that is no id (`{username}`)
USER_KEYED = frozenset({"UserInfo.user_id", "CreateUserResponse.user_id", "DeleteUserResponse.user_id"})


def user_key_synonyms(key: str) -> tuple[Syn, ...]:
    """The legacy keys naming the value of the path parameter `key`: itself, and without a `user_` prefix
    (`{user_email}` is the user's `email`)."""
    entries = [(key, 1.0, f"the legacy user routes take `{{{key}}}`")]
    if key.startswith("user_") and len(key) > 5:
        entries.append((key[5:], 0.95, f"the legacy user routes take `{{{key}}}`"))
    return _syns(*entries)


def synonyms(owner: str, name: str) -> tuple[Syn, ...]:
    """The table's entry for ``owner.name`` (or for the model `owner` reads like)."""
    found = SYNONYMS.get(f"{owner}.{name}")
    if found is None and owner in SAME_AS:
        found = SYNONYMS.get(f"{SAME_AS[owner]}.{name}")
    return found or ()


#: lists: "Model.field" -> (legacy keys of the list, best first; how the standard list is ordered)
LIST_KEYS: dict[str, tuple[Syn, ...]] = {
    "StatsResponse.trends.daily": _syns(
        ("daily_trend", 1.0), ("daily", 0.95), ("daily_stats", 0.95), ("daily_usage", 0.9), ("recent_activity", 0.85),
        ("activity", 0.8), ("history", 0.75), ("trend", 0.8), ("timeline", 0.75),
    ),
    "CostsResponse.by_model": _syns(("by_model", 1.0), ("models", 0.9), ("model_costs", 0.95), ("per_model", 0.95),
                                    ("costs_by_model", 0.95), ("model_usage", 0.8)),
    "CostsResponse.by_user_top10": _syns(("by_user", 1.0), ("user_costs", 0.95), ("per_user", 0.95),
                                         ("costs_by_user", 0.95), ("top_users", 0.85), ("users", 0.8)),
    "CostsResponse.daily_trend": _syns(("daily_costs", 1.0), ("daily_trend", 0.9), ("costs_by_day", 0.95),
                                       ("per_day", 0.9), ("daily", 0.85)),
    "TopUsersResponse.users": _syns(("users", 1.0), ("top_users", 1.0), ("items", 0.8), ("results", 0.8),
                                    ("leaders", 0.8)),
    "UsagePatternsResponse.hourly_distribution": _syns(("hourly_distribution", 1.0), ("hourly", 0.95),
                                                       ("by_hour", 0.95), ("hours", 0.85), ("per_hour", 0.95)),
    "UsagePatternsResponse.weekday_distribution": _syns(("weekday_distribution", 1.0), ("weekdays", 0.9),
                                                        ("by_weekday", 0.95), ("by_day_of_week", 0.95),
                                                        ("weekly", 0.8)),
    "UsersListResponse.users": _syns(("users", 1.0), ("items", 0.9), ("results", 0.9), ("data", 0.8),
                                     ("members", 0.85)),
    "TenantList.tenants": _syns(("tenants", 1.0), ("items", 0.9), ("results", 0.9), ("data", 0.8)),
}

#: how a standard list is built from the legacy one (the generated code says it in words too)
LIST_ORDER: dict[str, str] = {
    "StatsResponse.trends.daily": "period",  # the period's entries, newest first
    "CostsResponse.daily_trend": "newest_first",
    "CostsResponse.by_user_top10": "top10_by_cost",
}

#: summary figures computed from the daily list chosen for StatsResponse.trends.daily (sum over the period)
WINDOW_SUMS: dict[str, str] = {
    "StatsSummary.total_messages": "messages",
    "StatsSummary.total_tokens": "tokens",
}
WINDOW_SUM_CONFIDENCE = 0.95

#: when no legacy field matches: a constant the standard field can honestly take (Python source, confidence, why)
FALLBACKS: dict[str, tuple[str, float, str]] = {
    "StatusResponse.plan": ('"unknown"', 0.7, "the legacy status has no plan"),
    "StatusResponse.features": ("[]", 0.7, "the legacy status lists no features"),
    "UserInfo.role": ("UserRole.USER", 0.7, "the legacy user has no role: everyone is a 'user'"),
    "CreateUserResponse.role": ("UserRole.USER", 0.7, "the legacy user has no role: everyone is a 'user'"),
    "DeleteUserResponse.message": ('"User deleted"', 0.65, "the legacy route answers no message"),
}

#: standard fields the route cannot be "automatic" without although the model gives them a default (a 0 or [] the
#: legacy service did not say would be a wrong answer, not a missing one)
#: the standard models that describe one user, and the keys of the objects nested in a legacy user that describe
#: another entity (its tenant, organisation, team, owner...): `tenant.name` is no user's name, `tenant.id` no user id
USER_MODELS: frozenset[str] = frozenset({"UserInfo", "CreateUserResponse"})
NOT_THE_USER: frozenset[str] = frozenset(norm(k) for k in (
    "tenant", "organization", "organisation", "org", "workspace", "company", "team", "group", "project", "client",
    "owner", "creator", "created_by", "updated_by", "invited_by", "inviter", "manager", "parent", "school",
))

ESSENTIAL: frozenset[str] = frozenset({
    "StatsSummary.total_users", "StatsSummary.active_users",
    "UsagePatternsResponse.hourly_distribution", "UsagePatternsResponse.weekday_distribution",
    "TopUsersResponse.users", "HourlyCount.count", "WeekdayCount.count", "ModelCost.cost_usd", "UserCost.cost_usd",
    "DailyCost.cost_usd", "TopUser.messages",
})

#: legacy keys that say whether a user is active (bool) or name its status (text)
USER_ACTIVE_KEYS = _syns(("is_active", 1.0), ("active", 0.9), ("enabled", 0.9), ("is_enabled", 0.9))
USER_STATUS_TEXT_KEYS = _syns(("status", 0.7, "a status other than 'active' counts as suspended"),
                              ("state", 0.65, "a state other than 'active' counts as suspended"))
USER_ROLE_KEYS = _syns(("role", 1.0), ("user_role", 0.95), ("type", 0.6))
#: a person's name given in two parts: the standard `name` is both, joined by a space (`full_name`)
FIRST_NAME_KEYS = _syns(("first_name", 1.0), ("given_name", 0.95), ("firstname", 0.95), ("fname", 0.8))
LAST_NAME_KEYS = _syns(("last_name", 1.0), ("family_name", 0.95), ("lastname", 0.95), ("surname", 0.9),
                       ("lname", 0.8))
#: the standard fields that name a person (the name parts above can give them)
PERSON_NAMES = frozenset({"UserInfo.name", "TopUser.name", "UserCost.name"})
USER_ADMIN_FLAGS = _syns(("is_admin", 0.95), ("admin", 0.85), ("is_superuser", 0.9), ("is_staff", 0.8))
TENANT_STATUS_KEYS = _syns(("status", 1.0), ("state", 0.9), ("tenant_status", 0.95))
#: a page of a user listing: its total count
PAGE_TOTAL_KEYS = _syns(("total", 1.0), ("total_count", 1.0), ("count", 0.9), ("total_users", 0.9),
                        ("total_items", 0.9))
