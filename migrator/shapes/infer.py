"""`infer_response`: the JSON shape a legacy route answers, read statically from its code.

In order of authority: the route's ``response_model=`` (FastAPI filters the answer through it), its return
annotation when that is a model, else the ``return`` statements of the body. Expressions understood:
- dict literals (nested; keys that are string constants; ``**x`` merges of known objects, else the object is open),
  ``dict(k=v)``, list/tuple literals, list comprehensions (the element's shape), conditional expressions;
- local variables, flow-insensitively: every assignment, ``x["k"] = v``, ``x.update({...})``, ``x.append(v)``,
  ``x.extend(...)``/``x += [...]``; loop variables over a known list get its element;
- calls of the service's own functions (same module or imported, followed up to a few levels) and the shapes their
  ``return`` statements build; pydantic models built (``Model(...)``, ``Model.model_validate(...)``) or dumped
  (``.model_dump()`` / ``.dict()``: field names unless ``by_alias=True``); ``JSONResponse(content=...)``;
- raw SQL: ``db.execute("SELECT a, COUNT(*) AS n ...").fetchall()`` (or ``text(...)``, ``s.all(...)``,
  ``.fetchone()``...) gives rows keyed by the select list (see `migrator.shapes.sql`);
- builtins with a known result type (``len``, ``round``, ``str``, ``bool``, ...), ``.isoformat()`` and friends.
Anything else is ``unknown`` with the reason: a field whose value comes from ``row["x"]`` of an unknown row is a
field of unknown type, not a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .classes import ClassShapes, is_model_class
from .model import FieldShape, InferredResponse, Shape, Where
from .source import Resolver, SourceModule, resolve_expr, resolve_name
from .sql import is_select, select_columns

_MAX_CALL_DEPTH = 4
_STR_METHODS = {"isoformat", "strftime", "lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize",
                "format", "join", "replace", "hex", "decode", "model_dump_json", "json", "casefold"}
_VALIDATORS = {"model_validate", "parse_obj", "from_orm", "model_validate_json", "parse_raw", "model_construct",
               "construct", "validate"}
_RESPONSES = {"JSONResponse", "ORJSONResponse", "UJSONResponse"}
_ONE_ROW = {"fetchone", "first", "one", "one_or_none", "fetch_one", "fetchrow", "get", "mappings_one"}
_SCALAR = {"scalar", "scalar_one", "scalar_one_or_none", "fetchval", "fetch_val"}
_ROW_METHODS = {"all", "fetchall", "mappings", "unique", "fetch_all", "fetchmany"}
_ROW_BUILTINS = {"int": "int", "len": "int", "ord": "int", "hash": "int", "float": "float", "str": "str", "repr": "str",
                 "chr": "str", "format": "str", "bool": "bool", "isinstance": "bool", "any": "bool", "all": "bool",
                 "callable": "bool"}
_SEQUENCE_BUILTINS = {"list", "sorted", "tuple", "reversed", "set", "frozenset"}


# --- merging the shapes of several code paths -------------------------------------------------------------------------


def merge(a: Optional[Shape], b: Optional[Shape]) -> Optional[Shape]:
    """The shape of a value that is `a` on some paths and `b` on others."""
    if a is None or b is None:
        return a if b is None else b
    if a.kind == "unknown" or b.kind == "unknown":
        known = b if a.kind == "unknown" else a
        if known.kind == "object":  # another path is unknown: it may add keys
            return known.model_copy(update={"open": True})
        return a if a.kind == "unknown" else b
    if a.kind == "scalar" and a.type == "null":
        return b.model_copy(update={"nullable": True})
    if b.kind == "scalar" and b.type == "null":
        return a.model_copy(update={"nullable": True})
    if a.kind != b.kind:
        return Shape.unknown(f"a {a.describe()} on some paths, a {b.describe()} on others", a.origin)
    nullable = a.nullable or b.nullable
    if a.kind == "scalar":
        types = {a.type, b.type}
        type_ = a.type if len(types) == 1 else "float" if types == {"int", "float"} else None
        return Shape.scalar(type_, a.origin or b.origin, nullable)
    if a.kind == "list":
        return a.model_copy(update={"item": merge(a.item, b.item), "nullable": nullable})
    fields: dict[str, FieldShape] = {}
    for key in list(a.fields) + [k for k in b.fields if k not in a.fields]:
        left, right = a.fields.get(key), b.fields.get(key)
        if left is None or right is None:
            present = left or right
            fields[key] = present.model_copy(update={"optional": True})
        else:
            fields[key] = FieldShape(
                shape=merge(left.shape, right.shape), origin=left.origin or right.origin,
                optional=left.optional or right.optional,
            )
    return Shape.object(fields, a.origin or b.origin, open=a.open or b.open, nullable=nullable,
                        model=a.model if a.model == b.model else None)


# --- what a function binds locally ----------------------------------------------------------------------------------


@dataclass
class _Scope:
    """A function's local bindings, collected once and read flow-insensitively."""

    params: dict[str, cst.Param] = field(default_factory=dict)
    assigned: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    iterated: dict[str, cst.BaseExpression] = field(default_factory=dict)  # loop variable -> iterable
    opaque: set[str] = field(default_factory=set)  # unpacked, ``with ... as``, ``except ... as``
    keys: dict[str, list[tuple[str, cst.BaseExpression, cst.CSTNode, bool]]] = field(default_factory=dict)
    items: dict[str, list[tuple[cst.BaseExpression, bool]]] = field(default_factory=dict)  # (expr, is_many)
    returns: list[cst.Return] = field(default_factory=list)


