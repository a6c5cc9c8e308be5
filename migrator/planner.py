"""`make_plan(root)`: inventory, catalog match and one verdict per route, the layout and the phases, computed once.

`migrator analyze` reports the plan; `migrator apply --phase 1` executes it (with the parsed sources the verdicts
were made from, so every file is parsed once per run). Nothing here writes.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Optional

import libcst as cst

from codemods._imports import module_name_for
from codemods._source import SourceError, SourceSet
from migrator.answer_shapes import Answers, SourceSetModules
from migrator.catalog import Catalog, Match, load_catalog
from migrator.inventory.build import InventoryRun, Progress, run_inventory
from migrator.inventory.models import App, Inventory, Route
from migrator.journal import Journal
from migrator.movability import assess_routes
from migrator.pathtemplates import shape
from migrator.plan import (
    AppRef,
    HandlerRef,
    MigrationPlan,
    MoveTarget,
    PlanInputError,
    PlannedRoute,
    RemovalEstimate,
    RemovedModule,
    ServicePlan,
    SingleTenantFact,
    build_phases,
    load_journal,
    unimplemented_operations,
)
from migrator.primary import admin_guard, candidate_reason, primary_order
from migrator.target import project_metadata
from shims import spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

INSTANCE = "market_handler"


@functools.cache
def alias_paths() -> frozenset[tuple[str, str]]:
    """(method, path shape) the Service Market alias router serves: a legacy route on one is replaced, not
    deprecated. Computed on first use (reading path templates imports Starlette's routing)."""
    return frozenset((alias.method, shape(alias.path)) for alias in spec.ALIASES)


@dataclass
class Project:
    """The target's name, version and `[tool.migrator]` (read leniently: analyze runs on anything)."""

    name: Optional[str] = None
    version: Optional[str] = None
    tool: dict[str, Any] = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        words = re.split(r"[^A-Za-z0-9]+", self.name or "")
        return "".join(w[:1].upper() + w[1:] for w in words if w) + "MarketHandler"


@dataclass
class PlanRun:
    """A plan and what it was computed from (the apply of phase 1 reuses the parsed sources)."""

    plan: MigrationPlan
    root: Path
    project: Project
    run: InventoryRun
    catalog: Catalog
    sources: SourceSet
    journal: Optional[Journal]
    answers: Answers = field(default_factory=Answers)  # the legacy answers' mappings phase 1 renders

    @property
    def inventory(self) -> Inventory:
        return self.run.inventory


def read_project(root: Path) -> Project:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return Project()  # load_target / load_catalog report a broken pyproject.toml where it matters
    name, version, tool = project_metadata(root, data)
    return Project(name, version, tool if isinstance(tool, dict) else {})


# --- the app, the handler, the service modules -------------------------------------------------------------------


def choose_app(inventory: Inventory, project: Project) -> tuple[Optional[App], Optional[str]]:
    """The app phase 1 migrates: the one [tool.migrator] names, else the one serving most routes; or why none."""
    served = [a for a in inventory.apps if a.mounted_in is None]
    if not served:
        return None, "no FastAPI app found (nothing to migrate)"
    wanted = project.tool.get("app")
    if wanted:
        module, _, variable = str(wanted).partition(":")
        for app in served:
            # `pkg.main:app`, or the file as analyze reports it (`pkg/main.py:app`)
            if module in (module_name_for(app.file), app.file) and app.variable == (variable or "app"):
                return app, None
        found = ", ".join(sorted(f"{module_name_for(a.file)}:{a.variable}" for a in served))
        return None, f"[tool.migrator] app = {wanted!r} is not an app the inventory found (found: {found})"
    counts = {(a.file, a.variable): len(inventory.routes_of(f"{a.file}:{a.variable}")) for a in served}
    best = max(served, key=lambda a: (counts[(a.file, a.variable)], a.file, a.variable))
    return best, None


def _package(app_file: str) -> str:
    parts = PurePosixPath(app_file).parts
    return parts[0] if len(parts) > 1 else ""


def handler_location(app_file: str, project: Project, home: Optional[str] = None) -> tuple[str, str]:
    """(file, module) of the handler: `[tool.migrator] handler_module`, else `handlers/market_handler.py` in the
    app's package (seed 000 §7.1): `home` (the folder of a service importing relatively, `relative_home`), else the
    top-level package of the app module."""
    configured = project.tool.get("handler_module")
    if configured:
        return str(configured).replace(".", "/") + ".py", str(configured)
    package = home or _package(app_file)
    file = f"{package}/handlers/market_handler.py" if package else "handlers/market_handler.py"
    return file, module_name_for(file)


def shapes_location(handler_file: str, handler_module: str, root: Path) -> tuple[str, str]:
    """(file, module) of the generated answer mappings: `legacy_shapes.py` beside the handler (a free name)."""
    folder = PurePosixPath(handler_file).parent
    package = handler_module.rpartition(".")[0]
    name, number = "legacy_shapes", 2
    while (root / folder / f"{name}.py").exists():
        name, number = f"legacy_shapes_{number}", number + 1
    file = str(folder / f"{name}.py") if str(folder) != "." else f"{name}.py"
    return file, f"{package}.{name}" if package else name


def services_package(app_file: str, project: Project, home: Optional[str] = None) -> str:
    """Dotted package of the service modules: `[tool.migrator] services_package`, else `<app package>.services`
    (`home` as for `handler_location`)."""
    configured = project.tool.get("services_package")
    if configured:
        return str(configured)
    package = (home or _package(app_file)).replace("/", ".")
    return f"{package}.services" if package else "services"


def relative_home(sources: SourceSet, root: Path, files: list[str]) -> Optional[str]:
    """The folder (posix, relative to the root) holding the app module and the mapped route modules `files` (the
    app's first), when their top-level imports of the service's own modules are mostly relative (`from ..core
    import db`): such a service runs under more than one import root (its tests from the repository as `src.app`,
    its deployment from `src` as `app`), so what phase 1 writes must live in that folder and import relatively.
    None for a service importing its modules by absolute name, or when the folder is no package."""
    top, files = _package(files[0]), list(dict.fromkeys(files))
    relative = absolute = 0
    for file in files:
        tree = sources.syntax_tree_at(file)
        for node in tree.body if tree is not None else ():
            if isinstance(node, ast.ImportFrom) and node.level:
                relative += 1
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == top:
                absolute += 1
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == top for a in node.names):
                absolute += 1
    if not top or relative <= absolute:
        return None
    home = PurePosixPath(os.path.commonpath([str(PurePosixPath(f).parent) for f in files]))
    return home.as_posix() if home.parts and (root / home / "__init__.py").is_file() else None


