"""Path templates (`/users/{user_id}`, `/files/{path:path}`) read with Starlette's own parser, `compile_path`:
the parameters of a route path and its shape with the names left out, as FastAPI itself understands them."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def _compiled(path: str) -> tuple[str, tuple[str, ...]]:
    from starlette.routing import compile_path  # FastAPI's routing: imported when a template is first read

    _regex, format_string, convertors = compile_path(path)
    return format_string, tuple(convertors)


def path_params(path: str) -> tuple[str, ...]:
    """The parameter names of a path template, in order (`/a/{x}/b/{y:int}` -> ("x", "y"))."""
    return _compiled(path)[1]


def shape(path: str) -> str:
    """The template with its parameter names left out (`/users/{user_id}` -> `/users/{}`): two paths with the same
    shape serve the same URLs."""
    format_string, names = _compiled(path)
    return format_string.format(**{name: "{}" for name in names})
