"""`map_operation`: choose, for each field of a standard response, the legacy field it reads.

Scalars match by key (`tables.SYNONYMS`, the field's own name, ``parent.key`` spellings) with a confidence and the
evidence; lists of objects match by key and by structure (how many of the element's fields find a source: a list
of objects with a date and counts is a daily trend). A field with no candidate at `tables.CONFIDENT` or above is
*missing*: a manual step; the operation is automatic when no required (or `tables.ESSENTIAL`) field is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Optional, Union

from pydantic import BaseModel, Field, computed_field

from . import tables
from .model import FieldShape, InferredResponse, Shape
from .operations import OperationSpec, spec_for
from .standard import StandardField, allows_extra, fields_of, scalar_type
from .tables import CONFIDENT, Syn, norm

Rule = Literal[
    "input", "constant", "copy", "text", "id", "by_period", "window_sum", "role", "role_flag", "user_status",
    "user_status_text",
    "tenant_status", "features", "object", "list", "dict", "len", "full_name",
]


class Source(BaseModel):
    doc: str  # the parameter holding the legacy document ("row" inside a list element)
    path: list[str]  # keys from that document ([] = the document itself)
    origin: Optional[str] = None  # file:line where the legacy code produces it
    type: Optional[str] = None  # its wire type when known
    certain: bool = False  # known to be present and not null
    optional: bool = False  # may be absent (read with .get)

    @property
    def label(self) -> str:
        return ".".join(self.path) or "(the whole document)"


class FieldMap(BaseModel):
    target: str  # standard path: "summary.active_users", "trends.daily[].date"
    name: str  # the field in its model
    rule: Rule
    sources: list[Source] = Field(default_factory=list)
    value: Optional[str] = None  # Python source: the input (input), the value (constant), the last resort (text)
    confidence: float = 1.0
    evidence: str = ""
    model: Optional[str] = None  # object / list / dict: the standard model it builds
    order: Optional[str] = None  # list: as_is | period | newest_first | top10_by_cost
    children: list["FieldMap"] = Field(default_factory=list)
    nullable_parent: Optional[list[str]] = None  # object: legacy object whose absence/null gives None
    extras: bool = False  # object: unread legacy keys pass through (a model with extra="allow")


class Missing(BaseModel):
    target: str
    required: bool  # the operation cannot be automatic without it
    reason: str
    origin: str  # the route (file:line) whose answer lacks it


class OperationMapping(BaseModel):
    operation: str
    function: str
    model: str
    inputs: list[tuple[str, str]]
    docs: list[str]  # parameter names of the legacy documents, in order
    routes: dict[str, str]  # doc -> "pkg.mod.func (file:line)"
    list_of_model: bool = False
    root: FieldMap
    page_total: Optional[FieldMap] = None  # list_users: the page's total count
    missing: list[Missing] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def automatic(self) -> bool:
        return not any(m.required for m in self.missing)

    def field(self, target: str) -> Optional[FieldMap]:
        """The mapping of one standard path (``summary.active_users``, ``trends.daily[].date``)."""
        stack = [self.root]
        while stack:
            current = stack.pop()
            if current.target == target:
                return current
            stack.extend(current.children)
        return None


# --- candidates ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    doc: str
    rank: int  # 0 for the operation's own route, 1.. for the others
    path: tuple[str, ...]
    field: FieldShape

    @property
    def shape(self) -> Shape:
        return self.field.shape

    def source(self) -> Source:
        shape = self.shape
        certain = (not self.field.optional and not shape.nullable and shape.kind == "scalar"
                   and shape.type not in (None, "null"))
        origin = self.field.origin or shape.origin
        return Source(doc=self.doc, path=list(self.path), origin=str(origin) if origin else None,
                      type=shape.type if shape.kind == "scalar" else shape.kind, certain=certain,
                      optional=self.field.optional)


@dataclass
class _Ctx:
    docs: list[tuple[str, Shape]]
    route: str  # file:line for missing entries
    input_fields: Mapping[str, str]
    input_fallbacks: Mapping[str, str]
    _leaves: Optional[list[_Leaf]] = None
    foreign: frozenset[str] = frozenset()  # keys (normalised) of nested objects that describe another entity
    user_key: Optional[str] = None  # the legacy path parameter the user item routes take (`username`), when no id

    def synonyms(self, field: "StandardField") -> tuple[tables.Syn, ...]:
        """The table's legacy keys of `field`; a user's id is the key the legacy user routes take (`{username}`):
        the id a standard client reads back is the one it passes to `/users/{user_id}`."""
        if self.user_key and field.key in tables.USER_KEYED:
            return tables.user_key_synonyms(self.user_key)
        return tables.synonyms(field.owner, field.name)

    def leaves(self) -> list[_Leaf]:
        if self._leaves is None:
            self._leaves = []
            for rank, (doc, shape) in enumerate(self.docs):
                root = FieldShape(shape=shape, origin=shape.origin)
                self._leaves.append(_Leaf(doc, rank, (), root))
                self._walk(doc, rank, shape, (), self._leaves)
        return self._leaves

    def _walk(self, doc: str, rank: int, shape: Shape, prefix: tuple[str, ...], out: list[_Leaf]) -> None:
        if shape.kind != "object" or len(prefix) > 6:
            return
        for key, field in shape.fields.items():
            out.append(_Leaf(doc, rank, (*prefix, key), field))
            if norm(key) not in self.foreign:
                self._walk(doc, rank, field.shape, (*prefix, key), out)

    def element(self, item: Shape) -> "_Ctx":
        return _Ctx([("row", item)], self.route, {}, {}, foreign=self.foreign, user_key=self.user_key)

    def about_a_user(self) -> "_Ctx":
        """The same documents, without what objects nested in them say about another entity."""
        if self.foreign == tables.NOT_THE_USER:
            return self
        return _Ctx(self.docs, self.route, self.input_fields, self.input_fallbacks, foreign=tables.NOT_THE_USER,
                    user_key=self.user_key)


@dataclass
class _Scored:
    leaf: _Leaf
    confidence: float
    syn: Optional[Syn]


def _score(leaf: _Leaf, syns: Sequence[Syn], name: Optional[str]) -> tuple[float, Optional[Syn]]:
    if not leaf.path:
        return 0.0, None
    key = norm(leaf.path[-1])
    parent = norm(leaf.path[-2]) if len(leaf.path) > 1 else None
    best, chosen = 0.0, None
    for syn in syns:
        if syn.key == key and (syn.parent is None or syn.parent == parent) and syn.confidence > best:
            best, chosen = syn.confidence, syn
    if chosen is not None:  # the table's judgement of this key wins over the generic rules below
        return best, chosen
    if name is not None:
        wanted = norm(name)
        if key == wanted and not any(s.key == wanted and s.parent is None for s in syns) and tables.EXACT > best:
            best, chosen = tables.EXACT, None
        if parent and wanted in (parent + key, key + parent) and tables.SPELLED > best:
            best, chosen = tables.SPELLED, None
        if sorted(tables.words(leaf.path[-1])) == sorted(tables.words(name)) and tables.SPELLED > best:
            best, chosen = tables.SPELLED, None  # the same words in another order: usersTotal ~ total_users
    return best, chosen


def _candidates(ctx: _Ctx, syns: Sequence[Syn], name: Optional[str], kinds: set[str],
                want: Optional[str] = None) -> list[_Scored]:
    found = []
    for leaf in ctx.leaves():
        if leaf.shape.kind not in kinds:
            continue
        confidence, syn = _score(leaf, syns, name)
        if confidence <= 0:
            continue
        have = leaf.shape.type if leaf.shape.kind == "scalar" else None
        if want is not None and have not in (None, "null") and not _compatible(want, have):
            confidence *= 0.5
        found.append(_Scored(leaf, confidence - 0.01 * leaf.rank, syn))
    found.sort(key=lambda s: (-s.confidence, s.leaf.rank, len(s.leaf.path)))
    if len(found) > 1 and _tie(found[0], found[1]):
        found[0] = _Scored(found[0].leaf, found[0].confidence * 0.75, found[0].syn)  # two equally good: ambiguous
    return found


def _tie(first: _Scored, second: _Scored) -> bool:
    """Two different fields as good as each other for the same thing (a 7-day and a 30-day figure are not)."""
    def window(s: _Scored) -> Optional[int]:
        return s.syn.window if s.syn is not None else None

    return (second.confidence >= first.confidence - 1e-9 and second.leaf.rank == first.leaf.rank
            and window(first) == window(second))


def _compatible(want: str, have: str) -> bool:
    if want == "text":  # compared with text: a number or a flag is never equal to it
        return have == "str"
    if want == have or want == "str":
        return True
    return want == "float" and have == "int"


def _evidence(scored: _Scored) -> str:
    leaf = scored.leaf
    why = scored.syn.note if scored.syn is not None and scored.syn.note else ""
    where = f" at {leaf.field.origin}" if leaf.field.origin else ""
    return f"{'.'.join(leaf.path)}{where}" + (f" ({why})" if why else "")


# --- the matcher --------------------------------------------------------------------------------------------------


class _Mapper:
    def __init__(self, spec: OperationSpec) -> None:
        self.spec = spec
        self.missing: list[Missing] = []
        self._daily: dict[int, Optional[FieldMap]] = {}

    # -- models --------------------------------------------------------------------------------------------------

    def object(self, model: type[BaseModel], ctx: _Ctx, prefix: str, top: bool = False) -> list[FieldMap]:
        if model.__name__ in tables.USER_MODELS:
            ctx = ctx.about_a_user()
        children: list[FieldMap] = []
        for field in fields_of(model):
            target = f"{prefix}{field.name}"
            if top and field.name in ctx.input_fields:
                children.append(FieldMap(target=target, name=field.name, rule="input",
                                         value=ctx.input_fields[field.name], evidence="from the call"))
                continue
            mapped = self.field(field, ctx, target, top)
            if mapped is not None:
                children.append(mapped)
        return children

    def field(self, field: StandardField, ctx: _Ctx, target: str, top: bool) -> Optional[FieldMap]:
        if field.kind == "model":
            return self.nested(field, ctx, target)
        if field.kind == "list":
            return self.list(field, ctx, target)
        if field.kind == "dict_of_lists":
            return self.dict_of_lists(field, ctx, target)
        mapped = self.scalar(field, ctx, target, top)
        if mapped is None:
            self.report(field, target, ctx)
        return mapped

    def report(self, field: StandardField, target: str, ctx: _Ctx, reason: str = "") -> None:
        required = field.required or field.key in tables.ESSENTIAL
        if not reason and ctx.user_key and field.key in tables.USER_KEYED:
            reason = (f"the legacy user routes take `{{{ctx.user_key}}}` and the answer has no `{ctx.user_key}` to "
                      f"give as the user's id")
        if not reason and getattr(field.python, "__name__", "") == "UserStatus":
            reason = _coded_status(ctx)
        if not reason:
            syns = tables.synonyms(field.owner, field.name)
            near = [s for s in _candidates(ctx, syns, field.name, {"scalar", "unknown"}) if s.confidence > 0]
            reason = "no legacy field matches"
            if near:
                reason += f"; closest: {'.'.join(near[0].leaf.path)} ({near[0].confidence:.2f})"
            if not required:
                reason += "; left to the standard default"
        self.missing.append(Missing(target=target, required=required, reason=reason, origin=ctx.route))

    def nested(self, field: StandardField, ctx: _Ctx, target: str) -> Optional[FieldMap]:
        model = field.python
        before = len(self.missing)
        children = self.object(model, ctx, target + ".")
        sourced = [c for c in children if c.rule not in ("constant", "input")]
        if not sourced and not field.required:
            del self.missing[before:]
            self.report(field, target, ctx, "no legacy source for any of its fields; left to the standard default")
            return None
        confidence = min((c.confidence for c in sourced), default=1.0)
        return FieldMap(target=target, name=field.name, rule="object", model=model.__name__, children=children,
                        confidence=confidence, nullable_parent=_nullable_parent(children, ctx),
                        extras=allows_extra(model), evidence=f"{len(sourced)} of its fields from the legacy answer")

    def dict_of_lists(self, field: StandardField, ctx: _Ctx, target: str) -> Optional[FieldMap]:
        children = []
        for key in ("daily",):  # the only dict of lists in the contract: trends {"daily": [...]}
            element = StandardField(field.owner, f"{field.name}.{key}", "list", field.python, False, True)
            mapped = self.list(element, ctx, f"{target}.{key}")
            if mapped is not None:
                children.append(mapped.model_copy(update={"name": key}))
        if not children:
            return None
        return FieldMap(target=target, name=field.name, rule="dict", children=children,
                        confidence=min(c.confidence for c in children))

    # -- lists ---------------------------------------------------------------------------------------------------

    def list(self, field: StandardField, ctx: _Ctx, target: str, report: bool = True) -> Optional[FieldMap]:
        keys = tables.LIST_KEYS.get(field.key, ())
        best: Optional[tuple[float, FieldMap, list[Missing]]] = None
        lacking: Optional[str] = None  # why the first list of objects that lacks a required element field fails
        opaque: Optional[str] = None  # the first list whose elements' fields migrator cannot read (raw rows)
        for leaf in ctx.leaves():
            item = leaf.shape.item if leaf.shape.kind == "list" else None
            if leaf.shape.kind == "list" and (item is None or item.kind == "unknown"
                                              or (item.kind == "object" and item.open and not item.fields)):
                opaque = opaque or ".".join(leaf.path) or "the answer"
                continue  # no field of its elements is known: nothing to map from
            if leaf.shape.kind != "list" or leaf.shape.item is None or leaf.shape.item.kind != "object":
                continue
            key_confidence = 0.9 if not leaf.path else _score(leaf, keys, field.name.split(".")[-1])[0]
            key_confidence = key_confidence or tables.UNKNOWN_LIST_KEY  # a name we do not know: the structure decides
            element = _Mapper(self.spec)
            children = element.object(field.python, ctx.element(leaf.shape.item), f"{target}[].")
            total = len(fields_of(field.python))
            sourced = sum(1 for c in children if c.rule not in ("constant", "input"))
            required = [m for m in element.missing if m.required and _direct(m.target, target)]
            if required and lacking is None:
                lacking = f"{'.'.join(leaf.path) or 'the answer'}: " + "; ".join(
                    f"{m.target.removeprefix(target + '[].')}: {m.reason}" for m in required)
            if total == 0 or required:
                continue
            score = 0.4 * key_confidence + 0.6 * sourced / total - 0.01 * leaf.rank
            if best is None or score > best[0]:
                evidence = (f"{'.'.join(leaf.path) or 'the answer'}: a list whose elements give {sourced} of "
                            f"{total} {field.python.__name__} fields")
                mapped = FieldMap(target=target, name=field.name, rule="list", sources=[leaf.source()],
                                  model=field.python.__name__, children=children, confidence=round(score, 3),
                                  order=tables.LIST_ORDER.get(field.key, "as_is"), evidence=evidence,
                                  extras=allows_extra(field.python))
                best = (score, mapped, element.missing)
        if best is None or best[0] < CONFIDENT:
            if report:
                self.report(field, target, ctx, _no_list_reason(field, best, lacking, opaque))
            return None
        self.missing.extend(best[2])
        return best[1]

    def daily_series(self, ctx: _Ctx) -> Optional[FieldMap]:
        """The legacy list that feeds ``trends.daily`` (also the base of the summary's period sums)."""
        if id(ctx) not in self._daily:
            from shims.standard_api.models import DailyTrend

            field = StandardField("StatsResponse", "trends.daily", "list", DailyTrend, False, True)
            scratch = _Mapper(self.spec)  # what this finds is reported where trends.daily itself is mapped
            self._daily[id(ctx)] = scratch.list(field, ctx, "trends.daily", report=False)
        return self._daily[id(ctx)]

    # -- scalars -------------------------------------------------------------------------------------------------

    def scalar(self, field: StandardField, ctx: _Ctx, target: str, top: bool) -> Optional[FieldMap]:
        special = self._special(field, ctx, target)
        if special is not None:
            return special
        if getattr(field.python, "__name__", "") == "UserStatus":
            return None  # only an active flag or a status text say it (`report` names what the answer has instead)
        if field.key in tables.WINDOW_SUMS:
            summed = self._window_sum(field, ctx, target)
            if summed is not None:
                return summed
        syns = ctx.synonyms(field)
        keyed = ctx.user_key is not None and field.key in tables.USER_KEYED  # the field's own name (`id`) is no key
        found = [s for s in _candidates(ctx, syns, None if keyed else field.name, {"scalar", "unknown"},
                                        scalar_type(field))
                 if s.confidence >= CONFIDENT]
        if found:
            return self._pick(field, found, target)
        if field.key in tables.PERSON_NAMES:
            joined = self._name_parts(field, ctx, target)
            if joined is not None:
                return joined
        if top and field.name in ctx.input_fallbacks:
            return FieldMap(target=target, name=field.name, rule="input", value=ctx.input_fallbacks[field.name],
                            confidence=0.8, evidence="the legacy answer does not say: from the call")
        return self._fallback(field, target)

    def _pick(self, field: StandardField, found: list[_Scored], target: str) -> FieldMap:
        plain = [s for s in found if s.syn is None or s.syn.window is None]
        windowed = {s.syn.window: s for s in reversed(found) if s.syn is not None and s.syn.window is not None}
        # a 7- and a 30-day figure beat a plain one: a plain ``active_users`` next to them counts accounts
        if windowed and (not plain or plain[0].confidence < max(s.confidence for s in windowed.values())
                         or (7 in windowed and 30 in windowed)):
            if 7 in windowed and 30 in windowed:
                short, long_ = windowed[7], windowed[30]
                return FieldMap(target=target, name=field.name, rule="by_period",
                                sources=[short.leaf.source(), long_.leaf.source()],
                                confidence=min(short.confidence, long_.confidence),
                                evidence=f"{_evidence(short)} for 7d, {_evidence(long_)} for longer periods")
            only = next(iter(windowed.values()))
            return FieldMap(target=target, name=field.name, rule=_rule(field), sources=[only.leaf.source()],
                            confidence=only.confidence,
                            evidence=f"{_evidence(only)}: a {only.syn.window}-day figure for every period")
        best = found[0]
        sources = [best.leaf.source()]
        evidence = _evidence(best)
        rule = _rule(field)
        if rule in ("text", "id") and not sources[0].certain:
            for other in found[1:3]:
                if other.leaf.path != best.leaf.path and other.leaf.doc == best.leaf.doc:
                    sources.append(other.leaf.source())
                    evidence += f", else {_evidence(other)}"
        mapped = FieldMap(target=target, name=field.name, rule=rule, sources=sources,
                          confidence=round(best.confidence, 3), evidence=evidence)
        fallback = tables.FALLBACKS.get(field.key)
        if fallback is not None and rule == "text" and not sources[-1].certain:
            mapped.value = fallback[0]
            mapped.evidence += f", else {fallback[0]} ({fallback[2]})"
        elif rule == "text" and field.required and not sources[-1].certain:
            mapped.value = '""'  # the standard field is a required string: a legacy null becomes ""
        return mapped

    def _fallback(self, field: StandardField, target: str) -> Optional[FieldMap]:
        fallback = tables.FALLBACKS.get(field.key)
        if fallback is None:
            return None
        value, confidence, why = fallback
        return FieldMap(target=target, name=field.name, rule="constant", value=value, confidence=confidence,
                        evidence=why)

    def _window_sum(self, field: StandardField, ctx: _Ctx, target: str) -> Optional[FieldMap]:
        daily = self.daily_series(ctx)
        if daily is None:
            return None
        element = next((c for c in daily.children if c.name == tables.WINDOW_SUMS[field.key] and c.sources), None)
        if element is None or element.rule not in ("copy", "text"):
            return None
        series, source = daily.sources[0], element.sources[0]
        list_label = series.label
        return FieldMap(target=target, name=field.name, rule="window_sum", sources=[series, source],
                        confidence=round(tables.WINDOW_SUM_CONFIDENCE * min(element.confidence, 1.0), 3),
                        evidence=f"the sum of {list_label}[].{element.sources[0].label} over the period")

    def _special(self, field: StandardField, ctx: _Ctx, target: str) -> Optional[FieldMap]:
        """Enums and flags: role, user status, tenant status, feature lists."""
        name = getattr(field.python, "__name__", "")
        if name == "UserRole":
            return (self._keyed(field, ctx, target, tables.USER_ROLE_KEYS, "role")
                    or self._keyed(field, ctx, target, tables.USER_ADMIN_FLAGS, "role_flag", want="bool")
                    or self._fallback(field, target))
        if name == "UserStatus":
            return (self._keyed(field, ctx, target, tables.USER_ACTIVE_KEYS, "user_status", want="bool")
                    or self._keyed(field, ctx, target, tables.USER_STATUS_TEXT_KEYS, "user_status_text",
                                   want="text"))
        if field.key == "StatusResponse.status":
            return self._keyed(field, ctx, target, tables.TENANT_STATUS_KEYS, "tenant_status")
        if field.kind == "str_list":
            syns = tables.synonyms(field.owner, field.name)
            found = [s for s in _candidates(ctx, syns, field.name, {"list", "object", "unknown"})
                     if s.confidence >= CONFIDENT]
            if found:
                return FieldMap(target=target, name=field.name, rule="features", sources=[found[0].leaf.source()],
                                confidence=round(found[0].confidence, 3), evidence=_evidence(found[0]))
            return self._fallback(field, target)
        return None

    def _name_parts(self, field: StandardField, ctx: _Ctx, target: str) -> Optional[FieldMap]:
        """A person's name the legacy answer gives in two parts (`first_name`, `last_name` of one object): both,
        joined by a space (`shims.adapters.full_name`: an absent or empty part is left out)."""
        first = [s for s in _candidates(ctx, tables.FIRST_NAME_KEYS, None, {"scalar", "unknown"}, "text")
                 if s.confidence >= CONFIDENT]
        last = [s for s in _candidates(ctx, tables.LAST_NAME_KEYS, None, {"scalar", "unknown"}, "text")
                if s.confidence >= CONFIDENT]
        pairs = [(a, b) for a in first for b in last
                 if a.leaf.doc == b.leaf.doc and a.leaf.path[:-1] == b.leaf.path[:-1]]
        if not pairs:
            return None
        given, family = pairs[0]
        return FieldMap(target=target, name=field.name, rule="full_name",
                        sources=[given.leaf.source(), family.leaf.source()],
                        confidence=round(min(given.confidence, family.confidence) * 0.95, 3),
                        evidence=f"{_evidence(given)} and {_evidence(family)}, joined by a space")

    def _keyed(self, field: StandardField, ctx: _Ctx, target: str, syns: Sequence[Syn], rule: Rule,
               want: Optional[str] = None) -> Optional[FieldMap]:
        found = [s for s in _candidates(ctx, syns, None, {"scalar", "unknown"}, want) if s.confidence >= CONFIDENT]
        if not found:
            return None
        return FieldMap(target=target, name=field.name, rule=rule, sources=[found[0].leaf.source()],
                        confidence=round(found[0].confidence, 3), evidence=_evidence(found[0]))


def _coded_status(ctx: _Ctx) -> str:
    """Why a user status field of the legacy answer cannot be read: it is a code (a number), not a text or a flag."""
    for scored in _candidates(ctx, tables.USER_STATUS_TEXT_KEYS, None, {"scalar"}):
        have = scored.leaf.shape.type
        if scored.confidence > 0 and have not in (None, "null", "str", "bool"):
            return (f"`{'.'.join(scored.leaf.path)}` is a status {have}, neither an active flag nor a status text: "
                    "what its values mean is the service's own")
    return ""


def _direct(missing_target: str, list_target: str) -> bool:
    """Is a missing element field a direct field of this list's element (not of a nested list)?"""
    rest = missing_target[len(list_target) + 3:] if missing_target.startswith(list_target + "[].") else None
    return rest is not None and "[]" not in rest


def _rule(field: StandardField) -> Rule:
    if field.is_text and (field.name == "id" or field.name.endswith("_id")):
        return "id"
    if field.is_text:
        return "text"
    return "copy"


def _nullable_parent(children: list[FieldMap], ctx: _Ctx) -> Optional[list[str]]:
    """The legacy object all of `children` read from, when it may be absent or null (then the model is None)."""
    sources = [s for c in children if c.rule not in ("window_sum",) for s in c.sources]
    if not sources or len({s.doc for s in sources}) != 1:
        return None
    common = list(sources[0].path)
    for source in sources[1:]:
        size = 0
        while size < min(len(common), len(source.path)) and common[size] == source.path[size]:
            size += 1
        common = common[:size]
    doc = sources[0].doc
    shape = dict(ctx.docs).get(doc)
    for length in range(len(common), 0, -1):
        found = shape.at(tuple(common[:length])) if shape is not None else None
        if found is not None and found.shape.kind == "object" and (found.optional or found.shape.nullable):
            return list(common[:length])
    return None


# --- the entry point ----------------------------------------------------------------------------------------------


def map_operation(
    operation: str, responses: Union[Mapping[str, InferredResponse], Sequence[InferredResponse]],
    *, user_key: Optional[str] = None,
) -> OperationMapping:
    """Map the inferred answer(s) of an operation's legacy route(s) onto its standard response model.

    `responses` are keyed by the operation's document names (`OperationSpec.docs`: ``{"dashboard": ..., "costs":
    ...}`` for the stats, ``{"legacy": ...}`` for most, ``{"page": ...}`` for the user listing), or given in that
    order. Absent optional documents (a service without a costs route) are simply not passed.
    """
    spec = spec_for(operation)
    if spec is None:
        raise ValueError(f"no standard mapping is defined for operation {operation!r}")
    if not isinstance(responses, Mapping):
        responses = dict(zip(spec.docs, responses))
    unknown = set(responses) - set(spec.docs)
    if unknown or not responses or spec.docs[0] not in responses:
        raise ValueError(f"{operation}: documents must be {', '.join(spec.docs)} (the first required); "
                         f"got {', '.join(responses) or 'none'}")
    docs = [d for d in spec.docs if d in responses]
    first = responses[docs[0]]
    ctx = _Ctx([(d, responses[d].shape) for d in docs], str(first.origin), spec.input_fields, spec.input_fallbacks,
               user_key=user_key)
    mapper = _Mapper(spec)
    root = _root(spec, mapper, ctx)
    page_total = _page_total(ctx, mapper, root) if spec.operation == "list_users" else None
    return OperationMapping(
        operation=spec.operation, function=spec.function, model=spec.model.__name__, inputs=list(spec.inputs),
        docs=docs, routes={d: f"{responses[d].function} ({responses[d].origin})" for d in docs},
        list_of_model=spec.list_of_model, root=root, page_total=page_total, missing=mapper.missing,
    )


def _root(spec: OperationSpec, mapper: _Mapper, ctx: _Ctx) -> FieldMap:
    name = spec.model.__name__
    if spec.list_of_model:
        field = StandardField("TenantList", "tenants", "list", spec.model, True, False)
        found = mapper.list(field, ctx, "tenants")
        if found is not None:
            return found
        return FieldMap(target="tenants", name="tenants", rule="list", model=name, confidence=0.0)
    children = mapper.object(spec.model, ctx, "", top=True)
    return FieldMap(target="", name="", rule="object", model=name, children=children, extras=allows_extra(spec.model))


def _page_total(ctx: _Ctx, mapper: _Mapper, root: FieldMap) -> Optional[FieldMap]:
    """The count of all users: a bare list's length, else a total beside the users' list (at the top of the page,
    or inside the envelope that holds the page, as `{"data": {"items": [...], "total": 7}}`)."""
    doc, shape = ctx.docs[0]
    if shape.kind == "list":
        return FieldMap(target="page.total", name="total", rule="len", sources=[Source(doc=doc, path=[])],
                        confidence=0.9, evidence="a bare list: every user is on it")
    users = next((c for c in root.children if c.target == "users" and c.sources), None)
    if users is not None:
        beside = {tuple(users.sources[0].path[:-1])}
    else:  # the users' list is left to a person: beside any list of objects
        beside = {(), *(leaf.path[:-1] for leaf in ctx.leaves() if leaf.path and leaf.shape.kind == "list"
                        and leaf.shape.item is not None and leaf.shape.item.kind == "object")}
    found = [s for s in _candidates(ctx, tables.PAGE_TOTAL_KEYS, None, {"scalar", "unknown"}, "int")
             if s.confidence >= CONFIDENT and tuple(s.leaf.path[:-1]) in beside]
    if found:
        return FieldMap(target="page.total", name="total", rule="copy", sources=[found[0].leaf.source()],
                        confidence=round(found[0].confidence, 3), evidence=_evidence(found[0]))
    mapper.missing.append(Missing(target="page.total", required=True, origin=ctx.route,
                                  reason="the legacy page has no total count (pagination needs it)"))
    return None


FieldMap.model_rebuild()


def _no_list_reason(field: StandardField, best: Optional[tuple], lacking: Optional[str], opaque: Optional[str]) -> str:
    """Why no legacy list feeds `field`: no list of objects has its fields, or the only list's elements are of a
    shape migrator cannot read (rows of raw SQL, untyped dicts built elsewhere), which is not the same."""
    model = field.python.__name__
    unread = (f"the legacy list `{opaque}` holds elements whose fields migrator cannot read, so none is known to give "
              f"the fields of {model}") if opaque else None
    if best is None and lacking is None and unread:
        return unread
    return (f"no legacy list of objects has the fields of {model}" + (f" (best {best[0]:.2f})" if best else "")
            + (f"; {lacking}" if lacking and best is None else "") + (f"; {unread}" if unread else ""))
