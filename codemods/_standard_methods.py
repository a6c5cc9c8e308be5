"""Source templates of the Standard API methods a generated handler implements on top of its moved legacy methods.

Each template calls the legacy method(s) that now hold an operation's logic, with the standard arguments mapped
to the legacy parameters (``period`` → ``days``, ``limit``/``offset`` → ``page``/``limit``, string user id → the
legacy id type), then converts the legacy JSON with `shims.adapters`. Legacy `HTTPException`s become standard errors
through `adapters.legacy_errors`. Sync legacy methods run in the thread pool, as FastAPI ran the sync routes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Optional

from ._util import ImportSpec
from .extract_handler import HandlerParam, MovedRoute

# Legacy parameter names that carry each standard input, when the catalog does not name them.
SYNONYMS = {
    "days": ("days", "period_days", "window_days", "window"),
    "limit": ("limit", "page_size", "per_page", "size"),
    "page": ("page", "page_number"),
    "search": ("search", "q", "query", "keyword"),
}
SCALARS = {"int", "str", "float", "bool", "dict", "list", "Optional", "None"}

# Operations every handler must implement (abstract in StandardAPIHandler): 501 when the service has no logic.
ABSTRACT = [
    ("activate_tenant", "request: ActivateRequest", "ActivateResponse"),
    ("deactivate_tenant", "tenant_id: str, request: DeactivateRequest", "DeactivateResponse"),
    ("get_tenant_status", "tenant_id: str", "StatusResponse"),
    ("get_tenant_usage", "tenant_id: str, period: str", "UsageResponse"),
    ("get_tenant_stats", "tenant_id: str, period: str", "StatsResponse"),
    ("get_tenant_costs", "tenant_id: str, period: str", "CostsResponse"),
    ("list_users", "tenant_id: str, filters: UserFilters", "UsersListResponse"),
    ("create_user", "tenant_id: str, request: CreateUserRequest", "CreateUserResponse"),
    ("get_user", "tenant_id: str, user_id: str", "UserInfo"),
    ("update_user", "tenant_id: str, user_id: str, request: UpdateUserRequest", "UserInfo"),
    ("delete_user", "tenant_id: str, user_id: str", "DeleteUserResponse"),
    ("get_settings", "tenant_id: str", "SettingsResponse"),
]


class TemplateError(Exception):
    """The legacy method's parameters do not fit the operation: a manual step."""


@dataclass
class Operation:
    """The moved legacy methods behind one standard operation (primary route plus variants)."""

    name: str
    routes: dict[Optional[str], MovedRoute] = field(default_factory=dict)  # variant (None = primary) -> route
    param_map: dict[str, str] = field(default_factory=dict)  # legacy parameter -> standard input
    adapter: Optional[str] = None
    manual: list[str] = field(default_factory=list)  # why routes of this operation stayed behind

    @property
    def primary(self) -> Optional[MovedRoute]:
        return self.routes.get(None)


@dataclass
class Rendered:
    code: str
    names: set[str]  # standard names the code uses (models, errors, helpers)


