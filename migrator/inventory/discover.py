"""Walk a repository: which Python files exist, which are worth parsing, which are skipped and why.

A byte prefilter sorts the files in three tiers:
- candidates: the source has routing code (FastAPI(, APIRouter, include_router, add_api_route, mount, a route
  decorator): parsed up front, in a process pool when there are many;
- fastapi modules: the source mentions fastapi without routing code (dependencies, `Annotated` aliases, security
  schemes, or merely `HTTPException`): parsed on demand, when a route's Depends chain leads there;
- the rest (models, services, settings, constants): parsed on demand only when a prefix, path or factory needs
  one of their values.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field

from .extract import ExtractError, decode_check, has_routing
from .models import Skipped

MAX_BYTES = 5 * 1024 * 1024
IGNORED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", "site-packages",
        ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".migrator",
    }
)
# Build outputs (setuptools' build/lib/..., dist/*.whl) hold no module of their own at their top; a package named
# `build` (`features/build/api.py`) does.
ARTIFACT_DIRS = frozenset({"build", "dist"})
TEST_DIRS = frozenset({"tests", "test"})


def is_test_file(name: str) -> bool:
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


@dataclass
class Discovery:
    root: str  # absolute
    files: list[str] = field(default_factory=list)  # every considered .py file, posix relative, sorted
    candidates: list[str] = field(default_factory=list)  # routing code: parsed up front
    fastapi_modules: set[str] = field(default_factory=set)  # mention fastapi only: parsed on demand
    sizes: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    ignored_tests: int = 0
    imported_as: dict[str, str] = field(default_factory=dict)  # file -> dotted name an absolute import used
    # Dotted name of the root itself when it is a package inside packages (analysing `src/prefect/server`:
    # "prefect.server"); "" otherwise. Absolute imports of that name resolve inside the root.
    root_package: str = ""
    context_var_files: list[str] = field(default_factory=list)  # files that mention ContextVar (tenant context)
    root_namespace: str = ""  # the root's folder name, once an absolute import used it as a (namespace) package
    #: the package name the code imports the root itself by (`backend` of `from backend.app import x` when
    #: analysing `backend/`), once an import did: the service runs from the folder above the root
    imported_by_name: str = ""
    # Folders below the root holding a project of their own (pyproject.toml, setup.py or setup.cfg): the import roots
    # of a monorepo's other distributions (a uv workspace's packages/<member>/), installed beside the service.
    project_dirs: list[str] = field(default_factory=list)
    _file_set: set[str] = field(default_factory=set)
    _dirs: set[str] = field(default_factory=set)

    def finish(self) -> None:
        self.files.sort()
        self.candidates.sort()
        self._file_set = set(self.files) | {s.file for s in self.skipped if s.file.endswith(".py")}
        dirs: set[str] = {""}
        for rel in self._file_set:
            parts = rel.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        self._dirs = dirs

    def has_file(self, rel: str) -> bool:
        return rel in self._file_set

    def has_dir(self, rel: str) -> bool:
        return rel in self._dirs

    def module_name(self, rel: str) -> str:
        """Dotted module name: from the chain of packages (directories with __init__.py) above the file, or, in a
        namespace package (no __init__.py), from the absolute import that reached the file."""
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if not (parent and f"{parent}/__init__.py" in self._file_set) and rel in self.imported_as:
            return self.imported_as[rel]
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        names = [parts.pop()] if parts else []
        while parts and ("/".join(parts) + "/__init__.py") in self._file_set:
            names.append(parts.pop())
        if not parts and (self.root_package or self.root_namespace):  # the chain goes on above the root
            names.append(self.root_package or self.root_namespace)
        return ".".join(reversed(names)) or rel[:-3].replace("/", ".")


PROJECT_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})


def _skip(discovery: Discovery, rel: str, reason: str) -> None:
    discovery.skipped.append(Skipped(file=rel, reason=reason))


def discover(root: str, *, include_tests: bool = False) -> Discovery:
    """List and prefilter the Python files under root (which must be a directory)."""
    root_abs = os.path.abspath(root)
    discovery = Discovery(root=root_abs, root_package=_package_of(root_abs))
    visited = {os.path.realpath(root_abs)}
    stack: list[tuple[str, str]] = [("", os.path.realpath(root_abs))]
    while stack:
        rel_dir, real_dir = stack.pop()
        abs_dir = os.path.join(root_abs, rel_dir) if rel_dir else root_abs
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError as exc:
            _skip(discovery, rel_dir or ".", f"unreadable directory: {exc.strerror or exc}")
            continue
        if rel_dir and any(e.name == "pyvenv.cfg" for e in entries):
            continue  # a virtual environment
        if rel_dir and any(e.name in PROJECT_FILES for e in entries):
            discovery.project_dirs.append(rel_dir)
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            link = entry.is_symlink()
            if link:
                try:
                    target = os.path.realpath(entry.path, strict=True)
                except OSError as exc:
                    if entry.name.endswith(".py") or exc.errno == errno.ELOOP:
                        why = "symlink loop" if exc.errno == errno.ELOOP else "broken symlink"
                        _skip(discovery, rel, f"{why}: not followed")
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                _skip(discovery, rel, f"cannot stat: {exc.strerror or exc}")
                continue
            if is_dir:
                name = entry.name
                if name in IGNORED_DIRS or name.startswith(".") or name.endswith(".egg-info"):
                    continue
                if name in ARTIFACT_DIRS and not _has_modules(entry.path):
                    continue
                if not include_tests and name in TEST_DIRS:
                    discovery.ignored_tests += 1
                    continue
                real = target if link else os.path.join(real_dir, name)
                if real in visited:
                    _skip(discovery, rel, "symlink loop: directory already visited, not followed")
                    continue
                visited.add(real)
                stack.append((rel, real))
            elif entry.name.endswith(".py"):
                if not include_tests and is_test_file(entry.name):
                    discovery.ignored_tests += 1
                    continue
                _consider(discovery, rel, entry.path)
    discovery.finish()
    return discovery


def _has_modules(directory: str) -> bool:
    try:
        with os.scandir(directory) as entries:
            return any(e.name.endswith(".py") for e in entries)
    except OSError:
        return False


def _package_of(directory: str) -> str:
    """Dotted package name of a directory from the `__init__.py` files at and above it ("" when not a package)."""
    names: list[str] = []
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        names.append(os.path.basename(directory))
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return ".".join(reversed(names)) if all(n.isidentifier() for n in names) else ""


def _consider(discovery: Discovery, rel: str, path: str) -> None:
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        _skip(discovery, rel, f"cannot stat: {exc.strerror or exc}")
        return
    if size > MAX_BYTES:
        _skip(discovery, rel, f"too large ({size / 1_048_576:.1f} MB > {MAX_BYTES // 1_048_576} MB): not parsed")
        return
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        _skip(discovery, rel, f"unreadable: {exc.strerror or exc}")
        return
    try:
        decode_check(data)
    except ExtractError as exc:
        _skip(discovery, rel, str(exc))
        return
    discovery.files.append(rel)
    discovery.sizes[rel] = size
    if b"ContextVar" in data:
        discovery.context_var_files.append(rel)
    if has_routing(data):
        discovery.candidates.append(rel)
    elif b"fastapi" in data:
        discovery.fastapi_modules.add(rel)


def resolve_module(discovery: Discovery, from_file: str, level: int, dotted: str) -> str | None:
    """Repo path of a module: "x/y.py", "x/y/__init__.py", or "x/y/" (namespace package); None if not in repo.

    Absolute imports are looked up from the importing file's directory upwards (nearest first), which finds the
    import root of each service in a monorepo without configuration.
    """
    parts = [p for p in dotted.split(".") if p]
    if level:
        base = from_file.split("/")[:-1]
        if level - 1 > len(base):
            return None
        base = base[: len(base) - (level - 1)]
        return _lookup(discovery, base, parts)
    here = from_file.split("/")[:-1]
    for i in range(len(here), -1, -1):
        found = _lookup(discovery, here[:i], parts)
        if found is not None and (parts or found):
            if found.endswith(".py"):
                discovery.imported_as.setdefault(found, dotted.removesuffix(".__init__"))
            return found
    # The root is itself a package (`src/prefect/server` for `prefect.server.*`), or a namespace package named
    # like its folder (`keep/` without __init__.py, imported as `keep.api...` from the folder above).
    package = discovery.root_package or os.path.basename(discovery.root)
    if package and (dotted == package or dotted.startswith(package + ".")):
        found = _lookup(discovery, [], parts[package.count(".") + 1:])
        if found is not None and not discovery.root_package:
            discovery.root_namespace = package
        if found is not None:
            discovery.imported_by_name = package
        return found
    return _in_project_dirs(discovery, dotted, parts)


def _in_project_dirs(discovery: Discovery, dotted: str, parts: list[str]) -> str | None:
    """An absolute import of another distribution of the monorepo (`packages/svc-ee/svc_ee/...`, or its `src/`):
    looked up at the top of each project folder whose top-level module or package (not a bare folder) it names."""
    for project in sorted(discovery.project_dirs):
        for top in (project, f"{project}/src"):
            base = top.split("/")
            if parts and _lookup(discovery, base, parts[:1]) not in (None, f"{top}/{parts[0]}/"):
                found = _lookup(discovery, base, parts)
                if found is not None and found.endswith(".py"):
                    discovery.imported_as.setdefault(found, dotted.removesuffix(".__init__"))
                return found
    return None


def _lookup(discovery: Discovery, base: list[str], parts: list[str]) -> str | None:
    stem = "/".join(base + parts)
    if not parts:
        init = f"{stem}/__init__.py" if stem else "__init__.py"
        if discovery.has_file(init):
            return init
        return stem + "/" if stem else ""
    if discovery.has_file(stem + ".py"):
        return stem + ".py"
    if discovery.has_file(stem + "/__init__.py"):
        return stem + "/__init__.py"
    if discovery.has_dir(stem):
        return stem + "/"
    return None
