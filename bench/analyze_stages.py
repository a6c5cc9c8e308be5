"""Where one `migrator analyze` run spends its CPU time, stage by stage (run as a child by bench_analyze.py).

    python bench/analyze_stages.py TREE

Prints one JSON object of CPU seconds (`time.process_time`, so other jobs on the machine weigh less than on wall
time): `startup` (the interpreter until this script's first line), `imports` (the CLI and the modules `analyze`
imports up front), `inventory` (`run_inventory`: discovery, byte prefilter, parsing, interpretation), `verdicts`
(`assess_routes`: LibCST parsing of route modules, scope analysis, answer-shape inference), `libcst_import`
(importing LibCST, counted in whichever stage first needs it) and `rest` (catalog matching, plan, report, JSON).
The stages are the functions the CLI calls, wrapped here; the code under test is not changed.
"""

from __future__ import annotations

import json
import sys
import time

START = time.process_time()  # the interpreter's own start-up and site imports happened before this line


def _timed(module, name: str, totals: dict[str, float], key: str) -> None:
    function = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] += time.process_time() - started

    setattr(module, name, wrapper)


def main(tree: str) -> dict[str, float]:
    totals = {"inventory": 0.0, "verdicts": 0.0}
    before = time.process_time()
    libcst_before = "libcst" in sys.modules
    import migrator.cli  # noqa: F401  (what the console script imports)
    from migrator import analyze as analyze_module
    from migrator import planner

    imports = time.process_time() - before
    libcst_import = _libcst_import_seconds() if not libcst_before and "libcst" in sys.modules else 0.0
    _timed(planner, "run_inventory", totals, "inventory")
    _timed(planner, "assess_routes", totals, "verdicts")
    started = time.process_time()
    report = analyze_module.analyze(tree)
    report.model_dump_json()
    total = time.process_time() - started
    return {"startup": START, "imports": imports, "inventory": totals["inventory"], "verdicts": totals["verdicts"],
            "rest": total - totals["inventory"] - totals["verdicts"], "libcst_import": libcst_import}


def _libcst_import_seconds() -> float:
    """What `import libcst` costs by itself: timed again in a fresh interpreter (it is imported once per process)."""
    import subprocess

    code = "import time; t = time.process_time(); import libcst; print(time.process_time() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
