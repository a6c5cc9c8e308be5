"""How a route parameter appears in a service function's signature: FastAPI markers become plain defaults
(`Query(30, ge=1)` -> `30`), `Annotated[int, Query()]` becomes `int`, a resource keeps its annotation."""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

MARKERS = {"Depends": "depends", "Security": "depends", "Query": "query", "Path": "path", "Body": "body",
           "Form": "body", "File": "body", "Header": "header", "Cookie": "cookie"}


def annotated_parts(annotation: Optional[cst.Annotation]) -> tuple[Optional[cst.BaseExpression], list]:
    """(base type, metadata expressions) of `Annotated[base, meta...]`, else (annotation, [])."""
    if annotation is None:
        return None, []
    expr = annotation.annotation
    if isinstance(expr, cst.Subscript) and (get_full_name_for_node(expr.value) or "").endswith("Annotated"):
        elements = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if elements:
            return elements[0], elements[1:]
    return expr, []


def marker(expr: Optional[cst.BaseExpression]) -> Optional[tuple[str, cst.Call]]:
    """(kind, call) of a FastAPI parameter marker (`Query(...)`, `Depends(...)`), else None."""
    if isinstance(expr, cst.Call):
        name = (get_full_name_for_node(expr.func) or "").rsplit(".", 1)[-1]
        if name in MARKERS:
            return MARKERS[name], expr
    return None


def marker_default(call: cst.Call) -> tuple[bool, Optional[cst.BaseExpression]]:
    """(has_default, default expression) of `Query(30, ge=1)` / `Query(default=None)` / `Query(...)`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "default":
            return (not isinstance(arg.value, cst.Ellipsis)), arg.value
        if arg.keyword is None and arg.star == "":
            return (not isinstance(arg.value, cst.Ellipsis)), arg.value
    return False, None


def signature_nodes(param: cst.Param) -> tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression]]:
    """(annotation, default) a service function's parameter keeps."""
    base, _metadata = annotated_parts(param.annotation)
    default_marker = marker(param.default)
    if default_marker:
        has_default, default = marker_default(default_marker[1])
        return base, default if has_default else None
    return base, param.default


def resource_annotation(param: cst.Param) -> Optional[cst.BaseExpression]:
    """A resource parameter's annotation: `Db` stays `Db`, `Annotated[Session, Depends(get_db)]` is `Session`."""
    base, metadata = annotated_parts(param.annotation)
    if metadata:
        return base
    return param.annotation.annotation if param.annotation else None


def declared_params(func: cst.FunctionDef) -> dict[str, cst.Param]:
    return {p.name.value: p for p in [*func.params.posonly_params, *func.params.params, *func.params.kwonly_params]}


def kept_nodes(param: cst.Param, role: str) -> tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression]]:
    """(annotation, default) nodes a parameter of `role` keeps in the service function's signature."""
    if role == "resource":
        return resource_annotation(param), None
    if role == "tenant":
        return None, None
    return signature_nodes(param)
