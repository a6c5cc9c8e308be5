"""Deterministic demo data: 3 tenants, their users and 90 days of chatbot traffic before the clock.

``python -m llm_chatbot.seed [--db PATH]`` rebuilds the database; ``reset()`` does the same at the
configured location (the parity runner calls it before each replay); ``demo_credentials()`` gives the
admin tokens for tests and request lists. Everything derives from ``random.Random(2026)`` and the
clock (``LLM_CHATBOT_NOW``), so the same clock always gives byte-for-byte the same rows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

from .core.clock import ClockError, iso, utcnow
from .core.settings import get_settings
from .db import create_schema
from .security import hash_password, hash_token
from .services.tenant_manager import initial_settings, insert_tenant, tenant_id_for

SEED = 2026
DAYS = 90
# Seeded passwords are never used to sign in; a low work factor keeps seeding well under a second.
SEED_PASSWORD_ITERATIONS = 1_000


@dataclass(frozen=True)
class TenantSeed:
    university_name: str
    application_id: int
    admin_email: str
    domain: str
    plan: str
    features: tuple[str, ...]
    users: int
    admins: int
    new_users: int
    inactive: int
    messages: int
    age_days: int  # how long before the clock the tenant was created
    models: dict[str, float]
    branding: dict | None = None

    @property
    def tenant_id(self) -> str:
        return tenant_id_for(self.university_name, self.application_id)


TENANTS = (
    TenantSeed(
        "Yonsei University", 201, "chatbot-admin@yonsei.ac.kr", "yonsei.ac.kr", "premium",
        ("chat", "rag", "quiz", "custom_branding"), users=140, admins=3, new_users=7, inactive=8,
        messages=14_000, age_days=420,
        models={"gpt-4o-mini": 0.46, "gpt-4o": 0.22, "claude-3-5-sonnet": 0.14, "claude-3-5-haiku": 0.18},
        branding={"logo_url": "https://www.yonsei.ac.kr/_res/yonsei/img/logo.png", "primary_color": "#003876"},
    ),
    TenantSeed(
        "POSTECH", 202, "ai-admin@postech.ac.kr", "postech.ac.kr", "standard",
        ("chat", "rag", "api_integration"), users=72, admins=2, new_users=4, inactive=4,
        messages=7_000, age_days=300,
        models={"gpt-4o-mini": 0.40, "gpt-4o": 0.35, "claude-3-5-sonnet": 0.25},
    ),
    TenantSeed(
        "Pusan National University", 203, "llm-admin@pusan.ac.kr", "pusan.ac.kr", "standard",
        ("chat", "rag"), users=105, admins=3, new_users=6, inactive=6,
        messages=9_500, age_days=200,
        models={"gpt-4o-mini": 0.55, "solar-pro": 0.30, "claude-3-5-haiku": 0.15},
    ),
)

FAMILY = [("kim", "김"), ("lee", "이"), ("park", "박"), ("choi", "최"), ("jung", "정"), ("kang", "강"),
          ("cho", "조"), ("yoon", "윤"), ("jang", "장"), ("lim", "임"), ("han", "한"), ("oh", "오"),
          ("seo", "서"), ("shin", "신"), ("kwon", "권"), ("hwang", "황"), ("ahn", "안"), ("song", "송"),
          ("yoo", "유"), ("hong", "홍")]
GIVEN = [("minjun", "민준"), ("seoyeon", "서연"), ("jiho", "지호"), ("jiwoo", "지우"), ("haeun", "하은"),
         ("dohyun", "도현"), ("seojun", "서준"), ("yejin", "예진"), ("eunwoo", "은우"), ("subin", "수빈"),
         ("jimin", "지민"), ("hyunwoo", "현우"), ("chaewon", "채원"), ("junseo", "준서"), ("sooah", "수아"),
         ("taeyang", "태양"), ("yuna", "유나"), ("sihyun", "시현"), ("minseo", "민서"), ("geonwoo", "건우"),
         ("dahye", "다혜"), ("jaewon", "재원"), ("nayeon", "나연"), ("seungmin", "승민")]
# Message volume by hour of day (the campus is busiest in the afternoon and late evening)…
HOUR_WEIGHTS = [3, 1.5, 0.8, 0.4, 0.3, 0.4, 0.8, 1.5, 3, 5.5, 7, 7.5, 5, 6.5, 8, 8, 7.5, 6, 4.5, 5, 6, 6.5, 6, 4.5]
# …and by weekday, Monday first (datetime.weekday()).
WEEKDAY_WEIGHTS = [1.0, 1.05, 1.0, 0.95, 0.8, 0.45, 0.55]


def admin_token(tenant_id: str, user_id: int) -> str:
    """Opaque, random-looking and reproducible: the demo token of a seeded admin."""
    return "lcb_" + hashlib.sha256(f"llm-chatbot seed {SEED}|{tenant_id}|{user_id}".encode()).hexdigest()[:40]


def _primary_admin_ids() -> dict[str, int]:
    """Users get consecutive ids tenant by tenant, and each tenant's first user is its primary admin."""
    ids, next_id = {}, 1
    for spec in TENANTS:
        ids[spec.tenant_id] = next_id
        next_id += spec.users
    return ids