class Renderer:
    """Renders standard methods; `name(x)` maps a standard name to how the handler module imports it."""

    def __init__(self, name: Callable[[str], str], body_fields: Callable[[HandlerParam], Optional[set[str]]],
                 service: str) -> None:
        self.name = name
        self.body_fields = body_fields
        self.service = service
        self.used: set[str] = set()
        self.extra_imports: set[ImportSpec] = set()  # dependency functions the standard methods call

    def n(self, standard_name: str) -> str:
        self.used.add(standard_name)
        return self.name(standard_name)

    # -- calling a legacy method -------------------------------------------------------------------------------

    def call(self, route: MovedRoute, op: Operation, **inputs: str) -> str:
        """`await self.legacy_x(tenant=tenant_id, days=...)` with every required legacy parameter supplied."""
        args = []
        for param in route.params:
            expr = self._input_for(param, op, inputs)
            if expr is None:
                if param.default is None:
                    raise TemplateError(
                        f"`{route.function}` has a required parameter `{param.name}` that `{op.name}` cannot supply"
                    )
                continue
            args.append(f"{param.name}={expr}")
        if route.is_async:
            return _call(f"await self.{route.method}", args)
        self.used.add("run_in_threadpool")
        return _call("await run_in_threadpool", [f"self.{route.method}", *args])

    def _input_for(self, param: HandlerParam, op: Operation, inputs: dict[str, str]) -> Optional[str]:
        if param.kind == "tenant":
            return inputs.get("tenant", "tenant_id")
        if param.kind == "resource" and param.dependency:
            module, _, func = param.dependency.rpartition(".")
            self.extra_imports.add(ImportSpec(module, func))
            return f"{func}()"
        role = op.param_map.get(param.name)
        if role is None:
            for key, names in SYNONYMS.items():
                if param.name in names:
                    role = key
        if role is None and param.kind == "path":
            role = "user_id"
        if role is None and param.kind == "body":
            role = "body"
        if role is None and param.kind == "query" and param.annotation and _is_model(param.annotation):
            role = "body"
        if role == "user_id" and "user_id" in inputs:
            annotation = (param.annotation or "str").strip()
            return inputs["user_id"] if annotation == "str" else f"{self.n('adapters')}.legacy_user_id(user_id)"
        if role == "body" and "body" in inputs:
            model = param.annotation
            if model and _is_model(model):
                return f"{model}(**{inputs['body']})"
            return inputs["body"]
        return inputs.get(role) if role else None

    def body_param(self, route: MovedRoute) -> Optional[HandlerParam]:
        return next((p for p in route.params if p.kind == "body" or (p.annotation and _is_model(p.annotation)
                                                                      and p.kind == "query")), None)

    def head(self, op: str, params: str, returns: str) -> str:
        params = params.replace("DeactivateRequest", self.n("DeactivateRequest"))
        for model in ("ActivateRequest", "UserFilters", "CreateUserRequest", "UpdateUserRequest"):
            if model in params:
                params = params.replace(model, self.n(model))
        return f"async def {op}(self, {params}) -> {self.n(returns)}:\n"

    def errors(self, op: str, **extra: str) -> str:
        args = "".join(f", {k}={v}" for k, v in extra.items())
        return f'with {self.n("adapters")}.legacy_errors("{op}", tenant_id=tenant_id{args}):\n'

    def json(self, expr: str) -> str:
        # shims.adapters normalise what legacy code returns (models, datetimes) themselves
        return expr


def _call(func: str, args: list[str]) -> str:
    """A call on one line, or one argument a line when that would be long (the caller indents the block)."""
    one_line = f"{func}({', '.join(args)})"
    if len(one_line) <= 72 or not args:
        return one_line
    return f"{func}(\n" + "".join(f"    {a},\n" for a in args) + ")"


def _is_model(annotation: str) -> bool:
    head = annotation.split("[")[0].rsplit(".", 1)[-1].strip()
    return bool(head) and head[0].isupper() and head not in SCALARS and head not in {"Optional", "List", "Dict"}


def _indent(text: str, level: int = 1) -> str:
    pad = "    " * level
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


# --- one function per operation -----------------------------------------------------------------------------------


