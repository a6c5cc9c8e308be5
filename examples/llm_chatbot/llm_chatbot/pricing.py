"""Model price table, USD per 1K tokens (list prices the finance team signed off for 2026 budgets)."""

from __future__ import annotations

from typing import NamedTuple


class Price(NamedTuple):
    input_per_1k: float
    output_per_1k: float


PRICES: dict[str, Price] = {
    "gpt-4o": Price(0.0025, 0.0100),
    "gpt-4o-mini": Price(0.00015, 0.0006),
    "claude-3-5-sonnet": Price(0.0030, 0.0150),
    "claude-3-5-haiku": Price(0.0008, 0.0040),
    "solar-pro": Price(0.00025, 0.00025),
}

# A model that was retired from the table is still billed, at the most expensive rate, so that
# cost reports never under-estimate.
FALLBACK = Price(0.0030, 0.0150)


def price_for(model: str) -> Price:
    return PRICES.get(model, FALLBACK)


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    """Unrounded cost; callers round once, at the level they report."""
    price = price_for(model)
    return input_tokens / 1000 * price.input_per_1k + output_tokens / 1000 * price.output_per_1k
