"""All or nothing: a phase's writes fail or get killed at every position, and the tree ends up byte for byte as it
was before the phase or as the phase left it (after the next command's recovery)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.apply import ApplyError, plan_phase, recover_target, transaction, write_phase
from migrator.apply.changes import FileChange
from migrator.apply.lock import LOCK, apply_lock
from migrator.cli import app as cli_app

REPO = Path(__file__).resolve().parents[2]
REAL_MUTATE = transaction.mutate
APPLIED = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def snapshot(root: Path) -> dict:
    """Every file (bytes and permission bits) and every directory under root."""
    state = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        if path.is_dir():
            state[rel + "/"] = None
        else:
            state[rel] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return state


class Inject:
    """Counts `transaction.mutate` calls; raises (or kills the process) at call `at`."""

    def __init__(self, at: int | None = None, error: OSError | None = None):
        self.at, self.calls = at, 0
        self.error = error
        self.real = REAL_MUTATE

    def __call__(self, kind, path, *args, **kwargs):
        self.calls += 1
        if self.calls == self.at:
            raise self.error or OSError(28, "No space left on device", str(path))
        return self.real(kind, path, *args, **kwargs)


def _example(tmp_path: Path, name: str = "advisor") -> Path:
    dest = tmp_path / name
    shutil.copytree(REPO / "examples" / name, dest,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    return dest


@pytest.fixture(scope="module")
def phase1(tmp_path_factory):
    """A planned phase 1 of advisor, its state before, and its state after a clean write."""
    base = tmp_path_factory.mktemp("tx")
    root = _example(base)
    before = snapshot(root)
    result = plan_phase(root, 1, now=APPLIED)
    clean = _example(base / "clean")
    write_phase(clean, plan_phase(clean, 1, now=APPLIED))
    after = {k.replace(str(clean), str(root)): v for k, v in snapshot(clean).items()}
    return root, result, before, after


def _reset(root: Path, before: dict) -> None:
    for rel in list(snapshot(root)):
        if rel not in before and not rel.endswith("/"):
            (root / rel).unlink()
    for rel, value in before.items():
        if value is not None:
            (root / rel).write_bytes(value[0])
    for rel in sorted((k for k in snapshot(root) if k.endswith("/") and k not in before), reverse=True):
        (root / rel).rmdir()
    assert snapshot(root) == before


def test_a_failure_at_every_write_position_leaves_the_tree_as_it_was(phase1, monkeypatch):
    root, result, before, after = phase1
    counter = Inject()
    monkeypatch.setattr(transaction, "mutate", counter)
    write_phase(root, result)
    total = counter.calls
    assert snapshot(root) == after
    assert total >= 2 * len([c for c in result.changes if c.changed])
    _reset(root, before)
    outcomes = {"refused, before": 0, "written, after": 0}
    for at in range(1, total + 1):
        monkeypatch.setattr(transaction, "mutate", Inject(at))
        try:
            write_phase(root, result)
        except ApplyError as exc:
            assert "No space left on device" in str(exc) and "nothing was changed" in str(exc)
            assert snapshot(root) == before, f"failure at write {at} of {total} left a half-written tree"
            outcomes["refused, before"] += 1
        else:  # past the commit point only the backups' cleanup is left: the phase is complete
            assert snapshot(root) == after, f"failure at write {at} of {total}"
            outcomes["written, after"] += 1
            _reset(root, before)
    print(f"failure positions: {total}, outcomes: {outcomes}")
    assert outcomes["refused, before"] >= 2 * len(result.changes) and outcomes["written, after"] >= 1, outcomes
    assert sum(outcomes.values()) == total


def test_an_unwritable_file_is_named_and_nothing_changes(tmp_path, monkeypatch):
    root = _example(tmp_path)
    before = snapshot(root)
    real = REAL_MUTATE

    def read_only(kind, path, *args, **kwargs):
        if kind == "replace" and Path(path).name == "users.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real(kind, path, *args, **kwargs)

    monkeypatch.setattr(transaction, "mutate", read_only)
    result = CliRunner().invoke(cli_app, ["apply", "--phase", "1", str(root)])
    assert result.exit_code == 2, result.output
    assert "advisor/routers/users.py: cannot write (Permission denied); nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert snapshot(root) == before


# --- a kill mid-write: the next command recovers ------------------------------------------------------------------

CHILD = r"""
import json, os, signal, sys
from pathlib import Path
from migrator.apply import transaction
from migrator.apply.changes import FileChange
from migrator.apply.lock import apply_lock

root, at, changes = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
real, calls = transaction.mutate, [0]

def killing(kind, path, *args, **kwargs):
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(kind, path, *args, **kwargs)

transaction.mutate = killing
with apply_lock(root):
    transaction.commit(root, [FileChange(*c) for c in changes], phase=1)
