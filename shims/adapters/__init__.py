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
- users: role from the ``role`` extra (admin/instructor/user; absent or unknown → user); status from
  ``is_active`` (active/suspended); "pending" cannot be set (400). Legacy usernames come from the e-mail local part
  ("user_" + a digest of the address when no ``[a-z0-9]`` is left, e.g. a Hangul local part).
- status: without the extras, plan "unknown", features [], updated_at = created_at.
- provisioning: application id from ``config["application_id"]`` (required), applicant id, contact, reason,
  service from ``config`` (service fields default to id 0 and "" slug/title: advisor requires all three); a plan
  other than demo/service is sent as kind "service"; an empty ``features`` list lets the legacy default apply.
"""

from ._shape import LegacyShapeError
from .dashboard import costs_from_legacy, stats_from_dashboard, top_users_from_legacy, usage_patterns_from_legacy
from .legacy_errors import detail_text, legacy_errors
from .pagination import collect_users
from .periods import PERIOD_DAYS, days_to_period, period_to_days
from .provisioning import (
    activate_from_marketplace,
    activate_from_provision,
    activate_from_webhook_payload,
    derive_tenant_id,
    marketplace_payload_from_activate,
    provision_payload_from_activate,
)
from .settings import settings_from_legacy, update_settings_payload
from .tenants import status_from_legacy, tenant_list_to_legacy, tenant_status_from_legacy, tenant_summary_from_legacy
from .users import (
    create_user_payload,
    create_user_response_from_legacy,
    delete_response_from_legacy,
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
    "PERIOD_DAYS",
    "LegacyShapeError",
    "activate_from_marketplace",
    "activate_from_provision",
    "activate_from_webhook_payload",
    "collect_users",
    "costs_from_legacy",
    "create_user_payload",
    "create_user_response_from_legacy",
    "days_to_period",
    "delete_response_from_legacy",
    "derive_tenant_id",
    "detail_text",
    "generate_temporary_password",
    "legacy_errors",
    "legacy_user_id",
    "marketplace_payload_from_activate",
    "period_to_days",
    "provision_payload_from_activate",
    "role_from_legacy",
    "settings_from_legacy",
    "stats_from_dashboard",
    "status_from_legacy",
    "tenant_list_to_legacy",
    "tenant_status_from_legacy",
    "tenant_summary_from_legacy",
    "top_users_from_legacy",
    "update_settings_payload",
    "update_user_payload",
    "usage_patterns_from_legacy",
    "user_from_legacy",
    "user_status_from_legacy",
    "username_from_email",
    "users_list_from_legacy",
]
