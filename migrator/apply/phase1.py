"""Phase 1 (weeks 0–2): generate the StandardAPIHandler subclass from the legacy route bodies and wire it in.

Reads the target once (inventory + catalog), runs the `extract_handler` and `wire_standard_api` codemods, and
returns the change set plus what it did and what it left to a person. Nothing is written here: the caller shows a
diff, checks, or applies the changes atomically.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Optional

import libcst as cst

from codemods._handler_module import BuiltHandler, HandlerSpec, build_handler_module
from codemods._standard_methods import Operation
from codemods._util import module_name_for
from codemods.extract_handler import ALREADY_DELEGATES, HandlerExtraction, HandlerParam, MoveRequest, _node_types
from codemods.wire_standard_api import WireError, wire_app
from migrator import __version__
from migrator.apply.changes import FileChange, read_text
from migrator.apply.result import ApplyError, ManualStep, PhaseResult
from migrator.catalog import load_catalog
from migrator.inventory import build_inventory
from migrator.inventory.models import Inventory, Param, Route
from migrator.journal import HandlerInfo, JournalRoute, journal_file, load_journal
from migrator.movability import assess
from migrator.target import Target, load_target
from shims import spec

INSTANCE = "market_handler"
# Paths the Service Market alias router serves: a legacy route on one of them is replaced, not deprecated.
ALIAS_PATHS = {(alias.method, re.sub(r"{[^}]*}", "{}", alias.path)) for alias in spec.ALIASES}


def normalise(path: str) -> str:
    return re.sub(r"{[^}]*}", "{}", path)


def pick_app(inventory: Inventory, target: Target) -> str:
    """`file:variable` of the app to migrate: the one [tool.migrator] names, else the one serving most routes."""
    served = [a for a in inventory.apps if a.mounted_in is None]
    if not served:
        raise ApplyError(f"{target.root}: no FastAPI app found (nothing to migrate)")
    if target.app:
        module, _, variable = target.app.partition(":")
        for app in served:
            if module_name_for(app.file) == module and app.variable == (variable or "app"):
                return f"{app.file}:{app.variable}"
        raise ApplyError(f"[tool.migrator] app = {target.app!r} is not an app the inventory found")
    counts = {f"{a.file}:{a.variable}": len(inventory.routes_of(f"{a.file}:{a.variable}")) for a in served}
    return max(counts, key=lambda key: (counts[key], key))


def handler_location(app_file: str, target: Target) -> tuple[str, str]:
    """(file, module) of the handler: `[tool.migrator] handler_module`, else `handlers/market_handler.py` beside
    the app's package (seed 000 §7.1)."""
    configured = target.tool.get("handler_module")
    if configured:
        return configured.replace(".", "/") + ".py", configured
    parts = PurePosixPath(app_file).parts
    package = parts[0] if len(parts) > 1 else ""
    file = f"{package}/handlers/market_handler.py" if package else "handlers/market_handler.py"
    return file, module_name_for(file)


