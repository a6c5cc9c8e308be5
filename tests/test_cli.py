import json
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_usage_errors_are_click_usage_errors_not_unexpected_ones():
    """A missing argument, an unknown option or command: click's usage message and exit 2, never the "unexpected
    error" line (typer vendors its own click since 0.2x: the root group must let those exceptions through)."""
    for args, message in ((["analyze"], "Missing argument"), (["analyze", "--bogus"], "No such option: --bogus"),
                          (["nosuch"], "No such command 'nosuch'")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "unexpected" not in result.stderr, (args, result.stderr)


# --- start-up: the help lists every command without importing any ---------------------------------------------------

COMMANDS_DIR = Path(__file__).resolve().parent.parent / "migrator" / "commands"
HEAVY = ("libcst", "fastapi", "pydantic", "httpx", "starlette", "rich.table", "rich.console", "typer.rich_utils",
         "migrator.inventory", "migrator.parity", "migrator.apply", "migrator.commands.")

_LOADED = """
import runpy, sys
sys.argv = ["migrator", *sys.argv[1:]]
try:
    runpy.run_module("migrator", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print("\\n" + " ".join(sorted(sys.modules)))
"""


def _modules_loaded_by(*args: str) -> tuple[str, set[str]]:
    proc = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True, text=True, check=True)
    output, _, modules = proc.stdout.rstrip().rpartition("\n")
    return output, set(modules.split())


def test_help_and_version_import_no_command_and_nothing_heavy():
    for args in (["--help"], ["--version"], []):
        output, modules = _modules_loaded_by(*args)
        assert "migrator.cli" in modules
        heavy = sorted(m for m in modules if m.startswith(HEAVY) or m in ("rich", "click"))
        assert heavy == [], (args, heavy)
    output, _ = _modules_loaded_by("--help")
    from migrator.cli import COMMANDS

    for name, (_, help_line) in COMMANDS.items():
        assert name in output and help_line.split()[0] in output


def test_running_a_command_imports_that_command_only():
    _, modules = _modules_loaded_by("status", "--help")
    commands = sorted(m for m in modules if m.startswith("migrator.commands."))
    assert commands == ["migrator.commands.status"]


