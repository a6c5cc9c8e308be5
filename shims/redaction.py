"""What counts as a secret in recorded traffic: by header (allowlist), by name (words), by value (shape).

Used by `shims.recording` (cassettes) and, through it, by `migrator parity` (reports). The rules, in order:

1. **Request headers** are secret unless their name is on an allowlist of known non-secret headers
   (`PLAIN_REQUEST_HEADERS`, plus what a caller declares plain). Header values are never guessed at.
2. **Names** (query parameters, JSON and form fields, response headers) are split into words (``apiKey``,
   ``api-key`` and ``API_KEY`` all give ``api key``). A name marks its value as a secret when a word is one of
   `SECRET_WORDS` (``token``, ``secret``, ``password``/``pass``/``pwd``, ``pin``, ``cred``, ``cookie``, ``otp``,
   ``jwt``, ...) or contains one of `SECRET_ROOTS` (``accesstoken``, ``newpassword``, ``phpsessid``); or a word is
   one of `LOOSE_WORDS` (``key``, ``auth``, ``sig``, ``private``, ``session``) and the value is not prose (has no
   whitespace) and no qualifier makes the name harmless (``sort_key``, ``public_key``, ``session_count``).
   ``code`` counts with a qualifier such as ``auth``/``verification``/``reset``, or bare unless the value is a
   symbolic constant (``INVALID_REQUEST``); ``country_code``/``error_code`` never. A `METADATA_WORDS` word after
   the credential word makes the name describe it rather than hold it (``token_type``, ``token_expires_in``).
3. Under such a name **strings** are secret (and the strings of a list); **numbers** only under the few names
   that hold numeric secrets (`NUMERIC_SECRET_WORDS`: ``pin``, ``otp``, ``password``, ...). So ``tokens: 1234``,
   ``total_tokens``, ``sessions``, ``session_count`` stay comparable, ``session_id: "a1b2c3"`` does not.
4. **Values** are secret whatever their name when they look like one: a JWT, a PEM block, a well-known API key
   format (``sk_live_``, ``ghp_``, ``AKIA``, ``xoxb-``, ``AIza``), or a long high-entropy token
   (`looks_high_entropy`: 20+ characters of a token alphabet, not a UUID, not made of word-like pieces such as
   ``claude-3-5-sonnet-20241022`` or ``seoul_national_university_101``). In free text these are found and replaced
   where they occur.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable

#: Request headers recorded as they are: they carry no credentials and replay needs their values.
PLAIN_REQUEST_HEADERS = frozenset(
    {
        "accept", "accept-charset", "accept-encoding", "accept-language", "cache-control", "content-encoding",
        "content-language", "content-type", "dnt", "if-match", "if-modified-since", "if-none-match", "if-range",
        "if-unmodified-since", "pragma", "range", "user-agent", "x-requested-with", "x-tenant-id", "x-request-id",
        "x-correlation-id", "traceparent", "tracestate",
    }
)

#: Words that make a name a credential name, whatever the value's text.
SECRET_WORDS = frozenset(
    {
        "apikey", "apikeys", "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pass",
        "passphrase", "passcode", "pwd", "authorization", "authentication", "signature", "signatures", "hmac",
        "pin", "pins", "pincode", "privatekey", "cred", "creds", "credential", "credentials", "sessionid",
        "sessid", "cookie", "cookies", "otp", "totp", "hotp", "jwt", "bearer", "salt", "cvv", "cvc", "csrf",
        "xsrf", "verifier",
    }
)
#: Words that make a name a credential name unless the value is prose (contains whitespace: ``session_title``,
#: ``private_notes``), or another qualifier makes it harmless; two of them together (``private_key``,
#: ``session_key``) count as one of `SECRET_WORDS`.
LOOSE_WORDS = frozenset({"key", "keys", "auth", "sig", "sigs", "private", "session", "sessions", "sid", "assertion"})
#: Roots found inside single words written without separators (``accesstoken``, ``newpassword``, ``phpsessid``).
SECRET_ROOTS = ("passw", "passphrase", "passcode", "secret", "token", "apikey", "accesskey", "privatekey",
                "secretkey", "sessid", "sessionid", "credential", "signature")
#: Names whose numeric values are secrets too.
NUMERIC_SECRET_WORDS = frozenset({"pin", "pins", "pincode", "otp", "totp", "hotp", "passcode", "password", "passwd",
                                  "pwd", "pass", "cvv", "cvc", "secret"})
#: Qualifiers that make a loose word or ``code`` harmless (``sort_key``, ``public_key``, ``country_code``,
#: ``session_status``); they never neutralize `SECRET_WORDS` (``order_token`` stays secret).
HARMLESS_QUALIFIERS = frozenset(
    {
        "sort", "primary", "foreign", "partition", "cache", "group", "lookup", "idempotency", "public", "row",
        "order", "object", "dedup", "routing", "shard", "unique", "natural", "composite", "translation", "i18n",
        "message", "label", "field", "column", "attribute", "setting", "config", "option", "property", "index",
        "status", "error", "country", "currency", "language", "lang", "locale", "postal", "zip", "http",
        "response", "exit", "area", "region", "iso", "reason", "return", "result", "event", "product", "course",
        "tax", "unit", "color", "colour", "dial", "phone", "airport", "state", "city", "item", "sku",
        "department", "class", "type", "format", "source", "snippet", "program", "promo", "discount", "coupon",
        "bar", "qr", "count", "length", "duration", "started", "ended", "title", "name",
    }
)
#: ``code`` is a credential word only bare or with one of these (``auth_code``, ``verification_code``).
SECRET_CODE_QUALIFIERS = frozenset(
    {"auth", "authorization", "verification", "verify", "otp", "mfa", "reset", "recovery", "access", "invite",
     "confirmation", "confirm", "security", "pin", "login", "activation", "device", "backup", "sms", "one", "time",
     "twofa", "2fa", "magic", "secret"}
)
#: Words that, after the credential word, make the name describe the credential instead of holding it
#: (``token_type: "bearer"``, ``token_expires_in``, ``password_updated_at``, ``secret_name``).
METADATA_WORDS = frozenset(
    {"type", "types", "kind", "count", "counts", "length", "len", "size", "expires", "expiry", "expiration", "ttl",
     "at", "date", "time", "updated", "created", "changed", "format", "name", "names", "version", "policy",
     "rotation", "enabled", "required", "status", "url", "uri", "endpoint", "scheme", "algorithm", "alg"}
)
_SYMBOLIC_CONSTANT = re.compile(r"^[A-Za-z]+(?:[_.-][A-Za-z]+)*$")

# --- names --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def name_words(name: str) -> tuple[str, ...]:
    """``X-JWT-Assertion`` → ``('x', 'jwt', 'assertion')``; ``apiKey`` → ``('api', 'key')``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return tuple(word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word)


