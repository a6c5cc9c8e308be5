"""`InMemoryHandler`: a complete, correct reference implementation of the Standard API v2, and `make_app`.

It implements every operation (the optional ones too) over two seeded tenants whose users have every role and
status and 120 days of deterministic activity, so the conformance suite, the router tests and other helpers have a
known-good target. All numbers are aggregates of that activity (nothing is a constant), and the clock is frozen
(`REFERENCE_NOW` unless given) so that answers are reproducible.

Error cases it exercises: unknown tenant/user (404), duplicate e-mail (409), `max_users` reached (429 quota),
branding changed while `custom_branding` is off (403), an activation of an existing tenant (409).
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

from fastapi import FastAPI

from shims.adapters.lifecycle import check_reactivation, reactivation_response
from shims.adapters.periods import month_of, period_to_days
from shims.adapters.users import create_user_response
from shims.standard_api.errors import (
    FeatureDisabledError,
    InvalidRequestError,
    QuotaExceededError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from shims.standard_api.handler import StandardAPIHandler
from shims.standard_api.models import (
    ActivateRequest,
    ActivateResponse,
    Branding,
    CostsResponse,
    CreateUserRequest,
    CreateUserResponse,
    DailyCost,
    DailyTrend,
    DeactivateRequest,
    DeactivateResponse,
    DeleteUserResponse,
    FeatureFlags,
    HealthResponse,
    HourlyCount,
    ModelCost,
    ResourceFilters,
    ResourceItem,
    ResourcesResponse,
    ResourceStats,
    ResourceType,
    SettingsResponse,
    StatsResponse,
    StatsSummary,
    StatusResponse,
    SubscriptionInfo,
    TenantConfig,
    TenantSummary,
    TopUser,
    TopUsersResponse,
    UpdateSettingsRequest,
    UpdateUserRequest,
    UsageData,
    UsageLimits,
    UsagePatternsResponse,
    UsageResponse,
    UserCost,
    UserFilters,
    UserInfo,
    UserRole,
    UsersListResponse,
    UserStatus,
    UserUsage,
    WeekdayCount,
    is_period,
)
from shims.standard_api.router import create_standard_router

__all__ = ["PRICES", "REFERENCE_NOW", "REFERENCE_TENANTS", "InMemoryHandler", "make_app"]

REFERENCE_NOW = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)
REFERENCE_TENANTS = ("hallym_univ", "yonsei_univ")

#: USD per 1K tokens (input, output)
PRICES: dict[str, tuple[float, float]] = {"gpt-4o": (0.0025, 0.01), "gpt-4o-mini": (0.00015, 0.0006)}
_INPUT_SHARE = 0.7
_HISTORY_DAYS = 120
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Activity:
    """One user's activity on one day."""

    day: date
    hour: int
    sessions: int
    messages: int
    tokens: int
    model: str
    minutes: float

    @property
    def input_tokens(self) -> int:
        return round(self.tokens * _INPUT_SHARE)

    @property
    def output_tokens(self) -> int:
        return self.tokens - self.input_tokens

    @property
    def cost(self) -> float:
        price_in, price_out = PRICES[self.model]
        return self.input_tokens / 1000 * price_in + self.output_tokens / 1000 * price_out


@dataclass
class _User:
    user_id: str
    email: str
    name: str
    role: UserRole
    status: UserStatus
    created_at: datetime
    activity: list[_Activity] = field(default_factory=list)

    @property
    def last_login(self) -> Optional[datetime]:
        if not self.activity:
            return None
        last = max(self.activity, key=lambda a: a.day)
        return datetime(last.day.year, last.day.month, last.day.day, last.hour, tzinfo=timezone.utc)


@dataclass
class _Tenant:
    tenant_id: str
    name: str
    plan: str
    status: str
    created_at: datetime
    updated_at: datetime
    contact_email: str
    config: TenantConfig
    subscription: SubscriptionInfo
    extra_features: list[str] = field(default_factory=list)
    users: dict[str, _User] = field(default_factory=dict)
    resources: list[ResourceItem] = field(default_factory=list)
    storage_mb: int = 0

    @property
    def features(self) -> list[str]:
        flags = [name for name, on in self.config.features.model_dump().items() if on]
        return flags + [f for f in self.extra_features if f not in flags]


# --- seeding ------------------------------------------------------------------------------------------------------

