"""The legacy answers of the routes phase 1 moves, inferred from their code and mapped onto the standard models.

Part of the one decision (`migrator.movability.assess_routes` calls `map_answers` until the verdicts settle): an
operation's primary route is automatic only when every required standard field finds a source in what it answers
(`migrator.shapes`: dict literals, `response_model`, pydantic models, raw SQL); a missing field is a reason with the
file:line of the route. The mappings are kept for phase 1, which writes them as the service's own Python
(`<handler package>/legacy_shapes.py`, `migrator.shapes.render_module`).

Documents each operation reads: the stats take the dashboard and, when the costs route moves too, the costs
answer of the same period; the user listing a page; every other operation its own route's answer. The Service
Market summary (`get_tenant_summary`) is mapped from the status route's answer; when it cannot be, the handler's
default derives it from the status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from codemods._source import SourceError, SourceSet
from migrator.catalog import Match
from migrator.inventory.models import Route
from migrator.plan import Reason, Verdict
from migrator.primary import primary_order
from migrator.shapes import Evaluator, InferredResponse, OperationMapping, SourceModule, infer_response, map_operation
from migrator.shapes import ModuleIndex as ShapeModules
from migrator.shapes.operations import spec_for
from migrator.shapes.tables import USER_MODELS

#: operation -> (document of its own route, other operation whose primary route's answer it also reads)
_DOCUMENTS = {"get_tenant_stats": ("dashboard", "get_tenant_costs"), "list_users": ("page", None)}
#: operations mapped from another operation's route as well
_ALSO = {"get_tenant_status": "get_tenant_summary"}


class SourceSetModules(ShapeModules):
    """The inference's modules: the files the plan parsed (same trees, so file:line evidence and node lookups
    agree), others parsed on demand through the same `SourceSet` (the answers' inference and the lifecycle's)."""

    def __init__(self, sources: SourceSet) -> None:
        super().__init__(Path(sources.root))
        self.sources = sources

    def __call__(self, name: str) -> Optional[SourceModule]:
        if name not in self._modules:
            index = self.sources.get_module(name) if name else None
            self._modules[name] = SourceModule(name, index.path, index.tree, index.is_package,
                                               source=index.source) if index else None
        return self._modules[name]


@dataclass
class Answers:
    """What `map_answers` found: the mappings phase 1 renders, and the inferred answer of each route."""

    mappings: dict[str, OperationMapping] = field(default_factory=dict)
    inferred: dict[int, InferredResponse] = field(default_factory=dict)  # route number -> its answer


class AnswerMapper:
    """Infers each route's answer once; maps the operations of the routes that currently move."""

    def __init__(self, routes: list[Route], matches: list[Optional[Match]], sources: SourceSet) -> None:
        self.routes, self.matches, self.sources = routes, matches, sources
        self.modules = SourceSetModules(sources)
        self.evaluator = Evaluator(self.modules)
        self.answers = Answers()

    def infer(self, number: int) -> Optional[InferredResponse]:
        if number in self.answers.inferred:
            return self.answers.inferred[number]
        route = self.routes[number]
        try:  # by its file: the dotted name the inventory gives may be relative to a namespace package
            index = self.sources.get(route.file)
        except SourceError:
            return None
        module = self.modules(index.module)
        func = module.definitions.get(route.qualname) if module is not None else None
        if func is None or not hasattr(func, "body"):
            return None
        # add_api_route's response_model is only in the registration: the decorators say it otherwise
        given = route.response_model if route.registration == "add_api_route" else None
        inferred = infer_response(func, module, self.modules, response_model=given, evaluator=self.evaluator)
        self.answers.inferred[number] = inferred
        return inferred

    def map(self, verdicts: list[Verdict]) -> bool:
        """Map every operation whose primary route moves; a route whose mapping misses a required field becomes
        manual (one reason per field). True when a verdict changed."""
        primary: dict[str, int] = {}
        # the handler's choice (migrator.apply.phase1): a route registered under a condition comes last
        for number in sorted(range(len(verdicts)), key=lambda n: primary_order(self.routes[n])):
            match, verdict = self.matches[number], verdicts[number]
            if match is not None and verdict.status == "automatic" and match.entry.primary:
                primary.setdefault(match.entry.operation, number)
        changed = False
        self.answers.mappings = {}
        user_key = self.user_key()
        for operation, number in sorted(primary.items()):
            spec = spec_for(operation)
            if spec is None:
                continue
            own = self.infer(number)
            if own is None or own.shape.error is not None:
                verdicts[number].status = "manual"
                verdicts[number].reasons.append(_unreadable(self.routes[number], operation, own))
                changed = True
                continue
            verdicts[number].response.answer_model = _model(own, self.routes[number], verdicts[number])
            doc, other = _DOCUMENTS.get(operation, ("legacy", None))
            docs = {doc: own}
            if other in primary and (extra := self.infer(primary[other])) is not None:
                docs["costs"] = extra
            mapping = map_operation(operation, docs, user_key=user_key)
            if not mapping.automatic:
                verdicts[number].status = "manual"
                verdicts[number].reasons += [_unreadable(self.routes[number], operation, own)] \
                    if own.shape.kind == "unknown" else _reasons(mapping, self.routes[number])
                changed = True
                continue
            self.answers.mappings[operation] = mapping
            also = _ALSO.get(operation)
            extra_mapping = map_operation(also, {"legacy": own}, user_key=user_key) if also is not None else None
            if extra_mapping is not None and extra_mapping.automatic:
                self.answers.mappings[also] = extra_mapping
        for number, (match, verdict) in enumerate(zip(self.matches, verdicts)):
            # the variants (admins list, suspend, ...) answer like their primary: what their call returns is
            # written as FastAPI writes it before the primary's mapping reads it
            if match is not None and verdict.status == "automatic" and verdict.response is not None \
                    and verdict.response.answer_model is None and spec_for(match.entry.operation) is not None:
                inferred = self.infer(number)
                verdict.response.answer_model = _model(inferred, self.routes[number], verdict) if inferred else None
        return changed


    def user_key(self) -> Optional[str]:
        """The legacy path parameter the user item routes take when it is no id (`/users/{username}`): the standard
        user id is then that value, so that a client can pass the id it reads to `/users/{user_id}`. None when a
        route takes an id, or the routes disagree."""
        keys = {legacy for match in self.matches if match is not None
                for legacy, standard in match.param_map.items() if standard == "user_id"}
        if len(keys) != 1:
            return None
        key = keys.pop()
        return None if _ID_PARAM.match(key) else key


