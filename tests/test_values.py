import pytest

from ingest.values import (
    DASH,
    EMPTY,
    NOT_FINISHED,
    REPORTED,
    ValueParseError,
    decimals_of,
    parse_amount,
    parse_count,
    parse_decimal,
    parse_percent,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250 000 kr", (250_000, REPORTED)),
        ("6\u00a0000\u00a0000", (6_000_000, REPORTED)),
        ("ca 44 milj", (44_000_000, REPORTED)),
        ("1,5 mkr", (1_500_000, REPORTED)),
        ("50,7 miljoner kronor", (50_700_000, REPORTED)),
        ("300 tkr", (300_000, REPORTED)),
        ("-", (None, DASH)),
        ("Ej färdigställt.", (None, NOT_FINISHED)),
        ("  ", (None, EMPTY)),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80 %", 80.0), ("80", 80.0), ("0,8", 80.0), ("75%", 75.0), (" 60 procent", 60.0)],
)
def test_parse_percent(text, expected):
    assert parse_percent(text) == (expected, REPORTED)


@pytest.mark.parametrize("text", ["många", "120 %", "12 kr x"])
def test_unreadable_values_raise(text):
    with pytest.raises(ValueParseError):
        parse_percent(text) if "%" in text or text == "många" else parse_amount(text)


def test_count_and_decimals():
    assert parse_count("9") == (9, REPORTED)
    with pytest.raises(ValueParseError):
        parse_count("4,5")
    assert decimals_of("5,8") == 1
    assert decimals_of("50,7 miljoner kronor") == 1
    assert decimals_of("52") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("44 miljoner kr", 44_000_000), ("44 milj. kr", 44_000_000), ("drygt 6 000 000 kr", 6_000_000)],
)
def test_more_ways_to_write_amounts(text, expected):
    assert parse_amount(text) == (expected, REPORTED)


@pytest.mark.parametrize(("text", "expected"), [("ca 50 %", 50.0), ("cirka 80 procent", 80.0), ("~60%", 60.0)])
def test_approximate_shares(text, expected):
    assert parse_percent(text) == (expected, REPORTED)


# Cases added to kill surviving mutants (dev/mutation.py, issue 20): each pins a branch a mutant changed.
@pytest.mark.parametrize("text", ["–", "—", "-", " - ", "-."])
def test_every_dash_is_a_dash(text):
    assert parse_amount(text) == (None, "streck") and parse_percent(text) == (None, "streck")
    assert parse_count(text) == (None, "streck")


@pytest.mark.parametrize("text", ["Ej färdigställt", "ej fardigstallt", "Inte färdigställt.", "EJ FÄRDIGSTÄLLT"])
def test_not_finished_in_every_spelling(text):
    assert parse_amount(text) == (None, "ej-fardigstallt") and parse_count(text) == (None, "ej-fardigstallt")


def test_decimal_points_and_commas():
    assert parse_decimal("1.5") == 1.5 and parse_decimal("1,5") == 1.5
    with pytest.raises(ValueParseError, match="inte ett tal"):
        parse_decimal("1,5.0")  # both separators: not a number we can read
    assert decimals_of("1 000,25") == 2  # spaces are thousands separators, not the end of the number


def test_errors_name_the_value():
    for parse, text, words in ((parse_count, "2,5", "inte ett heltal"), (parse_amount, "mycket", "beloppet"),
                               (parse_percent, "hälften", "andelen"), (parse_percent, "120 %", "utanför 0-100")):
        with pytest.raises(ValueParseError, match=words) as info:
            parse(text)
        assert repr(text) in str(info.value)


def test_count_empty_cell_is_no_answer():
    assert parse_count("") == (None, "saknas") and parse_percent("") == (None, "saknas")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 %", 1.0),  # the sign says percent: not a fraction of 1
        ("1 procent", 1.0),
        ("0,5 %", 0.5),
        ("0,5 procent", 0.5),  # the word is a sign too
        ("1", 1.0),  # a whole 1 without sign is 1 %, only a written fraction is a share of 1
        ("1,0", 100.0),
        ("1.0", 100.0),
        ("0", 0.0),
        ("0,0", 0.0),
        ("100", 100.0),
        ("100 %", 100.0),
        ("1,5", 1.5),  # above 1: a percentage, even with a decimal comma
        ("33,3333333 %", 33.333333),  # six decimals kept
        ("80%", 80.0),
    ],
)
def test_percent_edges(text, expected):
    assert parse_percent(text) == (expected, "rapporterad")


@pytest.mark.parametrize("text", ["100,5", "-5 %", "101"])
def test_percent_out_of_range(text):
    with pytest.raises(ValueParseError):
        parse_percent(text)
