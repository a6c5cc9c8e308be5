"""The docstring of a service module: the one phase 1 writes, and the one phase 3 leaves once the routes are gone.

Both are wrapped to the service's line length. Phase 3 rewrites the docstring only while its words are still
phase 1's (a maintainer's own text stays).
"""

from __future__ import annotations

import re
import textwrap
from typing import Optional, Sequence

_EDIT_FREELY = "this is the service's code, edit it freely."


def phase1_docstring(origin: str, handler_module: str, width: int, *, legacy_only: Sequence[str] = (),
                     every: bool = False, held: bool = False) -> str:
    """Phase 1's docstring of the service module holding the logic of the routes of `origin` (a file path).
    `legacy_only`: its functions the handler does not call (a variant the operation's primary serves, a held
    route's); `every`: that is all of them; `held`: their operations answer 501 NOT_IMPLEMENTED."""
    handler = f"the Standard API handler (`{handler_module}`)"
    if every:
        users = f"The routes there delegate to these functions; {handler} calls none of them"
        if held:
            users += " yet (their standard operations answer 501 NOT_IMPLEMENTED until it does)"
    elif legacy_only:
        one = len(legacy_only) == 1
        names = ", ".join(f"`{name}`" for name in legacy_only)
        users = (f"The routes there delegate to these functions, and so does {handler}, except {names}, which only "
                 f"{'its legacy route calls' if one else 'their legacy routes call'}")
        if held:
            users += (f" ({'its standard operation answers' if one else 'their standard operations answer'} 501 "
                      "NOT_IMPLEMENTED until the handler calls " + ("it)" if one else "them)"))
    else:
        users = f"The routes there delegate to these functions, and so does {handler}"
    return _docstring(f"The logic of the legacy routes of `{origin}`.", f"{users}: {_EDIT_FREELY}", width)


def removed_docstring(origin: str, handler_module: str, handler_calls: bool, width: int) -> str:
    """The docstring once phase 3 removed those routes: who still calls what is left."""
    users = (f"The Standard API handler (`{handler_module}`) calls these functions"
             if handler_calls else "What is left here is still used by other code of the service")
    return _docstring(f"The logic of the legacy routes of `{origin}`, which phase 3 removed.",
                      f"{users}: {_EDIT_FREELY}", width)


def replace_phase1_docstring(source: str, origin: str, handler_module: str, new: str) -> Optional[str]:
    """`source` with its leading docstring replaced by `new` when its words are phase 1's; else None."""
    if not source.startswith('"""'):
        return None
    end = source.find('"""', 3)
    if end < 0:
        return None
    old = source[: end + 3]
    if old.split() not in [text.split() for text in _phase1_forms(origin, handler_module, old)]:
        return None
    return new + source[end + 3:]


def _phase1_forms(origin: str, handler_module: str, old: str) -> list[str]:
    """Every docstring phase 1 may have written for this module, with the names `old` lists as legacy only."""
    listed = re.search(r"except ((?:`\w+`, )*`\w+`), which only", " ".join(old.split()))
    names = re.findall(r"`(\w+)`", listed.group(1)) if listed else []
    return [phase1_docstring(origin, handler_module, 10_000, legacy_only=names, every=every, held=held)
            for every in (False, True) for held in (False, True)]


def _docstring(summary: str, body: str, width: int) -> str:
    lines = _wrap('"""' + summary, width) + [""] + _wrap(body, width)
    return "\n".join(lines) + '\n"""'


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