_SEED_USERS = {
    "hallym_univ": [
        # name, e-mail local part, role, status, created (days before now)
        ("Kim Minji", "minji.kim", UserRole.ADMIN, UserStatus.ACTIVE, 400),
        ("Lee Jun", "jun.lee", UserRole.INSTRUCTOR, UserStatus.ACTIVE, 380),
        ("Park Seoyeon", "seoyeon.park", UserRole.USER, UserStatus.ACTIVE, 300),
        ("Choi Hyun", "hyun.choi", UserRole.USER, UserStatus.ACTIVE, 200),
        ("Jung Yuna", "yuna.jung", UserRole.USER, UserStatus.SUSPENDED, 250),
        ("Kang Dohyun", "dohyun.kang", UserRole.USER, UserStatus.ACTIVE, 60),
        ("Yoon Jiwoo", "jiwoo.yoon", UserRole.USER, UserStatus.ACTIVE, 20),
        ("Han Sora", "sora.han", UserRole.USER, UserStatus.ACTIVE, 3),
        ("Lim Taeyang", "taeyang.lim", UserRole.USER, UserStatus.PENDING, 1),
        ("Moon Daeho", "daeho.moon", UserRole.MODERATOR, UserStatus.ACTIVE, 150),
        ("Seo Jin", "jin.seo", UserRole.USER, UserStatus.INACTIVE, 320),
    ],
    "yonsei_univ": [
        ("Song Hana", "hana.song", UserRole.ADMIN, UserStatus.ACTIVE, 200),
        ("Oh Jaewon", "jaewon.oh", UserRole.INSTRUCTOR, UserStatus.ACTIVE, 150),
        ("Shin Eunji", "eunji.shin", UserRole.USER, UserStatus.ACTIVE, 100),
        ("Bae Suho", "suho.bae", UserRole.USER, UserStatus.SUSPENDED, 90),
        ("Kwon Mira", "mira.kwon", UserRole.USER, UserStatus.ACTIVE, 5),
    ],
}


def _seed_activity(rng: random.Random, user: _User, now: datetime) -> None:
    if user.status is UserStatus.PENDING:
        return  # never logged in
    today = now.date()
    # A suspended user stopped 40 days ago; a busier profile for admins and instructors.
    last_day = today - timedelta(days=40) if user.status in (UserStatus.SUSPENDED, UserStatus.INACTIVE) else today
    chance = 0.6 if user.role is not UserRole.USER else 0.35
    first_day = max(user.created_at.date(), today - timedelta(days=_HISTORY_DAYS - 1))
    day = first_day
    while day <= last_day:
        # Everyone who is not pending has logged in at least once (on the last day if luck says otherwise).
        if rng.random() < chance or (day == last_day and not user.activity):
            sessions = rng.randint(1, 3)
            messages = sessions * rng.randint(2, 12)
            user.activity.append(
                _Activity(
                    day=day,
                    hour=rng.choice((9, 10, 11, 13, 14, 15, 16, 20, 21, 22)) if day != today else rng.randint(8, 14),
                    sessions=sessions,
                    messages=messages,
                    tokens=messages * rng.randint(150, 450),
                    model=rng.choice(tuple(PRICES)),
                    minutes=round(sessions * rng.uniform(4.0, 25.0), 1),
                )
            )
        day += timedelta(days=1)


def _seed_tenants(now: datetime) -> dict[str, _Tenant]:
    hallym, yonsei = _reference_tenants(now)
    # distinct user ids across tenants: a leak is visible
    _seed_users(hallym, first_id=100, domain="hallym.ac.kr", now=now)
    _seed_users(yonsei, first_id=200, domain="yonsei.ac.kr", now=now)
    admin_a, admin_b = "user_101", "user_201"
    hallym.resources = [
        _resource("course_h1", "Introduction to AI", ResourceType.COURSE, admin_a, now, 80, 35, 120, 15),
        _resource("course_h2", "Data Structures", ResourceType.COURSE, "user_102", now, 60, 28, 64, 9),
        _resource("discussion_h1", "Midterm questions", ResourceType.DISCUSSION, "user_103", now, 12, 14, None, None),
        _resource("document_h1", "Syllabus 2026", ResourceType.DOCUMENT, admin_a, now, 100, None, None, 1),
    ]
    yonsei.resources = [
        _resource("document_y1", "Campus handbook", ResourceType.DOCUMENT, admin_b, now, 150, None, None, 1),
        _resource("course_y1", "Linear Algebra", ResourceType.COURSE, "user_202", now, 40, 22, 31, 6),
    ]
    return {hallym.tenant_id: hallym, yonsei.tenant_id: yonsei}