print(calls[0])
"""


def _small_tree(root: Path) -> list:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("x = 1\n")
    (root / "pkg" / "gone.py").write_text("y = 2\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(root / "run.sh", 0o755)
    return [("pkg/a.py", "x = 1\n", "x = 2\n"), ("pkg/new/b.py", None, "b = 1\n"), ("pkg/gone.py", "y = 2\n", None),
            ("run.sh", "#!/bin/sh\n", "#!/bin/sh\necho hi\n"),
            (".migrator/journal.json", None, '{"version": 2}\n')]


def _child(root: Path, at: int, changes: list) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(root), str(at), json.dumps(changes)],
                          capture_output=True, text=True, cwd=REPO)


def test_a_kill_at_every_write_position_is_recovered_by_the_next_command(tmp_path):
    reference = tmp_path / "reference"
    changes = _small_tree(reference)
    before = snapshot(reference)
    done = _child(reference, 0, changes)
    assert done.returncode == 0, done.stderr
    total = int(done.stdout.strip())
    after = snapshot(reference)
    assert after != before and total >= 10
    seen = {"before": 0, "after": 0}
    for at in range(1, total + 1):
        root = tmp_path / f"kill{at}"
        _small_tree(root)
        killed = _child(root, at, changes)
        assert killed.returncode == -signal.SIGKILL
        status = CliRunner().invoke(cli_app, ["status", str(root)])
        assert "Traceback" not in status.output
        state = snapshot(root)
        if state == before:
            seen["before"] += 1
        else:
            assert state == after, f"kill at write {at}: neither the state before nor the one after"
            seen["after"] += 1
    # up to the commit point (the record's removal) the state before comes back; after it, the phase's result
    print(f"kill positions: {total}, outcomes: {seen}")
    assert seen["before"] >= 1 and seen["after"] >= 1 and sum(seen.values()) == total, seen


def test_the_next_command_says_it_recovered(tmp_path):
    changes = _small_tree(tmp_path)
    before = snapshot(tmp_path)
    # kill right after the first replace: the record is there, a file is half migrated
    probe = tmp_path.parent / "probe"
    _small_tree(probe)
    killed = None
    for at in range(1, 40):
        shutil.rmtree(tmp_path)
        _small_tree(tmp_path)
        killed = _child(tmp_path, at, changes)
        if (tmp_path / "pkg" / "a.py").read_text() == "x = 2\n" and (tmp_path / transaction.RECORD).exists():
            break
    assert killed.returncode == -signal.SIGKILL
    line = recover_target(tmp_path)
    assert line and line.startswith("recovered an interrupted `migrator apply --phase 1`")
    assert snapshot(tmp_path) == before


# --- lock and dirty trees -------------------------------------------------------------------------------------------


def test_a_second_apply_is_refused_while_one_runs_and_a_stale_lock_is_taken_over(tmp_path):
    root = _example(tmp_path)
    (root / ".migrator").mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (root / LOCK).write_text(f"{sleeper.pid}\n")
        busy = CliRunner().invoke(cli_app, ["apply", "--phase", "1", str(root)])
        assert busy.exit_code == 2 and f"pid {sleeper.pid}" in busy.output
        assert not (root / "advisor" / "handlers").exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    taken = CliRunner().invoke(cli_app, ["apply", "--phase", "1", str(root)])
    assert taken.exit_code == 0, taken.output
    assert f"stale apply lock of pid {sleeper.pid}" in taken.output
    assert (root / "advisor" / "handlers" / "market_handler.py").exists()
    assert not (root / LOCK).exists()


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    with apply_lock(tmp_path):
        with apply_lock(tmp_path):
            assert (tmp_path / LOCK).exists()
        assert (tmp_path / LOCK).exists()
    assert not (tmp_path / ".migrator").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_uncommitted_changes_in_touched_files_are_refused_unless_allowed(tmp_path):
    root = _example(tmp_path)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "legacy"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    users = root / "advisor" / "routers" / "users.py"
    users.write_text(users.read_text() + "\n# work in progress\n")
    (root / "notes.txt").write_text("untouched by phase 1\n")
    refused = CliRunner().invoke(cli_app, ["apply", "--phase", "1", str(root)])
    assert refused.exit_code == 2, refused.output
    assert "advisor/routers/users.py: uncommitted changes" in refused.output
    assert "notes.txt" not in refused.output
    assert not (root / "advisor" / "handlers").exists()
    allowed = CliRunner().invoke(cli_app, ["apply", "--phase", "1", "--allow-dirty", str(root)])
    assert allowed.exit_code == 0, allowed.output
    assert "# work in progress" in users.read_text()


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path):
    root = _example(tmp_path)
    result = plan_phase(root, 1, now=APPLIED)
    users = root / "advisor" / "routers" / "users.py"
    users.write_text(users.read_text() + "\n# edited meanwhile\n")
    before = snapshot(root)
    with pytest.raises(ApplyError, match="advisor/routers/users.py: changed since the phase read it"):
        write_phase(root, result)
    assert snapshot(root) == before


def test_a_change_set_without_changes_writes_nothing(tmp_path):
    assert transaction.commit(tmp_path, [FileChange("a.py", "x\n", "x\n")]) == []
    assert list(tmp_path.iterdir()) == []
