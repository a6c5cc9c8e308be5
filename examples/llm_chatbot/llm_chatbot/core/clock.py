"""The service clock: naive UTC datetimes, frozen by LLM_CHATBOT_NOW when it is set.

Frozen time makes seeded data, dashboard numbers and the created_at of new rows reproducible, which
is what recorded-traffic replays need.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .settings import get_settings


class ClockError(ValueError):
    """LLM_CHATBOT_NOW is set but is not an ISO 8601 timestamp."""


def parse_now(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):  # fromisoformat accepts "Z" only from Python 3.11 on
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockError(
            f"LLM_CHATBOT_NOW must be an ISO 8601 timestamp such as 2026-11-20T15:00:00, got {value!r}"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def utcnow() -> datetime:
    frozen = get_settings().now
    if frozen:
        return parse_now(frozen)
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def iso(moment: datetime) -> str:
    """The one timestamp format stored and served: 2026-11-20T15:00:00."""
    return moment.isoformat(timespec="seconds")