@lru_cache(maxsize=4096)
def name_kind(name: str) -> str:
    """How a name marks its value: ``"secret"``, ``"loose"`` (secret unless prose), ``"code"`` (a bare ``code``:
    secret unless a symbolic constant such as ``INVALID_REQUEST``) or ``""`` (not a credential name)."""
    words = name_words(name)
    secret = [i for i, word in enumerate(words) if word in SECRET_WORDS or word in LOOSE_WORDS or word == "code"
              or any(root in word for root in SECRET_ROOTS)]
    if secret and any(word in METADATA_WORDS for word in words[secret[-1] + 1:]):
        return ""  # about the credential, not the credential: token_type, token_expires_in, secret_name
    if any(word in SECRET_WORDS for word in words) or any(root in word for root in SECRET_ROOTS for word in words):
        return "secret"
    harmless = any(word in HARMLESS_QUALIFIERS for word in words)
    if "code" in words or "codes" in words:
        if any(word in SECRET_CODE_QUALIFIERS for word in words):
            return "secret"
        if not harmless and all(word in ("x", "code", "codes") for word in words):
            return "code"
    loose = [word for word in words if word in LOOSE_WORDS]
    if not loose or harmless:
        return ""
    return "secret" if len(loose) > 1 else "loose"


def is_credential_name(name: str) -> bool:
    """A header, query parameter or field whose name says it may hold a credential."""
    return bool(name_kind(name))