def demo_credentials() -> dict:
    """``{tenant_id: {"admin_token", "admin_user_id"}, ..., "service_token": ...}`` — for tests only; never log."""
    creds: dict = {
        tenant_id: {"admin_token": admin_token(tenant_id, user_id), "admin_user_id": user_id}
        for tenant_id, user_id in _primary_admin_ids().items()
    }
    creds["service_token"] = get_settings().service_token
    return creds


def parity_credentials() -> dict[str, str]:
    """The same values, flat, under the names the parity request list uses: admin_<tenant_id>, service_token."""
    credentials = demo_credentials()
    flat = {f"admin_{key}": value["admin_token"] for key, value in credentials.items() if isinstance(value, dict)}
    flat.update({key: value for key, value in credentials.items() if isinstance(value, str)})
    return flat


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randint(0, max(0, int((end - start).total_seconds()) - 1)))


def _people(rng: random.Random, spec: TenantSeed, now: datetime, next_id: int) -> list[dict]:
    created = now - timedelta(days=spec.age_days)
    week_start = _midnight(now) - timedelta(days=6)
    taken: set[str] = set()
    people = []
    for index in range(spec.users):
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        if index == 0:
            username, display = "chatbot_admin", f"{spec.university_name} 챗봇 관리자"
        elif rng.random() < 0.3:  # student-number accounts from the LMS import
            username, display = f"s{rng.randint(2019, 2026)}{rng.randint(1000, 9999)}", family[1] + given[1]
        else:
            username, display = f"{given[0]}.{family[0]}", family[1] + given[1]
        base, suffix = username, 1
        while username in taken:
            suffix += 1
            username = f"{base}{suffix}"
        taken.add(username)

        if index < spec.admins:
            joined = _between(rng, created, created + timedelta(days=3))
        elif index >= spec.users - spec.new_users:
            joined = _between(rng, week_start, now)
        else:
            joined = _between(rng, created + timedelta(days=3), week_start - timedelta(days=1))
        people.append({
            "id": next_id + index,
            "username": username,
            "display_name": display,
            "email": spec.admin_email if index == 0 else f"{username}@{spec.domain}",
            "password_hash": hash_password(f"seed-{rng.getrandbits(64):x}", salt=f"{rng.getrandbits(64):016x}",
                                           iterations=SEED_PASSWORD_ITERATIONS),
            "role": "admin" if index < spec.admins else "user",
            "is_active": 1,
            "created_at": joined,
            "active_until": now,
            # A few heavy users, a long tail, and about one in twelve who never chat.
            "weight": 0.0 if index >= spec.admins and rng.random() < 0.08 else min(rng.paretovariate(1.6), 25.0),
        })
    # Suspended accounts: long-standing users who stopped using the service a month or more ago.
    veterans = [p for p in people[spec.admins:] if p["created_at"] < now - timedelta(days=100)]
    for person in rng.sample(veterans, spec.inactive):
        person["is_active"] = 0
        person["active_until"] = _between(rng, now - timedelta(days=80), now - timedelta(days=35))
    return people


