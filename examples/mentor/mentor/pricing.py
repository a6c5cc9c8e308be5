"""What one million tokens cost, per model (USD). Estimates only: the provider's invoice is the truth."""

from __future__ import annotations

# model: (prompt, completion) USD per 1M tokens
PRICE_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "gpt-4-turbo": (10.00, 30.00),  # retired; still in the history
}
# A model that is no longer in the table is priced like the most expensive one (never under-report).
FALLBACK = max(PRICE_PER_MILLION.values())


def cost_sql(prompt: str = "prompt_tokens", completion: str = "completion_tokens", model: str = "model") -> str:
    """A SQL expression for the cost of one row, so that SQLite sums prices per row."""
    cases = " ".join(
        f"WHEN '{name}' THEN {prompt} * {p_in} + {completion} * {p_out}"
        for name, (p_in, p_out) in PRICE_PER_MILLION.items()
    )
    return f"((CASE {model} {cases} ELSE {prompt} * {FALLBACK[0]} + {completion} * {FALLBACK[1]} END) / 1000000.0)"
