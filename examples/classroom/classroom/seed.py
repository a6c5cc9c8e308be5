"""Deterministic demo data: four schools (one deactivated), their members, courses and 90 days of questions.

    python -m classroom.seed [--data-dir DIR] [--now 2026-11-20T15:00:00]

Everything comes from `random.Random(2026)` and the clock, so the same clock gives the same database. `reset()`
rebuilds the configured database from scratch (parity calls it before each replay); the app calls
`ensure_seeded()` at start-up. School keys are derived, stored hashed, and handed out by `demo_credentials()` only.
"""

from __future__ import annotations

import argparse
import base64
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

from sqlalchemy import insert
from sqlmodel import create_engine

from classroom import clock
from classroom.config import get_settings
from classroom.enums import Plan, Role, TenantStatus, UserStatus
from classroom.models import Course, Enrollment, Question, TableBase, Tenant, User
from classroom.security import hash_key

SEED = 2026
HISTORY_DAYS = 90


@dataclass(frozen=True)
class SchoolSpec:
    id: int
    name: str
    slug: str
    domain: str
    plan: Plan
    seats: int
    users: int
    admins: int
    teachers: int
    courses: int
    questions: int  # about, over HISTORY_DAYS
    age_days: int
    grades: tuple[int, int] | None
    models: dict[str, float]
    deactivated_days_ago: int | None = None


SCHOOLS = (
    SchoolSpec(1, "Hanbit High School", "hanbit-high", "hanbit.hs.kr", Plan.premium, 400, 236, 2, 18, 24, 14000,
               400, (10, 12), {"gpt-4o-mini": 0.5, "gpt-4o": 0.3, "gemini-1.5-flash": 0.2}),
    SchoolSpec(2, "Saebom Middle School", "saebom-middle", "saebom.ms.kr", Plan.standard, 150, 128, 1, 10, 14, 7000,
               250, (7, 9), {"gpt-4o-mini": 0.6, "gpt-4o": 0.1, "gemini-1.5-flash": 0.3}),
    SchoolSpec(3, "Daehan Coding Academy", "daehan-coding", "daehan-coding.kr", Plan.basic, 64, 60, 1, 4, 8, 3500,
               120, None, {"gpt-4o-mini": 0.8, "gemini-1.5-flash": 0.2}),
    SchoolSpec(4, "Old Pine Elementary", "old-pine", "oldpine.es.kr", Plan.basic, 40, 25, 1, 3, 5, 1200,
               300, (4, 6), {"gpt-4o-mini": 1.0}, deactivated_days_ago=30),
)
SURNAMES = [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"),
            ("조", "cho"), ("윤", "yoon"), ("장", "jang"), ("임", "lim"), ("한", "han"), ("오", "oh")]
GIVEN_NAMES = [("하준", "hajun"), ("서윤", "seoyun"), ("도현", "dohyun"), ("지안", "jian"), ("시우", "siwoo"),
               ("하린", "harin"), ("은우", "eunwoo"), ("지유", "jiyu"), ("선우", "sunwoo"), ("수빈", "subin"),
               ("연우", "yeonwoo"), ("예린", "yerin"), ("유준", "yujun"), ("아린", "arin"), ("정우", "jungwoo")]
SUBJECTS = {"수학": ["수학 I", "미적분", "확률과 통계", "기하"], "과학": ["물리학", "화학", "생명과학", "지구과학"],
            "영어": ["영어 독해", "영어 회화", "영작문"], "국어": ["문학", "독서와 작문"],
            "정보": ["파이썬 기초", "알고리즘", "웹 개발", "데이터 분석"], "사회": ["한국사", "세계지리", "경제"]}
HOUR_WEIGHTS = [0.3, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 1.0, 2.5, 4.0, 5.0, 5.0, 3.0, 4.5, 5.5, 6.0, 6.5, 6.0,
                4.0, 5.0, 6.5, 7.0, 5.0, 1.5]
WEEKDAY_FACTORS = [1.0, 1.05, 1.1, 1.0, 0.9, 0.45, 0.55]
TOKENS = {"gpt-4o-mini": ((120, 450, 1800), (60, 260, 900)), "gpt-4o": ((150, 600, 2400), (80, 350, 1200)),
          "gemini-1.5-flash": ((100, 400, 1600), (50, 240, 800))}


def school_key(slug: str) -> str:
    digest = hashlib.sha256(f"classroom-seed-{SEED}:{slug}:api-key".encode()).digest()
    return "ck_" + base64.urlsafe_b64encode(digest[:24]).decode()


