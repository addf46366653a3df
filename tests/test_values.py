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