def service_names(origins: list[str], package: str, root: Path) -> dict[str, str]:
    """Router file -> service module (`<package>.legacy_<router module>`), unique and not clashing with a file."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for origin in sorted(origins):
        parts = module_name_for(origin).split(".")
        for depth in range(1, len(parts) + 1):
            name = "legacy_" + "_".join(parts[-depth:])
            module = f"{package}.{name}"
            if module not in taken and not (root / (module.replace(".", "/") + ".py")).exists():
                break
        taken.add(module)
        out[origin] = module
    return out


def factory_of(sources: SourceSet, app_file: str) -> Optional[str]:
    """The function that creates the app, when the app module is an app factory."""
    found = _factory(sources, app_file)
    return found[0] if found else None


def _factory(sources: SourceSet, app_file: str) -> Optional[tuple[str, str]]:
    """(factory function, the local variable it creates the app in), for an app factory module."""
    syntax = sources.syntax_tree_at(app_file)
    if syntax is not None and _creates_fastapi_at_top(syntax):
        return None  # a module app (the common case), told from the `ast` tree: no LibCST parse of the app module
    try:
        tree = sources.get(app_file).tree
    except SourceError:
        return None
    if any(_creates_fastapi(stmt) for stmt in tree.body):
        return None
    for stmt in tree.body:
        if isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, cst.IndentedBlock):
            for inner in stmt.body.body:
                if _creates_fastapi(inner):
                    small = inner.body[0]
                    target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
                    return stmt.name.value, target.value if isinstance(target, cst.Name) else "app"
    return None


def app_variable(sources: SourceSet, app: App) -> str:
    """The name the app is bound to where phase 1 wires it: the module variable, or, when the inventory names a
    factory's app (`get_app()`), the local variable the factory creates it in."""
    if not app.variable.endswith("()"):
        return app.variable
    found = _factory(sources, app.file)
    return found[1] if found else "app"


