"""Test material that migrated services never import (so it stays out of the `migrator-shims` runtime).

- `migrator.testing.reference`: `InMemoryHandler` (every Standard API operation, seeded tenants) and `make_app`;
- `migrator.testing.headers`: parsers of the deprecation headers (`Deprecation`, `Sunset`, `Link`);
- `migrator.testing.syntax`: `code_only`, a module's code without layout, comments and docstrings;
- `migrator.testing.deployment`: `DeploymentHandler`, a single-tenant lifecycle handler over `DeploymentLifecycle`.
"""
