"""The catalog: legacy route -> Standard API operation (handler method, standard path, parameter mapping, adapters).

Built-in entries cover the advisor / llm_chatbot route families (DESIGN.md mapping table, manual §5.3 shapes).
A target extends or trims them in its pyproject.toml:

    [tool.migrator.catalog]
    exclude = ["list_users/admins"]          # built-in keys (operation or operation/variant) to drop

    [[tool.migrator.catalog.entries]]
    operation = "get_tenant_stats"           # a StandardAPIHandler method
    variant = "v1"                           # optional; several legacy routes may feed one operation
    methods = ["GET"]
    paths = ["/api/v1/dashboard"]            # legacy patterns; path parameter names are free
    param_map = { days = "period" }          # legacy parameter -> standard parameter
    adapters = ["stats_from_dashboard"]      # shims.adapters functions the generated handler uses
    # optional: standard_method / standard_path (default: the operation's), body_model, fixed, primary,
    #           tenant_scoped, notes

User entries are tried before the built-in ones. A pattern starting with `/admin` also matches `/api/admin...`
(the manual's spelling) and the other way round.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from codemods._target import toml_table
from migrator.catalog_shapes import CONFIDENT, SUGGEST, shape_of
from migrator.inventory.tenancy import TENANT_PARAM
from migrator.pathtemplates import path_params, segment_param
from shims import spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

#: Every StandardAPIHandler method -> (standard method, standard path), from `shims.spec` (the one definition).
#: list_tenants / get_tenant_summary are served by the Service Market alias router, not under /mt.
OPERATIONS: dict[str, tuple[str, str]] = {op.name: (op.method, op.path) for op in spec.OPERATIONS}
#: Operations with a working default in StandardAPIHandler (never a 501 by themselves): None for a default of its
#: own, else the operation it is derived from.
DEFAULTED: dict[str, str | None] = {
    op.name: (None if op.fallback == "default" else op.fallback.removeprefix("operation:"))
    for op in spec.OPERATIONS if op.fallback
}

Operation = Literal[
    "check_health", "activate_tenant", "deactivate_tenant", "get_tenant_status", "get_tenant_usage",
    "get_tenant_stats", "get_tenant_costs", "get_top_users", "get_usage_patterns", "list_users", "create_user",
    "get_user", "update_user", "delete_user", "list_resources", "get_settings", "update_settings", "get_limits",
    "list_tenants", "get_tenant_summary",
]



class CatalogError(ValueError):
    """An invalid catalog extension; the message names the file. The CLI exits 2 on it."""


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Operation
    variant: str | None = None
    methods: list[HttpMethod] = Field(min_length=1)
    paths: list[str] = Field(min_length=1)
    standard_method: HttpMethod | None = None
    standard_path: str | None = None
    param_map: dict[str, str] = Field(default_factory=dict)
    body_model: str | None = None  # standard request model the legacy body maps to
    fixed: dict[str, str] = Field(default_factory=dict)  # standard fields the variant fixes (role, status)
    adapters: list[str] = Field(default_factory=list)
    primary: bool = True  # this route's logic implements the operation (others become aliases)
    tenant_scoped: bool = True  # False: provisioning / cross-tenant (no tenant source needed)
    notes: str = ""

    @field_validator("methods", mode="before")
    @classmethod
    def _upper(cls, value):
        if isinstance(value, str):
            value = [value]
        return [v.upper() if isinstance(v, str) else v for v in value]

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/"):
                raise ValueError(f"path {path!r} must start with '/'")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> CatalogEntry:
        method, path = OPERATIONS[self.operation]
        if self.standard_method is None:
            self.standard_method = method
        if self.standard_path is None:
            self.standard_path = path
        return self

    @property
    def key(self) -> str:
        return f"{self.operation}/{self.variant}" if self.variant else self.operation


class Match(BaseModel):
    """A route matched to an entry. `bindings`: pattern path parameter -> the route's own parameter name.

    `confidence` is 1.0 for an entry's path pattern (built-in or `[tool.migrator.catalog]`), lower for a route
    recognised by its shape (`migrator.catalog_shapes`); `evidence` says what matched."""

    entry: CatalogEntry
    pattern: str
    bindings: dict[str, str] = Field(default_factory=dict)
    confidence: float = 1.0
    evidence: list[str] = Field(default_factory=list)

    @property
    def operation(self) -> str:
        return self.entry.operation

    @property
    def standard_path(self) -> str:
        return self.entry.standard_path or ""

    @property
    def param_map(self) -> dict[str, str]:
        """The entry's mapping with the route's own names for path parameters (`uid` -> `user_id`); a path
        parameter the entry does not map is paired with the standard path's own (not the tenant), in order, so that
        `[tool.migrator.catalog]` entries need no `param_map` for path parameters named differently."""
        mapped = {self.bindings.get(legacy, legacy): standard for legacy, standard in self.entry.param_map.items()}
        standard = [p for p in path_params(self.entry.standard_path or "") if p != "tenant_id"]
        free = [p for p in standard if p not in mapped.values()]
        route_params = [name for name in self.bindings.values()
                        if name not in mapped and not TENANT_PARAM.match(name)]
        if free and len(route_params) == len(free):
            mapped.update(zip(route_params, free))
        return mapped


class _RouteLike(Protocol):
    methods: list[str]
    path: str


def _segments(path: str) -> list[str]:
    if len(path) > 1:
        path = path.rstrip("/")  # "/admin/users/" (a router's "/" under a prefix) is the same resource
    return path.split("/")[1:]


def _spellings(pattern: str) -> list[str]:
    if pattern.startswith("/api/admin"):
        return [pattern, pattern[len("/api"):]]
    if pattern.startswith("/admin"):
        return [pattern, "/api" + pattern]
    return [pattern]


def match_path(pattern: str, path: str) -> dict[str, str] | None:
    """Bindings when `path` matches `pattern` (parameter names free), else None."""
    want, have = _segments(pattern), _segments(path)
    if len(want) != len(have):
        return None
    bindings: dict[str, str] = {}
    for w, h in zip(want, have):
        wp, hp = segment_param(w), segment_param(h)
        if wp:
            if not hp:
                return None
            bindings[wp] = hp
        elif w != h or hp:
            return None
    return bindings


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[CatalogEntry]
    source: str | None = None  # pyproject.toml that extended it
    user_entries: list[CatalogEntry] = Field(default_factory=list)  # from [tool.migrator.catalog]

    def match(self, route: _RouteLike) -> Match | None:
        """The entry whose path pattern the route matches (confidence 1), else a confident match by shape
        (confidence >= CONFIDENT), else None. Phase 1 moves what this returns."""
        exact = self.match_pattern(route)
        if exact is not None:
            return exact
        shaped = self._by_shape(route)
        return shaped if shaped is not None and shaped.confidence >= CONFIDENT else None

    def suggest(self, route: _RouteLike) -> Match | None:
        """A match by shape too uncertain for `match` (SUGGEST <= confidence < CONFIDENT): shown as a suggestion;
        an entry in `[tool.migrator.catalog]` with the route's method and path confirms it."""
        if self.match_pattern(route) is not None:
            return None
        shaped = self._by_shape(route)
        return shaped if shaped is not None and SUGGEST <= shaped.confidence < CONFIDENT else None

    def match_pattern(self, route: _RouteLike) -> Match | None:
        for entry in self.entries:
            if not set(route.methods) & set(entry.methods):
                continue
            for pattern in entry.paths:
                for spelling in _spellings(pattern):
                    bindings = match_path(spelling, route.path)
                    if bindings is not None:
                        where = "[tool.migrator.catalog]" if entry in self.user_entries else "the built-in catalog"
                        return Match(entry=entry, pattern=spelling, bindings=bindings,
                                     evidence=[f"path matches `{spelling}` ({where}, `{entry.key}`)"])
        return None

    def _by_shape(self, route: _RouteLike) -> Match | None:
        shape = shape_of(route)
        if shape is None:
            return None
        base = self.entry(shape.key)
        if base is None:  # excluded in [tool.migrator.catalog]
            return None
        names = path_params(route.path)
        param_map = {k: v for k, v in base.param_map.items() if k not in ("user_id", "tenant_id")}
        if shape.item_param:
            param_map[shape.item_param] = "user_id"
        methods = [m for m in route.methods if m in ("GET", "POST", "PUT", "PATCH", "DELETE")]
        entry = base.model_copy(update={
            "paths": [route.path], "methods": methods, "param_map": param_map,
            "notes": f"recognised by shape ({', '.join(shape.evidence)})",
        })
        return Match(entry=entry, pattern=route.path, bindings={n: n for n in names},
                     confidence=shape.confidence, evidence=shape.evidence)

    def entry(self, key: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.key == key), None)


