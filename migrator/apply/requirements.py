"""Phase 1 declares what a migrated service needs to run: the `migrator-shims` distribution (import package `shims`).

Where: the `[project] dependencies` of the target's pyproject.toml (edited with tomlkit: comments and layout kept);
without that list, `[tool.poetry.dependencies]` of a Poetry project; else the first requirements file (`requirements.txt`, else the first `requirements*.txt`); without
either, a new `dependencies` list in `[project]` (unless dependencies are dynamic), else a new requirements.txt.
Idempotent: a declaration of `migrator-shims` in any version is left alone.

`pydantic_one` finds a pin of pydantic 1 in the same places, `fastapi_below` a pin of FastAPI older than the runtime's
0.110: pip cannot install the runtime beside either, so each blocks the plan.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import tomlkit
from tomlkit.exceptions import TOMLKitError

from migrator.apply.changes import FileChange, read_text
from migrator.plan import RequirementPlan

DISTRIBUTION = "migrator-shims"
REQUIREMENT = f"{DISTRIBUTION}>=0.2"
FASTAPI_MINIMUM = (0, 110)  # the runtime's `fastapi>=0.110` (shims/pyproject.toml)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declares(lines, name: str = DISTRIBUTION) -> bool:
    for line in lines:
        found = _NAME.match(str(line).split("#", 1)[0])
        if found and _normalise(found.group(1)) == _normalise(name):
            return True
    return False


def _document(root: Path) -> Optional[dict]:
    text = read_text(root, "pyproject.toml")
    if text is None:
        return None
    try:
        return tomlkit.parse(text)
    except TOMLKitError:
        return None  # load_target reports a broken pyproject.toml


def _project(root: Path) -> Optional[dict]:
    document = _document(root)
    project = document.get("project") if document is not None else None
    return project if isinstance(project, dict) else None


def _poetry(root: Path) -> Optional[dict]:
    """`[tool.poetry.dependencies]` of a Poetry project."""
    document = _document(root)
    tool = document.get("tool", {}) if document is not None else {}
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    return dependencies if isinstance(dependencies, dict) else None


def _pins_one(spec: str) -> bool:
    """A version specifier that keeps pydantic at 1 (`^1.10`, `==1.10.19`, `>=1.8,<2`, `~=1.10`)."""
    for part in (p.strip().replace(" ", "") for p in spec.split(",")):
        if re.match(r"^(\^|~=?|===?)?1(\.|$)", part) or re.match(r"^<=?(1(\.|$)|2(\.0)*$)", part):
            return True
    return False


def pydantic_one(root: Path) -> Optional[str]:
    """Where the service pins pydantic 1 (the Standard API runtime needs pydantic 2): `pyproject.toml: pydantic =
    "^1.10.4"`, or None."""
    return _pinned(root, "pydantic", _pins_one)


def fastapi_below(root: Path) -> Optional[str]:
    """Where the service pins FastAPI below the runtime's 0.110 (`requirements.txt: fastapi==0.65.2`, `pyproject.toml:
    fastapi = "^0.98.0"`), or None: pip cannot install migrator-shims beside it."""
    return _pinned(root, "fastapi", lambda spec: _caps_below(spec, FASTAPI_MINIMUM))


def _pinned(root: Path, distribution: str, pins) -> Optional[str]:
    """The first declaration of `distribution` whose version specifier `pins(spec)` holds: Poetry's dependencies,
    then `[project] dependencies`, then the requirements file."""
    spec = (_poetry(root) or {}).get(distribution)
    spec = spec.get("version") if isinstance(spec, dict) else spec
    if isinstance(spec, str) and pins(spec):
        return f'pyproject.toml: {distribution} = "{spec}"'
    declared = [("pyproject.toml", str(line)) for line in ((_project(root) or {}).get("dependencies") or [])]
    found = _requirements_file(root)
    if found is not None:
        declared += [(found, line) for line in (read_text(root, found) or "").splitlines()]
    for file, line in declared:
        text = line.split("#", 1)[0].split(";", 1)[0].strip()
        name = _NAME.match(text)
        if name and _normalise(name.group(1)) == distribution:
            rest = text[name.end():]
            rest = rest.split("]", 1)[1] if rest.startswith("[") else rest  # extras: pydantic[email]==1.10
            if pins(rest):
                return f"{file}: {text}"
    return None


_SPEC = re.compile(r"^(===|==|<=|<|\^|~=|~|>=|>|!=)?v?(\d+(?:\.\d+)*)(\.\*)?$")


def _caps_below(spec: str, minimum: tuple[int, ...]) -> bool:
    """A version specifier (PEP 440 or Poetry's) that admits no version at or above `minimum`: `==0.65.2`, `0.98.0`,
    `<0.100`, `^0.98` (Poetry: <0.99), `~0.95.1`, `~=0.99.1`; not `>=0.65`, `~=0.65` (<1), `*`."""
    for part in (p.strip().replace(" ", "") for p in spec.split(",")):
        found = _SPEC.match(part)
        if found is None:
            continue
        operator, version = found.group(1) or "==", tuple(int(n) for n in found.group(2).split("."))
        ceiling = _ceiling(operator, version, wildcard=bool(found.group(3)))
        if ceiling is None:
            continue
        top, floor = _padded(ceiling[0], minimum)
        if top < floor or (top == floor and not ceiling[1]):
            return True
    return False


def _padded(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two versions of one length (0.110 == 0.110.0)."""
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def _ceiling(operator: str, version: tuple[int, ...], wildcard: bool) -> Optional[tuple[tuple[int, ...], bool]]:
    """The upper bound a specifier part sets: (version, inclusive), or None when it sets none."""
    def bump(parts: tuple[int, ...]) -> tuple[int, ...]:
        return parts[:-1] + (parts[-1] + 1,)

    if operator in ("==", "===") and wildcard:
        return bump(version), False
    if operator in ("==", "===", "<="):
        return version, True
    if operator == "<":
        return version, False
    if operator == "^":  # Poetry: the first non-zero component stays
        first = next((i for i, n in enumerate(version) if n), len(version) - 1)
        return bump(version[:first + 1]), False
    if operator == "~":  # Poetry: ~1.2.3 and ~1.2 -> <1.3, ~1 -> <2
        return bump(version[:2] if len(version) > 1 else version), False
    if operator == "~=" and len(version) > 1:  # PEP 440: ~=1.4.5 -> <1.5, ~=1.4 -> <2
        return bump(version[:-1]), False
    return None


def _requirements_file(root: Path) -> Optional[str]:
    if (root / "requirements.txt").is_file():
        return "requirements.txt"
    found = sorted(p.name for p in root.glob("requirements*.txt") if p.is_file())
    return found[0] if found else None


def locate(root: Path) -> RequirementPlan:
    """Where the requirement goes, and whether it is declared already."""
    project = _project(root)
    if project is not None and isinstance(project.get("dependencies"), list):
        return RequirementPlan(file="pyproject.toml", requirement=REQUIREMENT,
                               present=_declares(project["dependencies"]))
    poetry = _poetry(root)
    if poetry is not None:
        present = any(_normalise(str(name)) == _normalise(DISTRIBUTION) for name in poetry)
        return RequirementPlan(file="pyproject.toml", requirement=REQUIREMENT, present=present, poetry=True)
    found = _requirements_file(root)
    if found is not None:
        text = read_text(root, found) or ""
        return RequirementPlan(file=found, requirement=REQUIREMENT, present=_declares(text.splitlines()))
    if project is not None and "dependencies" not in (project.get("dynamic") or []):
        return RequirementPlan(file="pyproject.toml", requirement=REQUIREMENT)
    return RequirementPlan(file="requirements.txt", requirement=REQUIREMENT)


def requirement_change(root: Path, plan: RequirementPlan) -> Optional[FileChange]:
    """The edit that declares the requirement (None when it is declared already)."""
    if plan.present:
        return None
    old = read_text(root, plan.file)
    if plan.file != "pyproject.toml":
        text = old or ""
        if text and not text.endswith("\n"):
            text += "\n"
        return FileChange(plan.file, old, text + plan.requirement + "\n")
    document = tomlkit.parse(old or "")
    if plan.poetry:  # `migrator-shims = ">=0.2"` in [tool.poetry.dependencies]
        name, _, version = plan.requirement.partition(">=")
        document["tool"]["poetry"]["dependencies"][name] = f">={version}"
        return FileChange(plan.file, old, tomlkit.dumps(document))
    project = document.get("project")
    dependencies = project.get("dependencies") if project is not None else None
    if dependencies is None:
        array = tomlkit.array()
        array.append(plan.requirement)
        project["dependencies"] = array
    else:
        dependencies.append(plan.requirement)
    return FileChange(plan.file, old, tomlkit.dumps(document))
