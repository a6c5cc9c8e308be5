"""`Redactor`: applies the rules of `shims.redaction` to one exchange's parts, with stable placeholders.

Placeholders:
- ``<redacted:<kind>:<N>>`` — a request credential (a header not on the allowlist, a credential query value, a
  secret-looking path segment); one N per distinct value within a cassette, so replay can take
  ``--credential <kind>:<N>=VALUE``. An auth scheme is kept (``Bearer <redacted:authorization:1>``);
- ``${name}`` — a value the caller knows by name (a request list's credential, or a literal of the list that
  `migrator record` names after its place: ``${create_user.json.password}``): stored wherever the value appears;
- ``<redacted>`` — anything else that is secret (response fields, request body fields of live traffic): it
  cannot be replayed, only compared (two ``<redacted>`` are equal).
The value → placeholder mapping lives in memory only.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any, Iterable, Iterator, Mapping, Optional
from urllib.parse import parse_qsl, urlencode

from shims.redaction import (
    PLAIN_REQUEST_HEADERS,
    header_set,
    is_credential_name,
    is_secret_field,
    is_secret_text,
    looks_secret_value,
    scrub_shapes,
)

REDACTED = "<redacted>"
PLACEHOLDER = re.compile(r"\$\{[^}]+\}|<redacted(?::[a-z0-9_.-]+:\d+)?>")
AUTH_SCHEME = re.compile(r"^(bearer|basic|token|digest|apikey|api-key)\s+(\S.*)$", re.I)
# In free text: "Bearer <token>" and "name=value" pairs (URLs, form-like text, cookies) with a credential name.
_SCHEMES = frozenset({"bearer", "basic", "token", "digest"})  # "Authorization: Bearer x": the token is what goes
_TEXT_SCHEME = re.compile(r"\b([Bb]earer|[Bb]asic)(\s+)((?=[\w+/=.~:-]*[0-9+/=_.~-]|[\w+/=.~:-]*[a-z][\w+/=.~:-]*[A-Z])"
                          r"[A-Za-z0-9+/=_.~:-]{8,})")
_TEXT_PAIR = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_.-]*)(?P<sep>\"?\s*[:=]\s*)"
                        r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|\[[^\[\]{}\n]*\]|\$\{[^}]*\}|<redacted[^>]*>|[^&\s\"'<>;,{}\[\]]+)")

#: Request headers not recorded: transport details a replay client sets by itself.
DROPPED_REQUEST_HEADERS = frozenset(
    {"host", "content-length", "connection", "keep-alive", "user-agent", "accept-encoding", "transfer-encoding",
     "te", "trailer", "upgrade", "expect"}
)
#: Response headers not recorded: different on every call by nature, or implied by the body.
DROPPED_RESPONSE_HEADERS = frozenset(
    {"date", "server", "content-length", "transfer-encoding", "connection", "keep-alive", "x-request-id",
     "x-correlation-id", "x-process-time", "x-response-time", "x-runtime"}
)
#: Response headers kept verbatim (a multipart boundary must survive).
VERBATIM_RESPONSE_HEADERS = frozenset({"content-type", "content-encoding", "content-language"})

MIN_SCRUB_LENGTH = 8  # shorter known values are replaced only where they are a whole value, never inside text
MIN_EXACT_LENGTH = 4  # ... and only from this length as a whole JSON string outside a credential position
MAX_BODY_BYTES = 2 * 1024 * 1024  # bodies larger than this are not stored (the exchange keeps their size)


def placeholder_kind(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]", "-", name.lower())


def split_scheme(value: str) -> tuple[str, str]:
    """``"Bearer abc"`` → ``("Bearer ", "abc")``; a value without a known scheme → ``("", value)``."""
    match = AUTH_SCHEME.match(value)
    return (match.group(1) + " ", match.group(2)) if match else ("", value)


def is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.fullmatch(split_scheme(value)[1].strip()))


class Redactor:
    """Turns secrets into placeholders; remembers value → placeholder (in memory only) so numbers stay stable.

    ``known`` maps values to the placeholder text to store instead (``{"tok": "${admin_seoul}"}``); ``start``
    continues the numbering of an existing cassette; ``plain_headers`` are request headers recorded as they are,
    in addition to `shims.redaction.PLAIN_REQUEST_HEADERS`.
    """

    def __init__(self, known: Optional[Mapping[str, str]] = None, start: Optional[Mapping[str, int]] = None,
                 plain_headers: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._pattern: Optional[re.Pattern] = None
        self._counters: dict[str, int] = dict(start or {})
        self.plain_headers = PLAIN_REQUEST_HEADERS | header_set(plain_headers)
        for value, text in (known or {}).items():
            self.remember(value, text)

    # --- known values -------------------------------------------------------------------------------------------

    def remember(self, value: str, text: str) -> None:
        """Store ``text`` wherever ``value`` appears (the first text given for a value stays)."""
        if value and value != text and value not in self._known:
            with self._lock:
                self._known.setdefault(value, text)
                self._pattern = None

    def known(self, value: str) -> Optional[str]:
        return self._known.get(value)

    def scrub(self, text: str) -> str:
        """Replace every known value (8+ characters) inside ``text`` by its placeholder."""
        pattern = self._pattern
        if pattern is None:
            values = sorted((v for v in self._known if len(v) >= MIN_SCRUB_LENGTH), key=len, reverse=True)
            if not values:
                return text
            pattern = self._pattern = re.compile("|".join(re.escape(v) for v in values))
        return pattern.sub(lambda m: self._known[m.group(0)], text)

    def text(self, text: str) -> str:
        """Free text (a text body, a header value, a JSON string): known values, secret shapes, ``Bearer x`` and
        ``name=value`` pairs with a credential name."""
        text = scrub_shapes(self.scrub(text), REDACTED)
        if "=" in text or ":" in text:
            text = _TEXT_PAIR.sub(self._pair, text)
        return _TEXT_SCHEME.sub(lambda m: m.group(0) if PLACEHOLDER.match(m.group(3))
                                else f"{m.group(1)}{m.group(2)}{REDACTED}", text)

    def _pair(self, match: re.Match) -> str:
        name, value = match.group("name"), match.group("value")
        if not is_credential_name(name) or PLACEHOLDER.fullmatch(value):
            return match.group(0)
        head = name + match.group("sep")
        if value.startswith("["):  # a list of values under a credential name
            return match.group(0) if re.fullmatch(r"\[[\d\s,.]*\]", value) else f"{head}[{REDACTED}]"
        inner = value[1:-1] if value.startswith('"') else value
        if not inner or PLACEHOLDER.fullmatch(inner) or inner.lower() in _SCHEMES or not is_secret_text(name, inner):
            return match.group(0)
        return f'{head}"{REDACTED}"' if value.startswith('"') else head + REDACTED

    def secret(self, value: Any) -> Any:
        """The stored form of a value known to be secret: its placeholder if known, else ``<redacted>``."""
        if isinstance(value, str) and PLACEHOLDER.fullmatch(value):
            return value
        key = value if isinstance(value, str) else json.dumps(value)
        return self._known.get(key, REDACTED)

    # --- request credentials ------------------------------------------------------------------------------------

    def credential(self, name: str, value: str) -> str:
        """The stored form of a request credential (a header value, a query value, a path segment)."""
        if is_placeholder(value) or "${" in value:
            return value  # a request list's own placeholder
        if value in self._known:
            return self._known[value]
        scheme, secret = split_scheme(value)
        if not secret:
            return value
        kind = placeholder_kind(name)
        with self._lock:
            text = self._known.get(secret)
            if text is None:
                self._counters[kind] = self._counters.get(kind, 0) + 1
                text = f"<redacted:{kind}:{self._counters[kind]}>"
                self._known[secret] = text
                self._pattern = None
        return scheme + text

    def is_credential_header(self, name: str) -> bool:
        """A request header (lower-case name) stored as a placeholder: recorded, and not declared plain."""
        return name not in DROPPED_REQUEST_HEADERS and name not in self.plain_headers

    def request_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers:
            name = name.lower()
            if name in DROPPED_REQUEST_HEADERS:
                continue
            value = self.credential(name, value) if self.is_credential_header(name) else self.scrub(value)
            out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def query(self, query: str) -> str:
        if not query:
            return ""
        pairs = parse_qsl(query, keep_blank_values=True)
        redacted = [(k, self.credential(k, v) if v and is_secret_text(k, v) else self.scrub(v)) for k, v in pairs]
        # Re-encoding could change the spelling of an untouched query, so keep the original when nothing changed.
        return query if redacted == pairs else urlencode(redacted, safe="${}<>:")

    def path(self, path: str) -> str:
        """Path segments that look like credentials (a token in ``/reset/<token>``) become placeholders."""
        if not any(looks_secret_value(part) or part in self._known for part in path.split("/") if part):
            return path
        parts = path.split("/")
        return "/".join(self.credential("path", part) if part and (looks_secret_value(part) or part in self._known)
                        else part for part in parts)

    # --- responses and bodies -----------------------------------------------------------------------------------

    def response_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers:
            name = name.lower()
            if name in DROPPED_RESPONSE_HEADERS:
                continue
            if name not in VERBATIM_RESPONSE_HEADERS:
                value = REDACTED if is_credential_name(name) else self.text(value)
            out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def body(self, value: Any, name: Optional[str] = None) -> Any:
        """A JSON value with secret fields, secret-looking strings and known values redacted. ``name`` is the field
        holding ``value`` (its rules reach into a list of strings: ``"recovery_codes": [...]``)."""
        if isinstance(value, dict):
            out = {key: self.secret(item) if secret else self.body(item, inner)
                   for key, item, secret, inner in json_members(value)}
            _redact_validation_input(out, self)
            return out
        if isinstance(value, list):
            return [self.secret(item) if secret else self.body(item, inner)
                    for _, item, secret, inner in json_members(value, name)]
        if isinstance(value, str):
            exact = self._known.get(value) if len(value) >= MIN_EXACT_LENGTH else None
            return exact if exact is not None else self.text(value)
        return value

    def form(self, text: str) -> str:
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, self.secret(v) if v and is_secret_text(k, v) else self.text(v)) for k, v in pairs],
                         safe="${}<>:")


def _redact_validation_input(error: dict, redactor: Redactor) -> None:
    """A validation error echoes the rejected value: ``{"loc": ["body", "password"], "input": "..."}``."""
    loc = error.get("loc")
    if "input" not in error or not isinstance(loc, list):
        return
    names = [part for part in loc if isinstance(part, str)]
    if names and is_secret_field(names[-1], error["input"]):
        error["input"] = redactor.secret(error["input"])


def json_members(value: Any, name: Optional[str] = None) -> Iterator[tuple[Any, Any, bool, Optional[str]]]:
    """The members of a JSON object or array as ``(key or index, item, secret, inner name)``: ``secret`` is whether
    the item is a secret where it stands (an object's field by its name and value; an array's item only under a
    credential name, ``name`` being the field holding the array: ``"recovery_codes": [...]``), ``inner name`` the
    name its own members are judged under. The one rule for the recorder (`Redactor.body`) and for the literal
    secrets of a request list (`migrator.parity.literals`)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item, is_secret_field(str(key), item), str(key)
    elif isinstance(value, list):
        credential = name is not None and is_credential_name(name)
        for index, item in enumerate(value):
            yield index, item, credential and is_secret_field(name, item), None