def _reference_tenants(now: datetime) -> tuple[_Tenant, _Tenant]:
    """The two tenants, without users and resources: a premium one with every feature, a basic one near its quota."""
    hallym = _Tenant(
        tenant_id="hallym_univ",
        name="Hallym University",
        plan="premium",
        status="active",
        created_at=now - timedelta(days=420),
        updated_at=now - timedelta(days=30),
        contact_email="minji.kim@hallym.ac.kr",
        config=TenantConfig(
            max_users=2000,
            max_storage_mb=10240,
            features=FeatureFlags(rag=True, chat=True, quiz=True, api_integration=True, custom_branding=True),
            limits=UsageLimits(max_users=2000, max_storage_mb=10240),
            branding=Branding(logo_url="https://hallym.ac.kr/logo.png", primary_color="#003366"),
        ),
        subscription=SubscriptionInfo(plan="premium", start_date="2025-09-01", end_date="2027-08-31", auto_renew=True),
        storage_mb=3172,
    )
    yonsei = _Tenant(
        tenant_id="yonsei_univ",
        name="Yonsei University",
        plan="basic",
        status="active",
        created_at=now - timedelta(days=210),
        updated_at=now - timedelta(days=210),
        contact_email="hana.song@yonsei.ac.kr",
        # Room for exactly one more user: the quota case.
        config=TenantConfig(
            max_users=6,
            max_storage_mb=2048,
            features=FeatureFlags(rag=True, chat=True),
            limits=UsageLimits(daily_tokens=200_000, monthly_tokens=4_000_000, max_users=6, max_storage_mb=2048),
            branding=None,
        ),
        subscription=SubscriptionInfo(plan="basic", start_date="2026-04-24", end_date=None, auto_renew=False),
        storage_mb=412,
    )
    return hallym, yonsei


def _seed_users(tenant: _Tenant, *, first_id: int, domain: str, now: datetime) -> None:
    rng = random.Random(f"reference:{tenant.tenant_id}")
    for index, (name, local, role, status, age) in enumerate(_SEED_USERS[tenant.tenant_id], start=1):
        user = _User(
            user_id=f"user_{first_id + index}",
            email=f"{local}@{domain}",
            name=name,
            role=role,
            status=status,
            created_at=(now - timedelta(days=age)).replace(hour=9, minute=0, second=0, microsecond=0),
        )
        _seed_activity(rng, user, now)
        tenant.users[user.user_id] = user


