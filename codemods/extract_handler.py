"""Phase 1 — move the logic of mapped legacy routes into handler methods; the routes become thin delegates.

Before, in a router module::

    @router.get("/dashboard/costs")
    async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
        with get_db(tenant_id) as db:
            rows = _cost_rows(db, _window_start(days))
        return {...}

After::

    @router.get("/dashboard/costs")
    async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(verify_tenant_admin)):
        return await market_handler.legacy_get_costs(days=days, tenant_id=tenant_id)

and the generated handler class gains ``async def legacy_get_costs(self, *, days: int = 30, tenant_id: str)`` with
the original body. What the body uses comes along: imports (made absolute), and module-level helpers, constants and
models of router modules (moved into the handler module, because the router modules now import the handler and the
handler must not import them back; a router that still uses a moved name imports it from the handler module).

The route keeps its decorators, signature, auth dependencies, status code and response model. Parameters the handler
cannot receive (auth dependencies, ``Request``, ``BackgroundTasks``, other request headers) are dropped when the body
does not read them; when it does, the route is refused with a reason and left untouched — the codemod never produces
code that silently behaves differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    ScopeProvider,
)

from ._util import ImportSpec, import_spec_for, is_docstring, module_name_for

_REQUEST_TYPES = {"Request", "WebSocket", "Response", "BackgroundTasks", "HTTPConnection", "StreamingResponse"}
_MARKERS = {
    "Depends": "depends",
    "Security": "depends",
    "Query": "query",
    "Path": "path",
    "Body": "body",
    "Form": "body",
    "File": "body",
    "Header": "header",
    "Cookie": "cookie",
}
_KEPT_KINDS = {"tenant", "path", "query", "body", "resource"}
ALREADY_DELEGATES = "already delegates to the handler"  # the refusal of a second run: not a manual step
# the inventory's parameter kinds, folded onto the few this codemod distinguishes
_KIND_ALIASES = {"background": "request", "response": "request", "security": "depends", "other": "query"}


# --- what the caller asks for and what it gets back ---------------------------------------------------------------


@dataclass
class MoveRequest:
    """Move the body of the top-level route function `function` into handler method `method`."""

    function: str
    method: str
    tenant_param: Optional[str] = None
    path: str = ""  # the route path, to tell path parameters from query parameters
    line: int = 0  # of the `def`, for messages
    param_kinds: dict[str, str] = field(default_factory=dict)  # kinds the inventory resolved (aliases in other modules)
    # dependencies that only provide a resource (a database handle): parameter -> dotted name of the function;
    # the delegate passes FastAPI's instance through, the standard methods call the function themselves
    resources: dict[str, str] = field(default_factory=dict)


@dataclass
class HandlerParam:
    name: str
    kind: str  # tenant | path | query | body | resource
    annotation: Optional[str]  # source text for the handler signature
    default: Optional[str]  # source text; None = required
    dependency: Optional[str] = None  # resource parameters: dotted name of the function that provides it


@dataclass
class MovedRoute:
    module: str
    function: str
    method: str
    is_async: bool
    params: list[HandlerParam]
    node: cst.FunctionDef  # the handler method


@dataclass
class Refusal:
    module: str
    function: str
    line: int
    reason: str


@dataclass
class _ModuleState:
    path: str
    module: str
    is_package: bool
    source: str
    wrapper: MetadataWrapper
    tree: cst.Module
    scopes: object
    globals_: dict[str, cst.CSTNode]  # top-level name -> defining statement
    moves: list[MoveRequest] = field(default_factory=list)
    routes: dict[str, cst.FunctionDef] = field(default_factory=dict)


class ExtractionError(Exception):
    pass


# --- parameter classification ----------------------------------------------------------------------------------


def _call_name(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Call):
        name = get_full_name_for_node(node.func)
        return name.rsplit(".", 1)[-1] if name else None
    return None


def _annotated_parts(annotation: Optional[cst.Annotation]) -> tuple[Optional[cst.BaseExpression], list]:
    """(base type, metadata expressions) of `Annotated[base, meta...]`, else (annotation, [])."""
    if annotation is None:
        return None, []
    expr = annotation.annotation
    if isinstance(expr, cst.Subscript) and (get_full_name_for_node(expr.value) or "").endswith("Annotated"):
        elements = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if elements:
            return elements[0], elements[1:]
    return expr, []


def _marker(expr: Optional[cst.BaseExpression]) -> Optional[tuple[str, cst.Call]]:
    name = _call_name(expr) if expr is not None else None
    if name in _MARKERS:
        return _MARKERS[name], expr  # type: ignore[return-value]
    return None


def _marker_default(call: cst.Call) -> tuple[bool, Optional[cst.BaseExpression]]:
    """(has_default, default expression) of `Query(30, ge=1)` / `Query(default=None)` / `Query(...)`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "default":
            return (not isinstance(arg.value, cst.Ellipsis)), arg.value
        if arg.keyword is None and arg.star == "":
            return (not isinstance(arg.value, cst.Ellipsis)), arg.value
    return False, None


