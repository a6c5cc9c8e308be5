"""Flatten the interpreted apps and routers into `Route`s with full paths (and report what stays unresolved).

Full path = app-level include prefixes + router prefixes + the route's own path, nested to any depth, exactly as
FastAPI concatenates them (a prefix never ends with "/", a path may be ""). A mounted sub-application's routes
appear under the mount path in the parent app. A route whose path needs a value not known statically is not
listed: it goes to `unresolved` with the file:line of the part that is not static.
"""

from __future__ import annotations

from migrator.pathtemplates import path_params

from . import ir
from .deps import Analyzer, Input, auth_of, dotted_name, headers_of, tenant_of
from .facts import ExprOp
from .interp import NONE, Interp
from .models import App, Param, Route, StateRead, Unresolved
from .tenancy import TenantRules, tenant_path_params
from .values import (
    DependsV,
    FuncV,
    RouteReg,
    RouterV,
    SchemeV,
    SeqV,
    Unknown,
    Value,
    describe,
)


def app_id(app: RouterV) -> str:
    return f"{app.var_file or app.file}:{app.var or '?'}"


class _Assembler:
    def __init__(self, interp: Interp, rules: TenantRules | None = None):
        self.interp = interp
        self.rules = rules or TenantRules()
        self.analyzer = Analyzer(interp, self.rules)
        self.routes: list[Route] = []
        self.unresolved: list[Unresolved] = []
        self.visited: set[int] = set()
        self._reported: set[tuple[str, int, str]] = set()
        # coverage: registrations (file, line) placed in an app, and why the others are not
        self.placed: set[tuple[str, int]] = set()
        self.reasons: dict[tuple[str, int], str] = {}
        self.app_models: list[App] = []
        self.sorted_routes: list[Route] = []

    def lost(self, router: RouterV, reason: str) -> None:
        """Every registration of `router` (and of what it includes) is not placed, for `reason`."""
        for reg in _registrations(router):
            self.reasons.setdefault((reg.file, reg.line), reason)

    def report(self, file: str, line: int, reason: str) -> None:
        key = (file, line, reason)
        if key not in self._reported:
            self._reported.add(key)
            self.unresolved.append(Unresolved(file=file, line=line, reason=reason))

    def walk(self, router: RouterV, prefix: str, deps: list[Value], cond: bool, schema: bool, app: RouterV,
             chain: tuple[int, ...], configured: bool = False) -> None:
        self.visited.add(id(router))
        if isinstance(router.prefix, Unknown):
            count = _count_routes(router)
            self.report(router.file, router.line,
                        f"prefix of router `{router.var or '?'}` is not static ({router.prefix.reason}); "
                        f"its {count} route(s) are not listed")
            self.lost(router, f"the prefix of router `{router.var or '?'}` ({router.file}:{router.line}) is not "
                              f"static: {router.prefix.reason}")
            return
        base = prefix + router.prefix
        deps = deps + router.dependencies
        cond = cond or router.conditional
        for reg in router.routes:
            self.emit(reg, router, base, deps, cond, schema, app, configured)
        for include in router.includes:
            target = include.router
            if not isinstance(target, RouterV):
                self.report(include.file, include.line,
                            f"include_router({include.text}): the router cannot be resolved statically "
                            f"({describe(target)})")
                continue
            if isinstance(include.prefix, Unknown):
                self.visited.add(id(target))
                self.report(include.file, include.line,
                            f"include_router({include.text}, prefix=...): {include.prefix.reason}; "
                            f"its {_count_routes(target)} route(s) are not listed")
                self.lost(target, f"included at {include.file}:{include.line} with a prefix that is not static: "
                                  f"{include.prefix.reason}")
                continue
            if id(target) in chain:
                self.report(include.file, include.line, f"include_router({include.text}) includes itself")
                continue
            self.walk(target, base + include.prefix, deps + include.dependencies, cond or include.conditional,
                      schema and include.include_in_schema, app, chain + (id(target),), configured or include.configured)
        for mount in router.mounts:
            if isinstance(mount.app, RouterV) and mount.app.kind == "app":
                if isinstance(mount.path, Unknown):
                    self.report(mount.file, mount.line, f"mount({mount.text}): path {mount.path.reason}")
                    self.lost(mount.app, f"mounted at {mount.file}:{mount.line} under a path that is not static: "
                                         f"{mount.path.reason}")
                    continue
                self.walk(mount.app, base + mount.path.rstrip("/"), [], cond or mount.conditional,
                          schema, app, chain + (id(mount.app),), configured)
            elif isinstance(mount.app, Unknown) and not mount.app.external:
                self.report(mount.file, mount.line,
                            f"mount(..., {mount.text}): the mounted application cannot be resolved statically "
                            f"({mount.app.reason})")

    def emit(self, reg: RouteReg, router: RouterV, base: str, deps: list[Value], cond: bool, schema: bool,
             app: RouterV, configured: bool = False) -> None:
        fv = reg.func
        assert isinstance(fv, FuncV)
        fact = fv.fact
        if not self._static(reg, fact.qualname):
            return
        self.placed.add((reg.file, reg.line))
        full = base + reg.path
        pparams = set(path_params(full))
        scoped = tenant_path_params(full)
        params, all_inputs, tenant_param, tenant_source = self._route_params(fv, pparams, scoped)
        level_inputs, dep_names = self._level_inputs(deps + reg.dependencies)  # app/include/router levels + decorator
        all_inputs.extend(level_inputs)
        identity = [p.name for p in params if p.kind in ("depends", "security")]
        all_inputs.extend(self.analyzer.body_inputs(fv, identity))  # headers read in the body, `user.tenant_id`
        if tenant_source is None:
            tenant_param, tenant_source = self._tenant_read(fv, params, identity, all_inputs, pparams, scoped)
        kwargs = dict(reg.kwargs)
        self.routes.append(Route(
            methods=list(reg.methods),
            path=full,
            function=f"{fv.module.module}.{fact.qualname}",
            qualname=fact.qualname,
            file=fv.module.file,
            line=fact.line,
            end_line=fact.end_line,
            decorator_line=reg.line if reg.registration == "decorator" else None,
            registration=reg.registration,
            registration_line=reg.line,
            registration_file=reg.file,
            router=router.var,
            router_file=router.var_file or router.file,
            app=app_id(app),
            is_async=fact.is_async,
            status_code=ir.unparse(kwargs.get("status_code")),
            response_model=ir.unparse(kwargs.get("response_model")),
            include_in_schema=schema and reg.include_in_schema,
            params=params,
            auth=auth_of(all_inputs, self.rules),
            headers=headers_of(all_inputs),
            tenant_source=tenant_source,
            tenant_param=tenant_param,
            conditional=cond or reg.conditional,
            configured=configured or reg.configured,
            closure=fact.nested,
            dependencies=dep_names,
        ))

    def _static(self, reg: RouteReg, qualname: str) -> bool:
        """Whether the registration's path and methods are known; else reported (and the route is not placed)."""
        for what, value in (("path", reg.path), ("methods", reg.methods)):
            if isinstance(value, Unknown):
                verb = "is" if what == "path" else "are"
                self.report(reg.file, reg.line, f"{what} of route `{qualname}` {verb} not static: {value.reason}")
                self.reasons.setdefault((reg.file, reg.line), f"its {what} {verb} not static: {value.reason}")
                return False
        return True

    def _route_params(self, fv: FuncV, pparams: set[str], scoped: frozenset[str] = frozenset()
                      ) -> tuple[list[Param], list[Input], str | None, str | None]:
        """The route function's parameters, every input they read, and the first that carries the tenant."""
        params: list[Param] = []
        all_inputs: list[Input] = []
        tenant_param = tenant_source = None
        for param in (p for p in fv.fact.params if p.kind not in ("star", "starstar")):
            info = self.analyzer.param(fv, param, pparams)
            all_inputs.extend(info.inputs)
            p_tenant = tenant_of(info.inputs, pparams, self.rules, scoped)
            solved = info.kind in ("depends", "security")
            # the route's own parameter carrying the tenant wins over a dependency before it reading the same one
            if p_tenant and (tenant_param is None or (not solved and p_tenant == tenant_source
                                                      and _is_dependency(params, tenant_param))):
                tenant_param, tenant_source = param.name, p_tenant
            params.append(Param(
                name=param.name,
                kind=info.kind,
                annotation=ir.unparse(param.annotation),
                default=ir.unparse(param.default),
                alias=info.alias,
                dependency=dotted_name(info.dependency) if solved else None,
                headers=headers_of(info.inputs),
                auth=auth_of(info.inputs, self.rules),
                reads_tenant=p_tenant is not None,
                queries=_queries(info.inputs, pparams) if solved else [],
                required_queries=_queries([i for i in info.inputs if i.required], pparams) if solved else [],
                paths=_path_reads(info.inputs, pparams) if solved else [],
                state=self._state_reads(info.inputs) if solved else [],
            ))
        return params, all_inputs, tenant_param, tenant_source

    def _state_reads(self, inputs: list[Input]) -> list[StateRead]:
        """The `request.state` attributes a dependency chain reads, each with the middleware setting it."""
        attrs = dict.fromkeys(i.name for i in inputs if i.kind == "state")
        return [StateRead(attr=attr, set_at=self.analyzer.state_setter(attr)) for attr in attrs]

    def _level_inputs(self, level_deps: list[Value]) -> tuple[list[Input], list[str]]:
        """What the dependencies of the app, include, router and decorator levels read, and their names."""
        inputs: list[Input] = []
        names: list[str] = []
        for dep in _flatten(level_deps):
            target = dep.target if isinstance(dep, DependsV) else dep
            inputs.extend(self.analyzer.inputs_of(target))
            name = dotted_name(target)
            if name and name not in names:
                names.append(name)
        return inputs, names

    def _tenant_read(self, fv: FuncV, params: list[Param], identity: list[str], all_inputs: list[Input],
                     pparams: set[str], scoped: frozenset[str] = frozenset()) -> tuple[str | None, str | None]:
        """The tenant when no parameter carries it: read by the levels' dependencies or the body (an identity's
        attribute: the route parameter that leads there), else the context the module sets."""
        tenant_param = None
        tenant_source = tenant_of(all_inputs, pparams, self.rules, scoped)
        if tenant_source and tenant_source.startswith("identity:"):
            tenant_param = tenant_source.split(":", 1)[1].split(".", 1)[0]
            if tenant_param not in identity:  # read inside a dependency: the route parameter that leads there
                tenant_param = next((p.name for p in params if any(
                    i.kind == "identity" for i in self.analyzer.inputs_of(self._dep(fv, p.name)))), None)
        if tenant_source is None:
            tenant_source = tenant_of(self.analyzer.context_inputs(), pparams, self.rules)
        return tenant_param, tenant_source

    def _dep(self, fv: FuncV, name: str) -> Value | None:
        param = next((p for p in fv.fact.params if p.name == name), None)
        if param is None:
            return None
        return self.analyzer.param(fv, param, set()).dependency


