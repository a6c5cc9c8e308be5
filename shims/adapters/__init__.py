"""Legacy JSON shapes ⇄ Standard API v2 models: pure, deterministic conversions.

Used by the handlers phase 1 generates (moved legacy logic still returns legacy shapes) and by ``migrator
parity`` (applied to recorded legacy responses). Legacy input may be wire JSON, or what legacy logic returns
before FastAPI serialises it (dicts with datetimes, pydantic models): both convert the same.

Invalid legacy documents raise `LegacyShapeError` (a ``ValueError``; the router answers 500 naming the JSON
path); invalid standard input raises `InvalidRequestError` (400). Nothing reads a clock; only
`create_user_payload` is random (a generated temporary password).

Decisions where the contract is silent (docs/ARCHITECTURE.md → ``shims.adapters``):
- stats: the period window ends at the newest ``daily_trend`` date (legacy includes today); 90d sums ≤ 30 days.
- costs: without the input/output extras, all tokens count as output (input 0); ``daily_trend`` newest first
  (as stats trends), from ``daily_costs`` or []; ``by_user_top10`` user_id = str(user_id) or the username.
- top users and users: a null ``email``/``last_active`` becomes "" (the standard fields are required strings).
- users: role from the ``role`` extra (admin/instructor/moderator/user; absent or unknown → user); status from
  ``is_active`` (active/suspended); setting "inactive" or "suspended" clears ``is_active``, "pending" cannot be set
  (400). Legacy usernames are the e-mail local part + "_" + a digest of the whole address, so distinct e-mails
  never share one ("user_<digest>" when no ``[a-z0-9]`` is left, e.g. a Hangul local part).
- status: without the extras, plan "unknown", features [], updated_at = created_at.
- provisioning: the legacy id rule run backwards (`legacy_identity`): application id = the tenant id's trailing
  number (``config["application_id"]`` may repeat it, never contradict it), university name = ``tenant_name`` if
  the rule maps it onto the id, else the id's prefix; an id the rule cannot produce is 400. Applicant id, contact,
  reason, service from ``config`` (service fields default to id 0 and "" slug/title: advisor requires all three);
  a plan other than demo/service is sent as kind "service"; an empty ``features`` list lets the legacy default
  apply. An answer about another tenant (legacy e-mail reuse) is 409 when the expected id is passed.
- usage of a month: the month's row of a legacy monthly series, or the sum of its days in a daily one
  (`usage_from_series`: a lower bound for a month older than the legacy window).
- periods: ``<N>d``, ``<N>y`` (365 days each), ``YYYY-MM`` (the widest legacy window, 365 days, then that month's
  rows; month totals from ``monthly_user_trend``/``monthly_costs``); a legacy period of named windows (an Enum of
  "7d"/"30d"/"90d") gets `legacy_period`: the same name; a month or a longer period the widest window; else 400.
"""

from ._shape import LegacyShapeError
from .answers import legacy_json, legacy_tenant_id
from .dashboard import (
    costs_from_legacy,
    stats_from_dashboard,
    top_users_from_legacy,
    usage_from_dashboard,
    usage_patterns_from_legacy,
)
from .legacy_errors import detail_text, legacy_errors
from .lifecycle import (
    RETENTION_DAYS,
    access_url_for,
    access_url_of,
    check_reactivation,
    deactivation_response,
    public_url_for,
    reactivation_response,
)
from .pagination import collect_users
from .periods import MONTH_WINDOW_DAYS, PERIOD_DAYS, days_to_period, legacy_period, month_of, period_to_days
from .provisioning import (
    activate_from_marketplace,
    activate_from_provision,
    activate_from_webhook_payload,
    derive_tenant_id,
    legacy_identity,
    marketplace_payload_from_activate,
    provision_payload_from_activate,
)
from .registration import activation_from_registration, enum_member, slug_for
from .requests import create_user_body, update_user_body
from .series import usage_from_series
from .settings import settings_from_legacy, update_settings_payload
from .tenants import status_from_legacy, tenant_list_to_legacy, tenant_status_from_legacy, tenant_summary_from_legacy
from .users import (
    create_user_payload,
    create_user_response,
    create_user_response_from_legacy,
    delete_response_from_legacy,
    full_name,
    generate_temporary_password,
    legacy_user_id,
    role_from_legacy,
    update_user_payload,
    user_from_legacy,
    user_status_from_legacy,
    username_from_email,
    users_list_from_legacy,
)

__all__ = [
    "MONTH_WINDOW_DAYS",
    "PERIOD_DAYS",
    "RETENTION_DAYS",
    "LegacyShapeError",
    "access_url_for",
    "access_url_of",
    "activate_from_marketplace",
    "activate_from_provision",
    "activate_from_webhook_payload",
    "activation_from_registration",
    "check_reactivation",
    "collect_users",
    "costs_from_legacy",
    "create_user_body",
    "create_user_payload",
    "create_user_response",
    "create_user_response_from_legacy",
    "days_to_period",
    "full_name",
    "legacy_period",
    "deactivation_response",
    "delete_response_from_legacy",
    "derive_tenant_id",
    "detail_text",
    "enum_member",
    "generate_temporary_password",
    "legacy_errors",
    "legacy_identity",
    "legacy_json",
    "legacy_tenant_id",
    "legacy_user_id",
    "marketplace_payload_from_activate",
    "month_of",
    "period_to_days",
    "provision_payload_from_activate",
    "public_url_for",
    "reactivation_response",
    "role_from_legacy",
    "settings_from_legacy",
    "slug_for",
    "stats_from_dashboard",
    "status_from_legacy",
    "tenant_list_to_legacy",
    "tenant_status_from_legacy",
    "tenant_summary_from_legacy",
    "top_users_from_legacy",
    "update_settings_payload",
    "update_user_body",
    "update_user_payload",
    "usage_from_dashboard",
    "usage_from_series",
    "usage_patterns_from_legacy",
    "user_from_legacy",
    "user_status_from_legacy",
    "username_from_email",
    "users_list_from_legacy",
]