def _path_params(path: str) -> set[str]:
    return {p.split(":")[0] for p in re.findall(r"{([^}]+)}", path)}


# --- the extraction -------------------------------------------------------------------------------------------------


class HandlerExtraction:
    """Collects moved routes, helpers and imports across router modules, then rewrites those modules.

    Stateful on purpose: a helper used by two router modules, or imported by one from another, must be moved once,
    and every module must agree on its name in the handler module.
    """

    def __init__(self, handler_module: str, instance: str, reserved_names: set[str]) -> None:
        self.handler_module = handler_module
        self.instance = instance
        self.modules: dict[str, _ModuleState] = {}
        self.moved: list[MovedRoute] = []
        self.refused: list[Refusal] = []
        self.imports: set[ImportSpec] = set()
        # (module, top-level name) -> name in the handler module, in the order they must be defined
        self.helpers: dict[tuple[str, str], str] = {}
        self._helper_nodes: dict[tuple[str, str], cst.CSTNode] = {}
        # `logger = logging.getLogger(__name__)` and the like are copied, not moved: each module keeps its own
        self._copied: set[tuple[str, str]] = set()
        self._duplicates: set[tuple[str, str]] = set()  # identical to a helper already taken from another module
        self._taken: set[str] = set(reserved_names)
        self._method_names: set[str] = set()

    # -- loading ---------------------------------------------------------------------------------------------------

    def add_module(self, path: str, source: str, moves: list[MoveRequest], tree: Optional[cst.Module] = None) -> None:
        """Add a router module; pass `tree` when the caller parsed `source` already (parse once)."""
        module = module_name_for(path)
        tree = tree if tree is not None else cst.parse_module(source)
        # the tree is ours alone: skip the defensive deep copy (it costs as much as the parse)
        wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        state = _ModuleState(
            path=path,
            module=module,
            is_package=path.endswith("__init__.py"),
            source=source,
            wrapper=wrapper,
            tree=wrapper.module,
            scopes=wrapper.resolve(ScopeProvider),
            globals_=_top_level_definitions(wrapper.module),
        )
        state.moves = moves
        self.modules[module] = state

    # -- planning ----------------------------------------------------------------------------------------------------

    def plan(self) -> None:
        """Decide, for every requested route, whether it moves; collect what the moved code needs."""
        for state in self.modules.values():
            for move in state.moves:
                func = state.globals_.get(move.function)
                if not isinstance(func, cst.FunctionDef):
                    self._refuse(state, move.function, 0, "the route function is not defined at module level "
                                 "(a closure or a factory): move it by hand")
                    continue
                problem = self._check_route(state, func, move)
                if problem:
                    self._refuse(state, move.function, move.line, problem)
                    continue
                pending = _Pending()
                params = self._handler_params(state, func, move, pending)
                if isinstance(params, str):
                    self._refuse(state, move.function, move.line, params)
                    continue
                pending.scan(self, state, func.body)
                if func.returns is not None:
                    pending.scan(self, state, func.returns)
                problem = self._resolve(state, pending)
                if problem:
                    self._refuse(state, move.function, move.line, problem)
                    continue
                self._commit(pending)
                state.routes[move.function] = func
                self.moved.append(self._build_method(state, func, move, params))

    def _refuse(self, state: _ModuleState, function: str, line: int, reason: str) -> None:
        self.refused.append(Refusal(state.module, function, line, reason))

    def _check_route(self, state: _ModuleState, func: cst.FunctionDef, move: MoveRequest) -> Optional[str]:
        if _is_delegate(func, self.instance):
            return ALREADY_DELEGATES
        kinds = _node_types(func.body)
        if cst.Yield in kinds:
            return "the body streams (yield): move it by hand"
        if cst.Global in kinds or cst.Nonlocal in kinds:
            return "the body rebinds module state (global/nonlocal): move it by hand"
        return None

    def _handler_params(self, state, func, move, pending) -> list[HandlerParam] | str:
        """The handler method's parameters, or the reason the route cannot move."""
        used = _names_used(func.body)
        path_params = _path_params(move.path)
        params: list[HandlerParam] = []
        all_params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
        if func.params.star_kwarg or isinstance(func.params.star_arg, cst.Param):
            return "takes *args/**kwargs: move it by hand"
        for param in all_params:
            name = param.name.value
            base, metadata = _annotated_parts(param.annotation)
            marker = next((mk for mk in map(_marker, metadata) if mk), None) or _marker(param.default)
            base_name = (get_full_name_for_node(base) or "").rsplit(".", 1)[-1] if base is not None else ""
            kind = _KIND_ALIASES.get(move.param_kinds.get(name), move.param_kinds.get(name))
            if name == move.tenant_param:
                kind = "tenant"
            elif name in move.resources:
                kind = "resource"
            elif kind is None:
                if base_name in _REQUEST_TYPES:
                    kind = "request"
                elif marker:
                    kind = marker[0]
                elif name in path_params:
                    kind = "path"
                else:
                    kind = "query"  # FastAPI's own default for a plain parameter (or a body model)
            if kind not in _KEPT_KINDS:
                if name in used:
                    return _refusal_for(kind, name, base_name, marker)
                continue
            if kind == "tenant":
                params.append(HandlerParam(name, kind, "str", None))
                continue
            if kind == "resource":
                annotation = base if metadata else param.annotation.annotation if param.annotation else None
                if annotation is not None:
                    pending.scan(self, state, annotation)
                text = state.tree.code_for_node(annotation) if annotation is not None else None
                params.append(HandlerParam(name, kind, text, None, move.resources[name]))
                continue
            annotation_text = state.tree.code_for_node(base) if base is not None else None
            if base is not None:
                pending.scan(self, state, base)
            default_marker = _marker(param.default)
            if default_marker:
                has_default, default_node = _marker_default(default_marker[1])
            else:
                has_default, default_node = param.default is not None, param.default
            default_text = None
            if has_default and default_node is not None:
                default_text = state.tree.code_for_node(default_node)
                pending.scan(self, state, default_node)
            params.append(HandlerParam(name, kind, annotation_text, default_text))
        if move.tenant_param and not any(p.kind == "tenant" for p in params):
            return f"the tenant parameter `{move.tenant_param}` is not a parameter of the route"
        return params

    def _resolve(self, state: _ModuleState, pending: "_Pending") -> Optional[str]:
        """Follow module-level references transitively; returns a reason when something cannot move."""
        worklist = list(pending.refs)
        seen = set()
        while worklist:
            module, name = worklist.pop()
            if (module, name) in seen:
                continue
            seen.add((module, name))
            owner = self.modules[module]
            node = owner.globals_.get(name)
            if node is None:
                return f"uses `{name}`, which is not defined at the top level of {module}"
            if isinstance(node, (cst.Import, cst.ImportFrom)):
                # another router module re-exports an import: the handler imports it from its origin
                spec = self._import_of(owner, name)
                if spec is None:
                    return f"cannot resolve the import of `{name}` in {module}"
                if spec.module in self.modules and spec.name:
                    worklist.append((spec.module, spec.name))
                else:
                    pending.imports.add(spec)
                continue
            if name in {mv.function for mv in owner.moves} or _is_route(node):
                return f"uses the route function `{name}` of {module}: move it by hand"
            if _is_router_object(node):
                return f"uses the router object `{name}`: move it by hand"
            if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.SimpleStatementLine)):
                return f"uses `{name}`, defined by a statement the codemod does not move ({type(node).__name__})"
            pending.helpers.append((module, name))
            sub = _Pending()
            sub.scan(self, owner, node)
            if sub.problem:
                return sub.problem
            pending.imports |= sub.imports
            worklist.extend(sub.refs)
        return pending.problem

    def _commit(self, pending: "_Pending") -> None:
        self.imports |= pending.imports
        for key in pending.helpers:
            if key in self.helpers:
                continue
            module, name = key
            node = self.modules[module].globals_[name]
            code = self.modules[module].tree.code_for_node(node).strip()
            twin = next((k for k, n in self._helper_nodes.items() if k[1] == name and k not in self._duplicates
                         and self.modules[k[0]].tree.code_for_node(n).strip() == code), None)
            if twin is not None:
                self.helpers[key] = self.helpers[twin]
                self._helper_nodes[key] = node
                self._duplicates.add(key)
            else:
                target = name if name not in self._taken else f"_{module.rsplit('.', 1)[-1]}_{name.lstrip('_')}"
                self._taken.add(target)
                self.helpers[key] = target
                self._helper_nodes[key] = node
            if isinstance(node, cst.SimpleStatementLine) and "__name__" in _names_used(node):
                self._copied.add(key)

    # -- building the handler's pieces --------------------------------------------------------------------------

    def _method_name(self, state: _ModuleState, move: MoveRequest) -> str:
        name = move.method
        if name in self._method_names:
            name = f"{name}_{state.module.rsplit('.', 1)[-1]}"
        self._method_names.add(name)
        return name

    def _build_method(self, state, func: cst.FunctionDef, move: MoveRequest, params: list[HandlerParam]) -> MovedRoute:
        name = self._method_name(state, move)
        signature = _signature(name, params, func.asynchronous is not None,
                               state.tree.code_for_node(func.returns.annotation) if func.returns else None)
        body = self._renamed(state, func.body)
        method = func.with_changes(
            name=cst.Name(name),
            decorators=[],
            params=signature.params,
            whitespace_before_params=signature.whitespace_before_params,
            body=body,
            leading_lines=[cst.EmptyLine()],
        )
        return MovedRoute(state.module, move.function, name, func.asynchronous is not None, params, method)

    def _renamed(self, state: _ModuleState, node: cst.CSTNode) -> cst.CSTNode:
        """`node` with references to moved or imported names rewritten to their names in the handler module."""
        targets = {}
        for (module, name), target in self.helpers.items():
            if module == state.module and name != target:
                targets[name] = target
        aliases = self._import_renames(state)
        targets.update(aliases)
        if not targets:
            return node
        scopes = state.scopes
        renames = {}
        for name_node in _name_nodes(node):
            new = targets.get(name_node.value)
            if new is None:
                continue
            scope = scopes.get(name_node)
            if scope is None:
                continue
            accesses = scope.accesses[name_node]
            if any(isinstance(a.scope, GlobalScope) for acc in accesses for a in acc.referents):
                renames[id(name_node)] = new
        return node.visit(_RenameNames(renames)) if renames else node

    def _import_renames(self, state: _ModuleState) -> dict[str, str]:
        """Names this module imports from another router module whose definition moved (and may be renamed)."""
        out = {}
        for name, node in state.globals_.items():
            if not isinstance(node, cst.ImportFrom):
                continue
            spec = self._import_of(state, name)
            if spec and spec.name and (spec.module, spec.name) in self.helpers:
                target = self.helpers[(spec.module, spec.name)]
                if target != name:
                    out[name] = target
        return out

    def _import_of(self, state: _ModuleState, name: str) -> Optional[ImportSpec]:
        scope = state.scopes.get(state.globals_[name])
        if scope is None:
            return None
        for assignment in scope.assignments[name]:
            if isinstance(assignment, ImportAssignment):
                try:
                    return import_spec_for(assignment, state.module, state.is_package)
                except ValueError:
                    return None
        return None

    def helper_statements(self) -> list[cst.CSTNode]:
        """Moved module-level definitions, renamed where needed, in a valid definition order."""
        out = []
        for key, target in self.helpers.items():
            if key in self._duplicates:
                continue
            module, name = key
            state = self.modules[module]
            node = self._renamed(state, self._helper_nodes[key])
            if target != name:
                node = _rename_definition(node, name, target)
            out.append((state.tree.body.index(self._helper_nodes[key]), module, node))
        # definitions keep their relative order within a module; modules in the order they were added
        order = {mod: i for i, mod in enumerate(self.modules)}
        out.sort(key=lambda item: (order[item[1]], item[0]))
        return [node for _, _, node in out]

    # -- rewriting the router modules ---------------------------------------------------------------------------

    def rewrite(self, external: Optional[dict[str, set[str]]] = None) -> dict[str, str]:
        """New source of every router module that changed: delegates, moved helpers removed, imports fixed.

        `external` maps a module to the names other files import from it: a moved name among them is re-exported
        from the handler module so that those imports keep working. Imports between the rewritten modules are
        handled the same way. Import edits reuse the scope analysis made for the move: an import goes only when
        every use of it moved; nothing else in the file changes.
        """
        needed = {module: set(names) for module, names in (external or {}).items()}
        plans = {}
        for state in self.modules.values():
            moved_here = [mv for mv in self.moved if mv.module == state.module]
            removed = {n for (module, n) in self.helpers if module == state.module and (module, n) not in self._copied}
            if not moved_here and not removed:
                continue
            delegates = {mv.function: mv for mv in moved_here}
            moved_nodes = [state.globals_[n] for n in removed] + [state.globals_[f].body for f in delegates]
            inside = {id(n) for node in moved_nodes for n in _name_nodes(node)}
            still_used = {n for n in removed if self._used_outside(state, n, inside)}
            dropped, kept_imports = self._import_edits(state, inside)
            plans[state.module] = (state, delegates, removed, still_used, dropped)
            for module, name in kept_imports:
                needed.setdefault(module, set()).add(name)
        result = {}
        for module, (state, delegates, removed, still_used, dropped) in plans.items():
            names = {self.instance: None}
            for name in still_used:
                target = self.helpers[(module, name)]
                names[target] = None if target == name else name
            for name in (needed.get(module, set()) & removed) - still_used:
                # `from handler import x as x`: an explicit re-export (linters such as ruff accept it as used)
                names[self.helpers[(module, name)]] = name
            line = _import_line(self.handler_module, names)
            tree = state.tree.visit(_Rewrite(state, delegates, removed, self.instance, dropped, line))
            result[state.path] = tree.code
        return result

    def _used_outside(self, state: _ModuleState, name: str, inside: set[int]) -> bool:
        global_scope = state.scopes[state.tree]
        return any(id(access.node) not in inside
                   for assignment in global_scope.assignments[name] for access in assignment.references)

    def _import_edits(self, state: _ModuleState, inside: set[int]) -> tuple[set[tuple[int, str]], set[tuple[str, str]]]:
        """(aliases to drop: every use moved; (module, name) still imported from another rewritten module)."""
        global_scope = state.scopes[state.tree]
        dropped: set[tuple[int, str]] = set()
        kept: set[tuple[str, str]] = set()
        for assignment in global_scope.assignments:
            if not isinstance(assignment, ImportAssignment):
                continue
            refs = list(assignment.references)
            if refs and all(id(access.node) in inside for access in refs):
                dropped.add((id(assignment.node), assignment.name))
                continue
            try:
                spec = import_spec_for(assignment, state.module, state.is_package)
            except ValueError:
                continue
            if spec.name and spec.module in self.modules:
                kept.add((spec.module, spec.name))
        return dropped, kept