def demo_credentials() -> dict[str, Any]:
    """{tenant id: {"api_key", "slug", "admin_user_id"}} plus "platform_key" (tests and request lists only)."""
    creds: dict[str, Any] = {}
    first_id = 1
    for spec in SCHOOLS:
        creds[spec.id] = {"api_key": school_key(spec.slug), "slug": spec.slug, "admin_user_id": first_id}
        first_id += spec.users
    creds["platform_key"] = get_settings().platform_key
    return creds


def parity_credentials() -> dict[str, str]:
    """Flat, under the names the request list uses: key_<tenant id>, platform_key."""
    creds = demo_credentials()
    flat = {f"key_{tenant}": value["api_key"] for tenant, value in creds.items() if isinstance(value, dict)}
    flat["platform_key"] = creds["platform_key"]
    return flat


# --- generation -----------------------------------------------------------------------------------------------


def _name(rng: random.Random, taken: set[str], domain: str) -> tuple[str, str]:
    (surname, surname_rom), (given, given_rom) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
    local = f"{given_rom}.{surname_rom}"
    while local in taken:
        local = f"{given_rom}.{surname_rom}{rng.randint(2, 99)}"
    taken.add(local)
    return surname + given, f"{local}@{domain}"


def _make_users(rng: random.Random, spec: SchoolSpec, first_id: int, now: datetime) -> list[dict[str, Any]]:
    start = now - timedelta(days=spec.age_days)
    end = now - timedelta(days=spec.deactivated_days_ago or 0)
    recent = 0 if spec.deactivated_days_ago else rng.randint(3, 6)
    span = int((end - start).total_seconds()) - 14 * 86400
    created = sorted(start + timedelta(seconds=3600 + int(rng.betavariate(1.0, 3.0) * span))
                     for _ in range(spec.users - 1 - recent))
    created += sorted(now - timedelta(seconds=rng.randint(3600, 6 * 86400)) for _ in range(recent))
    taken: set[str] = set()
    users = []
    for index, when in enumerate([start] + created):
        if index < spec.admins:
            role = Role.admin
        elif index < spec.admins + spec.teachers:
            role = Role.teacher
        else:
            role = Role.student
        name, email = _name(rng, taken, spec.domain)
        grade = rng.randint(*spec.grades) if role == Role.student and spec.grades else None
        suspended = role == Role.student and rng.random() < 0.04
        weight = {Role.admin: 0.3, Role.teacher: 1.0, Role.student: 0.0 if rng.random() < 0.2 else
                  min(rng.paretovariate(1.5), 20.0)}[role]
        users.append({"id": first_id + index, "tenant_id": spec.id, "email": email, "name": name, "role": role,
                      "status": UserStatus.suspended if suspended else UserStatus.active, "grade": grade,
                      "created_at": when, "weight": 0.0 if suspended else weight})
    return users


def _make_courses(rng: random.Random, spec: SchoolSpec, users, first_id: int, now: datetime):
    teachers = [u for u in users if u["role"] == Role.teacher]
    subjects = list(SUBJECTS) if spec.slug != "daehan-coding" else ["정보"]
    courses, enrollments = [], []
    for number in range(spec.courses):
        subject = subjects[number % len(subjects)]
        teacher = teachers[number % len(teachers)] if number < spec.courses - 1 else None  # one course lost its teacher
        courses.append({"id": first_id + number, "tenant_id": spec.id, "subject": subject,
                        "title": f"{rng.choice(SUBJECTS[subject])} {chr(65 + number % 4)}반",
                        "teacher_id": teacher["id"] if teacher else None,
                        "created_at": users[0]["created_at"] + timedelta(days=rng.randint(0, 20), hours=2)})
    students = [u for u in users if u["role"] == Role.student]
    for student in students:
        for course in rng.sample(courses, min(len(courses), rng.randint(2, 5))):
            enrollments.append({"course_id": course["id"], "user_id": student["id"]})
    return courses, enrollments


