"""A Standard API activation through a tenant-registration route of the service's own shape.

Phase 1 writes the body field by field (`migrator.lifecycle.registration`), e.g.::

    payload = {"name": request.tenant_name, "slug": adapters.slug_for(request.tenant_id),
               "contact_email": request.contact.email}
    plan = adapters.enum_member(Plan, request.plan)
    if plan is not None:
        payload["plan"] = plan  # a plan the service does not have keeps its own default
    created = await legacy_platform.register_tenant(body=TenantRegistration(**payload), ...)
    return adapters.activation_from_registration(created, "id", handler=self)
"""

from __future__ import annotations

import hashlib
import re
from enum import Enum
from typing import Any, Optional, TypeVar

from ..standard_api.models import ActivateResponse
from ._shape import shape_error, to_json
from .lifecycle import access_url_of

E = TypeVar("E", bound=Enum)


def slug_for(tenant_id: str, max_length: int = 40) -> str:
    """The market's tenant id as a slug (``[a-z0-9-]``, no leading or trailing dash, at most `max_length`):
    ``interop_university_901`` → ``interop-university-901``; ``t-<digest>`` when nothing usable is left or the id is
    too long (a digest keeps distinct ids distinct)."""
    slug = re.sub(r"[^a-z0-9]+", "-", tenant_id.lower()).strip("-")
    if len(slug) >= 3 and len(slug) <= max_length:
        return slug
    digest = hashlib.sha256(tenant_id.encode()).hexdigest()[:10]
    head = slug[: max(0, max_length - len(digest) - 1)].strip("-")
    return f"{head}-{digest}" if head else f"t-{digest}"


def enum_member(enum: type[E], value: Optional[str]) -> Optional[E]:
    """The member of `enum` whose value (or name) is `value`, case-insensitively; None when the service has none."""
    if value is None:
        return None
    wanted = str(value).strip().lower()
    for member in enum:
        if str(member.value).lower() == wanted or member.name.lower() == wanted:
            return member
    return None


def activation_from_registration(legacy: Any, id_key: str, *, handler: Any) -> ActivateResponse:
    """The activation answer for the tenant a registration route created: its id from the answer's `id_key`, the
    access URL from the handler's configured public URL (`access_url_of`)."""
    data = to_json(legacy)
    if not isinstance(data, dict) or data.get(id_key) in (None, ""):
        raise shape_error(f"legacy.{id_key}", "the registration's answer names no tenant id")
    tenant_id = str(data[id_key])
    return ActivateResponse(success=True, tenant_id=tenant_id, access_url=access_url_of(handler, tenant_id),
                            message=f"Tenant '{tenant_id}' created")  # fmt: skip