class _Pending:
    """What one piece of moved code needs: imports, module-level names, and why it cannot move."""

    def __init__(self) -> None:
        self.imports: set[ImportSpec] = set()
        self.refs: list[tuple[str, str]] = []
        self.helpers: list[tuple[str, str]] = []
        self.problem: Optional[str] = None

    def scan(self, extraction: HandlerExtraction, state: _ModuleState, node: cst.CSTNode) -> None:
        scopes = state.scopes
        for name_node in _name_nodes(node):
            scope = scopes.get(name_node)
            if scope is None:
                continue
            try:
                accesses = scope.accesses[name_node]
            except KeyError:
                continue
            for access in accesses:
                for assignment in access.referents:
                    if not isinstance(assignment.scope, GlobalScope):
                        continue
                    if isinstance(assignment, ImportAssignment):
                        self._import(extraction, state, assignment)
                    else:
                        self.refs.append((state.module, assignment.name))

    def _import(self, extraction: HandlerExtraction, state: _ModuleState, assignment: ImportAssignment) -> None:
        try:
            spec = import_spec_for(assignment, state.module, state.is_package)
        except ValueError as exc:
            self.problem = self.problem or f"cannot resolve an import: {exc}"
            return
        if spec.module in extraction.modules:
            # a name from another router module: it must move too, or the handler would import a router module
            if spec.name is None:
                self.problem = self.problem or f"uses the router module {spec.module} as an object: move it by hand"
                return
            self.refs.append((spec.module, spec.name))
            return
        if spec.module == extraction.handler_module:
            self.problem = self.problem or "already refers to the handler module"
            return
        self.imports.add(spec)


