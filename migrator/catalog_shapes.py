"""Route shapes: which Standard API operation a legacy route looks like, by meaning rather than by exact path.

A shape is read from the route: the method; the path with its API prefixes (`/api`, `/v1`, `/admin`, ...) and
tenant scopes (`/orgs/{org_id}`, `/tenants/{tid}`, `/workspaces/{ws}`) set aside; the remaining resource segments
(a collection `users`, an item `users/{id}`, an action `users/{id}/deactivate`, a dashboard `stats/overview`); and
supporting evidence: the function's name, the model names of its response/body, and list query parameters
(page/limit/offset/skip/search). Each match has a confidence in [0, 1] and the evidence that produced it.

Scores: the path shape gives a base (0.6 for `users`, 0.5 for less certain nouns such as `members`), each kind of
supporting evidence adds 0.1 (admin prefix or tenant scope: 0.2; a function name with the operation's verb, and for
user operations a user noun: 0.2), capped at 0.95. `Catalog.match` accepts >= 0.8
(CONFIDENT); 0.5 <= confidence < 0.8 is a suggestion for `[tool.migrator.catalog]` to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrator.pathtemplates import segment_param
from migrator.primary import admin_guard

CONFIDENT = 0.8
SUGGEST = 0.5

_VERSION = re.compile(r"^v\d+(\.\d+)?$|^\d{4}-\d{2}(-\d{2})?$")
_PREFIXES = frozenset({"api", "rest", "internal", "private", "public", "auth", "iam", "identity"})
_ADMIN = frozenset({"admin", "manage", "management", "backoffice", "console", "sys", "system"})
_SCOPES = frozenset({"tenant", "tenants", "org", "orgs", "organization", "organizations", "organisation",
                     "organisations", "workspace", "workspaces", "team", "teams", "company", "companies", "t"})
_USERS = {"users": 0.6, "user": 0.55, "members": 0.5, "member": 0.45, "staff": 0.45, "accounts": 0.4}
# The caller's own customer account, singular and without an id, before a user collection (`/client/members`,
# `/account/users`): the members of the caller's tenant, like `/team/members`. Elsewhere these stay resources.
_OWN_ACCOUNT = frozenset({"client", "account", "customer"})
_ADMINS = frozenset({"admins", "administrators"})
_SELF = frozenset({"me", "self", "current", "current-user", "profile"})
_SUSPEND = frozenset({"suspend", "deactivate", "disable", "block", "ban", "lock"})
_ACTIVATE = frozenset({"activate", "reactivate", "enable", "unblock", "unban", "unlock"})
_DELETE = frozenset({"delete", "remove"})
_TENANT_PARAM = re.compile(r"^(tenant|org|organi[sz]ation|workspace|team|company)(_?id|_slug|_name)?$", re.I)
_MAX_NAMESPACE = 2  # literal segments before an API prefix read as the service's namespace (`/users/api/v1`)
_FIXED_STATUS = frozenset({"update_user/suspend", "update_user/activate"})
_LIST_QUERY = frozenset({"page", "limit", "offset", "skip", "search", "q", "per_page", "page_size", "size"})
_LISTING = frozenset({"all", "list", "search"})  # `GET /users/all`: the whole collection
_CREATING = frozenset({"create", "new", "add"})  # `POST /users/create`: a new item of the collection
# A verb between the collection and the item (`GET /users/get/{id}`, `PUT /users/update/{id}`): the operation it
# names, with the methods that can mean it
_ITEM_VERBS: dict[str, tuple[str, frozenset[str]]] = {
    **{verb: ("get_user", frozenset({"GET"})) for verb in ("get", "detail", "details", "show", "fetch", "retrieve")},
    **{verb: ("update_user", frozenset({"PUT", "PATCH", "POST"})) for verb in ("update", "edit", "modify")},
    **{verb: ("delete_user", frozenset({"DELETE", "POST"})) for verb in ("delete", "remove")},
}
# A singular noun alone (`GET /user`, `GET /api/account`) answers the caller's own record, not a listing
_SINGULAR = frozenset({"user", "member", "account"})
_PLURAL_WORDS = frozenset({"users", "members", "accounts", "list", "all"})
# A response model naming one user (`schemas.User`, `UserRead`): the route answers one object, never a listing
_ONE_USER = re.compile(r"^(\w+\.)*(User|Member|Account)(Out|Read|Public|Response|Schema|Detail|Info|Model|InDB)?$")
# Dashboard resources (segments after prefixes and scopes) -> operation, base confidence.
_DASHBOARD: dict[tuple[str, ...], tuple[str, float]] = {
    ("dashboard",): ("get_tenant_stats", 0.6),
    ("dashboard", "stats"): ("get_tenant_stats", 0.6),
    ("dashboard", "summary"): ("get_tenant_stats", 0.6),
    ("dashboard", "overview"): ("get_tenant_stats", 0.6),
    ("stats",): ("get_tenant_stats", 0.55),
    ("stats", "overview"): ("get_tenant_stats", 0.6),
    ("stats", "summary"): ("get_tenant_stats", 0.6),
    ("statistics",): ("get_tenant_stats", 0.55),
    ("analytics", "overview"): ("get_tenant_stats", 0.55),
    ("dashboard", "costs"): ("get_tenant_costs", 0.6),
    ("stats", "costs"): ("get_tenant_costs", 0.6),
    ("usage", "costs"): ("get_tenant_costs", 0.55),
    ("costs",): ("get_tenant_costs", 0.5),
    ("dashboard", "usage-patterns"): ("get_usage_patterns", 0.6),
    ("stats", "usage-patterns"): ("get_usage_patterns", 0.6),
    ("usage-patterns",): ("get_usage_patterns", 0.55),
    ("usage", "patterns"): ("get_usage_patterns", 0.55),
    ("dashboard", "top-users"): ("get_top_users", 0.6),
    ("stats", "top-users"): ("get_top_users", 0.6),
    ("top-users",): ("get_top_users", 0.55),
    ("users", "top"): ("get_top_users", 0.55),
}
# Tenant collections whose items a tenant lifecycle route acts on (`/platform/tenants/{id}/deactivate`).
_TENANT_NOUNS = frozenset({"tenants", "tenant", "organizations", "organisations", "orgs", "schools", "workspaces",
                           "universities", "institutions", "customers", "companies"})
_DEACTIVATE = frozenset({"deactivate", "suspend", "disable", "archive", "close", "offboard"})
_REACTIVATE = frozenset({"reactivate", "activate", "enable", "resume", "restore", "unsuspend", "reopen"})
# Words in function names that support an operation.
_VERBS = {
    "list_users": ("list", "get", "read", "fetch", "all", "search"),
    "create_user": ("create", "add", "new", "invite"),
    "get_user": ("get", "read", "fetch", "show", "retrieve", "detail", "details"),
    "update_user": ("update", "edit", "modify", "patch", "change", "set", "suspend", "deactivate", "disable",
                    "activate", "enable", "block", "unblock", "demote"),
    "delete_user": ("delete", "remove", "destroy", "drop"),
    "get_tenant_stats": ("dashboard", "stats", "statistics", "overview", "summary"),
    "get_tenant_costs": ("cost", "costs", "billing", "spend"),
    "get_usage_patterns": ("usage", "pattern", "patterns", "hourly"),
    "get_top_users": ("top", "leaderboard", "active"),
    "get_settings": ("settings", "config", "configuration"),
    "update_settings": ("settings", "config", "configuration"),
    "deactivate_tenant": tuple(sorted(_DEACTIVATE)),
    "activate_tenant": tuple(sorted(_REACTIVATE | {"register", "create", "signup", "onboard", "provision"})),
    "get_tenant_status": ("status", "state"),
}


@dataclass
class Shape:
    """What a route looks like, with the evidence for it."""

    key: str  # catalog key: operation or operation/variant
    confidence: float
    evidence: list[str] = field(default_factory=list)
    item_param: str | None = None  # the route's path parameter naming the user (item routes)
    scope_param: str | None = None  # the route's path parameter naming the tenant/org (nested routes)


@dataclass
class _Path:
    segments: list[str]
    admin: bool = False
    scope: str | None = None  # the tenant/org path parameter
    scope_noun: str | None = None
    trailing_slash: bool = False
    current_scope: str | None = None  # `groups` in `/groups/members` (the caller's tenant)
    prefixes: list[str] = field(default_factory=list)
    namespace: list[str] = field(default_factory=list)  # `permissions` in `/permissions/tenants/{id}/users`


def _is_prefix(segment: str) -> bool:
    return segment.lower() in _PREFIXES or bool(_VERSION.match(segment)) or segment.lower() in _ADMIN


def _namespace_end(raw: list[str]) -> int:
    """Where the service's own namespace ends when literal segments come before its API prefix
    (`/users/api/v1/user`, `/billing/v2/...`: a module's routes mounted under its name), else 0."""
    for index, segment in enumerate(raw[:_MAX_NAMESPACE + 1]):
        if segment_param(segment):
            return 0
        if index and (segment.lower() in _PREFIXES or _VERSION.match(segment)):
            return 0 if _is_prefix(raw[0]) else index
    return 0


def _split(path: str) -> _Path:
    trailing = len(path) > 1 and path.endswith("/")
    raw = [s for s in path.strip("/").split("/") if s]
    out = _Path([], trailing_slash=trailing)
    index = _namespace_end(raw)
    out.namespace = raw[:index]
    while index < len(raw) and _is_prefix(raw[index]):
        out.admin = out.admin or raw[index].lower() in _ADMIN
        out.prefixes.append(raw[index])
        index += 1
    rest = raw[index:]
    if rest and (param := segment_param(rest[0])) and _TENANT_PARAM.match(param) and len(rest) > 1:
        out.scope, out.scope_noun = param, ""  # `/api/v1/{organization}/users`
        rest = rest[1:]
    cleaned: list[str] = []
    i = 0
    while i < len(rest):
        segment = rest[i].lower()
        param = segment_param(rest[i + 1]) if i + 1 < len(rest) else None
        if segment in _SCOPES and param and i + 2 < len(rest) and out.scope is None:
            if not any(segment_param(s) for s in cleaned):  # `/permissions/tenants/{id}/users`: a namespace before
                out.namespace, cleaned = out.namespace + cleaned, []
            out.scope, out.scope_noun = param, rest[i]
            i += 2
            continue
        if segment in _ADMIN and not cleaned:
            out.admin = True
            i += 1
            continue
        own_account = segment in _OWN_ACCOUNT and rest[i + 1].lower() in _USERS if i + 1 < len(rest) else False
        if (segment in _SCOPES or segment in ("group", "groups") or own_account) and not cleaned \
                and i + 1 < len(rest) and not param:
            out.current_scope = rest[i]  # `/api/groups/members`: the caller's own tenant (no bonus: may be a group)
            i += 1
            continue
        cleaned.append(rest[i])
        i += 1
    out.segments = cleaned
    return out


def _user_shape(method: str, parts: _Path) -> Shape | None:
    seg = parts.segments
    if not seg:
        return None
    noun = seg[0].lower()
    if noun in _ADMINS:
        if len(seg) == 1 and method == "GET":
            return Shape("list_users/admins", 0.6, [f"GET on the `{seg[0]}` collection"])
        if len(seg) == 1 and method == "POST":
            return Shape("create_user/admin", 0.6, [f"POST on the `{seg[0]}` collection"])
        if len(seg) == 2 and segment_param(seg[1]) and method == "DELETE":
            return Shape("update_user/demote", 0.6, [f"DELETE of one `{seg[0]}` item"],
                         item_param=segment_param(seg[1]))
        return None
    base = _USERS.get(noun)
    if base is None:
        return None
    if len(seg) == 1:
        key = {"GET": "list_users", "POST": "create_user"}.get(method)
        return Shape(key, base, [f"{method} on the `{seg[0]}` collection"]) if key else None
    if len(seg) == 2 and method == "GET" and seg[1].lower() in _LISTING:
        return Shape("list_users", base, [f"GET `{seg[1]}` on the `{seg[0]}` collection"])
    if len(seg) == 2 and method == "POST" and seg[1].lower() in _CREATING:
        return Shape("create_user", base, [f"POST `{seg[1]}` on the `{seg[0]}` collection"])
    if len(seg) == 3 and (verb := _ITEM_VERBS.get(seg[1].lower())) and method in verb[1] \
            and (item := segment_param(seg[2])):
        return Shape(verb[0], base, [f"{method} `{seg[1]}` of one `{seg[0]}` item `{{{item}}}`"], item_param=item)
    item = segment_param(seg[1])
    if item is None or seg[1].lower() in _SELF:
        return None  # `/users/me`, `/users/bulk`, `/users/top`: not one user by id
    if len(seg) == 2:
        key = {"GET": "get_user", "PUT": "update_user", "PATCH": "update_user", "DELETE": "delete_user"}.get(method)
        return Shape(key, base, [f"{method} on one `{seg[0]}` item `{{{item}}}`"], item_param=item) if key else None
    if len(seg) == 3 and method in ("POST", "PUT", "PATCH"):
        action = seg[2].lower()
        if action in _SUSPEND:
            return Shape("update_user/suspend", base, [f"{method} `{seg[2]}` on one `{seg[0]}` item"],
                         item_param=item)
        if action in _ACTIVATE:
            return Shape("update_user/activate", base, [f"{method} `{seg[2]}` on one `{seg[0]}` item"],
                         item_param=item)
    if len(seg) == 3 and method in ("POST", "DELETE") and seg[2].lower() in _DELETE:
        return Shape("delete_user", base, [f"{method} `{seg[2]}` on one `{seg[0]}` item"], item_param=item)
    return None


def _dashboard_shape(method: str, parts: _Path) -> Shape | None:
    if method != "GET" and tuple(s.lower() for s in parts.segments) != ("settings",):
        return None
    seg = tuple(s.lower() for s in parts.segments)
    if seg == ("settings",):
        key = {"GET": "get_settings", "PUT": "update_settings", "PATCH": "update_settings"}.get(method)
        base = 0.6 if parts.admin or parts.scope else 0.45  # `/settings` alone is often the app's own settings
        return Shape(key, base, [f"{method} on `settings`"]) if key else None
    found = _DASHBOARD.get(seg)
    if found is None:
        return None
    key, base = found
    return Shape(key, base, [f"GET on `{'/'.join(parts.segments)}`"])


def _tenant_shape(method: str, path: str) -> Shape | None:
    """A tenant lifecycle route of the service's own: an action on one tenant of a tenant collection
    (``POST /platform/tenants/{id}/deactivate``, ``.../reactivate``) or its status (``GET .../{id}/status``)."""
    raw = [s for s in path.strip("/").split("/") if s]
    if method == "POST" and raw and raw[-1].lower() in _TENANT_NOUNS \
            and not (len(raw) >= 2 and segment_param(raw[-2])):  # `POST /users/{id}/tenants`: a membership
        # creating a tenant: a registration of the service's own shape; a suggestion to confirm, never automatic
        return Shape("activate_tenant/register", 0.5, [f"POST on the `{raw[-1]}` collection"])
    item = segment_param(raw[-2]) if len(raw) >= 3 else None
    if item is None or raw[-3].lower() not in _TENANT_NOUNS:
        return None
    action, noun = raw[-1].lower(), raw[-3]
    if method in ("POST", "PUT", "PATCH") and action in _DEACTIVATE:
        return Shape("deactivate_tenant", 0.6, [f"{method} `{raw[-1]}` on one `{noun}` item"], scope_param=item)
    if method in ("POST", "PUT", "PATCH") and action in _REACTIVATE:
        return Shape("activate_tenant/reactivate", 0.6, [f"{method} `{raw[-1]}` on one `{noun}` item"],
                     scope_param=item)
    if method == "GET" and action in ("status", "state"):
        return Shape("get_tenant_status", 0.6, [f"GET `{raw[-1]}` of one `{noun}` item"], scope_param=item)
    return None


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}


