"""Deterministic demo data: four university tenants with users, chat sessions, messages and documents.

    python -m advisor.seed [--data-dir DIR] [--now 2026-11-20T15:00:00]

Everything is derived from `random.Random(2026)` and the clock, so the same clock always gives the same files
(and the same dashboard numbers). `reset()` rebuilds the configured data directory from scratch (parity calls
it before each replay); the server calls `ensure_seeded()` at start-up. The admin tokens are derived, not
random, and are never printed: `demo_credentials()` hands them to tests and request lists.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import hashlib
import json
import logging
import math
import os
import random
import sqlite3
import sys
import time as timer
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Optional

from advisor import clock
from advisor.auth import hash_password, hash_token
from advisor.config import get_settings
from advisor.database import REGISTRY_SCHEMA, TENANT_SCHEMA
from advisor.tenant_manager import PLAN_FEATURES, make_tenant_id

logger = logging.getLogger(__name__)

SEED = 2026
HISTORY_DAYS = 90  # messages cover the 90 days up to the clock


@dataclass(frozen=True)
class TenantSpec:
    university_name: str
    application_id: int
    domain: str
    contact_email: str
    contact_name: str
    plan: str
    age_days: int  # the tenant was created this many days before the clock
    users: int
    messages: int  # the target number of messages over HISTORY_DAYS

    @property
    def tenant_id(self) -> str:
        return make_tenant_id(self.university_name, self.application_id)


TENANTS: tuple[TenantSpec, ...] = (
    TenantSpec("Seoul National University", 101, "snu.ac.kr", "ai-admin@snu.ac.kr", "김서울", "premium",
               age_days=212, users=184, messages=17000),
    TenantSpec("Hallym University", 102, "hallym.ac.kr", "edutech@hallym.ac.kr", "이한림", "standard",
               age_days=203, users=126, messages=11000),
    TenantSpec("Korea University", 103, "korea.ac.kr", "ai-center@korea.ac.kr", "박민국", "standard",
               age_days=196, users=142, messages=10000),
    TenantSpec("KAIST", 104, "kaist.ac.kr", "aitutor@kaist.ac.kr", "최과학", "demo",
               age_days=124, users=88, messages=6000),
)

SURNAMES = [
    ("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"), ("조", "cho"),
    ("윤", "yoon"), ("장", "jang"), ("임", "lim"), ("한", "han"), ("오", "oh"), ("서", "seo"), ("신", "shin"),
    ("권", "kwon"), ("황", "hwang"), ("송", "song"), ("류", "ryu"),
]
GIVEN_NAMES = [
    ("민준", "minjun"), ("서연", "seoyeon"), ("지호", "jiho"), ("하은", "haeun"), ("도윤", "doyun"),
    ("서준", "seojun"), ("지우", "jiwoo"), ("수아", "sua"), ("예준", "yejun"), ("지민", "jimin"),
    ("채원", "chaewon"), ("현우", "hyunwoo"), ("유진", "yujin"), ("승민", "seungmin"), ("다은", "daeun"),
    ("준서", "junseo"), ("은지", "eunji"), ("태현", "taehyun"), ("소윤", "soyun"), ("민서", "minseo"),
    ("건우", "gunwoo"), ("나연", "nayeon"), ("우진", "woojin"), ("예린", "yerin"), ("시우", "siwoo"),
]

# Model mix (weight) and token ranges: (input low, mode, high), (output low, mode, high).
MODELS: dict[str, tuple[float, tuple[int, int, int], tuple[int, int, int]]] = {
    "gpt-4o-mini": (0.42, (250, 700, 2000), (80, 300, 900)),
    "gpt-4o": (0.24, (400, 1100, 3000), (150, 450, 1400)),
    "gpt-3.5-turbo": (0.14, (200, 550, 1500), (60, 220, 600)),
    "claude-3-haiku": (0.12, (300, 800, 2200), (100, 350, 1000)),
    "gpt-4": (0.08, (500, 1300, 3500), (200, 500, 1500)),
}

# Messages by hour of day (office hours, a lunch dip, an evening study bump) and by weekday (Monday first).
HOUR_WEIGHTS = [1.0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.5, 3.5, 6.5, 8.5, 8.0, 4.5, 6.5, 8.5, 8.5, 7.5, 6.0,
                4.0, 4.0, 5.0, 5.0, 3.5, 2.0]
WEEKDAY_FACTORS = [1.0, 1.05, 1.1, 1.0, 0.85, 0.35, 0.3]

DOCUMENT_TITLES = [
    "미적분학 강의노트", "선형대수 과제 해설", "일반물리 실험 안내", "데이터구조 요약", "확률과 통계 기출",
    "프로그래밍 기초 실습", "경제학원론 읽기자료", "학사 규정 안내", "졸업 요건 FAQ", "수강신청 가이드",
    "연구윤리 교육자료", "인공지능 개론 슬라이드", "글쓰기 센터 가이드", "장학금 안내", "도서관 이용 안내",
]
VIDEO_TITLES = ["인공지능 개론", "미적분학", "일반화학", "교양 글쓰기", "컴퓨터 프로그래밍", "통계학 입문"]
CRAWL_PATHS = ["/academics/notice", "/scholarship", "/library/guide", "/campus-life", "/graduate/admission",
               "/international", "/career", "/it-service", "/dormitory"]


def admin_token(tenant_id: str) -> str:
    """The seeded admin token of a tenant: opaque, derived from the seed (never stored in clear)."""
    digest = hashlib.sha256(f"advisor-seed-{SEED}:{tenant_id}:admin-token".encode()).digest()
    return "adv_" + base64.urlsafe_b64encode(digest[:30]).decode().rstrip("=")


def demo_credentials() -> dict[str, Any]:
    """{tenant_id: {"admin_token", "admin_user_id"}} plus "marketplace_key" and "api_key" (tests only)."""
    settings = get_settings()
    credentials: dict[str, Any] = {
        spec.tenant_id: {"admin_token": admin_token(spec.tenant_id), "admin_user_id": 1} for spec in TENANTS
    }
    credentials["marketplace_key"] = settings.marketplace_key
    credentials["api_key"] = settings.api_key
    return credentials


def parity_credentials() -> dict[str, str]:
    """The same values, flat, under the names parity request lists use: admin_<tenant_id>, api_key, marketplace_key."""
    credentials = demo_credentials()
    flat = {f"admin_{key}": value["admin_token"] for key, value in credentials.items() if isinstance(value, dict)}
    flat.update({key: value for key, value in credentials.items() if isinstance(value, str)})
    return flat


# --- generation -----------------------------------------------------------------------------------------------


def _ts(value: datetime) -> str:
    return clock.isoformat(value)


def _make_users(rng: random.Random, spec: TenantSpec, now: datetime) -> list[dict[str, Any]]:
    """Users in id order (= creation order); user 1 is the applicant who registered the tenant."""
    tenant_start = now - timedelta(days=spec.age_days)
    recent = rng.randint(4, 8)  # sign-ups of the last week
    created = [
        tenant_start + timedelta(seconds=rng.betavariate(1.2, 2.2) * (spec.age_days - 8) * 86400 + 3600)
        for _ in range(spec.users - 1 - recent)
    ]
    created += [now - timedelta(seconds=rng.randint(3600, 6 * 86400)) for _ in range(recent)]
    created.sort()

    contact_username = spec.contact_email.split("@")[0].replace("-", "_")
    users = [{
        "username": contact_username, "display_name": spec.contact_name, "email": spec.contact_email,
        "role": "admin", "created_at": tenant_start, "weight": 0.6, "active": True,
    }]
    taken = {contact_username}
    for when in created:
        surname, surname_rom = rng.choice(SURNAMES)
        given, given_rom = rng.choice(GIVEN_NAMES)
        username = f"{given_rom}.{surname_rom}"
        while username in taken:
            username = f"{given_rom}.{surname_rom}{rng.randint(1, 99)}"
        taken.add(username)
        dormant = rng.random() < 0.15  # registered, hardly ever uses the tutor
        users.append({
            "username": username, "display_name": surname + given, "email": f"{username}@{spec.domain}",
            "role": "user", "created_at": when, "active": True,
            "weight": 0.0 if dormant else min(rng.paretovariate(1.4), 25.0),
        })
    for index in rng.sample(range(1, min(len(users), 20)), 2):  # two more admins among the early users
        users[index]["role"] = "admin"
    for user in users[1:]:
        if user["role"] == "user" and rng.random() < 0.06:
            # Suspended some time ago: history before that, nothing after.
            user["active"] = False
            user["suspended_at"] = user["created_at"] + (now - user["created_at"]) * rng.uniform(0.2, 0.8)
    for user in users:
        user["password_hash"] = hash_password(f"{rng.getrandbits(96):024x}", salt=f"{rng.getrandbits(64):016x}")
    return users


def _pick_user(rng: random.Random, users: list[dict[str, Any]], created: list[datetime],
               cumulative: list[float], start: datetime) -> Optional[int]:
    """Index of a user (weighted) who existed, and was not suspended, at `start`."""
    eligible = bisect.bisect_right(created, start)
    if eligible == 0 or cumulative[eligible - 1] <= 0:
        return None
    for _ in range(8):
        index = bisect.bisect_right(cumulative, rng.random() * cumulative[eligible - 1])
        index = min(index, eligible - 1)
        suspended_at = users[index].get("suspended_at")
        if users[index]["weight"] > 0 and (suspended_at is None or start < suspended_at):
            return index
    return None


def _make_activity(rng: random.Random, spec: TenantSpec, users: list[dict[str, Any]], now: datetime):
    """Sessions (user index, start, end) and messages (session no, user index, model, in, out, time)."""
    created = [user["created_at"] for user in users]
    cumulative = []
    running = 0.0
    for user in users:
        running += user["weight"]
        cumulative.append(running)
    models = list(MODELS)
    model_weights = [MODELS[name][0] for name in models]
    today = now.date()
    growth = [0.8 + 0.4 * (1 - back / (HISTORY_DAYS - 1)) for back in range(HISTORY_DAYS)]
    day_factor = [WEEKDAY_FACTORS[(today - timedelta(days=back)).weekday()] * growth[back]
                  for back in range(HISTORY_DAYS)]
    per_session = 6.0  # mean messages per session, see n_messages below
    base = spec.messages / (per_session * sum(day_factor))

    sessions: list[tuple[int, datetime, Optional[datetime]]] = []
    messages: list[tuple[int, int, str, int, int, datetime]] = []
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        expected = base * day_factor[back]
        count = max(0, round(rng.gauss(expected, math.sqrt(expected))))
        starts = sorted(
            datetime.combine(day, time(rng.choices(range(24), HOUR_WEIGHTS)[0], rng.randrange(60), rng.randrange(60)))
            for _ in range(count)
        )
        for start in starts:
            if start >= now:
                continue
            user = _pick_user(rng, users, created, cumulative, start)
            if user is None:
                continue
            model = rng.choices(models, model_weights)[0]
            (in_lo, in_mode, in_hi), (out_lo, out_mode, out_hi) = MODELS[model][1], MODELS[model][2]
            n_messages = 1 + min(int(rng.expovariate(1 / (per_session - 1))), 30)
            at = start + timedelta(seconds=rng.randint(5, 60))
            session_messages = []
            for position in range(n_messages):
                if at > now:
                    break
                context = position * rng.randint(80, 220)  # the conversation so far is sent again
                session_messages.append((
                    len(sessions), user, model,
                    int(rng.triangular(in_lo, in_hi, in_mode)) + context,
                    int(rng.triangular(out_lo, out_hi, out_mode)),
                    at,
                ))
                at += timedelta(seconds=rng.randint(20, 300))
            if not session_messages:
                continue
            ended = session_messages[-1][5] + timedelta(seconds=rng.randint(30, 240))
            sessions.append((user, start, ended if ended <= now else None))  # None: still open
            messages.extend(session_messages)
    messages.sort(key=lambda message: (message[5], message[0]))
    return sessions, messages


def _write_tenant(path: Path, rng: random.Random, spec: TenantSpec, now: datetime) -> dict[str, int]:
    users = _make_users(rng, spec, now)
    sessions, messages = _make_activity(rng, spec, users, now)
    last_login: dict[int, datetime] = {}
    for user, start, _ended in sessions:
        last_login[user] = max(start, last_login.get(user, start))

    conn = sqlite3.connect(path)
    try:
        conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + TENANT_SCHEMA)
        conn.executemany(
            "INSERT INTO users (id, username, display_name, email, password_hash, role, is_active, created_at,"
            " last_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i + 1, u["username"], u["display_name"], u["email"], u["password_hash"], u["role"],
                 int(u["active"]), _ts(u["created_at"]), _ts(last_login[i]) if i in last_login else None)
                for i, u in enumerate(users)
            ],
        )
        conn.executemany(
            "INSERT INTO sessions (id, user_id, started_at, ended_at) VALUES (?, ?, ?, ?)",
            [(i + 1, user + 1, _ts(start), _ts(ended) if ended else None)
             for i, (user, start, ended) in enumerate(sessions)],
        )
        conn.executemany(
            "INSERT INTO messages (session_id, user_id, model, input_tokens, output_tokens, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(s + 1, u + 1, model, tin, tout, _ts(at)) for s, u, model, tin, tout, at in messages],
        )
        _write_library(conn, rng, spec, users, now)
        conn.commit()
    finally:
        conn.close()
    return {"users": len(users), "sessions": len(sessions), "messages": len(messages)}


def _write_library(conn: sqlite3.Connection, rng: random.Random, spec: TenantSpec,
                   users: list[dict[str, Any]], now: datetime) -> None:
    """Documents, lecture videos and crawled sites (for /admin/data/stats)."""
    admins = [i + 1 for i, user in enumerate(users) if user["role"] == "admin"]
    tenant_start = now - timedelta(days=spec.age_days)

    def some_time() -> str:
        return _ts(tenant_start + (now - tenant_start) * rng.random())

    documents = []
    for number in range(1, rng.randint(25, 60) + 1):
        title = f"{rng.choice(DOCUMENT_TITLES)} {number}"
        documents.append((title, f"doc_{number:03d}.pdf", rng.randint(150_000, 25_000_000),
                          int(rng.random() < 0.88), rng.choice(admins), some_time()))
    conn.executemany(
        "INSERT INTO documents (title, filename, size_bytes, is_indexed, uploaded_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", documents,
    )
    videos = []
    for number in range(1, rng.randint(6, 20) + 1):
        duration = rng.randint(600, 5400)
        videos.append((f"{rng.choice(VIDEO_TITLES)} {number}강", duration, duration * rng.randint(90_000, 260_000),
                       int(rng.random() < 0.75), some_time()))
    conn.executemany(
        "INSERT INTO videos (title, duration_seconds, size_bytes, is_transcribed, created_at) VALUES (?, ?, ?, ?, ?)",
        videos,
    )
    sites = [(f"https://www.{spec.domain}{path}", int(rng.random() < 0.8), rng.randint(5, 400), some_time(),
              some_time()) for path in rng.sample(CRAWL_PATHS, rng.randint(3, 8))]
    conn.executemany(
        "INSERT INTO crawl_sites (url, is_active, pages_count, last_crawled_at, created_at) VALUES (?, ?, ?, ?, ?)",
        sites,
    )


def _remove_data(data_dir: Path) -> None:
    """Delete the files this module creates, and nothing else (the directory may hold other things)."""
    for name in ("tenants.db", "tenants.db-journal", "tenants.db.tmp"):
        (data_dir / name).unlink(missing_ok=True)
    tenants_dir = data_dir / "tenants"
    if tenants_dir.is_dir():
        for path in tenants_dir.glob("*.db*"):
            path.unlink()


def seed(data_dir: Optional[Path] = None, now: Optional[datetime] = None) -> list[dict[str, Any]]:
    """Rebuild the demo data in `data_dir` (default: the configured one) at clock `now`.

    Returns one summary per tenant: tenant_id, users, sessions, messages.
    """
    data_dir = Path(data_dir) if data_dir is not None else get_settings().data_dir
    now = (now or clock.now()).replace(microsecond=0)
    rng = random.Random(SEED)
    _remove_data(data_dir)
    (data_dir / "tenants").mkdir(parents=True, exist_ok=True)

    summaries = []
    for spec in TENANTS:
        counts = _write_tenant(data_dir / "tenants" / f"{spec.tenant_id}.db", rng, spec, now)
        summaries.append({"tenant_id": spec.tenant_id, **counts})

    # The registry last, and atomically: a registry on disk means the tenants are complete.
    tmp = data_dir / "tenants.db.tmp"
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(REGISTRY_SCHEMA)
        for spec in TENANTS:
            created = _ts(now - timedelta(days=spec.age_days))
            conn.execute(
                "INSERT INTO tenants (tenant_id, university_name, email, plan, features, status, created_at,"
                " updated_at, application_id) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
                (spec.tenant_id, spec.university_name, spec.contact_email, spec.plan,
                 json.dumps(PLAN_FEATURES[spec.plan]), created, created, spec.application_id),
            )
            conn.execute(
                "INSERT INTO admin_tokens (token_hash, tenant_id, user_id) VALUES (?, ?, 1)",
                (hash_token(admin_token(spec.tenant_id)), spec.tenant_id),
            )
        conn.commit()
    finally:
        conn.close()
    os.replace(tmp, data_dir / "tenants.db")
    return summaries


def reset() -> None:
    """Rebuild the data at the configured location (ADVISOR_DATA_DIR) and clock (ADVISOR_NOW) from scratch."""
    seed()


def ensure_seeded() -> bool:
    """Seed when the configured data directory has no registry yet; True when it seeded."""
    if get_settings().registry_path.exists():
        return False
    seed()
    return True


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m advisor.seed", description="Rebuild the advisor demo data.")
    parser.add_argument("--data-dir", type=Path, help="where to write (default: ADVISOR_DATA_DIR or ./data)")
    parser.add_argument("--now", help="the clock, ISO 8601 (default: ADVISOR_NOW or the real time)")
    args = parser.parse_args(argv)
    try:
        now = clock.parse_instant(args.now) if args.now else clock.now()
    except clock.ClockError as exc:
        print(f"error: --now: {exc}" if args.now else f"error: {exc}", file=sys.stderr)
        return 2
    data_dir = (args.data_dir or get_settings().data_dir).expanduser().resolve()
    if data_dir.exists() and not data_dir.is_dir():
        print(f"error: --data-dir: {data_dir} is not a directory", file=sys.stderr)
        return 2
    started = timer.perf_counter()
    try:
        summaries = seed(data_dir, now)
    except OSError as exc:
        print(f"error: cannot write {data_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    elapsed = timer.perf_counter() - started
    print(f"Seeded {len(summaries)} tenants into {data_dir} at {clock.isoformat(now)} ({elapsed:.2f} s)")
    for summary in summaries:
        print(f"  {summary['tenant_id']:<32} {summary['users']:>4} users {summary['sessions']:>6} sessions"
              f" {summary['messages']:>7} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