class _RenameNames(cst.CSTTransformer):
    def __init__(self, renames: dict[int, str]) -> None:
        self.renames = renames

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(id(original))
        return updated.with_changes(value=new) if new else updated


class _Rewrite(cst.CSTTransformer):
    """Replaces moved route bodies by delegate calls, drops moved definitions and imports, adds the handler import."""

    def __init__(self, state: _ModuleState, delegates: dict[str, MovedRoute], removed: set[str], instance: str,
                 dropped: set[tuple[int, str]], import_line: cst.SimpleStatementLine):
        self.state = state
        self.delegates = delegates
        self.removed_nodes = {id(state.globals_[n]) for n in removed}
        self.routes = {id(state.globals_[f]): f for f in delegates}
        self.instance = instance
        self.dropped = dropped
        self.import_line = import_line

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef):
        if id(original) in self.removed_nodes:
            return cst.RemoveFromParent()
        name = self.routes.get(id(original))
        if name is None:
            return updated
        moved = self.delegates[name]
        args = ", ".join(f"{p.name}={p.name}" for p in moved.params)
        call = f"{self.instance}.{moved.method}({args})"
        if moved.is_async:
            call = f"await {call}"
        statements = []
        doc = original.get_docstring(clean=False)
        if doc is not None:
            statements.append(original.body.body[0])
        statements.append(cst.parse_statement(f"return {call}\n"))
        return updated.with_changes(body=updated.body.with_changes(body=statements))

    def _keep(self, original, alias) -> bool:
        bound = alias.evaluated_alias or (get_full_name_for_node(alias.name) or "")
        if isinstance(original, cst.Import) and alias.asname is None:
            bound = bound.split(".")[0]
        return (id(original), bound) not in self.dropped

    def _line_survives(self, stmt: cst.SimpleStatementLine) -> bool:
        for small in stmt.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
                return True
            if any(self._keep(small, alias) for alias in small.names):
                return True
        return False

    def visit_Module(self, node: cst.Module) -> None:
        survivors = [s for s in node.body if _is_import_line(s) and self._line_survives(s)]
        self.anchor = id(survivors[-1]) if survivors else None

    def leave_Import(self, original: cst.Import, updated: cst.Import):
        names = [a for a, o in zip(updated.names, original.names) if self._keep(original, o)]
        if len(names) == len(updated.names):
            return updated
        if not names:
            return cst.RemoveFromParent()
        return updated.with_changes(names=_fix_last_comma(names, False))

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if isinstance(original.names, cst.ImportStar):
            return updated
        names = [a for a, o in zip(updated.names, original.names) if self._keep(original, o)]
        if len(names) == len(updated.names):
            return updated
        if not names:
            return cst.RemoveFromParent()
        return updated.with_changes(names=_fix_last_comma(names, updated.lpar is not None))

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if id(original) in self.removed_nodes:
            return cst.RemoveFromParent()
        if id(original) == self.anchor:
            return cst.FlattenSentinel([updated, self.import_line])
        return updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        return cst.RemoveFromParent() if id(original) in self.removed_nodes else updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body = list(updated.body)
        if self.anchor is None:
            body.insert(_after_docstring(body), self.import_line)
        # a removed first statement must not leave its blank lines at the top of the file
        first_blank = bool(original.body) and any(line.comment is None for line in original.body[0].leading_lines)
        if body and not first_blank and not original.header and body[0] is not (original.body[0] if original.body
                                                                                   else None):
            lines = list(body[0].leading_lines)
            while lines and lines[0].comment is None:
                lines.pop(0)
            body[0] = body[0].with_changes(leading_lines=lines)
        return updated.with_changes(body=body)


