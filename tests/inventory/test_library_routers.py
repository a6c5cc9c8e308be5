"""Routers made by a library's class (an auth library's `Users[User, UUID](...)` and its `get_*_router()` methods):
a method the service's own subclass defines is followed (calling `Cls[T](...)` builds a `Cls`); one the library
defines is reported as unplaced with the library class named, not as an opaque "call of generic"."""

from __future__ import annotations

from migrator.inventory import build_inventory

APP = '''
import uuid

from fastapi import APIRouter, FastAPI
from users_lib import Users


class OurUsers(Users):
    def get_logout_router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/logout")
        def logout():
            return {}

        return router


users = OurUsers[dict, uuid.UUID](object(), [])
app = FastAPI()
app.include_router(users.get_logout_router(), prefix="/auth")
app.include_router(users.get_auth_router(), prefix="/auth")
'''


def test_library_router_methods_are_named_and_own_methods_followed(tmp_path):
    (tmp_path / "main.py").write_text(APP)
    inventory = build_inventory(tmp_path)
    assert [(r.methods, r.path) for r in inventory.routes] == [(["POST"], "/auth/logout")]
    [unresolved] = [u for u in inventory.unresolved if "get_auth_router" in u.reason]
    assert "`OurUsers.get_auth_router` comes from the library class `users_lib.Users`" in unresolved.reason
    assert unresolved.line == APP.splitlines().index('app.include_router(users.get_auth_router(), prefix="/auth")') + 1


SETTINGS_MIXINS = '''
from fastapi import APIRouter, FastAPI
from settings_lib import BaseSettings


class Editable(BaseSettings):
    debug: bool = False


class ReadOnly:
    api_prefix: str = "/api"


class Settings(Editable, ReadOnly):
    pass


settings = Settings()
router = APIRouter()


@router.get("/ping")
def ping():
    return {}


app = FastAPI()
app.include_router(router, prefix=settings.api_prefix)
'''


def test_an_attribute_of_a_later_base_wins_over_a_library_base_that_may_not_define_it(tmp_path):
    # the first base derives from a library class (which may or may not define `api_prefix`); the second defines
    # it: the search goes on past the library instead of giving up
    (tmp_path / "main.py").write_text(SETTINGS_MIXINS)
    assert [(r.methods, r.path) for r in build_inventory(tmp_path).routes] == [(["GET"], "/api/ping")]
