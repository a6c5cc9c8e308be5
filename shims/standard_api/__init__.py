"""The Standard API v2 runtime: models, errors, the abstract handler and (in `router`) the FastAPI router.

The names below are loaded on first use (PEP 562): `shims.standard_api.models` alone needs only pydantic, so a
reader of the wire models (`migrator analyze` infers legacy answers against them) does not import FastAPI, which
the errors, the handler and the router need. `from shims.standard_api import X` works as before for every name,
the wire models included.
"""

from __future__ import annotations

import importlib

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

# name -> the submodule defining it; any other public name is one of the wire models (`.models`)
_HOMES = {
    **{name: "errors" for name in __all__ if name.endswith("Error")},
    "StandardAPIHandler": "handler",
    "create_standard_router": "router",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None and name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{home or 'models'}")
    try:
        value = getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value
