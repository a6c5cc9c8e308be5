"""Pydantic models (and ``TypedDict``s) of the service → the JSON shape FastAPI serialises them to.

A response model is serialised with every field (defaults included) under its alias (``by_alias=True``, FastAPI's
default; ``alias_generator=to_camel`` of the class or a base applies); ``model_dump()`` uses field names unless
``by_alias=True``. Types: ``int``/``float``/``str``/``bool``, ``datetime``/``date``/``UUID``/``Enum``/``Literal[str]``
→ str, ``Optional``/``| None`` → nullable, ``list``/``set``/``tuple`` → list, ``dict`` → an open object,
``Annotated[X, ...]`` → X, module-level aliases followed, generic models (``Page[UserOut]``) with their parameters.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .model import FieldShape, Shape
from .source import Resolver, SourceModule, resolve_expr

MODEL_BASES = {"BaseModel", "SQLModel", "TypedDict", "RootModel", "GenericModel"}
_STR_TYPES = {"str", "datetime", "date", "time", "UUID", "EmailStr", "HttpUrl", "AnyUrl", "AnyHttpUrl", "Path",
              "SecretStr", "constr", "NameEmail", "IPv4Address", "IPv6Address", "timedelta", "bytes"}
_SCALARS = {"int": "int", "float": "float", "bool": "bool", "Decimal": "float", "conint": "int", "confloat": "float",
            "PositiveInt": "int", "NonNegativeInt": "int", "StrictInt": "int", "StrictStr": "str", "StrictBool": "bool"}
_LISTS = {"list", "List", "set", "Set", "frozenset", "FrozenSet", "tuple", "Tuple", "Sequence", "Iterable",
          "conlist", "Collection"}
_DICTS = {"dict", "Dict", "Mapping", "MutableMapping", "Json"}
_ENUM_BASES = {"Enum", "StrEnum"}
_INT_ENUM_BASES = {"IntEnum", "IntFlag"}
_MAX_DEPTH = 12


def _last(expr: cst.BaseExpression) -> str:
    name = get_full_name_for_node(expr) or ""
    return name.rsplit(".", 1)[-1]


def is_model_class(node: cst.ClassDef, module: SourceModule, modules: Resolver, depth: int = 0) -> bool:
    """Does the class derive (through the service's own classes) from a pydantic model or TypedDict?"""
    if depth > _MAX_DEPTH:
        return False
    for base in node.bases:
        if _last(base.value) in MODEL_BASES:
            return True
        where, definition = resolve_expr(module, base.value, modules)
        if isinstance(definition, cst.ClassDef) and where is not None:
            if is_model_class(definition, where, modules, depth + 1):
                return True
    return False


def _enum_kind(node: cst.ClassDef) -> Optional[str]:
    names = {_last(base.value) for base in node.bases}
    if names & _INT_ENUM_BASES:
        return "int"
    if names & _ENUM_BASES:
        return "str"
    return None


class ClassShapes:
    """Shapes of classes and annotations, memoised per (class, alias mode)."""

    def __init__(self, modules: Resolver) -> None:
        self.modules = modules
        self._memo: dict[tuple, Shape] = {}
        self._active: set[int] = set()
        self._typevars: dict[str, Shape] = {}  # of the generic model being built (Page[T] -> T: UserOut)

    # -- classes -------------------------------------------------------------------------------------------------

    def model_shape(self, node: cst.ClassDef, module: SourceModule, *, by_alias: bool = True,
                    typevars: Optional[dict[str, Shape]] = None) -> Shape:
        typevars = typevars or {}
        key = (id(node), by_alias, tuple((k, v.model_dump_json()) for k, v in typevars.items()))
        if key in self._memo:
            return self._memo[key]
        if id(node) in self._active:  # a self-referencing model (a tree): stop here
            return Shape.unknown(f"recursive model {node.name.value}", module.origin(node))
        self._active.add(id(node))
        outer, self._typevars = self._typevars, typevars
        try:
            shape = self._build(node, module, by_alias)
        finally:
            self._active.discard(id(node))
            self._typevars = outer
        self._memo[key] = shape
        return shape

    def type_parameters(self, node: cst.ClassDef) -> list[str]:
        """``class Page(BaseModel, Generic[T])`` → ["T"]."""
        for base in node.bases:
            if isinstance(base.value, cst.Subscript) and _last(base.value.value) == "Generic":
                return [_last(e.slice.value) for e in base.value.slice if isinstance(e.slice, cst.Index)]
        return []

    def alias_generator(self, node: cst.ClassDef, module: SourceModule, depth: int = 0) -> Optional[str]:
        """``to_camel``/``to_pascal``/``to_snake`` from the class's config or a base's."""
        for stmt in _class_body(node):
            if isinstance(stmt, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == "model_config"
                                                    for t in stmt.targets):
                found = _config_value(stmt.value, "alias_generator")
                if found is not None:
                    return _last(found)
        for inner in (node.body.body if isinstance(node.body, cst.IndentedBlock) else ()):
            if isinstance(inner, cst.ClassDef) and inner.name.value == "Config":
                for stmt in _class_body(inner):
                    if isinstance(stmt, cst.Assign) and any(isinstance(t.target, cst.Name)
                                                            and t.target.value == "alias_generator"
                                                            for t in stmt.targets):
                        return _last(stmt.value)
        if depth > _MAX_DEPTH:
            return None
        for base in node.bases:
            where, definition = resolve_expr(module, base.value, self.modules)
            if isinstance(definition, cst.ClassDef) and where is not None:
                found = self.alias_generator(definition, where, depth + 1)
                if found is not None:
                    return found
        return None

    def _build(self, node: cst.ClassDef, module: SourceModule, by_alias: bool) -> Shape:
        fields: dict[str, FieldShape] = {}
        is_open = False
        generator = self.alias_generator(node, module) if by_alias else None
        for base in node.bases:
            if _last(base.value) in MODEL_BASES or (isinstance(base.value, cst.Subscript)
                                                    and _last(base.value.value) == "Generic"):
                continue
            where, definition = resolve_expr(module, base.value, self.modules)
            if isinstance(definition, cst.ClassDef) and where is not None:
                inherited = self.model_shape(definition, where, by_alias=by_alias)
                fields.update(inherited.fields)
                is_open = is_open or inherited.open
            else:
                is_open = True  # a base we cannot read may add fields
        for keyword in node.keywords:  # class M(BaseModel, extra="allow")
            if keyword.keyword.value == "extra" and _string(keyword.value) == "allow":
                is_open = True
        for stmt in _class_body(node):
            if isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
                name = stmt.target.value
                annotation = stmt.annotation.annotation
                if name.startswith("_") or _last(_unwrap_subscript_head(annotation)) == "ClassVar":
                    continue
                alias = _alias(stmt.value) if by_alias else None
                if alias is None and generator is not None:
                    alias = _generated_alias(generator, name)
                shape = self.annotation_shape(annotation, module)
                origin = module.origin(stmt)
                fields[alias or name] = FieldShape(shape=shape.model_copy(update={"origin": origin}), origin=origin)
            elif isinstance(stmt, cst.Assign) and _is_config_allowing_extra(stmt):
                is_open = True
        return Shape.object(fields, module.origin(node), model=node.name.value, open=is_open)

    # -- annotations ---------------------------------------------------------------------------------------------

    def annotation_shape(self, expr: cst.BaseExpression, module: SourceModule, depth: int = 0) -> Shape:
        if depth > _MAX_DEPTH:
            return Shape.unknown("annotation nested too deeply")
        if isinstance(expr, cst.SimpleString):  # a forward reference "UserOut"
            try:
                return self.annotation_shape(cst.parse_expression(expr.evaluated_value), module, depth + 1)
            except (cst.ParserSyntaxError, TypeError):
                return Shape.unknown(f"annotation {expr.value}")
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            return self._union([expr.left, expr.right], module, depth)
        if isinstance(expr, cst.Name) and expr.value == "None":
            return Shape.scalar("null")
        if isinstance(expr, cst.Name) and expr.value in self._typevars:
            return self._typevars[expr.value]
        if isinstance(expr, cst.Subscript):
            return self._generic(expr, module, depth)
        name = _last(expr)
        if name in _SCALARS:
            return Shape.scalar(_SCALARS[name])
        if name in _STR_TYPES:
            return Shape.scalar("str")
        if name in _LISTS:
            return Shape.list_of(Shape.unknown(f"items of a bare {name}"))
        if name in _DICTS:
            return Shape.object({}, open=True)
        if name in {"Any", "object"}:
            return Shape.unknown(f"annotated {name}")
        return self._named(expr, module, depth)

    def _named(self, expr: cst.BaseExpression, module: SourceModule, depth: int) -> Shape:
        where, definition = resolve_expr(module, expr, self.modules)
        label = get_full_name_for_node(expr) or "annotation"
        if isinstance(definition, cst.ClassDef) and where is not None:
            enum = _enum_kind(definition)
            if enum is not None:
                return Shape.scalar(enum)
            if is_model_class(definition, where, self.modules):
                return self.model_shape(definition, where)
            return Shape.unknown(f"instances of class {definition.name.value}")
        if isinstance(definition, (cst.Assign, cst.AnnAssign)) and where is not None and definition.value is not None:
            return self.annotation_shape(definition.value, where, depth + 1)  # Email = Annotated[str, ...]
        return Shape.unknown(f"type {label} is not defined in the service")

    def _generic(self, expr: cst.Subscript, module: SourceModule, depth: int) -> Shape:
        head = _last(expr.value)
        args = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if head == "Annotated" and args:
            return self.annotation_shape(args[0], module, depth + 1)
        if head == "Optional" and args:
            return self._union([args[0], cst.Name("None")], module, depth)
        if head == "Union":
            return self._union(args, module, depth)
        if head == "Literal":
            kinds = {"str" if isinstance(a, (cst.SimpleString, cst.ConcatenatedString)) else
                     "int" if isinstance(a, cst.Integer) else "bool" if _last(a) in {"True", "False"} else None
                     for a in args}
            return Shape.scalar(kinds.pop() if len(kinds) == 1 else None)
        if head in _LISTS:
            item = self.annotation_shape(args[0], module, depth + 1) if args else Shape.unknown("untyped items")
            return Shape.list_of(item)
        if head in _DICTS:
            return Shape.object({}, open=True)
        if head in {"ClassVar", "Final", "Required", "NotRequired", "ReadOnly"} and args:
            return self.annotation_shape(args[0], module, depth + 1)
        where, definition = resolve_expr(module, expr.value, self.modules)
        if isinstance(definition, cst.ClassDef) and where is not None and is_model_class(definition, where,
                                                                                          self.modules):
            names = self.type_parameters(definition)  # Page[UserOut]: T is UserOut inside Page
            values = [self.annotation_shape(a, module, depth + 1) for a in args]
            return self.model_shape(definition, where, typevars=dict(zip(names, values)))
        return self._named(expr.value, module, depth)

    def _union(self, members: list[cst.BaseExpression], module: SourceModule, depth: int) -> Shape:
        shapes = [self.annotation_shape(m, module, depth + 1) for m in members]
        nullable = any(s.kind == "scalar" and s.type == "null" for s in shapes)
        rest = [s for s in shapes if not (s.kind == "scalar" and s.type == "null")]
        if len(rest) == 1:
            return rest[0].model_copy(update={"nullable": nullable or rest[0].nullable})
        if rest and all(s.kind == "scalar" for s in rest):
            types = {s.type for s in rest}
            numeric = types <= {"int", "float"}
            return Shape.scalar("float" if numeric else None, nullable=nullable)
        return Shape.unknown("a union of several shapes")


def _class_body(node: cst.ClassDef) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else [node.body]
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
        elif isinstance(stmt, cst.SimpleStatementSuite):
            out.extend(stmt.body)
    return out


def _unwrap_subscript_head(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.value if isinstance(expr, cst.Subscript) else expr


def _string(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _alias(value: Optional[cst.BaseExpression]) -> Optional[str]:
    """The wire name of ``Field(..., alias="x")`` / ``serialization_alias="x"``."""
    if isinstance(value, cst.Call) and _last(value.func) == "Field":
        by_name = {a.keyword.value: a.value for a in value.args if a.keyword is not None}
        for key in ("serialization_alias", "alias"):
            text = _string(by_name.get(key))
            if text:
                return text
    return None


def _generated_alias(generator: str, name: str) -> Optional[str]:
    """What pydantic's ``to_camel``/``to_pascal``/``to_snake`` make of a field name."""
    words = [w for w in name.split("_") if w]
    if not words:
        return None
    pascal = "".join(w[:1].upper() + w[1:] for w in words)
    if generator == "to_pascal":
        return pascal
    if generator == "to_camel":
        return pascal[:1].lower() + pascal[1:]
    if generator == "to_snake":
        return name
    return None  # a generator of the service's own: the wire name cannot be told


def _config_value(value: Optional[cst.BaseExpression], key: str) -> Optional[cst.BaseExpression]:
    if isinstance(value, cst.Call):
        return next((a.value for a in value.args if a.keyword is not None and a.keyword.value == key), None)
    if isinstance(value, cst.Dict):
        return next((e.value for e in value.elements if isinstance(e, cst.DictElement) and _string(e.key) == key),
                    None)
    return None


def _is_config_allowing_extra(stmt: cst.Assign) -> bool:
    """``model_config = ConfigDict(extra="allow")`` or ``{"extra": "allow"}``."""
    if not any(isinstance(t.target, cst.Name) and t.target.value == "model_config" for t in stmt.targets):
        return False
    value = stmt.value
    if isinstance(value, cst.Call):
        return any(a.keyword is not None and a.keyword.value == "extra" and _string(a.value) == "allow"
                   for a in value.args)
    if isinstance(value, cst.Dict):
        return any(isinstance(e, cst.DictElement) and _string(e.key) == "extra" and _string(e.value) == "allow"
                   for e in value.elements)
    return False