def _creates_fastapi_at_top(tree: ast.Module) -> bool:
    """`_creates_fastapi` of some top-level statement, read from the `ast` tree: an assignment of a `FastAPI(...)`
    call that is the first statement of its line (LibCST's `SimpleStatementLine.body[0]`)."""
    previous_end = 0
    for stmt in tree.body:
        first = stmt.lineno > previous_end
        previous_end = stmt.end_lineno or stmt.lineno
        if not first or not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or not isinstance(stmt.value, ast.Call):
            continue
        func = stmt.value.func
        if (isinstance(func, ast.Name) and func.id == "FastAPI") or (
                isinstance(func, ast.Attribute) and func.attr == "FastAPI"):
            return True
    return False


def _creates_fastapi(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(stmt.body[0], (cst.Assign, cst.AnnAssign)):
        return False
    value = stmt.body[0].value
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    return (isinstance(func, cst.Name) and func.value == "FastAPI") or (
        isinstance(func, cst.Attribute) and func.attr.value == "FastAPI")


def _blockers(inventory: Inventory, app: Optional[App], why: Optional[str], root: Path,
              imported_by_name: str = "") -> list[str]:
    """Why phase 1 cannot run at all: no app, files of the app's package that cannot be read (they could hold
    routes or helpers the move depends on), a root the code imports by its own name, a service on pydantic 1."""
    if app is None:
        return [f"{root}: {why}"]
    if imported_by_name:
        # the modules phase 1 writes would be named from the root (`core.services...`), which the running service
        # cannot import: it imports this folder as `backend.core...`
        above = root.resolve().parents[imported_by_name.count(".")]
        return [f"the code imports this folder as the package `{imported_by_name}` (`{imported_by_name}.…`): run "
                f"migrator on {above}, where the modules phase 1 writes are named as the service imports them"]
    package = _package(app.file)
    broken = sorted({f"{s.file}: {s.reason}" for s in inventory.skipped
                     if not package or PurePosixPath(s.file).parts[0] == package})
    if broken:
        return ["cannot migrate while these files of the app cannot be read (fix them first): " + "; ".join(broken)]
    from migrator.apply.requirements import fastapi_below, pydantic_one

    blockers = []
    if pinned := pydantic_one(root):
        blockers.append(f"the service runs pydantic 1 ({pinned}) and the Standard API runtime (migrator-shims) needs "
                        "pydantic >= 2.5: move the service to pydantic 2 first")
    if pinned := fastapi_below(root):
        blockers.append(f"the service pins FastAPI below 0.110 ({pinned}) and the Standard API runtime "
                        "(migrator-shims) needs fastapi >= 0.110: upgrade FastAPI to 0.110 or later first")
    return blockers


# --- the plan ----------------------------------------------------------------------------------------------------


def _planned(route: Route, match: Optional[Match], verdict, suggestion: Optional[Match] = None) -> PlannedRoute:
    entry = match.entry if match else None
    shown = match or suggestion
    return PlannedRoute(
        key=f"{','.join(route.methods)} {route.path}", methods=route.methods, path=route.path,
        function=route.function, qualname=route.qualname, file=route.file, line=route.line, end_line=route.end_line,
        decorator_line=route.decorator_line, registration_line=route.registration_line, app=route.app,
        auth=route.auth, tenant_source=route.tenant_source,
        tenant_param=route.tenant_param, conditional=route.conditional,
        configured=route.configured, operation=entry.operation if entry else None, variant=entry.variant if entry else None,
        primary=entry.primary if entry else None, standard_method=entry.standard_method if entry else None,
        standard_path=match.standard_path if match else None, param_map=match.param_map if match else {},
        adapters=list(entry.adapters) if entry else [], fixed=dict(entry.fixed) if entry else {}, verdict=verdict,
        confidence=shown.confidence if shown else None, evidence=list(shown.evidence) if shown else [],
        suggestion=suggestion.entry.key if suggestion else None, guard=admin_guard(route),
    )


class TenantSettingError(PlanInputError):
    """`[tool.migrator] tenant` / `tenant_env` or `--tenant` is not usable; the message names where (exit 2)."""


_TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def single_tenant(project: Project, root: Path, tenant: Optional[str] = None,
                  journal: Optional[Journal] = None) -> Optional[SingleTenantFact]:
    """The tenant a single-tenant deployment serves: `--tenant` (`tenant`), else the journal's (phase 1 recorded
    it), else `[tool.migrator] tenant` / `tenant_env`; None for a multi-tenant service."""
    where = f"{root / 'pyproject.toml'}: [tool.migrator]"
    if tenant is not None:
        if not _TENANT_ID.match(tenant):
            raise TenantSettingError(f"--tenant {tenant!r}: a tenant id is 1-128 letters, digits, '_', '.', ':' or '-'")
        return SingleTenantFact(tenant=tenant, env=_env_setting(project, where), origin="--tenant")
    if journal is not None and journal.tenant is not None:
        return SingleTenantFact(**journal.tenant.model_dump())
    value, env = project.tool.get("tenant"), _env_setting(project, where)
    if value is None and env is None:
        return None
    if value is not None and (not isinstance(value, str) or not _TENANT_ID.match(value)):
        raise TenantSettingError(f"{where} tenant = {value!r}: a tenant id is a string of 1-128 letters, digits, "
                                 "'_', '.', ':' or '-'")
    return SingleTenantFact(tenant=value, env=env)


def _env_setting(project: Project, where: str) -> Optional[str]:
    env = project.tool.get("tenant_env")
    if env is not None and (not isinstance(env, str) or not _ENV_NAME.match(env)):
        raise TenantSettingError(f"{where} tenant_env = {env!r}: the name of an environment variable")
    return env


class IdentitySettingError(PlanInputError):
    """`[tool.migrator] identity` is not usable; the message names where (exit 2)."""


_IDENTITY = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")


def identity_setting(project: Project, root: Path) -> Optional[str]:
    """`[tool.migrator] identity = "pkg.module:function"`: the dependency the maintainer wrote that gives the identity
    a Standard API call acts as; checked statically (the module under `root` defines the name at its top level)."""
    value = project.tool.get("identity")
    if value is None:
        return None
    where = f"{root / 'pyproject.toml'}: [tool.migrator] identity = {value!r}"
    if not isinstance(value, str) or not _IDENTITY.match(value):
        raise IdentitySettingError(f"{where}: expected \"pkg.module:function\", the dependency giving the identity a "
                                   "Standard API call acts as")
    module, _, name = value.partition(":")
    base = root.joinpath(*module.split("."))
    file = next((f for f in (base.with_suffix(".py"), base / "__init__.py") if f.is_file()), None)
    if file is None:
        raise IdentitySettingError(f"{where}: no module {module} under {root}")
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
        raise IdentitySettingError(f"{where}: cannot read {file}: {exc}") from None
    if name not in _top_level_names(tree):
        raise IdentitySettingError(f"{where}: {file} defines no `{name}` at its top level")
    return value


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).partition(".")[0] for a in stmt.names}
    return names


