"""The admin dashboard and the cost report: raw SQL (`text()`) over one session opened in the body."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy import text

from mentor.api.deps import require_admin
from mentor.core import clock
from mentor.db.session import get_db
from mentor.pricing import cost_sql

router = APIRouter()

DASHBOARD_DAYS = 30
RECENT_ACTIVITY = 10
TOP_SPENDERS = 10
ALL_TIME = "0001-01-01 00:00:00"

USER_COUNTS = text("""
    SELECT COUNT(*) AS total_users,
           COALESCE(SUM(is_active), 0) AS active_users,
           COALESCE(SUM(is_admin), 0) AS admin_count,
           COALESCE(SUM(created_at >= :week), 0) AS new_users_7_days
    FROM users
""")
ACTIVE_SINCE = text("SELECT COUNT(DISTINCT user_id) FROM messages WHERE role = 'user' AND created_at >= :since")
TOTALS = text("""
    SELECT (SELECT COUNT(*) FROM conversations WHERE created_at >= :since) AS conversations,
           COUNT(*) AS messages,
           COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens
    FROM messages WHERE created_at >= :since
""")
RECENT = text("""
    SELECT c.id AS conversation_id, c.title, c.user_id, u.username,
           (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS messages,
           strftime('%Y-%m-%dT%H:%M:%S', c.updated_at) AS updated_at
    FROM conversations c JOIN users u ON u.id = c.user_id
    ORDER BY c.updated_at DESC, c.id DESC
    LIMIT :limit
""")
BY_DAY = text("""
    SELECT date(created_at) AS day, COUNT(*) AS messages,
           COUNT(DISTINCT CASE WHEN role = 'user' THEN user_id END) AS users,
           COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens
    FROM messages WHERE created_at >= :since
    GROUP BY date(created_at)
""")
COST_SINCE = text(f"SELECT COALESCE(SUM({cost_sql()}), 0.0) FROM messages WHERE role = 'assistant'"
                  " AND created_at >= :since")


def _since(days: int, now: datetime) -> str:
    return clock.sql_text(clock.day_start(days, now))


@router.get("/dashboard")
async def get_dashboard(current_user: dict = Depends(require_admin)):
    now = clock.utcnow()
    month_start = clock.sql_text(now.replace(day=1, hour=0, minute=0, second=0))
    async with get_db() as session:
        users = (await session.execute(USER_COUNTS, {"week": _since(7, now)})).mappings().one()
        active_7 = await session.scalar(ACTIVE_SINCE, {"since": _since(7, now)})
        active_30 = await session.scalar(ACTIVE_SINCE, {"since": _since(30, now)})
        totals = (await session.execute(TOTALS, {"since": ALL_TIME})).mappings().one()
        today = (await session.execute(TOTALS, {"since": _since(1, now)})).mappings().one()
        recent = (await session.execute(RECENT, {"limit": RECENT_ACTIVITY})).mappings().all()
        by_day = {row["day"]: row for row in (await session.execute(
            BY_DAY, {"since": _since(DASHBOARD_DAYS, now)})).mappings()}
        costs = {
            "today": await session.scalar(COST_SINCE, {"since": _since(1, now)}),
            "last_7_days": await session.scalar(COST_SINCE, {"since": _since(7, now)}),
            "last_30_days": await session.scalar(COST_SINCE, {"since": _since(30, now)}),
            "month_to_date": await session.scalar(COST_SINCE, {"since": month_start}),
        }
    empty = {"messages": 0, "users": 0, "tokens": 0}
    return {
        "generated_at": now.isoformat() + "Z",
        "total_users": users["total_users"],
        "active_users": users["active_users"],
        "admin_count": users["admin_count"],
        "new_users_7_days": users["new_users_7_days"],
        "active_7_days": active_7,
        "active_30_days": active_30,
        "totals": dict(totals),
        "today": dict(today),
        "recent_activity": [dict(row) for row in recent],
        "messages_by_day": [
            {"day": day.isoformat(), **{key: by_day.get(day.isoformat(), empty)[key] for key in empty}}
            for day in clock.days_ending_today(DASHBOARD_DAYS, now)
        ],
        "costs": {"currency": "USD", **{key: round(value, 2) for key, value in costs.items()}},
    }


MODEL_USAGE = text(f"""
    SELECT model, COUNT(*) AS answers, SUM(prompt_tokens) AS prompt_tokens,
           SUM(completion_tokens) AS completion_tokens, SUM({cost_sql()}) AS cost
    FROM messages WHERE role = 'assistant' AND created_at >= :since
    GROUP BY model ORDER BY model
""")
SPENDERS = text(f"""
    SELECT m.user_id, u.username, u.full_name, SUM(m.prompt_tokens + m.completion_tokens) AS tokens,
           SUM({cost_sql('m.prompt_tokens', 'm.completion_tokens', 'm.model')}) AS cost
    FROM messages m JOIN users u ON u.id = m.user_id
    WHERE m.role = 'assistant' AND m.created_at >= :since
    GROUP BY m.user_id ORDER BY cost DESC, m.user_id ASC
    LIMIT :limit
""")
DAILY_COSTS = text(f"""
    SELECT date(created_at) AS day, COUNT(*) AS answers, SUM(prompt_tokens + completion_tokens) AS tokens,
           SUM({cost_sql()}) AS cost
    FROM messages WHERE role = 'assistant' AND created_at >= :since
    GROUP BY date(created_at)
""")


def _cost_day(row) -> dict:
    if row is None:
        return {"answers": 0, "tokens": 0, "cost": 0.0}
    return {"answers": row["answers"], "tokens": row["tokens"], "cost": round(row["cost"], 4)}


@router.get("/usage/costs")
async def get_usage_costs(days: int = Query(30, ge=1, le=365), current_user: dict = Depends(require_admin)):
    now = clock.utcnow()
    since = _since(days, now)
    async with get_db() as session:
        models = (await session.execute(MODEL_USAGE, {"since": since})).mappings().all()
        spenders = (await session.execute(SPENDERS, {"since": since, "limit": TOP_SPENDERS})).mappings().all()
        daily = {row["day"]: row for row in (await session.execute(DAILY_COSTS, {"since": since})).mappings()}
    window = clock.days_ending_today(days, now)
    return {
        "days": days,
        "since": window[0].isoformat(),
        "until": window[-1].isoformat(),
        "currency": "USD",
        "total_cost": round(sum(row["cost"] for row in models), 4),
        "prompt_tokens": sum(row["prompt_tokens"] for row in models),
        "completion_tokens": sum(row["completion_tokens"] for row in models),
        "models": {
            row["model"]: {"answers": row["answers"], "prompt_tokens": row["prompt_tokens"],
                           "completion_tokens": row["completion_tokens"], "cost": round(row["cost"], 4)}
            for row in models
        },
        "top_spenders": [{**dict(row), "cost": round(row["cost"], 4)} for row in spenders],
        "daily": [{"day": day.isoformat(), **_cost_day(daily.get(day.isoformat()))} for day in window],
    }
