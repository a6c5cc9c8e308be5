"""The Standard API v2 runtime: models, errors, the abstract handler and (in `router`) the FastAPI router."""

from .errors import (
    FeatureDisabledError,
    InvalidRequestError,
    NotImplementedOperationError,
    QuotaExceededError,
    StandardAPIError,
    TenantExistsError,
    TenantNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from .handler import StandardAPIHandler
from .models import *  # noqa: F401,F403  (the wire models are part of this package's public surface)
from .router import create_standard_router

__all__ = [
    "FeatureDisabledError",
    "InvalidRequestError",
    "NotImplementedOperationError",
    "QuotaExceededError",
    "StandardAPIError",
    "StandardAPIHandler",
    "TenantExistsError",
    "TenantNotFoundError",
    "UserExistsError",
    "UserNotFoundError",
    "create_standard_router",
]
