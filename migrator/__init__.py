"""migrator: move legacy FastAPI services onto the Standard API v2 in three phases, with proof of parity."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # `__version__` is read from the installed metadata on first use: importlib.metadata costs ~20 ms of start-up,
    # which `migrator --help` and the parser workers do not need to pay.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("migrator")
    except PackageNotFoundError:  # running from a source tree that is not installed
        value = "0.0.0+local"
    globals()["__version__"] = value
    return value
