"""Removing legacy routes and what only they used: one analysis for phase 3 and for the estimate `analyze` shows.

`analyse_removal` runs the route-removal codemods on the files holding the routes (in memory), summarises the
repository one file at a time with those files as the codemods left them, and runs the dead-code analysis
(`codemods._deadcode`). Phase 3 then writes what it found; `analyze` reports it as phase 3's estimate. Because both
use this one function, the estimate and the removal cannot disagree about what goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

import libcst as cst

from codemods._deadcode import DeadCode, Decisions, RepoSummaries, Summary, config_text
from codemods._imports import ImportStyle, module_name_for, package_for
from codemods._phase23_routes import RouteRef
from codemods._remove_dead_code import DeadCodeState, apply_decisions
from codemods._remove_routes import RemovalPlan, RemoveRoutesTransform
from codemods._source import SourceError, SourceSet
from codemods._transform import Transform, file_context, run_transforms


@dataclass
class Removal:
    plan: RemovalPlan
    trees: dict[str, cst.Module] = field(default_factory=dict)  # files the route codemods changed
    codes: dict[str, str] = field(default_factory=dict)  # their code (generated once)
    unreadable: dict[str, str] = field(default_factory=dict)  # route files that cannot be read: why
    registrations: dict[str, int] = field(default_factory=dict)  # lines the route codemods removed, per file
    summaries: Mapping[str, Summary] = field(default_factory=dict)  # RepoSummaries: made as the analysis asks
    decisions: Decisions = field(default_factory=Decisions)
    sources: Optional[SourceSet] = None
    style: Optional[ImportStyle] = None  # the service's: the import blocks the dead-code pass edits are sorted again

    def lines_removed(self) -> dict[str, int]:
        """Per file, the lines of the route registrations, definitions and whole modules that go."""
        out = self.decisions.lines_removed(self.summaries)
        for path, lines in self.registrations.items():
            if path not in self.decisions.deleted and lines > 0:
                out[path] = out.get(path, 0) + lines
        return out

    def new_sources(self) -> dict[str, Optional[str]]:
        """Every file that changes: its new source, None when it is deleted."""
        out: dict[str, Optional[str]] = dict(self.codes)
        state = DeadCodeState(self.decisions, self.summaries)
        for path in sorted(set(self.decisions.dead) | set(self.decisions.dropped)):
            if path in self.decisions.deleted:
                continue
            tree = self.trees.get(path)
            if tree is None:
                tree = self.sources.get(path).tree
            out[path] = apply_decisions(path, tree, state, self.style).code
        for path in self.decisions.deleted:
            out[path] = None
        return out


def analyse_removal(root: Path, removals: dict[str, list[RouteRef]], *, sources: Optional[SourceSet] = None,
                    app: Optional[str] = None, app_commands: tuple[type[Transform], ...] = (),
                    plan: Optional[RemovalPlan] = None, protected: set[str] = frozenset(),
                    style: Optional[ImportStyle] = None) -> Removal:
    """Remove `removals` (file -> routes) in memory, then find what only they used. `app_commands` run on the app
    file in the same pass (phase 3's unwiring or 410 stubs)."""
    sources = sources or SourceSet(root)
    plan = plan or RemovalPlan()
    plan.removals = removals
    removal = Removal(plan, sources=sources, style=style)
    files = sorted(set(removals) | ({app} if app and app_commands else set()), key=lambda f: (f == app, f))
    for path in files:  # the app file last: its commands see what every other file lost
        commands = ([RemoveRoutesTransform] if path in removals else []) + (list(app_commands) if path == app else [])
        try:
            index = sources.get(path)
        except SourceError as exc:
            removal.unreadable[path] = str(exc)
            continue
        context = file_context(path, module_name_for(path), plan, package=package_for(path) or None)
        tree = run_transforms(index.tree, commands, context, style=style)
        code = tree.code
        if code != index.source:
            removal.trees[path], removal.codes[path] = tree, code
            removal.registrations[path] = index.source.count("\n") - code.count("\n")
    removal.summaries = RepoSummaries(root, dict(removal.codes))
    candidates: dict[str, set[str]] = {}
    attributes: dict[str, set[tuple[str, str]]] = {}
    lost: set[str] = set()
    roots: list[tuple[str, str]] = []
    for path, result in plan.results.items():
        if result.removed:
            candidates.setdefault(path, set()).update(result.names)
            attributes.setdefault(path, set()).update(result.attributes)
            lost.add(path)
            roots += [(path, name) for name in sorted(result.touched)]
    if app and plan.unwired:
        candidates.setdefault(app, set()).update(plan.unwired)
    analysis = DeadCode(removal.summaries, protected=set(protected) | ({app} if app else set()),
                        texts=config_text(root))
    removal.decisions = analysis.run(candidates, attributes, lost, roots)
    return removal
