"""JSON rendering of the analyze report (schema version 1, docs/analyze.schema.json)."""

from __future__ import annotations

from migrator.analyze import AnalysisReport


def render_json(report: AnalysisReport) -> str:
    return report.model_dump_json(indent=2) + "\n"
