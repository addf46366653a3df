"""Parse numbers as Swedish people write them: "250 000 kr", "5,8", "80 %", "ca 44 milj", "-".

Each parser returns (value, status). Status is one of STATUSES; only "rapporterad" carries a value.
A dash and "Ej färdigställt" are explicit answers, not zeros.
"""

from __future__ import annotations

import re

REPORTED = "rapporterad"
DASH = "streck"
NOT_FINISHED = "ej-fardigstallt"
EMPTY = "saknas"
STATUSES = {
    REPORTED: "Uppgift lämnad",
    DASH: "Streck (-): ingen uppgift",
    NOT_FINISHED: "Ej färdigställt",
    EMPTY: "Inget svar",
}

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NUMBER = re.compile(r"^[+]?\d+(?:[.,]\d+)?$")
_MILLION = re.compile(r"\s*(?:milj(?:on(?:er)?)?\.?|mn|mkr|mnkr)(?:\s*(?:kr|kronor|sek)\.?)?$")
_DECIMALS = re.compile(r"\d[.,](\d+)")
_THOUSAND = re.compile(r"\s*(?:tkr|tusen)(?:\s*(?:kr|kronor|sek)\.?)?$")
_APPROXIMATELY = re.compile(r"^(?:ca\.?|cirka|ungefär|ung\.?|~|minst|åtminstone|drygt|knappt)\s*")


class ValueParseError(ValueError):
    """Raised when a cell cannot be read as the expected kind of number."""


def _status_of(text: str) -> str | None:
    folded = _SPACES.sub(" ", text).strip().strip(".").casefold()
    if folded == "":
        return EMPTY
    if folded in {"-", "–", "—"}:
        return DASH
    if folded in {"ej färdigställt", "ej fardigstallt", "inte färdigställt"}:
        return NOT_FINISHED
    return None


def parse_decimal(text: str) -> float:
    """'5,8' -> 5.8; '52' -> 52.0; thousands separators (spaces) allowed."""
    compact = _SPACES.sub("", str(text))
    if compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    if not _NUMBER.match(compact):
        raise ValueParseError(f"inte ett tal: {text!r}")
    return float(compact)


def decimals_of(text: str) -> int:
    """Number of printed decimals: '5,8' -> 1, '5' -> 0."""
    match = _DECIMALS.search(_SPACES.sub("", str(text)))
    return len(match.group(1)) if match else 0


def parse_count(text: str) -> tuple[int | None, str]:
    """A whole count such as '9'."""
    status = _status_of(str(text))
    if status:
        return None, status
    value = parse_decimal(text)
    if value != int(value):
        raise ValueParseError(f"inte ett heltal: {text!r}")
    return int(value), REPORTED


def parse_amount(text: str) -> tuple[int | None, str]:
    """An amount in kronor: '250 000 kr', '6 000 000', 'ca 44 milj', '1,5 mkr', '-', 'Ej färdigställt'."""
    raw = str(text)
    status = _status_of(raw)
    if status:
        return None, status
    folded = _SPACES.sub(" ", raw).strip().casefold()
    folded = _APPROXIMATELY.sub("", folded)
    factor = 1
    for pattern, multiplier in ((_MILLION, 1_000_000), (_THOUSAND, 1_000)):
        if pattern.search(folded):
            folded, factor = pattern.sub("", folded).strip(), multiplier
    folded = re.sub(r"\s*(kr|kronor|sek|:-)\.?$", "", folded).strip()
    try:
        value = parse_decimal(folded) * factor
    except ValueParseError:
        raise ValueParseError(f"kan inte läsa beloppet {raw!r} (skriv t.ex. 250 000 kr)") from None
    return int(round(value)), REPORTED


def parse_percent(text: str) -> tuple[float | None, str]:
    """A share: '80 %', '80', '0,8' (a fraction <= 1 is read as a share of 1), '-'."""
    raw = str(text)
    status = _status_of(raw)
    if status:
        return None, status
    folded = _SPACES.sub("", _APPROXIMATELY.sub("", _SPACES.sub(" ", raw).strip().casefold()))
    folded = folded.rstrip("%").replace("procent", "")
    try:
        value = parse_decimal(folded)
    except ValueParseError:
        raise ValueParseError(f"kan inte läsa andelen {raw!r} (skriv t.ex. 80 %)") from None
    has_sign = "%" in raw or "procent" in raw.casefold()
    if not has_sign and 0 < value <= 1 and ("," in folded or "." in folded):
        value *= 100
    if not 0 <= value <= 100:
        raise ValueParseError(f"andelen {raw!r} ligger utanför 0-100 %")
    return round(value, 6), REPORTED