def _fix_last_comma(names: list, parenthesized: bool) -> list:
    last = names[-1]
    if not parenthesized and last.comma is not cst.MaybeSentinel.DEFAULT:
        names[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return names


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body)


def _after_docstring(body: list) -> int:
    return 1 if body and is_docstring(body[0]) else 0


def _import_line(module: str, names: dict[str, Optional[str]]) -> cst.SimpleStatementLine:
    items = sorted(f"{name} as {alias}" if alias else name for name, alias in names.items())
    text = f"from {module} import {', '.join(items)}\n"
    if len(text) > 110:
        text = f"from {module} import (\n" + "".join(f"    {item},\n" for item in items) + ")\n"
    node = cst.parse_statement(text)
    assert isinstance(node, cst.SimpleStatementLine)
    return node


# --- small helpers ------------------------------------------------------------------------------------------------


def _signature(name: str, params: list[HandlerParam], is_async: bool, returns: Optional[str]) -> cst.FunctionDef:
    """A method header with keyword-only parameters; one parameter a line when one line would be long."""
    items = ["self"] + (["*"] if params else [])
    for p in params:
        text = p.name + (f": {p.annotation}" if p.annotation else "")
        if p.default is not None:
            text += f" = {p.default}" if p.annotation else f"={p.default}"
        items.append(text)
    prefix = "async def" if is_async else "def"
    tail = f" -> {returns}" if returns else ""
    one_line = f"{prefix} {name}({', '.join(items)}){tail}:"
    if len(one_line) + 4 <= 110 and "\n" not in one_line:
        code = f"{one_line}\n    pass\n"
    else:
        code = f"{prefix} {name}(\n" + "".join(f"    {item},\n" for item in items) + f"){tail}:\n    pass\n"
    node = cst.parse_statement(code)
    assert isinstance(node, cst.FunctionDef)
    return node


