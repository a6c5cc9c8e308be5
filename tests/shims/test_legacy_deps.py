"""shims.legacy_deps: legacy route dependencies solved for generated handler code, as FastAPI solves them.

Where the behaviour must be FastAPI's own (teardown order, exceptions thrown into yield dependencies), the test
runs the same dependencies behind a real FastAPI route and compares the event logs.
"""

# No `from __future__ import annotations`: FastAPI must see the local dependencies of the tests, not strings.
import asyncio
import inspect
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import FastAPIError
from fastapi.testclient import TestClient

from shims.legacy_deps import LegacyInputsError, SingleTenant, legacy_inputs, standard_tenant_id
from shims.request_context import current_request
from shims.standard_api import (
    InvalidRequestError,
    NotImplementedOperationError,
    StandardAPIHandler,
    TenantNotFoundError,
    create_standard_router,
)
from shims.standard_api.models import StatsResponse, StatsSummary, StatusResponse

TENANTS = {"acme": 3, "globex": 5}  # tenant -> number of users
HEADER = ("header", "X-Tenant-ID")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def collect(inputs_fn: Any, tenant_id: str, tenant_in: Any = HEADER, **kwargs: Any) -> dict[str, Any]:
    async with legacy_inputs(inputs_fn, tenant_id=tenant_id, tenant_in=tenant_in, **kwargs) as values:
        return values


# --- legacy dependencies in the idioms real services use -------------------------------------------------------------


class TenantContext:
    """A class dependency: reads X-Tenant-ID, 404s for an unknown tenant, keeps the id."""

    def __init__(self, x_tenant_id: Annotated[str, Header(alias="X-Tenant-ID")]) -> None:
        if x_tenant_id not in TENANTS:
            raise HTTPException(status_code=404, detail="Tenant not found")
        self.tenant_id = x_tenant_id
        self.users = TENANTS[x_tenant_id]


Tenant = Annotated[TenantContext, Depends()]


class Session:
    def __init__(self, log: list[str], name: str = "session") -> None:
        self.log, self.name = log, name

    def commit(self) -> None:
        self.log.append(f"{self.name}:commit")

    def rollback(self, exc: BaseException) -> None:
        self.log.append(f"{self.name}:rollback:{type(exc).__name__}")


LOG: list[str] = []


def get_db():  # a sync yield dependency, as most SQLAlchemy services write it
    session = Session(LOG, "db")
    LOG.append("db:open")
    try:
        yield session
        session.commit()
    except Exception as exc:
        session.rollback(exc)
        raise
    finally:
        LOG.append("db:close")


SessionDep = Annotated[Session, Depends(get_db)]


async def get_engine():
    LOG.append("engine:start")
    yield "engine"
    LOG.append("engine:dispose")


async def get_async_session(engine: Annotated[str, Depends(get_engine)]):
    session = Session(LOG, f"async_session({engine})")
    LOG.append("async_session:open")
    try:
        yield session
        session.commit()
    except Exception as exc:
        session.rollback(exc)
        raise
    finally:
        LOG.append("async_session:close")


def tenant_from_int_header(tenant_id: Annotated[int, Header(alias="X-Tenant-ID")]) -> int:
    return tenant_id


@pytest.fixture(autouse=True)
def _clear_log():
    LOG.clear()
    yield
    LOG.clear()


# --- tenant objects and ids ------------------------------------------------------------------------------------------


def test_class_based_tenant_dependency_gives_the_object_the_legacy_route_got():
    async def inputs(tenant: Tenant) -> None: ...

    values = run(collect(inputs, "globex"))
    assert isinstance(values["tenant"], TenantContext)
    assert (values["tenant"].tenant_id, values["tenant"].users) == ("globex", 5)


def test_unknown_tenant_is_the_dependency_s_own_404_as_tenant_not_found():
    async def inputs(tenant: Tenant) -> None: ...

    with pytest.raises(TenantNotFoundError) as caught:
        run(collect(inputs, "initech"))
    assert caught.value.status_code == 404 and "initech" in caught.value.message


def test_int_ids_are_converted_from_header_path_and_query():
    async def from_header(tenant_id: Annotated[int, Header(alias="X-Tenant-ID")]) -> None: ...

    async def from_path(tenant_id: Annotated[int, Path()]) -> None: ...

    async def from_query(tenant: int = Query(...)) -> None: ...

    async def plain_path(tenant_id: int) -> None: ...  # a path parameter because the route's path names it

    assert run(collect(from_header, "42")) == {"tenant_id": 42}
    assert run(collect(plain_path, "8", ("path", "tenant_id"))) == {"tenant_id": 8}
    assert run(collect(from_path, "7", ("path", "tenant_id"))) == {"tenant_id": 7}
    assert run(collect(from_query, "9", ("query", "tenant"))) == {"tenant": 9}


