"""Assistant prices per model: USD per 1K prompt and completion tokens. Estimates, not the provider's invoice."""

from __future__ import annotations

from sqlalchemy import case, literal

PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.00015, 0.0006),
    "gpt-4o": (0.0025, 0.01),
    "gemini-1.5-flash": (0.000075, 0.0003),
}


def cost_of(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    prompt_price, completion_price = PRICES[model]
    return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1000


def cost_expression(model, prompt_tokens, completion_tokens):
    """The same price as a SQL expression over columns, for sums in the database."""
    return case(
        *[(model == name, (prompt_tokens * p + completion_tokens * c) / 1000.0) for name, (p, c) in PRICES.items()],
        else_=literal(0.0),
    )
