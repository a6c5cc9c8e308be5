"""Which of an operation's routes holds its logic (the primary), when several map to the same operation.

The Standard API's operations are an administrator's (create_user: an admin creates a user of the tenant), so of
two routes mapping to one operation the one a user would expect comes first: one every deployment serves, then
one scoped to a tenant (by a header, the path, the caller's identity, a token or a context: in a multi-tenant app
a route reading none is platform-wide, not one tenant's; a `?tenant=` query parameter is often only a filter, so
it does not count), then one guarded by an admin dependency (`Depends(get_current_active_superuser)`, `require_admin`, `Admin.get_current`),
then an authenticated one, then one whose path says so (`/admin/...`, `/users/create`); an open route (a public
sign-up, `POST /users/`) comes last. The others are candidates: the report says which route won and why.

Works on the inventory's `Route` (its parameters' and levels' dependencies) and on the plan's `PlannedRoute`
(the `guard` the planner recorded from it).
"""

from __future__ import annotations

import re
from typing import Any, Optional

_PRIVILEGED = frozenset({"admin", "admins", "administrator", "superuser", "superusers", "superadmin", "sudo",
                         "staff", "privileged"})
_PATH_WORDS = frozenset({"admin", "admins", "create"})


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)  # `AdminUser` -> `Admin User`
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def _says_admin(dotted: str) -> bool:
    """`deps.get_current_active_superuser`, `require_admin`, `Admin.get_current`: the function's name, and its
    class when it is a method (a capitalised owner), name an administrator."""
    parts = dotted.split(".")
    named = [parts[-1]] + ([parts[-2]] if len(parts) > 1 and parts[-2][:1].isupper() else [])
    return any(_words(part) & _PRIVILEGED for part in named)


def admin_guard(route: Any) -> Optional[str]:
    """The dependency (dotted name) guarding an inventory route that names an administrator, else None."""
    names = [p.dependency for p in getattr(route, "params", ()) if getattr(p, "dependency", None)]
    names += list(getattr(route, "dependencies", ()))
    return next((name for name in names if _says_admin(name)), None)


def _guard(route: Any) -> Optional[str]:
    return route.guard if hasattr(route, "guard") else admin_guard(route)


def _path_says(route: Any) -> Optional[str]:
    segments = [s.lower() for s in str(route.path).strip("/").split("/")]
    return next((s for s in segments if s in _PATH_WORDS), None)


def primary_order(route: Any) -> tuple[bool, bool, bool, bool, bool, bool]:
    """Sort key choosing which of an operation's routes holds its logic: a route every deployment serves first,
    then one deployment configuration turns on (`if settings.X:` decided by a default or a `.env` value), then one
    registered under a condition not known statically (a local-only router is no operation's implementation);
    among those, one scoped to a tenant (in a single-tenant app none is: no difference), then an admin-guarded
    route, then an authenticated one, then one whose path says admin/create."""
    return (bool(route.conditional), bool(getattr(route, "configured", False)), not _scoped(route),
            _guard(route) is None, not route.auth, _path_says(route) is None)


def _scoped(route: Any) -> bool:
    """Whether the route is scoped to one tenant: its tenant source is anything but a query parameter."""
    source = getattr(route, "tenant_source", None) or ""
    return bool(source) and not source.startswith("query:")


def privilege(route: Any) -> str:
    """How a route is guarded, in words: for the reason a candidate gives."""
    guard = _guard(route)
    if guard is not None:
        return f"guarded by the admin dependency `{guard.rsplit('.', 1)[-1]}`"
    if route.auth:
        return f"authenticated ({', '.join(route.auth)})"
    return "open (migrator sees no admin guard or authentication)"


def _why_first(chosen: Any, route: Any) -> str:
    """What puts `chosen` before `route`: the first part of `primary_order` that differs, in words."""
    if chosen.verdict.automatic and not route.verdict.automatic:
        return "it moves automatically"
    ahead, behind = primary_order(chosen), primary_order(route)
    if ahead[:2] != behind[:2]:
        return "every deployment serves it" if not any(ahead[:2]) else "more deployments serve it"
    if ahead[2] != behind[2]:
        return f"it is scoped to a tenant (`{chosen.tenant_source}`), this route is not"
    if ahead[3:5] != behind[3:5]:
        return privilege(chosen)
    if ahead[5] != behind[5]:
        return f"its path says `{_path_says(chosen)}`"
    return f"{privilege(chosen)} too, and listed first"


def candidate_reason(route: Any, chosen: Any, operation: str) -> str:
    """Why `route` (a planned route) is not `operation`'s primary: `chosen` holds its logic."""
    label = f"{','.join(chosen.methods)} {chosen.path}"
    return (f"a candidate for `{operation}`: the Standard API takes its logic from `{label}` "
            f"({_why_first(chosen, route)}); this route is {privilege(route)}")
