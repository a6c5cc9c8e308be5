import subprocess
import sys

from typer.testing import CliRunner

from migrator import __version__
from migrator.cli import app

runner = CliRunner()


def test_version_flag_prints_installed_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"migrator {__version__}"


def test_help_lists_usage():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_console_script_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "migrator", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("migrator ")
