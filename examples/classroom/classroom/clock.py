"""The service clock: real UTC time, or frozen by CLASSROOM_NOW (ISO 8601; naive means UTC).

Naive UTC datetimes, seconds precision, as stored. Windows of a period are calendar days ending today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from classroom.config import get_settings


class ClockError(ValueError):
    """CLASSROOM_NOW is set but is not an ISO 8601 date-time."""


def parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


def now() -> datetime:
    frozen = get_settings().now
    if frozen:
        try:
            return parse_instant(frozen)
        except ClockError as exc:
            raise ClockError(f"CLASSROOM_NOW is {exc}") from None
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def window(days: int, at: datetime | None = None) -> list[date]:
    """The `days` calendar days ending today, oldest first."""
    today = (at or now()).date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())