@pytest.mark.parametrize("tenant_in", [HEADER, ("path", "tenant_id"), ("query", "tenant_id")])
def test_a_non_numeric_id_for_an_int_parameter_names_no_tenant(tenant_in):
    async def inputs(tenant_id: int = Depends(tenant_from_int_header)) -> None: ...

    async def direct_path(tenant_id: Annotated[int, Path()]) -> None: ...

    async def direct_query(tenant_id: int = Query(...)) -> None: ...

    fn = {"header": inputs, "path": direct_path, "query": direct_query}[tenant_in[0]]
    with pytest.raises(TenantNotFoundError):
        run(collect(fn, "abc", tenant_in))


def test_an_id_that_cannot_travel_in_a_header_names_no_tenant():
    async def inputs(tenant: Tenant) -> None: ...

    with pytest.raises(TenantNotFoundError):
        run(collect(inputs, "서울대"))


def test_header_names_match_case_insensitively_like_http():
    async def inputs(x_tenant_id: Annotated[str, Header()]) -> None: ...

    assert run(collect(inputs, "acme", ("header", "x-tenant-id"))) == {"x_tenant_id": "acme"}


# --- sessions: yield, async generators, nesting, teardown --------------------------------------------------------


def test_annotated_session_alias_commits_and_closes_after_the_block():
    async def inputs(tenant: Tenant, db: SessionDep) -> None: ...

    async def main() -> None:
        async with legacy_inputs(inputs, tenant_id="acme", tenant_in=HEADER) as values:
            LOG.append(f"body:{values['tenant'].tenant_id}:{type(values['db']).__name__}")

    run(main())
    assert LOG == ["db:open", "body:acme:Session", "db:commit", "db:close"]


def test_exceptions_of_the_block_reach_the_session_and_propagate():
    async def inputs(db: SessionDep) -> None: ...

    async def main() -> None:
        async with legacy_inputs(inputs):
            raise ValueError("legacy logic failed")

    with pytest.raises(ValueError, match="legacy logic failed"):
        run(main())
    assert LOG == ["db:open", "db:rollback:ValueError", "db:close"]


def test_nested_async_generators_close_in_reverse_order():
    async def inputs(session: Annotated[Session, Depends(get_async_session)]) -> None: ...

    async def main() -> str:
        async with legacy_inputs(inputs) as values:
            LOG.append("body")
            return values["session"].name

    assert run(main()) == "async_session(engine)"
    assert LOG == [
        "engine:start",
        "async_session:open",
        "body",
        "async_session(engine):commit",
        "async_session:close",
        "engine:dispose",
    ]


def _fastapi_log(dependency: Any, fail: bool) -> list[str]:
    """The event log of the same dependency behind a real FastAPI route."""
    app = FastAPI()

    @app.get("/legacy")
    async def legacy(session: Annotated[Session, Depends(dependency)]) -> dict:
        LOG.append("body")
        if fail:
            raise HTTPException(status_code=409, detail="conflict")
        return {}

    LOG.clear()
    TestClient(app).get("/legacy")
    return list(LOG)


@pytest.mark.parametrize("fail", [False, True])
@pytest.mark.parametrize("dependency", [get_db, get_async_session], ids=["sync-yield", "async-generator"])
def test_teardown_order_and_exceptions_match_fastapi(dependency, fail):
    expected = _fastapi_log(dependency, fail)

    async def inputs(session: Annotated[Session, Depends(dependency)]) -> None: ...

    async def main() -> None:
        async with legacy_inputs(inputs):
            LOG.append("body")
            if fail:
                raise HTTPException(status_code=409, detail="conflict")

    LOG.clear()
    if fail:
        with pytest.raises(HTTPException):  # the legacy logic's own error is not translated here
            run(main())
    else:
        run(main())
    assert LOG == expected
    assert any("rollback:HTTPException" in event for event in LOG) == fail


