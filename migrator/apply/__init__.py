"""`migrator apply --phase N`: plan a phase's change set, then show it, check it, or write it."""

from __future__ import annotations

import importlib
from pathlib import Path

from migrator.apply.changes import ChangeError, FileChange, apply_changes, render_diff
from migrator.apply.result import ApplyError, ManualStep, PhaseResult

__all__ = ["ApplyError", "ChangeError", "FileChange", "ManualStep", "PhaseResult", "plan_phase", "write_phase",
           "render_diff"]


def plan_phase(root: Path, phase: int, **options) -> PhaseResult:
    """The change set of `phase` for the target at `root`; raises ApplyError when the phase cannot run."""
    if phase not in (1, 2, 3):
        raise ApplyError(f"--phase must be 1, 2 or 3, not {phase}")
    module = importlib.import_module(f"migrator.apply.phase{phase}")
    return getattr(module, f"plan_phase{phase}")(root, **options)


def write_phase(root: Path, result: PhaseResult) -> list[str]:
    """Verify every produced file parses and compiles, then write them atomically; returns what was written."""
    return apply_changes(root, result.changes)
