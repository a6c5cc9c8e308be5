"""Domain errors a handler raises; `create_standard_router` turns each into its HTTP status and error body.

The body is mt_paas's: ``{"detail": {"success": false, "error": CODE, "message": str}}``.

Each error is also a FastAPI ``HTTPException`` carrying that status and body, so that any router passes it through
unchanged: a handler built on `shims` mounted on mt_paas's own ``create_standard_router_v2`` answers 404/409/...
with the standard body where that router has no ``except`` for it (see docs/mt_paas.md). ``str(error)`` is the
human message (mt_paas's routers put ``str(e)`` into their bodies and look for "exists" in it).
"""

from __future__ import annotations

from fastapi import HTTPException


class StandardAPIError(HTTPException):
    """Base class: an HTTP status, a machine-readable code and a human message; ``detail`` is the wire body."""

    status_code = 500
    code = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(type(self).status_code, detail=self.body())

    def body(self) -> dict:
        """``{"success": false, "error": CODE, "message": ...}``: the ``detail`` of the error answer."""
        return {"success": False, "error": self.code, "message": self.message}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidRequestError(StandardAPIError):
    status_code = 400
    code = "INVALID_REQUEST"


class TenantNotFoundError(StandardAPIError):
    status_code = 404
    code = "TENANT_NOT_FOUND"

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"Tenant '{tenant_id}' not found")
        self.tenant_id = tenant_id


class TenantExistsError(StandardAPIError):
    status_code = 409
    code = "TENANT_EXISTS"

    def __init__(self, tenant_id: str, message: str | None = None) -> None:
        super().__init__(message or f"Tenant '{tenant_id}' already exists")
        self.tenant_id = tenant_id


class UserNotFoundError(StandardAPIError):
    status_code = 404
    code = "USER_NOT_FOUND"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"User '{user_id}' not found")
        self.user_id = user_id


class UserExistsError(StandardAPIError):
    status_code = 409
    code = "USER_EXISTS"

    def __init__(self, email: str) -> None:
        super().__init__(f"A user with e-mail '{email}' already exists")
        self.email = email


class QuotaExceededError(StandardAPIError):
    status_code = 429
    code = "QUOTA_EXCEEDED"

    def __init__(self, resource: str, limit: int) -> None:
        super().__init__(f"Quota exceeded for {resource} (limit {limit})")
        self.resource = resource
        self.limit = limit


class FeatureDisabledError(StandardAPIError):
    status_code = 403
    code = "FEATURE_DISABLED"

    def __init__(self, feature: str) -> None:
        super().__init__(f"Feature '{feature}' is disabled for this tenant")
        self.feature = feature


class NotImplementedOperationError(StandardAPIError):
    """The service has no logic for this standard operation (yet): answered as 501."""

    status_code = 501
    code = "NOT_IMPLEMENTED"

    def __init__(self, operation: str, hint: str = "") -> None:
        message = f"This service does not implement '{operation}'"
        super().__init__(f"{message}: {hint}" if hint else message)
        self.operation = operation
