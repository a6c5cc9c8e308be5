"""Shared timing for the benchmarks: modes interleaved and repeated, min/median/max, ratio of medians.

A benchmark that times mode A first and then mode B gives A the cold caches (disk, CPU frequency, the other jobs on
the machine) and B the warm ones. Here every mode runs once untimed (warm-up), then the rounds alternate the order
(A B, B A, A B, ...), so drift and warm-up effects fall on both sides alike. Each mode is a callable returning
the seconds it measured (or None: then its wall time is used), so a mode can time a loop inside a run.

The processes run as after an ordinary install: Python reads and writes its bytecode cache (`__pycache__`). An
environment with PYTHONDONTWRITEBYTECODE set (some sandboxes and CI images) would make every run of `migrator`
compile its ~60 modules from source again (~0.15 s of a 0.4 s analyze), which no installed copy does, so the
benchmarks drop that variable for the processes they start: the warm-up run fills the cache.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Mode = Callable[[], "float | None"]

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the processes started below cache their bytecode (docstring)


@dataclass
class Samples:
    name: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def line(self, unit: str = "s") -> str:
        values = sorted(self.seconds)
        return (f"{self.name:<44} min {values[0]:7.3f} {unit}  median {self.median:7.3f} {unit}  "
                f"max {values[-1]:7.3f} {unit}  (n={len(values)})")


def _once(mode: Mode) -> float:
    started = time.perf_counter()
    measured = mode()
    elapsed = time.perf_counter() - started
    return elapsed if measured is None else float(measured)


def interleave(modes: dict[str, Mode], *, repeat: int, warmup: int = 1) -> dict[str, Samples]:
    """Run every mode `warmup` times untimed, then `repeat` rounds in alternating order; the samples per mode."""
    names = list(modes)
    for _ in range(warmup):
        for name in names:
            _once(modes[name])
    samples = {name: Samples(name) for name in names}
    for round_index in range(repeat):
        order = names if round_index % 2 == 0 else list(reversed(names))
        for name in order:
            samples[name].seconds.append(_once(modes[name]))
    return samples


def ratio_line(numerator: Samples, denominator: Samples, bound: float | None = None) -> tuple[str, bool]:
    """"A / B = r (ratio of medians)" and whether it is within the bound (always True without one)."""
    ratio = numerator.median / denominator.median
    ok = bound is None or ratio <= bound
    verdict = "" if bound is None else f"  bound <= {bound:.2f}: {'ok' if ok else 'EXCEEDED'}"
    return f"{numerator.name} / {denominator.name}: {ratio:.2f}x (ratio of medians){verdict}", ok


def run_process(command: Sequence[str], *, env: dict | None = None, cwd: str | None = None) -> float:
    """Wall seconds of one whole process (start-up included); SystemExit with its stderr when it fails."""
    started = time.perf_counter()
    proc = subprocess.run(list(command), capture_output=True, text=True, env=env, cwd=cwd, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr.strip()[-2000:]}")
    return elapsed


# Runs a Python command line in this process, then reports the peak RSS of this process and of its largest
# reaped child (pool workers) on the last line of stderr. argv[1] is "-m" MODULE or a script path.
_RSS_PROBE = r"""
import json, resource, runpy, sys
args = sys.argv[1:]
try:
    if args[0] == "-m":
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
finally:
    usage = {"main_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
             "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
    print("\n" + json.dumps(usage), file=sys.stderr)
sys.exit(code)
"""


def peak_rss(python_args: Sequence[str], *, env: dict | None = None) -> dict[str, float]:
    """Peak RSS in MB of `python <python_args>`: {"main": ..., "children": largest child (0 without any)}."""
    proc = subprocess.run([sys.executable, "-c", _RSS_PROBE, *python_args], capture_output=True, text=True,
                          env=env, check=False)
    try:
        usage = json.loads(proc.stderr.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"RSS probe failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}") from None
    return {"main": usage["main_kb"] / 1024, "children": usage["children_kb"] / 1024}


def rss_line(name: str, rss: dict[str, float]) -> str:
    children = f", largest child {rss['children']:.0f} MB" if rss["children"] else ", no child process"
    return f"{name:<44} peak RSS main {rss['main']:.0f} MB{children}"


def self_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def migrator_command() -> list[str]:
    """The `migrator` console script of this interpreter's environment (what a user runs), else -m migrator."""
    script = os.path.join(os.path.dirname(sys.executable), "migrator")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "migrator"]
