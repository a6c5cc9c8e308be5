"""Markdown rendering of the analyze report, sized for a pull-request comment."""

from __future__ import annotations

from migrator.analyze import AnalysisReport
from migrator.plan import Phase, PlanItem
from migrator.report import suggestion_toml


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str | None) -> str:
    return f"`{text}`" if text else "—"


def _where(item: PlanItem) -> str:
    if item.file and item.line:
        return f" ({item.file}:{item.line})"
    if item.file:
        return f" ({item.file})"
    return ""


def _phase(phase: Phase) -> list[str]:
    status = "done" if phase.status == "done" else "to do"
    dates = ""
    if phase.applied_at:
        dates = f", applied {phase.applied_at[:10]}"
    elif phase.planned_start:
        dates = f", planned {phase.planned_start} – {phase.planned_end}"
    out = [f"### Phase {phase.phase} (weeks {phase.weeks}) — {status}{dates}", ""]
    if phase.changes:
        out += [f"- {item.text}{_where(item)}" for item in phase.changes]
    else:
        out.append("- no changes")
    if phase.manual_steps:
        out += ["", "Manual steps:", ""]
        checked = "x" if phase.status == "done" else " "
        out += [f"- [{checked}] {item.text}{_where(item)}" for item in phase.manual_steps]
    if phase.files:
        out += ["", f"Files touched ({len(phase.files)}): " + ", ".join(f"`{f}`" for f in phase.files)]
    if phase.estimate is not None:
        est = phase.estimate
        out += ["", f"Estimated legacy code removed: **{est.lines_removed} lines** ({est.note})."]
        if est.modules:
            out += ["", "| module | lines now | removed | |", "|---|---:|---:|---|"]
            for module in est.modules:
                what = "whole module" if module.whole_module else ", ".join(module.definitions)
                out.append(f"| `{module.file}` | {module.lines_total} | {module.lines_removed} | {_cell(what)} |")
    out.append("")
    return out


def render_markdown(report: AnalysisReport) -> str:
    out = _overview(report)
    for section in (_unplaced, _route_table, _needs_a_person, _suggested, _candidates, _unresolved, _skipped,
                    _lifecycle, _unimplemented):
        out += section(report)
    out += ["## Plan", ""]
    for phase in report.plan.phases:
        out += _phase(phase)
    return "\n".join(out).rstrip() + "\n"


def _overview(report: AnalysisReport) -> list[str]:
    """The title, the counts, the coverage, the single tenant and the suggestions."""
    s = report.summary
    title = f"## migrator analyze: {report.service or report.root}"
    if report.service_version:
        title += f" {report.service_version}"
    out = [title, ""]
    if not report.apps:
        out += [f"No FastAPI app found ({s.files_total} Python files scanned).", ""]
    out.append(
        f"{s.routes} routes in {s.apps} app(s): **{s.automatic} automatic**, **{s.manual} manual**, "
        f"{s.stays} stay as is; {s.unresolved} unresolved, {s.skipped} skipped files; "
        f"phase 3 removes ~{s.lines_removed_phase3} lines."
    )
    out.append("")
    coverage = (f"Coverage: {s.routes_placed} of {s.routes_seen} route decorators and `add_api_route` calls placed "
                f"in an app ({s.coverage:.0%}).")
    if s.low_coverage:
        coverage = f"**{coverage} Under 90%: the inventory is incomplete (see below).**"
    out += [coverage, ""]
    tenant = report.plan.single_tenant
    if tenant is not None:
        served = " or ".join(x for x in (f"`${tenant.env}`" if tenant.env else None,
                                         f"`{tenant.tenant}`" if tenant.tenant else None) if x)
        out += [f"Single-tenant deployment: serves the tenant {served} ({tenant.origin}).", ""]
    out += [f"**Suggestion:** {_cell(line)}" for line in report.plan.suggestions]
    out += [""] if report.plan.suggestions else []
    return out


