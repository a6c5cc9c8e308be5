"""All-or-nothing writes of a phase's change set, recoverable after a crash or a kill.

A phase commits its change set (journal last) in this order:

1. every produced Python file is verified (parses, compiles) and every file still holds what the phase read;
2. the transaction record `.migrator/transaction.json` is written (state "staging");
3. every new content is staged in a temporary file beside its target, and every file that will be replaced or
   deleted is backed up under `.migrator/transaction/`;
4. the record is rewritten (state "replacing"), then the targets are replaced one by one, the journal last;
5. the record is removed: this is the commit point. Backups are removed afterwards (best effort).

On any failure before the commit point the replaced files are restored from their backups, created files and
directories are removed, and `TransactionError` names the file (exit 2). A process killed on the way cannot roll
back by itself: the next migrator command that reads or writes the target finds the record and completes the
recovery (`recover`), restoring the state before the phase. Either way the tree ends up byte for byte as it was
before the phase or as the phase left it.

Every mutation of the disk goes through `mutate`, the one primitive tests inject failures and kills into.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field, ValidationError

from migrator.apply.changes import FileChange, verify

RECORD = Path(".migrator") / "transaction.json"
BACKUPS = Path(".migrator") / "transaction"
TEMP_SUFFIX = ".migrator-tmp"


class TransactionError(Exception):
    """A phase could not be written (nothing was changed, or everything was restored); names the file."""


class TxFile(BaseModel):
    path: str  # posix, relative to the root
    backup: Optional[str] = None  # relative to the root; None: the file did not exist before
    staged: Optional[str] = None  # temporary file holding the new content; None: the file is deleted
    mode: Optional[int] = None


class TxRecord(BaseModel):
    version: Literal[1] = 1
    phase: Optional[int] = None
    pid: int
    state: Literal["staging", "replacing"] = "staging"
    files: list[TxFile] = Field(default_factory=list)
    created_dirs: list[str] = Field(default_factory=list)  # deepest last


class Recovery(BaseModel):
    interrupted: bool = True  # False: only a stale lock was removed
    phase: Optional[int] = None
    pid: Optional[int] = None
    restored: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    stale_lock: Optional[int] = None  # PID of a dead process whose apply lock was removed

    def line(self) -> str:
        lines = []
        if self.interrupted:
            what = f"apply --phase {self.phase}" if self.phase else "apply"
            lines.append(f"recovered an interrupted `migrator {what}` (pid {self.pid}): restored "
                         f"{len(self.restored)} file(s), removed {len(self.removed)} it had created")
        if self.stale_lock is not None:
            lines.append(f"removed the stale apply lock of pid {self.stale_lock} (the process is gone)")
        return "; ".join(lines)


# --- the one primitive --------------------------------------------------------------------------------------------


def mutate(kind: str, path: Path, data: Optional[bytes] = None, *, source: Optional[Path] = None,
           mode: Optional[int] = None) -> None:
    """Change the disk: `write` (data, fsync'ed), `replace` (rename `source` onto `path`), `remove`, `mkdir`,
    `rmdir`."""
    if kind == "write":
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
        try:
            os.write(fd, data or b"")
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(path, mode)
    elif kind == "replace":
        os.replace(source, path)
    elif kind == "remove":
        os.unlink(path)
    elif kind == "mkdir":
        os.mkdir(path)
    elif kind == "rmdir":
        os.rmdir(path)
    else:  # pragma: no cover - a programming error
        raise ValueError(kind)


def _write_record(root: Path, record: TxRecord) -> None:
    path = root / RECORD
    temp = path.with_name(path.name + TEMP_SUFFIX)
    mutate("write", temp, record.model_dump_json(indent=1).encode())
    mutate("replace", path, source=temp)


# --- commit ------------------------------------------------------------------------------------------------------


def _read_bytes(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _check_unchanged(root: Path, changes: list[FileChange]) -> None:
    for change in changes:
        current = _read_bytes(root / change.path)
        expected = None if change.old is None else change.old.encode("utf-8")
        if current != expected:
            raise TransactionError(f"{change.path}: changed since the phase read it; run the phase again")


def _missing_dirs(root: Path, changes: list[FileChange]) -> list[Path]:
    """Directories the change set creates, shallowest first."""
    needed: list[Path] = []
    for change in changes:
        if change.new is None:
            continue
        parent = (root / change.path).parent
        chain = []
        while not parent.exists() and parent != root:
            chain.append(parent)
            parent = parent.parent
        for directory in reversed(chain):
            if directory not in needed:
                needed.append(directory)
    return needed


def commit(root: Path, changes: list[FileChange], *, phase: Optional[int] = None) -> list[str]:
    """Write the change set all or nothing (see the module docstring); returns the paths written or deleted.

    Keep the journal last in `changes`: it is replaced last, so a journal on disk always describes files on disk.
    """
    pending = [c for c in changes if c.changed]
    for change in pending:
        verify(change)
    if not pending:
        return []
    _check_unchanged(root, pending)
    record = TxRecord(phase=phase, pid=os.getpid())
    meta = root / RECORD.parent
    created: list[Path] = [] if meta.exists() else [meta]
    created += [d for d in _missing_dirs(root, pending) if d not in created]
    record.created_dirs = [d.relative_to(root).as_posix() for d in created]
    record.files = _entries(root, pending)
    replaced: set[str] = set()
    try:
        if created[:1] == [meta]:
            mutate("mkdir", meta)  # the record lives there
        _write_record(root, record)
        for directory in created:
            if directory != meta:
                mutate("mkdir", directory)
        _stage(root, pending, record)
        record.state = "replacing"
        _write_record(root, record)
        for change, entry in zip(pending, record.files):
            if change.new is None:
                mutate("remove", root / change.path)
            else:
                mutate("replace", root / change.path, source=root / entry.staged)
            replaced.add(entry.path)
        mutate("remove", root / RECORD)  # the commit point
    except BaseException as exc:
        failed = getattr(exc, "filename", None)
        _rollback(root, record, replaced, tolerate=True)
        _remove_dirs(root, record.created_dirs)
        if isinstance(exc, (OSError, TransactionError)):
            where = _relative(root, failed) if failed else "the target"
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise TransactionError(f"{where}: cannot write ({reason}); nothing was changed") from exc
        raise
    _cleanup_backups(root)
    return [c.path for c in pending]


def _relative(root: Path, name) -> str:
    try:
        return Path(os.fsdecode(name)).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return os.fsdecode(name)


def _entries(root: Path, pending: list[FileChange]) -> list[TxFile]:
    """Where each file's backup and staged content go (decided before anything is written)."""
    entries = []
    for index, change in enumerate(pending):
        target = root / change.path
        entry = TxFile(path=change.path)
        if target.exists():
            entry.mode = target.stat().st_mode & 0o7777
            entry.backup = (BACKUPS / f"{index}.bak").as_posix()
        if change.new is not None:
            entry.staged = target.with_name(f".{target.name}.{os.getpid()}{TEMP_SUFFIX}").relative_to(root).as_posix()
        entries.append(entry)
    return entries


def _stage(root: Path, pending: list[FileChange], record: TxRecord) -> None:
    if not (root / BACKUPS).exists():
        mutate("mkdir", root / BACKUPS)
    for change, entry in zip(pending, record.files):
        if entry.backup is not None:
            mutate("write", root / entry.backup, (root / entry.path).read_bytes(), mode=entry.mode)
        if entry.staged is not None:
            mutate("write", root / entry.staged, change.new.encode("utf-8"), mode=entry.mode)


# --- rollback and recovery ---------------------------------------------------------------------------------------


def _rollback(root: Path, record: TxRecord, replaced: Optional[set[str]], *, tolerate: bool) -> Recovery:
    """Put back the state before the transaction. `replaced`: the files known to be replaced (None after a kill:
    every file that differs from its backup, or that was created). `tolerate`: keep going past a failing step (the
    record then stays for the next command)."""
    done = Recovery(phase=record.phase, pid=record.pid)
    problems: list[BaseException] = []

    def attempt(action, *args, **kwargs) -> bool:
        try:
            action(*args, **kwargs)
            return True
        except FileNotFoundError:
            return False
        except OSError as exc:
            if not tolerate:
                raise
            problems.append(exc)
            return False

    for entry in reversed(record.files):
        target = root / entry.path
        if record.state == "replacing" and (replaced is None or entry.path in replaced):
            backup = root / entry.backup if entry.backup is not None else None
            if backup is not None and backup.exists():
                if replaced is not None or _read_bytes(target) != backup.read_bytes():
                    if attempt(mutate, "replace", target, source=backup):
                        done.restored.append(entry.path)
            elif entry.backup is None and target.exists():
                if attempt(mutate, "remove", target):
                    done.removed.append(entry.path)
        if entry.staged is not None and (root / entry.staged).exists():
            attempt(mutate, "remove", root / entry.staged)
    if not problems:
        record_temp = root / RECORD.with_name(RECORD.name + TEMP_SUFFIX)
        if record_temp.exists():
            attempt(mutate, "remove", record_temp)
        attempt(mutate, "remove", root / RECORD)
        _cleanup_backups(root)
    return done


def _remove_dirs(root: Path, created: list[str]) -> None:
    for rel in reversed(created):
        directory = root / rel
        try:
            if directory.is_dir() and not any(directory.iterdir()):
                mutate("rmdir", directory)
        except OSError:
            pass


def _cleanup_backups(root: Path) -> None:
    """Remove the backup folder (best effort: leftovers without a record are removed by the next recovery)."""
    backups = root / BACKUPS
    if not backups.exists():
        return
    try:
        for path in sorted(backups.iterdir()):
            mutate("remove", path)
        mutate("rmdir", backups)
    except OSError:
        shutil.rmtree(backups, ignore_errors=True)


def recover(root: Path) -> Optional[Recovery]:
    """Complete an interrupted transaction (restore the state before it); None when there was none.

    Raises TransactionError when the record cannot be read or a file cannot be restored (the record stays).
    """
    from migrator.apply.lock import remove_stale_lock

    path = root / RECORD
    record_temp = path.with_name(path.name + TEMP_SUFFIX)
    if record_temp.exists() and not path.exists():
        record_temp.unlink()  # killed while writing the first record: nothing else was written yet
    if not path.exists():
        if (root / BACKUPS).exists():
            _cleanup_backups(root)  # killed after the commit point: the phase is complete
        stale = remove_stale_lock(root)
        return Recovery(interrupted=False, stale_lock=stale) if stale is not None else None
    try:
        record = TxRecord.model_validate_json(path.read_bytes())
    except (OSError, ValueError, ValidationError) as exc:
        raise TransactionError(f"{path}: cannot read the interrupted transaction: {exc}") from exc
    try:
        done = _rollback(root, record, None, tolerate=False)
    except OSError as exc:
        raise TransactionError(f"{_relative(root, exc.filename or path)}: cannot restore the state before the "
                               f"interrupted phase ({exc.strerror or exc}); fix it and run again") from exc
    done.stale_lock = remove_stale_lock(root)
    _remove_dirs(root, record.created_dirs)
    return done
