"""Recall and precision of `migrator analyze` on local checkouts of real FastAPI services, against ground truth.

    python bench/bench_recall.py CORPUS_DIR [NAME ...] [--details] [--json FILE]

CORPUS_DIR/truth/<name>.json holds each service's ground truth, made by importing its app in its own environment
and walking what it serves: `{"name", "repo", "commit", "checkout", "root", "app", "routes": [[METHOD, path],
...]}` (`routes` null when the app could not be imported: such a service is listed and not counted). The checkout
is CORPUS_DIR/<checkout> (default: <name>) and `root` the folder analysed inside it.

For each service the whole CLI runs in a subprocess (`python -m migrator analyze ROOT --format json`), timed
wall-clock, and its (method, path) pairs are compared with the truth:
- paths are compared with converters erased (`{file_path:path}` == `{file_path}`: FastAPI's OpenAPI drops them,
  `app.routes` keeps them); parameter names, trailing slashes and methods must match exactly;
- the report's routes of one app are compared: the app the truth names when its file and variable are found
  (`pkg.main:app` -> `pkg/main.py:app`), otherwise the served (not mounted) app with the most pairs in common
  (marked `~` in the table; a repository may define several apps);
- recall = common / truth, precision = common / found (conditional routes included).
Prints one table row per service (files, truth routes, found, recall, precision, time, commit) and the missed and
extra pairs with --details. Exit 1 when a counted service is under 0.98 recall or 1.0 precision.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migrator.pathtemplates import bare

ROOT = Path(__file__).resolve().parent.parent
RECALL_BOUND = 0.98
PRECISION_BOUND = 1.0


def normalize(method: str, path: str) -> tuple[str, str]:
    """(METHOD, path with `{name:converter}` written `{name}`)."""
    return method.upper(), bare(path)


def _app_id(truth: dict) -> str | None:
    """"pkg/main.py:app" relative to the analysed root, from the truth's "pkg.main:app" and its import root."""
    spec = str(truth.get("app") or "").split(" ", 1)[0]
    module, _, attr = spec.partition(":")
    if not module or not attr:
        return None
    import_root = Path(truth.get("import_root") or truth.get("root") or ".")
    file = import_root / (module.replace(".", "/") + ".py")
    rel = os.path.relpath(file, truth.get("root") or ".")
    if "(factory)" in str(truth.get("app")):
        attr = attr + "()"
    return f"{Path(rel).as_posix()}:{attr}"


def pairs_by_app(report: dict) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for route in report.get("routes", []):
        bucket = out.setdefault(route["app"], set())
        for method in route["methods"]:
            bucket.add(normalize(method, route["path"]))
    return out


def choose_app(report: dict, truth: dict, expected: set) -> tuple[str | None, set, bool]:
    """(app id, its pairs, exact): the app the truth names, else the served app sharing most pairs with it."""
    by_app = pairs_by_app(report)
    wanted = _app_id(truth)
    if wanted in by_app:
        return wanted, by_app[wanted], True
    served = {f"{a['file']}:{a['variable']}" for a in report.get("apps", []) if not a.get("mounted_in")}
    candidates = [(len(pairs & expected), app) for app, pairs in by_app.items() if app in served] or [(0, None)]
    _, best = max(candidates, key=lambda c: (c[0], c[1] or ""))
    return best, by_app.get(best, set()), False


def run_analyze(root: Path) -> tuple[dict, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="bench-recall-") as tmp:
        out = Path(tmp) / "report.json"
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "migrator", "analyze", str(root), "--format", "json", "-o", str(out),
             "--no-progress"],
            capture_output=True, text=True, env=env, check=False,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"analyze exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
        return json.loads(out.read_text(encoding="utf-8")), elapsed


def measure(corpus: Path, truth: dict) -> dict:
    checkout = corpus / (truth.get("checkout") or truth["name"])
    root = checkout / (truth.get("root") or "")
    row = {"name": truth["name"], "repo": truth.get("repo"), "commit": (truth.get("commit") or "")[:12]}
    if truth.get("routes") is None:
        return {**row, "status": "no truth (the app did not import)"}
    if not root.is_dir():
        return {**row, "status": f"no checkout at {root}"}
    expected = {normalize(m, p) for m, p in truth["routes"]}
    try:
        report, elapsed = run_analyze(root)
    except RuntimeError as exc:
        return {**row, "status": str(exc)}
    app, found, exact = choose_app(report, truth, expected)
    hits = expected & found
    summary = report.get("summary", {})
    return {
        **row, "status": "ok", "app": app, "exact_app": exact, "files": summary.get("files_total"),
        "truth": len(expected), "found": len(found), "hits": len(hits),
        "recall": len(hits) / len(expected) if expected else 1.0,
        "precision": len(hits) / len(found) if found else (1.0 if not expected else 0.0),
        "seconds": elapsed, "unresolved": summary.get("unresolved"), "skipped": summary.get("skipped"),
        "coverage": summary.get("coverage"),
        "missing": sorted(expected - found), "extra": sorted(found - expected),
    }


def _table(rows: list[dict]) -> str:
    head = (f"{'service':<14} {'commit':<12} {'files':>6} {'truth':>6} {'found':>6} {'recall':>7} {'prec.':>7} "
            f"{'time s':>7}  app")
    lines = [head, "-" * len(head)]
    for row in rows:
        if row["status"] != "ok":
            lines.append(f"{row['name']:<14} {row['commit']:<12} {row['status']}")
            continue
        mark = "" if row["exact_app"] else "~"
        lines.append(
            f"{row['name']:<14} {row['commit']:<12} {row['files']:>6} {row['truth']:>6} {row['found']:>6} "
            f"{row['recall']:>7.3f} {row['precision']:>7.3f} {row['seconds']:>7.2f}  {mark}{row['app']}"
        )
    counted = [r for r in rows if r["status"] == "ok"]
    if counted:
        truth = sum(r["truth"] for r in counted)
        hits = sum(r["hits"] for r in counted)
        found = sum(r["found"] for r in counted)
        lines.append("-" * len(head))
        lines.append(f"{'all (' + str(len(counted)) + ')':<27} {'':>6} {truth:>6} {found:>6} "
                     f"{hits / truth if truth else 1:>7.3f} {hits / found if found else 1:>7.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder with truth/<name>.json and the checkouts")
    parser.add_argument("names", nargs="*", help="only these services")
    parser.add_argument("--details", action="store_true", help="list missed and extra pairs")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args(argv)
    truths = sorted((args.corpus / "truth").glob("*.json"))
    if args.names:
        truths = [t for t in truths if t.stem in args.names]
    if not truths:
        print(f"{args.corpus / 'truth'}: no truth files", file=sys.stderr)
        return 2
    rows = []
    for path in truths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        truth.setdefault("name", path.stem)
        rows.append(measure(args.corpus, truth))
        print(f"  {path.stem}: {rows[-1]['status']}", file=sys.stderr, flush=True)
    print(_table(rows))
    if args.details:
        for row in rows:
            if row["status"] == "ok" and (row["missing"] or row["extra"]):
                print(f"\n{row['name']}: {len(row['missing'])} missed, {len(row['extra'])} extra")
                for method, path in row["missing"]:
                    print(f"  - {method} {path}")
                for method, path in row["extra"]:
                    print(f"  + {method} {path}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    bad = [r for r in rows if r["status"] == "ok"
           and (r["recall"] < RECALL_BOUND or r["precision"] < PRECISION_BOUND)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
