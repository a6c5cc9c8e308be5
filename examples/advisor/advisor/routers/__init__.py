"""HTTP routers; server.py mounts each one under its prefix."""
