"""Coverage: every route decorator and registration call seen in the source, placed in an app or not, and why not.

Seen = the route sites of the analysed modules (`@x.get(...)`-style decorators, `x.add_api_route(...)`,
`x.get(path)(func)`); placed = a site whose route is listed in an app. Each site that is not placed gets one reason,
from (in order) what the assembly knew (router not included, prefix not static, ...), an `unresolved` entry at the
same line (decorator on something that cannot be resolved), a branch that does not run (its test is known
statically), or the function around it: a method another method runs as `self.m()` (routes made per instance,
typically from a base class's `__init__`: instances are not evaluated), or a function nothing calls.
"""

from __future__ import annotations

from .facts import AssignOp, ClassOp, DefOp, ExprOp, IfOp, LoopOp, Op, ReturnOp, RouteSite, route_sites
from .interp import Interp
from .ir import Attr, Call, Name
from .models import Coverage, UnplacedRoute, Unresolved

# Below this share of placed routes, analyze says so in its summary.
LOW_COVERAGE = 0.9


def measure(interp: Interp, placed: set[tuple[str, int]], reasons: dict[tuple[str, int], str],
            unresolved: list[Unresolved]) -> Coverage:
    by_line = {(u.file, u.line): u.reason for u in unresolved}
    branch_reasons: dict[tuple[str, int], str] = {}
    for branch in interp.skipped_branches:
        why = (f"registered under `if {branch.test}` ({branch.file}:{branch.line}), which {branch.why} "
               "with the default environment and settings")
        for site in route_sites(branch.ops):
            branch_reasons.setdefault((branch.file, site.line), why)
    seen = 0
    unplaced: list[UnplacedRoute] = []
    self_calls: dict[str, list[tuple[str, str]]] | None = None  # read when a first site needs the fallback reason
    for file in sorted(interp.facts):
        facts = interp.facts[file]
        for site in facts.sites:
            key = (file, site.line)
            if key in interp.other_framework_sites:
                continue  # another web framework's route (`@flask_bp.get`): not counted
            seen += 1
            if key in placed:
                continue
            reason = reasons.get(key) or by_line.get(key) or branch_reasons.get(key)
            if not reason:
                self_calls = _self_calls(interp) if self_calls is None else self_calls
                reason = _fallback(site, self_calls)
            unplaced.append(UnplacedRoute(file=file, line=site.line, function=site.function, reason=reason))
    # Sites in skipped branches of modules whose facts were replaced are still counted above; sites of branches
    # in bodies parsed on demand (not in `facts`) are added here.
    known = {(u.file, u.line) for u in unplaced} | placed
    for (file, line), why in sorted(branch_reasons.items()):
        if (file, line) not in known and file not in interp.facts:
            seen += 1
            unplaced.append(UnplacedRoute(file=file, line=line, reason=why))
    return Coverage(seen=seen, placed=seen - len(unplaced), unplaced=unplaced)


def _self_calls(interp: Interp) -> dict[str, list[tuple[str, str]]]:
    """Method name -> the methods of the analysed code that call it on `self`, as (qualname, `where`), in file
    order: such a method runs when an instance is built or used, not on import."""
    found: dict[str, list[tuple[str, str]]] = {}
    for file in sorted(interp.facts):
        for op in interp.facts[file].ops:
            _collect_self_calls(op, None, file, found)
    return found


def _collect_self_calls(op: Op, method: str | None, file: str, found: dict[str, list[tuple[str, str]]]) -> None:
    if isinstance(op, ClassOp):
        for inner in op.cls.body:
            _collect_self_calls(inner, None, file, found)
    elif isinstance(op, DefOp):
        for inner in op.func.body or ():
            _collect_self_calls(inner, op.func.qualname, file, found)
    elif isinstance(op, IfOp):
        for branch in op.branches:
            for inner in branch:
                _collect_self_calls(inner, method, file, found)
    elif isinstance(op, LoopOp):
        for inner in op.body:
            _collect_self_calls(inner, method, file, found)
    elif method and isinstance(op, (ExprOp, AssignOp, ReturnOp)):
        value = op.value
        if (isinstance(value, Call) and isinstance(value.func, Attr) and isinstance(value.func.base, Name)
                and value.func.base.id == "self"):
            found.setdefault(value.func.attr, []).append((method, f"`{method}` ({file}:{value.line})"))


def _self_caller(enclosing: str, self_calls: dict[str, list[tuple[str, str]]]) -> str | None:
    """Where the method `enclosing` (Class.name) is run as `self.name()`: by its own class first, else by another
    (a base class's `__init__` running the subclass's override); None for a function or a method never so run."""
    owner, _, name = enclosing.rpartition(".")
    if not owner or "<locals>" in owner:
        return None
    callers = [(qualname, where) for qualname, where in self_calls.get(name, ()) if qualname != enclosing]
    own = [where for qualname, where in callers if qualname.rpartition(".")[0] == owner]
    return (own or [where for _, where in callers] or [None])[0]


def _fallback(site: RouteSite, self_calls: dict[str, list[tuple[str, str]]]) -> str:
    caller = _self_caller(site.enclosing, self_calls) if site.enclosing else None
    if caller:
        name = site.enclosing.rpartition(".")[2]
        return (f"inside `{site.enclosing}`, which {caller} runs as `self.{name}()`: routes registered per "
                "instance of a class are not followed statically (instances are not evaluated)")
    if site.enclosing:
        return f"inside `{site.enclosing}`, which is not called statically (no app registers this route on import)"
    return "not registered statically: the code that registers it does not run on import"
