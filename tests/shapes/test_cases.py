"""The inference and the mapping as data: legacy route functions in the idioms real services use, each with the
shape it must infer and the mapping it must produce (written for these tests; no public code copied).

``shape``: entries of `flatten(inferred.shape)` that must be present (path -> type word).
``mapping``: standard path -> "<rule> <legacy path>..." for the fields named (see `summary`).
``manual``: the required standard fields that must be reported missing ([] = the route is automatic).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

from migrator.shapes import OperationMapping, flatten, map_operation, render_module


@dataclass
class Case:
    id: str
    operation: str
    source: str
    function: str = "route"
    shape: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    manual: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # other modules by dotted name
    response_model: Optional[str] = None
    doc: str = "legacy"


def summary(mapping: OperationMapping) -> dict[str, str]:
    out = {}
    stack = [mapping.root, *([mapping.page_total] if mapping.page_total else [])]
    while stack:
        current = stack.pop()
        if current.target:
            labels = [".".join(s.path) for s in current.sources]
            value = [current.value] if current.rule in ("input", "constant") and current.value else []
            out[current.target] = " ".join([current.rule, *labels, *value])
        stack.extend(current.children)
    return out


PYDANTIC = "        from pydantic import BaseModel, Field\n"  # indented as the sources below
ENVELOPE = """
        from datetime import datetime
        from typing import Generic, Sequence, TypeVar

        T = TypeVar("T")

        class Outcome(BaseModel):
            code: int = 200
            msg: str = "ok"
            data: object | None = None

        class Reply(Outcome, Generic[T]):
            data: T

        class PageOf(BaseModel, Generic[T]):
            items: Sequence[T]
            total: int
            page: int
            size: int

        class AccountView(BaseModel):
            id: int
            username: str
            nickname: str
            email: str | None = None
            {status}
            is_superuser: bool
            created_time: datetime
            last_login_time: datetime | None = None
