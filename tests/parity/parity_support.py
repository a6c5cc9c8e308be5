"""Helpers shared by the parity tests (importable as `parity_support`: conftest puts this folder on sys.path)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINI = HERE / "miniapp_repo"
REPO_ROOT = HERE.parent.parent


def forget(package: str) -> dict:
    """Drop ``package`` from sys.modules; returns what was dropped (for `isolated_import` to put back)."""
    dropped = {n: m for n, m in sys.modules.items() if n == package or n.startswith(package + ".")}
    for name in dropped:
        del sys.modules[name]
    return dropped


@contextmanager
def isolated_import(folder: Path, package: str) -> Iterator[None]:
    """Import ``package`` fresh from ``folder`` inside the block; afterwards sys.path and sys.modules are as before
    (other suites in the same session, e.g. the examples' own tests, keep their module objects)."""
    saved = forget(package)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        forget(package)
        sys.modules.update(saved)


def mini_credentials() -> dict[str, str]:
    with isolated_import(MINI, "miniapp"):
        from miniapp import store

        return store.parity_credentials()


def assert_no_secrets(path: Path, secrets: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    leaked = [s for s in secrets if s and s in text]
    assert not leaked, f"{path} contains secret values (first chars: {[s[:4] for s in leaked]})"


def read_cassette(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the examples ------------------------------------------------------------------------------------------------

EXAMPLES = {
    # name: (folder, package, env that keeps the data out of the repo tree)
    "advisor": (REPO_ROOT / "examples" / "advisor", "advisor", {"ADVISOR_DATA_DIR": "{tmp}/data"}),
    "llm_chatbot": (REPO_ROOT / "examples" / "llm_chatbot", "llm_chatbot", {"LLM_CHATBOT_DB": "{tmp}/chatbot.db"}),
    "mentor": (REPO_ROOT / "examples" / "mentor", "mentor", {"MENTOR_DATA_DIR": "{tmp}/data"}),
    "classroom": (REPO_ROOT / "examples" / "classroom", "classroom", {"CLASSROOM_DATA_DIR": "{tmp}/data"}),
}


def example_credentials(name: str) -> dict[str, str]:
    """Flat {credential name: value} of an example: its `seed.parity_credentials()` when it has one (the callable
    `[tool.migrator.parity] credentials` names), else derived from `seed.demo_credentials()`.

    The derivation names admin tokens `admin_<tenant_id>` and the service keys by their key in demo_credentials
    (`api_key`, `marketplace_key`, `service_token`); tests pass it with --credential.
    """
    folder, package, _ = EXAMPLES[name]
    with isolated_import(folder, package):
        seed = importlib.import_module(f"{package}.seed")
        if hasattr(seed, "parity_credentials"):
            return dict(seed.parity_credentials())
        creds = seed.demo_credentials()
    flat: dict[str, str] = {}
    for key, value in creds.items():
        if isinstance(value, dict):
            flat[f"admin_{key}"] = value["admin_token"]
        else:
            flat[key] = value
    return flat


def example_args(name: str) -> list[str]:
    """CLI arguments every example run needs: its folder, the data env, and (if the example has no credentials
    callable yet) the credentials."""
    folder, _, env = EXAMPLES[name]
    args = ["--repo", str(folder)]
    for key, value in env.items():
        args += ["--env", f"{key}={value}"]
    if "credentials =" not in (folder / "pyproject.toml").read_text(encoding="utf-8"):
        for key, value in example_credentials(name).items():
            args += ["--credential", f"{key}={value}"]
    return args
