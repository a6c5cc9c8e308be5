"""Parity reports as rich text, JSON, JUnit XML or Markdown. Differences read ``path: old → new``."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Callable

from rich.console import Console
from rich.text import Text

from migrator.parity.report import ExchangeResult, ParityReport

FORMATS = ("rich", "json", "junit", "markdown")
_MARK = {"passed": "✓", "failed": "✗", "noisy": "~", "skipped": "-"}
_STYLE = {"passed": "green", "failed": "red", "noisy": "yellow", "skipped": "dim"}


def _by_route(report: ParityReport) -> dict[str, list[ExchangeResult]]:
    groups: dict[str, list[ExchangeResult]] = defaultdict(list)
    for result in report.results:
        groups[result.route].append(result)
    return groups


def _difference_lines(result: ExchangeResult, width: int = 80) -> list[str]:
    lines = [d.text(width) + ("  (noise)" if d.noise else "") for d in result.differences]
    if result.more_differences:
        lines.append(f"… and {result.more_differences} more differences")
    return lines


def _say(console: Console, text: Text) -> None:
    console.print(text, soft_wrap=True)  # never wrap a difference line in the middle of its path


def print_rich(report: ParityReport, console: Console, *, verbose: bool = False) -> None:
    """Grouped by route: one line per route, the failing (and noisy) exchanges with their differences."""
    groups = _by_route(report)
    _say(console, Text(f"parity: {report.cassette} → {report.target} (phase {report.phase})", style="bold"))
    for summary in report.routes:
        state = "failed" if summary.failed else "noisy" if summary.noisy else "passed"
        if summary.skipped and not (summary.passed or summary.failed or summary.noisy):
            state = "skipped"
        line = Text(f"{_MARK[state]} ", style=_STYLE[state])
        line.append(summary.route, style="bold")
        counts = [f"{summary.passed} passed"]
        if summary.failed:
            counts.append(f"{summary.failed} failed")
        if summary.noisy:
            counts.append(f"{summary.noisy} noisy")
        if summary.skipped:
            counts.append(f"{summary.skipped} skipped")
        line.append("  " + ", ".join(counts), style="dim")
        _say(console, line)
        for result in groups.get(summary.route, []):
            if result.outcome == "passed" and not verbose:
                continue
            head = Text(f"    {_MARK[result.outcome]} {result.label}  {result.method} {result.url}",
                        style=_STYLE[result.outcome])
            _say(console, head)
            for text in _difference_lines(result):
                _say(console, Text("        " + text))
            for note in result.notes:
                _say(console, Text("        note: " + note, style="dim"))
    for note in report.notes:
        _say(console, Text("note: " + note, style="dim"))
    style = "bold red" if report.summary.failed else "bold green"
    _say(console, Text(report.summary.line(), style=style))


def render_rich(report: ParityReport, *, verbose: bool = False) -> str:
    buffer = io.StringIO()
    print_rich(report, Console(file=buffer, width=120, no_color=True, highlight=False, emoji=False),
               verbose=verbose)
    return buffer.getvalue()


def render_json(report: ParityReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def render_junit(report: ParityReport) -> str:
    """One testcase per exchange and per standard twin; a failure carries its differences."""
    suites = ET.Element("testsuites", name="migrator parity", tests=str(report.summary.total),
                        failures=str(report.summary.failed), time=f"{report.duration_s:.3f}")
    for route, results in _by_route(report).items():
        failed = sum(r.outcome == "failed" for r in results)
        skipped = sum(r.outcome == "skipped" for r in results)
        suite = ET.SubElement(suites, "testsuite", name=route, tests=str(len(results)), failures=str(failed),
                              errors="0", skipped=str(skipped))
        for result in results:
            case = ET.SubElement(suite, "testcase", classname=route, name=f"{result.label} {result.method} "
                                                                          f"{result.url}")
            details = "\n".join(_difference_lines(result, width=400) + [f"note: {n}" for n in result.notes])
            if result.outcome == "failed":
                real = [d for d in result.differences if not d.noise]
                message = real[0].text(200) if real else f"{result.more_differences} differences"
                failure = ET.SubElement(case, "failure", message=message, type="ParityDifference")
                failure.text = details
            elif result.outcome == "skipped":
                ET.SubElement(case, "skipped", message=result.notes[-1] if result.notes else "not compared")
            elif details:
                ET.SubElement(case, "system-out").text = details
    if report.notes:
        ET.SubElement(suites, "properties")
        properties = suites.find("properties")
        for index, note in enumerate(report.notes):
            ET.SubElement(properties, "property", name=f"note{index + 1}", value=note)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def render_markdown(report: ParityReport) -> str:
    icon = "❌" if report.summary.failed else "✅"
    lines = [f"## {icon} Parity, phase {report.phase}: {report.summary.line()}", "",
             f"Cassette `{_md(report.cassette)}` against `{_md(report.target)}`.", "",
             "| route | passed | failed | noisy | skipped |", "|---|---:|---:|---:|---:|"]
    for summary in report.routes:
        lines.append(f"| `{_md(summary.route)}` | {summary.passed} | {summary.failed} | {summary.noisy} "
                     f"| {summary.skipped} |")
    groups = _by_route(report)
    details = [r for r in report.results if r.outcome in ("failed", "noisy")]
    if details:
        lines += ["", "### Differences"]
    for summary in report.routes:
        shown = [r for r in groups.get(summary.route, []) if r.outcome in ("failed", "noisy")]
        if not shown:
            continue
        lines += ["", f"#### `{_md(summary.route)}`"]
        for result in shown:
            lines.append(f"- **{_md(result.label)}** `{_md(result.method + ' ' + result.url)}` ({result.outcome})")
            for text in _difference_lines(result):
                lines.append(f"  - `{_md(text)}`")
            for note in result.notes:
                lines.append(f"  - note: {_md(note)}")
    if report.notes:
        lines += ["", "<details><summary>Notes</summary>", ""] + [f"- {_md(n)}" for n in report.notes] + [
            "", "</details>"]
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[ParityReport], str]] = {
    "rich": render_rich,
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
}
