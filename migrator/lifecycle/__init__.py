"""The tenant lifecycle of a service being migrated: how phase 1 serves activate (exact id and reactivation),
deactivate, status and usage from what the legacy service already has, and why not where it cannot.

`plan_lifecycle(...)` (in `migrator.lifecycle.planning`) is called by the planner (`migrator.planner.make_plan`)
once the routes have their verdicts, and only when an automatic route covers an operation; the result
(`LifecyclePlan`, in `migrator.lifecycle.model`) is part of the plan that `analyze` and `status` show and that
phase 1's templates (`codemods._lifecycle_methods`) and the generated registry module
(`codemods.generate_tenant_registry`) are written from. Nothing here imports or runs the service.

This package module stays light: `migrator.plan` imports `migrator.lifecycle.model` for every plan, and the
planning (LibCST walks, registry and usage inference) loads on first use of one of its names (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LIFECYCLE_OPERATIONS", "LifecyclePlan", "LifecycleVerdict", "RouteFacts", "plan_lifecycle"]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    planning = importlib.import_module(".planning", __name__)
    try:
        return getattr(planning, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
