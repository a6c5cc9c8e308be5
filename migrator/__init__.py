"""migrator: move legacy FastAPI services onto the Standard API v2 in three phases, with proof of parity."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("migrator")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"
