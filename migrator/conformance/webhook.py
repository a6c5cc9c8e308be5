"""The ``webhook`` suite: the Service Market provisioning webhook as the mt_paas sandbox tester checks it
(``python -m sandbox.sdk.cli test URL --webhook-path ...``: root health, a basic call, a wrong key, the answer's
fields, the same e-mail twice), plus the refusals that keep a tenant with its owner (an id another e-mail owns is
409, a malformed body is 400). The key is sent as ``X-API-Key``, as the Service Market and the tester send it.

Creates one tenant (``conformance_webhook_<n>``) and deactivates it at the end through ``/mt`` when the service
can (a 501 there is "not implemented", not a failure).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from shims.spec import ALIAS_BY_NAME

if TYPE_CHECKING:
    from .suite import _Run

DEFAULT_WEBHOOK_PATH = ALIAS_BY_NAME["service_market_auto_provision"].path
WEBHOOK_KEY_HEADER = "X-API-Key"
#: what the sandbox validator requires of an answer, and the statuses it allows
REQUIRED_FIELDS = ("status", "tenant_id", "tenant_url", "message")
STATUSES = ("approved", "processing", "rejected", "error")
UNIVERSITY = "Conformance Webhook"


def _payload(application_id: int, email: str, kind: str = "demo") -> dict[str, Any]:
    """The sandbox tester's (flat) payload."""
    return {
        "application_id": application_id,
        "kind": kind,
        "contact": "02-000-0000",
        "reason": "conformance check",
        "applicant": {"id": 1, "name": "Conformance", "email": email, "university_name": UNIVERSITY},
        "service": {"id": 1, "slug": "conformance", "title": "Conformance"},
    }


BASIC = "webhook: basic call (sandbox payload) → 200"
FIELDS = "webhook: the answer has the sandbox's fields"
REUSE = "webhook: the same e-mail again → the same tenant"
TAKEN = "webhook: a tenant id another e-mail owns → 409"


def _root_health(run: _Run) -> None:
    from .suite import _expect

    response = run.raw_request("GET", "/health")
    _expect(response.status_code == 200, f"GET /health answered {response.status_code}")


def webhook_checks(run: _Run, path: str = DEFAULT_WEBHOOK_PATH) -> None:
    from .suite import _echo, _expect, _Fail

    key = {WEBHOOK_KEY_HEADER: run.api_key}
    application = secrets.randbelow(900_000_000) + 100_000_000
    email = f"conformance-webhook-{run.unique}@example.com"
    created: list[str] = []

    def post(payload: Any, headers: dict[str, str]) -> Any:
        return run.raw_request("POST", path, json=payload, headers=headers)

    def answer(response: Any) -> dict[str, Any]:
        if response.status_code != 200:
            raise _Fail(f"expected status 200, got {response.status_code}: {response.text[:160]}")
        data = run.json(response)
        _expect(isinstance(data, dict), "the webhook answer is not a JSON object")
        if isinstance(data.get("tenant_id"), str) and data["tenant_id"] not in created:
            created.append(data["tenant_id"])
        return data

    run.check("webhook: GET /health at the service root → 200", lambda: _root_health(run))

    def basic() -> dict[str, Any]:
        data = answer(post(_payload(application, email), key))
        _expect(data.get("status") in ("approved", "processing"), f"$.status: {data.get('status')!r}")
        return data

    basic_name = BASIC
    probe = run.raw_request("POST", path, json={}, headers=key)
    if probe.status_code in (404, 405):
        run.check("webhook: the Service Market webhook is served", lambda: _skip(f"{path} answered {probe.status_code}"))
        return
    if run.single_tenant:  # one tenant per deployment: no tenant is created for an applicant
        _deployment_checks(run, post, answer, application, email)
        return
    first = run.check(basic_name, basic)
    _wrong_key(run, post, application, email)
    run.check(FIELDS, lambda: _fields(first, tenant=True), after=(basic_name,))

    def reuse() -> None:
        again = answer(post(_payload(application + 2, email, kind="service"), key))
        _echo("tenant_id", again.get("tenant_id"), first["tenant_id"])

    run.check(REUSE, reuse, after=(basic_name,))

    def taken() -> None:
        response = post(_payload(application, f"conformance-intruder-{run.unique}@example.com"), key)
        if response.status_code == 200 and isinstance(run.json(response), dict):
            answer(response)
        _expect(response.status_code == 409,
                f"another applicant's request for tenant {first['tenant_id']!r} answered {response.status_code}, "
                "not 409: the tenant would be handed to the wrong caller")  # fmt: skip

    run.check(TAKEN, taken, after=(basic_name,))
    _malformed(run, post)
    if created:
        run.check("webhook: clean up the test tenant", lambda: _clean_up(run, created))