def render(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    fn = _RENDERERS.get(op.name)
    if fn is None or op.primary is None:
        raise TemplateError(f"no template for {op.name}")
    return fn(op, r, ops)


def _period_read(op_name: str, adapter: str, extra_inputs: str = "", extra_params: str = "") -> Callable:
    def render_(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
        returns = {
            "get_tenant_costs": "CostsResponse",
            "get_usage_patterns": "UsagePatternsResponse",
            "get_top_users": "TopUsersResponse",
        }[op_name]
        inputs = {"days": f"{r.n('adapters')}.period_to_days(period)"}
        if extra_inputs:
            inputs["limit"] = "limit"
        call = r.call(op.primary, op, **inputs)
        body = r.errors(op_name) + _indent(f"legacy = {r.json(call)}\n")
        extra = ", limit" if extra_params else ""
        body += f"return {r.n('adapters')}.{adapter}(tenant_id, period, legacy)\n"
        return r.head(op_name, f"tenant_id: str, period: str{extra and ', limit: int'}", returns) + _indent(body)

    return render_


def _stats(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    body = r.errors("get_tenant_stats") + _indent(f"dashboard = {r.json(r.call(op.primary, op))}\n")
    costs = ops.get("get_tenant_costs")
    tail = ""
    if costs is not None and costs.primary is not None:
        body += _indent(f"costs = {r.json(r.call(costs.primary, costs, days=f'{a}.period_to_days(period)'))}\n")
        tail = ", costs"
    body += f"return {a}.stats_from_dashboard(tenant_id, period, dashboard{tail})\n"
    return r.head("get_tenant_stats", "tenant_id: str, period: str", "StatsResponse") + _indent(body)


def _list_users(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    route = op.primary
    has_search = any(p.name in SYNONYMS["search"] or op.param_map.get(p.name) == "search" for p in route.params)
    call = r.call(route, op, page="page", limit="limit", search="search")
    fetch = (
        "async def fetch_page(page: int, limit: int, search: Optional[str]) -> dict:\n"
        + _indent(f"return {r.json(call)}\n")
    )
    r.used.add("Optional")
    body = ""
    if not has_search:
        body += (
            "if filters.search:\n"
            + _indent(f'raise {r.n("InvalidRequestError")}("{r.service} cannot search users")\n')
        )
    body += fetch + "\n" + r.errors("list_users")
    body += _indent(f"users, total = await {a}.collect_users(fetch_page, filters)\n")
    body += f"return {a}.users_list_from_legacy(tenant_id, users, total, filters.limit, filters.offset)\n"
    return r.head("list_users", "tenant_id: str, filters: UserFilters", "UsersListResponse") + _indent(body)


def _create_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    role = r.n("UserRole")
    body = f"payload, temporary_password = {a}.create_user_payload(request)\n"
    inner = ""
    admin = op.routes.get("admin")
    create = r.json(r.call(op.primary, op, body="payload"))
    if admin is not None:
        inner += f"if request.role == {role}.ADMIN:\n"
        inner += _indent(f"created = {r.json(r.call(admin, op, body='payload'))}\n")
        inner += "else:\n" + _indent(f"created = {create}\n")
        guard = f"if request.role not in ({role}.USER, {role}.ADMIN):\n"
    else:
        inner += f"created = {create}\n"
        guard = f"if request.role != {role}.USER:\n"
    body += guard + _indent(
        f'raise {r.n("InvalidRequestError")}(f"{r.service} has no \'{{request.role.value}}\' role")\n'
    )
    body += r.errors("create_user", email="request.email") + _indent(inner)
    body += f"return {a}.create_user_response_from_legacy(created, temporary_password)\n"
    return r.head("create_user", "tenant_id: str, request: CreateUserRequest", "CreateUserResponse") + _indent(body)


def _get_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    body = r.errors("get_user", user_id="user_id")
    body += _indent(f"user = {r.json(r.call(op.primary, op, user_id='user_id'))}\n")
    body += f"return {a}.user_from_legacy(user)\n"
    return r.head("get_user", "tenant_id: str, user_id: str", "UserInfo") + _indent(body)


def _update_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    route = op.primary
    body_param = r.body_param(route)
    accepted = r.body_fields(body_param) if body_param else None
    suspend, activate = op.routes.get("suspend"), op.routes.get("activate")
    body = f"changes = {a}.update_user_payload(request)\n"
    inner = ""
    status_by_route = suspend is not None and activate is not None and accepted is not None and (
        "is_active" not in accepted
    )
    if status_by_route:
        inner += 'is_active = changes.pop("is_active", None)\n'
    if accepted is not None:
        unsupported = sorted({"display_name", "role", "is_active"} - accepted - ({"is_active"} if status_by_route
                                                                                  else set()))
        if unsupported:
            body += (
                f"unsupported = sorted(set(changes) & {set(unsupported)!r})\n"
                "if unsupported:\n"
                + _indent(f'raise {r.n("InvalidRequestError")}(f"{r.service} cannot change {{unsupported}}")\n')
            )
    get = ops.get("get_user")
    reread = get is not None and get.primary is not None
    update_call = r.call(route, op, user_id="user_id", body="changes")
    inner += "if changes:\n" + _indent(f"{update_call}\n" if reread else f"updated = {update_call}\n")
    if status_by_route:
        inner += "if is_active is False:\n" + _indent(f"{r.call(suspend, op, user_id='user_id')}\n")
        inner += "elif is_active is True:\n" + _indent(f"{r.call(activate, op, user_id='user_id')}\n")
    if reread:
        inner += f"user = {r.call(get.primary, get, user_id='user_id')}\n"
    else:
        inner += "if not changes:\n" + _indent(
            f'raise {r.n("InvalidRequestError")}("nothing to update")\n') + "user = updated\n"
    body += r.errors("update_user", user_id="user_id") + _indent(inner)
    body += f"return {a}.user_from_legacy(user)\n"
    return r.head("update_user", "tenant_id: str, user_id: str, request: UpdateUserRequest", "UserInfo") + _indent(
        body)


def _delete_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    body = r.errors("delete_user", user_id="user_id")
    body += _indent(f"deleted = {r.json(r.call(op.primary, op, user_id='user_id'))}\n")
    body += f"return {a}.delete_response_from_legacy(deleted)\n"
    return r.head("delete_user", "tenant_id: str, user_id: str", "DeleteUserResponse") + _indent(body)


def _tenant_status(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    call = r.json(r.call(op.primary, op))
    status = (
        r.head("get_tenant_status", "tenant_id: str", "StatusResponse")
        + _indent(r.errors("get_tenant_status") + _indent(f"legacy = {call}\n")
                  + f"return {a}.status_from_legacy(legacy)\n")
    )
    summary = (
        r.head("get_tenant_summary", "tenant_id: str", "TenantSummary")
        + _indent(r.errors("get_tenant_summary") + _indent(f"legacy = {call}\n")
                  + f"return {a}.tenant_summary_from_legacy(legacy)\n")
    )
    return status + "\n" + summary


def _list_tenants(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    call = r.json(r.call(op.primary, op))
    body = f"legacy = {call}\n"
    body += f'return [{a}.tenant_summary_from_legacy(item) for item in legacy["tenants"]]\n'
    return f"async def list_tenants(self) -> list[{r.n('TenantSummary')}]:\n" + _indent(body)


def _activate(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    to_legacy, from_legacy = {
        "provision": ("provision_payload_from_activate", "activate_from_provision"),
    }.get(op.adapter or "", ("marketplace_payload_from_activate", "activate_from_marketplace"))
    body = ""
    status = ops.get("get_tenant_status")
    if status is not None and status.primary is not None:
        body += (
            "try:\n" + _indent("await self.get_tenant_status(request.tenant_id)\n")
            + f"except {r.n('TenantNotFoundError')}:\n" + _indent("pass\n")
            + "else:\n" + _indent(f"raise {r.n('TenantExistsError')}(request.tenant_id)\n")
        )
    body += f"payload = {a}.{to_legacy}(request)\n"
    body += f'with {a}.legacy_errors("activate_tenant", tenant_id=request.tenant_id):\n'
    body += _indent(f"result = {r.json(r.call(op.primary, op, body='payload'))}\n")
    body += f"return {a}.{from_legacy}(result)\n"
    return r.head("activate_tenant", "request: ActivateRequest", "ActivateResponse") + _indent(body)


def _get_settings(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    body = r.errors("get_settings") + _indent(f"legacy = {r.json(r.call(op.primary, op))}\n")
    body += f"return {a}.settings_from_legacy(legacy)\n"
    return r.head("get_settings", "tenant_id: str", "SettingsResponse") + _indent(body)


def _update_settings(op: Operation, r: Renderer, ops: dict[str, Operation]) -> str:
    a = r.n("adapters")
    body = f"changes = {a}.update_settings_payload(request)\n"
    body += r.errors("update_settings") + _indent(f"legacy = {r.json(r.call(op.primary, op, body='changes'))}\n")
    body += f"return {a}.settings_from_legacy(legacy)\n"
    head = f"async def update_settings(self, tenant_id: str, request: {r.n('UpdateSettingsRequest')}) -> "
    return head + f"{r.n('SettingsResponse')}:\n" + _indent(body)


_RENDERERS = {
    "get_tenant_stats": _stats,
    "get_tenant_costs": _period_read("get_tenant_costs", "costs_from_legacy"),
    "get_usage_patterns": _period_read("get_usage_patterns", "usage_patterns_from_legacy"),
    "get_top_users": _period_read("get_top_users", "top_users_from_legacy", extra_inputs="limit", extra_params="limit"),
    "list_users": _list_users,
    "create_user": _create_user,
    "get_user": _get_user,
    "update_user": _update_user,
    "delete_user": _delete_user,
    "get_tenant_status": _tenant_status,
    "list_tenants": _list_tenants,
    "activate_tenant": _activate,
    "get_settings": _get_settings,
    "update_settings": _update_settings,
}

#: The order standard methods appear in a generated handler (the router's order).
ORDER = [
    "activate_tenant", "deactivate_tenant", "get_tenant_status", "get_tenant_usage", "list_tenants",
    "get_tenant_stats", "get_tenant_costs", "get_top_users", "get_usage_patterns",
    "list_users", "create_user", "get_user", "update_user", "delete_user",
    "get_settings", "update_settings",
]


def not_implemented(op: str, params: str, returns: str, r: Renderer, hint: str) -> str:
    head = r.head(op, params, returns)
    error = r.n("NotImplementedOperationError")
    return head + _indent(f"raise {error}(\n" + _indent(f'"{op}",\n{json.dumps(hint, ensure_ascii=False)},\n') + ")\n")