def _support(shape: Shape, route, parts: _Path) -> None:
    operation = shape.key.split("/", 1)[0]
    if parts.admin:
        shape.confidence += 0.2
        shape.evidence.append(f"under an admin prefix (`/{'/'.join(parts.prefixes)}`)")
    elif parts.scope:
        shape.confidence += 0.2
        scope = f"{parts.scope_noun + '/' if parts.scope_noun else ''}{{{parts.scope}}}"
        within = f" of the `{'/'.join(parts.namespace)}` routes" if parts.namespace else ""
        shape.evidence.append(f"nested under `{scope}`{within}")
        shape.scope_param = parts.scope
    elif parts.prefixes and (guard := admin_guard(route)):
        # an API route (`/users/api/v1/user`) behind `Depends(check_admin)`: an administrator's; a page is not
        shape.confidence += 0.2
        shape.evidence.append(f"guarded by the admin dependency `{guard.rsplit('.', 1)[-1]}`")
    function = str(getattr(route, "function", "") or "").rsplit(".", 1)[-1]
    words = _words(function)
    verbs = _VERBS.get(operation, ())
    nouns = {"user", "users", "member", "members", "account", "accounts", "admin", "admins", "staff"}
    user_op = operation in ("list_users", "create_user", "get_user", "update_user", "delete_user")
    if words & set(verbs):  # the name says what it does (and, for user operations, to whom): strong evidence
        strong = not user_op or bool(words & nouns)
        shape.confidence += 0.2 if strong else 0.1
        shape.evidence.append(f"function `{function}`")
    params = getattr(route, "params", None) or []
    query = sorted({p.name for p in params if getattr(p, "kind", "") == "query"} & _LIST_QUERY)
    if operation == "list_users" and query:
        shape.confidence += 0.1
        shape.evidence.append(f"list query parameters {', '.join(query)}")
    models = " ".join(str(getattr(route, "response_model", "") or "").split()) + " " + " ".join(
        str(getattr(p, "annotation", "") or "") for p in params if getattr(p, "kind", "") == "body")
    if user_op and re.search(r"User|Member|Account", models):
        shape.confidence += 0.1
        shape.evidence.append("user model in the signature")
    if parts.current_scope:
        shape.evidence.append(f"under `{parts.current_scope}`")
    if parts.trailing_slash:
        shape.evidence.append("trailing slash")
    shape.confidence = round(min(shape.confidence, 0.95), 2)


