"""Provisioning of the migrated examples (phase 1, real servers) never hands a tenant to the wrong caller, through the
standard path (`/mt/tenant/{id}/activate`), the Service Market webhook (`/api/tenant/webhook/auto-provision`) and
the legacy route (advisor `/api/marketplace/demo/request`, llm_chatbot `/api/marketplace/demo/provision`).
Runs without the SDK."""

from __future__ import annotations

import httpx
import pytest

from .harness import EXAMPLES, MARKET_KEY, migrated_copy, serve, skip_unless_migrated

STANDARD = {"X-Market-API-Key": MARKET_KEY}
WEBHOOK = {"X-API-Key": MARKET_KEY}


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


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def served(request, tmp_path_factory):
    example = EXAMPLES[request.param]
    base = tmp_path_factory.mktemp(f"provisioning-{example.name}")
    copy = migrated_copy(example.name, 1, base)
    skip_unless_migrated(copy, example.name)
    if example.seeded is None:
        pytest.skip(f"no seeded tenant of {example.name} is named in tests/interop/harness.py")
    with serve(copy, example, base / "data") as url, httpx.Client(base_url=url, timeout=30) as client:
        yield example, client, url


def test_standard_activate_creates_exactly_the_path_tenant(served):
    example, client, _ = served
    response = client.post("/mt/tenant/foo_1/activate", json=_activation("foo_1", "Bar University", "new@foo.example"),
                           headers=STANDARD)  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["tenant_id"] == "foo_1"
    assert _exists(client, "foo_1") and not _exists(client, "bar_university_1")


def test_standard_activate_refuses_another_applicants_tenant_and_impossible_ids(served):
    example, client, _ = served
    seeded, owner = example.seeded
    taken = client.post(f"/mt/tenant/{seeded}/activate", json=_activation(seeded, "X", "intruder@x.example"),
                        headers=STANDARD)  # fmt: skip
    assert (taken.status_code, taken.json()["detail"]["error"]) == (409, "TENANT_EXISTS")
    # the owner's e-mail with another id: the legacy code would reuse the owner's tenant; /mt must not answer it
    other = client.post("/mt/tenant/owner_copy_5/activate", json=_activation("owner_copy_5", "Owner Copy", owner),
                        headers=STANDARD)  # fmt: skip
    assert (other.status_code, other.json()["detail"]["error"]) == (409, "TENANT_EXISTS")
    assert not _exists(client, "owner_copy_5")
    impossible = client.post("/mt/tenant/hallym_univ/activate", json=_activation("hallym_univ", "H", "h@h.example"),
                             headers=STANDARD)  # fmt: skip
    assert (impossible.status_code, impossible.json()["detail"]["error"]) == (400, "INVALID_REQUEST")


def test_webhook_refuses_an_id_another_email_owns_and_reuses_for_the_owner(served):
    example, client, url = served
    university, application = example.seeded_application
    seeded, owner = example.seeded
    taken = client.post("/api/tenant/webhook/auto-provision", json=_webhook(application, university, "x@x.example"),
                        headers=WEBHOOK)  # fmt: skip
    assert taken.status_code == 409
    assert taken.json() == {"detail": f"Tenant '{seeded}' already exists"}
    own = client.post("/api/tenant/webhook/auto-provision", json=_webhook(4242, "Anything", owner.upper()),
                      headers={**WEBHOOK, "Host": "evil.example"})  # fmt: skip
    body = own.json()
    assert (own.status_code, body["tenant_id"]) == (200, seeded)
    assert "evil" not in (body["access_url"] or "") and body["access_url"].startswith(url)


def test_legacy_route_refuses_an_id_another_email_owns_and_reuses_for_the_owner(served):
    example, client, _ = served
    university, application = example.seeded_application
    seeded, owner = example.seeded
    taken = _legacy(example.name, client, application, university, "y@y.example")
    assert taken.status_code == 409
    assert taken.json() == {"detail": f"Tenant '{seeded}' already exists"}
    own = _legacy(example.name, client, 5151, "Anything", owner)
    assert own.status_code == 200 and own.json()["tenant_id"] == seeded


def test_users_with_the_same_local_part_do_not_collide(served):
    example, client, _ = served
    seeded, _owner = example.seeded
    created = []
    for email in ("john@a.example", "john@b.example", "john+1@a.example", "john-1@a.example"):
        response = client.post(f"/mt/tenant/{seeded}/users", json={"email": email, "name": "John"}, headers=STANDARD)
        assert response.status_code == 201, (email, response.text)
        created.append(response.json()["user_id"])
    again = client.post(f"/mt/tenant/{seeded}/users", json={"email": "john@a.example", "name": "J"}, headers=STANDARD)
    assert (again.status_code, again.json()["detail"]["error"]) == (409, "USER_EXISTS")
    assert len(set(created)) == 4
