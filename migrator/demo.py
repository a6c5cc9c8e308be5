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
from typing import Any, Callable, Optional

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
    say = say or (lambda event, payload: None)
    base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="migrator-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    repo = copy_example(example, base)
    demo = _Demo(DemoResult(example, repo), say)
    say("copied", repo)
    now = now or datetime.now(timezone.utc)
    demo.timed("analyze", demo.analyze)
    demo.timed("phase 1: standard API beside the legacy one", demo.phase(1, now=now))
    demo.timed("parity after phase 1", demo.parity(1))
    # The demo compresses six weeks into a minute: phase 2 sets the Sunset to today, and phase 3 is forced past the
    # quiet period (a real service waits for it; the journal records the force).
    phase2 = now + timedelta(seconds=1)
    demo.timed("phase 2: legacy routes deprecated", demo.phase(2, sunset=phase2.date(), now=phase2))
    demo.timed("parity after phase 2", demo.parity(2))
    phase3 = phase2 + timedelta(seconds=1)
    demo.timed("phase 3: legacy routes removed", demo.phase(3, force=True, now=phase3))
    demo.timed("parity after phase 3", demo.parity(3))
    return demo.result


_Action = Callable[[], tuple[str, bool, Optional[str]]]  # () -> (detail, ok, parity line)


class _Demo:
    """The steps of one demo run on the copy `result.workdir`, each timed and told to `say`."""

    def __init__(self, result: DemoResult, say: Say) -> None:
        self.result = result
        self.repo = result.workdir
        self.say = say

    def timed(self, name: str, action: _Action) -> None:
        started = time.perf_counter()
        detail, ok, parity = action()
        step = Step(name, detail, ok, time.perf_counter() - started, parity)
        self.result.steps.append(step)
        self.say("step", step)

    def analyze(self) -> tuple[str, bool, Optional[str]]:
        from migrator.analyze import analyze

        report = analyze(self.repo)
        self.say("analysis", report)
        s = report.summary
        return (f"{s.routes} routes: {s.automatic} move automatically, {s.manual} need a person, "
                f"{s.stays} stay as they are", True, None)

    def phase(self, phase: int, **options: Any) -> _Action:
        def action() -> tuple[str, bool, Optional[str]]:
            from migrator.apply import plan_phase, write_phase

            planned = plan_phase(self.repo, phase, **options)
            written = write_phase(self.repo, planned)
            self.say("phase", planned)
            detail = f"{len(written)} files written"
            if planned.manual:
                detail += f", {len(planned.manual)} manual step(s)"
            return detail, True, None

        return action

    def parity(self, phase: int) -> _Action:
        def action() -> tuple[str, bool, Optional[str]]:
            from migrator.parity.replay import ParityOptions, run_parity

            cassette = self.repo / "parity" / "cassette.jsonl"
            report = run_parity(ParityOptions(cassette=cassette, repo=self.repo, phase=phase))
            self.say("parity", report)
            twins = sum(1 for r in report.results if r.kind == "standard")
            line = report.summary.line()
            detail = f"{report.summary.total} checks" + (f" ({twins} on /mt)" if twins else "")
            return detail, report.ok, line

        return action
