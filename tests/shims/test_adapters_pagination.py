"""shims.adapters.collect_users: standard limit/offset + role/status filters over a legacy page/limit listing.

The fake legacy listing holds 250 users (ids 1..250, ordered by id) and records every call, so the tests check
both the window returned and how many legacy pages were read.
"""

import asyncio

import pytest

from shims.adapters import LegacyShapeError, collect_users
from shims.standard_api.models import UserFilters

N_USERS = 250


def make_users():
    # every 10th user is an admin, every 7th is suspended; users 1..3 lack the role extra entirely
    users = []
    for i in range(1, N_USERS + 1):
        user = {"id": i, "username": f"user{i:03d}", "display_name": f"User {i}", "email": f"u{i}@x.kr",
                "is_active": i % 7 != 0, "created_at": "2026-01-01T00:00:00", "last_login": None,
                "monthly_cost_usd": 0.0, "password_hash": "x"}
        if i > 3:
            user["role"] = "admin" if i % 10 == 0 else "user"
        users.append(user)
    return users


class FakeLegacyListing:
    """The legacy GET /admin/users contract: page ≥ 1, 1 ≤ limit ≤ 100, search over username/display_name/email."""

    def __init__(self, users):
        self.users, self.calls = users, []

    async def __call__(self, page, limit, search):
        assert page >= 1 and 1 <= limit <= 100, (page, limit)
        self.calls.append((page, limit, search))
        rows = self.users
        if search:
            needle = search.lower()
            rows = [u for u in rows if any(needle in (u[k] or "").lower() for k in ("username", "display_name",
                                                                                     "email"))]
        start = (page - 1) * limit
        return {"users": rows[start : start + limit], "total": len(rows), "page": page, "limit": limit}


def run(filters, users=None):
    fake = FakeLegacyListing(users if users is not None else make_users())
    result, total = asyncio.run(collect_users(fake, UserFilters(**filters)))
    return [u["id"] for u in result], total, fake.calls


# (offset, limit) → expected ids, expected legacy calls (page, limit)
WINDOWS = [
    ((0, 20), list(range(1, 21)), [(1, 20)]),
    ((20, 20), list(range(21, 41)), [(2, 20)]),
    ((240, 20), list(range(241, 251)), [(13, 20)]),  # last, partial page
    ((250, 20), [], [(11, 25)]),  # just past the end (page 11 of 25 = rows 250..274)
    ((400, 50), [], [(9, 50)]),  # far past the end
    ((0, 100), list(range(1, 101)), [(1, 100)]),
    ((200, 100), list(range(201, 251)), [(3, 100)]),
    ((249, 1), [250], [(250, 1)]),
    ((10, 20), list(range(11, 31)), [(1, 30)]),  # unaligned: one page of 30 holds rows 0..29
    ((95, 10), list(range(96, 106)), [(7, 15)]),  # rows 90..104
    ((50, 60), list(range(51, 111)), [(1, 60), (2, 60)]),  # no page size ≤ 100 holds 50..109: two pages
    ((230, 60), list(range(231, 251)), [(4, 73)]),  # rows 219..291
    ((150, 100), list(range(151, 251)), [(2, 100), (3, 100)]),
    ((245, 10), list(range(246, 251)), [(17, 15)]),
    ((230, 75), list(range(231, 251)), [(4, 75)]),  # two-page window, but page 4 (225..299) reaches the end
    ((199, 2), [200, 201], [(67, 3)]),  # 199..200 fit in page 67 of size 3 (198..200)
]


@pytest.mark.parametrize(("window", "ids", "calls"), WINDOWS, ids=[f"{o}+{n}" for (o, n), *_ in WINDOWS])
def test_window_without_filters_reads_the_minimal_legacy_pages(window, ids, calls):
    offset, limit = window
    got, total, made = run({"offset": offset, "limit": limit})
    assert got == ids
    assert total == N_USERS
    assert [(page, size) for page, size, _ in made] == calls