def _top_level_definitions(module: cst.Module) -> dict[str, cst.CSTNode]:
    out: dict[str, cst.CSTNode] = {}
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                        continue
                    for alias in small.names:
                        bound = alias.evaluated_alias or (get_full_name_for_node(alias.name) or "").split(".")[0]
                        out[bound] = small
                elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        out[target.value] = stmt
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    out[small.target.value] = stmt
        elif isinstance(stmt, cst.BaseCompoundStatement):
            # names bound inside if/try/with at module level: recorded so that a reference to them is refused
            for node in _collect(stmt).defs:
                out.setdefault(node.name.value, stmt)
    return out


def _is_route(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.FunctionDef):
        return False
    for dec in node.decorators:
        name = _call_name(dec.decorator) or ""
        if name in {"get", "post", "put", "patch", "delete", "api_route", "route", "websocket", "head", "options"}:
            return True
    return False


def _is_router_object(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        small = node.body[0]
        value = getattr(small, "value", None)
        return _call_name(value) in {"APIRouter", "FastAPI"} if value is not None else False
    return False


def _is_delegate(func: cst.FunctionDef, instance: str) -> bool:
    body = [s for s in func.body.body if not is_docstring(s)]
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine):
        return False
    stmt = body[0].body[0]
    if not isinstance(stmt, cst.Return) or stmt.value is None:
        return False
    value = stmt.value.expression if isinstance(stmt.value, cst.Await) else stmt.value
    return isinstance(value, cst.Call) and (get_full_name_for_node(value.func) or "").startswith(f"{instance}.")


