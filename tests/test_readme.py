"""The README's two set-up commands are what CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Set up", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "migrator demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_commands_as_written():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    for command in _setup_commands():
        assert command in ci
    assert "set -euo pipefail" in ci


def test_the_readme_conform_command_works_as_written():
    from typer.testing import CliRunner

    from migrator.cli import app

    section = (ROOT / "README.md").read_text().split("### `migrator conform", 1)[1].split("\n### ", 1)[0]
    (command,) = re.findall(r"```bash\n(.*?)\n```", section, re.S)
    args = command.split()
    assert args[0].endswith("migrator") and args[1] == "conform"
    result = CliRunner().invoke(app, args[1:], env={"MARKET_API_KEY": None, "MARKET_API_KEYS": None})
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