def _traffic(rng: random.Random, spec: TenantSeed, people: list[dict], now: datetime, ids: dict) -> tuple:
    today = _midnight(now)
    day_offsets = list(range(DAYS))
    day_cum = list(accumulate(
        WEEKDAY_WEIGHTS[(today - timedelta(days=d)).weekday()] * (0.75 + 0.5 * (DAYS - 1 - d) / (DAYS - 1))
        for d in day_offsets
    ))
    hour_cum = list(accumulate(HOUR_WEIGHTS))
    user_cum = list(accumulate(p["weight"] for p in people))
    models, model_cum = list(spec.models), list(accumulate(spec.models.values()))
    horizon = today - timedelta(days=DAYS - 1)

    conversations, messages = [], []
    while len(messages) < spec.messages:
        person = rng.choices(people, cum_weights=user_cum)[0]
        window_start = max(person["created_at"], horizon)
        for _ in range(8):  # rejection sampling into the person's active window
            day = today - timedelta(days=rng.choices(day_offsets, cum_weights=day_cum)[0])
            hour = rng.choices(range(24), cum_weights=hour_cum)[0]
            start = day + timedelta(hours=hour, seconds=rng.randint(0, 3599))
            turns = min(1 + int(rng.expovariate(1 / 4.5)), 40)
            # Seconds from the start: the first question after 5-60 s, then a reply-and-ask every 25-300 s.
            offsets = list(accumulate([rng.randint(5, 60)] + [rng.randint(25, 300) for _ in range(turns - 1)]))
            end = start + timedelta(seconds=offsets[-1] + rng.randint(20, 180))
            if window_start <= start and end < person["active_until"]:
                break
        else:
            continue
        conversation_id = ids["conversation"]
        ids["conversation"] += 1
        conversations.append((conversation_id, spec.tenant_id, person["id"], iso(start), iso(end)))
        model = rng.choices(models, cum_weights=model_cum)[0]
        for turn, offset in enumerate(offsets):
            messages.append((
                ids["message"], spec.tenant_id, conversation_id, person["id"], model,
                120 + 160 * turn + rng.randint(10, 600), min(int(rng.lognormvariate(5.5, 0.6)), 4000),
                iso(start + timedelta(seconds=offset)),
            ))
            ids["message"] += 1
        person["last_start"] = start
    return conversations, messages


def _last_login(rng: random.Random, person: dict, now: datetime) -> str | None:
    if "last_start" in person:
        return iso(max(person["created_at"], person["last_start"] - timedelta(minutes=rng.randint(0, 90))))
    if rng.random() < 0.5:
        return None  # invited, never signed in
    return iso(_between(rng, person["created_at"], min(person["active_until"], now)))


def build(path: Path | str, now: datetime | None = None) -> dict:
    """Write a fresh database at ``path`` (atomically: readers never see a half-built file)."""
    started = time.perf_counter()
    now = now or utcnow()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    fd, tmp_name = tempfile.mkstemp(prefix=".seed-", suffix=".db", dir=path.parent)
    os.close(fd)
    summary = {"tenants": 0, "users": 0, "conversations": 0, "messages": 0}
    try:
        conn = sqlite3.connect(tmp_name)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            create_schema(conn)
            ids = {"user": 1, "conversation": 1, "message": 1}
            primary = _primary_admin_ids()
            for spec in TENANTS:
                created = now - timedelta(days=spec.age_days)
                settings = initial_settings(spec.plan, now - timedelta(days=spec.age_days % 365), spec.branding)
                insert_tenant(conn, tenant_id=spec.tenant_id, university_name=spec.university_name,
                              admin_email=spec.admin_email, plan=spec.plan, features=list(spec.features),
                              settings=settings, created_at=created, application_id=spec.application_id)
                people = _people(rng, spec, now, ids["user"])
                assert people[0]["id"] == primary[spec.tenant_id]
                ids["user"] += len(people)
                conversations, messages = _traffic(rng, spec, people, now, ids)
                conn.executemany(
                    "INSERT INTO users (id, tenant_id, username, display_name, email, password_hash, role,"
                    " is_active, created_at, last_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(p["id"], spec.tenant_id, p["username"], p["display_name"], p["email"], p["password_hash"],
                      p["role"], p["is_active"], iso(p["created_at"]), _last_login(rng, p, now)) for p in people],
                )
                conn.executemany(
                    "INSERT INTO api_tokens (token_hash, tenant_id, user_id) VALUES (?, ?, ?)",
                    [(hash_token(admin_token(spec.tenant_id, p["id"])), spec.tenant_id, p["id"])
                     for p in people if p["role"] == "admin"],
                )
                conn.executemany("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", conversations)
                conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", messages)
                summary["tenants"] += 1
                summary["users"] += len(people)
                summary["conversations"] += len(conversations)
                summary["messages"] += len(messages)
            conn.commit()
        finally:
            conn.close()
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; the service may run as another user
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def reset() -> None:
    """Rebuild the data at the configured location (``LLM_CHATBOT_DB``) from scratch."""
    build(get_settings().db_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_chatbot.seed", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database file to write (default: LLM_CHATBOT_DB or data/chatbot.db)")
    args = parser.parse_args(argv)
    path = args.db or get_settings().db_path
    try:
        summary = build(path)
    except ClockError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(
        f"seeded {path}: {summary['tenants']} tenants, {summary['users']} users, "
        f"{summary['conversations']} conversations, {summary['messages']} messages in {summary['seconds']}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
