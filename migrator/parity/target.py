"""The service under test: its folder, its `[tool.migrator.parity]` settings, and how to reach it.

In process (``--app module:app``): parity sets the configured env, puts the target folder first on ``sys.path``,
drops any already-imported copy of the app's top-level package that lives elsewhere (so a migrated copy of an
example can be tested in the same process as the original), imports the app and runs its lifespan around each
pass. Over HTTP (``--target URL``): plain httpx.

``[tool.migrator.parity]`` keys: ``reset = "pkg.seed:reset"`` (called before each pass), ``env = {...}`` (values may
use ``{repo}`` for the target folder and ``{tmp}`` for a fresh temporary folder of this run), ``credentials =
"pkg.seed:parity_credentials"`` (returns ``{name: value}``), ``ignore = [...]`` (noise rules, see `noise.py`),
``requests = "parity/requests.yaml"`` (dev credential defaults for replay). ``[tool.migrator] app = "pkg.mod:app"``
is the default ``--app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import os
import shutil
import sys
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codemods._target import toml_table
from migrator.parity.errors import ParityUsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class IgnoreRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: Optional[str] = None
    paths: list[str] = Field(default_factory=list)
    route: Optional[str] = None


class ParityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reset: Optional[str] = None
    env: dict[str, str] = Field(default_factory=dict)
    credentials: Optional[str] = None
    ignore: list[str | IgnoreRule] = Field(default_factory=list)
    requests: Optional[str] = None
    plain_headers: list[str] = Field(default_factory=list)  # request headers recorded as they are


@dataclass
class TargetConfig:
    repo: Path
    app: Optional[str] = None
    parity: ParityConfig = field(default_factory=ParityConfig)
    pyproject: Optional[Path] = None


def _has_migrator_table(pyproject: Path) -> bool:
    try:
        return "migrator" in toml_table(tomllib.loads(pyproject.read_text(encoding="utf-8")), "tool")
    except (OSError, tomllib.TOMLDecodeError):
        return False


def find_repo(start: Path) -> Path:
    """The nearest folder at or above ``start`` whose pyproject.toml has ``[tool.migrator]``; else the cwd."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_migrator_table(candidate):
            return folder
    return Path.cwd().resolve()


def load_target_config(repo: Path) -> TargetConfig:
    pyproject = repo / "pyproject.toml"
    if not pyproject.is_file():
        return TargetConfig(repo=repo)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ParityUsageError(f"{pyproject}: cannot read: {exc}") from exc
    table = toml_table(data, "tool", "migrator")
    try:
        parity = ParityConfig.model_validate(table.get("parity", {}))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise ParityUsageError(f"{pyproject}: [tool.migrator.parity] {where}: {error['msg']}") from exc
    app = table.get("app")
    return TargetConfig(repo=repo, app=app if isinstance(app, str) else None, parity=parity, pyproject=pyproject)


# --- env, imports -----------------------------------------------------------------------------------------------


class Workspace:
    """What a run changes in this process, undone on ``close``: env variables, ``sys.path``, the imported copy of
    the target's package (so a migrated copy and the original can be tested one after the other in one process),
    and the temporary folder behind ``{tmp}``."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._saved_env: dict[str, Optional[str]] = {}
        self._saved_modules: dict[str, Any] = {}
        self._packages: set[str] = set()
        self._path_added = False
        self._tmp: Optional[Path] = None

    @property
    def tmp(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="migrator-parity-"))
        return self._tmp

    def apply_env(self, env: dict[str, str]) -> None:
        for key, value in env.items():
            if "{tmp}" in value:
                value = value.replace("{tmp}", str(self.tmp))
            value = value.replace("{repo}", str(self.repo))
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def import_object(self, spec: str, what: str) -> Any:
        """``module:attr`` (attr may be dotted), imported from the target folder; the first import of a top-level
        package in this workspace is a fresh one (env set by this run is seen by module-level code)."""
        module_name, sep, attr = spec.partition(":")
        if not sep or not module_name or not attr:
            raise ParityUsageError(f"{what} must look like 'package.module:name', got {spec!r}")
        if not self._path_added:
            sys.path.insert(0, str(self.repo))
            self._path_added = True
        package = module_name.split(".")[0]
        if package not in self._packages:
            self._packages.add(package)
            for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
                self._saved_modules[name] = sys.modules.pop(name)
            importlib.invalidate_caches()
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError as exc:
            raise ParityUsageError(f"{what} {spec!r}: cannot import {module_name!r} from {self.repo}: {exc}") from exc
        except Exception as exc:  # the target's own module-level code failed (a bad setting, a syntax error)
            raise ParityUsageError(f"{what} {spec!r}: importing {module_name!r} from {self.repo} failed: "
                                   f"{type(exc).__name__}: {_first_line(exc)}") from exc
        for part in attr.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise ParityUsageError(f"{what} {spec!r}: {module_name} has no attribute {attr!r}") from None
        return obj

    def load_callable(self, spec: str, what: str) -> Callable[..., Any]:
        obj = self.import_object(spec, what)
        if not callable(obj):
            raise ParityUsageError(f"{what} {spec!r} is not callable")
        return obj

    def close(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        for package in self._packages:
            for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
                del sys.modules[name]
        sys.modules.update(self._saved_modules)
        self._saved_modules.clear()
        self._packages.clear()
        if self._path_added:
            with contextlib.suppress(ValueError):
                sys.path.remove(str(self.repo))
            self._path_added = False
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


async def call_maybe_async(func: Callable[[], Any]) -> Any:
    result = func()
    if inspect.isawaitable(result):
        result = await result
    return result


# --- lifespan ---------------------------------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: Callable) -> AsyncIterator[dict]:
    """Run the ASGI lifespan of ``app`` around the block (httpx's ASGI transport does not); yields its state."""
    state: dict = {}
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()

    async def receive() -> dict:
        return await inbox.get()

    async def send(message: dict) -> None:
        await outbox.put(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task = asyncio.ensure_future(app(scope, receive, send))

    async def next_message() -> Optional[dict]:
        getter = asyncio.ensure_future(outbox.get())
        done, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        return None  # the app returned or raised: it does not speak lifespan

    await inbox.put({"type": "lifespan.startup"})
    message = await next_message()
    if message is None:
        if not task.cancelled() and task.exception() is not None:
            task.exception()  # retrieved: an app without lifespan support raises here, which is fine
        yield state
        return
    if message["type"] == "lifespan.startup.failed":
        raise ParityUsageError(f"the app failed to start: {message.get('message') or 'lifespan startup failed'}")
    try:
        yield state
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await next_message()
        if not task.done():
            task.cancel()
