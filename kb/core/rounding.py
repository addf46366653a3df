"""Rounding as the report prints it: half away from zero on exact fractions, not binary floats."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_half_up(numerator: float | int, denominator: float | int = 1, decimals: int = 0) -> float:
    """numerator/denominator rounded half up to `decimals` places: round_half_up(46, 8, 1) == 5.8."""
    exact = Fraction(numerator) / Fraction(denominator)
    as_decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    return float(as_decimal.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