def _e(**kwargs) -> CatalogEntry:
    return CatalogEntry(**kwargs)


_STATS_NOTE = (
    "legacy windows are fixed (today, 7 and 30 days): 7d and 30d are exact; 90d is approximate "
    "(active users of 30 days, message/token sums capped at the 30-day trend)"
)

BUILTIN: tuple[CatalogEntry, ...] = (
    _e(operation="activate_tenant", variant="demo_request", methods=["POST"], paths=["/api/marketplace/demo/request"],
       body_model="ActivateRequest", tenant_scoped=False,
       adapters=["marketplace_payload_from_activate", "activate_from_marketplace"],
       notes="advisor: nested Service Market payload (manual §3.1); tenant_manager logic moves to the handler"),
    _e(operation="activate_tenant", variant="demo_provision", methods=["POST"],
       paths=["/api/marketplace/demo/provision"], body_model="ActivateRequest", tenant_scoped=False,
       adapters=["provision_payload_from_activate", "activate_from_provision"],
       notes="llm_chatbot: flat provision body; tenant_manager logic moves to the handler"),
    _e(operation="get_tenant_stats", methods=["GET"], paths=["/admin/dashboard"],
       adapters=["stats_from_dashboard", "costs_from_legacy"], notes=_STATS_NOTE),
    _e(operation="get_tenant_costs", methods=["GET"], paths=["/admin/dashboard/costs"],
       param_map={"days": "period"}, adapters=["period_to_days", "costs_from_legacy"],
       notes="days=30 <-> period=30d"),
    _e(operation="get_usage_patterns", methods=["GET"], paths=["/admin/dashboard/usage-patterns"],
       param_map={"days": "period"}, adapters=["period_to_days", "usage_patterns_from_legacy"],
       notes="standard extension (plan §2.1)"),
    _e(operation="get_top_users", methods=["GET"], paths=["/admin/dashboard/top-users"],
       param_map={"days": "period", "limit": "limit"}, adapters=["period_to_days", "top_users_from_legacy"]),
    _e(operation="list_users", methods=["GET"], paths=["/admin/users"],
       param_map={"page": "offset", "limit": "limit", "search": "search"},
       adapters=["collect_users", "users_list_from_legacy", "user_from_legacy"],
       notes="page/limit <-> limit/offset; role and status are filtered client-side"),
    _e(operation="list_users", variant="admins", methods=["GET"], paths=["/admin/admins"], fixed={"role": "admin"},
       primary=False, adapters=["users_list_from_legacy", "user_from_legacy"],
       notes="served by list_users with role=admin"),
    _e(operation="create_user", methods=["POST"], paths=["/admin/users"], body_model="CreateUserRequest",
       adapters=["create_user_payload", "create_user_response_from_legacy"]),
    _e(operation="create_user", variant="admin", methods=["POST"], paths=["/admin/admins"],
       body_model="CreateUserRequest", fixed={"role": "admin"}, primary=False,
       adapters=["create_user_payload", "create_user_response_from_legacy"],
       notes="served by create_user with role=admin"),
    _e(operation="get_user", methods=["GET"], paths=["/admin/users/{user_id}"], param_map={"user_id": "user_id"},
       adapters=["user_from_legacy"], notes="user id int <-> str"),
    _e(operation="update_user", methods=["PUT"], paths=["/admin/users/{user_id}"], param_map={"user_id": "user_id"},
       body_model="UpdateUserRequest", adapters=["update_user_payload", "user_from_legacy"],
       notes="user id int <-> str"),
    _e(operation="update_user", variant="suspend", methods=["POST"], paths=["/admin/users/{user_id}/suspend"],
       param_map={"user_id": "user_id"}, fixed={"status": "suspended"}, primary=False,
       adapters=["user_from_legacy"], notes="served by update_user with status=suspended"),
    _e(operation="update_user", variant="activate", methods=["POST"], paths=["/admin/users/{user_id}/activate"],
       param_map={"user_id": "user_id"}, fixed={"status": "active"}, primary=False,
       adapters=["user_from_legacy"], notes="served by update_user with status=active"),
    _e(operation="update_user", variant="demote", methods=["DELETE"], paths=["/admin/admins/{user_id}"],
       param_map={"user_id": "user_id"}, fixed={"role": "user"}, primary=False,
       adapters=["user_from_legacy"], notes="removing an admin = update_user with role=user"),
    _e(operation="delete_user", methods=["DELETE"], paths=["/admin/users/{user_id}"],
       param_map={"user_id": "user_id"}, adapters=["delete_response_from_legacy"], notes="user id int <-> str"),
    _e(operation="list_tenants", methods=["GET"], paths=["/api/tenant/list"], tenant_scoped=False,
       adapters=["tenant_summary_from_legacy", "tenant_list_to_legacy"],
       notes="Service Market alias; the compat router serves the same path after phase 1"),
    _e(operation="get_tenant_status", methods=["GET"], paths=["/api/tenant/status/{tenant_id}"],
       param_map={"tenant_id": "tenant_id"}, adapters=["status_from_legacy", "tenant_summary_from_legacy"],
       notes="also implements get_tenant_summary (the Service Market alias of the same route)"),
    _e(operation="deactivate_tenant", methods=["POST"], paths=["/api/tenant/{tenant_id}/deactivate"],
       param_map={"tenant_id": "tenant_id"}, body_model="DeactivateRequest",
       adapters=["deactivation_response"], notes="a tenant lifecycle route of the service's own (usually by shape)"),
    _e(operation="activate_tenant", variant="register", methods=["POST"], paths=["/api/tenant/register"],
       body_model="ActivateRequest", tenant_scoped=False, adapters=["activation_from_registration"],
       notes="a registration route of the service's own shape: its body is filled from the activation request "
             "field by field (migrator.lifecycle.registration); confirm one recognised by shape in "
             "[tool.migrator.catalog]"),
    _e(operation="activate_tenant", variant="reactivate", methods=["POST"], paths=["/api/tenant/{tenant_id}/reactivate"],
       param_map={"tenant_id": "tenant_id"}, primary=False, adapters=["check_reactivation", "reactivation_response"],
       notes="reactivates an existing tenant (its own contact only): the reactivation part of activate_tenant"),
    _e(operation="get_settings", methods=["GET"], paths=["/admin/settings"], adapters=["settings_from_legacy"]),
    _e(operation="update_settings", methods=["PUT"], paths=["/admin/settings"], body_model="UpdateSettingsRequest",
       adapters=["update_settings_payload", "settings_from_legacy"]),
)