"""

CASES = [
    # --- dashboards ---------------------------------------------------------------------------------------------
    Case(
        "dict-literal-dashboard-of-the-examples",
        "get_tenant_stats",
        """
        async def route(tenant_id: str):
            with get_db(tenant_id) as db:
                users = db.execute("SELECT COUNT(*) AS total, SUM(role = 'admin') AS admins FROM users").fetchone()
                week = db.execute("SELECT COUNT(DISTINCT user_id) FROM messages").fetchone()[0]
                month = db.execute("SELECT COUNT(DISTINCT user_id) FROM messages").fetchone()[0]
            trend = []
            for day in days():
                trend.append({"date": day, "messages": 1, "users": 2, "tokens": 3})
            return {
                "users": {"total": users["total"], "active_7days": week, "active_30days": month},
                "usage": {"total_sessions": 4},
                "daily_trend": trend,
            }
        """,
        doc="dashboard",
        shape={"users.total": "int", "users.active_7days": "unknown", "daily_trend": "list[object]",
               "daily_trend[].date": "unknown", "daily_trend[].tokens": "int", "usage.total_sessions": "int"},
        mapping={"summary.total_users": "copy users.total",
                 "summary.active_users": "by_period users.active_7days users.active_30days",
                 "summary.total_messages": "window_sum daily_trend messages",
                 "trends.daily": "list daily_trend", "trends.daily[].date": "text date"},
    ),
    Case(
        "spelled-differently-with-recent-activity",
        "get_tenant_stats",
        """
        @router.get("/dashboard")
        async def route(tenant: Tenant, session: SessionDep):
            rows = (await session.execute(text("SELECT date(created_at) AS date, COUNT(*) AS count FROM events"
                                               " GROUP BY 1"))).mappings().all()
            return {
                "user_count": await count_users(session),
                "active_7_days": await active(session, 7),
                "active_30_days": await active(session, 30),
                "admin_count": 2,
                "recent_activity": [dict(row) for row in rows],
            }
        """,
        doc="dashboard",
        shape={"user_count": "unknown", "active_7_days": "unknown", "admin_count": "int",
               "recent_activity": "list[object]", "recent_activity[].date": "unknown",
               "recent_activity[].count": "int"},
        mapping={"summary.total_users": "copy user_count",
                 "summary.active_users": "by_period active_7_days active_30_days",
                 "trends.daily": "list recent_activity", "trends.daily[].messages": "copy count",
                 "summary.total_messages": "window_sum recent_activity count"},
    ),
    Case(
        "flat-keys-and-a-day-keyed-series",
        "get_tenant_stats",
        """
        def route(db=Depends(get_db)):
            daily = [{"day": d.isoformat(), "messages": m, "tokens": t, "active_users": u} for d, m, t, u in db.q()]
            return {"total_users": 10, "active_users": 4, "total_sessions": 7, "daily_stats": daily}
        """,
        doc="dashboard",
        shape={"total_users": "int", "daily_stats[].day": "str"},
        mapping={"summary.total_users": "copy total_users", "summary.active_users": "copy active_users",
                 "trends.daily": "list daily_stats", "trends.daily[].date": "text day",
                 "trends.daily[].users": "copy active_users"},
    ),
    Case(
        "response-model-with-camel-case-aliases",
        "get_tenant_stats",
        PYDANTIC + """
        class Point(BaseModel):
            day: str
            messages: int
            tokens: int

        class DashboardOut(BaseModel):
            total_users: int = Field(alias="totalUsers")
            active_users: int = Field(alias="activeUsers")
            points: list[Point]

        @router.get("/stats", response_model=DashboardOut)
        def route():
            return load()
        """,
        doc="dashboard",
        shape={"totalUsers": "int", "activeUsers": "int", "points[].day": "str"},
        mapping={"summary.total_users": "copy totalUsers", "summary.active_users": "copy activeUsers",
                 "trends.daily": "list points", "summary.total_tokens": "window_sum points tokens"},
    ),
    Case(
        "helper-in-the-same-module",
        "get_tenant_stats",
        """
        def _summary(db) -> dict:
            total = db.scalar("SELECT COUNT(*) FROM users")
            return {"users": {"total": total, "active": 3}, "sessions": {"total": 9}}

        @router.get("/admin/stats")
        async def route(db=Depends(get_db)):
            return _summary(db)
        """,
        doc="dashboard",
        shape={"users.total": "unknown", "sessions.total": "int"},
        mapping={"summary.total_users": "copy users.total", "summary.total_sessions": "copy sessions.total"},
        manual=["summary.active_users"],
    ),
    Case(
        "helper-in-an-imported-service-module",
        "get_tenant_stats",
        """
        from .services import stats

        async def route(db: Db):
            return await stats.overview(db)
        """,
        extra={"app.services.stats": """
            async def overview(db):
                return {"members": {"total": 5}, "weekly_active_users": 2, "monthly_active_users": 4}
        """},
        doc="dashboard",
        shape={"members.total": "int", "weekly_active_users": "int"},
        mapping={"summary.total_users": "copy members.total",
                 "summary.active_users": "by_period weekly_active_users monthly_active_users"},
    ),
    Case(
        "double-star-merges-of-local-dicts",
        "get_tenant_stats",
        """
        async def route():
            base = {"total_users": 12}
            activity = {"active_users": 5, **{"total_sessions": 3}}
            return {**base, **activity, "total_messages": 40}
        """,
        doc="dashboard",
        shape={"total_users": "int", "active_users": "int", "total_sessions": "int", "total_messages": "int"},
        mapping={"summary.total_users": "copy total_users", "summary.total_sessions": "copy total_sessions",
                 "summary.total_messages": "copy total_messages"},
    ),
    Case(
        "keys-set-one-by-one",
        "get_tenant_stats",
        """
        async def route():
            out = {}
            out["users"] = {"total": 3}
            out.update({"active_users": 2})
            out.update(total_sessions=1)
            return out
        """,
        doc="dashboard",
        shape={"users.total": "int", "active_users": "int", "total_sessions": "int"},
        mapping={"summary.total_users": "copy users.total", "summary.active_users": "copy active_users",
                 "summary.total_sessions": "copy total_sessions"},
    ),
    Case(
        "model-dump-uses-field-names",
        "get_tenant_stats",
        PYDANTIC + """
        class Out(BaseModel):
            total_users: int = Field(alias="TotalUsers")
            active_users: int

        async def route():
            return Out(TotalUsers=1, active_users=2).model_dump()
        """,
        doc="dashboard",
        shape={"total_users": "int", "active_users": "int"},
        mapping={"summary.total_users": "copy total_users"},
    ),
    Case(
        "dot-dict-with-by-alias-and-a-json-response",
        "get_tenant_stats",
        PYDANTIC + """
        from fastapi.responses import JSONResponse

        class Out(BaseModel):
            total_users: int = Field(alias="usersTotal")
            active_users: int = Field(alias="usersActive")

        async def route():
            return JSONResponse(content=Out(usersTotal=1, usersActive=2).dict(by_alias=True))
        """,
        doc="dashboard",
        shape={"usersTotal": "int", "usersActive": "int"},
        mapping={"summary.total_users": "copy usersTotal", "summary.active_users": "copy usersActive"},
    ),
    Case(
        "an-external-service-is-unknown-never-guessed",
        "get_tenant_stats",
        """
        from analytics_sdk import client

        async def route():
            return await client.dashboard()
        """,
        doc="dashboard",
        shape={},
        manual=["summary.total_users", "summary.active_users"],
    ),
    Case(
        "all-time-totals-without-a-daily-series",
        "get_tenant_stats",
        """
        async def route():
            return {"total_users": 3, "active_users": 2, "total_messages": 50, "total_tokens": 900}
        """,
        doc="dashboard",
        mapping={"summary.total_messages": "copy total_messages", "summary.total_tokens": "copy total_tokens"},
    ),
    # --- costs --------------------------------------------------------------------------------------------------
    Case(
        "costs-with-other-spellings",
        "get_tenant_costs",
        """
        async def route(days: int = 30):
            models = [{"model_name": m, "prompt_tokens": i, "completion_tokens": o, "cost": c} for m, i, o, c in q()]
            return {"total_cost": sum(x["cost"] for x in models), "models": models, "per_day": []}
        """,
        shape={"total_cost": "any", "models[].model_name": "unknown"},
        mapping={"total_cost_usd": "copy total_cost", "by_model": "list models", "by_model[].model": "text model_name",
                 "by_model[].input_tokens": "copy prompt_tokens", "by_model[].cost_usd": "copy cost"},
    ),
    Case(
        "costs-without-an-input-output-split",
        "get_tenant_costs",
        """
        async def route():
            return {"estimated_cost_usd": 1.5, "by_model": [{"model": "gpt", "tokens": 10, "cost_usd": 1.5}]}
        """,
        mapping={"by_model[].output_tokens": "copy tokens", "by_model[].model": "text model"},
    ),
    Case(
        "costs-per-user-become-the-top-ten",
        "get_tenant_costs",
        """
        async def route():
            return {"total_cost_usd": 2.0,
                    "costs_by_user": [{"user_id": 1, "full_name": "Kim", "cost": 2.0, "tokens": 3}]}
        """,
        mapping={"by_user_top10": "list costs_by_user", "by_user_top10[].name": "text full_name",
                 "by_user_top10[].user_id": "id user_id"},
    ),
    Case(
        "costs-without-any-total-are-manual",
        "get_tenant_costs",
        """
        async def route():
            return {"by_model": [{"model": "gpt", "tokens": 1, "cost_usd": 0.1}]}
        """,
        manual=["total_cost_usd"],
    ),
    # --- top users and usage patterns ---------------------------------------------------------------------------
    Case(
        "top-users-from-a-comprehension-over-orm-rows",
        "get_top_users",
        """
        async def route(limit: int = 10):
            rows = await repo.top(limit)
            return {"top_users": [{"id": u.id, "name": u.full_name, "email": u.email, "message_count": n,
                                   "last_seen": u.seen.isoformat()} for u, n in rows]}
        """,
        shape={"top_users[].last_seen": "str", "top_users[].id": "unknown"},
        mapping={"users": "list top_users", "users[].messages": "copy message_count",
                 "users[].last_active": "text last_seen", "users[].user_id": "id id"},
    ),
    Case(
        "top-users-as-a-bare-list-response-model",
        "get_top_users",
        PYDANTIC + """
        class TopUserOut(BaseModel):
            user_id: int
            display_name: str
            email: str
            messages: int
            last_active: str

        @router.get("/top", response_model=list[TopUserOut])
        async def route():
            return await rows()
        """,
        shape={"[].user_id": "int", "[].display_name": "str"},
        mapping={"users": "list ", "users[].name": "text display_name", "users[].user_id": "id user_id"},
    ),
    Case(
        "usage-patterns-by-hour-and-weekday",
        "get_usage_patterns",
        """
        async def route():
            return {
                "by_hour": [{"hour": h, "count": c} for h, c in hours()],
                "by_weekday": [{"weekday": name, "count": c} for name, c in weekdays()],
                "avg_session_minutes": round(avg, 1),
            }
        """,
        mapping={"hourly_distribution": "list by_hour", "weekday_distribution": "list by_weekday",
                 "weekday_distribution[].day": "text weekday", "avg_session_length": "copy avg_session_minutes"},
    ),
    Case(
        "usage-patterns-without-weekdays-are-manual",
        "get_usage_patterns",
        """
        async def route():
            return {"hourly": [{"hour": h, "count": c} for h, c in hours()]}
        """,
        mapping={"hourly_distribution": "list hourly"},
        manual=["weekday_distribution"],
    ),
    # --- users --------------------------------------------------------------------------------------------------
    Case(
        "user-page-with-items-and-count",
        "list_users",
        PYDANTIC + """
        class UserOut(BaseModel):
            id: int
            email: str
            display_name: str | None
            role: str
            is_active: bool
            created_at: datetime

        class Page(BaseModel):
            items: list[UserOut]
            count: int

        @router.get("/users", response_model=Page)
        async def route(page: int = 1):
            ...
        """,
        doc="page",
        shape={"items[].created_at": "str", "items[].display_name": "str?", "count": "int"},
        mapping={"users": "list items", "page.total": "copy count", "users[].name": "text display_name",
                 "users[].status": "user_status is_active", "users[].role": "role role"},
    ),
    Case(
        "users-as-a-bare-list",
        "list_users",
        PYDANTIC + """
        class UserOut(BaseModel):
            id: int
            email: str
            username: str
            is_active: bool
            created_at: str

        @router.get("/users", response_model=list[UserOut])
        async def route():
            ...
        """,
        doc="page",
        mapping={"users": "list ", "page.total": "len ", "users[].name": "text username",
                 "users[].role": "constant UserRole.USER"},
    ),
    Case(
        "users-from-raw-sql-mappings",
        "list_users",
        """
        async def route(session: SessionDep):
            result = await session.execute(text("SELECT u.id, u.username, u.email, u.is_active, u.created_at "
                                                "FROM users u ORDER BY u.id"))
            rows = result.mappings().all()
            return {"users": [dict(r) for r in rows], "total": len(rows)}
        """,
        doc="page",
        shape={"users[].username": "unknown", "total": "int"},
        mapping={"users[].user_id": "id id", "users[].email": "text email", "page.total": "copy total"},
    ),
    Case(
        "select-star-rows-are-open-and-manual",
        "list_users",
        """
        def route(db=Depends(get_db)):
            return {"users": [dict(r) for r in db.execute("SELECT * FROM users").fetchall()], "total": 1}
        """,
        doc="page",
        shape={"users[].*": "open"},
        manual=["users"],
    ),
    Case(
        "user-with-a-text-status-and-no-role",
        "get_user",
        """
        async def route(user_id: str):
            u = await repo.get(user_id)
            return {"uid": str(u.uuid), "full_name": u.name, "email": u.email, "status": u.status,
                    "joined_at": u.joined.isoformat()}
        """,
        mapping={"user_id": "id uid", "name": "text full_name", "status": "user_status_text status",
                 "role": "constant UserRole.USER", "created_at": "text joined_at"},
    ),
    Case(
        "user-with-camel-case-aliases",
        "get_user",
        PYDANTIC + """
        class UserRead(BaseModel):
            id: int
            email: str
            name: str
            role: str
            active: bool
            created_at: str = Field(alias="createdAt")
            last_login: str | None = Field(default=None, alias="lastLoginAt")

        @router.get("/users/{user_id}", response_model=UserRead)
        def route(user_id: int):
            ...
        """,
        shape={"createdAt": "str", "lastLoginAt": "str?"},
        mapping={"created_at": "text createdAt", "status": "user_status active", "last_login": "text lastLoginAt"},
    ),
    Case(
        "user-without-an-email-is-manual",
        "get_user",
        """
        async def route(user_id: int):
            return {"id": user_id, "username": "kim", "is_active": True, "created_at": "2026-01-01"}
        """,
        manual=["email"],
    ),
    Case(
        "a-users-tenant-object-is-not-the-user",
        "get_user",
        PYDANTIC + """
        class TenantEmbedded(BaseModel):
            id: str
            name: str
            slug: str

        class UserRead(BaseModel):
            id: str
            created_at: str
            email: str
            is_active: bool
            tenant: TenantEmbedded

        @router.get("/users/{user_id}", response_model=UserRead)
        async def route(user_id: str):
            ...
        """,
        shape={"tenant.name": "str", "email": "str"},
        mapping={"user_id": "id id", "email": "text email"},
        manual=["name"],  # `tenant.name` names the tenant, not the user
    ),
    # a `{code, msg, data}` envelope around the user / the page; nickname, created_time, last_login_time
    Case(
        "user-inside-a-code-msg-data-envelope",
        "get_user",
        PYDANTIC + ENVELOPE.replace("{status}", "is_active: bool") + """
        async def route(pk: int) -> Reply[AccountView]:
            account = await accounts.get(pk)
            return replies.ok(data=account)
        """,
        mapping={"user_id": "id data.id", "name": "text data.nickname", "created_at": "text data.created_time",
                 "last_login": "text data.last_login_time", "status": "user_status data.is_active",
                 "role": "role_flag data.is_superuser"},
    ),
    Case(
        "page-inside-a-code-msg-data-envelope",
        "list_users",
        PYDANTIC + ENVELOPE.replace("{status}", "is_active: bool") + """
        async def route(page: int = 1) -> Reply[PageOf[AccountView]]:
            found = await accounts.page(page)
            return replies.ok(data=found)
        """,
        mapping={"users": "list data.items", "page.total": "copy data.total", "users[].name": "text nickname"},
        doc="page",
    ),
    # a member's name in two parts (tracecat's OrgMemberRead: first_name, last_name, both optional)
    Case(
        "a-name-in-two-parts-is-joined",
        "list_users",
        PYDANTIC + """
        class MemberRead(BaseModel):
            user_id: str
            email: str
            first_name: str | None = None
            last_name: str | None = None
            role: str
            is_active: bool
            created_at: str

        @router.get("/members", response_model=list[MemberRead])
        async def route():
            return await members.all()
        """,
        mapping={"users": "list", "users[].name": "full_name first_name last_name",
                 "users[].email": "text email"},
        doc="page",
    ),
    Case(
        "a-name-in-two-parts-of-another-object-is-not-the-users",
        "get_user",
        PYDANTIC + """
        class Manager(BaseModel):
            first_name: str
            last_name: str

        class UserRead(BaseModel):
            id: str
            email: str
            given_name: str
            is_active: bool
            created_at: str
            manager: Manager

        @router.get("/users/{user_id}", response_model=UserRead)
        async def route(user_id: str):
            ...
        """,
        manual=["name"],  # a given name alone, and the manager's two parts, do not make the user's name
    ),
    Case(
        "a-numeric-status-code-is-left-to-a-person",
        "get_user",
        PYDANTIC + ENVELOPE.replace("{status}", "status: int") + """
        async def route(pk: int) -> Reply[AccountView]:
            return replies.ok(data=await accounts.get(pk))
        """,
        manual=["status"],
    ),
    Case(
        "a-page-of-users-with-a-numeric-status-keeps-its-total",
        "list_users",
        PYDANTIC + ENVELOPE.replace("{status}", "status: int") + """
        async def route(page: int = 1) -> Reply[PageOf[AccountView]]:
            return replies.ok(data=await accounts.page(page))
        """,
        mapping={"page.total": "copy data.total"},
        manual=["users"],
        doc="page",
    ),
    Case(
        "a-listed-users-organisation-is-not-the-user",
        "list_users",
        """
        async def route(org_id: str):
            rows = await repo.members(org_id)
            return {"total": len(rows), "items": [{"id": r.id, "email": r.email, "full_name": r.full_name,
                                                   "is_active": r.active, "created_at": r.created,
                                                   "organization": {"id": r.org.id, "name": r.org.name}}
                                                  for r in rows]}
        """,
        mapping={"users[].name": "text full_name", "users[].user_id": "id id"},
        doc="page",
    ),
    Case(
        "user-stats-added-only-sometimes",
        "get_user",
        """
        async def route(user_id: int, with_stats: bool = False):
            user = _to_dict(await load(user_id))
            if with_stats:
                user["stats"] = {"sessions": 1, "messages": 2, "tokens": 3}
            return user

        def _to_dict(u) -> dict:
            return {"id": u.id, "email": u.email, "display_name": u.name, "is_active": u.active,
                    "created_at": u.created.isoformat(), "role": u.role}
        """,
        shape={"stats?": "object", "stats.sessions": "int", "created_at": "str"},
        mapping={"usage": "object", "usage.sessions": "copy stats.sessions", "name": "text display_name"},
    ),
    Case(
        "created-user-from-a-sqlmodel-response-model",
        "create_user",
        """
        from sqlmodel import SQLModel

        class UserRead(SQLModel):
            id: int
            email: str
            full_name: str
            is_active: bool = True
            created_at: str

        @router.post("/users", response_model=UserRead, status_code=201)
        async def route(payload: UserCreate, session: SessionDep):
            ...
        """,
        mapping={"user_id": "id id", "name": "text full_name", "temporary_password": "input temporary_password",
                 "role": "constant UserRole.USER"},
    ),
    Case(
        "delete-answering-a-detail-only",
        "delete_user",
        """
        async def route(user_id: int):
            await repo.delete(user_id)
            return {"detail": f"user {user_id} deleted"}
        """,
        shape={"detail": "str"},
        mapping={"message": "text detail", "user_id": "input user_id", "success": "input True"},
    ),
    Case(
        "delete-answering-204-says-deleted",
        "delete_user",
        """
        from fastapi import Response

        async def route(user_id: int):
            await repo.delete(user_id)
            return Response(status_code=204)
        """,
        mapping={"message": "constant \"User deleted\"", "user_id": "input user_id"},
    ),
    # --- idioms seen while trying services not shaped for this (written anew for these tests) -----------------
    Case(
        "camel-case-from-an-alias-generator-on-a-base-model",
        "get_tenant_stats",
        """
        from pydantic import BaseModel, ConfigDict
        from pydantic.alias_generators import to_camel

        class Camel(BaseModel):
            model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

        class Counts(Camel):
            total: int
            active_in_period: int
            new_in_period: int

        class Day(Camel):
            date: str
            active_users: int
            tokens: int

        class Overview(Camel):
            tenant_id: int
            users: Counts
            daily: list[Day]

        def route(tenant: Tenant, period: str = "30d") -> Overview:
            return build(tenant, period)
        """,
        doc="dashboard",
        shape={"tenantId": "int", "users.activeInPeriod": "int", "daily[].activeUsers": "int"},
        mapping={"summary.active_users": "copy users.activeInPeriod",
                 "summary.new_users_this_period": "copy users.newInPeriod", "trends.daily[].users": "copy activeUsers",
                 "summary.total_tokens": "window_sum daily tokens"},
    ),
    Case(
        "generic-page-of-users-with-an-admin-flag",
        "list_users",
        """
        from typing import Generic, TypeVar
        from pydantic import BaseModel

        T = TypeVar("T")

        class Page(BaseModel, Generic[T]):
            items: list[T]
            total: int
            page: int

        class Member(BaseModel):
            id: int
            email: str
            full_name: str | None
            username: str
            is_admin: bool
            is_active: bool
            created_at: str

        @router.get("/members", response_model=Page[Member])
        def route(page: int = 1):
            ...
        """,
        doc="page",
        shape={"items[].is_admin": "bool", "total": "int"},
        mapping={"users": "list items", "users[].role": "role_flag is_admin",
                 "users[].name": "text full_name username", "page.total": "copy total"},
    ),
    Case(
        "sql-text-constants-at-module-level",
        "get_tenant_stats",
        """
        from sqlalchemy import text

        COUNTS = text("SELECT COUNT(*) AS total_users, SUM(is_active) AS active_accounts FROM users")
        BY_DAY = text("SELECT date(created_at) AS day, COUNT(*) AS messages, SUM(tokens) AS tokens FROM m GROUP BY 1")

        async def route():
            async with get_db() as session:
                counts = (await session.execute(COUNTS)).mappings().one()
                days = (await session.execute(BY_DAY)).mappings().all()
                active = await session.scalar(text("SELECT COUNT(DISTINCT user_id) FROM m"))
            return {**dict(counts), "active_7_days": active, "active_30_days": active,
                    "by_day": [dict(row) for row in days]}
        """,
        doc="dashboard",
        shape={"total_users": "int", "active_accounts": "unknown", "by_day[].messages": "int"},
        mapping={"summary.total_users": "copy total_users", "trends.daily": "list by_day",
                 "summary.total_messages": "window_sum by_day messages"},
    ),
    Case(
        "dict-comprehension-over-known-keys",
        "get_tenant_stats",
        """
        EMPTY = {"messages": 0, "users": 0, "tokens": 0}

        async def route():
            rows = await load()
            return {
                "total_users": 4,
                "active_users": 2,
                "activity": [{"date": day, **{key: rows.get(day, EMPTY)[key] for key in EMPTY}} for day in days()],
                "costs": {"currency": "USD", **{key: round(value, 2) for key, value in {"today": 1.0}.items()}},
            }
        """,
        doc="dashboard",
        shape={"activity[].messages": "unknown", "activity[].tokens": "unknown", "costs.today": "float"},
        mapping={"trends.daily": "list activity", "trends.daily[].messages": "copy messages"},
    ),
    Case(
        "a-plain-active-count-next-to-windowed-ones-counts-accounts",
        "get_tenant_stats",
        """
        async def route():
            return {"total_users": 9, "active_users": 8, "active_7_days": 3, "active_30_days": 5}
        """,
        doc="dashboard",
        mapping={"summary.active_users": "by_period active_7_days active_30_days"},
    ),
    # --- tenants and settings -----------------------------------------------------------------------------------
    Case(
        "tenant-status-with-a-state-and-feature-flags",
        "get_tenant_status",
        """
        async def route(tenant_id: int):
            t = await tenants.get(tenant_id)
            return {"id": t.id, "state": t.state, "plan_name": t.plan, "features": {"chat": True, "quiz": False},
                    "created_at": t.created.isoformat()}
        """,
        shape={"features.chat": "bool", "created_at": "str"},
        mapping={"status": "tenant_status state", "plan": "text plan_name", "features": "features features",
                 "updated_at": "text created_at", "tenant_id": "input tenant_id"},
    ),
    Case(
        "tenant-status-without-dates-is-manual",
        "get_tenant_status",
        """
        async def route(tenant_id: str):
            return {"tenant_id": tenant_id, "status": "active"}
        """,
        mapping={"plan": "constant \"unknown\"", "features": "constant []"},
        manual=["created_at", "updated_at"],
    ),
    Case(
        "tenant-list-as-a-bare-list",
        "list_tenants",
        PYDANTIC + """
        class TenantOut(BaseModel):
            id: str
            name: str
            status: str
            created_at: str
            user_count: int

        @router.get("/tenants", response_model=list[TenantOut])
        async def route():
            ...
        """,
        shape={"[].user_count": "int"},
        mapping={"tenants": "list", "tenants[].tenant_id": "id id", "tenants[].university_name": "text name",
                 "tenants[].users_count": "copy user_count"},
    ),
    Case(
        "tenant-list-of-opaque-objects-is-manual",
        "list_tenants",
        """
        async def route():
            return {"tenants": [t.to_dict() for t in await tenants.all()]}
        """,
        shape={"tenants": "list[unknown]"},
        manual=["tenants"],
    ),
    Case(
        "settings-in-the-examples-layout",
        "get_settings",
        """
        def route(tenant_id: str):
            s = load(tenant_id)
            return {
                "plan": s["plan"], "max_users": 100, "max_storage_mb": 1024,
                "features": {"rag": True, "chat": True, "quiz": False},
                "limits": {"daily_tokens": 10, "monthly_tokens": 100},
                "subscription": {"start_date": s["start"], "end_date": None, "auto_renew": False},
            }
        """,
        mapping={"config.max_users": "copy max_users", "config.limits.max_users": "copy max_users",
                 "config.features.quiz": "copy features.quiz", "subscription.plan": "text plan",
                 "subscription.start_date": "text subscription.start_date"},
    ),
    Case(
        "settings-without-a-subscription-are-manual",
        "get_settings",
        """
        def route(tenant_id: str):
            return {"plan": "pro", "max_users": 100, "max_storage_mb": 1024, "features": {"rag": True}}
        """,
        manual=["subscription.start_date"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, infer_inline):
    inferred = infer_inline(case.source, case.function, extra=case.extra, response_model=case.response_model)
    flat = flatten(inferred.shape)
    if inferred.shape.kind != "object":
        flat[""] = inferred.shape.describe()
    for path, kind in case.shape.items():
        assert flat.get(path) == kind, f"{path}: inferred {flat.get(path)!r}, expected {kind!r}\n{flat}"
    mapping = map_operation(case.operation, {case.doc: inferred})
    mapped = summary(mapping)
    for target, expected in case.mapping.items():
        assert mapped.get(target, "").strip() == expected.strip(), f"{target}: {mapped.get(target)!r}\n{mapped}"
    manual = sorted(m.target for m in mapping.missing if m.required)
    assert manual == sorted(case.manual), mapping.missing
    assert mapping.automatic == (not case.manual)


def test_there_are_at_least_thirty_cases_in_the_idioms_the_brief_lists():
    assert len(CASES) >= 30
    sources = "\n".join(c.source for c in CASES)
    for idiom in ("active_7_days", "admin_count", "recent_activity", "response_model=", "model_dump", "**",
                  "for row in rows", "text("):
        assert idiom in sources, idiom


def test_every_field_of_the_example_table_names_where_it_comes_from(infer_inline):
    inferred = infer_inline(CASES[0].source, "route")
    for path, field_ in inferred.shape.fields.items():
        assert field_.origin is not None and field_.origin.file == "app/routes.py" and field_.origin.line > 0, path


def test_the_rendered_mapping_of_every_case_compiles_and_is_ruff_clean(infer_inline, tmp_path):
    """All cases in one module (manual ones included): the names of one operation's functions do not clash within a
    module, so each operation's cases are rendered into a module of their own."""
    by_operation: dict[str, list[OperationMapping]] = {}
    for case in CASES:
        inferred = infer_inline(case.source, case.function, extra=case.extra, response_model=case.response_model)
        by_operation.setdefault(case.operation, []).append(map_operation(case.operation, {case.doc: inferred}))
    ruff = Path(sys.executable).with_name("ruff")
    for operation, mappings in by_operation.items():
        for i, mapping in enumerate(mappings):
            code = render_module([mapping], service="svc", include_manual=True)
            file = tmp_path / f"{operation}_{i}.py"
            file.write_text(code, encoding="utf-8")
            compile(code, str(file), "exec")
    result = subprocess.run([str(ruff), "check", "--isolated", "--select", "I,F,E501", "--line-length", "120", "."],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_a_numeric_status_says_why_it_is_left_to_a_person(infer_inline):
    by_id = {c.id: c for c in CASES}
    for case_id, target in (("a-numeric-status-code-is-left-to-a-person", "status"),
                            ("a-page-of-users-with-a-numeric-status-keeps-its-total", "users")):
        case = by_id[case_id]
        mapping = map_operation(case.operation, {case.doc: infer_inline(case.source, case.function)})
        reason = next(m.reason for m in mapping.missing if m.target == target)
        assert "status int, neither an active flag nor a status text" in reason, reason