def test_aligned_window_fetches_exactly_the_matching_page():
    for offset in range(0, N_USERS + 25, 25):
        got, _, made = run({"offset": offset, "limit": 25})
        assert [(p, s) for p, s, _ in made] == [(offset // 25 + 1, 25)]
        assert got == list(range(offset + 1, min(offset + 25, N_USERS) + 1))


def test_every_unaligned_window_matches_slicing():
    ids = list(range(1, N_USERS + 1))
    for offset in (1, 7, 33, 99, 101, 149, 231):
        for limit in (1, 13, 40, 100):
            got, total, made = run({"offset": offset, "limit": limit})
            assert got == ids[offset : offset + limit], (offset, limit)
            assert total == N_USERS
            assert 1 <= len(made) <= 2


def test_search_is_passed_to_the_legacy_listing():
    got, total, made = run({"search": "USER24", "limit": 5, "offset": 5})
    assert got == [245, 246, 247, 248, 249]
    assert total == 10  # user240..user249
    assert made == [(2, 5, "USER24")]


@pytest.mark.parametrize(
    ("filters", "expected_total", "first_ids"),
    [
        ({"role": "admin"}, 25, [10, 20, 30]),
        ({"status": "suspended"}, 35, [7, 14, 21]),
        ({"role": "admin", "status": "suspended"}, 3, [70, 140, 210]),
        ({"role": "user", "status": "active"}, 250 - 25 - 35 + 3, [1, 2, 3]),  # 1..3 have no role: "user"
        ({"role": "instructor"}, 0, []),
        ({"status": "pending"}, 0, []),  # legacy users are active or suspended
    ],
)
def test_role_and_status_filters_read_every_page_and_filter(filters, expected_total, first_ids):
    got, total, made = run({**filters, "limit": 3})
    assert total == expected_total
    assert got == first_ids
    assert [(p, s) for p, s, _ in made] == [(1, 100), (2, 100), (3, 100)]


def test_filtered_window_edges():
    admins = list(range(10, 251, 10))
    for offset, limit in ((0, 100), (20, 5), (24, 5), (25, 5), (100, 10)):
        got, total, _ = run({"role": "admin", "offset": offset, "limit": limit})
        assert got == admins[offset : offset + limit]
        assert total == 25


def test_filtered_listing_stops_on_a_short_page():
    users = make_users()[:100]  # exactly one full page: the second (empty) call ends the loop
    _, total, made = run({"role": "admin"}, users)
    assert total == 10
    assert [p for p, _, _ in made] == [1]  # seen == total after page 1


def test_filters_with_search():
    got, total, made = run({"role": "admin", "search": "user1"})
    assert got == [100, 110, 120, 130, 140, 150, 160, 170, 180, 190]  # user100..user199 match "user1"
    assert total == 10
    assert {s for _, _, s in made} == {"user1"}


def test_a_plain_function_works_too():
    rows = make_users()

    def fetch(page, limit, search):
        start = (page - 1) * limit
        return {"users": rows[start : start + limit], "total": len(rows), "page": page, "limit": limit}

    users, total = asyncio.run(collect_users(fetch, UserFilters(offset=40, limit=20)))
    assert [u["id"] for u in users] == list(range(41, 61)) and total == N_USERS


def test_returns_the_legacy_dicts_unchanged():
    fake = FakeLegacyListing(make_users())
    users, _ = asyncio.run(collect_users(fake, UserFilters(limit=2)))
    assert users == make_users()[:2]


def test_invalid_legacy_page_names_the_path():
    async def broken(page, limit, search):
        return {"users": [{"id": 1}], "total": "lots"}

    with pytest.raises(LegacyShapeError, match=r"page\[1\]\.total"):
        asyncio.run(collect_users(broken, UserFilters()))

    async def bad_user(page, limit, search):
        return {"users": [{"id": 1, "username": "a", "created_at": "x"}], "total": 1}

    with pytest.raises(LegacyShapeError, match=r"page\[1\]\.users\[0\]\.is_active"):
        asyncio.run(collect_users(bad_user, UserFilters(role="admin")))
