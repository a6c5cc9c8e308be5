"""Wall time of `migrator apply` (phases 1, 2 and 3) on fresh copies of each example, as a user runs it.

    python bench/bench_apply.py [--repeat 5] [--example advisor ...]

Each run is a fresh `migrator` process on a fresh copy of the example (interpreter start-up, imports, inventory,
codemods, verification and atomic writes included); the copy is prepared before the clock starts: phase 2 runs on a
copy with phase 1 applied, phase 3 (`--force`: the Sunset lies in the future) on a copy with phases 1 and 2 applied.

- phase 1 is compared with its budget: 2 s;
- phases 2 and 3 are compared with LibCST's own codemod runner executing a no-op codemod over the same files
  (`bench/libcst_noop.py`: `parallel_exec_transform_with_prettyprint`, one process, also a whole process): the
  Python files the phase rewrites or deletes, as `--check` lists them. Bound: phase / no-op <= 1.3 (ratio of medians).

The modes of one example and phase run interleaved (warm-up run of each, then rounds in alternating order,
`_timing.interleave`); each prints min/median/max. Exit 1 when a bound is exceeded.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleave, migrator_command, ratio_line, run_process  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOOP = str(Path(__file__).resolve().parent / "libcst_noop.py")
BUDGET_S = 2.0
NOOP_BOUND = 1.3
EXAMPLES = ("advisor", "llm_chatbot", "mentor", "classroom")
IGNORE = shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator", "*.db")
PHASE_ARGS = {1: [], 2: [], 3: ["--force"]}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def template(example: str, phase: int, base: Path) -> Path:
    """A copy of the example with the phases before `phase` applied (and committed: the dirty check passes)."""
    repo = base / f"{example}-before-{phase}"
    shutil.copytree(ROOT / "examples" / example, repo, ignore=IGNORE)
    _git(repo, "init", "-q")
    _commit(repo, "legacy")
    for earlier in range(1, phase):
        run_process([*migrator_command(), "apply", "--phase", str(earlier), *PHASE_ARGS[earlier], str(repo)])
        _commit(repo, f"phase {earlier}")
    return repo


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.email=bench@example.invalid", "-c", "user.name=bench", "commit", "-q", "-m", message)


def files_of(repo: Path, phase: int) -> list[str]:
    """The Python files phase `phase` rewrites or deletes (existing ones), from `--check`."""
    proc = subprocess.run([*migrator_command(), "apply", "--phase", str(phase), *PHASE_ARGS[phase], "--check",
                           str(repo)], capture_output=True, text=True, check=False)
    listed = [line.split(": ", 1)[1] for line in proc.stdout.splitlines() if line.startswith("would change: ")]
    return [path for path in listed if path.endswith(".py") and (repo / path).is_file()]


class Copies:
    """A fresh copy of a template per run, made before the clock starts (the copy is not part of the phase)."""

    def __init__(self, source: Path, base: Path):
        self.source, self.base = source, base

    def fresh(self) -> Path:
        target = self.base / f"{self.source.name}-{time.perf_counter_ns()}"
        shutil.copytree(self.source, target, symlinks=True)
        return target


def phase_mode(copies: Copies, phase: int):
    def run() -> float:
        repo = copies.fresh()
        try:
            return run_process([*migrator_command(), "apply", "--phase", str(phase), *PHASE_ARGS[phase], str(repo)])
        finally:
            shutil.rmtree(repo, ignore_errors=True)
    return run


def noop_mode(repo: Path, files: list[str]):
    return lambda: run_process([sys.executable, NOOP, str(repo), *files], cwd=str(repo))


def measure(example: str, phase: int, repeat: int, base: Path) -> bool:
    source = template(example, phase, base)
    copies = Copies(source, base)
    label = f"{example}: apply --phase {phase}"
    if phase == 1:
        samples = interleave({label: phase_mode(copies, 1)}, repeat=repeat)
        item = samples[label]
        ok = item.median <= BUDGET_S
        print(f"  {item.line()}")
        print(f"  {label} / {BUDGET_S:.0f} s budget: {item.median / BUDGET_S:.2f} {'ok' if ok else 'EXCEEDED'}")
        return ok
    files = files_of(source, phase)
    noop = f"{example}: LibCST no-op codemod, {len(files)} files"
    samples = interleave({label: phase_mode(copies, phase), noop: noop_mode(source, files)}, repeat=repeat)
    for item in samples.values():
        print(f"  {item.line()}")
    text, ok = ratio_line(samples[label], samples[noop], bound=NOOP_BOUND)
    print(f"  {text}")
    print(f"    files: {', '.join(files)}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per mode (after one warm-up each)")
    parser.add_argument("--example", action="append", choices=EXAMPLES, help="default: every example")
    parser.add_argument("--phase", type=int, action="append", choices=(1, 2, 3), help="default: all three")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as tmp:
        for example in args.example or EXAMPLES:
            for phase in args.phase or (1, 2, 3):
                print(f"{example}, phase {phase} ({args.repeat} rounds, interleaved, one warm-up run each):")
                ok &= measure(example, phase, args.repeat, Path(tmp))
    print("all bounds met" if ok else "a bound is exceeded")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