def make_plan(root: str | os.PathLike, *, workers: Optional[int] = None, progress: Optional[Progress] = None,
              include_tests: bool = False, catalog: Optional[Catalog] = None, estimate: bool = True,
              tenant: Optional[str] = None, rewrite: bool = False) -> PlanRun:
    """The plan of the target at `root`. Raises InventoryInputError / CatalogError / PlanInputError /
    TenantSettingError on bad input. `tenant`: `--tenant`, the tenant a single-tenant deployment serves.
    `rewrite`: phase 1 executes the plan next (its codemods read the same parsed modules: `SourceSet.whole_scopes`)."""
    root_path = Path(root)
    run = run_inventory(root_path, workers=workers, progress=progress, include_tests=include_tests)
    catalog = catalog or load_catalog(root_path)
    journal = load_journal(root_path)
    project = read_project(root_path)
    if journal and journal.service and not project.name:
        project.name = journal.service
    inventory = run.inventory
    sources = SourceSet(root_path, whole_scopes=rewrite)
    app, why = choose_app(inventory, project)
    plan = MigrationPlan(service=project.name, service_version=project.version, phases=[],
                         blockers=_blockers(inventory, app, why, root_path, run.discovery.imported_by_name),
                         single_tenant=single_tenant(project, root_path, tenant, journal))
    generated: set[str] = set()
    matches = [catalog.match(route) for route in inventory.routes]
    if app is not None:
        app_key = f"{app.file}:{app.variable}"
        mapped = [r.file for r, m in zip(inventory.routes, matches) if m is not None and r.app == app_key]
        home = relative_home(sources, root_path, [app.file, *mapped])
        handler_file, handler_module = handler_location(app.file, project, home)
        package = services_package(app.file, project, home)
        generated = {handler_module, f"{package}.legacy_"}
        plan.app = AppRef(file=app.file, variable=app_variable(sources, app), module=module_name_for(app.file),
                          factory=factory_of(sources, app.file), key=app_key)
        shapes_file, shapes_module = shapes_location(handler_file, handler_module, root_path)
        plan.handler = HandlerRef(file=handler_file, module=handler_module, class_name=project.class_name,
                                  instance=INSTANCE, shapes_file=shapes_file, shapes_module=shapes_module,
                                  relative_home=module_name_for(f"{home}/__init__.py") if home else None)
    skip = {}
    for number, route in enumerate(inventory.routes):
        if app is None:
            skip[number] = ("no-app", why or "no app to migrate")
        elif route.app != app_key:
            skip[number] = ("other-app", f"served by the app {route.app}; phase 1 migrates {app_key} "
                                         "(choose with [tool.migrator] app)")
    answers = Answers()
    verdicts = assess_routes(inventory.routes, matches, sources, generated=generated, skip=skip,
                             single_tenant=plan.single_tenant is not None, answers=answers,
                             identity=identity_setting(project, root_path))
    suggestions = [catalog.suggest(r) if m is None else None for r, m in zip(inventory.routes, matches)]
    plan.routes = [_planned(r, m, v, s) for r, m, v, s in zip(inventory.routes, matches, verdicts, suggestions)]
    if app is not None:
        _layout(plan, root_path, project, package)
        _mark_candidates(plan)
    plan.suggestions = _suggestions(plan, inventory)
    covered = implemented_operations(plan.automatic)
    if app is not None and covered:
        plan.lifecycle = _lifecycle(root_path, plan, inventory, project, sources)
    plan.unimplemented_operations = unimplemented_operations(covered, plan.lifecycle) if covered else []
    plan.handlers = [plan.handler.file] if plan.handler and plan.automatic else []
    removal = _estimate(root_path, plan, sources) if estimate else None
    build_phases(plan, removal=removal, journal=journal, unresolved=len(inventory.unresolved),
                 phase1_files=_phase1_files(plan, root_path, shapes=bool(answers.mappings)))
    return PlanRun(plan, root_path, project, run, catalog, sources, journal, answers)