def _is_dependency(params: list[Param], name: str) -> bool:
    """Whether the route parameter `name` is a dependency (a tenant it reads is read for the route, not declared)."""
    return any(p.name == name and p.kind in ("depends", "security") for p in params)


def _queries(inputs: list[Input], path_params: set[str]) -> list[str]:
    out: list[str] = []
    for item in inputs:
        if item.kind in ("query", "param") and item.name not in path_params and item.name not in out:
            out.append(item.name)
    return out


def _path_reads(inputs: list[Input], path_params: set[str]) -> list[str]:
    return list(dict.fromkeys(i.name for i in inputs if i.kind in ("path", "param") and i.name in path_params))


def _flatten(values: list[Value]) -> list[Value]:
    out: list[Value] = []
    for value in values:
        if isinstance(value, SeqV):
            out.extend(_flatten(value.items))
        elif isinstance(value, (DependsV, FuncV, SchemeV)):
            out.append(value)
    return out


def _registrations(router: RouterV, seen: frozenset = frozenset()):
    if id(router) in seen:
        return
    yield from router.routes
    for include in router.includes:
        if isinstance(include.router, RouterV):
            yield from _registrations(include.router, seen | {id(router)})
    for mount in router.mounts:
        if isinstance(mount.app, RouterV):
            yield from _registrations(mount.app, seen | {id(router)})