class _Extension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[CatalogEntry] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


def builtin_catalog() -> Catalog:
    return Catalog(entries=list(BUILTIN))


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"])
        parts.append(f"{loc}: {error['msg']}" if loc else error["msg"])
    return "; ".join(parts)


def load_catalog(root: str | Path) -> Catalog:
    """Built-in entries plus `[tool.migrator.catalog]` of root/pyproject.toml. Raises CatalogError when invalid."""
    pyproject = Path(root) / "pyproject.toml"
    if not pyproject.is_file():
        return builtin_catalog()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{pyproject}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise CatalogError(f"{pyproject}: cannot read: {exc.strerror or exc}") from None
    if not isinstance(toml_table(data, "tool").get("migrator", {}), dict):
        raise CatalogError(f"{pyproject}: [tool.migrator] must be a table")
    section = toml_table(data, "tool", "migrator").get("catalog")
    if section is None:
        return builtin_catalog()
    if not isinstance(section, dict):
        raise CatalogError(f"{pyproject}: [tool.migrator.catalog] must be a table")
    try:
        extension = _Extension.model_validate(section)
    except ValidationError as exc:
        raise CatalogError(f"{pyproject}: [tool.migrator.catalog] {_format_errors(exc)}") from None
    known = {entry.key for entry in BUILTIN}
    unknown = [key for key in extension.exclude if key not in known]
    if unknown:
        raise CatalogError(f"{pyproject}: [tool.migrator.catalog] exclude: unknown built-in entries {unknown}")
    keys = [entry.key for entry in extension.entries]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise CatalogError(f"{pyproject}: [tool.migrator.catalog] entries: duplicate keys {duplicates}")
    builtin = [e for e in BUILTIN if e.key not in extension.exclude and e.key not in keys]
    return Catalog(entries=extension.entries + builtin, source=str(pyproject), user_entries=extension.entries)