def _suggestions(plan: MigrationPlan, inventory: Inventory) -> list[str]:
    """Settings that would let more routes move: single-tenant mode when no route has a tenant source; the
    identity a Standard API call acts as when routes wait only for the caller's identity."""
    if plan.app is None:
        return []
    return [*_tenant_suggestion(plan, inventory), *_identity_suggestion(plan, inventory)]


def _identity_suggestion(plan: MigrationPlan, inventory: Inventory) -> list[str]:
    # (with [tool.migrator] identity set, no reason is the caller's identity any more)
    waiting = [r for r in plan.routes if r.app == plan.app.key and r.verdict.reasons
               and all(x.code == "identity" for x in r.verdict.reasons)]
    if not waiting:
        return []
    return [f"{len(waiting)} route(s) wait only for the caller's identity, which a Standard API call (the market "
            "key, no user) does not carry: name a dependency of yours returning the identity it acts as with "
            "[tool.migrator] identity = \"pkg.module:function\" (it may depend on "
            "shims.legacy_deps.standard_tenant_id) and they can move"]


def _tenant_suggestion(plan: MigrationPlan, inventory: Inventory) -> list[str]:
    if plan.single_tenant is not None:
        return []
    served = [r for r in inventory.routes if r.app == plan.app.key]
    waiting = [r for r in plan.routes if any(x.code == "no-tenant" for x in r.verdict.reasons)]
    if waiting and not any(r.tenant_source for r in served):
        return [f"no route reads a tenant anywhere: if this deployment serves one tenant, declare it with "
                f"[tool.migrator] tenant = \"<tenant id>\" (or tenant_env = \"VAR\", or apply --tenant ID) and "
                f"{len(waiting)} route(s) waiting for a tenant source can move"]
    return []


