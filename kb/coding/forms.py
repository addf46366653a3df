"""The compiled form index: every word form the codebook cares about, with its candidate base forms.

Built once from the full morphology (kb.coding.morphology) and saved with the spaCy pipeline, so
run-time analysis is a dictionary look-up plus a compound split for unknown words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Endings stripped only to check that the rest of a compound is a real word.
_REST_ENDINGS = ("", "na", "n", "en", "et", "er", "erna", "ar", "arna", "or", "orna", "s", "a", "e", "t", "ens", "ets")

# Inflection endings tried, longest first, on words the dictionaries do not know (new verbs such as
# "samnyttjar", participles such as "överbelastade"): the rest (+ a/e) must be a codebook word.
_GUESS_ENDINGS = tuple(
    sorted(
        {
            "ade",
            "ades",
            "ad",
            "ande",
            "andet",
            "ar",
            "at",
            "ats",
            "as",
            "de",
            "des",
            "te",
            "tes",
            "er",
            "erna",
            "arna",
            "orna",
            "na",
            "en",
            "et",
            "ens",
            "ets",
            "r",
            "s",
            "t",
            "e",
            "n",
            "a",
            "ts",
            "iga",
            "igt",
            "ars",
            "ers",
            "ors",
            "arnas",
            "ernas",
            "ornas",
            "nas",
            "ns",
        },
        key=lambda e: (-len(e), e),
    )
)
_GUESS_MIN_STEM = 5


@dataclass(frozen=True, slots=True)
class Analysis:
    """Candidate base forms of one token."""

    lower: str
    norm: str  # the target base form used for NORM (phrase and pattern matching)
    primary: str  # the primary lemma
    bases: tuple[str, ...]  # all candidate base forms (incl. lower and primary)
    head: tuple[str, ...] = ()  # candidate bases of the compound head, if the word is a compound
    modifier: str | None = None  # base of the first part, if it is a prefix-enabled term


class FormIndex:
    """Form -> (primary, candidates) for the forms that matter, plus dictionary stems."""

    def __init__(
        self,
        forms: dict[str, tuple[str, tuple[str, ...]]] | None = None,
        targets: Iterable[str] = (),
        prefixes: dict[str, str] | None = None,
        known: Iterable[str] = (),
        keys: Iterable[str] = (),
    ) -> None:
        self.forms = forms or {}
        self.targets = set(targets)
        self.prefixes = prefixes or {}
        self.known = set(known)
        # Codebook words written as base forms (single-word terms, pattern BASE values): each is
        # its own key even when a dictionary lemmatises it to another codebook word.
        self.keys = set(keys)
        self._cache: dict[str, Analysis] = {}

    # -- build ---------------------------------------------------------------------------
    @classmethod
    def build(
        cls, morphology, targets: Iterable[str], prefix_bases: Iterable[str], keys: Iterable[str] = ()
    ) -> FormIndex:
        """Index every form the dictionaries map to one of the target base forms."""
        target_set = {t for t in targets if t}
        candidates: set[str] = set(target_set)
        for base in target_set:
            candidates |= morphology.inflections(base)
        for form, lemma in morphology.lookup_pairs():
            if isinstance(lemma, str) and (lemma.lower() in target_set or form.lower() in target_set):
                candidates.add(form.lower())
        forms: dict[str, tuple[str, tuple[str, ...]]] = {}
        for form in sorted(candidates):
            if " " in form:
                continue
            primary, cands = morphology.analyse(form)
            if form in target_set or target_set.intersection(cands):
                forms[form] = (primary, cands)
        prefixes: dict[str, str] = {}
        for base in prefix_bases:
            variants = {base, base + "s"}
            if len(base) > 3 and base[-1] in "aeo":
                variants |= {base[:-1], base[:-1] + "s"}
            for variant in variants:
                prefixes.setdefault(variant, base)
        return cls(forms, target_set, prefixes, morphology.dictionary_stems(), set(keys) & target_set)

    # -- persistence -----------------------------------------------------------------------
    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        data = {
            "forms": {k: [p, list(c)] for k, (p, c) in self.forms.items()},
            "targets": sorted(self.targets),
            "prefixes": self.prefixes,
            "keys": sorted(self.keys),
        }
        (path / "forms.json").write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        (path / "known.txt").write_text("\n".join(sorted(self.known)), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> FormIndex:
        data = json.loads((path / "forms.json").read_text(encoding="utf-8"))
        forms = {k: (p, tuple(c)) for k, (p, c) in data["forms"].items()}
        known = (path / "known.txt").read_text(encoding="utf-8").split("\n")
        return cls(forms, data["targets"], data["prefixes"], known, data.get("keys", ()))

    # -- run time --------------------------------------------------------------------------
    def norm_of(self, word: str) -> str:
        """The NORM value a word (in any form) gets; used for codebook phrases and patterns too."""
        return self.analyse(word.lower()).norm

    def _is_word(self, part: str) -> bool:
        if len(part) < 2:
            return False
        if part in self.known or part in self.forms:
            return True
        return any(part.endswith(e) and (part[: len(part) - len(e)] in self.known) for e in _REST_ENDINGS if e)

    def _valid_first_part(self, part: str) -> bool:
        if len(part) < 3:
            return False
        if part in self.known:
            return True
        if part[-1] in "s-" and part[:-1] in self.known:
            return True
        return part + "a" in self.known or part + "e" in self.known

    def _guess_base(self, lower: str) -> str | None:
        """A codebook base form for an unknown inflected word, by stripping a regular ending."""
        if len(lower) < _GUESS_MIN_STEM + 1 or not lower.isalpha():
            return None
        for ending in _GUESS_ENDINGS:
            if not lower.endswith(ending):
                continue
            stem = lower[: len(lower) - len(ending)]
            if len(stem) < _GUESS_MIN_STEM - 1:
                continue
            for cand in (stem, stem + "a", stem + "e"):
                if cand != lower and len(cand) >= _GUESS_MIN_STEM and cand in self.targets:
                    return cand
        return None

    def analyse(self, lower: str) -> Analysis:
        """Analysis of a lower-cased token (cached)."""
        cached = self._cache.get(lower)
        if cached is not None:
            return cached
        entry = self.forms.get(lower)
        if entry is not None:
            primary, bases = entry
            # A codebook base form is its own key ("kunnande" stays "kunnande" even when "kunna" is
            # a codebook word too); other forms map to their lemma, or another base, among the targets.
            if lower in self.keys:
                norm = lower
            elif primary in self.targets:
                norm = primary
            else:
                norm = next((b for b in bases if b in self.targets), lower)
        else:
            primary, bases, norm = lower, (lower,), lower
            guess = self._guess_base(lower)
            if guess is not None:
                primary, bases, norm = guess, (lower, guess), guess
        head: tuple[str, ...] = ()
        modifier = None
        if len(lower) >= 6 and lower.isalpha():
            for i in range(3, len(lower) - 2):
                rest = lower[i:]
                hit = self.forms.get(rest)
                if hit is not None and self._valid_first_part(lower[:i]):
                    head = hit[1]
                    break
            for i in range(len(lower) - 3, 2, -1):
                first = lower[:i]
                base = self.prefixes.get(first)
                if base is not None and self._is_word(lower[i:]):
                    modifier = base
                    break
        analysis = Analysis(lower, norm, primary, bases, head, modifier)
        self._cache[lower] = analysis
        return analysis
