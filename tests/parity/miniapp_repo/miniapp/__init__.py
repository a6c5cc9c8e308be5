"""A tiny legacy-style tenant-admin service for the parity tests."""
