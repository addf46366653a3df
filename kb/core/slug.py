"""The id rule: the slug of an entity's canonical Swedish name (a public contract)."""

import re
import unicodedata

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """Return the stable id of a canonical Swedish name.

    Lowercase; å and ä -> a, ö -> o, é -> e; every run of other non-alphanumeric
    characters -> "-"; no leading or trailing "-".

    >>> slugify("Församling/trossamfund")
    'forsamling-trossamfund'
    """
    text = unicodedata.normalize("NFC", name).lower().translate(_FOLD)
    return _NON_ALNUM.sub("-", text).strip("-")
