"""The transformation of the `remove_dead_code` codemod (`codemods/remove_dead_code.py` shows it before and after),
without libcst.codemod: phase 3 runs it through `codemods._transform.run_transforms`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

import libcst as cst

from ._deadcode import DeadCode, Decisions, Summary, summarize
from ._imports import ImportStyle, module_name_for, package_for
from ._transform import Transform, file_context, run_transforms


@dataclass
class DeadCodeState:
    """The analysis' decisions and the summaries they refer to (line numbers), shared by every file's pass."""

    decisions: Decisions
    summaries: Mapping[str, Summary]


def statement_lines(module: cst.Module) -> list[int]:
    """The first line of each top-level statement (the first decorator's for a decorated definition), as `ast`
    numbers them."""
    line = 1 + len(module.header)
    out = []
    for stmt in module.body:
        first = line + len(stmt.leading_lines)
        decorators = getattr(stmt, "decorators", ())
        if decorators:
            first += len(decorators[0].leading_lines)
        out.append(first)
        line += module.code_for_node(stmt).count("\n")
    return out


class RemoveDeadCodeTransform(Transform):
    """`RemoveDeadCode`'s transformation."""

    def transform(self, tree: cst.Module) -> cst.Module:
        state: DeadCodeState = self.state
        path = self.context.filename
        summary = state.summaries[path]
        dead = state.decisions.dead.get(path, set())
        doomed = set(state.decisions.dropped.get(path, set()))
        doomed |= {u.line for u in summary.units if u.name in dead and u.kind != "import"}
        for binding in summary.bindings:
            if binding.top_level and binding.bound in dead:
                if binding.name is None:
                    self.remove_import(binding.module, None, binding.bound if binding.bound != binding.module.split(
                        ".")[0] else None)
                else:
                    self.remove_import(binding.module, binding.name,
                                       binding.bound if binding.bound != binding.name else None)
        lines = statement_lines(tree)
        body = list(tree.body)
        for index in reversed(range(len(body))):
            if lines[index] in doomed:
                body = _without(body, index)
        return tree.with_changes(body=body)


def _without(body: list, index: int) -> list:
    """`body` without statement `index`; its blank lines go to the next statement if that one has none."""
    removed = body[index]
    rest = [*body[:index], *body[index + 1:]]
    if index < len(rest):
        following = rest[index]
        blanks = [line for line in removed.leading_lines if line.comment is None]
        if not following.leading_lines and blanks:
            rest[index] = following.with_changes(leading_lines=blanks)
    return rest


def apply_decisions(path: str, tree: cst.Module, state: DeadCodeState,
                    style: Optional[ImportStyle] = None) -> cst.Module:
    """One file with what the analysis decided removed (imports last, once); with the service's `style`, a top
    import block that was sorted is written again as ruff sorts it at its line length (an import that loses names
    gets the layout of what is left, not a closing parenthesis after the last name)."""
    context = file_context(path, module_name_for(path), state, package=package_for(path) or None)
    return run_transforms(tree, [RemoveDeadCodeTransform], context, style=style)


@dataclass
class DeadCodeResult:
    sources: dict[str, Optional[str]] = field(default_factory=dict)  # changed files: new source, None = deleted
    removed: dict[str, list[str]] = field(default_factory=dict)  # file -> names removed
    deleted: list[str] = field(default_factory=list)
    unwired: dict[str, list[str]] = field(default_factory=dict)  # file -> deleted modules it no longer includes
    decisions: Optional[Decisions] = None


def remove_dead_code(files: Mapping[str, str], candidates: Mapping[str, set[str]],
                     attributes: Mapping[str, set[tuple[str, str]]], modules: set[str], *,
                     protected: set[str] = frozenset(), texts: str = "",
                     trees: Optional[Mapping[str, cst.Module]] = None,
                     style: Optional[ImportStyle] = None) -> DeadCodeResult:
    """The whole pass over sources in memory: analysis, then each affected file edited once."""
    summaries = {p: summarize(p, s) for p, s in files.items()}
    decisions = DeadCode(summaries, protected=set(protected), texts=texts).run(candidates, attributes, modules)
    return apply_all(files, summaries, decisions, trees, style)


def apply_all(files: Mapping[str, str], summaries: Mapping[str, Summary], decisions: Decisions,
              trees: Optional[Mapping[str, cst.Module]] = None,
              style: Optional[ImportStyle] = None) -> DeadCodeResult:
    state = DeadCodeState(decisions, summaries)
    result = DeadCodeResult(deleted=list(decisions.deleted), unwired=dict(decisions.unwired), decisions=decisions)
    for path in sorted(set(decisions.dead) | set(decisions.dropped)):
        if path in decisions.deleted:
            continue
        tree = (trees or {}).get(path) or cst.parse_module(files[path])
        code = apply_decisions(path, tree, state, style).code
        if code != files[path]:
            result.sources[path] = code
        names = sorted(decisions.dead.get(path, set()))
        if names:
            result.removed[path] = names
    for path in decisions.deleted:
        result.sources[path] = None
    return result
