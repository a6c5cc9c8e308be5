"""Black-box conformance suite of the Standard API v2 (`migrator conform`).

- `migrator.conformance.suite`: `run_conformance(client, api_key=..., suite=..., tenant_id=...)` → `ConformanceReport`;
- `migrator.conformance.shapes`: exact key sets and JSON types of a model;
- `migrator.conformance.render`: rich and JSON renderers of a report.

The reference in-memory handler the suite is tested against lives in `migrator.testing.reference`.
"""

from .suite import (
    SUITES,
    CheckResult,
    CheckStatus,
    ConformanceError,
    ConformanceReport,
    TargetUnreachableError,
    run_conformance,
)

__all__ = [
    "SUITES",
    "CheckResult",
    "CheckStatus",
    "ConformanceError",
    "ConformanceReport",
    "TargetUnreachableError",
    "run_conformance",
]
