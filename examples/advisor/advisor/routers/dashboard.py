"""Tenant-admin dashboard: /admin/dashboard (overview, costs, usage patterns, top users).

Windows are calendar days in the service clock: "the last N days" runs from midnight N-1 days ago up to now,
so `days=1` is today and `active_7days` counts the same seven dates as the last seven `daily_trend` entries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Query

from advisor import clock
from advisor.auth import verify_tenant_admin
from advisor.database import get_db
from advisor.pricing import cost_usd

router = APIRouter()

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TREND_DAYS = 30
TREND_MONTHS = 12


def _window_start(days: int) -> str:
    """Midnight of the first day of a window of `days` calendar days ending today."""
    return clock.isoformat(datetime.combine(clock.today() - timedelta(days=days - 1), time.min))


def _window_dates(days: int) -> list[str]:
    today = clock.today()
    return [(today - timedelta(days=offset)).isoformat() for offset in range(days - 1, -1, -1)]


def _months_back(months: int) -> str:
    """Midnight of the first day of the month `months - 1` months before the current one."""
    first = clock.today().replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
    return clock.isoformat(datetime.combine(date(year, month + 1, 1), time.min))


def _usage_costs(db, since: str, group_by: str) -> list:
    """Token sums per (`group_by`, model) since `since`; `group_by` is one of the expressions below."""
    expressions = {"model": "model", "user": "user_id", "day": "substr(created_at, 1, 10)"}
    key = expressions[group_by]
    return db.execute(
        f"""
        SELECT {key} AS key, model, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens
        FROM messages
        WHERE created_at >= ?
        GROUP BY {key}, model
        """,
        (since,),
    ).fetchall()


def _monthly_totals(daily: dict) -> list:
    """Monthly totals of a {date: cost} mapping, ascending."""
    months: dict = defaultdict(float)
    for day, cost in daily.items():
        months[day[:7]] += cost
    return [{"month": month, "cost_usd": round(cost, 4)} for month, cost in sorted(months.items())]


@router.get("/dashboard")
async def get_dashboard(tenant_id: str = Depends(verify_tenant_admin)):
    """Overview: users, usage totals, the 30-day trend, the monthly trend and the models in use."""
    today_start = _window_start(1)
    week_start = _window_start(7)
    month_start = _window_start(30)
    with get_db(tenant_id) as db:
        users = db.execute(
            """
            SELECT COUNT(*) AS total,
                   COALESCE(SUM(is_active), 0) AS active,
                   COALESCE(SUM(created_at >= ?), 0) AS new_this_week,
                   COALESCE(SUM(role = 'admin'), 0) AS admins
            FROM users
            """,
            (week_start,),
        ).fetchone()
        active_7days = db.execute(
            "SELECT COUNT(DISTINCT user_id) FROM messages WHERE created_at >= ?", (week_start,)
        ).fetchone()[0]
        active_30days = db.execute(
            "SELECT COUNT(DISTINCT user_id) FROM messages WHERE created_at >= ?", (month_start,)
        ).fetchone()[0]
        sessions = db.execute(
            "SELECT COUNT(*) AS total, COALESCE(SUM(started_at >= ?), 0) AS today FROM sessions", (today_start,)
        ).fetchone()
        messages = db.execute(
            """
            SELECT COUNT(*) AS total,
                   COALESCE(SUM(created_at >= :today), 0) AS today,
                   COALESCE(SUM(input_tokens + output_tokens), 0) AS tokens,
                   COALESCE(SUM(CASE WHEN created_at >= :today THEN input_tokens + output_tokens END), 0)
                       AS tokens_today
            FROM messages
            """,
            {"today": today_start},
        ).fetchone()
        daily_rows = db.execute(
            """
            SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS messages, COUNT(DISTINCT user_id) AS users,
                   SUM(input_tokens + output_tokens) AS tokens
            FROM messages
            WHERE created_at >= ?
            GROUP BY day
            """,
            (month_start,),
        ).fetchall()
        monthly_rows = db.execute(
            """
            SELECT substr(created_at, 1, 7) AS month, COUNT(DISTINCT user_id) AS users, COUNT(*) AS messages,
                   SUM(input_tokens + output_tokens) AS tokens
            FROM messages
            WHERE created_at >= ?
            GROUP BY month
            ORDER BY month
            """,
            (_months_back(TREND_MONTHS),),
        ).fetchall()
        model_rows = db.execute(
            """
            SELECT model, COUNT(*) AS count, SUM(input_tokens + output_tokens) AS tokens
            FROM messages
            GROUP BY model
            ORDER BY count DESC, model
            """
        ).fetchall()

    by_day = {row["day"]: row for row in daily_rows}
    daily_trend = []
    for day in _window_dates(TREND_DAYS):
        row = by_day.get(day)
        daily_trend.append(
            {
                "date": day,
                "messages": row["messages"] if row else 0,
                "users": row["users"] if row else 0,
                "tokens": row["tokens"] if row else 0,
            }
        )
    return {
        "users": {
            "total": users["total"],
            "active": users["active"],
            "new_this_week": users["new_this_week"],
            "active_7days": active_7days,
            "active_30days": active_30days,
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
        "monthly_user_trend": [
            {"month": row["month"], "users": row["users"], "messages": row["messages"], "tokens": row["tokens"]}
            for row in monthly_rows
        ],
        "model_usage": [
            {"model": row["model"], "count": row["count"], "tokens": row["tokens"]} for row in model_rows
        ],
    }


@router.get("/dashboard/costs")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
    """Estimated costs of the last `days` days: by model, top 10 users, per day and per month."""
    since = _window_start(days)
    with get_db(tenant_id) as db:
        model_rows = _usage_costs(db, since, "model")
        user_rows = _usage_costs(db, since, "user")
        day_rows = _usage_costs(db, since, "day")
        user_ids = sorted({row["key"] for row in user_rows})
        names = {}
        if user_ids:
            placeholders = ", ".join("?" for _ in user_ids)
            for row in db.execute(
                f"SELECT id, username, display_name FROM users WHERE id IN ({placeholders})", user_ids
            ):
                names[row["id"]] = row

    by_model = []
    total_cost = 0.0
    total_tokens = 0
    for row in model_rows:
        cost = cost_usd(row["model"], row["input_tokens"], row["output_tokens"])
        total_cost += cost
        total_tokens += row["input_tokens"] + row["output_tokens"]
        by_model.append(
            {
                "model": row["model"],
                "tokens": row["input_tokens"] + row["output_tokens"],
                "cost_usd": round(cost, 4),
                "input_tokens": row["input_tokens"],
                "output_tokens": row["output_tokens"],
            }
        )
    by_model.sort(key=lambda item: (-item["cost_usd"], item["model"]))

    per_user: dict = defaultdict(lambda: [0, 0.0])
    for row in user_rows:
        per_user[row["key"]][0] += row["input_tokens"] + row["output_tokens"]
        per_user[row["key"]][1] += cost_usd(row["model"], row["input_tokens"], row["output_tokens"])
    ranked = sorted(per_user.items(), key=lambda item: (-item[1][1], item[0]))[:10]
    by_user = [
        {
            "username": names[user_id]["username"],
            "tokens": tokens,
            "cost_usd": round(cost, 4),
            "user_id": user_id,
            "display_name": names[user_id]["display_name"],
        }
        for user_id, (tokens, cost) in ranked
        if user_id in names
    ]

    daily = dict.fromkeys(_window_dates(days), 0.0)
    for row in day_rows:
        if row["key"] in daily:
            daily[row["key"]] += cost_usd(row["model"], row["input_tokens"], row["output_tokens"])

    return {
        "total_tokens": total_tokens,
        "estimated_cost_usd": round(total_cost, 2),
        "by_model": by_model,
        "by_user": by_user,
        "monthly_costs": _monthly_totals(daily),
        "daily_costs": [{"date": day, "cost_usd": round(cost, 4)} for day, cost in daily.items()],
    }


@router.get("/dashboard/usage-patterns")
async def get_usage_patterns(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
    """When the tenant uses the service: messages per hour and weekday, and the average session length."""
    since = _window_start(days)
    with get_db(tenant_id) as db:
        hour_rows = db.execute(
            """
            SELECT CAST(strftime('%H', created_at) AS INTEGER) AS hour, COUNT(*) AS count
            FROM messages WHERE created_at >= ? GROUP BY hour
            """,
            (since,),
        ).fetchall()
        weekday_rows = db.execute(
            """
            SELECT CAST(strftime('%w', created_at) AS INTEGER) AS weekday, COUNT(*) AS count
            FROM messages WHERE created_at >= ? GROUP BY weekday
            """,
            (since,),
        ).fetchall()
        avg_minutes = db.execute(
            """
            SELECT AVG((julianday(ended_at) - julianday(started_at)) * 1440.0)
            FROM sessions WHERE started_at >= ? AND ended_at IS NOT NULL
            """,
            (since,),
        ).fetchone()[0]

    hours = {row["hour"]: row["count"] for row in hour_rows}
    # SQLite's %w counts from Sunday = 0; the wire lists Monday first.
    weekdays = {(row["weekday"] - 1) % 7: row["count"] for row in weekday_rows}
    return {
        "hourly_distribution": [{"hour": hour, "count": hours.get(hour, 0)} for hour in range(24)],
        "weekday_distribution": [{"day": name, "count": weekdays.get(i, 0)} for i, name in enumerate(WEEKDAYS)],
        "avg_session_length": round(avg_minutes or 0.0, 1),
    }


@router.get("/dashboard/top-users")
async def get_top_users(
    days: int = Query(30, ge=1, le=365),
    limit: int = Query(10, ge=1, le=50),
    tenant_id: str = Depends(verify_tenant_admin),
):
    """The most active users of the last `days` days, by messages."""
    with get_db(tenant_id) as db:
        rows = db.execute(
            """
            SELECT u.id, u.username, u.display_name, u.email,
                   COUNT(DISTINCT m.session_id) AS sessions,
                   COUNT(*) AS messages,
                   SUM(m.input_tokens + m.output_tokens) AS tokens,
                   MAX(m.created_at) AS last_active
            FROM messages AS m JOIN users AS u ON u.id = m.user_id
            WHERE m.created_at >= ?
            GROUP BY u.id
            ORDER BY messages DESC, u.id ASC
            LIMIT ?
            """,
            (_window_start(days), limit),
        ).fetchall()
    return {"period_days": days, "users": [dict(row) for row in rows]}
