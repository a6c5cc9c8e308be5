"""A user's standard id is the key the legacy user routes take: `/admin/users/{username}` answers `user_id` =
the username (a client passes the `user_id` it reads to `/mt/tenant/{t}/users/{user_id}`, which the handler gives
to the legacy route as `username`); routes taking an id keep the legacy `id`."""

from __future__ import annotations

import textwrap

from migrator.planner import make_plan
from migrator.shapes import map_operation
from tests.shapes.conftest import infer_source

ROUTE = """
    from pydantic import BaseModel

    class UserRead(BaseModel):
        id: int
        username: str
        name: str
        email: str
        is_active: bool
        is_superuser: bool
        created_at: str

    async def route(username: str) -> UserRead:
        return await load(username)
"""


def _user_id(mapping) -> str:
    field = next(c for c in mapping.root.children if c.target == "user_id")
    return ".".join(field.sources[0].path)


def test_the_user_id_is_the_key_the_legacy_routes_take():
    inferred = infer_source(ROUTE, "route")
    assert _user_id(map_operation("get_user", {"legacy": inferred})) == "id"
    keyed = map_operation("get_user", {"legacy": inferred}, user_key="username")
    assert keyed.automatic and _user_id(keyed) == "username"


def test_a_key_the_answer_does_not_carry_is_said_not_guessed():
    inferred = infer_source(ROUTE.replace("        username: str\n", ""), "route")
    mapping = map_operation("get_user", {"legacy": inferred}, user_key="username")
    assert not mapping.automatic
    [missing] = [m for m in mapping.missing if m.required]
    assert missing.target == "user_id" and "take `{username}`" in missing.reason


def test_user_email_in_the_path_is_the_users_email():
    mapping = map_operation("get_user", {"legacy": infer_source(ROUTE, "route")}, user_key="user_email")
    assert _user_id(mapping) == "email"


def _repo(tmp_path, item: str):
    files = {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0"\n\n[tool.migrator]\ntenant = "default"\n',
        "svc/__init__.py": "",
        "svc/main.py": f'''
            from fastapi import FastAPI, HTTPException
            from pydantic import BaseModel

            app = FastAPI()
            USERS = {{}}


            class UserRead(BaseModel):
                id: int
                username: str
                name: str
                email: str
                is_active: bool
                is_superuser: bool
                created_at: str


            @app.get("/admin/users/{{{item}}}", response_model=UserRead)
            def read_user({item}: str):
                user = USERS.get({item})
                if user is None:
                    raise HTTPException(status_code=404, detail="User not found")
                return user
        ''',
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return tmp_path


def test_the_plan_keys_users_like_the_legacy_routes(tmp_path):
    by_name = make_plan(_repo(tmp_path / "a", "username"))
    assert _user_id(by_name.answers.mappings["get_user"]) == "username"
    by_id = make_plan(_repo(tmp_path / "b", "user_id"))
    assert _user_id(by_id.answers.mappings["get_user"]) == "id"


def test_a_page_model_from_a_library_is_one_precise_reason_not_one_per_field(tmp_path):
    # fastcrud-style `PaginatedListResponse[UserRead]`: a generic from outside the repository, its fields unknown
    root = _repo(tmp_path, "username")
    main = root / "svc" / "main.py"
    main.write_text(main.read_text() + textwrap.dedent('''

        from fastcrud.paginated import PaginatedListResponse, paginated_response


        @app.get("/admin/users", response_model=PaginatedListResponse[UserRead])
        def read_users(page: int = 1, items_per_page: int = 10):
            return paginated_response(crud_data=USERS, page=page, items_per_page=items_per_page)
    '''))
    plan = make_plan(root).plan
    [route] = [r for r in plan.routes if r.operation == "list_users"]
    [reason] = [r.message for r in route.verdict.reasons]
    assert "cannot read what `read_users` answers" in reason and "`PaginatedListResponse[UserRead]`" in reason
