"""Serving handlers that were not built on `StandardAPIHandler`: mt_paas's own handlers, or any object with the
methods (duck typing). Nothing here imports mt_paas.

- `check_handler`: what an object needs to be served (an ``activate_tenant`` method); everything else it lacks
  answers 501 NOT_IMPLEMENTED, except ``get_limits``, derived from ``get_settings`` as the base class does.
- `translate_foreign_error`: mt_paas's exceptions (``TenantNotFoundError``, ``UserExistsError``, ...) are
  recognised by class name anywhere in their MRO and answered with the status and code mt_paas's router gives them.
- `health_from`: ``check_health`` may answer a status string (mt_paas), a model or a dict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Optional

from pydantic import BaseModel

from .errors import (
    FeatureDisabledError,
    NotImplementedOperationError,
    QuotaExceededError,
    StandardAPIError,
    TenantExistsError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from .handler import StandardAPIHandler
from .models import HealthResponse, LimitsResponse

__all__ = ["call_hook", "call_operation", "check_handler", "health_from", "translate_foreign_error"]


def check_handler(handler: Any) -> None:
    if isinstance(handler, type):
        raise TypeError(f"handler must be an instance, got the class {handler.__name__}")
    if isinstance(handler, StandardAPIHandler):
        return
    if not callable(getattr(handler, "activate_tenant", None)):
        raise TypeError(
            f"handler must be a StandardAPIHandler or have the Standard API methods (activate_tenant, ...), "
            f"got {type(handler).__name__}"
        )


async def _limits_from_settings(handler: Any, tenant_id: str) -> LimitsResponse:
    settings = await call_operation(handler, "get_settings", tenant_id)
    data = settings.model_dump(mode="json") if isinstance(settings, BaseModel) else settings
    limits = ((data or {}).get("config") or {}).get("limits") or {}
    return LimitsResponse(tenant_id=tenant_id, **limits)


_FALLBACKS: dict[str, Callable[..., Any]] = {"get_limits": _limits_from_settings}


async def call_operation(handler: Any, operation: str, *args: Any) -> Any:
    """``await handler.<operation>(*args)``; a method the handler lacks is a 501 (or its documented fallback)."""
    method = getattr(handler, operation, None)
    if callable(method):
        return await method(*args)
    fallback = _FALLBACKS.get(operation)
    if fallback is not None:
        return await fallback(handler, *args)
    raise NotImplementedOperationError(operation, f"{type(handler).__name__} has no method '{operation}'")


async def call_hook(handler: Any, hook: str, *args: Any) -> None:
    """mt_paas's optional ``before_/after_activate`` and ``before_/after_deactivate`` hooks, when the handler has them."""
    method = getattr(handler, hook, None)
    if callable(method):
        await method(*args)


def _foreign(kind: type[StandardAPIError], exc: Exception, *args: Any) -> StandardAPIError:
    error = kind(*args)
    error.message = str(exc) or error.message
    error.detail = error.body()
    return error


def translate_foreign_error(
    exc: Exception, tenant_id: str | None, user_id: str | None = None
) -> StandardAPIError | None:
    """The standard error for an mt_paas-style exception, by class name and attributes; None for anything else."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    attr = lambda name, default=None: getattr(exc, name, default)  # noqa: E731
    if "TenantNotFoundError" in names:
        return _foreign(TenantNotFoundError, exc, str(attr("tenant_id", tenant_id)))
    if "TenantExistsError" in names:
        return _foreign(TenantExistsError, exc, str(attr("tenant_id", tenant_id)))
    if "UserNotFoundError" in names:
        return _foreign(UserNotFoundError, exc, str(attr("user_id", user_id)))
    if "UserExistsError" in names:
        return _foreign(UserExistsError, exc, str(attr("email", "")))
    if "QuotaExceededError" in names:
        limit = attr("limit", 0)
        return _foreign(QuotaExceededError, exc, str(attr("resource", "")), limit if isinstance(limit, int) else 0)
    if "FeatureDisabledError" in names:
        return _foreign(FeatureDisabledError, exc, str(attr("feature", "")))
    return None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def health_from(value: Any, handler: Any, app_version: Optional[str] = None) -> HealthResponse:
    """mt_paas handlers return the status string ("healthy", "degraded", "unhealthy"); shims ones may too. The
    version is the handler's `service_version`, else the app's (`app_version`: what its OpenAPI document says)."""
    if isinstance(value, str):
        version = getattr(handler, "service_version", None) or app_version or "0.0.0"
        return HealthResponse(status=value, version=str(version), timestamp=_now())
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return HealthResponse.model_validate(value)
