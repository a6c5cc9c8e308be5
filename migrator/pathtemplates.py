"""Path templates (`/users/{user_id}`, `/files/{path:path}`) as FastAPI itself understands them: the helper lives
in the runtime (`shims.pathtemplates`, which shims may use without importing migrator); this is migrator's name for
it. Starlette's routing is imported only by `matcher`, on first use."""

from __future__ import annotations

from shims.pathtemplates import bare, fill, matcher, path_params, segment_param, shape

__all__ = ["bare", "fill", "matcher", "path_params", "segment_param", "shape"]
