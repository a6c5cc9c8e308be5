"""Coverage: every route decorator and registration call seen in the source, placed in an app or not, and why not.

Seen = the route sites of the analysed modules (`@x.get(...)`-style decorators, `x.add_api_route(...)`,
`x.get(path)(func)`); placed = a site whose route is listed in an app. Each site that is not placed gets one reason,
from (in order) what the assembly knew (router not included, prefix not static, ...), an `unresolved` entry at the
same line (decorator on something that cannot be resolved), a branch that does not run (its test is known
statically), or the function around it that nothing calls.
"""

from __future__ import annotations

from .facts import RouteSite, route_sites
from .interp import Interp
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
    for file in sorted(interp.facts):
        facts = interp.facts[file]
        for site in facts.sites:
            seen += 1
            key = (file, site.line)
            if key in placed:
                continue
            reason = reasons.get(key) or by_line.get(key) or branch_reasons.get(key) or _fallback(site)
            unplaced.append(UnplacedRoute(file=file, line=site.line, function=site.function, reason=reason))
    # Sites in skipped branches of modules whose facts were replaced are still counted above; sites of branches
    # in bodies parsed on demand (not in `facts`) are added here.
    known = {(u.file, u.line) for u in unplaced} | placed
    for (file, line), why in sorted(branch_reasons.items()):
        if (file, line) not in known and file not in interp.facts:
            seen += 1
            unplaced.append(UnplacedRoute(file=file, line=line, reason=why))
    return Coverage(seen=seen, placed=seen - len(unplaced), unplaced=unplaced)


def _fallback(site: RouteSite) -> str:
    if site.enclosing:
        return f"inside `{site.enclosing}`, which is not called statically (no app registers this route on import)"
    return "not registered statically: the code that registers it does not run on import"