def _resource(
    rid: str,
    title: str,
    kind: ResourceType,
    creator: str,
    now: datetime,
    age: int,
    participants: Optional[int],
    discussions: Optional[int],
    documents: Optional[int],
) -> ResourceItem:
    return ResourceItem(
        id=rid,
        title=title,
        type=kind,
        created_by=creator,
        created_at=_iso(now - timedelta(days=age)),
        updated_at=_iso(now - timedelta(days=age // 3)),
        stats=ResourceStats(participants=participants, discussions=discussions, documents=documents),
    )


# --- the handler --------------------------------------------------------------------------------------------------


class InMemoryHandler(StandardAPIHandler):
    """Reference handler: correct answers for every operation, state kept in memory (per instance)."""

    service_version = "1.0.0-reference"

    def __init__(self, *, now: Optional[datetime] = None, access_url_base: str = "https://reference.invalid"):
        self.now = (now or REFERENCE_NOW).astimezone(timezone.utc)
        self.access_url_base = access_url_base.rstrip("/")
        self._lock = threading.RLock()  # a handler may be shared by several test clients (threads)
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state (the two reference tenants, nothing created since)."""
        with self._lock:
            self._tenants = _seed_tenants(self.now)
            self._next_user = 900

    # --- helpers -----------------------------------------------------------------------------------------------

    def _tenant(self, tenant_id: str) -> _Tenant:
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise TenantNotFoundError(tenant_id)
        return tenant

    def _user(self, tenant: _Tenant, user_id: str) -> _User:
        user = tenant.users.get(user_id)
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    def _window(self, period: str) -> tuple[date, date]:
        """``<N>d``/``<N>y``: the last N days (today included); ``YYYY-MM``: that calendar month (up to today)."""
        today = self.now.date()
        if not is_period(period):
            raise InvalidRequestError(f"period must be <N>d, <N>y or YYYY-MM, got '{period[:20]}'")
        month = month_of(period)
        if month is None:
            return today - timedelta(days=period_to_days(period) - 1), today
        start = date(int(month[:4]), int(month[5:]), 1)
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, min(following - timedelta(days=1), today)

    def _activity(self, tenant: _Tenant, start: date, end: date) -> Iterable[tuple[_User, _Activity]]:
        for user in tenant.users.values():
            for item in user.activity:
                if start <= item.day <= end:
                    yield user, item

    def _user_info(self, user: _User) -> UserInfo:
        last = user.last_login
        return UserInfo(
            user_id=user.user_id,
            email=user.email,
            name=user.name,
            role=user.role,
            status=user.status,
            created_at=_iso(user.created_at),
            last_login=_iso(last) if last else None,
            usage=UserUsage(
                sessions=sum(a.sessions for a in user.activity),
                messages=sum(a.messages for a in user.activity),
                tokens=sum(a.tokens for a in user.activity),
            ),
        )

    # --- lifecycle ---------------------------------------------------------------------------------------------

    async def check_health(self) -> HealthResponse:
        return HealthResponse(status="healthy", version=self.service_version, timestamp=_iso(self.now))

    async def activate_tenant(self, request: ActivateRequest) -> ActivateResponse:
        with self._lock:
            existing = self._tenants.get(request.tenant_id)
            if existing is not None:
                # its own contact reactivates a deactivated tenant; anything else is 409
                check_reactivation(request, status=existing.status, owner_email=existing.contact_email)
                existing.status, existing.updated_at = "active", self.now
                return reactivation_response(existing.tenant_id, f"{self.access_url_base}/{existing.tenant_id}")
            known = set(FeatureFlags.model_fields)
            flags = FeatureFlags(**{name: name in request.features for name in known})
            tenant = _Tenant(
                tenant_id=request.tenant_id,
                name=request.tenant_name,
                plan=request.plan,
                status="active",
                created_at=self.now,
                updated_at=self.now,
                contact_email=request.contact.email,
                config=TenantConfig(max_users=1000, max_storage_mb=10240, features=flags, limits=UsageLimits()),
                subscription=SubscriptionInfo(plan=request.plan, start_date=self.now.date().isoformat()),
                extra_features=[f for f in request.features if f not in known],
            )
            admin = self._new_user_id()
            tenant.users[admin] = _User(
                user_id=admin,
                email=request.contact.email,
                name=request.contact.name,
                role=UserRole.ADMIN,
                status=UserStatus.ACTIVE,
                created_at=self.now,
            )
            self._tenants[tenant.tenant_id] = tenant
        return ActivateResponse(
            success=True,
            tenant_id=tenant.tenant_id,
            access_url=f"{self.access_url_base}/{tenant.tenant_id}",
            message=f"Tenant '{tenant.name}' activated",
        )

    async def deactivate_tenant(self, tenant_id: str, request: DeactivateRequest) -> DeactivateResponse:
        with self._lock:
            tenant = self._tenant(tenant_id)
            tenant.status = "deactivated"
            tenant.updated_at = self.now
            if not request.preserve_data:
                tenant.users.clear()
                tenant.resources.clear()
        until = (self.now + timedelta(days=90)).date().isoformat() if request.preserve_data else None
        return DeactivateResponse(
            success=True,
            tenant_id=tenant_id,
            status="deactivated",
            data_preserved=request.preserve_data,
            data_retention_until=until,
        )

    async def get_tenant_status(self, tenant_id: str) -> StatusResponse:
        tenant = self._tenant(tenant_id)
        return StatusResponse(
            tenant_id=tenant.tenant_id,
            status=tenant.status,
            plan=tenant.plan,
            features=tenant.features,
            created_at=_iso(tenant.created_at),
            updated_at=_iso(tenant.updated_at),
        )

    async def get_tenant_usage(self, tenant_id: str, period: str) -> UsageResponse:
        tenant = self._tenant(tenant_id)
        try:
            year, month = (int(part) for part in period.split("-"))
            start = date(year, month, 1)
        except ValueError:
            raise InvalidRequestError(f"period must be a month in YYYY-MM format, got '{period}'") from None
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        rows = list(self._activity(tenant, start, end))
        return UsageResponse(
            tenant_id=tenant_id,
            period=period,
            usage=UsageData(
                active_users=len({user.user_id for user, _ in rows}),
                total_sessions=sum(a.sessions for _, a in rows),
                api_calls=sum(a.messages for _, a in rows),
                ai_tokens=sum(a.tokens for _, a in rows),
                storage_mb=tenant.storage_mb if start <= self.now.date() else 0,
            ),
        )

    # --- dashboard ---------------------------------------------------------------------------------------------

    async def get_tenant_stats(self, tenant_id: str, period: str) -> StatsResponse:
        tenant = self._tenant(tenant_id)
        start, end = self._window(period)
        rows = list(self._activity(tenant, start, end))
        per_day: dict[date, list[tuple[_User, _Activity]]] = defaultdict(list)
        for user, item in rows:
            per_day[item.day].append((user, item))
        daily = []
        day = end
        while day >= start:  # newest first, zero-filled
            entries = per_day.get(day, [])
            daily.append(
                DailyTrend(
                    date=day.isoformat(),
                    users=len({u.user_id for u, _ in entries}),
                    messages=sum(a.messages for _, a in entries),
                    tokens=sum(a.tokens for _, a in entries),
                )
            )
            day -= timedelta(days=1)
        summary = StatsSummary(
            total_users=len(tenant.users),
            active_users=len({u.user_id for u, _ in rows}),
            new_users_this_period=sum(1 for u in tenant.users.values() if u.created_at.date() >= start),
            total_sessions=sum(a.sessions for _, a in rows),
            total_messages=sum(a.messages for _, a in rows),
            total_tokens=sum(a.tokens for _, a in rows),
            estimated_cost_usd=round(sum(a.cost for _, a in rows), 2),
        )
        return StatsResponse(tenant_id=tenant_id, period=period, summary=summary, trends={"daily": daily})

    async def get_tenant_costs(self, tenant_id: str, period: str) -> CostsResponse:
        tenant = self._tenant(tenant_id)
        start, end = self._window(period)
        by_model: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
        by_user: dict[str, list[Any]] = {}
        by_day: dict[date, float] = defaultdict(float)
        total = 0.0
        for user, item in self._activity(tenant, start, end):
            row = by_model[item.model]
            row[0] += item.input_tokens
            row[1] += item.output_tokens
            row[2] += item.cost
            acc = by_user.setdefault(user.user_id, [user.name, 0.0, 0])
            acc[1] += item.cost
            acc[2] += item.tokens
            by_day[item.day] += item.cost
            total += item.cost
        top = sorted(by_user.items(), key=lambda kv: (-kv[1][1], kv[0]))[:10]
        return CostsResponse(
            tenant_id=tenant_id,
            period=period,
            total_cost_usd=round(total, 2),
            by_model=[
                ModelCost(model=m, input_tokens=r[0], output_tokens=r[1], cost_usd=round(r[2], 4))
                for m, r in sorted(by_model.items(), key=lambda kv: -kv[1][2])
            ],
            by_user_top10=[
                UserCost(user_id=uid, name=acc[0], cost_usd=round(acc[1], 4), tokens=acc[2]) for uid, acc in top
            ],
            daily_trend=[DailyCost(date=d.isoformat(), cost_usd=round(c, 4)) for d, c in sorted(by_day.items())],
        )

    async def get_top_users(self, tenant_id: str, period: str, limit: int) -> TopUsersResponse:
        tenant = self._tenant(tenant_id)
        start, end = self._window(period)
        totals: dict[str, dict[str, Any]] = {}
        for user, item in self._activity(tenant, start, end):
            acc = totals.setdefault(user.user_id, {"user": user, "sessions": 0, "messages": 0, "tokens": 0, "last": None})
            acc["sessions"] += item.sessions
            acc["messages"] += item.messages
            acc["tokens"] += item.tokens
            moment = datetime(item.day.year, item.day.month, item.day.day, item.hour, tzinfo=timezone.utc)
            acc["last"] = max(acc["last"] or moment, moment)
        ranked = sorted(totals.values(), key=lambda acc: (-acc["messages"], acc["user"].user_id))[:limit]
        return TopUsersResponse(
            tenant_id=tenant_id,
            period=period,
            users=[
                TopUser(
                    user_id=acc["user"].user_id,
                    name=acc["user"].name,
                    email=acc["user"].email,
                    sessions=acc["sessions"],
                    messages=acc["messages"],
                    tokens=acc["tokens"],
                    last_active=_iso(acc["last"]),
                )
                for acc in ranked
            ],
        )

    async def get_usage_patterns(self, tenant_id: str, period: str) -> UsagePatternsResponse:
        tenant = self._tenant(tenant_id)
        start, end = self._window(period)
        hours = [0] * 24
        weekdays = [0] * 7
        sessions = 0
        minutes = 0.0
        for _, item in self._activity(tenant, start, end):
            hours[item.hour] += item.messages
            weekdays[item.day.weekday()] += item.messages
            sessions += item.sessions
            minutes += item.minutes
        return UsagePatternsResponse(
            tenant_id=tenant_id,
            period=period,
            hourly_distribution=[HourlyCount(hour=h, count=c) for h, c in enumerate(hours)],
            weekday_distribution=[WeekdayCount(day=_WEEKDAYS[d], count=c) for d, c in enumerate(weekdays)],
            avg_session_length=round(minutes / sessions, 1) if sessions else 0.0,
        )

    # --- users -------------------------------------------------------------------------------------------------

    async def list_users(self, tenant_id: str, filters: UserFilters) -> UsersListResponse:
        tenant = self._tenant(tenant_id)
        needle = (filters.search or "").strip().lower()
        matching = [
            user
            for user in sorted(tenant.users.values(), key=lambda u: (len(u.user_id), u.user_id))
            if (filters.role is None or user.role == filters.role)
            and (filters.status is None or user.status == filters.status)
            and (not needle or needle in user.name.lower() or needle in user.email.lower())
        ]
        page = matching[filters.offset : filters.offset + filters.limit]
        return UsersListResponse(
            tenant_id=tenant_id,
            total=len(matching),
            limit=filters.limit,
            offset=filters.offset,
            users=[self._user_info(user) for user in page],
        )

    def _new_user_id(self) -> str:
        self._next_user += 1
        return f"user_{self._next_user}"

    async def create_user(self, tenant_id: str, request: CreateUserRequest) -> CreateUserResponse:
        email = request.email.strip()
        if "@" not in email.strip("@") or not request.name.strip():
            raise InvalidRequestError("email must be an e-mail address and name must not be empty")
        with self._lock:
            tenant = self._tenant(tenant_id)
            if any(u.email.lower() == email.lower() for u in tenant.users.values()):
                raise UserExistsError(email)
            if len(tenant.users) >= tenant.config.max_users:
                raise QuotaExceededError("users", tenant.config.max_users)
            user = _User(
                user_id=self._new_user_id(),
                email=email,
                name=request.name.strip(),
                role=request.role,
                status=UserStatus.ACTIVE,
                created_at=self.now,
            )
            tenant.users[user.user_id] = user
        return create_user_response(self._user_info(user), temporary_password=request.password is None)

    async def get_user(self, tenant_id: str, user_id: str) -> UserInfo:
        return self._user_info(self._user(self._tenant(tenant_id), user_id))

    async def update_user(self, tenant_id: str, user_id: str, request: UpdateUserRequest) -> UserInfo:
        with self._lock:
            user = self._user(self._tenant(tenant_id), user_id)
            if request.name is not None:
                if not request.name.strip():
                    raise InvalidRequestError("name must not be empty")
                user.name = request.name.strip()
            if request.role is not None:
                user.role = request.role
            if request.status is not None:
                user.status = request.status
            return self._user_info(user)

    async def delete_user(self, tenant_id: str, user_id: str) -> DeleteUserResponse:
        with self._lock:
            tenant = self._tenant(tenant_id)
            self._user(tenant, user_id)
            del tenant.users[user_id]
        return DeleteUserResponse(success=True, user_id=user_id, message="User deleted")

    # --- resources ---------------------------------------------------------------------------------------------

    async def list_resources(self, tenant_id: str, filters: ResourceFilters) -> ResourcesResponse:
        tenant = self._tenant(tenant_id)
        needle = (filters.search or "").strip().lower()
        matching = [
            item
            for item in tenant.resources
            if (filters.type is None or item.type == filters.type) and (not needle or needle in item.title.lower())
        ]
        return ResourcesResponse(
            tenant_id=tenant_id,
            resource_type=filters.type.value if filters.type else None,
            total=len(matching),
            items=matching[filters.offset : filters.offset + filters.limit],
        )

    # --- settings ----------------------------------------------------------------------------------------------

    async def get_settings(self, tenant_id: str) -> SettingsResponse:
        tenant = self._tenant(tenant_id)
        return SettingsResponse(tenant_id=tenant_id, config=tenant.config, subscription=tenant.subscription)

    async def update_settings(self, tenant_id: str, request: UpdateSettingsRequest) -> SettingsResponse:
        with self._lock:
            tenant = self._tenant(tenant_id)
            config = tenant.config
            # Partial update: only the fields the request sets change.
            features = config.features
            if request.features is not None:
                features = features.model_copy(update=request.features.model_dump(exclude_unset=True))
            limits = config.limits
            if request.limits is not None:
                limits = limits.model_copy(update=request.limits.model_dump(exclude_unset=True))
            branding = config.branding
            if request.branding is not None:
                if not features.custom_branding:
                    raise FeatureDisabledError("custom_branding")
                branding = (branding or Branding()).model_copy(update=request.branding.model_dump(exclude_unset=True))
            tenant.config = TenantConfig(
                max_users=limits.max_users,
                max_storage_mb=limits.max_storage_mb,
                features=features,
                limits=limits,
                branding=branding,
            )
            tenant.updated_at = self.now
        return await self.get_settings(tenant_id)

    # --- Service Market compatibility --------------------------------------------------------------------------

    def _summary(self, tenant: _Tenant) -> TenantSummary:
        active = sum(1 for u in tenant.users.values() if u.status is UserStatus.ACTIVE)
        return TenantSummary(
            tenant_id=tenant.tenant_id,
            university_name=tenant.name,
            email=tenant.contact_email,
            status=tenant.status,
            created_at=_iso(tenant.created_at),
            users_count=len(tenant.users),
            active_users=active,
        )

    async def list_tenants(self) -> list[TenantSummary]:
        return [self._summary(t) for t in self._tenants.values()]

    async def get_tenant_summary(self, tenant_id: str) -> TenantSummary:
        return self._summary(self._tenant(tenant_id))


def make_app(
    handler: Optional[StandardAPIHandler] = None,
    keys: Optional[Iterable[str]] = None,
    *,
    prefix: str = "/mt",
) -> FastAPI:
    """A FastAPI app serving ``handler`` (default: a fresh `InMemoryHandler`) on the standard router.

    With ``keys`` the app is protected by ``MarketAuthMiddleware`` (``/mt/health`` stays open) and also serves the
    Service Market aliases (``/api/tenant/...``, which always need a key); without, it has no authentication and
    no aliases (tests and local runs only). The handler is kept on ``app.state.handler``.
    """
    handler = handler if handler is not None else InMemoryHandler()
    app = FastAPI(title="Standard API v2 reference", version=handler.service_version or "0.0.0")
    app.include_router(create_standard_router(handler, prefix=prefix))
    app.add_api_route("/health", lambda: {"status": "healthy"}, methods=["GET"], include_in_schema=False)
    app.state.handler = handler
    if keys is not None:
        from shims.compat.service_market import create_service_market_router  # only needed with keys
        from shims.middleware.market_auth import MarketAuthMiddleware

        app.include_router(create_service_market_router(handler, api_keys=keys, public_url=handler.access_url_base))
        app.add_middleware(
            MarketAuthMiddleware,
            valid_keys=keys if isinstance(keys, str) else list(keys),  # a str is a comma-separated list
            exclude_paths=(f"{prefix}/health",),
            protect_prefixes=(f"{prefix}/",),
        )
    return app


def __getattr__(name: str) -> Any:
    # `migrator conform --app migrator.testing.reference:app` without building an app on every import; keyed (and
    # serving the Service Market aliases) when the environment names a market key, as a migrated service is.
    if name == "app":
        import os

        return make_app(keys=os.environ.get("MARKET_API_KEYS") or os.environ.get("MARKET_API_KEY") or None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
