"""Standard ``limit/offset`` + role/status filters over a legacy ``page/limit`` user listing."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from ..standard_api.models import UserFilters, UserInfo
from ._shape import parse
from .legacy_models import LegacyUser, LegacyUsersPage
from .users import role_from_legacy, user_status_from_legacy

LEGACY_MAX_LIMIT = 100

PageResult = dict[str, Any] | Awaitable[dict[str, Any]]
FetchPage = Callable[[int, int, str | None], PageResult]


async def _fetch(fetch_page: FetchPage, page: int, limit: int, search: str | None) -> LegacyUsersPage:
    result = fetch_page(page, limit, search)
    if inspect.isawaitable(result):
        result = await result
    return parse(LegacyUsersPage, result, f"page[{page}]")


def _page_size(offset: int, limit: int) -> int:
    """The smallest legacy page size (≥ limit, ≤ 100) whose page holds the whole window, else `limit`.

    A window aligned on `limit` gives `limit` itself; e.g. offset 10, limit 20 gives 30 (page 1 = rows 0–29).
    """
    last = offset + limit - 1
    for size in range(limit, LEGACY_MAX_LIMIT + 1):
        if offset // size == last // size:
            return size
    return limit


async def _window(fetch_page: FetchPage, filters: UserFilters) -> tuple[list[dict], int]:
    offset, limit = filters.offset, filters.limit
    size = _page_size(offset, limit)
    page = offset // size + 1
    first = await _fetch(fetch_page, page, size, filters.search)
    start = offset - (page - 1) * size
    users, total = list(first.users[start : start + limit]), first.total
    # the window spans two pages only when no single page size ≤ 100 holds it
    if len(users) < limit and start + limit > size and page * size < total:
        second = await _fetch(fetch_page, page + 1, size, filters.search)
        users += second.users[: limit - len(users)]
        total = second.total
    return users, total


def _matches(user: LegacyUser, filters: UserFilters) -> bool:
    if filters.role is not None and role_from_legacy(user.role) is not filters.role:
        return False
    return filters.status is None or user_status_from_legacy(user.is_active) is filters.status


def _matches_standard(user: UserInfo, filters: UserFilters) -> bool:
    return (filters.role is None or user.role is filters.role) and (
        filters.status is None or user.status is filters.status)


Classify = Callable[[dict], UserInfo]


async def _filtered(fetch_page: FetchPage, filters: UserFilters, classify: Classify | None) -> tuple[list[dict], int]:
    kept: list[dict] = []
    page, seen = 1, 0
    while True:
        result = await _fetch(fetch_page, page, LEGACY_MAX_LIMIT, filters.search)
        for i, raw in enumerate(result.users):
            if classify is not None:
                keep = _matches_standard(classify(raw), filters)
            else:
                keep = _matches(parse(LegacyUser, raw, f"page[{page}].users[{i}]"), filters)
            if keep:
                kept.append(raw)
        seen += len(result.users)
        if len(result.users) < LEGACY_MAX_LIMIT or seen >= result.total:
            break
        page += 1
    return kept[filters.offset : filters.offset + filters.limit], len(kept)


async def collect_users(fetch_page: FetchPage, filters: UserFilters,
                        classify: Classify | None = None) -> tuple[list[dict], int]:
    """The legacy user dicts of the window ``[offset, offset + limit)`` and the total after filtering.

    `fetch_page(page, limit, search)` is the legacy listing (a coroutine function, or a plain function);
    `search` is passed through. Without role/status filters one legacy page is fetched (two at most, when no
    page size ≤ 100 holds the window); with them every page is fetched (limit 100) and filtered here, on the
    standard user `classify(legacy_user)` gives (the generated mapping's), else on the examples' legacy shape.
    """
    if filters.role is None and filters.status is None:
        return await _window(fetch_page, filters)
    return await _filtered(fetch_page, filters, classify)
