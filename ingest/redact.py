"""Redact personal data from free text before it is stored: e-mail addresses, phone numbers, personnummer,
person names.

Personnummer are found first (so they are not taken for phone numbers), then e-mail addresses, then
phone numbers with the `phonenumbers` library (Swedish numbering plan, only valid numbers, so that
amounts such as "50 680 000" are left alone), and last person names (ingest.names: a gazetteer with
capitalisation context, keeping the organisation and place names the reference data knows).
"""

from __future__ import annotations

import re
import unicodedata

from ingest.names import PERSON, redact_names

__all__ = ["EMAIL", "PERSON", "PERSONNUMMER", "PHONE", "find_personal_data", "redact"]

EMAIL = "[e-post]"
PHONE = "[telefon]"
PERSONNUMMER = "[personnummer]"

# YYMMDD or YYYYMMDD (day + 60 for samordningsnummer), then the last four digits, with or without a
# separator as people and autocorrect write it: "-", "–", "+", "/", spaces; also YYYY-MM-DD-XXXX.
_PERSONNUMMER = re.compile(
    r"(?<![\d-])(?:19|20)?\d{2}-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01]|[6-8]\d|9[01])"
    r"(?:\s*[-–—+/]\s*|\s)?\d{4}(?![\d-])"
)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


def _redact_phones(text: str) -> str:
    import phonenumbers

    pieces, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, "SE", leniency=phonenumbers.Leniency.VALID):
        pieces += [text[last : match.start], PHONE]
        last = match.end
    return "".join(pieces) + text[last:]


def redact(text: str) -> str:
    """NFC-normalise text and replace personal data with placeholders."""
    text = unicodedata.normalize("NFC", text)
    text = _EMAIL.sub(EMAIL, text)
    text = _redact_phones(text)  # before personnummer: 0701234567 is a phone number, not a birth date
    text = _PERSONNUMMER.sub(PERSONNUMMER, text)
    return redact_names(text)


def find_personal_data(text: str) -> list[str]:
    """The pieces of text that redact() would replace (used to scan a published db)."""
    import phonenumbers

    found = _EMAIL.findall(text)
    without = _EMAIL.sub(" ", text)
    matches = list(phonenumbers.PhoneNumberMatcher(without, "SE", leniency=phonenumbers.Leniency.VALID))
    found += [m.raw_string for m in matches]
    for m in reversed(matches):
        without = without[: m.start] + " " + without[m.end :]
    return found + _PERSONNUMMER.findall(without)
