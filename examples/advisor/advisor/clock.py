"""The service clock: real UTC time, or frozen by ADVISOR_NOW (ISO 8601; naive means UTC).

Every timestamp the service writes or compares goes through here, so that a frozen clock makes the dashboard
numbers, the `created_at` of new rows and recorded traffic reproducible. All values are naive UTC datetimes,
the way they are stored in SQLite (ISO 8601 text, seconds precision).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from advisor.config import get_settings


class ClockError(ValueError):
    """ADVISOR_NOW is set but is not an ISO 8601 date-time."""


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date-time into naive UTC (seconds precision)."""
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
            raise ClockError(f"ADVISOR_NOW is {exc}") from None
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()


def isoformat(value: datetime) -> str:
    """The one text form of a timestamp in the database and on the wire."""
    return value.replace(microsecond=0).isoformat(timespec="seconds")