def media_type(headers: Mapping[str, str]) -> str:
    """The media type a request or response declares (``content-type`` found whatever its case), lower-case."""
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def body_fields(raw: bytes, headers: Mapping[str, str], redactor: Redactor) -> dict[str, Any]:
    """The stored body: ``json`` (parsed), ``body`` (text) or ``body_b64``; nothing for an empty body."""
    if not raw:
        return {}
    if len(raw) > MAX_BODY_BYTES:
        return {"body_omitted": len(raw)}
    media = media_type(headers)
    if media == "application/json" or media.endswith("+json"):
        try:
            return {"json": redactor.body(json.loads(raw))}
        except ValueError:
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"body_b64": base64.b64encode(raw).decode("ascii")}
    if media == "application/x-www-form-urlencoded":
        return {"body": redactor.form(text)}
    if media == "multipart/form-data":
        return {"body": multipart(text, headers.get("content-type", ""), redactor)}
    return {"body": redactor.text(text)}


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.I)
_PART_NAME = re.compile(r'content-disposition:[^\r\n]*?\bname="([^"]*)"', re.I)


def multipart(text: str, content_type: str, redactor: Redactor) -> str:
    """A multipart form with the values of secret-named parts redacted (file parts: free-text rules)."""
    match = _BOUNDARY.search(content_type)
    if not match:
        return redactor.text(text)
    delimiter = "--" + match.group(1)
    pieces = text.split(delimiter)
    for index, piece in enumerate(pieces):
        head, sep, content = piece.partition("\r\n\r\n")
        if not sep:
            continue
        name = _PART_NAME.search(head)
        value, tail = (content[:-2], "\r\n") if content.endswith("\r\n") else (content, "")
        if name and "filename=" not in head.lower() and value and is_secret_text(name.group(1), value):
            value = redactor.secret(value)
        else:
            value = redactor.text(value)
        pieces[index] = head + sep + value + tail
    return delimiter.join(pieces)
