"""Fixtures of the parity tests: the tiny legacy-style service in `miniapp_repo/`, a CLI with just the parity
commands (the other commands of the shared CLI may be mid-work), and a secrets grep."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parity_support import MINI, mini_credentials


def _cli() -> typer.Typer:
    from migrator.commands import parity, record

    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """parity commands"""

    record.register(app)
    parity.register(app)
    return app


@pytest.fixture(scope="session")
def cli():
    app = _cli()
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture(scope="session")
def mini_secrets() -> list[str]:
    """Every secret value the mini request list uses (tokens, API key, the long password)."""
    return [*mini_credentials().values(), "s3cret-pass-123", "not-a-valid-token-000"]


@pytest.fixture
def mini_repo(tmp_path) -> Path:
    """A private copy of the mini service (tests add journals or settings to it)."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture(scope="session")
def mini_cassette(tmp_path_factory) -> Path:
    """The mini service's request list recorded once per session (phase 0, frozen clock, fresh data)."""
    from migrator.parity.record import RecordOptions, record

    out = tmp_path_factory.mktemp("mini") / "cassette.jsonl"
    result = record(RecordOptions(requests=MINI / "parity" / "requests.yaml", output=out, repo=MINI,
                                  timestamps=False))
    assert not result.unexpected, [(e.name, e.status, e.expect) for e in result.unexpected]
    return out
