"""Comparison, JSON path rules and noise classification."""

from __future__ import annotations

import pytest

from migrator.parity.compare import Actual, Difference, Expected, compare, diff_json
from migrator.parity.errors import ParityUsageError
from migrator.parity.noise import IgnoreRules, mark_noise
from migrator.parity.paths import PathPattern, format_path
from migrator.parity.target import IgnoreRule


def _diff(old, new):
    out: list = []
    diff_json(old, new, (), out)
    return [(format_path(seg), change, a, b) for _, seg, change, a, b in out]


def test_json_differences_are_named_by_path():
    old = {"summary": {"total_users": 1250, "ratio": 1.0}, "users": [{"id": 1}, {"id": 2}], "gone": 1, "x y": 1}
    new = {"summary": {"total_users": 1249, "ratio": 1}, "users": [{"id": 1, "password_hash": "<redacted>"}],
           "added": True, "x y": 2}
    assert _diff(old, new) == [
        ("$.summary.total_users", "changed", 1250, 1249),
        ("$.users[0].password_hash", "added", None, "<redacted>"),
        ("$.users[1]", "removed", {"id": 2}, None),
        ("$.gone", "removed", 1, None),
        ("$['x y']", "changed", 1, 2),
        ("$.added", "added", None, True),
    ]


def test_true_is_not_one_and_types_matter():
    assert _diff({"a": True}, {"a": 1}) == [("$.a", "changed", True, 1)]
    assert _diff({"a": "1"}, {"a": 1}) == [("$.a", "changed", "1", 1)]
    assert _diff({"a": None}, {"a": {}}) == [("$.a", "changed", None, {})]
    assert _diff([1, 2], [1, 2]) == []


def test_compare_status_headers_and_text_bodies():
    expected = Expected(status=200, headers={"content-type": "application/json", "x-v": "1"},
                        body={"json": {"n": 1}})
    actual = Actual(status=201, headers={"content-type": "application/json", "x-new": "y"}, body={"json": {"n": 2}})
    differences, more = compare(expected, actual)
    assert [d.text() for d in differences] == [
        "status: 200 → 201", 'header:x-v: "1" → (absent)', 'header:x-new: (absent) → "y"', "$.n: 1 → 2"]
    assert more == 0
    text_diff, _ = compare(Expected(200, None, {"body": "a"}), Actual(200, {}, {"body": "b"}))
    assert [d.path for d in text_diff] == ["body"]
    optional = Expected(200, {}, {}, optional_headers=frozenset({"link"}))
    assert compare(optional, Actual(200, {"link": "<x>"}, {}))[0] == []


def test_listing_is_capped_but_counted():
    differences, more = compare(Expected(200, None, {"json": list(range(300))}),
                                Actual(200, {}, {"json": [-1] * 300}))
    assert len(differences) == 200 and more == 100


@pytest.mark.parametrize("rule, path, hit", [
    ("$.generated_at", ("generated_at",), True),
    ("$.generated_at", ("generated_at", "x"), True),
    ("$.generated_at", ("other",), False),
    ("$.users[*].last_login", ("users", 3, "last_login"), True),
    ("$.users[*].last_login", ("users", 3, "email"), False),
    ("$.users[0]", ("users", 1, "email"), False),
    ("$..request_id", ("meta", "deep", "request_id"), True),
    ("$..request_id", ("request_id",), True),
    ("$.*.total", ("users", "total"), True),
    ("$['a b']", ("a b",), True),
])
def test_path_patterns(rule, path, hit):
    assert PathPattern(rule).match(path) is hit


@pytest.mark.parametrize("rule", ["users.id", "$.[", "$.a[x]"])
def test_bad_rules_are_usage_errors(rule):
    with pytest.raises(ParityUsageError, match="ignore rule"):
        PathPattern(rule)


def test_ignore_rules_by_route_header_and_status():
    rules = IgnoreRules(["header:ETag", IgnoreRule(route="GET /admin/users*", paths=["$.users[*].last_login"]),
                         IgnoreRule(route="/admin/noisy", path="status")])
    users = rules.for_exchange("GET", "/admin/users", "/admin/users")
    assert users("json", ("users", 0, "last_login")) and users("header:etag", ())
    assert not users("json", ("users", 0, "email")) and not users("status", ())
    other = rules.for_exchange("POST", "/admin/users", "/admin/users")
    assert not other("json", ("users", 0, "last_login"))
    assert rules.for_exchange("GET", None, "/admin/noisy")("status", ())


def test_noise_is_a_value_that_did_not_repeat():
    first = [Difference(path="$.at", change="changed", old="t0", new="t1"),
             Difference(path="$.total", change="changed", old=5, new=4)]
    second = [Difference(path="$.at", change="changed", old="t0", new="t2"),
              Difference(path="$.total", change="changed", old=5, new=4)]
    assert mark_noise(first, second) == 1
    assert [d.noise for d in first] == [True, False]
