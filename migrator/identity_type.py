"""The type of the tenant attribute of the caller's identity (`member.org_id`, `organisation.id`): `int` when the
identity's class declares it an integer (`org_id: int`, `id: Mapped[int]`, `id = Column(Integer, primary_key=True)`,
`id: int | None = Field(primary_key=True)`), in the class or one of its bases; else `str`.

A route whose body reads only that attribute moves with the tenant id as its parameter: the legacy route passes
the attribute itself, so the standard side must pass the same type (`shims.adapters.legacy_tenant_id` turns the
standard string into the legacy int, as for a path tenant id typed `int`).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from codemods._signature import signature_nodes
from codemods._source import ModuleIndex, SourceSet

_INT_COLUMNS = frozenset({"Integer", "BigInteger", "SmallInteger", "INTEGER", "BIGINT", "SMALLINT", "INT"})
_WRAPPERS = frozenset({"Optional", "Mapped", "Annotated"})
_QUERIES = frozenset({"query", "get", "select", "get_or_404"})
_DEPTH = 5  # re-exports and base classes followed


def identity_id_type(param: cst.Param, dependency: Optional[str], attr: str, index: ModuleIndex,
                     sources: SourceSet) -> str:
    """`int` or `str`: the type of `<param>.<attr>`, from the parameter's annotation or else the return
    annotation of its dependency (`Depends(get_user_organisation)` returning `Organisation`)."""
    found = _param_class(param, dependency, index, sources)
    if found is None:
        return "str"
    return "int" if _attr_is_int(found[1], found[0], attr, sources, _DEPTH) else "str"


def identity_mismatch(param: cst.Param, dependency: Optional[str], identity: str, index: ModuleIndex,
                      sources: SourceSet) -> Optional[tuple[str, str]]:
    """(the parameter's class, the identity's class) when both are classes migrator can read and they differ: the
    parameter holds something its dependency derives from the caller's identity (`org: Org` from the admin), which
    `[tool.migrator] identity` ("pkg.module:function", giving an `Admin`) cannot stand in for. None when they are
    the same class or either is unknown (an `Annotated` alias, a callable class: the setting is trusted)."""
    mine = _param_class(param, dependency, index, sources)
    module_name, _, func_name = identity.partition(":")
    given = _class_returned_by(module_name, func_name, sources)
    if mine is None or given is None or (mine[0].module, mine[1].name.value) == (given[0].module, given[1].name.value):
        return None
    return mine[1].name.value, given[1].name.value


def _param_class(param: cst.Param, dependency: Optional[str], index: ModuleIndex,
                 sources: SourceSet) -> Optional[tuple[ModuleIndex, cst.ClassDef]]:
    """The class a parameter holds: its annotation, else the return annotation of its dependency."""
    base, _ = signature_nodes(param)
    found = _class_of(_type_name(base), index, sources) if base is not None else None
    if found is None and dependency:
        module_name, _, func_name = dependency.rpartition(".")
        found = _class_returned_by(module_name, func_name, sources)
    return found


def _class_returned_by(module_name: str, func_name: str,
                       sources: SourceSet) -> Optional[tuple[ModuleIndex, cst.ClassDef]]:
    """The class the top-level function `func_name` of `module_name` returns (`_returned_class`), if readable."""
    module = sources.get_module(module_name)
    func = module.function(func_name) if module is not None else None
    return _class_of(_returned_class(func), module, sources) if func is not None and module is not None else None


def _type_name(node: Optional[cst.BaseExpression]) -> Optional[str]:
    """`Member` of `Member`, `Optional[Member]`, `Member | None`, `"Member"`."""
    if isinstance(node, cst.Subscript) and (get_full_name_for_node(node.value) or "").rsplit(".", 1)[-1] in _WRAPPERS:
        first = node.slice[0].slice if node.slice else None
        return _type_name(first.value) if isinstance(first, cst.Index) else None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        for side in (node.left, node.right):
            if not (isinstance(side, cst.Name) and side.value == "None"):
                return _type_name(side)
        return None
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    if isinstance(node, cst.Name):
        return node.value
    return None


def _returned_class(func: cst.FunctionDef) -> Optional[str]:
    """The class a dependency returns: its return annotation, else what every `return` gives back: `Cls(...)`, or
    a name assigned from `Cls(...)` / a query of `Cls` (`session.query(Cls).filter(...).first()`,
    `session.get(Cls, id)`, `select(Cls)`)."""
    if func.returns is not None:
        return _type_name(func.returns.annotation)
    assigned: dict[str, cst.BaseExpression] = {}
    returned: set[Optional[str]] = set()
    for node in _walk(func.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            assigned[node.targets[0].target.value] = node.value
        elif isinstance(node, cst.Return) and node.value is not None and not _is_name(node.value, "None"):
            value = node.value
            if isinstance(value, cst.Name):
                value = assigned.get(value.value, value)
            returned.add(_queried_class(value))
    return returned.pop() if len(returned) == 1 else None


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        if not isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            yield from _walk(child)


def _queried_class(value: cst.BaseExpression) -> Optional[str]:
    """`Cls` of `Cls(...)`, `x.query(Cls)...`, `x.get(Cls, ...)`, `select(Cls)...` (the innermost call first)."""
    while isinstance(value, cst.Call):
        name = (get_full_name_for_node(value.func) or "").rsplit(".", 1)[-1]
        first = value.args[0].value if value.args and value.args[0].keyword is None else None
        if name in _QUERIES and isinstance(first, cst.Name):
            return first.value
        if isinstance(value.func, cst.Name) and name[:1].isupper():
            return name
        value = value.func.value if isinstance(value.func, cst.Attribute) else None
    return None


def _class_of(name: Optional[str], index: ModuleIndex, sources: SourceSet,
              depth: int = _DEPTH) -> Optional[tuple[ModuleIndex, cst.ClassDef]]:
    """The class `name` binds in `index`: defined there, or imported (followed through re-exports)."""
    if not name or depth == 0:
        return None
    node = index.globals_.get(name)
    if isinstance(node, cst.ClassDef):
        return index, node
    spec = index.import_of(name)
    if spec is None or not spec.name or not sources.may_define_class(spec.module, spec.name) and not (
            sources.module_path(spec.module) or "").endswith("__init__.py"):
        return None
    module = sources.get_module(spec.module)
    return _class_of(spec.name, module, sources, depth - 1) if module is not None else None


def _attr_is_int(cls: cst.ClassDef, index: ModuleIndex, attr: str, sources: SourceSet, depth: int) -> bool:
    for stmt in cls.body.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.AnnAssign) and _is_name(small.target, attr):
                return _type_name(small.annotation.annotation) == "int" or _int_column(small.value)
            if isinstance(small, cst.Assign) and any(_is_name(t.target, attr) for t in small.targets):
                return _int_column(small.value)
    if depth == 0:
        return False
    for arg in cls.bases:
        found = _class_of(_type_name(arg.value), index, sources)
        if found is not None and _attr_is_int(found[1], found[0], attr, sources, depth - 1):
            return True
    return False


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _int_column(value: Optional[cst.BaseExpression]) -> bool:
    """`Column(Integer, primary_key=True)`, `mapped_column(BigInteger())`, `Field(sa_column=Column(Integer))`."""
    if not isinstance(value, cst.Call):
        return False
    for arg in value.args:
        inner = arg.value.func if isinstance(arg.value, cst.Call) else arg.value
        if (get_full_name_for_node(inner) or "").rsplit(".", 1)[-1] in _INT_COLUMNS:
            return True
        if isinstance(arg.value, cst.Call) and _int_column(arg.value):
            return True
    return False
