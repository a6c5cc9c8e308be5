"""Benchmark `migrator parity`: raw replay vs replay + compare, on a 10,000-exchange cassette, in process.

    python bench/bench_parity.py [--example advisor|llm_chatbot] [--exchanges 10000] [--rounds 1]

The cassette is built from the example's committed cassette (the GET exchanges before its first mutation,
cycled: they do not change state, so every replay compares equal) and streamed from disk. Both modes replay the
same file against the same phase-0 app; the rate counts the replay loop only (from the first to the last
exchange: app import and data reset are excluded). Prints exchanges per second for each mode, the ratio
(compare time / raw time, must be ≤ 1.3) and the peak RSS of the whole run (must stay under 300 MB).
Exit 1 when a bound is exceeded.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from migrator.parity.replay import ParityOptions, replay_raw, run_parity  # noqa: E402

EXAMPLES = {
    "advisor": ("advisor", {"ADVISOR_DATA_DIR": "{tmp}/data"}),
    "llm_chatbot": ("llm_chatbot", {"LLM_CHATBOT_DB": "{tmp}/chatbot.db"}),
}


def example_credentials(folder: Path, package: str) -> dict[str, str]:
    """Flat credentials of an example (admin_<tenant>, service keys) from its seed's demo_credentials()."""
    sys.path.insert(0, str(folder))
    try:
        creds = importlib.import_module(f"{package}.seed").demo_credentials()
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
    return {(f"admin_{k}" if isinstance(v, dict) else k): (v["admin_token"] if isinstance(v, dict) else v)
            for k, v in creds.items()}


def build_cassette(source: Path, target: Path, count: int) -> int:
    """``count`` lines cycling the GET exchanges ``source`` records before its first mutation (their answers do
    not depend on replay order); returns how many distinct ones were cycled."""
    lines = []
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            exchange = json.loads(line)
            if exchange["request"]["method"] != "GET":
                break
            lines.append(exchange)
    with target.open("w", encoding="utf-8") as out:
        for index in range(count):
            exchange = dict(lines[index % len(lines)], id=index + 1)
            out.write(json.dumps(exchange, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(lines)


class LoopTimer:
    """Progress callback that remembers the first and last exchange: the loop time without setup."""

    def __init__(self) -> None:
        self.first = self.last = 0.0
        self.count = 0

    def __call__(self, n: int) -> None:
        now = time.perf_counter()
        if self.count == 0:
            self.first = now
        self.last = now
        self.count += n

    @property
    def rate(self) -> float:
        return (self.count - 1) / (self.last - self.first)

    @property
    def seconds(self) -> float:
        return self.last - self.first


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", choices=sorted(EXAMPLES), default="advisor")
    parser.add_argument("--exchanges", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="alternate raw/compare this many times; best of each")
    parser.add_argument("--max-ratio", type=float, default=1.3)
    parser.add_argument("--max-mb", type=float, default=300.0)
    args = parser.parse_args(argv)

    package, env = EXAMPLES[args.example]
    folder = ROOT / "examples" / args.example
    console = Console()
    with tempfile.TemporaryDirectory(prefix="bench-parity-") as tmp:
        cassette = Path(tmp) / "cassette.jsonl"
        distinct = build_cassette(folder / "parity" / "cassette.jsonl", cassette, args.exchanges)
        options = ParityOptions(cassette=cassette, repo=folder, env=env, requests=folder / "parity" / "requests.yaml",
                                credentials=example_credentials(folder, package))
        console.print(f"{args.exchanges} exchanges ({distinct} distinct GETs of {args.example}, "
                      f"{cassette.stat().st_size / 1e6:.1f} MB on disk), in process, {args.rounds} round(s)")
        raw_best = compare_best = None
        for _ in range(args.rounds):
            raw = LoopTimer()
            sent = replay_raw(options, raw)
            assert sent == args.exchanges
            compared = LoopTimer()
            report = run_parity(options, compared)
            if report.summary.failed or report.summary.noisy or report.summary.total != args.exchanges:
                console.print(f"[red]unexpected differences: {report.summary.line()}[/red]")
                return 1
            del report
            raw_best = raw if raw_best is None or raw.seconds < raw_best.seconds else raw_best
            compare_best = compared if compare_best is None or compared.seconds < compare_best.seconds \
                else compare_best
    ratio = compare_best.seconds / raw_best.seconds
    peak = peak_rss_mb()
    table = Table(title="parity replay", title_justify="left")
    for column in ("mode", "exchanges/s", "loop seconds"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    table.add_row("raw replay", f"{raw_best.rate:,.0f}", f"{raw_best.seconds:.2f}")
    table.add_row("replay + compare", f"{compare_best.rate:,.0f}", f"{compare_best.seconds:.2f}")
    console.print(table)
    ok_ratio, ok_memory = ratio <= args.max_ratio, peak < args.max_mb
    console.print(f"compare / raw time ratio: {ratio:.3f} (bound {args.max_ratio}) "
                  f"{'ok' if ok_ratio else 'EXCEEDED'}")
    console.print(f"peak RSS of the whole run: {peak:.0f} MB (bound {args.max_mb:.0f} MB) "
                  f"{'ok' if ok_memory else 'EXCEEDED'}")
    return 0 if ok_ratio and ok_memory else 1


if __name__ == "__main__":
    sys.exit(main())