def _make_questions(rng: random.Random, spec: SchoolSpec, users, courses, enrollments, now: datetime):
    end = now - timedelta(days=spec.deactivated_days_ago or 0)
    today = now.date()
    factors = [WEEKDAY_FACTORS[(today - timedelta(days=back)).weekday()] for back in range(HISTORY_DAYS)]
    base = spec.questions / sum(factors)
    courses_of: dict[int, list[int]] = {}
    for enrollment in enrollments:
        courses_of.setdefault(enrollment["user_id"], []).append(enrollment["course_id"])
    for course in courses:
        if course["teacher_id"]:
            courses_of.setdefault(course["teacher_id"], []).append(course["id"])
    weights = [u["weight"] for u in users]
    models, model_weights = list(spec.models), list(spec.models.values())
    questions = []
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        expected = base * factors[back]
        for _ in range(max(0, round(rng.gauss(expected, math.sqrt(expected))))):
            at = datetime.combine(day, time(rng.choices(range(24), HOUR_WEIGHTS)[0], rng.randrange(60),
                                            rng.randrange(60)))
            user = rng.choices(users, weights)[0]
            if at >= end or at < user["created_at"]:
                continue
            model = rng.choices(models, model_weights)[0]
            (p_lo, p_mode, p_hi), (c_lo, c_mode, c_hi) = TOKENS[model]
            own = courses_of.get(user["id"])
            questions.append({"tenant_id": spec.id, "user_id": user["id"],
                              "course_id": rng.choice(own) if own and rng.random() < 0.85 else None,
                              "model": model, "prompt_tokens": int(rng.triangular(p_lo, p_hi, p_mode)),
                              "completion_tokens": int(rng.triangular(c_lo, c_hi, c_mode)), "created_at": at})
    return questions


def _school_rows(rng: random.Random, spec: SchoolSpec, now: datetime) -> dict[str, Any]:
    created = now - timedelta(days=spec.age_days)
    deactivated = now - timedelta(days=spec.deactivated_days_ago) if spec.deactivated_days_ago else None
    return {"id": spec.id, "name": spec.name, "slug": spec.slug, "plan": spec.plan, "seats": spec.seats,
            "status": TenantStatus.deactivated if deactivated else TenantStatus.active,
            "contact_email": f"admin@{spec.domain}", "api_key_hash": hash_key(school_key(spec.slug)),
            "created_at": created, "deactivated_at": deactivated,
            "deactivation_reason": "Contract ended" if deactivated else None}


def _generate(rng: random.Random, now: datetime) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {"tenant": [], "user": [], "course": [], "enrollment": [],
                                               "question": []}
    for spec in SCHOOLS:
        tables["tenant"].append(_school_rows(rng, spec, now))
        users = _make_users(rng, spec, len(tables["user"]) + 1, now)
        courses, enrollments = _make_courses(rng, spec, users, len(tables["course"]) + 1, now)
        questions = _make_questions(rng, spec, users, courses, enrollments, now)
        last_seen: dict[int, datetime] = {}
        for question in questions:
            user_id = question["user_id"]
            last_seen[user_id] = max(question["created_at"], last_seen.get(user_id, question["created_at"]))
        for user in users:
            user["last_seen_at"] = last_seen.get(user["id"])
            del user["weight"]
        tables["user"] += users
        tables["course"] += courses
        tables["enrollment"] += enrollments
        tables["question"] += questions
    tables["question"].sort(key=lambda q: (q["created_at"], q["tenant_id"], q["user_id"]))
    for number, question in enumerate(tables["question"], start=1):
        question["id"] = number
    return tables


def seed(data_dir: Path | None = None, now: datetime | None = None) -> dict[str, int]:
    """Rebuild the database in `data_dir` (default: the configured one) at clock `now`; returns row counts."""
    data_dir = Path(data_dir) if data_dir is not None else get_settings().data_dir
    now = (now or clock.now()).replace(microsecond=0)
    tables = _generate(random.Random(SEED), now)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / "classroom.db.tmp"
    tmp.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{tmp}")
    try:
        TableBase.metadata.create_all(engine)
        with engine.begin() as conn:
            for model in (Tenant, User, Course, Enrollment, Question):
                conn.execute(insert(model), tables[model.__tablename__])
    finally:
        engine.dispose()
    os.replace(tmp, data_dir / "classroom.db")  # a database on disk is always complete
    return {name: len(rows) for name, rows in tables.items()}


def reset() -> None:
    """Rebuild the data at the configured location (CLASSROOM_DATA_DIR) and clock (CLASSROOM_NOW) from scratch."""
    seed()


def ensure_seeded() -> bool:
    if get_settings().database_path.exists():
        return False
    seed()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.seed", description="Rebuild the classroom demo data.")
    parser.add_argument("--data-dir", type=Path, help="where to write (default: CLASSROOM_DATA_DIR or ./data)")
    parser.add_argument("--now", help="the clock, ISO 8601 (default: CLASSROOM_NOW or the real time)")
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
        counts = seed(data_dir, now)
    except OSError as exc:
        print(f"error: cannot write {data_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Seeded {data_dir / 'classroom.db'} at {now.isoformat()} in {timer.perf_counter() - started:.2f} s: "
          + ", ".join(f"{count} {name}s" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