@pytest.mark.skipif(
    "scope" not in inspect.signature(Depends).parameters, reason="Depends(scope=...) exists from FastAPI 0.121"
)
def test_function_scoped_yield_dependencies_close_before_request_scoped_ones():
    def request_scoped():
        yield "r"
        LOG.append("request:close")

    def function_scoped():
        yield "f"
        LOG.append("function:close")

    async def inputs(
        r: Annotated[str, Depends(request_scoped)],
        f: Annotated[str, Depends(function_scoped, scope="function")],
    ) -> None: ...

    run(collect(inputs, "acme"))
    assert LOG == ["function:close", "request:close"]


def test_a_dependency_that_swallows_the_error_is_refused_like_fastapi_does():
    def careless():
        try:
            yield "x"
        except Exception:
            pass

    async def inputs(x: Annotated[str, Depends(careless)]) -> None: ...

    async def main() -> None:
        async with legacy_inputs(inputs):
            raise ValueError("lost")

    with pytest.raises(FastAPIError, match="did not raise it again"):
        run(main())


def test_dependency_errors_while_solving_reach_the_sessions_already_open():
    async def inputs(db: SessionDep, tenant: Tenant) -> None: ...

    with pytest.raises(TenantNotFoundError):
        run(collect(inputs, "initech"))
    assert LOG == ["db:open", "db:rollback:HTTPException", "db:close"]


def test_dependencies_are_solved_once_per_block_and_cached_like_fastapi():
    calls: list[int] = []

    def counted():
        calls.append(1)
        return len(calls)

    def one(value: Annotated[int, Depends(counted)]) -> int:
        return value

    async def inputs(a: Annotated[int, Depends(one)], b: Annotated[int, Depends(counted)]) -> None: ...

    assert run(collect(inputs, "acme")) == {"a": 1, "b": 1}
    assert run(collect(inputs, "acme")) == {"a": 2, "b": 2}  # a new block, a new solve


# --- errors: validation, HTTP statuses, what cannot be provided -------------------------------------------------------


def test_a_dependency_s_400_or_422_is_an_invalid_request_and_401_passes_through():
    def picky(x_tenant_id: Annotated[str, Header(alias="X-Tenant-ID")]) -> str:
        if x_tenant_id == "bad":
            raise HTTPException(status_code=422, detail="tenant id has the wrong form")
        if x_tenant_id == "locked":
            raise HTTPException(status_code=401, detail="Not authenticated")
        return x_tenant_id

    async def inputs(t: Annotated[str, Depends(picky)]) -> None: ...

    with pytest.raises(InvalidRequestError, match="wrong form"):
        run(collect(inputs, "bad"))
    with pytest.raises(HTTPException) as caught:
        run(collect(inputs, "locked"))
    assert caught.value.status_code == 401


def test_a_request_input_the_standard_call_does_not_carry_is_a_service_error():
    def needs_auth(authorization: Annotated[str, Header()]) -> str:
        return authorization

    async def inputs(user: Annotated[str, Depends(needs_auth)]) -> None: ...

    with pytest.raises(LegacyInputsError, match="header.authorization"):
        run(collect(inputs, "acme"))


def test_body_parameters_are_refused_when_the_inputs_function_is_first_used():
    from pydantic import BaseModel

    class Payload(BaseModel):
        name: str

    async def inputs(payload: Payload) -> None: ...

    with pytest.raises(TypeError, match="body parameters \\(payload\\)"):
        run(collect(inputs, "acme"))


def test_the_request_dependencies_see_carries_the_tenant_and_no_credentials():
    seen: dict[str, Any] = {}

    def spy(request: Request) -> None:
        seen.update(headers=dict(request.headers), query=dict(request.query_params), path=request.path_params)

    async def inputs(x: Annotated[None, Depends(spy)]) -> None: ...

    run(collect(inputs, "acme", ("query", "tenant")))
    assert seen == {"headers": {}, "query": {"tenant": "acme"}, "path": {}}


# --- dependency overrides -----------------------------------------------------------------------------------------


def test_dependency_overrides_of_the_given_app_apply():
    app = FastAPI()

    def fake_db():
        LOG.append("fake:open")
        yield Session(LOG, "fake")
        LOG.append("fake:close")

    app.dependency_overrides[get_db] = fake_db

    async def inputs(db: SessionDep) -> None: ...

    values = run(collect(inputs, "acme", app=app))
    assert values["db"].name == "fake"
    assert LOG == ["fake:open", "fake:close"]


# --- the identity a standard call acts as ([tool.migrator] identity) -------------------------------------------------