def test_analyze_imports_no_web_framework(tmp_path):
    """analyze reads the service's code and the Standard API's wire models, never FastAPI or Starlette (their
    import alone took a third of analyze's time on a 700-file service)."""
    repo = Path(__file__).resolve().parent.parent / "examples" / "advisor"
    output, modules = _modules_loaded_by("analyze", str(repo), "--format", "json", "-o", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["automatic"] > 0  # routes were assessed
    assert "shims.standard_api.models" in modules and "libcst" in modules
    web = sorted(m for m in modules if m.split(".")[0] in ("fastapi", "starlette", "httpx"))
    assert web == []


def test_the_command_table_matches_the_command_modules():
    """`COMMANDS` (what --help lists without importing) names every command module, with its Typer name and the
    first line of its help."""
    import importlib

    import typer

    from migrator.cli import COMMANDS

    modules = sorted(f"migrator.commands.{p.stem}" for p in COMMANDS_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(module for module, _ in COMMANDS.values()) == modules
    for name, (module, help_line) in COMMANDS.items():
        holder = typer.Typer()
        importlib.import_module(module).register(holder)
        command = typer.main.get_command(holder)
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == help_line


def test_console_script_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "migrator", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("migrator ")


# --- no traceback, one line, exit 2 ----------------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_an_unexpected_error_is_one_line_and_exit_2_and_debug_shows_it(monkeypatch, tmp_path):
    import migrator.parity.replay as replay

    def boom(*args, **kwargs):
        raise RuntimeError("something nobody planned for\nsecond line")

    monkeypatch.setattr(replay, "run_parity", boom)  # the command imports it when it runs
    cassette = tmp_path / "c.jsonl"
    cassette.write_text("")
    result = runner.invoke(app, ["parity", "-c", str(cassette)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "migrator: error: RuntimeError: something nobody planned for (unexpected; rerun with --debug for the "
        "traceback)"]
    debug = runner.invoke(app, ["--debug", "parity", "-c", str(cassette)])
    assert isinstance(debug.exception, RuntimeError)  # the traceback is the user's to see


def test_findings_keep_exit_1(tmp_path):
    """Exit 1 stays reserved for findings: a pending phase with --check."""
    repo = tmp_path / "advisor"
    shutil.copytree(EXAMPLES / "advisor", repo, ignore=shutil.ignore_patterns("__pycache__", ".migrator"))
    result = runner.invoke(app, ["apply", "--phase", "1", "--check", str(repo)])
    assert result.exit_code == 1, result.output


def _copy_with_broken_app(tmp_path: Path) -> Path:
    repo = tmp_path / "advisor"
    shutil.copytree(EXAMPLES / "advisor", repo, ignore=shutil.ignore_patterns("__pycache__", ".migrator"))
    server = repo / "advisor" / "server.py"
    server.write_text(server.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")
    return repo


def test_a_syntax_error_in_the_app_file_is_named_by_analyze_and_apply(tmp_path):
    repo = _copy_with_broken_app(tmp_path)
    analyze = runner.invoke(app, ["analyze", str(repo), "--format", "json"])
    assert analyze.exit_code == 2
    assert "no FastAPI app found; could not parse advisor/server.py: syntax error at line" in analyze.stderr
    apply = runner.invoke(app, ["apply", "--phase", "1", str(repo)])
    assert apply.exit_code == 2
    assert len(apply.stderr.strip().splitlines()) == 1
    assert "could not parse advisor/server.py: syntax error at line" in apply.stderr
    assert not (repo / ".migrator").exists()


def test_analyze_skips_non_utf8_and_unreadable_source_files_with_a_reason(tmp_path, monkeypatch):
    import builtins
    import json

    repo = tmp_path / "advisor"
    shutil.copytree(EXAMPLES / "advisor", repo, ignore=shutil.ignore_patterns("__pycache__", ".migrator"))
    (repo / "advisor" / "latin.py").write_bytes(b"# caf\xe9\nname = '\xe9'\n")
    (repo / "advisor" / "wide.py").write_bytes("x = 1\n".encode("utf-16"))
    (repo / "advisor" / "locked.py").write_text("from fastapi import APIRouter\n")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # chmod 000 does not stop root: refuse the read here instead
        if str(file).endswith("locked.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    result = runner.invoke(app, ["analyze", str(repo), "--format", "json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    skipped = {item["file"]: item["reason"] for item in report["skipped"]}
    assert "not valid UTF-8" in skipped["advisor/latin.py"] or "cannot decode" in skipped["advisor/latin.py"]
    assert "advisor/wide.py" in skipped
    assert skipped["advisor/locked.py"].startswith("unreadable")
    assert report["summary"]["routes"] > 0  # the rest of the service is still analysed


def test_conform_with_no_check_run_is_an_error_unless_allowed(monkeypatch):
    import migrator.conformance as conformance
    from migrator.conformance import CheckResult, CheckStatus, ConformanceReport

    def nothing_ran(client, **kwargs):
        checks = [CheckResult(suite="dashboard", name="stats", status=CheckStatus.SKIPPED, reason="needs x"),
                  CheckResult(suite="dashboard", name="costs", status=CheckStatus.NOT_IMPLEMENTED)]
        return ConformanceReport(target="t", tenant_id="t1", suite="dashboard", started_at="now", duration_ms=1,
                                 checks=checks)

    monkeypatch.setattr(conformance, "run_conformance", nothing_ran)
    args = ["conform", "--app", "migrator.testing.reference:app", "--tenant", "t1", "--key", "k"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "no conformance check ran (2 skipped, not implemented or not applicable)" in result.stderr
    allowed = runner.invoke(app, [*args, "--allow-empty"])
    assert allowed.exit_code == 0, allowed.output


def _service_with_pyproject(root: Path, pyproject: str) -> Path:
    (root / "svc").mkdir(parents=True)
    (root / "svc/__init__.py").write_text("", encoding="utf-8")
    (root / "svc/main.py").write_text('from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/admin/users")\n'
                                      "def users():\n    return []\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def test_a_migrator_setting_that_is_not_a_table_is_one_line_and_exit_2(tmp_path):
    repo = _service_with_pyproject(tmp_path / "svc_root", '[project]\nname = "svc"\n\n[tool]\nmigrator = 3\n')
    for args in (["analyze", str(repo)], ["apply", "--phase", "1", str(repo)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.strip().endswith("pyproject.toml: [tool.migrator] must be a table"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (repo / ".migrator").exists()


def test_tables_of_another_type_in_pyproject_are_read_as_absent(tmp_path):
    # `tool` and `project` are tables in every valid pyproject.toml; a value of another type is no setting of ours
    repo = _service_with_pyproject(tmp_path / "svc_root", 'project = "svc"\ntool = 3\n')
    result = runner.invoke(app, ["analyze", str(repo), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert [r["path"] for r in json.loads(result.stdout)["routes"]] == ["/admin/users"]
