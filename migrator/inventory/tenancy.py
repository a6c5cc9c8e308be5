"""Where a route's tenant comes from, beyond its parameters: the caller's identity, a context variable set by a
middleware; and what a function body reads from the request headers itself.

Rules (`TenantRules`) come from defaults plus the target's `[tool.migrator]`:

    [tool.migrator]
    tenant_attr = ["cliente_id"]       # identity attributes that carry the tenant (added to tenant_id, org_id, ...)
    tenant_header = ["X-Org"]          # header names that carry the tenant (added to X-Tenant-ID, Tenant, ...)

Body scans read source text (function bodies are often not parsed: see extract's skeleton), so they are regular
expressions over the lines of one function: `request.headers.get("Authorization")`, `request.headers["X-Key"]`,
`<param>.<tenant attribute>` for the function's dependency parameters.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from codemods._target import toml_table
from migrator.pathtemplates import segment_param

_DEFAULT_HEADER = re.compile(r"^(x-)?tenant(-id)?$", re.IGNORECASE)
# path and query parameters that carry the tenant (an organisation or workspace is the tenant of B2B services)
TENANT_PARAM = re.compile(r"^(x_)?(tenant|org|organi[sz]ation|workspace)(_?id|_slug|_key|_code)?$", re.IGNORECASE)
DEFAULT_ATTRS = ("tenant_id", "tenant", "tenant_slug", "org_id", "organization_id", "organisation_id",
                 "workspace_id")
# a dependency parameter that is the tenant object itself (`organisation = Depends(get_user_organisation)`): its
# `.id` is the tenant id
TENANT_OBJECT = re.compile(r"^(current_)?(tenant|org|organi[sz]ation|workspace)$", re.IGNORECASE)
_HEADER_READ = re.compile(r"""\.headers(?:\.get\(\s*|\[\s*)(["'])([A-Za-z0-9_-]+)\1""")
# `request.cookies.get("session")`, `self.req.cookies[COOKIE]`, `.cookies.get(self._cookie_key)`: a literal name, or a
# name (a constant, an attribute of self) assigned a literal somewhere in the scope text
_COOKIE_READ = re.compile(
    r"""\.cookies(?:\.get\(\s*|\[\s*)(?:(["'])([A-Za-z0-9_.-]+)\1|(self\.)?([A-Za-z_][\w.]*)\s*[,)\]])"""
)
# `request.state.db` read (not assigned) through a name: group 1 the name, group 2 the attribute
_STATE_READ = re.compile(r"\b([A-Za-z_]\w*)\.state\.([A-Za-z_]\w*)\b(?!\s*=(?!=))")
# `request.state.db = ...`, and a pure ASGI middleware's `scope["state"]["db"] = ...`
_STATE_SET = re.compile(
    r"""(?:\.state\.([A-Za-z_]\w*)|\[\s*(["'])state\2\s*\]\s*\[\s*(["'])([A-Za-z_]\w*)\3\s*\])\s*=(?!=)"""
)
_CONTEXT_VAR = re.compile(
    r"""^\s*([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:contextvars\.)?ContextVar\s*(?:\[[^\]]*\])?\(\s*(["'])([^"']+)\2""",
    re.MULTILINE,
)
_TENANTISH = re.compile(r"tenant|org(anis|aniz)?ation|workspace", re.IGNORECASE)
# a path segment naming a collection of tenants: the parameter after it names one (`/organizations/{id}/members`)
_TENANT_COLLECTION = re.compile(r"^(tenant|org|organi[sz]ation|workspace)s?$", re.IGNORECASE)


class TenancyConfigError(ValueError):
    """`[tool.migrator] tenant_attr / tenant_header` is not a string or a list of strings."""


@dataclass(frozen=True)
class TenantRules:
    attrs: tuple[str, ...] = DEFAULT_ATTRS
    headers: frozenset[str] = frozenset()  # extra tenant header names, lower-cased

    def is_tenant_header(self, name: str) -> bool:
        return bool(_DEFAULT_HEADER.match(name)) or name.lower() in self.headers

    def identity_pattern(self, params: list[str]) -> re.Pattern | None:
        """`param.attr` of a tenant attribute, and `param.id` of a parameter that is the tenant object itself."""
        if not params:
            return None
        names = "|".join(re.escape(p) for p in params)
        attrs = "|".join(re.escape(a) for a in sorted(set(self.attrs), key=len, reverse=True))
        pattern = rf"\b({names})\s*\.\s*({attrs})\b"
        objects = "|".join(re.escape(p) for p in params if TENANT_OBJECT.match(p))
        if objects:
            pattern += rf"|\b({objects})\s*\.\s*(id)\b"
        return re.compile(pattern)


def _strings(value: object, key: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TenancyConfigError(f"{source}: [tool.migrator] {key} must be a string or a list of strings")


def load_rules(root: str) -> TenantRules:
    """Default rules plus `[tool.migrator] tenant_attr / tenant_header` of root/pyproject.toml (if readable)."""
    path = os.path.join(root, "pyproject.toml")
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return TenantRules()  # a broken pyproject.toml is reported by the catalog loader
    section = toml_table(data, "tool", "migrator")
    attrs = _strings(section.get("tenant_attr"), "tenant_attr", path)
    headers = _strings(section.get("tenant_header"), "tenant_header", path)
    return TenantRules(attrs=DEFAULT_ATTRS + attrs, headers=frozenset(h.lower() for h in headers))


def tenant_path_params(path: str) -> frozenset[str]:
    """The path parameters that name one item of a tenant collection, whatever they are called: `id` in
    `/v1/organizations/{id}/members`, `slug` in `/workspaces/{slug}`."""
    segments = path.strip("/").split("/")
    return frozenset(
        name for before, segment in zip(segments, segments[1:])
        if _TENANT_COLLECTION.match(before) and (name := segment_param(segment)) is not None
    )


def header_reads(text: str) -> list[str]:
    """Header names a function body reads itself (`request.headers.get("X")`, `request.headers["X"]`)."""
    out: list[str] = []
    for match in _HEADER_READ.finditer(text):
        if match.group(2) not in out:
            out.append(match.group(2))
    return out


def state_reads(text: str, names: list[str]) -> list[str]:
    """Attributes of `<name>.state` a body reads, for `names` its `Request` parameters (`request.state.db`)."""
    out: list[str] = []
    for match in _STATE_READ.finditer(text):
        if match.group(1) in names and match.group(2) not in out:
            out.append(match.group(2))
    return out


def state_sets(text: str) -> list[tuple[str, int]]:
    """(attribute, line offset in `text`) of each `request.state.<attr> = ...` (or `scope["state"]["<attr>"] = ...`)
    assignment in a body."""
    return [(m.group(1) or m.group(4), text.count("\n", 0, m.start())) for m in _STATE_SET.finditer(text)]


def cookie_reads(text: str, scope: str = "", resolve: Callable[[str], str | None] | None = None) -> list[str]:
    """Cookie names a body reads itself: `request.cookies.get("token")`, or through a name assigned a literal in
    `text` or `scope` (the class or module around it: `self._cookie = "access_token_cookie"`, `COOKIE = "sid"`),
    or a name or dotted name `resolve` finds a string for (`settings.SESSION_COOKIE`)."""
    out: list[str] = []
    for match in _COOKIE_READ.finditer(text):
        this, named = match.group(3), match.group(4)
        name = match.group(2)
        if name is None and "." not in named:
            name = _literal_of(named, text + "\n" + scope)
        if name is None and resolve is not None and not this:
            name = resolve(named)
        if name and name not in out:
            out.append(name)
    return out


def _literal_of(name: str, text: str) -> str | None:
    """The string literal `name` (or `self.name`) is assigned in `text`, if exactly one."""
    pattern = rf"""(?m)^\s*(?:self\.)?{re.escape(name)}\s*(?::[^=\n]+)?=\s*(["'])([A-Za-z0-9_.-]+)\1\s*(?:#.*)?$"""
    found = {match.group(2) for match in re.finditer(pattern, text)}
    return found.pop() if len(found) == 1 else None


def identity_reads(text: str, params: list[str], rules: TenantRules) -> list[str]:
    """`param.attr` reads of a tenant attribute on the function's identity parameters, in order."""
    pattern = rules.identity_pattern(params)
    out: list[str] = []
    if pattern is None:
        return out
    for match in pattern.finditer(text):
        name, attr = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        found = f"{name}.{attr}"
        if found not in out:
            out.append(found)
    return out


@dataclass
class ContextSource:
    """A tenant kept in a context variable (set by a middleware or a dependency) or read by a middleware."""

    file: str
    line: int
    what: str  # "ContextVar tenant_id_var" | "middleware reads X-Tenant-ID"

    @property
    def source(self) -> str:
        return f"context:{self.file}:{self.line}"


@dataclass
class SourceCache:
    """File text of the analysed root, read once each, for the body scans."""

    root: str
    texts: dict[str, list[str]] = field(default_factory=dict)

    def lines(self, file: str) -> list[str]:
        if file not in self.texts:
            try:
                with open(os.path.join(self.root, file), encoding="utf-8", errors="replace") as handle:
                    self.texts[file] = handle.read().splitlines()
            except OSError:
                self.texts[file] = []
        return self.texts[file]

    def span(self, file: str, first: int, last: int) -> str:
        return "\n".join(self.lines(file)[max(first - 1, 0):last])


def find_context_vars(cache: SourceCache, files: list[str]) -> list[ContextSource]:
    """Tenant-named context variables (`tenant_var = ContextVar("tenant_id")`) defined in these files."""
    out: list[ContextSource] = []
    for file in files:
        text = "\n".join(cache.lines(file))
        for match in _CONTEXT_VAR.finditer(text):
            if _TENANTISH.search(match.group(1)) or _TENANTISH.search(match.group(3)):
                line = text.count("\n", 0, match.start(1)) + 1
                out.append(ContextSource(file, line, f"ContextVar {match.group(1)}"))
    return out