def _tenant_support(shape: Shape, route) -> None:
    """The tenant's path parameter named like one (`tenant_id`, `org_id`), and a function named for the action."""
    operation = shape.key.split("/", 1)[0]
    if shape.scope_param and _TENANT_PARAM.match(shape.scope_param):
        shape.confidence += 0.2
        shape.evidence.append(f"the tenant is `{{{shape.scope_param}}}`")
    function = str(getattr(route, "function", "") or "").rsplit(".", 1)[-1]
    if _words(function) & set(_VERBS.get(operation, ())):
        shape.confidence += 0.2
        shape.evidence.append(f"function `{function}`")
    cap = 0.75 if shape.key == "activate_tenant/register" else 0.95  # creation is confirmed by a person
    shape.confidence = round(min(shape.confidence, cap), 2)


def _answers_the_caller(route, parts: _Path) -> bool:
    """`GET /user` (a singular noun alone): the caller's own record (a profile, `/me`), unless the route lists
    (list query parameters, or a function named for many: `get_users`, `list_accounts`)."""
    if len(parts.segments) != 1 or parts.segments[0].lower() not in _SINGULAR:
        return False
    params = getattr(route, "params", None) or []
    if {p.name for p in params if getattr(p, "kind", "") == "query"} & _LIST_QUERY:
        return False
    function = str(getattr(route, "function", "") or "").rsplit(".", 1)[-1]
    return not _words(function) & _PLURAL_WORDS


