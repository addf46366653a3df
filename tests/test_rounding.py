"""round_half_up: the report's rounding, worked out by hand (half away from zero, on exact fractions)."""

from kb.core.rounding import round_half_up


def test_half_up_on_exact_fractions():
    assert round_half_up(46, 8, 1) == 5.8  # 5.75 -> 5.8 (Table 3's "5,8")
    assert round_half_up(0.125, 1, 2) == 0.13  # exact 1/8: a binary round() gives 0.12
    assert round_half_up(2.5) == 3.0 and round_half_up(3.5) == 4.0  # not banker's rounding
    assert round_half_up(-2.5) == -3.0  # half away from zero
    assert round_half_up(485, 8, 0) == 61.0  # 60.625 % -> 61 %, the staffed share of the text


def test_below_half_goes_down_and_defaults():
    assert round_half_up(5.749, 1, 1) == 5.7
    assert round_half_up(7) == 7.0 and isinstance(round_half_up(7), float)
    assert round_half_up(1, 3, 3) == 0.333 and round_half_up(2, 3, 3) == 0.667
    assert round_half_up(1250, 1, -2) == 1300.0  # negative decimals round to hundreds