def plan_phase1(root: Path, *, now: Optional[datetime] = None) -> PhaseResult:
    target = load_target(root)
    journal = load_journal(root)
    inventory = build_inventory(root)
    app_key = pick_app(inventory, target)
    app_file, _, app_var = app_key.rpartition(":")
    _refuse_unreadable_app_code(inventory, app_file)
    handler_file, handler_module = handler_location(app_file, target)
    catalog = load_catalog(root)
    routes = inventory.routes_of(app_key)

    extraction = HandlerExtraction(handler_module, INSTANCE, reserved_names={target.class_name, INSTANCE})
    trees: dict[str, cst.Module] = {}
    matches = {}
    moves_by_file: dict[str, dict[str, MoveRequest]] = defaultdict(dict)
    manual: list[ManualStep] = []
    early_refused: set[tuple[str, str]] = set()
    for route in routes:
        match = catalog.match(route)
        if match is None:
            continue
        matches[id(route)] = match
        source = read_text(root, route.file)
        if source is None:
            raise ApplyError(f"{route.file}: listed by the inventory but missing")
        if route.file not in trees:
            trees[route.file] = cst.parse_module(source)
        assessment = assess(route, trees[route.file], match=match)
        name = route.qualname
        if not assessment.automatic:
            if (route.file, name) not in early_refused:
                early_refused.add((route.file, name))
                manual.append(ManualStep(f"{route.file}:{route.line}", _label(route), "; ".join(assessment.reasons)))
            continue
        moves_by_file[route.file].setdefault(name, MoveRequest(
            function=name,
            method=f"legacy_{name}",
            tenant_param=route.tenant_param,
            path=route.path,
            line=route.line,
            param_kinds={p.name: p.kind for p in route.params},
            resources={p.name: p.dependency for p in route.params if _is_resource(root, trees, p, route)},
        ))

    for file in sorted(moves_by_file):
        extraction.add_module(file, read_text(root, file) or "", list(moves_by_file[file].values()), trees[file])
    extraction.plan()

    moved_by_function = {(mv.module, mv.function): mv for mv in extraction.moved}
    refused = {(r.module, r.function): r for r in extraction.refused}
    operations: dict[str, Operation] = {}
    journal_routes: list[JournalRoute] = []
    moved_lines: list[str] = []
    reported = {step.where for step in manual}
    for route in routes:
        match = matches.get(id(route))
        entry = _entry(match)
        state, reason = "stays", None
        if match is not None:
            key = (module_name_for(route.file), route.qualname)
            where = f"{route.file}:{route.line}"
            moved, refusal = moved_by_function.get(key), refused.get(key)
            op = operations.setdefault(entry["operation"], Operation(entry["operation"]))
            if moved is not None or (refusal and refusal.reason == ALREADY_DELEGATES):
                state = "alias" if (route.methods[0], normalise(route.path)) in ALIAS_PATHS else "moved"
            else:
                state = "manual"
                reason = refusal.reason if refusal else next(s.reason for s in manual if s.where == where)
                op.manual.append(f"{_label(route)} ({where}): {reason}")
                if where not in reported:
                    reported.add(where)
                    manual.append(ManualStep(where, _label(route), reason))
            if moved is not None:
                op.routes.setdefault(None if entry["primary"] else entry["variant"], moved)
                op.param_map.update(entry["param_map"])
                op.adapter = op.adapter or entry["adapter"]
                moved_lines.append(f"{_label(route)} -> {entry['operation']}")
        journal_routes.append(JournalRoute(
            methods=route.methods, path=route.path, function=route.function, file=route.file, line=route.line,
            operation=entry["operation"], variant=entry["variant"], standard_method=entry["standard_method"],
            standard_path=entry["standard_path"], state=state, reason=reason,
        ))

    changes: list[FileChange] = []
    result = PhaseResult(1, changes, journal, moved=moved_lines, manual=manual)
    rewritten = extraction.rewrite(external=_external_imports(root, set(extraction.modules)))
    handler_exists = (root / handler_file).exists()
    if extraction.moved:
        if handler_exists:
            raise ApplyError(
                f"{handler_file} exists already and {len(extraction.moved)} more route(s) could move into it; "
                "phase 1 does not merge into an existing handler: move them by hand or remove the handler first"
            )
        spec = HandlerSpec(
            service=target.name, class_name=target.class_name, instance=INSTANCE,
            service_version=target.version, module=handler_module,
            first_party={PurePosixPath(handler_file).parts[0]} | _first_party(inventory),
            operations=operations, body_fields=lambda p: _body_fields(root, trees, extraction, p),
        )
        built: BuiltHandler = build_handler_module(spec, extraction)
        result.not_implemented = built.not_implemented
        changes.append(FileChange(handler_file, None, built.code))
        init = str(PurePosixPath(handler_file).parent / "__init__.py")
        if not (root / init).exists():
            changes.append(FileChange(init, None, '"""Service Market handlers (generated by migrator phase 1)."""\n'))
        for path, code in rewritten.items():
            changes.append(FileChange(path, read_text(root, path), code))
    if extraction.moved or handler_exists:
        old_app = read_text(root, app_file) or ""
        try:
            new_app = wire_app(old_app, app_var, handler_module, INSTANCE, factory=_factory(trees, root, app_file))
        except WireError as exc:
            raise ApplyError(f"{app_file}: {exc}") from exc
        changes.append(FileChange(app_file, old_app, new_app))

    if any(c.changed for c in changes):
        journal.service = target.name
        journal.service_version = target.version
        journal.routes = journal_routes
        journal.handler = HandlerInfo(module=handler_module, file=handler_file, class_=target.class_name,
                                      instance=INSTANCE)
        files = sorted({c.path for c in changes if c.changed})
        journal.record(1, files, __version__, now=now, details={
            "moved": len(extraction.moved), "manual": len(manual), "not_implemented": sorted(result.not_implemented),
        })
        old = read_text(root, str(journal_file(root).relative_to(root)))
        changes.append(FileChange(str(journal_file(root).relative_to(root)), old, journal.to_text()))
    result.details = {"app": app_key, "handler": handler_file}
    return result


# --- helpers ------------------------------------------------------------------------------------------------------


def _refuse_unreadable_app_code(inventory: Inventory, app_file: str) -> None:
    """A file of the app's package that cannot be read could hold routes or helpers the move depends on: moving
    around it would produce a half-understood migration, so phase 1 stops and names it."""
    package = PurePosixPath(app_file).parts[0] if len(PurePosixPath(app_file).parts) > 1 else None
    broken = sorted({f"{s.file}: {s.reason}" for s in inventory.skipped
                     if package is None or PurePosixPath(s.file).parts[0] == package})
    if broken:
        raise ApplyError("cannot migrate while these files of the app cannot be read (fix them first): "
                         + "; ".join(broken))


def _label(route: Route) -> str:
    return f"{'/'.join(route.methods)} {route.path}"