def route_model(route) -> str:
    return "".join(str(getattr(route, "response_model", "") or "").split())


def shape_of(route) -> Shape | None:
    """The operation a route looks like, or None. `route` needs `methods` and `path`; `function`, `params`
    (name, kind, annotation) and `response_model` add evidence when present."""
    path = str(route.path)
    if path.startswith("/mt/"):  # the Standard API itself
        return None
    parts = _split(path)
    best: Shape | None = None
    for method in route.methods:
        tenant = _tenant_shape(method, path)
        shape = tenant or _user_shape(method, parts) or _dashboard_shape(method, parts)
        if shape is None or (shape.key == "list_users" and _ONE_USER.match(str(route_model(route)))):
            continue
        if shape.key == "list_users" and _answers_the_caller(route, parts):
            continue
        if shape.key in _FIXED_STATUS and "toggle" in _words(str(getattr(route, "function", "") or "")):
            continue  # `toggle_activated`: flips the state, the standard update sets one
        if shape.key == "create_user" and len(parts.segments) == 2 and "GET" in route.methods:
            continue  # `GET, POST /users/create`: a page with its form, not an API creating users
        if tenant is not None:
            _tenant_support(shape, route)
        else:
            _support(shape, route, parts)
        if best is None or shape.confidence > best.confidence:
            best = shape
    return best