def _lifecycle(root: Path, plan: MigrationPlan, inventory: Inventory, project: Project, sources: SourceSet):
    """How the tenant lifecycle is served (`migrator.lifecycle`), from the routes' verdicts and parameters, read in
    the modules the plan parsed (each file parsed once)."""
    from migrator.lifecycle import RouteFacts, plan_lifecycle

    facts = []
    for planned, route in zip(plan.routes, inventory.routes):
        if planned.app != f"{plan.app.file}:{plan.app.variable}":
            continue
        facts.append(RouteFacts(
            label=planned.key, operation=planned.operation, variant=planned.variant, primary=planned.primary is not False,
            automatic=planned.verdict.automatic, reasons=tuple(planned.verdict.messages), file=planned.file,
            line=planned.line, function=planned.function, qualname=planned.qualname,
            response_model=route.response_model,
            dependencies=tuple((p.name, p.dependency) for p in route.params if p.dependency),
            param_map=tuple(planned.param_map.items()),
            params=tuple((p.name, p.kind, p.annotation) for p in route.params)))
    single = plan.single_tenant
    tool = {"tenant": single.tenant, "tenant_env": single.env} if single is not None else {}
    lifecycle = plan_lifecycle(root, facts, tool=tool, app_file=plan.app.file, modules=SourceSetModules(sources))
    if lifecycle.uses_registry and plan.handler is not None:
        lifecycle.registry_file = str(PurePosixPath(plan.handler.file).parent / "tenant_registry.py")
        lifecycle.registry_module = module_name_for(lifecycle.registry_file)
    return lifecycle


def _layout(plan: MigrationPlan, root: Path, project: Project, package: str) -> None:
    """Service modules, move targets and phase-1 states."""
    from migrator.apply.requirements import locate

    moving = plan.automatic
    names = service_names(sorted({r.file for r in moving}), package, root)
    services: dict[str, ServicePlan] = {}
    for route in moving:
        module = names[route.file]
        service = services.setdefault(module, ServicePlan(file=module.replace(".", "/") + ".py", module=module,
                                                          origin=route.file))
        if route.qualname not in service.functions:
            service.functions.append(route.qualname)
        origin = module_name_for(route.file)
        for helper in route.verdict.helpers:
            helper_module, _, name = helper.partition(":")
            if helper_module == origin and name not in service.helpers:
                service.helpers.append(name)
        route.move = MoveTarget(service_file=service.file, service_module=module, function=route.qualname)
    plan.services = [services[m] for m in sorted(services)]
    implemented = implemented_operations(moving)
    for route in plan.routes:
        if not route.mapped or route.verdict.status == "stays":
            route.state = "stays"
        elif route.verdict.automatic and route.operation not in implemented:
            route.state = "held"  # the operation answers 501: the legacy route keeps serving its clients
        elif route.verdict.automatic:
            route.state = "alias" if (route.methods[0], shape(route.path)) in alias_paths() else "moved"
        else:
            route.state = "manual"
    if moving:
        plan.requirement = locate(root)


