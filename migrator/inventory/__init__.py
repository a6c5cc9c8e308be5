"""Static route inventory of FastAPI services (LibCST; the target is never imported).

`build_inventory(root)` finds every FastAPI app and APIRouter, follows `include_router` / `mount` / imports across
modules, and lists each route with its full path, methods, function, file:line, parameters, auth headers and
tenant source. See docs/analyze.md for what is followed and what is reported as unresolved.
"""

from .build import InventoryInputError, build_inventory
from .lookup import find_function
from .models import App, Inventory, Param, Route, Skipped, Unresolved

__all__ = [
    "App",
    "Inventory",
    "InventoryInputError",
    "Param",
    "Route",
    "Skipped",
    "Unresolved",
    "build_inventory",
    "find_function",
]
