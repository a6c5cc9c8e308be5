"""Wall time of `migrator apply --phase 1` on fresh copies of each example, beside `migrator analyze`.

The target (issue: phase 1 in under 2 s of wall time on a 2-core machine) is for the whole command as a user runs
it, so each run is a fresh `migrator` process on a fresh copy: interpreter start-up, imports, inventory, codemods,
verification and atomic writes included. Prints the median of N runs and the ratio to the 2 s budget.

    python bench/bench_apply.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 2.0
MIGRATOR = [sys.executable, "-m", "migrator"]


def fresh_copy(example: str, base: Path) -> Path:
    target = base / f"{example}-{time.perf_counter_ns()}"
    shutil.copytree(ROOT / "examples" / example, target,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    return target


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'example':<12} {'analyze (s)':>12} {'apply --phase 1 (s)':>20} {'apply / 2 s budget':>20}")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as tmp:
        base = Path(tmp)
        for example in ("advisor", "llm_chatbot"):
            analyze, apply = [], []
            for _ in range(args.runs):
                copy = fresh_copy(example, base)
                analyze.append(timed([*MIGRATOR, "analyze", str(copy), "--format", "json", "-o",
                                      str(base / "report.json")]))
                apply.append(timed([*MIGRATOR, "apply", "--phase", "1", str(copy)]))
                shutil.rmtree(copy)
            a, p = statistics.median(analyze), statistics.median(apply)
            worst = max(worst, p / BUDGET_S)
            print(f"{example:<12} {a:>12.2f} {p:>20.2f} {p / BUDGET_S:>20.2f}")
    print(f"worst ratio to the {BUDGET_S:.0f} s budget: {worst:.2f} ({'within' if worst <= 1 else 'OVER'} budget; "
          f"median of {args.runs} runs, fresh process and copy each)")


if __name__ == "__main__":
    main()
