"""For both example services, the static inventory equals what FastAPI serves after importing the app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from migrator.inventory import build_inventory

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _app_target(folder: Path) -> str:
    data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["migrator"]["app"]


@pytest.mark.parametrize("name", ["advisor", "llm_chatbot"])
def test_example_inventory_equals_served_routes(name, tmp_path, served, inventoried):
    folder = EXAMPLES / name
    if not (folder / "pyproject.toml").is_file():
        pytest.skip(f"examples/{name} is not in the tree yet")
    target = _app_target(folder)  # "advisor.server:app"
    module, _, variable = target.partition(":")
    app_id = module.replace(".", "/") + f".py:{variable}"
    inventory = build_inventory(folder)
    assert [a for a in inventory.apps if f"{a.file}:{a.variable}" == app_id], inventory.apps
    env = {  # keep the import away from the example's own data folder
        "ADVISOR_DATA_DIR": str(tmp_path / "advisor"),
        "LLM_CHATBOT_DB": str(tmp_path / "chatbot.db"),
    }
    truth = served(folder, target, env)
    assert truth, "the app serves no route?"
    assert inventoried(inventory, app_id) == truth
    assert inventory.unresolved == []
    assert inventory.skipped == []
