"""Standard method templates of the user family: list, create, get, update, delete."""

from __future__ import annotations

import libcst as cst

from ._standard_methods import (
    SYNONYMS,
    Operation,
    Renderer,
    fstring_node,
    method,
    parse_template_statement,
    string_node,
)

_LIST_USERS = '''
async def {name}({params}) -> {returns}:
    {refuse_search}

    async def fetch_page(page: int, limit: int, search: {optional}[str]) -> dict:
        return {page}

    with {errors}:
        users, total = {collect}
    return {answer}
'''
_REFUSE_SEARCH = '''
if filters.search:
    raise {error}({message})
'''


def _list_users(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    route = op.primary
    has_search = any(p.name in SYNONYMS["search"] or op.param_map.get(p.name) == "search" or p.standard == "search"
                     for p in route.params) or "search" in (route.inputs.query.values() if route.inputs else ())
    call = r.call(route, op, page=cst.Name("page"), limit=cst.Name("limit"), search=cst.Name("search"),
                  offset=cst.parse_expression("(page - 1) * limit"))
    refuse = parse_template_statement(_REFUSE_SEARCH, error=r.n("InvalidRequestError"),
                                      message=string_node(f"{r.service} cannot search users"))
    shaped = "list_users" in r.shapes
    page = cst.Call(cst.Attribute(r.n("legacy_shapes"), cst.Name("list_users_page_from_legacy")),
                    args=[cst.Arg(call)]) if shaped else call
    collect = (r.expr("await {a}.collect_users(fetch_page, filters, {shapes}.list_users_user_from_legacy)",
                      a=r.a(), shapes=r.n("legacy_shapes")) if shaped
               else r.expr("await {a}.collect_users(fetch_page, filters)", a=r.a()))
    values = {"tenant_id": cst.Name("tenant_id"), "users": cst.Name("users"), "total": cst.Name("total"),
              "limit": cst.parse_expression("filters.limit"), "offset": cst.parse_expression("filters.offset")}
    answer = r.answer(op.name, values, "users_list_from_legacy", ["tenant_id", "users", "total", "limit", "offset"])
    node = method(_LIST_USERS, op.name, r, refuse_search=refuse, optional=r.n("Optional"), page=page,
                  errors=r.errors(op.name), collect=collect, answer=answer)
    if has_search:  # the legacy route searches itself: drop the refusal
        body = node.body.body
        node = node.with_changes(body=node.body.with_changes(body=[body[1].with_changes(leading_lines=()),
                                                                   *body[2:]]))
    return node


_CREATE_USER = '''
async def {name}({params}) -> {returns}:
    payload, temporary_password = {adapters}.create_user_payload(request)
    if request.role != {role}.USER:
        raise {error}({message})
    with {errors}:
        created = {create}
    return {answer}
'''
_CREATE_USER_OR_ADMIN = '''
async def {name}({params}) -> {returns}:
    payload, temporary_password = {adapters}.create_user_payload(request)
    if request.role not in ({role}.USER, {role}.ADMIN):
        raise {error}({message})
    with {errors}:
        if request.role == {role}.ADMIN:
            created = {create_admin}
        else:
            created = {create}
    return {answer}
'''


def _create_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    message = fstring_node(f"{r.service} has no '", "request.role.value", "' role")
    parts = {"adapters": r.a(), "role": r.n("UserRole"), "error": r.n("InvalidRequestError"), "message": message,
             "errors": r.errors(op.name, email=cst.parse_expression("request.email")),
             "create": r.call(op.primary, op, body=cst.Name("payload")),
             "answer": r.answer(op.name, {"temporary_password": cst.Name("temporary_password"),
                                          "legacy": cst.Name("created")},
                                "create_user_response_from_legacy", ["legacy", "temporary_password"])}
    admin = op.routes.get("admin")
    if admin is None:
        return method(_CREATE_USER, op.name, r, **parts)
    return method(_CREATE_USER_OR_ADMIN, op.name, r, create_admin=r.call(admin, op, body=cst.Name("payload")),
                  **parts)


_GET_USER = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        user = {call}
    return {answer}
'''


def _get_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_GET_USER, op.name, r, errors=r.errors(op.name, user_id=cst.Name("user_id")),
                  call=r.call(op.primary, op, user_id=cst.Name("user_id")),
                  answer=r.answer(op.name, {"legacy": cst.Name("user")}, "user_from_legacy", ["legacy"]))


_UPDATE_USER = '''
async def {name}({params}) -> {returns}:
    changes = {adapters}.update_user_payload(request)
    {prologue}
    with {errors}:
        {body}
    return {answer}
'''


def _update_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    route = op.primary
    body_param = r.body_param(route)
    accepted = r.body_fields(body_param) if body_param else None
    suspend, activate = op.routes.get("suspend"), op.routes.get("activate")
    by_route = suspend is not None and activate is not None and accepted is not None and "is_active" not in accepted
    prologue: list[cst.BaseStatement] = []
    if accepted is not None:
        unsupported = sorted({"display_name", "role", "is_active"} - accepted - ({"is_active"} if by_route else set()))
        if unsupported:
            prologue.append(parse_template_statement(
                "unsupported = sorted(set(changes) & {fields})\n", fields=cst.parse_expression(repr(set(unsupported)))))
            prologue.append(parse_template_statement(
                "if unsupported:\n    raise {error}({message})\n", error=r.n("InvalidRequestError"),
                message=fstring_node(f"{r.service} cannot change ", "unsupported", "")))
    user_id = cst.Name("user_id")
    get = ops.get("get_user")
    reread = get is not None and get.primary is not None
    update = r.call(route, op, user_id=user_id, body=cst.Name("changes"))
    inner: list[cst.BaseStatement] = []
    if by_route:
        inner.append(cst.parse_statement('is_active = changes.pop("is_active", None)\n'))
    if reread:
        inner.append(parse_template_statement("if changes:\n    {update}\n", update=cst.Expr(update)))
    else:
        inner.append(parse_template_statement("if changes:\n    updated = {update}\n", update=update))
    if by_route:
        inner.append(parse_template_statement(
            "if is_active is False:\n    {suspend}\nelif is_active is True:\n    {activate}\n",
            suspend=cst.Expr(r.call(suspend, op, user_id=user_id)),
            activate=cst.Expr(r.call(activate, op, user_id=user_id))))
    if reread:
        inner.append(parse_template_statement("user = {get}\n", get=r.call(get.primary, get, user_id=user_id)))
    else:
        inner.append(parse_template_statement("if not changes:\n    raise {error}({message})\n",
                                              error=r.n("InvalidRequestError"),
                                              message=string_node("nothing to update")))
        inner.append(cst.parse_statement("user = updated\n"))
    answer = r.answer("get_user" if reread else op.name, {"legacy": cst.Name("user")}, "user_from_legacy",
                      ["legacy"])
    node = method(_UPDATE_USER, op.name, r, adapters=r.a(), prologue=cst.parse_statement("pass\n"),
                  errors=r.errors(op.name, user_id=user_id), body=cst.parse_statement("pass\n"), answer=answer)
    return _fill(node, prologue, inner)


def _fill(node: cst.FunctionDef, prologue: list[cst.BaseStatement], inner: list[cst.BaseStatement]
          ) -> cst.FunctionDef:
    """Replace the `pass` placeholders of `_UPDATE_USER` (statement lists of any length)."""
    body = list(node.body.body)
    with_block = body[2]
    with_block = with_block.with_changes(body=with_block.body.with_changes(body=inner))
    body = [body[0], *prologue, with_block, *body[3:]]
    return node.with_changes(body=node.body.with_changes(body=body))


_DELETE_USER = '''
async def {name}({params}) -> {returns}:
    with {errors}:
        deleted = {call}
    return {answer}
'''


def _delete_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    return method(_DELETE_USER, op.name, r, errors=r.errors(op.name, user_id=cst.Name("user_id")),
                  call=r.call(op.primary, op, user_id=cst.Name("user_id")),
                  answer=r.answer(op.name, {"user_id": cst.Name("user_id"), "legacy": cst.Name("deleted")},
                                  "delete_response_from_legacy", ["legacy"]))


TEMPLATES = {
    "list_users": _list_users,
    "create_user": _create_user,
    "get_user": _get_user,
    "update_user": _update_user,
    "delete_user": _delete_user,
}
