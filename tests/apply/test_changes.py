import os
import stat

import pytest

from migrator.apply.changes import ChangeError, FileChange, apply_changes, render_diff, write_atomic


def test_apply_writes_creates_and_deletes(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "gone.py").write_text("y = 2\n")
    written = apply_changes(tmp_path, [
        FileChange("a.py", "x = 1\n", "x = 2\n"),
        FileChange("pkg/new.py", None, "z = 3\n"),
        FileChange("gone.py", "y = 2\n", None),
        FileChange("same.py", "s = 1\n", "s = 1\n"),
    ])
    assert written == ["a.py", "pkg/new.py", "gone.py"]
    assert (tmp_path / "a.py").read_text() == "x = 2\n"
    assert (tmp_path / "pkg/new.py").read_text() == "z = 3\n"
    assert not (tmp_path / "gone.py").exists()


def test_nothing_is_written_when_one_file_would_not_parse(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    with pytest.raises(ChangeError, match=r"b\.py.*does not parse"):
        apply_changes(tmp_path, [
            FileChange("a.py", "x = 1\n", "x = 2\n"),
            FileChange("b.py", None, "def broken(:\n"),
        ])
    assert (tmp_path / "a.py").read_text() == "x = 1\n"
    assert not (tmp_path / "b.py").exists()


def test_code_that_parses_but_does_not_compile_is_refused(tmp_path):
    # LibCST accepts it; the compiler rejects a `return` outside a function
    with pytest.raises(ChangeError, match="c.py"):
        apply_changes(tmp_path, [FileChange("c.py", None, "return 1\n")])
    assert not (tmp_path / "c.py").exists()


def test_atomic_write_keeps_mode_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "script.py"
    target.write_text("old\n")
    os.chmod(target, 0o750)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["script.py"]


def test_crlf_is_preserved_byte_for_byte(tmp_path):
    write_atomic(tmp_path / "w.py", "a = 1\r\nb = 2\r\n")
    assert (tmp_path / "w.py").read_bytes() == b"a = 1\r\nb = 2\r\n"


def test_diff_names_both_sides_and_skips_unchanged():
    diff = render_diff([
        FileChange("a.py", "x = 1\n", "x = 2\n"),
        FileChange("new.py", None, "n = 1\n"),
        FileChange("same.py", "s\n", "s\n"),
    ])
    assert "--- a/a.py\n+++ b/a.py\n" in diff
    assert "-x = 1\n+x = 2\n" in diff
    assert "--- /dev/null\n+++ b/new.py\n" in diff
    assert "same.py" not in diff
