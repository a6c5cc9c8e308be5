"""The service clock: real UTC time, or frozen by MENTOR_NOW (ISO 8601; naive means UTC).

Values are naive UTC datetimes with seconds precision, the way the database stores them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from mentor.core.config import settings


class ClockError(ValueError):
    """MENTOR_NOW is set but is not an ISO 8601 date-time."""


def parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


def utcnow() -> datetime:
    frozen = settings.NOW
    if frozen:
        try:
            return parse_instant(frozen)
        except ClockError as exc:
            raise ClockError(f"MENTOR_NOW is {exc}") from None
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def day_start(days: int, now: datetime | None = None) -> datetime:
    """Midnight that starts a window of `days` calendar days ending today (days=1: today)."""
    now = now or utcnow()
    return datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time())


def days_ending_today(days: int, now: datetime | None = None) -> list[date]:
    today = (now or utcnow()).date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def sql_text(value: datetime) -> str:
    """A timestamp in the text form the database stores (for comparisons in raw SQL)."""
    return value.strftime("%Y-%m-%d %H:%M:%S")
