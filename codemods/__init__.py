"""LibCST codemods, one `libcst.codemod` command class per module; `migrator apply` runs them phase by phase.

`CODEMODS` is the registry (docs/codemods.md lists the same ones, a test checks it); `registry()` imports them.
Modules starting with `_` are their shared machinery: the runner, the typed phase state, templates, the
dead-code analysis.
"""

from __future__ import annotations

import importlib

#: (module, class, phase), in the order a migration runs them
CODEMODS: tuple[tuple[str, str, int], ...] = (
    ("extract_routes", "ExtractRoutes", 1),
    ("generate_service", "GenerateService", 1),
    ("generate_handler", "GenerateHandler", 1),
    ("generate_tenant_registry", "GenerateTenantRegistry", 1),
    ("wire_standard_api", "WireStandardApi", 1),
    ("deprecate_routes", "DeprecateRoutes", 2),
    ("wire_deprecation", "WireDeprecation", 2),
    ("remove_routes", "RemoveRoutes", 3),
    ("remove_dead_code", "RemoveDeadCode", 3),
    ("unwire_deprecation", "UnwireDeprecation", 3),
    ("wire_gone", "WireGone", 3),
)


def registry() -> dict[str, type]:
    """Module name -> codemod class (imported on demand: libcst.codemod is not cheap to import)."""
    return {module: getattr(importlib.import_module(f"codemods.{module}"), name) for module, name, _ in CODEMODS}
