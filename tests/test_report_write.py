import os
import stat
import threading

from migrator.report import write_atomic


def test_a_fifo_target_is_written_in_place_not_replaced(tmp_path):
    """`-o /dev/null` or a pipe: renaming a temporary file over it would replace the device (as root)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    write_atomic(fifo, '{"ok": true}\n')
    reader.join(timeout=10)
    assert received == ['{"ok": true}\n']
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file left beside it


def test_a_regular_file_is_still_replaced_atomically(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
