"""Runtime imported by migrated services: the Standard API v2, market-key auth, Service Market aliases,
deprecation headers, legacy/standard adapters and traffic recording.

Depends on fastapi, pydantic and `deprecated` only; never on migrator or LibCST.
"""
