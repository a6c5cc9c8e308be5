"""The price table behind every cost figure."""

from __future__ import annotations

import logging

import pytest
from advisor.pricing import PRICES, cost_usd


def test_cost_uses_input_and_output_prices():
    assert cost_usd("gpt-4", 1000, 1000) == pytest.approx(0.03 + 0.06)
    assert cost_usd("gpt-4o-mini", 2000, 500) == pytest.approx(2 * 0.00015 + 0.5 * 0.0006)
    assert cost_usd("claude-3-haiku", 0, 0) == 0


def test_every_price_is_positive_and_output_costs_more():
    assert {"gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-3.5-turbo", "claude-3-haiku"} <= set(PRICES)
    assert all(0 < price_in < price_out for price_in, price_out in PRICES.values())


def test_an_unknown_model_is_estimated_at_the_default_price_and_logged_once(caplog):
    with caplog.at_level(logging.WARNING, logger="advisor.pricing"):
        assert cost_usd("brand-new-model", 1000, 1000) == cost_usd("gpt-4o", 1000, 1000)
        cost_usd("brand-new-model", 10, 10)
    assert [r.getMessage() for r in caplog.records].count(
        "no price for model 'brand-new-model'; estimating with the default price"
    ) == 1
