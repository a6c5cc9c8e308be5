"""What a replayed legacy exchange must look like in a given phase, from the target's journal.

- phase 0/1, and routes the journal does not change: the recorded status, headers and body.
- phase 2: a deprecated route additionally carries exactly ``Deprecation``, ``Sunset`` and ``Link`` (values from
  `shims.deprecation` with the journal's dates; the successor as phase 2 wrote it (`migrator.successor`: a declared
  tenant written out, the legacy parameter names) with its placeholders filled from the request), on every answer
  including 401/422 (phase 2 wires `DeprecationHeadersMiddleware`); only a 5xx from an unhandled error cannot carry
  them, so there the three headers are not required (nor refused).
- phase 3: a removed route answers 404 (410 with the ``Link`` header when the journal says ``gone``); its body is
  not compared.

Which routes: deprecated = journal routes in state deprecated/removed/gone, or — when the journal marks none —
every moved route with a standard path. Removed = state removed/gone, or — when none is marked — the deprecated
ones. Alias and "stays" routes always keep their recorded behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from migrator.journal import Journal, JournalRoute
from migrator.parity.cassette import Exchange
from migrator.parity.compare import Expected
from migrator.pathtemplates import matcher
from migrator.successor import declared_tenant, successor_path


@dataclass
class RouteMatch:
    route: JournalRoute
    params: dict[str, str]


class RouteTable:
    """Journal routes by method and legacy path template; matches are cached per (method, path)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._routes = [(route, matcher(route.path), {m.upper() for m in route.methods})
                        for route in journal.routes]
        # Literal routes win over templated ones (/admin/users/bulk before /admin/users/{user_id}).
        self._routes.sort(key=lambda item: item[0].path.count("{"))
        self._cache: dict[tuple[str, str], Optional[RouteMatch]] = {}
        marked = {id(r) for r in journal.routes if r.state in ("deprecated", "removed", "gone")}
        self.deprecated = marked or {id(r) for r in journal.routes if r.state == "moved" and r.standard_path}
        removed = {id(r) for r in journal.routes if r.state in ("removed", "gone")}
        self.removed = removed or set(self.deprecated)

    def match(self, method: str, path: str) -> Optional[RouteMatch]:
        key = (method, path)
        if key not in self._cache:
            found = None
            for route, regex, methods in self._routes:
                if method in methods or (method == "HEAD" and "GET" in methods):
                    hit = regex.match(path)
                    if hit:
                        found = RouteMatch(route, hit.groupdict())
                        break
            self._cache[key] = found
        return self._cache[key]


def _successor(route: JournalRoute, journal: Journal, exchange: Exchange, params: dict[str, str]
               ) -> Optional[str]:
    """The successor the service names for this request: phase 2's link (the legacy route's parameter names, a
    declared tenant written out) filled from the request, as the route's deprecation dependency fills it."""
    if not route.standard_path:
        return None
    from shims.deprecation import fill_placeholders

    values = {"tenant_id": exchange.request.headers.get("x-tenant-id", "")}
    values.update(params)
    return fill_placeholders(successor_path(route, declared_tenant(journal)), values)


def expected_for(exchange: Exchange, match: Optional[RouteMatch], table: Optional[RouteTable], phase: int
                 ) -> tuple[Expected, list[str]]:
    """The expected response of a replayed legacy exchange, and notes about how it was derived."""
    recorded = exchange.response
    body = _body_dict(recorded)
    expected = Expected(status=recorded.status, headers=dict(recorded.headers), body=body)
    if match is None or table is None or phase < 2:
        return expected, []
    route, journal = match.route, table.journal
    if phase >= 3 and id(route) in table.removed:
        gone = route.state == "gone" or bool(journal.deprecation and journal.deprecation.gone)
        headers: dict[str, str] = {}
        if gone:
            successor = _successor(route, journal, exchange, match.params)
            if successor:
                from shims.deprecation import format_link

                headers["link"] = format_link(successor)
        status = 410 if gone else 405 if _path_still_served(route, table) else 404
        note = f"removed in phase 3: expecting {status}"
        if status == 405:
            note += " (the path still serves other methods)"
        return Expected(status=status, headers=headers or None, body={}, compare_body=False,
                        headers_exact=False), [note]
    if id(route) in table.deprecated and journal.deprecation is not None:
        if recorded.status >= 500:
            expected.optional_headers = frozenset({"deprecation", "sunset", "link"})
            return expected, ["deprecation headers not required on a 5xx answer"]
        from shims.deprecation import deprecation_headers

        docs_url = getattr(journal.deprecation, "docs_url", None)
        added = deprecation_headers(journal.deprecation.date, journal.deprecation.sunset,
                                    _successor(route, journal, exchange, match.params), docs_url)
        expected.headers.update({name.lower(): value for name, value in added.items()})
    return expected, []


def _path_still_served(route: JournalRoute, table: RouteTable) -> bool:
    """Another legacy route on the same path stays (a DELETE left to a person beside a removed GET): the path
    answers 405 Method Not Allowed, not 404."""
    return any(other.path == route.path and id(other) not in table.removed and not set(other.methods) & set(
        route.methods) for other in table.journal.routes)


def _body_dict(part) -> dict:
    if part.has_json:
        return {"json": part.json_body}
    for key in ("body", "body_b64", "body_omitted"):
        value = getattr(part, key)
        if value is not None:
            return {key: value}
    return {}


def body_dict(part) -> dict:
    return _body_dict(part)