def _secret_number_name(name: str) -> bool:
    words = name_words(name)
    return any(word in NUMERIC_SECRET_WORDS for word in words) or (
        name_kind(name) == "secret" and ("code" in words or "codes" in words))


def is_secret_text(name: str, value: str) -> bool:
    """Is this string, stored under this name (a field, a query parameter), a secret?"""
    kind = name_kind(name)
    if kind == "secret":
        return True
    if kind == "loose" and not any(ch.isspace() for ch in value):
        return True
    if kind == "code" and not _SYMBOLIC_CONSTANT.match(value):
        return True
    return looks_secret_value(value)


def is_secret_field(name: str, value: Any) -> bool:
    """Is this JSON value, stored under this name, a secret? (Containers are looked into, not judged here.)"""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return _secret_number_name(name)
    if isinstance(value, str):
        return is_secret_text(name, value)
    return False


# --- values -------------------------------------------------------------------------------------------------------

_JWT = r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
_PEM = r"-----BEGIN [A-Z0-9 ]{1,64}-----(?:.|\n)*?(?:-----END [A-Z0-9 ]{1,64}-----|\Z)"
_KNOWN_FORMATS = (
    r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}",
    r"gh[pousr]_[A-Za-z0-9]{20,}",
    r"github_pat_[A-Za-z0-9_]{20,}",
    r"AKIA[0-9A-Z]{16}",
    r"xox[abprs]-[A-Za-z0-9-]{10,}",
    r"AIza[0-9A-Za-z_-]{30,}",
    r"glpat-[A-Za-z0-9_-]{16,}",
)
SHAPED_SECRET = re.compile("|".join([_JWT, _PEM, *(rf"\b{f}" for f in _KNOWN_FORMATS)]))
_TOKEN_ALPHABET = re.compile(r"^[A-Za-z0-9+/=_.~-]+$")
_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A word, a number, a word with a number (page1, 30d), CamelCase words: what identifiers are made of.
_WORDISH = re.compile(r"^(?:[0-9]+[a-z]{0,3}|(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)[0-9]*|[A-Z]?[a-z]+(?:[A-Z][a-z]{2,})+)$")
MIN_ENTROPY_LENGTH = 16


def _entropy(text: str) -> float:
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def looks_high_entropy(text: str, min_length: int = MIN_ENTROPY_LENGTH) -> bool:
    """A long random-looking token: ``min_length``+ characters of a token alphabet, not a UUID, not made of
    word-like pieces (``seoul_national_university_101``, ``gpt-4o-mini-2024-07-18``, ``users_page1``), with
    enough distinct characters."""
    if len(text) < min_length or not _TOKEN_ALPHABET.match(text) or _UUID.match(text):
        return False
    pieces = [piece for piece in re.split(r"[-_.~+/=]+", text) if piece]
    if all(_WORDISH.match(piece) or len(piece) <= 4 for piece in pieces):
        # Word-like pieces: a secret only when one long piece is itself random (a lowercase token).
        return any(len(piece) >= 24 and _entropy(piece) >= 3.9 for piece in pieces)
    body = "".join(pieces)
    if _HEX.match(body) and not body.isdigit() and not body.isalpha():
        return True  # hex digests and hex tokens
    return len(body) >= 12 and len(set(body)) >= 8 and _entropy(body) >= 3.0


def looks_secret_value(text: str) -> bool:
    """A whole string that looks like a credential, whatever it is called."""
    return bool(SHAPED_SECRET.search(text)) or looks_high_entropy(text)


TEXT_TOKEN_LENGTH = 20  # in free text, shorter runs are too often ordinary words and numbers
_TEXT_TOKEN = re.compile(r"[A-Za-z0-9+/=_.~-]{%d,}" % TEXT_TOKEN_LENGTH)


def scrub_shapes(text: str, replacement: str) -> str:
    """``text`` with JWTs, PEM blocks, known key formats and high-entropy tokens replaced where they occur."""
    if len(text) < MIN_ENTROPY_LENGTH:
        return text
    text = SHAPED_SECRET.sub(replacement, text)
    return _TEXT_TOKEN.sub(lambda m: replacement if looks_high_entropy(m.group(0)) else m.group(0), text)


def header_set(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.strip().lower() for name in names if name and name.strip())
