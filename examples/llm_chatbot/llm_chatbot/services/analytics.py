"""Aggregate queries behind the admin dashboard.

Windows are calendar days in UTC that include today: "the last 30 days" starts at 00:00 of
today - 29 days. Every figure is an aggregate of stored rows; costs come from ``pricing``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from ..db import TenantSession
from ..pricing import cost_usd

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def window_start(now: datetime, days: int) -> str:
    """ISO timestamp of 00:00 on the first of the last ``days`` calendar days."""
    return f"{(now.date() - timedelta(days=days - 1)).isoformat()}T00:00:00"


def _days(now: datetime, days: int) -> list[str]:
    first = now.date() - timedelta(days=days - 1)
    return [(first + timedelta(days=i)).isoformat() for i in range(days)]


def _costs_by(s: TenantSession, key_sql: str, since: str | None) -> dict[Any, float]:
    """Unrounded cost grouped by ``key_sql`` (priced per model, then summed)."""
    where = "AND created_at >= :since" if since else ""
    rows = s.all(
        f"SELECT {key_sql} AS k, model, SUM(input_tokens) AS i, SUM(output_tokens) AS o FROM messages "
        f"WHERE tenant_id = :tenant_id {where} GROUP BY k, model",
        {"since": since},
    )
    totals: dict[Any, float] = defaultdict(float)
    for row in rows:
        totals[row["k"]] += cost_usd(row["model"], row["i"], row["o"])
    return totals


def dashboard(s: TenantSession, now: datetime) -> dict:
    today = now.date().isoformat()
    since_7, since_30 = window_start(now, 7), window_start(now, 30)
    users = s.one(
        "SELECT COUNT(*) AS total, COALESCE(SUM(is_active), 0) AS active,"
        " COALESCE(SUM(created_at >= :since_7), 0) AS new_this_week,"
        " COALESCE(SUM(role = 'admin'), 0) AS admins FROM users WHERE tenant_id = :tenant_id",
        {"since_7": since_7},
    )
    active = s.one(
        "SELECT COUNT(DISTINCT CASE WHEN created_at >= :since_7 THEN user_id END) AS d7,"
        " COUNT(DISTINCT user_id) AS d30 FROM messages WHERE tenant_id = :tenant_id AND created_at >= :since_30",
        {"since_7": since_7, "since_30": since_30},
    )
    sessions = s.one(
        "SELECT COUNT(*) AS total, COALESCE(SUM(substr(started_at, 1, 10) = :today), 0) AS today"
        " FROM conversations WHERE tenant_id = :tenant_id",
        {"today": today},
    )
    messages = s.one(
        "SELECT COUNT(*) AS total, COALESCE(SUM(input_tokens + output_tokens), 0) AS tokens,"
        " COALESCE(SUM(substr(created_at, 1, 10) = :today), 0) AS today,"
        " COALESCE(SUM(CASE WHEN substr(created_at, 1, 10) = :today THEN input_tokens + output_tokens END), 0)"
        " AS tokens_today FROM messages WHERE tenant_id = :tenant_id",
        {"today": today},
    )
    per_day = {
        row["d"]: row
        for row in s.all(
            "SELECT substr(created_at, 1, 10) AS d, COUNT(*) AS messages, COUNT(DISTINCT user_id) AS users,"
            " SUM(input_tokens + output_tokens) AS tokens FROM messages"
            " WHERE tenant_id = :tenant_id AND created_at >= :since GROUP BY d",
            {"since": since_30},
        )
    }
    daily_trend = [
        {
            "date": day,
            "messages": per_day[day]["messages"] if day in per_day else 0,
            "users": per_day[day]["users"] if day in per_day else 0,
            "tokens": per_day[day]["tokens"] if day in per_day else 0,
        }
        for day in _days(now, 30)
    ]
    monthly = s.all(
        "SELECT substr(created_at, 1, 7) AS month, COUNT(DISTINCT user_id) AS users, COUNT(*) AS messages,"
        " SUM(input_tokens + output_tokens) AS tokens FROM messages WHERE tenant_id = :tenant_id"
        " GROUP BY month ORDER BY month"
    )
    models = s.all(
        "SELECT model, COUNT(*) AS count, SUM(input_tokens + output_tokens) AS tokens FROM messages"
        " WHERE tenant_id = :tenant_id GROUP BY model ORDER BY count DESC, model"
    )
    return {
        "users": {
            "total": users["total"],
            "active": users["active"],
            "new_this_week": users["new_this_week"],
            "active_7days": active["d7"],
            "active_30days": active["d30"],
            "admins": users["admins"],
        },
        "usage": {
            "total_sessions": sessions["total"],
            "sessions_today": sessions["today"],
            "total_messages": messages["total"],
            "messages_today": messages["today"],
            "total_tokens": messages["tokens"],
            "tokens_today": messages["tokens_today"],
        },
        "daily_trend": daily_trend,
        "monthly_user_trend": [dict(row) for row in monthly],
        "model_usage": [dict(row) for row in models],
    }


def costs(s: TenantSession, now: datetime, days: int) -> dict:
    since = window_start(now, days)
    by_model = []
    for row in s.all(
        "SELECT model, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens FROM messages"
        " WHERE tenant_id = :tenant_id AND created_at >= :since GROUP BY model",
        {"since": since},
    ):
        cost = cost_usd(row["model"], row["input_tokens"], row["output_tokens"])
        by_model.append((cost, row))
    by_model.sort(key=lambda item: (-item[0], item[1]["model"]))

    user_cost = _costs_by(s, "user_id", since)
    user_rows = {
        row["id"]: row
        for row in s.all(
            "SELECT u.id, u.username, u.display_name, SUM(m.input_tokens + m.output_tokens) AS tokens"
            " FROM messages m JOIN users u ON u.id = m.user_id"
            " WHERE m.tenant_id = :tenant_id AND m.created_at >= :since GROUP BY u.id",
            {"since": since},
        )
    }
    top = sorted(user_rows, key=lambda uid: (-user_cost[uid], uid))[:10]

    daily = _costs_by(s, "substr(created_at, 1, 10)", since)
    monthly = _costs_by(s, "substr(created_at, 1, 7)", since)
    return {
        "total_tokens": sum(row["input_tokens"] + row["output_tokens"] for _, row in by_model),
        "estimated_cost_usd": round(sum(cost for cost, _ in by_model), 2),
        "by_model": [
            {
                "model": row["model"],
                "tokens": row["input_tokens"] + row["output_tokens"],
                "cost_usd": round(cost, 4),
                "input_tokens": row["input_tokens"],
                "output_tokens": row["output_tokens"],
            }
            for cost, row in by_model
        ],
        "by_user": [
            {
                "username": user_rows[uid]["username"],
                "tokens": user_rows[uid]["tokens"],
                "cost_usd": round(user_cost[uid], 4),
                "user_id": uid,
                "display_name": user_rows[uid]["display_name"],
            }
            for uid in top
        ],
        "monthly_costs": [{"month": m, "cost_usd": round(monthly[m], 4)} for m in sorted(monthly)],
        "daily_costs": [{"date": d, "cost_usd": round(daily.get(d, 0.0), 4)} for d in _days(now, days)],
    }


def usage_patterns(s: TenantSession, now: datetime, days: int) -> dict:
    since = window_start(now, days)
    hours = dict(
        s.all(
            "SELECT CAST(strftime('%H', created_at) AS INTEGER) AS h, COUNT(*) FROM messages"
            " WHERE tenant_id = :tenant_id AND created_at >= :since GROUP BY h",
            {"since": since},
        )
    )
    # strftime('%w'): 0 = Sunday; the wire shape starts the week on Monday.
    weekdays = dict(
        s.all(
            "SELECT (CAST(strftime('%w', created_at) AS INTEGER) + 6) % 7 AS d, COUNT(*) FROM messages"
            " WHERE tenant_id = :tenant_id AND created_at >= :since GROUP BY d",
            {"since": since},
        )
    )
    avg_minutes = s.scalar(
        "SELECT AVG((julianday(ended_at) - julianday(started_at)) * 1440) FROM conversations"
        " WHERE tenant_id = :tenant_id AND started_at >= :since AND ended_at IS NOT NULL",
        {"since": since},
    )
    return {
        "hourly_distribution": [{"hour": h, "count": hours.get(h, 0)} for h in range(24)],
        "weekday_distribution": [{"day": name, "count": weekdays.get(i, 0)} for i, name in enumerate(WEEKDAYS)],
        "avg_session_length": round(avg_minutes or 0.0, 1),
    }


def top_users(s: TenantSession, now: datetime, days: int, limit: int) -> dict:
    rows = s.all(
        "SELECT u.id, u.username, u.display_name, u.email, COUNT(DISTINCT m.conversation_id) AS sessions,"
        " COUNT(*) AS messages, SUM(m.input_tokens + m.output_tokens) AS tokens, MAX(m.created_at) AS last_active"
        " FROM messages m JOIN users u ON u.id = m.user_id"
        " WHERE m.tenant_id = :tenant_id AND m.created_at >= :since"
        " GROUP BY u.id ORDER BY messages DESC, u.id LIMIT :limit",
        {"since": window_start(now, days), "limit": limit},
    )
    return {"period_days": days, "users": [dict(row) for row in rows]}


def month_start(now: datetime) -> str:
    return f"{date(now.year, now.month, 1).isoformat()}T00:00:00"


def monthly_costs_of_users(s: TenantSession, now: datetime, user_ids: list[int]) -> dict[int, float]:
    """Cost of each user's messages in the current calendar month (0.0 when none), rounded to 4 places."""
    if not user_ids:
        return {}
    marks = ", ".join(f":u{i}" for i in range(len(user_ids)))
    rows = s.all(
        "SELECT user_id, model, SUM(input_tokens) AS i, SUM(output_tokens) AS o FROM messages"
        f" WHERE tenant_id = :tenant_id AND created_at >= :since AND user_id IN ({marks}) GROUP BY user_id, model",
        {"since": month_start(now), **{f"u{i}": uid for i, uid in enumerate(user_ids)}},
    )
    totals: dict[int, float] = defaultdict(float)
    for row in rows:
        totals[row["user_id"]] += cost_usd(row["model"], row["i"], row["o"])
    return {uid: round(totals.get(uid, 0.0), 4) for uid in user_ids}


def user_stats(s: TenantSession, user_id: int) -> dict:
    row = s.one(
        "SELECT (SELECT COUNT(*) FROM conversations WHERE tenant_id = :tenant_id AND user_id = :uid) AS sessions,"
        " COUNT(*) AS messages, COALESCE(SUM(input_tokens + output_tokens), 0) AS tokens"
        " FROM messages WHERE tenant_id = :tenant_id AND user_id = :uid",
        {"uid": user_id},
    )
    return dict(row)
