"""The modules phase 1 writes from nothing (`<pkg>/handlers/`: the handler, the answer mappings, the tenant registry)
are formatted as a maintainer would write them: pycodestyle's whitespace and statement rules (ruff's E2, E7, W)
and lines of at most 120 columns (E501; the handler and registry follow the service's own ruff line length, 88 by
default, the answer mappings are written at 120), on every example."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.apply import plan_phase, write_phase

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/pyproject.toml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_generated_modules_have_no_style_findings(name, tmp_path):
    copy = tmp_path / name
    shutil.copytree(REPO / "examples" / name, copy,
                    ignore=shutil.ignore_patterns("data", "__pycache__", ".pytest_cache", ".migrator"))
    write_phase(copy, plan_phase(copy, 1))
    generated = copy / name / "handlers"
    assert (generated / "market_handler.py").is_file()
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--preview", "--no-cache",
                           "--select", "E2,E7,E501,W", "--line-length", "120", "--output-format", "json", "."],
                          cwd=generated, capture_output=True, text=True)
    findings = [f"{item['filename']}:{item['location']['row']} {item['code']} {item['message']}"
                for item in json.loads(proc.stdout or "[]")]
    assert findings == []