def _mark_candidates(plan: MigrationPlan) -> None:
    """Of the served routes whose logic would implement one operation, phase 1 takes the first that moves in
    `primary_order` (else the first: its manual step leads); each other one says why it is only a candidate and is
    no longer its operation's primary (one operation, one primary: the report, the lifecycle and phase 1 agree).
    A candidate that moves is held: its logic moves like any other, but no standard operation runs it (an open
    sign-up is not an administrator's create_user), so phases 2 and 3 neither deprecate nor remove it."""
    groups: dict[str, list[PlannedRoute]] = {}
    for route in plan.routes:
        if route.mapped and route.primary and route.verdict.status != "stays" and route.app == plan.app.key:
            groups.setdefault(route.operation, []).append(route)
    for operation, routes in groups.items():
        if len(routes) < 2:
            continue
        routes = sorted(routes, key=primary_order)
        chosen = next((r for r in routes if r.verdict.automatic), routes[0])
        for route in routes:
            if route is not chosen:
                route.candidate = candidate_reason(route, chosen, operation)
                route.primary = False
                if route.state == "moved":  # no standard operation runs its logic: it keeps serving its clients
                    route.state = "held"


def implemented_operations(moving: list[PlannedRoute]) -> set[str]:
    """The operations the generated handler implements: those whose primary route moves (a variant alone, such as
    suspend without the update route, gives the template nothing to build the operation on)."""
    return {r.operation for r in moving if r.primary is not False}


def _phase1_files(plan: MigrationPlan, root: Path, shapes: bool = False) -> list[str]:
    if not plan.automatic or plan.app is None or plan.handler is None:
        return []
    files = {r.file for r in plan.automatic} | {plan.app.file, plan.handler.file, ".migrator/journal.json"}
    if shapes and plan.handler.shapes_file:
        files.add(plan.handler.shapes_file)
    files |= {s.file for s in plan.services}
    registry = [plan.lifecycle.registry_file] if plan.lifecycle and plan.lifecycle.registry_file else []
    files |= set(registry)
    for generated in [plan.handler.file, *(s.file for s in plan.services), *registry]:
        init = str(PurePosixPath(generated).parent / "__init__.py")
        if not (root / init).exists():
            files.add(init)
    if plan.requirement and not plan.requirement.present:
        files.add(plan.requirement.file)
    return sorted(files)


def _estimate(root: Path, plan: MigrationPlan, sources: SourceSet) -> RemovalEstimate:
    """Phase 3's estimate: phase 3's own analysis (`migrator.removal`) run now on the routes phase 1 moves."""
    moving = [route for route in plan.automatic if "." not in route.qualname]
    if not moving:
        return RemovalEstimate()  # nothing to analyse: the removal codemods (and LibCST's codemod package) stay unloaded
    from codemods._phase23_routes import RouteRef
    from migrator.removal import analyse_removal

    removals: dict[str, list[RouteRef]] = {}
    for route in moving:
        removals.setdefault(route.file, []).append(RouteRef(route.qualname, tuple(sorted(route.methods)), route.path))
    protected = {plan.handler.file, *(s.file for s in plan.services)} if plan.handler else set()
    removal = analyse_removal(root, removals, sources=sources, app=plan.app.file if plan.app else None,
                              protected=protected)
    decisions, summaries = removal.decisions, removal.summaries
    modules = []
    for file, lines in sorted(removal.lines_removed().items()):
        names = sorted(n for n in decisions.dead.get(file, set())
                       if (u := summaries[file].definition(n)) is not None and u.kind != "import")
        modules.append(RemovedModule(file=file, lines_total=summaries[file].lines, lines_removed=lines,
                                     whole_module=file in decisions.deleted, definitions=names))
    kept = [f"{file}:{name} (still used by {', '.join(users) or 'code of its own module'})"
            for (file, name), users in sorted(decisions.kept.items())]
    return RemovalEstimate(lines_removed=sum(m.lines_removed for m in modules), modules=modules, kept=kept)
