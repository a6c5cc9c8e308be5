"""Route path templates (`/users/{user_id}`, `/files/{p:path}`) read the way Starlette, FastAPI's routing, reads
them: the one helper of the runtime (deprecation headers, recording) and, through `migrator.pathtemplates`, of the
migrator (catalog, inventory, parity).

Parameters are found with Starlette's own grammar (`PARAM`, the pattern of `starlette.routing.PARAM_REGEX`; a test
keeps the two equal, and the copy spares code that only reads names the import of Starlette's routing, ~0.1 s). The
regex a concrete path is matched with comes from `starlette.routing.compile_path` itself, so that a recorded path
meets a template exactly as the service's router met it (`{id:int}` digits only, `{p:path}` across slashes).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

__all__ = ["PARAM", "bare", "fill", "matched_route_path", "matcher", "path_params", "segment_param", "shape"]

#: One path parameter, ``{name}`` or ``{name:convertor}`` (Starlette's `PARAM_REGEX`).
PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")
_NEVER = re.compile(r"(?!)")


def path_params(path: str) -> tuple[str, ...]:
    """The parameter names of a template, in order, each once (`/a/{x}/b/{y:int}` -> ("x", "y"))."""
    return tuple(dict.fromkeys(match.group(1) for match in PARAM.finditer(path)))


def segment_param(segment: str) -> Optional[str]:
    """The parameter a path segment consists of (`{user_id}`, `{uid:int}` -> its name), else None."""
    match = PARAM.fullmatch(segment)
    return match.group(1) if match else None


def bare(path: str) -> str:
    """The template without convertors (`/files/{p:path}` -> `/files/{p}`): the form counts and links name."""
    return PARAM.sub(lambda match: "{" + match.group(1) + "}", path)


def shape(path: str) -> str:
    """The template with its parameter names left out (`/users/{user_id}` -> `/users/{}`): two paths with the same
    shape serve the same URLs."""
    return PARAM.sub("{}", path)


def fill(path: str, values: Mapping[str, Any], encode: Callable[[str], str] = str) -> str:
    """Each parameter replaced by ``encode(value)``; a parameter without a value (missing, None or "") stays as
    written."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return encode(str(value)) if value not in (None, "") else match.group(0)

    return PARAM.sub(replace, path)


@lru_cache(maxsize=4096)
def matcher(path: str) -> re.Pattern[str]:
    """The regex Starlette routes with (`compile_path`); its named groups are the parameters. A convertor this
    process does not know (one the service registers itself) reads as a plain segment; a template naming a parameter
    twice, which Starlette refuses, matches nothing."""
    from starlette.routing import CONVERTOR_TYPES, compile_path  # FastAPI's routing: imported on first use

    def known(match: re.Match[str]) -> str:
        convertor = (match.group(2) or ":str")[1:]
        return match.group(0) if convertor in CONVERTOR_TYPES else "{" + match.group(1) + "}"

    try:
        return compile_path(PARAM.sub(known, path))[0]
    except ValueError:  # "Duplicated param name"
        return _NEVER


def matched_route_path(scope: Mapping[str, Any]) -> Optional[str]:
    """The full path template of the route the app matched (`/admin/users/{user_id}`), once it has routed ``scope``;
    None before (or when no route matched)."""
    # FastAPI >= 0.16x keeps the include prefix in its effective route context, not on the route object.
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None)
    if isinstance(path, str) and path:
        return path
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else None
