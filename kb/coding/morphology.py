"""Swedish morphology at build time: candidate base forms of a word from well-kept dictionaries.

Sources (each optional at import, all used when installed):
- simplemma (primary lemma, case-insensitive, good on inflections);
- hunspell-sv through chunspell (SALDO-based stems; knows which words exist);
- spaCy's lookup table from spacy-lookups-data, only for words hunspell does not know
  (it folds nouns into verbs: bidrag -> bidra, beslut -> besluta).

The result is compiled into a small FormIndex (kb.coding.forms) so that coding at run time
needs none of these dictionaries.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

# Candidate inflection endings, used only to *propose* forms; a form is kept only when the
# dictionaries themselves map it back to the base form.
_ENDINGS = (
    "",
    "n",
    "en",
    "et",
    "t",
    "na",
    "ne",
    "er",
    "erna",
    "ers",
    "ernas",
    "ar",
    "arna",
    "or",
    "orna",
    "s",
    "ns",
    "ens",
    "ets",
    "a",
    "e",
    "ade",
    "at",
    "ad",
    "ande",
    "andet",
    "ar",
    "as",
    "de",
    "des",
    "dd",
    "tt",
    "te",
    "r",
    "rna",
    "ts",
    "are",
    "ast",
    "aste",
    "ig",
    "igt",
    "iga",
)


def _load_lookup_table() -> dict[str, str]:
    """spaCy's Swedish lemma lookup table (form -> lemma) from spacy-lookups-data, or {}."""
    try:
        import spacy_lookups_data
    except ImportError:
        return {}
    path = Path(spacy_lookups_data.__file__).parent / "data" / "sv_lemma_lookup.json.gz"
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _hunspell_dir() -> Path | None:
    for base in (Path(sys.prefix), Path(sys.base_prefix), Path("/usr")):
        candidate = base / "share" / "hunspell"
        if (candidate / "sv_SE.dic").exists():
            return candidate
    return None


class Morphology:
    """Full morphology: slow to load (a few seconds), used when the pipeline is built."""

    def __init__(self) -> None:
        import simplemma

        self._simplemma = simplemma
        self._hunspell = None
        directory = _hunspell_dir()
        if directory is not None:
            from hunspell import Hunspell

            self._hunspell = Hunspell("sv_SE", hunspell_data_dir=str(directory))
            self.dic_path: Path | None = directory / "sv_SE.dic"
        else:
            self.dic_path = None
        self._lookup = _load_lookup_table()
        self.analyse = lru_cache(maxsize=None)(self._analyse)

    def known(self, word: str) -> bool:
        """Whether the dictionary knows the word."""
        return bool(self._hunspell and self._hunspell.spell(word))

    def primary(self, lower: str) -> str:
        """The primary lemma (simplemma)."""
        return self._simplemma.lemmatize(lower, lang="sv").lower()

    def _analyse(self, lower: str) -> tuple[str, tuple[str, ...]]:
        primary = self.primary(lower)
        cands = [lower, primary]
        stems: list[str] = []
        known = False
        if self._hunspell is not None:
            stems = [s.lower() for s in self._hunspell.stem(lower)]
            cands.extend(stems)
            known = self._hunspell.spell(lower)
        # The lookup table only fills gaps: it folds nouns into verbs (bidrag -> bidra).
        if not known or set(stems) <= {lower}:
            looked = self._lookup.get(lower)
            if isinstance(looked, str):
                cands.append(looked.lower())
        return primary, tuple(dict.fromkeys(cands))

    def lookup_pairs(self) -> Iterable[tuple[str, str]]:
        """(form, lemma) pairs of spaCy's lookup table."""
        return self._lookup.items()

    def dictionary_stems(self) -> list[str]:
        """Lower-cased stems of the hunspell dictionary (for compound checks at run time)."""
        if self.dic_path is None:
            return sorted({lemma.lower() for lemma in self._lookup.values() if isinstance(lemma, str)})
        stems = set()
        with open(self.dic_path, encoding="utf-8", errors="replace") as handle:
            next(handle, None)
            for line in handle:
                word = line.split("/", 1)[0].strip().lower()
                if word and not word.startswith("#"):
                    stems.add(word)
        return sorted(stems)

    def inflections(self, base: str) -> set[str]:
        """Forms the dictionaries confirm as inflections of base."""
        stems = {base}
        if len(base) > 3 and base[-1] in "aeo":
            stems.add(base[:-1])
        if len(base) > 4 and base[-2] == "e" and base[-1] in "lnr":
            stems.add(base[:-2] + base[-1])
        if len(base) > 3 and base[-1] == base[-2]:
            stems.add(base[:-1])
        out = {base}
        for stem in stems:
            for ending in _ENDINGS:
                form = stem + ending
                if form == base:
                    continue
                primary, cands = self.analyse(form)
                if base in cands and (self.known(form) or primary == base):
                    out.add(form)
        return out


def default_morphology() -> Morphology:
    """A Morphology, or a clear error naming the missing package."""
    try:
        return Morphology()
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(f"saknar paket för svensk morfologi: {exc.name} (pip install simplemma)") from exc