_ID_PARAM = re.compile(r"^(id|pk|uid|uuid|.*_id|.*_pk|.*_uuid|.*id)$", re.IGNORECASE)


def _unreadable(route: Route, operation: str, inferred: Optional[InferredResponse]) -> Reason:
    """What the route answers is not known (a response model from a library, `PaginatedListResponse[UserRead]`):
    one reason saying so, not one per standard field."""
    if inferred is not None and inferred.shape.error is not None:  # `return JSONResponse(..., status_code=410)`
        return Reason(code="answer-shape", message=f"`{route.qualname}` answers {inferred.shape.reason} on every "
                      f"path: it holds no logic for `{operation}` to move", file=route.file, line=route.line)
    why = f" (its {inferred.source.replace('_', ' ')} `{route.response_model}` is not a model migrator can read)" \
        if inferred is not None and inferred.source == "response_model" and route.response_model else ""
    return Reason(code="answer-shape", message=f"migrator cannot read what `{route.qualname}` answers{why}, so "
                  f"`{operation}` has no mapping from it: move it by hand", file=route.file, line=route.line)


def _model(inferred: InferredResponse, route: Route, verdict: Verdict) -> Optional[str]:
    """The model FastAPI filters the answer through, as the router module writes it: the `response_model=`, or the
    return annotation when that is a model."""
    if inferred.source == "response_model":
        return route.response_model
    if inferred.source == "return_annotation" and verdict.response is not None:
        return verdict.response.returns
    return None


def _reads_the_answer(field) -> bool:
    """Does this part of a mapping take anything from the legacy answer (not a constant, not the call's input)?"""
    return bool(field.sources) or any(_reads_the_answer(child) for child in field.children)


def _no_user(mapping: OperationMapping, route: Route) -> Optional[Reason]:
    """One reason, not one per field, when an operation answering a user finds no user at all in the legacy answer
    (`return {"code": 200, "msg": "ok"}`): nothing of the mapping reads it and no field comes close."""
    required = [m for m in mapping.missing if m.required]
    if mapping.model not in USER_MODELS or len(required) < 2 or _reads_the_answer(mapping.root) \
            or any(m.reason != "no legacy field matches" for m in required):
        return None
    file, _, line = required[0].origin.rpartition(":")
    fields = ", ".join(f"`{m.target}`" for m in required)
    return Reason(code="answer-shape", message=(
        f"`{mapping.operation}` answers a user and the legacy answer carries no user: none of {fields} has a "
        "source in it; write the mapping by hand (or answer the user the route changed)"),
        file=file or route.file, line=int(line) if line.isdigit() else route.line)


def _reasons(mapping: OperationMapping, route: Route) -> list[Reason]:
    if (once := _no_user(mapping, route)) is not None:
        return [once]
    out = []
    for missing in mapping.missing:
        if not missing.required:
            continue
        file, _, line = missing.origin.rpartition(":")
        out.append(Reason(code="answer-shape", message=(
            f"`{mapping.operation}` needs `{missing.target}` and the legacy answer has no confident source for it "
            f"({missing.reason}): write that field's mapping by hand"),
            file=file or route.file, line=int(line) if line.isdigit() else route.line))
    return out
