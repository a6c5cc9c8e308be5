"""Black-box conformance suite of the Standard API v2 and a reference in-memory handler.

- `shims.testing.reference`: `InMemoryHandler` (every operation, two seeded tenants) and `make_app`;
- `shims.testing.conformance`: `run_conformance(client, api_key=..., suite=..., tenant_id=...)` → `ConformanceReport`;
- `shims.testing.render`: rich and JSON renderers of a report.
"""

from .conformance import (
    SUITES,
    CheckResult,
    CheckStatus,
    ConformanceError,
    ConformanceReport,
    TargetUnreachableError,
    run_conformance,
)
from .reference import REFERENCE_TENANTS, InMemoryHandler, make_app

__all__ = [
    "REFERENCE_TENANTS",
    "SUITES",
    "CheckResult",
    "CheckStatus",
    "ConformanceError",
    "ConformanceReport",
    "InMemoryHandler",
    "TargetUnreachableError",
    "make_app",
    "run_conformance",
]
