"""Deterministic demo data for one deployment (Hanul University): users, conversations, messages.

    python -m mentor.seed [--data-dir DIR] [--now 2026-11-20T15:00:00]

Everything comes from `random.Random(2026)` and the clock, so the same clock gives the same database.
`reset()` rebuilds the configured database from scratch (parity calls it before each replay); the server calls
`ensure_seeded()` at start-up. `demo_credentials()` gives the seeded accounts' passwords and signed tokens to tests
and request lists; nothing here prints them.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import sys
import time as timer
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy import create_engine, insert

from mentor.core import clock
from mentor.core.config import settings
from mentor.core.security import create_access_token, hash_password
from mentor.db.models import Base, Conversation, Message, User

SEED = 2026
USERS = 260
DEPLOYMENT_AGE_DAYS = 300
HISTORY_DAYS = 120  # conversations cover the 120 days up to the clock
TURNS = 13_000  # question + answer pairs over HISTORY_DAYS (about)
SEED_PASSWORD_ITERATIONS = 1_000  # seeded hashes only; the service hashes new passwords with the full count
DOMAIN = "hanul.ac.kr"
ADMIN_IDS = (1, 4, 9)
# Demo tokens do not depend on the clock (tests, parity and a real-clock run all get the same ones).
DEMO_TOKEN_ISSUED = datetime(2026, 1, 1)
DEMO_TOKEN_LIFETIME = timedelta(days=3650)
FORGED_KEY = "not-the-deployment-secret-but-as-long-as-one"

SURNAMES = [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"),
            ("조", "cho"), ("윤", "yoon"), ("장", "jang"), ("임", "lim"), ("한", "han"), ("오", "oh"),
            ("서", "seo"), ("신", "shin"), ("권", "kwon"), ("황", "hwang")]
GIVEN_NAMES = [("민준", "minjun"), ("서연", "seoyeon"), ("지호", "jiho"), ("하은", "haeun"), ("도윤", "doyun"),
               ("서준", "seojun"), ("지우", "jiwoo"), ("수아", "sua"), ("예준", "yejun"), ("지민", "jimin"),
               ("채원", "chaewon"), ("현우", "hyunwoo"), ("유진", "yujin"), ("승민", "seungmin"), ("다은", "daeun"),
               ("준서", "junseo"), ("은지", "eunji"), ("태현", "taehyun"), ("소윤", "soyun"), ("민서", "minseo")]
TOPICS = ["미적분 극한 질문", "선형대수 고유값", "자료구조 과제 힌트", "통계 가설검정", "영어 에세이 첨삭",
          "물리 운동방정식", "기말고사 계획", "논문 요약", "파이썬 오류 해결", "경제학 수요곡선", "화학 평형",
          "발표 자료 구성", "알고리즘 복잡도", "취업 자기소개서", "회로이론 과제"]
# model: (weight in the last 60 days, weight before, prompt (low, mode, high), completion (low, mode, high))
MODELS: dict[str, tuple[float, float, tuple[int, int, int], tuple[int, int, int]]] = {
    "gpt-4o-mini": (0.55, 0.45, (200, 600, 2200), (80, 280, 900)),
    "gpt-4o": (0.20, 0.15, (300, 900, 3000), (120, 400, 1400)),
    "claude-3-5-haiku": (0.15, 0.10, (250, 700, 2400), (100, 320, 1000)),
    "claude-3-5-sonnet": (0.10, 0.05, (400, 1100, 3600), (150, 500, 1600)),
    "gpt-4-turbo": (0.0, 0.25, (400, 1200, 3500), (150, 450, 1400)),  # retired two months ago
}
HOUR_WEIGHTS = [1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.5, 1.2, 3.0, 5.5, 7.5, 7.5, 4.0, 6.0, 8.0, 8.0, 7.0, 5.5,
                4.0, 4.5, 5.5, 6.0, 4.5, 2.5]
WEEKDAY_FACTORS = [1.0, 1.1, 1.1, 1.0, 0.8, 0.4, 0.5]


@dataclass(frozen=True)
class DemoAccount:
    user_id: int
    username: str
    full_name: str
    is_admin: bool


ADMIN = DemoAccount(1, "admin", "멘토 관리자", True)
STUDENT = DemoAccount(2, "jiwoo.park", "박지우", False)


def demo_password(username: str) -> str:
    """The seeded password of an account: derived, never stored in clear."""
    return "Mentor-" + hashlib.sha256(f"mentor-seed-{SEED}:{username}:password".encode()).hexdigest()[:16]


def demo_token(account: DemoAccount) -> str:
    return create_access_token(account.user_id, account.username, account.is_admin,
                               issued_at=DEMO_TOKEN_ISSUED, expires_in=DEMO_TOKEN_LIFETIME)


def demo_credentials() -> dict[str, Any]:
    """The seeded admin and student (username, password, user_id, token), an expired and a forged token.

    Tests and request lists only; never log these."""
    creds: dict[str, Any] = {
        name: {"username": account.username, "password": demo_password(account.username),
               "user_id": account.user_id, "token": demo_token(account)}
        for name, account in (("admin", ADMIN), ("student", STUDENT))
    }
    creds["expired_token"] = create_access_token(ADMIN.user_id, ADMIN.username, True,
                                                 issued_at=datetime(2025, 1, 1), expires_in=timedelta(hours=1))
    # a token of the right shape for the admin, signed with another key
    creds["forged_token"] = jwt.encode({"sub": "1", "adm": True, "exp": 4102444800}, FORGED_KEY,
                                       algorithm=settings.JWT_ALGORITHM)
    return creds


def parity_credentials() -> dict[str, str]:
    """Flat, under the names parity request lists use."""
    creds = demo_credentials()
    return {
        "admin_token": creds["admin"]["token"],
        "admin_password": creds["admin"]["password"],
        "student_token": creds["student"]["token"],
        "student_password": creds["student"]["password"],
        "expired_token": creds["expired_token"],
        "forged_token": creds["forged_token"],
    }


# --- generation -----------------------------------------------------------------------------------------------


def _make_users(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    """Users in id order (= sign-up order), with an activity weight (0: signed up, never chats)."""
    start = now - timedelta(days=DEPLOYMENT_AGE_DAYS)
    recent = 6  # sign-ups of the last week
    span = (DEPLOYMENT_AGE_DAYS - 8) * 86400
    created = sorted(start + timedelta(seconds=int(rng.betavariate(1.1, 2.4) * span) + 7200)
                     for _ in range(USERS - 2 - recent))
    created += sorted(now - timedelta(seconds=rng.randint(3600, 6 * 86400)) for _ in range(recent))
    users = []
    for account, when in ((ADMIN, start), (STUDENT, start + timedelta(days=2, hours=3))):
        users.append({"username": account.username, "full_name": account.full_name, "is_admin": account.is_admin,
                      "created_at": when, "weight": 1.0 if account.is_admin else 3.0, "active": True})
    taken = {ADMIN.username, STUDENT.username}
    for when in created:
        (surname, surname_rom), (given, given_rom) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        username = f"{given_rom}.{surname_rom}"
        while username in taken:
            username = f"{given_rom}.{surname_rom}{rng.randint(1, 99)}"
        taken.add(username)
        users.append({"username": username, "full_name": surname + given, "is_admin": False, "created_at": when,
                      "active": rng.random() >= 0.05,
                      "weight": 0.0 if rng.random() < 0.15 else min(rng.paretovariate(1.3), 30.0)})
    for user_id in ADMIN_IDS[1:]:
        users[user_id - 1].update(is_admin=True, active=True)
    users[-1]["full_name"] = None  # someone who never filled in a name
    for index, user in enumerate(users):
        user["id"] = index + 1
        user["email"] = f"{user['username']}@{DOMAIN}"
        user["hashed_password"] = hash_password(demo_password(user["username"]), salt=f"{rng.getrandbits(64):016x}",
                                                iterations=SEED_PASSWORD_ITERATIONS)
    return users


def _pick_user(rng: random.Random, users: list[dict[str, Any]], at: datetime) -> dict[str, Any] | None:
    for _ in range(10):
        user = rng.choices(users, [u["weight"] for u in users])[0]
        if user["created_at"] <= at and user["active"]:
            return user
    return None


def _model_for(rng: random.Random, day_back: int) -> str:
    names = list(MODELS)
    weights = [MODELS[name][0] if day_back < 60 else MODELS[name][1] for name in names]
    return rng.choices(names, weights)[0]


def _make_activity(rng: random.Random, users: list[dict[str, Any]], now: datetime):
    """Conversations (user id, title, created, updated) and messages (conversation no, user id, role, model,
    prompt, completion, at)."""
    today = now.date()
    factors = [WEEKDAY_FACTORS[(today - timedelta(days=back)).weekday()] * (0.75 + 0.5 * (1 - back / HISTORY_DAYS))
               for back in range(HISTORY_DAYS)]
    per_conversation = 3.0  # mean turns
    base = TURNS / (per_conversation * sum(factors))
    conversations, messages = [], []
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        expected = base * factors[back]
        for _ in range(max(0, round(rng.gauss(expected, math.sqrt(expected))))):
            started = datetime.combine(day, time(rng.choices(range(24), HOUR_WEIGHTS)[0], rng.randrange(60),
                                                 rng.randrange(60)))
            user = _pick_user(rng, users, started)
            if user is None or started >= now:
                continue
            model = _model_for(rng, back)
            (p_lo, p_mode, p_hi), (c_lo, c_mode, c_hi) = MODELS[model][2], MODELS[model][3]
            at, turns = started, 1 + min(int(rng.expovariate(1 / (per_conversation - 1))), 20)
            number = len(conversations)
            for turn in range(turns):
                answered = at + timedelta(seconds=rng.randint(3, 40))
                if answered > now:
                    break
                context = turn * rng.randint(150, 400)
                messages.append((number, user["id"], "user", None, 0, 0, at))
                messages.append((number, user["id"], "assistant", model,
                                 int(rng.triangular(p_lo, p_hi, p_mode)) + context,
                                 int(rng.triangular(c_lo, c_hi, c_mode)), answered))
                at = answered + timedelta(seconds=rng.randint(30, 600))
            if messages and messages[-1][0] == number:
                conversations.append((user["id"], rng.choice(TOPICS), started, messages[-1][6]))
    messages.sort(key=lambda message: (message[6], message[0]))  # ids follow time, as in the live service
    return conversations, messages


def _last_logins(conversations) -> dict[int, datetime]:
    last: dict[int, datetime] = {}
    for user_id, _title, started, _updated in conversations:
        last[user_id] = max(started - timedelta(minutes=2), last.get(user_id, datetime.min))
    return last


def _write(path: Path, users, conversations, messages) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        Base.metadata.create_all(engine)
        last_login = _last_logins(conversations)
        with engine.begin() as conn:
            conn.execute(insert(User), [
                {key: u[key] for key in ("id", "username", "email", "full_name", "hashed_password", "is_admin",
                                         "created_at")}
                | {"is_active": u["active"], "last_login_at": last_login.get(u["id"])}
                for u in users
            ])
            conn.execute(insert(Conversation), [
                {"id": i + 1, "user_id": user_id, "title": title, "created_at": created, "updated_at": updated}
                for i, (user_id, title, created, updated) in enumerate(conversations)
            ])
            conn.execute(insert(Message), [
                {"conversation_id": number + 1, "user_id": user_id, "role": role, "model": model,
                 "prompt_tokens": prompt, "completion_tokens": completion, "created_at": at}
                for number, user_id, role, model, prompt, completion, at in messages
            ])
    finally:
        engine.dispose()


def seed(data_dir: Path | None = None, now: datetime | None = None) -> dict[str, int]:
    """Rebuild the database in `data_dir` (default: the configured one) at clock `now`; returns row counts."""
    data_dir = Path(data_dir) if data_dir is not None else settings.DATA_DIR
    now = (now or clock.utcnow()).replace(microsecond=0)
    rng = random.Random(SEED)
    users = _make_users(rng, now)
    conversations, messages = _make_activity(rng, users, now)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / "mentor.db.tmp"
    tmp.unlink(missing_ok=True)
    _write(tmp, users, conversations, messages)
    os.replace(tmp, data_dir / "mentor.db")  # a database on disk is always complete
    return {"users": len(users), "conversations": len(conversations), "messages": len(messages)}


def reset() -> None:
    """Rebuild the data at the configured location (MENTOR_DATA_DIR) and clock (MENTOR_NOW) from scratch."""
    seed()


def ensure_seeded() -> bool:
    if settings.DATABASE_PATH.exists():
        return False
    seed()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mentor.seed", description="Rebuild the mentor demo data.")
    parser.add_argument("--data-dir", type=Path, help="where to write (default: MENTOR_DATA_DIR or ./data)")
    parser.add_argument("--now", help="the clock, ISO 8601 (default: MENTOR_NOW or the real time)")
    args = parser.parse_args(argv)
    try:
        now = clock.parse_instant(args.now) if args.now else clock.utcnow()
    except clock.ClockError as exc:
        print(f"error: --now: {exc}" if args.now else f"error: {exc}", file=sys.stderr)
        return 2
    data_dir = (args.data_dir or settings.DATA_DIR).expanduser().resolve()
    if data_dir.exists() and not data_dir.is_dir():
        print(f"error: --data-dir: {data_dir} is not a directory", file=sys.stderr)
        return 2
    started = timer.perf_counter()
    try:
        counts = seed(data_dir, now)
    except OSError as exc:
        print(f"error: cannot write {data_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Seeded {data_dir / 'mentor.db'} at {now.isoformat()} in {timer.perf_counter() - started:.2f} s: "
          f"{counts['users']} users, {counts['conversations']} conversations, {counts['messages']} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