# the catalog names standard parameters; the templates name the legacy inputs they fill
_ROLE_OF_STANDARD = {"period": "days", "offset": "page", "limit": "limit", "search": "search", "user_id": "user_id"}


def _entry(match) -> dict:
    """The catalog match as the few fields phase 1 needs."""
    if match is None:
        return {"operation": None, "variant": None, "primary": False, "standard_method": None,
                "standard_path": None, "param_map": {}, "adapter": None}
    entry = match.entry
    return {
        "operation": entry.operation,
        "variant": entry.variant,
        "primary": entry.primary,
        "standard_method": entry.standard_method,
        "standard_path": entry.standard_path,
        "param_map": {legacy: _ROLE_OF_STANDARD.get(std, std) for legacy, std in entry.param_map.items()},
        "adapter": "provision" if "provision_payload_from_activate" in entry.adapters else None,
    }


def _module_tree(root: Path, trees: dict[str, cst.Module], module: str) -> Optional[cst.Module]:
    """The parsed module `module` of the target, parsed once per run (`trees` is keyed by file path)."""
    for rel in (module.replace(".", "/") + ".py", module.replace(".", "/") + "/__init__.py"):
        if rel not in trees:
            source = read_text(root, rel)
            if source is None:
                continue
            trees[rel] = cst.parse_module(source)
        return trees[rel]
    return None


def _is_resource(root: Path, trees: dict[str, cst.Module], param: Param, route: Route) -> bool:
    """A dependency that hands the route a resource (a database handle) and reads nothing from the request."""
    if param.kind not in ("depends", "security") or not param.dependency or param.headers or param.auth:
        return False
    if param.reads_tenant or param.name == route.tenant_param:
        return False
    module, _, func = param.dependency.rpartition(".")
    tree = _module_tree(root, trees, module)
    for stmt in tree.body if tree is not None else ():
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == func:
            if stmt.asynchronous is not None or _yields(stmt):
                return False  # a generator or async dependency needs FastAPI's machinery
            params = stmt.params
            return not (params.params or params.kwonly_params or params.posonly_params) or all(
                p.default is not None for p in [*params.params, *params.kwonly_params])
    return False


def _yields(func: cst.FunctionDef) -> bool:
    return cst.Yield in _node_types(func.body)


def _first_party(inventory: Inventory) -> set[str]:
    return {PurePosixPath(r.file).parts[0].removesuffix(".py") for r in inventory.routes}


def _factory(trees: dict, root: Path, app_file: str) -> Optional[str]:
    """The function that creates the app, when the app module is an app factory."""
    tree = trees.get(app_file) or cst.parse_module(read_text(root, app_file) or "")
    if any(_creates_fastapi(stmt) for stmt in tree.body):
        return None
    for stmt in tree.body:
        if isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, cst.IndentedBlock):
            if any(_creates_fastapi(inner) for inner in stmt.body.body):
                return stmt.name.value
    return None


def _creates_fastapi(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(stmt.body[0], (cst.Assign, cst.AnnAssign)):
        return False
    value = stmt.body[0].value
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    return (isinstance(func, cst.Name) and func.value == "FastAPI") or (
        isinstance(func, cst.Attribute) and func.attr.value == "FastAPI")


def _external_imports(root: Path, modules: set[str]) -> dict[str, set[str]]:
    """Names other files of the repo import from `modules` (they must keep working after helpers move).

    A read-only scan of import statements: `ast` is enough here and far cheaper than LibCST.
    """
    import ast

    from codemods._util import absolute_module

    wanted = {m.rsplit(".", 1)[-1].encode() for m in modules}
    found: dict[str, set[str]] = defaultdict(set)
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part in {"__pycache__", "node_modules"} for part in path.parts):
            continue
        current = module_name_for(rel)
        if current in modules:
            continue  # the extraction handles imports between the modules it rewrites
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"import" not in data or not any(w in data for w in wanted):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = absolute_module(current, node.level, node.module, rel.endswith("__init__.py"))
                if module in modules:
                    found[module].update(alias.name for alias in node.names)
    return found


def _body_fields(root: Path, trees: dict[str, cst.Module], extraction: HandlerExtraction,
                 param: HandlerParam) -> Optional[set[str]]:
    """Field names of a legacy request model, found statically (moved into the handler, or imported)."""
    if not param.annotation:
        return None
    name = param.annotation.strip()
    for (module, original), target in extraction.helpers.items():
        if target == name:
            node = extraction.modules[module].globals_[original]
            return _class_fields(node) if isinstance(node, cst.ClassDef) else None
    for imported in extraction.imports:
        if imported.bound_name == name and imported.name:
            tree = _module_tree(root, trees, imported.module)
            for stmt in tree.body if tree is not None else ():
                if isinstance(stmt, cst.ClassDef) and stmt.name.value == imported.name:
                    return _class_fields(stmt)
    return None


def _class_fields(node: cst.ClassDef) -> set[str]:
    fields = set()
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.add(small.target.value)
    return fields