def _clean_up(run: _Run, tenants: list[str]) -> None:
    for tenant in tenants:
        response = run.request("POST", f"/tenant/{quote(tenant, safe='')}/deactivate",
                               json={"reason": "conformance clean-up", "preserve_data": False})  # fmt: skip
        run.status(response, 200, "deactivate_tenant")


def _wrong_key(run: _Run, post: Callable[..., Any], application: int, email: str) -> None:
    from .suite import _expect

    run.check("webhook: wrong X-API-Key → 401", lambda: _expect(
        post(_payload(application + 1, email), {WEBHOOK_KEY_HEADER: "conformance-wrong-" + run.unique}).status_code
        == 401, "a wrong key was not refused with 401"))  # fmt: skip


def _malformed(run: _Run, post: Callable[..., Any]) -> None:
    from .suite import _expect

    run.check("webhook: malformed body → 400", lambda: _expect(
        post({"application_id": "x"}, {WEBHOOK_KEY_HEADER: run.api_key}).status_code == 400,
        "a malformed body was not refused with 400"))  # fmt: skip


def _fields(data: dict[str, Any], *, tenant: bool) -> None:
    """The sandbox validator's rules; ``tenant``: the answer must name one (an approval)."""
    from .suite import _expect

    missing = [name for name in REQUIRED_FIELDS if name not in data]
    _expect(not missing, f"the answer lacks {missing}")
    _expect(data["status"] in STATUSES, f"$.status {data['status']!r} is not one of {list(STATUSES)}")
    url = data.get("tenant_url")
    _expect(not url or str(url).startswith(("http://", "https://")), f"$.tenant_url {url!r} is not http(s)")
    if tenant or data.get("tenant_id") is not None:
        _expect(isinstance(data.get("tenant_id"), str) and len(data["tenant_id"]) <= 50,
                f"$.tenant_id {data.get('tenant_id')!r}: a string of at most 50 characters")  # fmt: skip


def _deployment_checks(run: _Run, post: Callable[..., Any], answer: Callable[[Any], dict[str, Any]],
                       application: int, email: str) -> None:  # fmt: skip
    """A single-tenant deployment: its one tenant goes to the applicant who claimed it (the tenant list's e-mail)
    and to nobody else. Another applicant is *rejected* (200, ``success: false``, ``status: "rejected"``, no
    tenant: the market's answer to a declined application); the owner's e-mail gets the tenant again. The checks
    that create a tenant are not applicable; while the deployment is unclaimed nothing is posted that would claim
    it."""
    from .suite import _echo, _expect

    key = {WEBHOOK_KEY_HEADER: run.api_key}
    deployment = run.observe()
    served = deployment.tenant_id if deployment else run.new_tenant
    owner = deployment.owner if deployment else None
    who = f"a single-tenant deployment ({run.single_tenant_source})"
    run.not_applicable(BASIC, f"{who} creates no tenant for a new applicant; it rejects them (checked below)")
    run.not_applicable(TAKEN, f"{who} derives no tenant id from an application; another applicant is rejected")
    rejected_name = "webhook: another applicant → 200 rejected, no tenant"
    if owner is None:
        unclaimed = (f"{who}: '{served}' is not claimed yet (the tenant list names no e-mail); an application "
                     "would claim it")
        for name in (rejected_name, FIELDS, REUSE):
            run.not_applicable(name, unclaimed)
    else:

        def rejected() -> dict[str, Any]:
            data = answer(post(_payload(application, email), key))
            _expect(data.get("tenant_id") in (None, ""), f"another applicant was answered the tenant "
                                                         f"{data.get('tenant_id')!r}: handed to the wrong caller")
            _echo("status", data.get("status"), "rejected")
            _echo("success", data.get("success"), False)
            return data

        first = run.check(rejected_name, rejected)
        run.check(FIELDS, lambda: _fields(first, tenant=False), after=(rejected_name,))

        def reuse() -> None:
            own = answer(post(_payload(application + 2, owner, kind="service"), key))
            _echo("tenant_id", own.get("tenant_id"), served)
            _echo("status", own.get("status"), "approved")

        run.check(REUSE, reuse)
    _wrong_key(run, post, application, email)
    _malformed(run, post)


def _skip(reason: str) -> None:
    from .suite import _Skip

    raise _Skip(f"the service has no Service Market webhook here ({reason}); --webhook-path names it")
