"""Provisioning of the migrated examples (phase 1, real servers) never hands a tenant to the wrong caller, through the
standard path (`/mt/tenant/{id}/activate`), the Service Market webhook (`/api/tenant/webhook/auto-provision`) and
the legacy routes (advisor `/api/marketplace/demo/request`, llm_chatbot `/api/marketplace/demo/provision`,
classroom `/platform/tenants`; mentor has none) and, for users, each example's own admin route and `/mt/.../users`,
with the semantics each example really has:

- advisor, llm_chatbot: the legacy provisioning reuses the applicant e-mail's tenant and refuses an existing id (409);
- classroom: the database numbers the schools, the market's ids are mapped to them (shims.tenant_ids), and its own
  registration is unique on the slug and never reuses by e-mail;
- mentor: one deployment is one tenant: the first applicant claims it, the same e-mail gets it again, every other
  applicant is rejected (200, ``status: "rejected"``); no other id can exist.

Runs without the SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .harness import EXAMPLES, MARKET_KEY, Example, migrated_copy, serve, skip_unless_migrated

STANDARD = {"X-Market-API-Key": MARKET_KEY}
WEBHOOK = {"X-API-Key": MARKET_KEY}
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
#: the tenant a single-tenant deployment serves in these tests
DEPLOYED = "hanul_university_1"
#: the examples whose legacy provisioning answers an applicant e-mail's existing tenant (manual §9 Q1)
REUSES_BY_EMAIL = {"advisor", "llm_chatbot"}
CLASSROOM_PLATFORM = {"X-Platform-Key": "cls-platform-dev-7d41"}  # classroom/config.py's development key


def _activation(tenant_id: str, name: str, email: str) -> dict:
    return {"tenant_id": tenant_id, "tenant_name": name, "plan": "demo", "features": ["chat"], "config": {},
            "contact": {"email": email, "name": "Applicant"}}  # fmt: skip


def _webhook(application_id: int, university: str, email: str) -> dict:
    return {"application_id": application_id, "kind": "demo", "contact": "02", "reason": "r",
            "applicant": {"id": 1, "name": "Applicant", "email": email, "university_name": university},
            "service": {"id": 1, "slug": "s", "title": "S"}}  # fmt: skip


def _legacy(name: str, client: httpx.Client, application_id: int, university: str, email: str) -> httpx.Response:
    if name == "advisor":
        body = {"application": {"id": application_id, "kind": "demo"},
                "applicant": {"id": 1, "name": "Applicant", "email": email, "university_name": university},
                "service": {"id": 1, "slug": "s", "title": "S"}}  # fmt: skip
        return client.post("/api/marketplace/demo/request", json=body, headers={"X-Marketplace-Key": "adv-mk-dev-8f2c1a"})
    body = {"university_name": university, "application_id": application_id, "admin_email": email,
            "admin_name": "Applicant"}  # fmt: skip
    return client.post("/api/marketplace/demo/provision", json=body, headers={"Authorization": "Bearer svc-dev-3b9d7e"})


def _exists(client: httpx.Client, tenant_id: str) -> bool:
    response = client.get(f"/mt/tenant/{tenant_id}/stats", headers=STANDARD)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["error"]


def _address(access_url: str | None) -> tuple:
    """What an access URL points at: origin, path ("" and "/" are the same page) and the tenant it names."""
    parsed = httpx.URL(access_url or "")
    return parsed.scheme, parsed.host, parsed.port, parsed.path.rstrip("/"), parsed.params.get("tenant")


def _from_configuration(access_url: str | None, url: str, tenant_id: str | None = None) -> None:
    """The access URL is built from the configured public URL (the server's own), never from the request's Host."""
    assert access_url and "evil" not in access_url, access_url
    scheme, host, port, path, tenant = _address(access_url)
    assert (scheme, host, port, path) == _address(url)[:4] and tenant, access_url
    if tenant_id is not None:
        assert tenant == tenant_id, access_url


@dataclass
class Served:
    example: Example
    client: httpx.Client
    url: str
    copy: Path
    data: Path

    @property
    def single(self) -> bool:
        return self.example.tenant_env is not None


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def migrated(request, tmp_path_factory):
    example = EXAMPLES[request.param]
    base = tmp_path_factory.mktemp(f"provisioning-{example.name}")
    copy = migrated_copy(example.name, 1, base)
    skip_unless_migrated(copy, example.name)
    with ExitStack() as stack:
        yield example, copy, base, stack, {}


@pytest.fixture
def served(migrated, request):
    """A multi-tenant example: one server for the module (the tests use distinct ids). A single-tenant deployment:
    a fresh one per test (who claimed the deployment is that test's business)."""
    example, copy, base, stack, shared = migrated
    if example.tenant_env is None and shared:
        yield shared["served"]
        return
    name = request.node.name.replace("[", "-").replace("]", "")
    data = base / (f"data-{name}" if example.tenant_env else "data")
    with ExitStack() as own:
        owner = own if example.tenant_env else stack
        url = owner.enter_context(serve(copy, example, data, DEPLOYED))
        client = owner.enter_context(httpx.Client(base_url=url, timeout=30))
        current = Served(example, client, url, copy, data)
        if example.tenant_env is None:
            shared["served"] = current
        yield current


# --- the standard path -------------------------------------------------------------------------------------------


def test_standard_activate_creates_exactly_the_path_tenant(served):
    client = served.client
    if served.single:  # the deployed tenant is the only one: its first activation claims exactly it
        claimed = client.post(f"/mt/tenant/{DEPLOYED}/activate", json=_activation(DEPLOYED, "Hanul", "first@h.example"),
                              headers={**STANDARD, **EVIL})  # fmt: skip
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["tenant_id"] == DEPLOYED
        _from_configuration(claimed.json()["access_url"], served.url, DEPLOYED)
        other = client.post("/mt/tenant/foo_1/activate", json=_activation("foo_1", "Bar University", "first@h.example"),
                            headers=STANDARD)  # fmt: skip
        assert _error(other) == (409, "TENANT_EXISTS") and not _exists(client, "foo_1")
        return
    response = client.post("/mt/tenant/foo_1/activate", json=_activation("foo_1", "Bar University", "new@foo.example"),
                           headers={**STANDARD, **EVIL})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["tenant_id"] == "foo_1"
    _from_configuration(response.json()["access_url"], served.url)
    assert _exists(client, "foo_1") and not _exists(client, "bar_university_1")


def test_standard_activate_refuses_another_applicants_tenant(served):
    client = served.client
    if served.single:
        claim = client.post("/api/tenant/webhook/auto-provision", json=_webhook(7, "Hanul", "owner@h.example"),
                            headers=WEBHOOK)  # fmt: skip
        assert claim.json()["tenant_id"] == DEPLOYED, claim.text
        seeded, owner = DEPLOYED, "owner@h.example"
    else:
        seeded, owner = served.example.seeded
    taken = client.post(f"/mt/tenant/{seeded}/activate", json=_activation(seeded, "Xyz", "intruder@x.example"),
                        headers=STANDARD)  # fmt: skip
    assert _error(taken) == (409, "TENANT_EXISTS")
    # an active tenant is not activated again, not even for its own contact
    own = client.post(f"/mt/tenant/{seeded}/activate", json=_activation(seeded, "Xyz", owner), headers=STANDARD)
    assert _error(own) == (409, "TENANT_EXISTS")
    if served.single:  # the owner's e-mail with another id: there is no other tenant to create
        other = client.post("/mt/tenant/owner_copy_5/activate", json=_activation("owner_copy_5", "Copy", owner),
                            headers=STANDARD)  # fmt: skip
        assert _error(other) == (409, "TENANT_EXISTS") and not _exists(client, "owner_copy_5")
        return
    other = client.post("/mt/tenant/owner_copy_5/activate", json=_activation("owner_copy_5", "Owner Copy", owner),
                        headers=STANDARD)  # fmt: skip
    if served.example.name in REUSES_BY_EMAIL:  # the legacy code would reuse the owner's tenant: /mt must not
        assert _error(other) == (409, "TENANT_EXISTS")
        assert not _exists(client, "owner_copy_5")
    else:  # classroom registers a school per slug, whoever its contact: exactly the path's id, a new tenant
        assert (other.status_code, other.json()["tenant_id"]) == (200, "owner_copy_5"), other.text
        assert _exists(client, "owner_copy_5") and _exists(client, seeded)


def test_standard_activate_fails_for_an_id_it_cannot_create(served):
    client = served.client
    name = served.example.name
    hallym = _activation("hallym_univ", "Hallym", "h@h.example")
    if served.single:  # any id but the deployed one
        refused = client.post("/mt/tenant/hallym_univ/activate", json=hallym, headers=STANDARD)
        assert _error(refused) == (409, "TENANT_EXISTS") and not _exists(client, "hallym_univ")
    elif name in REUSES_BY_EMAIL:  # ids are `<name>_<application id>`
        impossible = client.post("/mt/tenant/hallym_univ/activate", json=hallym, headers=STANDARD)
        assert _error(impossible) == (400, "INVALID_REQUEST") and not _exists(client, "hallym_univ")
    else:  # classroom: an id whose slug another market id holds, and the service's own id of a mapped tenant
        first = client.post("/mt/tenant/slug_twin_3/activate", json=_activation("slug_twin_3", "Twin", "t1@t.example"),
                            headers=STANDARD)  # fmt: skip
        assert first.status_code == 200, first.text
        twin = client.post("/mt/tenant/slug-twin-3/activate", json=_activation("slug-twin-3", "Twin", "t2@t.example"),
                           headers=STANDARD)  # fmt: skip
        assert _error(twin) == (409, "TENANT_EXISTS") and not _exists(client, "slug-twin-3")
        schools = client.get("/platform/tenants", headers=CLASSROOM_PLATFORM).json()
        service_id = str(next(school["id"] for school in schools if school["slug"] == "slug-twin-3"))
        renamed = client.post(f"/mt/tenant/{service_id}/activate",
                              json=_activation(service_id, "Twin", "t1@t.example"), headers=STANDARD)  # fmt: skip
        assert _error(renamed) == (409, "TENANT_EXISTS") and not _exists(client, service_id)


def test_standard_reactivation_is_the_owners_alone(served):
    client = served.client
    tenant, owner = (DEPLOYED, "first@h.example") if served.single else ("react_9", "owner@react.example")
    created = client.post(f"/mt/tenant/{tenant}/activate", json=_activation(tenant, "React", owner), headers=STANDARD)
    assert created.status_code == 200, created.text
    gone = client.post(f"/mt/tenant/{tenant}/deactivate", json={"reason": "test", "preserve_data": True},
                       headers=STANDARD)  # fmt: skip
    assert gone.status_code == 200, gone.text
    intruder = client.post(f"/mt/tenant/{tenant}/activate", json=_activation(tenant, "React", "x@x.example"),
                           headers=STANDARD)  # fmt: skip
    assert _error(intruder) == (409, "TENANT_EXISTS")
    back = client.post(f"/mt/tenant/{tenant}/activate", json=_activation(tenant, "React", owner.upper()),
                       headers={**STANDARD, **EVIL})  # fmt: skip
    assert (back.status_code, back.json()["tenant_id"]) == (200, tenant), back.text
    assert _address(back.json()["access_url"]) == _address(created.json()["access_url"])
    _from_configuration(back.json()["access_url"], served.url)
    status = client.get(f"/mt/tenant/{tenant}/status", headers=STANDARD).json()
    assert (status["tenant_id"], status["status"]) == (tenant, "active")


# --- the Service Market webhook ------------------------------------------------------------------------------------


def test_webhook_refuses_an_id_another_email_owns_and_reuses_for_the_owner(served):
    client, url = served.client, served.url
    if served.single:
        return _webhook_on_a_deployment(served)
    if served.example.seeded_application is not None:  # a seeded tenant the manual's id rule names
        university, application = served.example.seeded_application
        seeded_id, _ = served.example.seeded
        taken = client.post("/api/tenant/webhook/auto-provision", json=_webhook(application, university, "x@x.example"),
                            headers=WEBHOOK)  # fmt: skip
        assert taken.status_code == 409
        assert taken.json() == {"detail": f"Tenant '{seeded_id}' already exists"}
    first = client.post("/api/tenant/webhook/auto-provision", json=_webhook(31, "Inha University", "a@inha.example"),
                        headers={**WEBHOOK, **EVIL})  # fmt: skip
    assert (first.status_code, first.json()["tenant_id"]) == (200, "inha_university_31"), first.text
    _from_configuration(first.json()["access_url"], url)
    assert _exists(client, "inha_university_31")
    second = client.post("/api/tenant/webhook/auto-provision", json=_webhook(31, "Inha University", "b@inha.example"),
                         headers=WEBHOOK)  # fmt: skip
    assert second.status_code == 409
    assert second.json() == {"detail": "Tenant 'inha_university_31' already exists"}
    again = client.post("/api/tenant/webhook/auto-provision", json=_webhook(32, "Other", "A@INHA.example"),
                        headers={**WEBHOOK, **EVIL})  # fmt: skip
    assert (again.status_code, again.json()["tenant_id"]) == (200, "inha_university_31"), again.text
    assert _address(again.json()["access_url"]) == _address(first.json()["access_url"])  # the same tenant, address
    seeded, owner = served.example.seeded
    own = client.post("/api/tenant/webhook/auto-provision", json=_webhook(4242, "Anything", owner.upper()),
                      headers={**WEBHOOK, **EVIL})  # fmt: skip
    assert (own.status_code, own.json()["tenant_id"]) == (200, seeded), own.text
    _from_configuration(own.json()["access_url"], url)


def _webhook_on_a_deployment(served: Served) -> None:
    client, url = served.client, served.url
    first = client.post("/api/tenant/webhook/auto-provision", json=_webhook(31, "Hanul", "a@hanul.example"),
                        headers={**WEBHOOK, **EVIL})  # fmt: skip
    body = first.json()
    assert (first.status_code, body["success"], body["status"], body["tenant_id"]) == (200, True, "approved", DEPLOYED)
    _from_configuration(body["access_url"], url, DEPLOYED)
    other = client.post("/api/tenant/webhook/auto-provision", json=_webhook(31, "Hanul", "b@x.example"),
                        headers=WEBHOOK)  # fmt: skip
    rejected = other.json()
    assert (other.status_code, rejected["success"], rejected["status"]) == (200, False, "rejected")
    assert rejected["tenant_id"] is rejected["access_url"] is rejected["admin_credentials"] is None
    summary = client.get(f"/api/tenant/status/{DEPLOYED}", headers=WEBHOOK).json()
    assert summary["email"] == "a@hanul.example"
    again = client.post("/api/tenant/webhook/auto-provision", json=_webhook(32, "Other", "A@HANUL.example"),
                        headers={**WEBHOOK, **EVIL})  # fmt: skip
    assert (again.status_code, again.json()["tenant_id"]) == (200, DEPLOYED)
    assert _address(again.json()["access_url"]) == _address(body["access_url"])


def test_webhook_standard_activation_is_exactly_its_tenant_or_409(served):
    """mt_paas's compatibility router posts a standard ActivateRequest to the webhook path."""
    client = served.client
    seeded, _ = (DEPLOYED, None) if served.single else served.example.seeded
    if served.single:
        client.post("/api/tenant/webhook/auto-provision", json=_webhook(7, "Hanul", "owner@h.example"), headers=WEBHOOK)
    taken = client.post("/api/tenant/webhook/auto-provision", json=_activation(seeded, "Xyz", "intruder@x.example"),
                        headers=WEBHOOK)  # fmt: skip
    assert taken.status_code == 409 and seeded in taken.json()["detail"], taken.text
    fresh = "compat_new_8"
    created = client.post("/api/tenant/webhook/auto-provision", json=_activation(fresh, "Compat", "c@c.example"),
                          headers={**WEBHOOK, **EVIL})  # fmt: skip
    if served.single:  # no second tenant on a deployment
        assert created.status_code == 409 and not _exists(client, fresh), created.text
        return
    assert (created.status_code, created.json()["tenant_id"]) == (200, fresh), created.text
    _from_configuration(created.json()["access_url"], served.url)
    assert _exists(client, fresh)


# --- the legacy provisioning routes --------------------------------------------------------------------------------


def test_legacy_route_refuses_an_id_another_email_owns_and_reuses_for_the_owner(served):
    example, client = served.example, served.client
    if served.single:
        pytest.skip(f"{example.name} is one deployment per university: it has no legacy provisioning route "
                    "(the webhook and /mt are its only provisioning paths)")  # fmt: skip
    if example.name == "classroom":
        return _classroom_registration(served)
    university, application = example.seeded_application
    seeded, owner = example.seeded
    taken = _legacy(example.name, client, application, university, "y@y.example")
    assert taken.status_code == 409
    assert taken.json() == {"detail": f"Tenant '{seeded}' already exists"}
    own = _legacy(example.name, client, 5151, "Anything", owner)
    assert own.status_code == 200 and own.json()["tenant_id"] == seeded


def _classroom_registration(served: Served) -> None:
    """classroom's own rule: a registration is unique on its slug (409 ``tenant_exists``), whoever asks; the contact
    e-mail of another school registers a new school (the legacy route never reuses by e-mail)."""
    client = served.client
    taken = client.post("/platform/tenants", json={"name": "Hanbit Copy", "slug": "hanbit-high",
                                                   "contact_email": "y@y.example"}, headers=CLASSROOM_PLATFORM)
    assert taken.status_code == 409
    assert taken.json() == {"error": {"code": "tenant_exists", "message": "Slug 'hanbit-high' is taken"}}
    market = client.post("/mt/tenant/legacy_twin_4/activate", json=_activation("legacy_twin_4", "Twin", "m@m.example"),
                         headers=STANDARD)  # fmt: skip
    assert market.status_code == 200, market.text
    twin = client.post("/platform/tenants", json={"name": "Twin Copy", "slug": "legacy-twin-4",
                                                  "contact_email": "y@y.example"}, headers=CLASSROOM_PLATFORM)
    assert twin.status_code == 409 and twin.json()["error"]["code"] == "tenant_exists"
    seeded, owner = served.example.seeded
    own = client.post("/platform/tenants", json={"name": "Hanbit Two", "slug": "hanbit-two", "contact_email": owner},
                      headers=CLASSROOM_PLATFORM)  # fmt: skip
    assert own.status_code == 201, own.text
    new_id = str(own.json()["id"])
    assert new_id != seeded and _exists(client, new_id) and _exists(client, seeded)


# --- users ---------------------------------------------------------------------------------------------------------


def _served_tenant(served: Served) -> str:
    return DEPLOYED if served.single else served.example.seeded[0]


def test_users_with_the_same_local_part_do_not_collide(served):
    client = served.client
    tenant = _served_tenant(served)
    created = []
    for email in ("john@a.example", "john@b.example", "john+1@a.example", "john-1@a.example"):
        response = client.post(f"/mt/tenant/{tenant}/users", json={"email": email, "name": "John"}, headers=STANDARD)
        assert response.status_code == 201, (email, response.text)
        created.append(response.json()["user_id"])
    for email in ("john@a.example", "JOHN@B.example"):
        again = client.post(f"/mt/tenant/{tenant}/users", json={"email": email, "name": "J"}, headers=STANDARD)
        assert _error(again) == (409, "USER_EXISTS"), (email, again.text)
    assert len(set(created)) == 4


def _seed_credentials(served: Served) -> dict:
    """The example's `seed.demo_credentials()`, computed in the migrated copy with the server's environment."""
    prefixes = ("ADVISOR_", "LLM_CHATBOT_", "CLASSROOM_", "MENTOR_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update({k: v.format(data=served.data) for k, v in served.example.env.items()})
    package = served.example.app.split(".")[0]
    code = f"import json; from {package}.seed import demo_credentials; print(json.dumps(demo_credentials()))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=served.copy, env=env, capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    return json.loads(proc.stdout)


def _legacy_user(served: Served, creds: dict, username: str, email: str) -> httpx.Response:
    """Create a user through the example's own admin route (each asks for a username of its own but classroom)."""
    name, tenant = served.example.name, _served_tenant(served)
    if name == "classroom":
        headers = {"X-Tenant-ID": tenant, "X-API-Key": creds[tenant]["api_key"]}
        return served.client.post("/v1/users", json={"email": email, "name": "Jane"}, headers=headers)
    body = {"username": username, "email": email, "password": "long-enough-1"}
    if name == "mentor":
        return served.client.post("/api/v1/admin/users", json={**body, "full_name": "Jane"},
                                  headers={"Authorization": f"Bearer {creds['admin']['token']}"})  # fmt: skip
    headers = {"Authorization": f"Bearer {creds[tenant]['admin_token']}", "X-Tenant-ID": tenant}
    return served.client.post("/admin/users", json={**body, "display_name": "Jane"}, headers=headers)


def test_users_are_unique_on_the_e_mail_across_the_legacy_and_standard_paths(served):
    creds = _seed_credentials(served)
    tenant = _served_tenant(served)
    legacy = _legacy_user(served, creds, "jane", "jane@a.example")
    assert legacy.is_success, legacy.text
    # a user the legacy route created holds its e-mail on /mt; another domain's jane is another user (whose generated
    # username is not the legacy "jane": advisor, llm_chatbot and mentor would answer 409 for a taken username)
    same = served.client.post(f"/mt/tenant/{tenant}/users", json={"email": "Jane@A.example", "name": "J"},
                              headers=STANDARD)  # fmt: skip
    assert _error(same) == (409, "USER_EXISTS"), same.text
    other = served.client.post(f"/mt/tenant/{tenant}/users", json={"email": "jane@b.example", "name": "J"},
                               headers=STANDARD)  # fmt: skip
    assert other.status_code == 201, other.text
    assert other.json()["user_id"] != str(legacy.json()["id"])
    # and the legacy route refuses the e-mail /mt created (its own 409)
    back = _legacy_user(served, creds, "jane2", "jane@b.example")
    assert back.status_code == 409, back.text