def _count_routes(router: RouterV, seen: frozenset = frozenset()) -> int:
    if id(router) in seen:
        return 0
    total = len(router.routes)
    for include in router.includes:
        if isinstance(include.router, RouterV):
            total += _count_routes(include.router, seen | {id(router)})
    return total


def _skipped_include(interp: Interp, router: RouterV) -> str:
    """`: its include (file:line) is under `if <test>`, which ...` when a branch that does not run includes the
    router (`if settings.ENV == "development": api.include_router(private.router)`), else ""."""
    for branch in interp.skipped_branches:
        if branch.ctx is None:
            continue
        for op in branch.ops:
            call = op.value if isinstance(op, ExprOp) else None
            if not (isinstance(call, ir.Call) and isinstance(call.func, ir.Attr) and call.func.attr == "include_router"
                    and call.args and isinstance(call.args[0], (ir.Name, ir.Attr))):
                continue  # (a call would run code of a branch that does not run, and could make a router)
            if interp.eval(call.args[0], branch.ctx.but(line=op.line, parse=NONE)) is router:
                return (f": its include ({branch.file}:{op.line}) is under `if {branch.test}` ({branch.file}:"
                        f"{branch.line}), which {branch.why} with the default environment and settings")
    return ""


def assemble(interp: Interp, rules: TenantRules | None = None) -> tuple[list[App], list[Route], list[Unresolved]]:
    asm = assembler(interp, rules)
    return asm.app_models, asm.sorted_routes, asm.unresolved


def assembler(interp: Interp, rules: TenantRules | None = None) -> _Assembler:
    """Run the assembly; the assembler keeps what coverage needs (`placed`, `reasons`) besides the results."""
    asm = _Assembler(interp, rules)
    apps = [r for r in interp.routers if r.kind == "app"]
    for app in apps:
        if app.mounted_in is None:
            asm.walk(app, "", [], app.conditional, True, app, (id(app),))
    for router in list(interp.routers):
        if router.kind != "router" or id(router) in asm.visited or router.included:
            continue
        count = _count_routes(router)
        if count:
            skipped = _skipped_include(interp, router)
            asm.report(router.file, router.line, f"router `{router.var or '?'}` with {count} route(s) is not "
                       f"included in any app statically{skipped}")
            asm.lost(router, f"router `{router.var or '?'}` ({router.var_file or router.file}:"
                             f"{router.var_line or router.line}) is not included in any app statically{skipped}")
    app_models = [
        App(
            file=app.var_file or app.file,
            variable=app.var or "?",
            line=app.var_line or app.line,
            mounted_in=app_id(app.mounted_in) if app.mounted_in is not None else None,
        )
        for app in apps
    ]
    asm.app_models = app_models
    asm.sorted_routes = sorted(asm.routes, key=lambda r: (r.path, r.methods, r.app, r.file, r.line))
    return asm
