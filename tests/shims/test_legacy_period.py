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
    ("1y", "90d"), ("365d", "90d"), ("91d", "90d"), ("2026-01", "90d"),  # longer, or a month: the widest window
])  # fmt: skip
def test_the_legacy_window_for_a_standard_period(choices, period, expected):
    assert legacy_period(period, choices) == expected


def test_the_value_is_the_legacy_type_s_own():
    assert legacy_period("1y", Period) == "90d" and Period(legacy_period("1y", Period)) is Period.quarter


@pytest.mark.parametrize("period", ["3d", "14d", "89d"])
def test_a_period_between_or_below_the_windows_is_400_naming_them(period):
    """As the legacy route answered it: the caller picks a window (no silent lower bound for a short period)."""
    with pytest.raises(InvalidRequestError, match=rf"keeps the windows 7d, 30d, 90d; .* not {period}$"):
        legacy_period(period, Period)


def test_a_malformed_period_is_400_whatever_the_windows():
    with pytest.raises(InvalidRequestError):
        legacy_period("1w", Period)


def test_names_that_are_not_day_windows_pass_the_period_unchanged():
    class Named(str, Enum):
        week = "week"
        month = "month"

    assert legacy_period("1y", Named) == "1y"
    assert legacy_period("2026-01", str) == "2026-01"


@pytest.mark.parametrize(("annotation", "expected"), [
    ("Period", "Period"), ("Optional[Period]", "Period"), ("Period | None", "Period"), ("enums.Period", "enums.Period"),
    ('Literal["7d", "30d"]', 'Literal["7d", "30d"]'), ("str", None), ("Optional[str]", None), (None, None),
])  # fmt: skip
def test_phase_1_wraps_a_legacy_period_only_when_its_type_names_windows(annotation, expected):
    from codemods._standard_methods import _period_type

    assert _period_type(annotation) == expected
