"""shims.adapters registration helpers: slugs from market ids, plans onto a service's Enum, the created id."""

from __future__ import annotations

import enum

import pytest

from shims.adapters import LegacyShapeError, activation_from_registration, enum_member, slug_for


class Plan(str, enum.Enum):
    basic = "basic"
    premium = "premium"


@pytest.mark.parametrize(("market_id", "slug"), [
    ("interop_university_901", "interop-university-901"),
    ("_______9001", "9001"),
    ("Seoul National University_101", "seoul-national-university-101"),
])
def test_slugs(market_id, slug):
    assert slug_for(market_id) == slug


def test_slugs_that_would_be_empty_or_long_carry_a_digest_and_stay_distinct():
    short, other = slug_for("__"), slug_for("_-_")
    assert short.startswith("t-") and short != other and len(short) == 12
    long_a, long_b = slug_for("a" * 60 + "_1"), slug_for("a" * 60 + "_2")
    assert len(long_a) <= 40 and long_a != long_b


def test_plans_the_service_has_and_the_ones_it_has_not():
    assert enum_member(Plan, "Premium") is Plan.premium and enum_member(Plan, "BASIC") is Plan.basic
    assert enum_member(Plan, "demo") is None and enum_member(Plan, None) is None


def test_the_created_tenant_id():
    class Handler:
        public_url = "https://s.example"

    answer = activation_from_registration({"id": 7, "slug": "x"}, "id", handler=Handler())
    assert (answer.tenant_id, answer.success, answer.message) == ("7", True, "Tenant '7' created")
    assert answer.access_url == "https://s.example?tenant=7"
    with pytest.raises(LegacyShapeError, match="legacy.id"):
        activation_from_registration({"slug": "x"}, "id", handler=Handler())