def _names_used(node: cst.CSTNode) -> set[str]:
    return {n.value for n in _name_nodes(node)}


class _Collect(cst.CSTVisitor):
    """Name nodes and node types of a subtree in one plain pass (matchers' findall is far slower)."""

    def __init__(self) -> None:
        self.names: list[cst.Name] = []
        self.types: set[type] = set()
        self.defs: list = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.types.add(type(node))
        if isinstance(node, cst.Name):
            self.names.append(node)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.defs.append(node)
        return True


def _collect(node: cst.CSTNode) -> _Collect:
    collector = _Collect()
    node.visit(collector)
    return collector


def _name_nodes(node: cst.CSTNode) -> list[cst.Name]:
    return _collect(node).names


def _node_types(node: cst.CSTNode) -> set[type]:
    return _collect(node).types


def _refusal_for(kind: str, name: str, base_name: str, marker) -> str:
    if kind == "request":
        return f"the body uses `{base_name}` (parameter `{name}`), which the handler cannot receive: move it by hand"
    if kind == "depends":
        dep = get_full_name_for_node(marker[1].args[0].value) if marker and marker[1].args else "a dependency"
        return (f"the body reads `{name}` from the dependency `{dep}` (e.g. the calling admin's identity), "
                "which the handler cannot receive: move it by hand")
    if kind in {"header", "cookie"}:
        return f"the body reads the request {kind} `{name}`, which the handler cannot receive: move it by hand"
    return f"the body uses parameter `{name}` ({kind}), which the handler cannot receive: move it by hand"


def _rename_definition(node: cst.CSTNode, old: str, new: str) -> cst.CSTNode:
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.name.value == old:
        return node.with_changes(name=cst.Name(new))
    if isinstance(node, cst.SimpleStatementLine):
        small = node.body[0]
        if isinstance(small, cst.Assign):
            return node.with_changes(body=[small.with_changes(targets=[cst.AssignTarget(cst.Name(new))])])
        if isinstance(small, cst.AnnAssign):
            return node.with_changes(body=[small.with_changes(target=cst.Name(new))])
    return node
