"""Standard method templates of the user family: list, create, get, update, delete."""

from __future__ import annotations

import libcst as cst

from shims.body_fields import FIELDS

from ._standard_methods import (
    _EQUAL,
    SYNONYMS,
    Operation,
    Renderer,
    _is_model,
    fstring_node,
    method,
    parse_template_statement,
    string_node,
)

_LIST_USERS = '''
async def {name}({params}) -> {returns}:
    {refuse_search}

    async def fetch_page(page: int, limit: int, {search}: {search_type}) -> dict:
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
    # the legacy route searches itself: no refusal (a placeholder the code below drops, binding no name)
    refuse = cst.parse_statement("pass\n") if has_search else parse_template_statement(
        _REFUSE_SEARCH, error=r.n("InvalidRequestError"), message=string_node(f"{r.service} cannot search users"))
    shaped = "list_users" in r.shapes
    page = cst.Call(cst.Attribute(r.n("legacy_shapes"), cst.Name("list_users_page_from_legacy")),
                    args=[cst.Arg(call)]) if shaped else call
    collect = (r.expr("await {a}.collect_users(fetch_page, filters, {shapes}.list_users_user_from_legacy)",
                      a=r.a(), shapes=r.n("legacy_shapes")) if shaped
               else r.expr("await {a}.collect_users(fetch_page, filters)", a=r.a()))
    values = {"tenant_id": cst.Name("tenant_id"), "users": cst.Name("users"), "total": cst.Name("total"),
              "limit": cst.parse_expression("filters.limit"), "offset": cst.parse_expression("filters.offset")}
    answer = r.answer(op.name, values, "users_list_from_legacy", ["tenant_id", "users", "total", "limit", "offset"])
    # the page function takes the search the listing passes on; a route that cannot search leaves it unused
    search = cst.Name("search" if has_search else "_search")
    node = method(_LIST_USERS, op.name, r, refuse_search=refuse, search=search, search_type=r.optional("str"), page=page,
                  errors=r.errors(op.name), collect=collect, answer=answer)
    if has_search:  # drop the placeholder
        body = node.body.body
        node = node.with_changes(body=node.body.with_changes(body=[body[1].with_changes(leading_lines=()),
                                                                   *body[2:]]))
    return node


_CREATE_USER = '''
async def {name}({params}) -> {returns}:
    payload, temporary_password = {payload}
    with {errors}:
        created = {create}
    return {answer}
'''
_CREATE_USER_OR_ADMIN = '''
async def {name}({params}) -> {returns}:
    payload, temporary_password = {payload}
    if request.role not in ({role}.USER, {role}.ADMIN):
        raise {error}({message})
    with {errors}:
        if request.role == {role}.ADMIN:
            created = {create_admin}
        else:
            created = {create}
    return {answer}
'''


def _request_body(r: Renderer, route, builder: str, fixed: str, **options: cst.BaseExpression) -> cst.BaseExpression:
    """`adapters.<builder>(request, LegacyModel)`: the legacy body the service's own model takes (its fields read at
    run time); the fixed `adapters.<fixed>(request)` when the legacy body has no model (a plain dict)."""
    param = r.body_param(route)
    if param is None or not param.annotation or not _is_model(param.annotation):
        return r.expr(f"{{a}}.{fixed}(request)", a=r.a())
    args = [cst.Arg(cst.Name("request")), cst.Arg(r.model(param.annotation, route))]
    args += [cst.Arg(value, keyword=cst.Name(key), equal=_EQUAL) for key, value in options.items()]
    return cst.Call(cst.Attribute(r.a(), cst.Name(builder)), args=args)


def _create_user(op: Operation, r: Renderer, ops: dict[str, Operation]) -> cst.FunctionDef:
    admin = op.routes.get("admin")
    # with an admin-creating route, the routes decide the role: the body carries none
    options = {"role": cst.Name("False")} if admin is not None else {}
    parts = {"payload": _request_body(r, op.primary, "create_user_body", "create_user_payload", **options),
             "errors": r.errors(op.name, email=cst.parse_expression("request.email")),
             "create": r.call(op.primary, op, body=cst.Name("payload")),
             "answer": r.answer(op.name, {"temporary_password": cst.Name("temporary_password"),
                                          "legacy": cst.Name("created")},
                                "create_user_response_from_legacy", ["legacy", "temporary_password"])}
    if admin is None:
        return method(_CREATE_USER, op.name, r, **parts)
    message = fstring_node(f"{r.service} has no '", "request.role.value", "' role")
    return method(_CREATE_USER_OR_ADMIN, op.name, r, create_admin=r.call(admin, op, body=cst.Name("payload")),
                  role=r.n("UserRole"), error=r.n("InvalidRequestError"), message=message, **parts)


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
    changes = {changes}
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
    # the legacy body has no status: the suspend/activate routes apply a status change
    by_route = suspend is not None and activate is not None and accepted is not None and not any(
        FIELDS.get(name.lower()) in ("active_flag", "status") for name in accepted)
    options = {"status_routes": cst.Name("True")} if by_route else {}
    changes = _request_body(r, route, "update_user_body", "update_user_payload", **options)
    prologue: list[cst.BaseStatement] = []
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
    node = method(_UPDATE_USER, op.name, r, changes=changes, prologue=cst.parse_statement("pass\n"),
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
