"""Static route inventory of FastAPI services (`ast`, LibCST for newer syntax; the target is never imported).

`build_inventory(root)` finds every FastAPI app and APIRouter, follows `include_router` / `mount` / imports across
modules, and lists each route with its full path, methods, function, file:line, parameters, auth headers and
tenant source. See docs/analyze.md for what is followed and what is reported as unresolved.
"""

from .build import InventoryInputError, build_inventory
from .models import App, Inventory, Param, Route, Skipped, Unresolved


def __getattr__(name: str):
    # find_function works on LibCST trees (the codemods'): LibCST is imported when it is first asked for.
    if name == "find_function":
        from .lookup import find_function

        return find_function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