def _unplaced(report: AnalysisReport) -> list[str]:
    if not report.unplaced:
        return []
    out = [f"### Routes seen but not placed in any app ({len(report.unplaced)})", "",
           "| where | function | why |", "|---|---|---|"]
    for item in report.unplaced:
        out.append(f"| {_cell(item.file)}:{item.line} | {_code(_cell(item.function) if item.function else None)} "
                   f"| {_cell(item.reason)} |")
    return out + [""]


def _route_table(report: AnalysisReport) -> list[str]:
    if not report.routes:
        return []
    out = ["| method | path | function | auth | tenant | standard operation | phase 1 |",
           "|---|---|---|---|---|---|---|"]
    for route in report.routes:
        op = f"`{route.operation}` → `{route.standard_method} {route.standard_path}`" if route.operation else (
            f"stays (suggested: `{route.suggestion}`)" if route.suggestion else "stays")
        if route.operation and route.confidence is not None and route.confidence < 1:
            op += f" (by shape, {route.confidence:.2f})"
        flag = {"automatic": "automatic", "manual": "**manual**", "stays": "—"}[route.status]
        cond = " (conditional)" if route.conditional else ""
        out.append(
            f"| {','.join(route.methods)} | `{_cell(route.path)}`{cond} | `{route.function}` "
            f"({route.file}:{route.line}) | {_cell(', '.join(route.auth) or '—')} | "
            f"{_cell(_code(route.tenant_source))} | {op} | {flag} |"
        )
    return out + [""]


def _needs_a_person(report: AnalysisReport) -> list[str]:
    manual = [r for r in report.routes if r.status == "manual"]
    if not manual:
        return []
    out = ["### Needs a person", ""]
    for route in manual:
        out.append(f"- `{','.join(route.methods)} {route.path}` ({route.file}:{route.line}): "
                   + "; ".join(route.manual_steps))
    return out + [""]


def _candidates(report: AnalysisReport) -> list[str]:
    candidates = [r for r in report.routes if r.candidate]
    if not candidates:
        return []
    out = ["### Candidates", "", "Another route of the operation holds its logic:", ""]
    out += [f"- `{','.join(r.methods)} {r.path}`: {_cell(r.candidate)}" for r in candidates]
    return out + [""]


def _suggested(report: AnalysisReport) -> list[str]:
    suggested = [r for r in report.routes if r.suggestion]
    if not suggested:
        return []
    out = ["### Suggested mappings", "",
           "Each is confirmed by an entry in the target's `pyproject.toml`, for example:", "", "```toml",
           suggestion_toml(suggested[0]), "```", ""]
    for route in suggested:
        out.append(f"- `{','.join(route.methods)} {route.path}` → `{route.suggestion}` "
                   f"({route.confidence:.2f}: {_cell('; '.join(route.evidence))})")
    return out + [""]


def _unresolved(report: AnalysisReport) -> list[str]:
    if not report.unresolved:
        return []
    return ["### Unresolved", "", *(f"- {u.file}:{u.line}: {u.reason}" for u in report.unresolved), ""]


def _skipped(report: AnalysisReport) -> list[str]:
    if not report.skipped:
        return []
    return ["<details><summary>Skipped files</summary>", "", *(f"- {s.file}: {s.reason}" for s in report.skipped),
            "", "</details>", ""]


def _lifecycle(report: AnalysisReport) -> list[str]:
    if report.plan.lifecycle is None:
        return []
    return ["### Tenant lifecycle", "", *(f"- {_cell(line)}" for line in report.plan.lifecycle.lines()), ""]


def _unimplemented(report: AnalysisReport) -> list[str]:
    if not report.plan.unimplemented_operations:
        return []
    return ["Standard operations without legacy logic (answer 501 until implemented): "
            + ", ".join(f"`{op}`" for op in report.plan.unimplemented_operations), ""]
