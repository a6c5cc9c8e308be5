"""Legacy response shapes, inferred from the code, and the legacy → standard mapping phase 1 writes for them.

Three steps, each a plain call (docs/phase1-blocks.md shows them in the phase-1 flow):

1. ``infer_response(func, module, modules, *, response_model=None, evaluator=None) -> InferredResponse``
   `func` is a route's ``cst.FunctionDef`` in `module` (a `SourceModule`: dotted name, display path, parsed tree;
   the nodes must belong to that tree), `modules` resolves dotted names to `SourceModule`s (a `ModuleIndex` over the
   service root, preloaded with what the caller parsed). `response_model` is the source text given to
   ``add_api_route``; decorators are read otherwise. The result's `shape` (a `Shape`) says, field by field, the type
   when knowable and the file:line producing it; unknown parts are ``kind="unknown"`` with the reason.
2. ``map_operation(operation, {"legacy": inferred} | {"dashboard": ..., "costs": ...} | {"page": ...})
   -> OperationMapping``: for every field of the operation's standard model the legacy path it reads, a rule
   (copy, text, id, by_period, window_sum, role, ...), a confidence and the evidence; `missing` lists the fields
   without a confident source (file:line of the route); `automatic` is False when a required one is missing.
3. ``render_module(mappings, *, service, include_manual=False, line_length=88) -> str``: the Python module holding one
   ``<operation>_from_legacy(...)`` function per automatic mapping (parameters: `function_params(mapping)`), plus
   ``list_users_page_from_legacy(page)`` for the user listing. It imports only FastAPI's ``jsonable_encoder``,
   ``shims.adapters`` (and its ``generic`` module) and ``shims.standard_api.models``.

The synonyms, list keys, orderings and confidences are data in `migrator.shapes.tables`.
"""

from .infer import Evaluator, infer_response
from .mapping import FieldMap, Missing, OperationMapping, Source, map_operation
from .model import FieldShape, InferredResponse, Shape, Where, flatten
from .operations import OPERATIONS, OperationSpec, spec_for
from .render import function_params, render_module
from .source import ModuleIndex, SourceModule

__all__ = [
    "OPERATIONS",
    "Evaluator",
    "FieldMap",
    "FieldShape",
    "InferredResponse",
    "Missing",
    "ModuleIndex",
    "OperationMapping",
    "OperationSpec",
    "Shape",
    "Source",
    "SourceModule",
    "Where",
    "flatten",
    "function_params",
    "infer_response",
    "map_operation",
    "render_module",
    "spec_for",
]