class Admin:
    def __init__(self, username: str, tenant: str = "") -> None:
        self.username, self.tenant = username, tenant


def current_admin(authorization: Annotated[str, Header()]) -> Admin:  # the legacy route's real auth
    if authorization != "Bearer secret":
        raise HTTPException(status_code=401, detail="Not authenticated")
    return Admin("legacy-admin")


def service_identity(db: SessionDep, tenant_id: Annotated[str, Depends(standard_tenant_id)]) -> Admin:
    """The maintainer's dependency: may depend on a session and on the standard call's tenant id."""
    LOG.append(f"identity:{db.name}")
    return Admin("service-market", tenant_id)


def test_identity_replaces_the_auth_dependency_for_that_solve_only():
    app = FastAPI()

    @app.get("/legacy")
    def legacy(admin: Annotated[Admin, Depends(current_admin)]) -> dict:
        return {"username": admin.username}

    async def inputs(admin: Annotated[Admin, Depends(current_admin)], db: SessionDep) -> None: ...

    values = run(collect(inputs, "acme", app=app, identity={"admin": service_identity}))
    assert (values["admin"].username, values["admin"].tenant) == ("service-market", "acme")
    assert values["db"] is not None and LOG[:2] == ["db:open", "identity:db"]  # one session, shared (cached)
    assert app.dependency_overrides == {}  # nothing app-wide: the legacy route keeps its real auth
    client = TestClient(app)
    assert client.get("/legacy").status_code == 422
    assert client.get("/legacy", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/legacy", headers={"Authorization": "Bearer secret"}).json() == {"username": "legacy-admin"}


def test_without_identity_the_auth_dependency_needs_credentials_the_call_does_not_carry():
    async def inputs(admin: Annotated[Admin, Depends(current_admin)]) -> None: ...

    with pytest.raises(LegacyInputsError, match="authorization"):
        run(collect(inputs, "acme"))


def test_identity_wins_over_the_app_s_override_of_the_same_dependency_and_keeps_the_others():
    app = FastAPI()
    app.dependency_overrides[current_admin] = lambda: Admin("test-override")

    def fake_db():
        yield Session(LOG, "fake")

    app.dependency_overrides[get_db] = fake_db

    async def inputs(admin: Annotated[Admin, Depends(current_admin)]) -> None: ...

    values = run(collect(inputs, "acme", app=app, identity={"admin": service_identity}))
    assert values["admin"].username == "service-market" and LOG == ["identity:fake"]
    assert set(app.dependency_overrides) == {current_admin, get_db}  # the app's own, unchanged


def test_identity_naming_no_dependency_parameter_is_refused():
    async def inputs(db: SessionDep) -> None: ...

    with pytest.raises(TypeError, match="`admin`"):
        run(collect(inputs, "acme", identity={"admin": service_identity}))


def test_standard_tenant_id_exists_only_for_a_standard_call():
    app = FastAPI()

    @app.get("/legacy")
    def legacy(tenant: Annotated[str, Depends(standard_tenant_id)]) -> str:
        return tenant

    with pytest.raises(LegacyInputsError, match="standard_tenant_id"):
        TestClient(app).get("/legacy")

    async def inputs(tenant: Annotated[str, Depends(standard_tenant_id)]) -> None: ...

    assert run(collect(inputs, "globex", tenant_in=None)) == {"tenant": "globex"}


# --- single-tenant deployments -------------------------------------------------------------------------------------


def test_single_tenant_accepts_its_tenant_only():
    single = SingleTenant("acme")
    assert single.check("acme") == "acme"
    with pytest.raises(TenantNotFoundError) as caught:
        single.check("globex")
    assert caught.value.code == "TENANT_NOT_FOUND"


def test_single_tenant_from_the_environment_wins_over_the_baked_id(monkeypatch):
    single = SingleTenant("acme", env="SERVED_TENANT")
    monkeypatch.delenv("SERVED_TENANT", raising=False)
    assert single.tenant_id == "acme"
    monkeypatch.setenv("SERVED_TENANT", "globex")
    assert single.check("globex") == "globex"
    with pytest.raises(TenantNotFoundError):
        single.check("acme")


def test_single_tenant_without_a_configured_id_is_a_service_error(monkeypatch):
    monkeypatch.delenv("SERVED_TENANT", raising=False)
    with pytest.raises(LegacyInputsError, match=r"\$SERVED_TENANT"):
        SingleTenant(env="SERVED_TENANT").check("acme")
    with pytest.raises(ValueError):
        SingleTenant()


# --- end to end: a legacy route and the /mt route give the same data --------------------------------------------------

USERS = {"acme": ["ann", "bob", "cid"], "globex": ["dan", "eve", "fay", "gus", "hal"], "override": ["x"]}


class Store:
    def __init__(self, users: dict[str, list[str]]) -> None:
        self.users = users
        self.closed = False


async def get_store():
    store = Store(USERS)
    try:
        yield store
    finally:
        store.closed = True


StoreDep = Annotated[Store, Depends(get_store)]


class ShopTenant:
    def __init__(self, x_tenant_id: Annotated[int, Header(alias="X-Tenant-ID")], store: StoreDep) -> None:
        names = {1: "acme", 2: "globex", 3: "override"}
        if x_tenant_id not in names or names[x_tenant_id] not in store.users:
            raise HTTPException(status_code=404, detail="Tenant not found")
        self.id, self.name = x_tenant_id, names[x_tenant_id]


async def legacy_dashboard_logic(tenant: ShopTenant, store: Store) -> dict:
    """What phase 1 moves into the handler: the legacy route body."""
    return {"tenant": tenant.name, "users": {"total": len(store.users[tenant.name]), "closed": store.closed}}


async def _dashboard_inputs(tenant: Annotated[ShopTenant, Depends()], store: StoreDep) -> None:
    """Generated from the legacy route's signature: the tenant and the resources, not the auth."""


class ShopHandler(StandardAPIHandler):
    async def get_tenant_stats(self, tenant_id: str, period: str) -> StatsResponse:
        async with legacy_inputs(_dashboard_inputs, tenant_id=tenant_id, tenant_in=HEADER) as deps:
            legacy = await legacy_dashboard_logic(**deps)
        summary = StatsSummary(total_users=legacy["users"]["total"])
        return StatsResponse(tenant_id=tenant_id, period=period, summary=summary)

    async def get_tenant_status(self, tenant_id: str) -> StatusResponse:
        request = current_request()
        return StatusResponse(tenant_id=tenant_id, status="active", plan=request.url.path, features=[],
                              created_at="", updated_at="")

    async def _no(self, *args: Any) -> Any:
        raise NotImplementedOperationError("x")

    activate_tenant = deactivate_tenant = get_tenant_usage = get_tenant_costs = _no
    list_users = create_user = get_user = update_user = delete_user = get_settings = _no


def shop_app() -> FastAPI:
    app = FastAPI()

    @app.get("/admin/dashboard")
    async def dashboard(tenant: Annotated[ShopTenant, Depends()], store: StoreDep, authorization: str = Header()):
        return await legacy_dashboard_logic(tenant, store)

    app.include_router(create_standard_router(ShopHandler()))
    return app


def test_standard_route_and_legacy_route_give_the_same_data():
    client = TestClient(shop_app())
    for tenant_id, count in (("1", 3), ("2", 5)):
        legacy = client.get("/admin/dashboard", headers={"X-Tenant-ID": tenant_id, "Authorization": "Bearer t"})
        standard = client.get(f"/mt/tenant/{tenant_id}/stats")
        assert legacy.status_code == standard.status_code == 200
        assert legacy.json()["users"]["total"] == standard.json()["summary"]["total_users"] == count


@pytest.mark.parametrize("tenant_id", ["4", "abc"])
def test_standard_route_answers_tenant_not_found_where_legacy_answered_404_or_422(tenant_id):
    client = TestClient(shop_app())
    response = client.get(f"/mt/tenant/{tenant_id}/stats")
    assert response.status_code == 404
    assert response.json()["detail"]["error"] == "TENANT_NOT_FOUND"


def test_standard_route_honours_the_app_s_dependency_overrides():
    app = shop_app()

    async def other_store():
        yield Store({"acme": ["only"], "globex": [], "override": []})

    app.dependency_overrides[get_store] = other_store
    client = TestClient(app)
    legacy = client.get("/admin/dashboard", headers={"X-Tenant-ID": "1", "Authorization": "Bearer t"})
    standard = client.get("/mt/tenant/1/stats")
    assert legacy.json()["users"]["total"] == standard.json()["summary"]["total_users"] == 1


def test_the_router_exposes_the_current_request_to_the_handler_only_during_the_call():
    client = TestClient(shop_app())
    assert client.get("/mt/tenant/1/status").json()["plan"] == "/mt/tenant/1/status"
    assert current_request() is None