class _Collector(cst.CSTVisitor):
    def __init__(self, scope: _Scope) -> None:
        self.scope = scope
        self.nesting = 0  # inside if/for/while/try: a key set there may be absent

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def _nested(self, node: cst.CSTNode) -> None:
        self.nesting += 1

    def _unnested(self, node: cst.CSTNode) -> None:
        self.nesting -= 1

    visit_If = visit_While = visit_Try = _nested  # type: ignore[assignment]
    leave_If = leave_While = leave_Try = _unnested  # type: ignore[assignment]

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self.scope.iterated[node.target.value] = node.iter
        else:
            self._opaque(node.target)
        self.nesting += 1

    def leave_For(self, node: cst.For) -> None:
        self.nesting -= 1

    def visit_Return(self, node: cst.Return) -> None:
        self.scope.returns.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign(target.target, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            self.scope.items.setdefault(node.target.value, []).append((node.value, True))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._opaque(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._opaque(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self.scope.assigned.setdefault(node.target.value, []).append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return
        name, method = func.value.value, func.attr.value
        args = [a for a in node.args if a.keyword is None and not a.star]
        if method == "append" and args:
            self.scope.items.setdefault(name, []).append((args[0].value, False))
        elif method == "insert" and len(args) == 2:
            self.scope.items.setdefault(name, []).append((args[1].value, False))
        elif method == "extend" and args:
            self.scope.items.setdefault(name, []).append((args[0].value, True))
        elif method == "update":
            for arg in node.args:
                if arg.keyword is not None:
                    self._key(name, arg.keyword.value, arg.value, arg)
                elif isinstance(arg.value, cst.Dict):
                    for element in arg.value.elements:
                        key = _static_key(element.key) if isinstance(element, cst.DictElement) else None
                        if key is not None:
                            self._key(name, key, element.value, element)
        elif method == "setdefault" and len(args) == 2:
            key = _static_key(args[0].value)
            if key is not None:
                self._key(name, key, args[1].value, node, optional=True)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.scope.assigned.setdefault(target.value, []).append(value)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and len(target.slice) == 1:
            index = target.slice[0].slice
            key = _static_key(index.value) if isinstance(index, cst.Index) else None
            if key is not None:
                self._key(target.value.value, key, value, node)
        elif isinstance(target, (cst.Tuple, cst.List)):
            self._opaque(target)

    def _key(self, name: str, key: str, value: cst.BaseExpression, node: cst.CSTNode, optional: bool = False) -> None:
        self.scope.keys.setdefault(name, []).append((key, value, node, optional or self.nesting > 0))

    def _opaque(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.scope.opaque.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._opaque(element.value)
        elif isinstance(target, cst.StarredElement):
            self._opaque(target.value)


_STATUS_NAME = re.compile(r"HTTP_(\d{3})_")


def _error_status(call: cst.Call) -> Optional[int]:
    """The status of `JSONResponse(content, status_code=410)` (or `status.HTTP_410_GONE`) when it is an error."""
    status = next((a.value for a in call.args if a.keyword and a.keyword.value == "status_code"), None)
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    status = status if status is not None else (positional[1] if len(positional) > 1 else None)
    code: Optional[int] = None
    if isinstance(status, cst.Integer):
        code = int(status.value)
    elif isinstance(status, cst.Attribute):
        found = _STATUS_NAME.match(status.attr.value)
        code = int(found.group(1)) if found else None
    return code if code is not None and code >= 400 else None


def _scope_of(func: cst.FunctionDef) -> _Scope:
    scope = _Scope()
    params = func.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        scope.params[param.name.value] = param
    func.body.visit(_Collector(scope))
    return scope


def _table_value(table: Shape) -> Optional[Shape]:
    """What `table[some_key]` gives when the key is data: the record of a table keyed by ids (`item`), or the values
    of a mapping whose values all have one kind (``{"t1": [...], "t2": [...]}``, merged); None otherwise."""
    if table.item is not None:
        return table.item
    values = [field.shape for field in table.fields.values()]
    if not values or table.model is not None or len({value.kind for value in values}) != 1:
        return None
    merged: Optional[Shape] = None
    for value in values:
        merged = merge(merged, value)
    return merged if merged is not None and merged.kind != "unknown" else None


def _common_fields(records: list[Shape]) -> Shape:
    """One record of a table: the keys every record has, as the first one gives them."""
    common = set(records[0].fields).intersection(*(set(r.fields) for r in records[1:]))
    first = records[0]
    return first.model_copy(update={"fields": {k: f for k, f in first.fields.items() if k in common}})


def _static_key(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


# --- the evaluator --------------------------------------------------------------------------------------------------


@dataclass
class _Frame:
    module: SourceModule
    scope: Optional[_Scope]
    bindings: dict[str, Shape] = field(default_factory=dict)  # comprehension variables
    active: frozenset[str] = frozenset()  # locals being evaluated (self-references stop)
    depth: int = 0  # helper-call depth


class Evaluator:
    """Shapes of expressions and of functions' return values, memoised per function."""

    def __init__(self, modules: Resolver, classes: Optional[ClassShapes] = None) -> None:
        self.modules = modules
        self.classes = classes or ClassShapes(modules)
        self._returns: dict[int, Shape] = {}
        self._scopes: dict[int, _Scope] = {}
        self._active_functions: set[int] = set()
        self._model_nodes: dict[str, tuple[cst.ClassDef, SourceModule]] = {}

    # -- functions -----------------------------------------------------------------------------------------------

    def scope(self, func: cst.FunctionDef) -> _Scope:
        if id(func) not in self._scopes:
            self._scopes[id(func)] = _scope_of(func)
        return self._scopes[id(func)]

    def returns(self, func: cst.FunctionDef, module: SourceModule, depth: int = 0) -> Shape:
        """The merged shape of every ``return`` of `func` (annotations of helpers are not trusted over the body)."""
        key = id(func)
        if key in self._returns:
            return self._returns[key]
        if key in self._active_functions or depth > _MAX_CALL_DEPTH:
            return Shape.unknown(f"{func.name.value}() is recursive or called too deep", module.origin(func))
        self._active_functions.add(key)
        try:
            scope = self.scope(func)
            frame = _Frame(module, scope, depth=depth)
            shape: Optional[Shape] = None
            errors: list[Shape] = []  # paths answering an error status: the client reads no success shape there
            for ret in scope.returns:
                value = self.eval(ret.value, frame) if ret.value is not None else Shape.scalar("null")
                if value.error is not None:
                    errors.append(value)
                else:
                    shape = merge(shape, value)
            if shape is None and errors:
                shape = errors[0]  # every path answers an error
            if shape is None:
                shape = Shape.unknown(f"{func.name.value}() has no return statement", module.origin(func))
        finally:
            self._active_functions.discard(key)
        self._returns[key] = shape
        return shape

    # -- expressions ---------------------------------------------------------------------------------------------

    def eval(self, expr: cst.BaseExpression, frame: _Frame) -> Shape:
        origin = frame.module.origin(expr)
        method = getattr(self, f"_eval_{type(expr).__name__}", None)
        if method is not None:
            return method(expr, frame, origin)
        return Shape.unknown(f"a {type(expr).__name__} expression", origin)

    def _eval_SimpleString(self, expr: cst.BaseExpression, frame: _Frame, origin: Optional[Where]) -> Shape:
        return Shape.scalar("str", origin)

    _eval_ConcatenatedString = _eval_FormattedString = _eval_SimpleString

    def _eval_Integer(self, expr: cst.Integer, frame: _Frame, origin: Optional[Where]) -> Shape:
        return Shape.scalar("int", origin)

    def _eval_Float(self, expr: cst.Float, frame: _Frame, origin: Optional[Where]) -> Shape:
        return Shape.scalar("float", origin)

    def _eval_Await(self, expr: cst.Await, frame: _Frame, origin: Optional[Where]) -> Shape:
        return self.eval(expr.expression, frame)

    def _eval_NamedExpr(self, expr: cst.NamedExpr, frame: _Frame, origin: Optional[Where]) -> Shape:
        return self.eval(expr.value, frame)

    def _eval_Comparison(self, expr: cst.BaseExpression, frame: _Frame, origin: Optional[Where]) -> Shape:
        return Shape.scalar("bool", origin)

    def _eval_UnaryOperation(self, expr: cst.UnaryOperation, frame: _Frame, origin: Optional[Where]) -> Shape:
        if isinstance(expr.operator, cst.Not):
            return Shape.scalar("bool", origin)
        return self.eval(expr.expression, frame)

    def _eval_IfExp(self, expr: cst.IfExp, frame: _Frame, origin: Optional[Where]) -> Shape:
        return merge(self.eval(expr.body, frame), self.eval(expr.orelse, frame))

    def _eval_BooleanOperation(self, expr: cst.BooleanOperation, frame: _Frame, origin: Optional[Where]) -> Shape:
        left, right = self.eval(expr.left, frame), self.eval(expr.right, frame)
        if isinstance(expr.operator, cst.Or):  # ``x or default``: x when truthy, else the default
            return merge(left.model_copy(update={"nullable": False}), right)
        return merge(left, right)

    def _eval_BinaryOperation(self, expr: cst.BinaryOperation, frame: _Frame, origin: Optional[Where]) -> Shape:
        left, right = self.eval(expr.left, frame), self.eval(expr.right, frame)
        types = {left.type if left.kind == "scalar" else None, right.type if right.kind == "scalar" else None}
        if isinstance(expr.operator, cst.Modulo) and left.kind == "scalar" and left.type == "str":
            return Shape.scalar("str", origin)
        if types == {"str"} and isinstance(expr.operator, cst.Add):
            return Shape.scalar("str", origin)
        if types <= {"int", "float"} and None not in types:
            if isinstance(expr.operator, cst.Divide) or "float" in types:
                return Shape.scalar("float", origin)
            return Shape.scalar("int", origin)
        if left.kind == "list" and right.kind == "list" and isinstance(expr.operator, cst.Add):
            return merge(left, right)
        return Shape.unknown("arithmetic on values of unknown type", origin)

    def _eval_Name(self, expr: cst.Name, frame: _Frame, origin: Optional[Where]) -> Shape:
        name = expr.value
        if name in ("True", "False"):
            return Shape.scalar("bool", origin)
        if name == "None":
            return Shape.scalar("null", origin)
        if name in frame.bindings:
            return frame.bindings[name]
        if frame.scope is not None and self._is_local(name, frame.scope):
            return self._local(name, frame, origin)
        return self._global(name, frame, origin)

    def _eval_Dict(self, expr: cst.Dict, frame: _Frame, origin: Optional[Where]) -> Shape:
        fields: dict[str, FieldShape] = {}
        records: list[Shape] = []  # values under keys that are no strings (`{1: {...}, 2: {...}}`)
        is_open = False
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                merged = self.eval(element.value, frame)
                if merged.kind == "object":
                    fields.update(merged.fields)
                    is_open = is_open or merged.open
                else:
                    is_open = True
                continue
            key = _static_key(element.key) or self._constant_str(element.key, frame)
            if key is None:
                is_open = True
                records.append(self.eval(element.value, frame))
                continue
            where = frame.module.origin(element.key)
            fields[key] = FieldShape(shape=self.eval(element.value, frame), origin=where)
        table = Shape.object(fields, origin, open=is_open)
        if records and not fields and all(r.kind == "object" for r in records):
            # a table of records keyed by id: `item` is the shape of one record (what `table[some_id]` gives)
            table = table.model_copy(update={"item": _common_fields(records)})
        return table

    def _eval_List(self, expr: cst.List, frame: _Frame, origin: Optional[Where]) -> Shape:
        item: Optional[Shape] = None
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                spread = self.eval(element.value, frame)
                item = merge(item, spread.item if spread.kind == "list" else Shape.unknown("spread of unknown items"))
            else:
                item = merge(item, self.eval(element.value, frame))
        return Shape(kind="list", item=item, origin=origin)

    _eval_Tuple = _eval_Set = _eval_List

    def _eval_ListComp(self, expr: cst.ListComp, frame: _Frame, origin: Optional[Where]) -> Shape:
        inner = self._comprehension_frame(expr.for_in, frame)
        return Shape.list_of(self.eval(expr.elt, inner), origin)

    _eval_SetComp = _eval_GeneratorExp = _eval_ListComp

    def _eval_DictComp(self, expr: cst.DictComp, frame: _Frame, origin: Optional[Where]) -> Shape:
        """Keys known only when iterating the keys (or ``.items()``) of an object whose keys are known:
        ``{key: f(x[key]) for key in DEFAULTS}``; anything else is an object with unknown keys."""
        for_in = expr.for_in
        if for_in.inner_for_in is not None or for_in.ifs or not isinstance(expr.key, cst.Name):
            return Shape.object({}, origin, open=True)
        iterable, key_name, value_name = for_in.iter, expr.key.value, None
        if (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute)
                and iterable.func.attr.value == "items" and isinstance(for_in.target, cst.Tuple)
                and len(for_in.target.elements) == 2):
            first, second = (e.value for e in for_in.target.elements)
            if not (isinstance(first, cst.Name) and first.value == key_name and isinstance(second, cst.Name)):
                return Shape.object({}, origin, open=True)
            iterable, value_name = iterable.func.value, second.value
        elif not (isinstance(for_in.target, cst.Name) and for_in.target.value == key_name):
            return Shape.object({}, origin, open=True)
        source = self.eval(iterable, frame)
        if source.kind != "object" or source.open:
            return Shape.object({}, origin, open=True)
        fields = {}
        for key, known in source.fields.items():
            bindings = {**frame.bindings, key_name: Shape.scalar("str")}
            if value_name is not None:
                bindings[value_name] = known.shape
            inner = _Frame(frame.module, frame.scope, bindings, frame.active, frame.depth)
            fields[key] = FieldShape(shape=self.eval(expr.value, inner), origin=origin, optional=known.optional)
        return Shape.object(fields, origin)

    def _eval_Subscript(self, expr: cst.Subscript, frame: _Frame, origin: Optional[Where]) -> Shape:
        base = self.eval(expr.value, frame)
        index = expr.slice[0].slice if len(expr.slice) == 1 else None
        if isinstance(index, cst.Index):
            key = _static_key(index.value) or self._constant_str(index.value, frame)
            if key is not None and base.kind == "object":
                found = base.fields.get(key)
                if found is not None:
                    return found.shape
            if base.kind == "list" and isinstance(index.value, (cst.Integer, cst.UnaryOperation)):
                return base.item or Shape.unknown("an element of an empty list", origin)
            if key is None and base.kind == "object" and (value := _table_value(base)) is not None:
                return value  # `USERS[user_id]`: one value of a table keyed by data
        if base.kind == "list" and isinstance(index, cst.Slice):
            return base
        label = get_full_name_for_node(expr.value) or "a value"
        return Shape.unknown(f"an item of {label}", origin)

    def _eval_Attribute(self, expr: cst.Attribute, frame: _Frame, origin: Optional[Where]) -> Shape:
        base = self.eval(expr.value, frame)
        if base.kind == "object" and base.model is not None:
            found = self._model_field(base, expr.attr.value)
            if found is not None:
                return found
        return Shape.unknown(f"attribute {get_full_name_for_node(expr) or expr.attr.value}", origin)

    def _eval_Call(self, expr: cst.Call, frame: _Frame, origin: Optional[Where]) -> Shape:
        rows = self._sql_rows(expr, frame, origin)
        if rows is not None:
            return rows
        func = expr.func
        if isinstance(func, cst.Attribute):
            shape = self._method(expr, func, frame, origin)
            if shape is not None:
                return shape
        if isinstance(func, cst.Name) and not self._shadowed(func.value, frame):
            shape = self._builtin(expr, func.value, frame, origin)
            if shape is not None:
                return shape
        return self._callee(expr, frame, origin)

    # -- names ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _is_local(name: str, scope: _Scope) -> bool:
        return (name in scope.assigned or name in scope.params or name in scope.iterated or name in scope.opaque
                or name in scope.keys or name in scope.items)

    def _shadowed(self, name: str, frame: _Frame) -> bool:
        return (name in frame.bindings or (frame.scope is not None and self._is_local(name, frame.scope))
                or name in frame.module.definitions or name in frame.module.imports)

    def _local(self, name: str, frame: _Frame, origin: Optional[Where]) -> Shape:
        scope = frame.scope
        assert scope is not None
        if name in frame.active:
            return Shape.unknown(f"{name} refers to itself", origin)
        inner = _Frame(frame.module, scope, frame.bindings, frame.active | {name}, frame.depth)
        shape: Optional[Shape] = None
        for value in scope.assigned.get(name, ()):
            shape = merge(shape, self.eval(value, inner))
        if name in scope.iterated:
            iterable = self.eval(scope.iterated[name], inner)
            element = iterable.item if iterable.kind == "list" and iterable.item is not None else None
            shape = merge(shape, element or Shape.unknown(f"loop variable {name}", origin))
        if name in scope.opaque:
            shape = merge(shape, Shape.unknown(f"{name} is bound by unpacking, `with` or `except`", origin))
        if name in scope.params and shape is None:
            shape = self._param(scope.params[name], frame, origin)
        shape = self._with_keys(name, shape, inner)
        shape = self._with_items(name, shape, inner)
        return shape or Shape.unknown(f"local {name}", origin)

    def _param(self, param: cst.Param, frame: _Frame, origin: Optional[Where]) -> Shape:
        if param.annotation is not None:
            shape = self.classes.annotation_shape(param.annotation.annotation, frame.module)
            if (shape.kind == "object" and shape.model is not None) or shape.kind == "scalar":
                return shape  # FastAPI validated the parameter against its annotation
        return Shape.unknown(f"parameter {param.name.value}", origin)

    def _with_keys(self, name: str, shape: Optional[Shape], frame: _Frame) -> Optional[Shape]:
        keys = frame.scope.keys.get(name) if frame.scope else None
        if not keys:
            return shape
        if shape is None or shape.kind == "unknown":
            base = Shape.object({}, shape.origin if shape else None, open=shape is not None)
        elif shape.kind == "object":
            base = shape
        else:
            return shape
        fields = dict(base.fields)
        for key, value, node, optional in keys:
            previous = fields.get(key)
            value_shape = self.eval(value, frame)
            if previous is not None:
                value_shape = merge(previous.shape, value_shape)
                optional = optional and previous.optional
            fields[key] = FieldShape(shape=value_shape, origin=frame.module.origin(node), optional=optional)
        return base.model_copy(update={"fields": fields})

    def _with_items(self, name: str, shape: Optional[Shape], frame: _Frame) -> Optional[Shape]:
        items = frame.scope.items.get(name) if frame.scope else None
        if not items or (shape is not None and shape.kind != "list"):
            return shape
        item = shape.item if shape is not None else None
        for value, many in items:
            added = self.eval(value, frame)
            if many:
                added = added.item if added.kind == "list" else Shape.unknown("items of an unknown sequence")
            item = merge(item, added)
        base = shape or Shape(kind="list")
        return base.model_copy(update={"item": item})

    def _global(self, name: str, frame: _Frame, origin: Optional[Where]) -> Shape:
        where, definition, _ = resolve_name(frame.module, name, self.modules)
        if isinstance(definition, (cst.Assign, cst.AnnAssign)) and definition.value is not None and where is not None:
            return self.eval(definition.value, _Frame(where, None, depth=frame.depth + 1))
        return Shape.unknown(f"{name} is not a value defined in the service", origin)

    def _constant_str(self, expr: Optional[cst.BaseExpression], frame: _Frame) -> Optional[str]:
        """A module-level string constant used as a key (``KEY = "total"``)."""
        if not isinstance(expr, cst.Name):
            return None
        if frame.scope is not None and self._is_local(expr.value, frame.scope):
            return None
        where, definition, _ = resolve_name(frame.module, expr.value, self.modules)
        if isinstance(definition, (cst.Assign, cst.AnnAssign)):
            return _static_key(definition.value)
        return None

    def _comprehension_frame(self, for_in: cst.CompFor, frame: _Frame) -> _Frame:
        bindings = dict(frame.bindings)
        inner = _Frame(frame.module, frame.scope, bindings, frame.active, frame.depth)
        node: Optional[cst.CompFor] = for_in
        while node is not None:
            iterable = self.eval(node.iter, inner)
            self._bind(node.target, iterable, bindings, frame)
            node = node.inner_for_in
        return inner

    def _bind(self, target: cst.BaseExpression, iterable: Shape, bindings: dict[str, Shape], frame: _Frame) -> None:
        if isinstance(target, cst.Name):
            element = iterable.item if iterable.kind == "list" and iterable.item is not None else None
            bindings[target.value] = element or Shape.unknown(f"loop variable {target.value}")
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, Shape.unknown("unpacked"), bindings, frame)

    # -- calls ---------------------------------------------------------------------------------------------------

    def _method(self, call: cst.Call, func: cst.Attribute, frame: _Frame, origin: Optional[Where]) -> Optional[Shape]:
        name = func.attr.value
        if name in _ROW_METHODS | _ONE_ROW | _SCALAR:
            rows = self._fetched(self.eval(func.value, frame), name, origin)
            if rows is not None:
                return rows
        if name in _STR_METHODS:
            return Shape.scalar("str", origin)
        if name in ("count", "index"):
            return Shape.scalar("int", origin)
        if name in _VALIDATORS:
            model = self._model_class(func.value, frame)
            if model is not None:
                return model
        if name in ("model_dump", "dict", "copy", "model_copy", "get", "items", "values", "keys"):
            receiver = self.eval(func.value, frame)
            if name in ("copy", "model_copy"):
                return receiver
            if name in ("model_dump", "dict") and receiver.kind == "object":
                return self._dumped(receiver, call)
            if name == "get" and receiver.kind == "object" and call.args:
                return self._get(receiver, call, frame, origin)
            if name in ("items", "values", "keys"):
                return Shape.list_of(Shape.unknown(f".{name}() of a mapping"), origin)
        return None

    @staticmethod
    def _fetched(receiver: Shape, method: str, origin: Optional[Where]) -> Optional[Shape]:
        """``result.mappings().all()``, ``result.fetchone()``... on rows already known (an executed SELECT)."""
        if receiver.kind != "list" or receiver.item is None or receiver.item.kind != "object":
            return None
        if method in _SCALAR:
            return Shape.unknown("a scalar SQL result", origin)
        if method in _ONE_ROW:
            return receiver.item.model_copy(update={"nullable": True})
        return receiver

    def _get(self, receiver: Shape, call: cst.Call, frame: _Frame, origin: Optional[Where]) -> Shape:
        key = _static_key(call.args[0].value)
        found = receiver.fields.get(key) if key is not None else None
        if found is None and key is None and (value := _table_value(receiver)) is not None:
            default = self.eval(call.args[1].value, frame) if len(call.args) > 1 else Shape.scalar("null")
            return merge(value, default)  # `USERS.get(tenant_id, [])`: one value of a table keyed by data
        if found is None:
            return Shape.unknown("a .get() of a key not known to be there", origin)
        default = self.eval(call.args[1].value, frame) if len(call.args) > 1 else Shape.scalar("null")
        return merge(found.shape, default) if found.optional else found.shape

    def _builtin(self, call: cst.Call, name: str, frame: _Frame, origin: Optional[Where]) -> Optional[Shape]:
        args = [a for a in call.args if a.keyword is None and not a.star]
        if name in _ROW_BUILTINS:
            return Shape.scalar(_ROW_BUILTINS[name], origin)
        if name == "round":
            return Shape.scalar("float" if len(call.args) > 1 else "int", origin)
        if name in ("sum", "max", "min", "abs"):
            return Shape.scalar(None, origin)
        if name in _SEQUENCE_BUILTINS:
            inner = self.eval(args[0].value, frame) if args else Shape(kind="list")
            return inner if inner.kind == "list" else Shape.list_of(Shape.unknown(f"items of {name}()"), origin)
        if name == "dict":
            shape = self.eval(args[0].value, frame) if args else Shape.object({}, origin)
            if shape.kind != "object":
                shape = Shape.object({}, origin, open=True)
            fields = dict(shape.fields)
            for arg in call.args:
                if arg.keyword is not None:
                    fields[arg.keyword.value] = FieldShape(shape=self.eval(arg.value, frame),
                                                           origin=frame.module.origin(arg))
                elif arg.star == "**":
                    extra = self.eval(arg.value, frame)
                    if extra.kind == "object":
                        fields.update(extra.fields)
            return shape.model_copy(update={"fields": fields, "model": None})
        if name in _RESPONSES or name == "jsonable_encoder":
            status = _error_status(call) if name in _RESPONSES else None
            if status is not None:
                return Shape(kind="unknown", reason=f"HTTP {status}", origin=origin, error=status)
            content = next((a.value for a in call.args if a.keyword and a.keyword.value == "content"), None)
            content = content or (args[0].value if args else None)
            return self.eval(content, frame) if content is not None else Shape.unknown("an empty response", origin)
        return None

    def _callee(self, call: cst.Call, frame: _Frame, origin: Optional[Where]) -> Shape:
        where, definition = resolve_expr(frame.module, call.func, self.modules)
        label = get_full_name_for_node(call.func) or "a call"
        if isinstance(definition, cst.FunctionDef) and where is not None:
            return self.returns(definition, where, frame.depth + 1)
        if isinstance(definition, cst.ClassDef) and where is not None:
            if is_model_class(definition, where, self.modules):
                return self._model(definition, where)
            return Shape.unknown(f"an instance of {definition.name.value}", origin)
        if isinstance(call.func, cst.Name) and call.func.value in _RESPONSES:
            return self._builtin(call, call.func.value, frame, origin) or Shape.unknown(label, origin)
        return Shape.unknown(f"the result of {label}()", origin)

    def _model(self, node: cst.ClassDef, module: SourceModule, by_alias: bool = True) -> Shape:
        shape = self.classes.model_shape(node, module, by_alias=by_alias)
        self._model_nodes[node.name.value] = (node, module)
        return shape

    def _model_class(self, expr: cst.BaseExpression, frame: _Frame) -> Optional[Shape]:
        where, definition = resolve_expr(frame.module, expr, self.modules)
        if isinstance(definition, cst.ClassDef) and where is not None and is_model_class(definition, where,
                                                                                          self.modules):
            return self._model(definition, where)
        return None

    def _model_field(self, shape: Shape, attr: str) -> Optional[Shape]:
        found = self._model_nodes.get(shape.model or "")
        if found is None:
            return None
        by_name = self.classes.model_shape(found[0], found[1], by_alias=False)
        field_ = by_name.fields.get(attr)
        return field_.shape if field_ is not None else None

    def _dumped(self, receiver: Shape, call: cst.Call) -> Shape:
        """``model.model_dump()``: field names, unless ``by_alias=True``; ``exclude``/``include`` make it open."""
        by_alias = any(a.keyword is not None and a.keyword.value == "by_alias" and get_full_name_for_node(a.value)
                       == "True" for a in call.args)
        filtered = any(a.keyword is not None and a.keyword.value in ("include", "exclude") for a in call.args)
        found = self._model_nodes.get(receiver.model or "")
        shape = receiver
        if found is not None and not by_alias:
            shape = self.classes.model_shape(found[0], found[1], by_alias=False)
        if filtered:
            fields = {k: v.model_copy(update={"optional": True}) for k, v in shape.fields.items()}
            shape = shape.model_copy(update={"fields": fields})
        return shape.model_copy(update={"model": None})

    # -- raw SQL -------------------------------------------------------------------------------------------------

    def _sql_rows(self, call: cst.Call, frame: _Frame, origin: Optional[Where]) -> Optional[Shape]:
        """Rows of a static SELECT: the SQL call itself or a fetch method chained on it."""
        chain: list[str] = []
        node: cst.BaseExpression = call
        while isinstance(node, cst.Call):
            sql = self._sql_text(node, frame)
            method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
            if sql is not None:
                return self._rows(sql, [method, *chain], origin)
            if not isinstance(node.func, cst.Attribute):
                return None
            chain.insert(0, method)
            node = node.func.value
            while isinstance(node, cst.Await):
                node = node.expression
        return None

    def _sql_text(self, call: cst.Call, frame: _Frame) -> Optional[str]:
        if not call.args or call.args[0].keyword is not None:
            return None
        text = self._static_text(call.args[0].value, frame)
        return text if text is not None and is_select(text) else None

    def _static_text(self, expr: cst.BaseExpression, frame: _Frame) -> Optional[str]:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(expr, cst.FormattedString):
            parts = []
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(part.value)
                else:
                    constant = self._constant_str(part.expression, frame)
                    parts.append(constant if constant is not None else "?")
            return "".join(parts)
        if isinstance(expr, cst.Call) and get_full_name_for_node(expr.func) in ("text", "sqlalchemy.text"):
            return self._static_text(expr.args[0].value, frame) if expr.args else None
        if isinstance(expr, cst.Name):
            if frame.scope is not None and expr.value in frame.scope.assigned:
                values = frame.scope.assigned[expr.value]
                return self._static_text(values[-1], frame) if len(values) == 1 else None
            if frame.scope is not None and self._is_local(expr.value, frame.scope):
                return None
            where, definition, _ = resolve_name(frame.module, expr.value, self.modules)
            if isinstance(definition, (cst.Assign, cst.AnnAssign)) and definition.value is not None and where:
                return self._static_text(definition.value, _Frame(where, None))  # SQL = text("SELECT ...")
        return None

    @staticmethod
    def _rows(sql: str, methods: list[str], origin: Optional[Where]) -> Shape:
        columns, is_open = select_columns(sql)
        row = Shape.object(
            {name: FieldShape(shape=Shape.scalar(type_, origin) if type_ else Shape.unknown(f"SQL column {name}",
                                                                                              origin), origin=origin)
             for name, type_ in columns},
            origin, open=is_open,
        )
        for method in methods:
            if method in _SCALAR:
                return Shape.unknown("a scalar SQL result", origin)
            if method in _ONE_ROW:
                return row.model_copy(update={"nullable": True})
        return Shape.list_of(row, origin)


# --- the entry point ----------------------------------------------------------------------------------------------


def _decorator_response_model(func: cst.FunctionDef) -> tuple[bool, Optional[cst.BaseExpression]]:
    """(given, expression) of ``response_model=`` in the route decorators; ``response_model=None`` is given."""
    for decorator in func.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "response_model":
                    is_none = isinstance(arg.value, cst.Name) and arg.value.value == "None"
                    return True, None if is_none else arg.value
    return False, None


def infer_response(
    func: cst.FunctionDef,
    module: SourceModule,
    modules: Resolver,
    *,
    response_model: Optional[str] = None,
    evaluator: Optional[Evaluator] = None,
) -> InferredResponse:
    """The JSON shape route function `func` (a top-level ``def`` of `module`) answers.

    `response_model` is the source text of a ``response_model=`` given where the route is registered
    (``add_api_route``); the route decorators are read otherwise. Pass one `evaluator` for several routes of a
    service to share what was read.
    """
    evaluator = evaluator or Evaluator(modules)
    dotted = f"{module.name}.{func.name.value}"
    origin = module.origin(func) or Where(file=module.path, line=0)
    given, expr = _decorator_response_model(func)
    if response_model is not None and response_model.strip() != "None":
        given, expr = True, cst.parse_expression(response_model)
    if expr is not None:
        shape = evaluator.classes.annotation_shape(expr, module)
        _remember_models(evaluator, expr, module)
        label = get_full_name_for_node(expr) or cst.Module([]).code_for_node(expr)
        return InferredResponse(function=dotted, origin=origin, source="response_model", model=label, shape=shape,
                                notes=[f"the answer is filtered through response_model {label}"])
    if not given and func.returns is not None:
        shape = evaluator.classes.annotation_shape(func.returns.annotation, module)
        if _is_model_shape(shape):
            label = cst.Module([]).code_for_node(func.returns.annotation)
            return InferredResponse(function=dotted, origin=origin, source="return_annotation", model=label,
                                    shape=shape, notes=[f"the return annotation {label} is the response model"])
    shape = evaluator.returns(func, module)
    return InferredResponse(function=dotted, origin=origin, source="body", shape=shape)


def _is_model_shape(shape: Shape) -> bool:
    if shape.kind == "list" and shape.item is not None:
        return _is_model_shape(shape.item)
    return shape.kind == "object" and shape.model is not None


def _remember_models(evaluator: Evaluator, expr: cst.BaseExpression, module: SourceModule) -> None:
    """Let attribute reads on instances of the response model resolve (``out.users``)."""
    for node in [expr, *[e.slice.value for e in getattr(expr, "slice", ()) if isinstance(e.slice, cst.Index)]]:
        evaluator._model_class(node, _Frame(module, None))
