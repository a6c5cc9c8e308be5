"""`migrator demo`: a whole migration of an embedded example, in a temporary copy, with parity at every phase.

analyze → phase 1 → parity → phase 2 → parity → phase 3 → parity, then a summary table. Everything runs in this
process against the copy (no network, no server): it is the README's first command and a smoke test of the tool.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Optional

EXAMPLES = ("advisor", "llm_chatbot", "mentor", "classroom")


class DemoError(Exception):
    """The demo cannot start (no embedded example); the message says why."""


@dataclass
class Step:
    name: str
    detail: str
    ok: bool
    seconds: float
    parity: Optional[str] = None  # "N passed, M failed, K noisy"


@dataclass
class DemoResult:
    example: str
    workdir: Path
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)


def examples_dir() -> Path:
    """The examples shipped beside the package (an editable install or a source checkout)."""
    here = Path(__file__).resolve().parent.parent / "examples"
    if not here.is_dir():
        raise DemoError(f"{here}: the embedded examples are not there; install migrator from its repository "
                        "(pip install -e .) to run the demo")
    return here


def copy_example(name: str, dest: Path) -> Path:
    if name not in EXAMPLES:
        raise DemoError(f"unknown example {name!r}: choose one of {', '.join(EXAMPLES)}")
    source = examples_dir() / name
    target = dest / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache",
                                                                   ".migrator", "*.db"))
    return target


Say = Callable[[str, object], None]  # (event, payload) -> show it


def run_demo(example: str = "advisor", *, workdir: Optional[Path] = None, say: Optional[Say] = None,
             now: Optional[datetime] = None) -> DemoResult:
    """Run the whole migration on a copy of `example`; `say(event, payload)` is told about every step."""
    from migrator.analyze import analyze
    from migrator.apply import plan_phase, write_phase
    from migrator.parity.replay import ParityOptions, run_parity

    say = say or (lambda event, payload: None)
    base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="migrator-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    repo = copy_example(example, base)
    result = DemoResult(example, repo)
    say("copied", repo)
    now = now or datetime.now(timezone.utc)
    cassette = repo / "parity" / "cassette.jsonl"

    def timed(name: str, action: Callable[[], tuple[str, bool, Optional[str]]]) -> None:
        started = time.perf_counter()
        detail, ok, parity = action()
        step = Step(name, detail, ok, time.perf_counter() - started, parity)
        result.steps.append(step)
        say("step", step)

    def do_analyze():
        report = analyze(repo)
        say("analysis", report)
        s = report.summary
        return (f"{s.routes} routes: {s.automatic} move automatically, {s.manual} need a person, "
                f"{s.stays} stay as they are", True, None)

    def do_phase(phase: int, **options):
        def action():
            planned = plan_phase(repo, phase, **options)
            written = write_phase(repo, planned)
            say("phase", planned)
            detail = f"{len(written)} files written"
            if planned.manual:
                detail += f", {len(planned.manual)} manual step(s)"
            return detail, True, None
        return action

    def do_parity(phase: int):
        def action():
            report = run_parity(ParityOptions(cassette=cassette, repo=repo, phase=phase))
            say("parity", report)
            twins = sum(1 for r in report.results if r.kind == "standard")
            line = report.summary.line()
            detail = f"{report.summary.total} checks" + (f" ({twins} on /mt)" if twins else "")
            return detail, report.ok, line
        return action

    timed("analyze", do_analyze)
    timed("phase 1: standard API beside the legacy one", do_phase(1, now=now))
    timed("parity after phase 1", do_parity(1))
    # The demo compresses six weeks into a minute: phase 2 sets the Sunset to today, and phase 3 is forced past the
    # quiet period (a real service waits for it; the journal records the force).
    phase2 = now + timedelta(seconds=1)
    timed("phase 2: legacy routes deprecated", do_phase(2, sunset=phase2.date(), now=phase2))
    timed("parity after phase 2", do_parity(2))
    phase3 = phase2 + timedelta(seconds=1)
    timed("phase 3: legacy routes removed", do_phase(3, force=True, now=phase3))
    timed("parity after phase 3", do_parity(3))
    return result
