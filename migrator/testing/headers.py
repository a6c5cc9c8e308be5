"""Parsers of the deprecation headers `shims.deprecation` writes: HTTP-dates (`Sunset`, old `Deprecation` drafts),
RFC 9745 `Deprecation` values and RFC 8288 `Link` headers.

Only tests and `migrator parity` read these headers back, so the parsers live here and not in the runtime that
migrated services install (`migrator-shims`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = ["Link", "parse_deprecation", "parse_http_date", "parse_link", "parse_sunset"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIME = r"(\d{2}):(\d{2}):(\d{2})"
_MON = "|".join(_MONTHS)
# RFC 9110 §5.6.7: the preferred IMF-fixdate and the two obsolete forms a recipient must still accept.
_IMF_FIXDATE = re.compile(rf"^(?:{'|'.join(_DAYS)}), (\d{{2}}) ({_MON}) (\d{{4}}) {_TIME} GMT$")
_RFC850 = re.compile(rf"^(?:{'|'.join(_LONG_DAYS)}), (\d{{2}})-({_MON})-(\d{{2}}) {_TIME} GMT$")
_ASCTIME = re.compile(rf"^(?:{'|'.join(_DAYS)}) ({_MON}) ([ \d]\d) {_TIME} (\d{{4}})$")



def parse_deprecation(value: str) -> datetime | None:
    """Read a `Deprecation` value: `@<unix seconds>` (RFC 9745), an HTTP-date (the drafts before it), or the
    drafts' bare `true`, which means "deprecated, date unknown" and is returned as ``None``."""
    text = value.strip()
    if re.fullmatch(r"@-?\d{1,15}", text):
        return datetime.fromtimestamp(int(text[1:]), tz=timezone.utc)
    if text.lower() == "true":
        return None
    try:
        return parse_http_date(text)
    except ValueError:
        raise ValueError(f"not a Deprecation value (@<seconds>, true or an HTTP-date): {value!r}") from None


def parse_sunset(value: str) -> datetime:
    """Read a `Sunset` value (any HTTP-date form)."""
    return parse_http_date(value)


def parse_http_date(value: str, *, now: datetime | None = None) -> datetime:
    """RFC 9110 HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms. The weekday is not checked
    against the date (as common HTTP stacks do)."""
    text = value.strip()
    if m := _IMF_FIXDATE.match(text):
        day, mon, year, hh, mm, ss = m.groups()
    elif m := _RFC850.match(text):
        day, mon, yy, hh, mm, ss = m.groups()
        year = str(_rfc850_year(int(yy), now or datetime.now(timezone.utc)))
    elif m := _ASCTIME.match(text):
        mon, day, hh, mm, ss, year = m.groups()
    else:
        raise ValueError(f"not an HTTP-date: {value!r}")
    try:
        return datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hh), int(mm), int(ss), tzinfo=timezone.utc)
    except ValueError as exc:
        raise ValueError(f"not a valid HTTP-date: {value!r} ({exc})") from None


def _rfc850_year(yy: int, now: datetime) -> int:
    # RFC 9110: a two-digit year more than 50 years in the future is the most recent past year with those digits.
    year = now.year - now.year % 100 + yy
    return year - 100 if year > now.year + 50 else year


@dataclass(frozen=True)
class Link:
    """One link of a `Link` header (RFC 8288)."""

    url: str
    rel: str | None = None
    type: str | None = None
    params: dict[str, str] = field(default_factory=dict)


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BARE_VALUE = re.compile(r"[^;,\s]*")


def parse_link(value: str) -> list[Link]:
    """Parse a `Link` header (one or several comma-separated links; quoted or bare parameter values)."""
    links: list[Link] = []
    i, n = 0, len(value)

    def skip(chars: str) -> None:
        nonlocal i
        while i < n and value[i] in chars:
            i += 1

    while True:
        skip(" \t,")
        if i >= n:
            return links
        if value[i] != "<":
            raise ValueError(f"Link value must start with <url> at position {i}: {value!r}")
        end = value.find(">", i)
        if end < 0:
            raise ValueError(f"unterminated <url> in Link value: {value!r}")
        url, i = value[i + 1 : end], end + 1
        params: dict[str, str] = {}
        while True:
            skip(" \t")
            if i >= n or value[i] == ",":
                break
            if value[i] != ";":
                raise ValueError(f"expected ';' or ',' at position {i} of Link value: {value!r}")
            i += 1
            skip(" \t")
            m = _TOKEN.match(value, i)
            if not m:
                raise ValueError(f"expected a parameter name at position {i} of Link value: {value!r}")
            name, i = m.group().lower(), m.end()
            skip(" \t")
            param = ""
            if i < n and value[i] == "=":
                i += 1
                skip(" \t")
                if i < n and value[i] == '"':
                    j, chars = i + 1, []
                    while j < n and value[j] != '"':
                        if value[j] == "\\" and j + 1 < n:
                            j += 1
                        chars.append(value[j])
                        j += 1
                    if j >= n:
                        raise ValueError(f"unterminated quoted string in Link value: {value!r}")
                    param, i = "".join(chars), j + 1
                else:
                    m = _BARE_VALUE.match(value, i)
                    param, i = m.group(), m.end()
            params.setdefault(name, param)
        rel, type_ = params.pop("rel", None), params.pop("type", None)
        links.append(Link(url=url, rel=rel, type=type_, params=params))
