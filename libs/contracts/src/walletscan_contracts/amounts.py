"""Amounts are integers in base units everywhere; this turns them into exact decimal text."""

from __future__ import annotations


def format_units(value: int, decimals: int) -> str:
    """12345, 8 -> '0.00012345'; exact, no floats, sign kept."""
    sign = "-" if value < 0 else ""
    digits = str(abs(value)).rjust(decimals + 1, "0")
    if decimals == 0:
        return f"{sign}{digits}"
    whole, frac = digits[:-decimals], digits[-decimals:]
    return f"{sign}{whole}.{frac}"
