"""`shims.adapters.legacy_period`: the standard period as a legacy parameter of named windows takes it."""

from __future__ import annotations

from enum import Enum
from typing import Literal, Optional

import pytest

from shims.adapters import legacy_period
from shims.standard_api import InvalidRequestError


class Period(str, Enum):
    week = "7d"
    month = "30d"
    quarter = "90d"


@pytest.mark.parametrize("choices", [Period, Literal["7d", "30d", "90d"], ("90d", "7d", "30d"), Optional[Period]])
@pytest.mark.parametrize(("period", "expected"), [
    ("7d", "7d"), ("30d", "30d"), ("90d", "90d"),  # a window the legacy names: itself
    ("1y", "90d"), ("365d", "90d"), ("2026-01", "90d"),  # longer, or a month: the widest window
    ("14d", "7d"), ("89d", "30d"),  # between two windows: the widest not longer (a lower bound)
])  # fmt: skip
def test_the_legacy_window_for_a_standard_period(choices, period, expected):
    assert legacy_period(period, choices) == expected


def test_the_value_is_the_legacy_type_s_own():
    assert legacy_period("1y", Period) == "90d" and Period(legacy_period("1y", Period)) is Period.quarter


def test_a_period_shorter_than_every_window_is_400_naming_them():
    with pytest.raises(InvalidRequestError, match=r"3d is shorter than every window this service keeps \(7d, 30d, 90d\)"):
        legacy_period("3d", Period)


def test_a_malformed_period_is_400_whatever_the_windows():
    with pytest.raises(InvalidRequestError):
        legacy_period("1w", Period)


def test_names_that_are_not_day_windows_pass_the_period_unchanged():
    class Named(str, Enum):
        week = "week"
        month = "month"

    assert legacy_period("1y", Named) == "1y"
    assert legacy_period("2026-01", str) == "2026-01"
