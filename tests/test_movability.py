"""movability.assess: which mapped routes phase 1 can move automatically, and why not."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from migrator.catalog import builtin_catalog
from migrator.inventory import build_inventory
from migrator.movability import assess

DEPS = '''
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header


@dataclass
class Admin:
    id: int
    tenant_id: str


def require_admin(authorization: str = Header(...), x_tenant_id: str = Header(..., alias="X-Tenant-ID")) -> Admin:
    if not authorization.startswith("Bearer "):
        raise ValueError
    return Admin(1, x_tenant_id)


def tenant_of_admin(admin: Admin = Depends(require_admin)) -> str:
    return admin.tenant_id


def get_db():
    return {}


CurrentAdmin = Annotated[Admin, Depends(require_admin)]
'''

ROUTES = '''
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, Query, Request

from svc.deps import CurrentAdmin, get_db, tenant_of_admin

app = FastAPI()
router = APIRouter(prefix="/admin")


@router.get("/dashboard")
def dashboard(tenant_id: str = Depends(tenant_of_admin), db=Depends(get_db)):
    return {"tenant": tenant_id}


@router.get("/dashboard/costs")
def costs(request: Request, days: int = Query(30), tenant_id: str = Depends(tenant_of_admin)):
    return {"ip": request.client.host, "days": days}


@router.get("/dashboard/usage-patterns")
def patterns(request: Request, days: int = 30, tenant_id: str = Depends(tenant_of_admin)):
    return {"days": days}  # declares Request but does not use it


@router.delete("/admins/{user_id}")
def remove_admin(user_id: int, admin: CurrentAdmin):
    if admin.id == user_id:
        raise ValueError("cannot remove yourself")
    return {"tenant": admin.tenant_id}


@router.get("/users")
def users(admin: CurrentAdmin, page: int = 1, limit: int = 20, search: str = "", sort: str = "id"):
    return {"tenant": admin.tenant_id}


@router.get("/dashboard/top-users")
def top_users(admin: CurrentAdmin, days: int = 30, cohort: str = Query(...)):
    return {"tenant": admin.tenant_id}


@router.post("/users/{user_id}/suspend")
def suspend(user_id: int, tasks: BackgroundTasks, tenant_id: str = Depends(tenant_of_admin)):
    tasks.add_task(print, user_id)
    return {}


@router.get("/settings")
def settings():
    return {}


@router.get("/users/{user_id}")
def get_user(user_id: int, admin: CurrentAdmin):
    return {"user": user_id, "tenant": admin.tenant_id, "request": "request"}


def make():
    inner = APIRouter()

    @inner.put("/admin/settings")
    def put_settings(x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
        return {}

    return inner


@router.post("/marketplace-like")
def not_mapped():
    return {}


app.include_router(router)
app.include_router(make())


@app.post("/api/marketplace/demo/request")
def provision(body: dict, x_marketplace_key: str = Header(..., alias="X-Marketplace-Key")):
    return {}
'''


@pytest.fixture(scope="module")
def assessed(tmp_path_factory):
    root = tmp_path_factory.mktemp("mov")
    (root / "svc").mkdir()
    (root / "svc/deps.py").write_text(textwrap.dedent(DEPS))
    (root / "svc/routes.py").write_text(textwrap.dedent(ROUTES))
    inventory = build_inventory(root, workers=1)
    module = cst.parse_module((root / "svc/routes.py").read_text())
    catalog = builtin_catalog()
    out = {}
    for route in inventory.routes:
        out[(route.methods[0], route.path)] = assess(route, module, match=catalog.match(route))
    return out


def test_plain_route_with_tenant_from_a_dependency_is_automatic(assessed):
    assert assessed[("GET", "/admin/dashboard")].automatic is True
    assert assessed[("GET", "/admin/dashboard")].reasons == []


def test_request_used_in_the_body_needs_a_person(assessed):
    result = assessed[("GET", "/admin/dashboard/costs")]
    assert not result.automatic
    assert any("Request `request`" in r and "request.client" in r for r in result.reasons)


def test_request_declared_but_unused_is_fine(assessed):
    assert assessed[("GET", "/admin/dashboard/usage-patterns")].automatic is True


def test_reading_the_callers_identity_needs_a_person(assessed):
    result = assessed[("DELETE", "/admin/admins/{user_id}")]
    assert not result.automatic
    assert any("identity `admin.id`" in r for r in result.reasons)


def test_tenant_attribute_of_an_identity_is_fine_but_unknown_parameters_are_not(assessed):
    # `admin.tenant_id` becomes the tenant id the handler passes; `sort` keeps its default (the standard call has
    # no input for it, as a legacy client that leaves it out)
    assert assessed[("GET", "/admin/users")].automatic is True
    result = assessed[("GET", "/admin/dashboard/top-users")]
    assert not result.automatic
    assert result.reasons == [
        ("parameter `cohort` (query) has no mapping to `get_top_users`: map it in [tool.migrator.catalog] or move the "
         "route by hand")
    ]
    assert assessed[("GET", "/admin/users/{user_id}")].automatic is True  # a string "request" is no Request use


def test_background_tasks_need_a_person(assessed):
    result = assessed[("POST", "/admin/users/{user_id}/suspend")]
    assert any("BackgroundTasks `tasks`" in r for r in result.reasons)


def test_no_tenant_source_needs_a_person_except_provisioning(assessed):
    assert any("no tenant source" in r for r in assessed[("GET", "/admin/settings")].reasons)
    assert assessed[("POST", "/api/marketplace/demo/request")].automatic is True


def test_closure_needs_a_person(assessed):
    # `make()` returns the router its route is registered on: a router factory, named with its line
    result = assessed[("PUT", "/admin/settings")]
    assert result.reasons == ["defined inside the router factory `make` (svc/routes.py:58), which builds `inner` anew "
                              "on each call; phase 1 moves route functions defined at module level only: move it by "
                              "hand"]


def test_a_closure_in_a_function_returning_no_router_is_named_as_such(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent('''
        from fastapi import FastAPI, Header

        app = FastAPI()


        def install(target):
            @target.get("/admin/settings")
            def settings(x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
                return {}


        install(app)
    '''))
    [route] = build_inventory(tmp_path).routes
    result = assess(route, cst.parse_module((tmp_path / "app.py").read_text()))
    assert result.reasons == ["defined inside the function `install` (app.py:7) (a closure): move it by hand"]


def test_unmapped_route_is_not_automatic(assessed):
    result = assessed[("POST", "/admin/marketplace-like")]
    assert not result.automatic and "stays as is" in result.reasons[0]


def test_assess_defaults_to_the_builtin_catalog(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent('''
        from fastapi import FastAPI, Header
        app = FastAPI()

        @app.get("/admin/dashboard")
        def d(x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
            return {}
    '''))
    route = build_inventory(tmp_path).routes[0]
    module = cst.parse_module((tmp_path / "app.py").read_text())
    assert assess(route, module).automatic is True


# --- an authenticated dependency that loads the path's subject (the user of `/users/{name}`) is no caller identity

SUBJECT_APP = '''
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Header

app = FastAPI()


@dataclass
class Person:
    name: str
    status: str


def current_operator(authorization: str = Header(...)) -> Person:
    return Person(authorization.removeprefix("Bearer "), "active")


def member_by_name(name: str, operator: Person = Depends(current_operator)) -> Person:
    return Person(name, "active")


@app.get("/admin/users/{name}")
def show_member(x_tenant_id: str = Header(..., alias="X-Tenant-ID"), member: Person = Depends(member_by_name)):
    return member


@app.put("/admin/users/{name}")
def edit_member(x_tenant_id: str = Header(..., alias="X-Tenant-ID"), member: Person = Depends(member_by_name)):
    return {"name": member.name, "status": member.status}


@app.delete("/admin/users/{name}")
def drop_member(name: str, x_tenant_id: str = Header(..., alias="X-Tenant-ID"),
                operator: Person = Depends(current_operator)):
    return {"removed": name, "by": operator.name}
'''


def test_a_dependency_loading_the_paths_subject_is_worded_as_such(tmp_path):
    (tmp_path / "app.py").write_text(SUBJECT_APP)
    module = cst.parse_module(SUBJECT_APP)
    reasons = {r.methods[0]: assess(r, module).reasons for r in build_inventory(tmp_path, workers=1).routes}
    loads = "which the dependency `app.member_by_name` loads from the path's `{name}`; that dependency also " \
            "authenticates the caller (Authorization: Bearer), which a Standard API call does not carry"
    assert reasons["GET"] == [f"the body uses `member` itself (returned or passed on), {loads}: move it by hand"]
    assert reasons["PUT"] == [f"the body reads `member.name`, {loads}: move it by hand"]
    # the caller's own identity keeps its wording
    assert reasons["DELETE"] == ["the body reads the caller's identity `operator.name` (dependency "
                                 "`app.current_operator`): the handler only gets the tenant id"]


# --- resource dependencies: what kind each is (read with `ast` from the dependency's module); the handler obtains
# every kind through FastAPI's own solver, so none of them keeps a route manual -----------------------------------

PROVIDER_DEPS = '''
from fastapi import Query

try:
    def hidden():
        return {}
except ImportError:
    pass


def plain():
    return {}


def gen():
    yield {}


async def agen():
    yield {}


async def coro():
    return {}


def needs(x: int):
    return {}


def marked(q: str = Query("a")):
    return {}


class Session:
    def __init__(self, q: str = Query("a")):
        self.q = q
'''

PROVIDER_ROUTES = '''
from fastapi import Depends, FastAPI, Header

from svc.deps import Session, agen, coro, gen, hidden, marked, needs, plain

app = FastAPI()
TENANT = Header(..., alias="X-Tenant-ID")


@app.get("/admin/dashboard")
def a(x_tenant_id: str = TENANT, db=Depends(plain)):
    return db


@app.get("/admin/dashboard/costs")
def b(x_tenant_id: str = TENANT, db=Depends(gen)):
    return db


@app.get("/admin/dashboard/usage-patterns")
def c(x_tenant_id: str = TENANT, db=Depends(agen)):
    return db


@app.get("/admin/dashboard/top-users")
def d(x_tenant_id: str = TENANT, db=Depends(coro)):
    return db


@app.get("/admin/users")
def e(x_tenant_id: str = TENANT, db=Depends(needs)):
    return db


@app.get("/admin/users/{user_id}")
def f(user_id: int, x_tenant_id: str = TENANT, db=Depends(marked)):
    return db


@app.delete("/admin/users/{user_id}")
def g(user_id: int, x_tenant_id: str = TENANT, db=Depends(hidden)):
    return db


@app.post("/admin/users/{user_id}/suspend")
def h(user_id: int, x_tenant_id: str = TENANT, db=Depends(Session)):
    return db'''


def test_every_kind_of_resource_dependency_is_recorded_and_none_keeps_a_route_manual(tmp_path):
    from migrator.planner import make_plan

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/deps.py").write_text(PROVIDER_DEPS)
    (tmp_path / "svc/main.py").write_text(PROVIDER_ROUTES)
    plan = make_plan(tmp_path, workers=1, estimate=False).plan
    found = {}
    for route in plan.routes:
        [db] = [p for p in route.verdict.params if p.name == "db"]
        found[route.qualname] = (db.provider, " ".join(r.message for r in route.verdict.reasons))
    assert {name: provider for name, (provider, _) in found.items()} == {
        "a": "call", "b": "generator", "c": "async-generator", "d": "await", "e": "call", "f": "call",
        "g": None,  # bound only inside `try:`: not read, still solved by FastAPI
        "h": "class"}
    # no kind keeps a route manual; a dependency does only when it requires a query parameter the standard call
    # lacks (`needs(x: int)`, `marked(q: str = Query("a"))` has a default)
    mentions = {name for name, (_, reasons) in found.items() if "dependency" in reasons or "`db`" in reasons}
    assert mentions == {"e"}
    assert "the dependency `svc.deps.needs` requires the query parameter `x`" in found["e"][1]


# --- an identity that is not recognised as credentials: a scoped verifier instance (`Depends(verifier([...]))`) --

VERIFIER = '''
from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI, Request


@dataclass
class Principal:
    tenant_id: str
    email: str


class Verifier:
    def __init__(self, scopes: list[str]):
        self.scopes = scopes

    def __call__(self, request: Request) -> Principal:
        return Principal(request.headers.get("x-org", ""), request.headers.get("x-email", ""))


def verifier(scopes: list[str]) -> Verifier:
    return Verifier(scopes)


STORE: dict[str, dict[str, dict]] = {}
app = FastAPI()
router = APIRouter(prefix="/admin")


@router.delete("/users/{email}")
def drop_user(email: str, principal: Principal = Depends(verifier(["delete:users"]))):
    return STORE[principal.tenant_id].pop(email)


@router.put("/users/{email}")
def change_user(email: str, body: dict, principal: Principal = Depends(verifier(["write:users"]))):
    if principal.email == email:
        raise ValueError("not yourself")
    return STORE[principal.tenant_id][email]


app.include_router(router)
'''


def test_the_tenant_of_a_verified_identity_is_the_standard_tenant_id_and_its_other_reads_need_a_person(tmp_path):
    from migrator.analyze import analyze

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/routes.py").write_text(VERIFIER)
    report = analyze(tmp_path)
    routes = {(r.methods[0], r.path): r for r in report.routes}
    drop = routes[("DELETE", "/admin/users/{email}")]
    assert drop.auth == [] and drop.tenant_source == "identity:principal.tenant_id"
    # the handler cannot run the verifier (it needs the caller's request): the id replaces `principal.tenant_id`
    assert drop.status == "automatic", drop.manual_steps
    planned = next(r for r in report.plan.routes if r.key == "DELETE /admin/users/{email}")
    tenant = next(p for p in planned.verdict.params if p.name == "principal")
    assert (tenant.substitute, tenant.rename, tenant.solved) == ("tenant_id", "tenant_id", False)
    change = routes[("PUT", "/admin/users/{email}")]
    assert change.status == "manual"
    assert any("identity `principal.email`" in r for r in change.manual_steps), change.manual_steps


# --- the identity's tenant attribute is not `tenant_id`: `admin.org_id`, or the tenant object's own `.id` ----------

ORG_IDENTITY = '''
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Header

app = FastAPI()


@dataclass
class Member:
    id: int
    org_id: str


@dataclass
class Org:
    id: int


def current_member(authorization: str = Header(...)) -> Member:
    return Member(1, authorization)


def member_org(member: Member = Depends(current_member)) -> Org:
    return Org(member.id)


def count_members(org_id) -> int:
    return len(str(org_id))


@app.get("/admin/dashboard")
def dashboard(organisation=Depends(member_org)):
    return {"total_users": count_members(organisation.id), "active_users": 1}


@app.get("/admin/users/{user_id}")
def get_user(user_id: int, member: Member = Depends(current_member)):
    return {"id": user_id, "email": f"{member.org_id}@example.com", "name": "A", "status": "active",
            "created_at": "2024-01-01T00:00:00Z"}


@app.delete("/admin/users/{user_id}")
def delete_user(user_id: int, member: Member = Depends(current_member)):
    return {"deleted": user_id, "by": member.id, "org": member.org_id}
'''


def test_an_identity_read_only_for_its_tenant_attribute_is_automatic_whatever_the_attribute(tmp_path):
    # `member.org_id` and `organisation.id` are the tenant id the handler passes, not other reads of the identity
    from migrator.analyze import analyze

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/routes.py").write_text(ORG_IDENTITY)
    report = analyze(tmp_path)
    routes = {(r.methods[0], r.path): r for r in report.routes}
    for key, source, param in ((("GET", "/admin/dashboard"), "identity:organisation.id", "organisation"),
                               (("GET", "/admin/users/{user_id}"), "identity:member.org_id", "member")):
        route = routes[key]
        assert (route.tenant_source, route.status) == (source, "automatic"), route.manual_steps
        planned = next(r for r in report.plan.routes if r.key == f"{key[0]} {key[1]}")
        tenant = next(p for p in planned.verdict.params if p.name == param)
        assert (tenant.substitute, tenant.rename) == (source.rsplit(".", 1)[1], "tenant_id")
    delete = routes[("DELETE", "/admin/users/{user_id}")]  # `member.id` is the caller, not the tenant
    assert delete.status == "manual"
    assert any("identity `member.id`" in r for r in delete.manual_steps), delete.manual_steps


# --- a resource dependency that requires a query parameter the standard call does not carry ----------------------

REQUIRED_QUERY_DEPS = '''
from typing import Annotated

from fastapi import Query


def needs(x: int):
    return {"x": x}


def optional(x: int = 3):
    return {"x": x}


def marked(q: str = Query(...)):
    return {"q": q}


def annotated(q: Annotated[str, Query()]):
    return {"q": q}


def annotated_default(q: Annotated[str, Query()] = "a"):
    return {"q": q}


def default_kw(q: str = Query(default="a")):
    return {"q": q}


def paged(page: int, limit: int = Query(20)):
    return {"page": page, "limit": limit}
'''

REQUIRED_QUERY_ROUTES = '''
from fastapi import Depends, FastAPI, Header

from svc import deps

app = FastAPI()
TENANT = Header(..., alias="X-Tenant-ID")


@app.delete("/admin/users/{user_id}")
def needs(user_id: int, x_tenant_id: str = TENANT, db=Depends(deps.needs)):
    return {"ok": bool(db)}


@app.post("/admin/users/{user_id}/suspend")
def optional(user_id: int, x_tenant_id: str = TENANT, db=Depends(deps.optional)):
    return {"ok": bool(db)}


@app.post("/admin/users/{user_id}/activate")
def marked(user_id: int, x_tenant_id: str = TENANT, db=Depends(deps.marked)):
    return {"ok": bool(db)}


@app.get("/admin/users/{user_id}")
def annotated(user_id: int, x_tenant_id: str = TENANT, db=Depends(deps.annotated)):
    return {"ok": bool(db)}


@app.put("/admin/users/{user_id}")
def annotated_default(user_id: int, x_tenant_id: str = TENANT, db=Depends(deps.annotated_default)):
    return {"ok": bool(db)}


@app.post("/admin/users/{user_id}/deactivate")
def default_kw(user_id: int, x_tenant_id: str = TENANT, db=Depends(deps.default_kw)):
    return {"ok": bool(db)}
'''


def test_a_dependency_requiring_a_query_the_standard_call_lacks_keeps_the_route_manual(tmp_path):
    from migrator.inventory import build_inventory
    from migrator.planner import make_plan

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/deps.py").write_text(REQUIRED_QUERY_DEPS)
    (tmp_path / "svc/main.py").write_text(REQUIRED_QUERY_ROUTES)
    required = {r.qualname: [p.required_queries for p in r.params if p.name == "db"][0]
                for r in build_inventory(tmp_path).routes}
    assert required == {"needs": ["x"], "optional": [], "marked": ["q"], "annotated": ["q"],
                        "annotated_default": [], "default_kw": []}
    plan = make_plan(tmp_path, workers=1, estimate=False).plan
    reasons = {r.qualname: [x.message for x in r.verdict.reasons if x.code == "dependency-input"]
               for r in plan.routes if r.verdict.status != "stays"}
    assert reasons["optional"] == reasons["annotated_default"] == reasons["default_kw"] == []
    for name, wire in (("needs", "x"), ("marked", "q"), ("annotated", "q")):
        [message] = reasons[name]
        assert f"`svc.deps.{name}` requires the query parameter `{wire}`" in message
    statuses = {r.qualname: r.verdict.status for r in plan.routes}
    assert statuses["needs"] == statuses["marked"] == "manual"
    assert statuses["optional"] == statuses["default_kw"] == "automatic"


# --- a credential carried in a cookie is the caller's identity, exactly like a Bearer token -----------------------

_BY_HEADER = '''
def current_member(authorization: str = Header(...)) -> Member:
    if not authorization.startswith("Bearer "):
        raise ValueError
    return Member(1, "org-1", authorization)
'''

_BY_COOKIE = '''
class Session:
    def __init__(self, request: Request):
        self.request = request
        self._name = "member_session"

    def member(self) -> Member:
        return Member(1, "org-1", self.request.cookies.get(self._name))


def current_member(session: Session = Depends()) -> Member:
    return session.member()
'''

_MEMBER_ROUTES = '''
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Header, Request

app = FastAPI()


@dataclass
class Member:
    id: int
    org_id: str
    name: str

{credential}

@app.get("/admin/users/{{user_id}}")
def get_user(user_id: int, member: Member = Depends(current_member)):
    return {{"id": user_id, "email": f"{{member.org_id}}@example.com", "name": "A", "status": "active",
            "created_at": "2024-01-01T00:00:00Z"}}


@app.delete("/admin/users/{{user_id}}")
def delete_user(user_id: int, member: Member = Depends(current_member)):
    return {{"deleted": user_id, "by": member.id, "org": member.org_id}}


@app.get("/admin/dashboard")
def dashboard(x_tenant_id: str = Header(alias="X-Tenant-ID"), member: Member = Depends(current_member)):
    return {{"total_users": 1, "active_users": 1, "viewer": member.name}}
'''


def _member_verdicts(tmp_path, credential: str, label: str) -> dict:
    from migrator.analyze import analyze

    (tmp_path / "svc").mkdir(parents=True)
    (tmp_path / "svc/routes.py").write_text(_MEMBER_ROUTES.format(credential=credential))
    report = analyze(tmp_path)
    return {(r.methods[0], r.path): (r.auth, r.tenant_source, r.status,
                                     [s.replace(label, "<credential>") for s in r.manual_steps])
            for r in report.routes}


def test_a_cookie_credential_is_the_callers_identity_like_a_bearer_token(tmp_path):
    bearer = _member_verdicts(tmp_path / "bearer", _BY_HEADER, "Authorization: Bearer")
    cookie = _member_verdicts(tmp_path / "cookie", _BY_COOKIE, "cookie:member_session")
    assert cookie[("GET", "/admin/users/{user_id}")][:3] == (["cookie:member_session"], "identity:member.org_id",
                                                             "automatic")
    assert cookie[("DELETE", "/admin/users/{user_id}")][2] == "manual"
    dashboard = cookie[("GET", "/admin/dashboard")]  # the caller's name, not a resource the handler could solve
    assert dashboard[2] == "manual" and any("identity `member.name`" in s for s in dashboard[3]), dashboard
    assert {k: v[1:] for k, v in cookie.items()} == {k: v[1:] for k, v in bearer.items()}


# --- the tenant parameter's dependency also loads the path's subject (`member = Depends(load_member)`) -------------

SUBJECT_AND_TENANT = '''
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI()


class Account(BaseModel):
    id: int
    email: str
    name: str
    status: str
    created_at: str


class Team(BaseModel):
    id: int
    size: int


ACCOUNTS = {("north", 7): Account(id=7, email="li@north.test", name="Li", status="active",
                                  created_at="2024-02-02T00:00:00Z")}


def load_account(account_id: int, x_tenant_id: str = Header(alias="X-Tenant-ID")) -> Account:
    account = ACCOUNTS.get((x_tenant_id, account_id))
    if account is None:
        raise HTTPException(status_code=404)
    return account


def load_account_for_admin(account_id: int, authorization: str = Header(...),
                           x_tenant_id: str = Header(alias="X-Tenant-ID")) -> Account:
    if authorization != "Bearer admin":
        raise HTTPException(status_code=403)
    return load_account(account_id, x_tenant_id)


def load_team(team_id: int) -> Team:
    return Team(id=team_id, size=3)


@app.get("/users/{account_id}")
def show_account(account: Account = Depends(load_account)) -> Account:
    return account


@app.get("/admin/users/{account_id}")
def show_account_to_admin(account: Account = Depends(load_account_for_admin)) -> Account:
    return account


@app.get("/teams/{team_id}/dashboard")
def team_dashboard(team: Team = Depends(load_team)):
    return {"total_users": team.size, "active_users": team.size}
'''


def test_a_tenant_dependency_loading_the_paths_subject_needs_a_person(tmp_path):
    # the handler only has the tenant id: it can neither solve `load_account` (no `{account_id}` to give it) nor
    # stand the id in for the account the body returns
    from migrator.analyze import analyze

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/routes.py").write_text(SUBJECT_AND_TENANT.replace("team_id", "tenant_id"))
    routes = {r.path: r for r in analyze(tmp_path).routes}
    for path, dependency in (("/users/{account_id}", "load_account"),
                             ("/admin/users/{account_id}", "load_account_for_admin")):
        route = routes[path]
        assert (route.tenant_source, route.tenant_param) == ("header:X-Tenant-ID", "account")
        assert route.status == "manual"
        assert route.manual_steps == [
            f"the body uses `account` itself (returned or passed on), the path's subject the dependency "
            f"`routes.{dependency}` loads from `{{account_id}}` along with the tenant; the handler only gets the "
            "tenant id: move it by hand"]
    # a dependency reading only the tenant's own path parameter is solved from the id as before
    dashboard = routes["/teams/{tenant_id}/dashboard"]
    assert (dashboard.tenant_source, dashboard.status) == ("path:tenant_id", "automatic"), dashboard.manual_steps


# --- a tenant-scoped operation served by a platform-wide route of a multi-tenant service --------------------------

PLATFORM_ROUTES = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/workspaces/{workspace_id}/reports")
def reports(workspace_id: str):
    return []


@app.get("/workspaces/{workspace_id}/tags")
def tags(workspace_id: str):
    return []


@app.get("/admin/users")
def list_users(page: int = 1, limit: int = 20):
    return {"users": [], "total": 0, "page": page, "limit": limit}
'''


@pytest.mark.parametrize("multi", [True, False])
def test_a_route_without_tenant_in_an_app_whose_other_routes_read_one_says_it_may_be_platform_wide(
        tmp_path, multi):
    from migrator.movability import NO_TENANT
    from migrator.planner import make_plan

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    # single: ids under a collection that is not a tenant collection (`/workspaces/{report_id}` names a workspace)
    source = PLATFORM_ROUTES if multi else PLATFORM_ROUTES.replace("workspaces/{workspace_id}", "projects/{report_id}"
                                                                   ).replace("workspace_id: str", "report_id: str")
    (tmp_path / "svc/main.py").write_text(source)
    plan = make_plan(tmp_path, workers=1, estimate=False).plan
    users = next(r for r in plan.routes if r.path == "/admin/users")
    [reason] = [r for r in users.verdict.reasons if r.code == "no-tenant"]
    if multi:
        assert reason.message.startswith("no tenant source found in this route while 2 other route(s) of its app "
                                         "read one (most often `path:workspace_id`): a route serving every tenant")
        assert reason.message.endswith(NO_TENANT[NO_TENANT.index("a deployment that serves one tenant"):])
    else:
        assert reason.message == NO_TENANT
