"""Benchmark `migrator parity`: raw replay vs replay + compare, on a 10,000-exchange cassette, in process.

    python bench/bench_parity.py [--example advisor|llm_chatbot] [--exchanges 10000] [--repeat 3]

The cassette is built from the example's committed cassette (the GET exchanges before its first mutation,
cycled: they do not change state, so every replay compares equal) and streamed from disk. Both modes replay the
same file against the same phase-0 app; the rate counts the replay loop only (from the first to the last
exchange: app import and data reset are excluded). The modes are interleaved (`_timing.interleave`): one warm-up
run of each, then `--repeat` rounds in alternating order, so neither mode is always the cold first one. Prints
min/median/max loop seconds and exchanges per second of each mode, the ratio of medians (compare / raw, must be
<= 1.3) and the peak RSS of the whole run (must stay under 300 MB). Exit 1 when a bound is exceeded.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleave, ratio_line, self_peak_rss_mb  # noqa: E402

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


class Differences(Exception):
    """replay + compare found what an unchanged app must never show."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", choices=sorted(EXAMPLES), default="advisor")
    parser.add_argument("--exchanges", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per mode (after one warm-up each)")
    parser.add_argument("--max-ratio", type=float, default=1.3)
    parser.add_argument("--max-mb", type=float, default=300.0)
    args = parser.parse_args(argv)

    package, env = EXAMPLES[args.example]
    folder = ROOT / "examples" / args.example
    with tempfile.TemporaryDirectory(prefix="bench-parity-") as tmp:
        cassette = Path(tmp) / "cassette.jsonl"
        distinct = build_cassette(folder / "parity" / "cassette.jsonl", cassette, args.exchanges)
        options = ParityOptions(cassette=cassette, repo=folder, env=env, requests=folder / "parity" / "requests.yaml",
                                credentials=example_credentials(folder, package))
        print(f"{args.exchanges} exchanges ({distinct} distinct GETs of {args.example}, "
              f"{cassette.stat().st_size / 1e6:.1f} MB on disk), in process; {args.repeat} rounds per mode, "
              "interleaved, after one warm-up run each")

        def raw() -> float:
            timer = LoopTimer()
            if replay_raw(options, timer) != args.exchanges:
                raise Differences("raw replay sent fewer exchanges than the cassette holds")
            return timer.seconds

        def compare() -> float:
            timer = LoopTimer()
            report = run_parity(options, timer)
            summary = report.summary
            if summary.failed or summary.noisy or summary.total != args.exchanges:
                raise Differences(f"unexpected differences: {summary.line()}")
            return timer.seconds

        try:
            samples = interleave({"raw replay": raw, "replay + compare": compare}, repeat=args.repeat)
        except Differences as exc:
            print(exc)
            return 1
    for item in samples.values():
        print(f"  {item.line()}  {(args.exchanges - 1) / item.median:,.0f} exchanges/s at the median")
    text, ok_ratio = ratio_line(samples["replay + compare"], samples["raw replay"], bound=args.max_ratio)
    print("  " + text)
    peak = self_peak_rss_mb()
    ok_memory = peak < args.max_mb
    verdict = "ok" if ok_memory else "EXCEEDED"
    print(f"  peak RSS of the whole run: {peak:.0f} MB (bound {args.max_mb:.0f} MB) {verdict}")
    return 0 if ok_ratio and ok_memory else 1


if __name__ == "__main__":
    sys.exit(main())
