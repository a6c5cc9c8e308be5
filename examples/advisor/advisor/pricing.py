"""Model prices (USD per 1K tokens, input and output) and the cost of a usage row.

Prices are list prices at the time of writing; the dashboard shows *estimated* costs from this table.
"""

from __future__ import annotations

import logging
from functools import lru_cache

logger = logging.getLogger(__name__)

# model -> (input USD per 1K tokens, output USD per 1K tokens)
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (0.0025, 0.0100),
    "gpt-4o-mini": (0.00015, 0.0006),
    "gpt-4": (0.0300, 0.0600),
    "gpt-3.5-turbo": (0.0005, 0.0015),
    "claude-3-haiku": (0.00025, 0.00125),
    "claude-3-5-sonnet": (0.0030, 0.0150),
}

# Unknown models (a new deployment before this table is updated) are estimated at the gpt-4o price.
DEFAULT_PRICE = PRICES["gpt-4o"]


@lru_cache(maxsize=None)  # once per model, not once per row
def _warn_unpriced(model: str) -> None:
    logger.warning("no price for model %r; estimating with the default price", model)


def price_of(model: str) -> tuple[float, float]:
    price = PRICES.get(model)
    if price is None:
        _warn_unpriced(model)
        return DEFAULT_PRICE
    return price


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    """Unrounded cost of `input_tokens` + `output_tokens` on `model` (callers round for display)."""
    price_in, price_out = price_of(model)
    return input_tokens / 1000 * price_in + output_tokens / 1000 * price_out
