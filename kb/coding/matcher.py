"""The theme matcher: a spaCy component that finds codebook themes in a normalised Doc.

Registered as ``samverkan_matcher``; it must run after ``samverkan_normaliser``. Layers, each with
its own confidence: surface form, lemma, alternative lemma, compound (head or first part),
phrase (PhraseMatcher on NORM) and pattern (Matcher on NORM). Matches are kept with a
``negated`` flag (see ``Negation`` in the codebook) and written to ``doc.user_data["kb_codings"]``
and the span group ``doc.spans["teman"]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from kb.coding.normalise import ANALYSES

CODINGS = "kb_codings"
SPAN_KEY = "teman"
CONFIDENCE = {
    "surface": 0.95,
    "lemma": 0.9,
    "phrase": 0.9,
    "pattern": 0.85,
    "alt_lemma": 0.8,
    "compound": 0.7,
}
LAYER_ORDER = ("surface", "lemma", "phrase", "pattern", "alt_lemma", "compound")

if not Doc.has_extension("codings"):
    Doc.set_extension("codings", getter=lambda doc: doc.user_data.get(CODINGS, []))


def _phrases(words: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases as word tuples, indexed by their first word."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for w in words:
        if w.strip():
            phrase = tuple(w.split())
            index.setdefault(phrase[0], []).append(phrase)
    return index


class ThemeMatcher:
    """Finds themes; the codebook data comes from ``set_codebook`` or ``from_disk``."""

    def __init__(self, nlp: Language, name: str = "samverkan_matcher") -> None:
        self.nlp = nlp
        self.name = name
        self.data: dict[str, Any] = {}
        self._compiled = False

    # -- configuration ---------------------------------------------------------------------
    def set_codebook(self, data: dict[str, Any]) -> None:
        """Use this codebook (Codebook.to_data())."""
        self.data = data
        self._compiled = False

    def _norm(self, word: str) -> str:
        return self.nlp.get_pipe("samverkan_normaliser").index.norm_of(word)

    def _norm_doc(self, text: str) -> Doc:
        doc = self.nlp.make_doc(text)
        for token in doc:
            token.norm_ = self._norm(token.text)
        return doc

    def _pattern_token(self, token: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in token.items():
            if key == "BASE":
                if isinstance(value, dict):
                    out["NORM"] = {op: [self._norm(v) for v in vs] for op, vs in value.items()}
                else:
                    out["NORM"] = self._norm(value)
            elif key in ("LOWER", "NORM") and isinstance(value, str):
                out[key] = value.lower()
            else:
                out[key] = value
        return out

    @staticmethod
    def _requirements(tokens: list[dict[str, Any]]) -> list[frozenset[str]]:
        """For each required token of a pattern that names its words (NORM or LOWER, a value or
        IN), the set of those words: a doc can only match if it holds one word of every set."""
        reqs = []
        for token in tokens:
            if token.get("OP") in ("?", "*", "!"):
                continue
            for key in ("NORM", "LOWER"):
                value = token.get(key)
                if isinstance(value, str):
                    reqs.append(frozenset([value]))
                    break
                if isinstance(value, dict) and set(value) == {"IN"}:
                    reqs.append(frozenset(value["IN"]))
                    break
        return reqs

    def _compile(self) -> None:
        vocab = self.nlp.vocab
        self.kind = {t["id"]: t["kind"] for t in self.data["themes"]}
        self.single: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.surface: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.compound: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.prefix: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.phrase_matcher = PhraseMatcher(vocab, attr="NORM")
        self.exclude_matcher = PhraseMatcher(vocab, attr="NORM")
        # One Matcher per pattern, run only on docs that hold a word of each required token: the
        # Matcher's cost grows with the number of patterns times tokens, most of which cannot match.
        self.patterns: list[tuple[Matcher, list[frozenset[str]]]] = []
        self.pattern_index: dict[str, list[int]] = {}  # word -> patterns whose anchor it is
        self.unanchored: list[int] = []  # patterns that must always run
        self.rules: dict[str, tuple[str, str, str, bool]] = {}  # match key -> theme, layer, rule, negatable
        for theme in self.data["themes"]:
            tid = theme["id"]
            for i, term in enumerate(theme["terms"]):
                text = term["text"]
                if " " in text:
                    key = f"{tid}|phrase|{i}"
                    self.phrase_matcher.add(key, [self._norm_doc(text)])
                    self.rules[key] = (tid, "phrase", f"fras:{text}", term["negatable"])
                    continue
                base = self._norm(text)
                if term.get("standalone", True):
                    self.single.setdefault(base, []).append((tid, term))
                    self.surface.setdefault(text, []).append((tid, term))
                if term["compound"]:
                    self.compound.setdefault(base, []).append((tid, term))
                if term["prefix"]:
                    self.prefix.setdefault(base, []).append((tid, term))
            for pattern in theme["patterns"]:
                key = f"{tid}|pattern|{pattern['name']}"
                tokens = [self._pattern_token(t) for t in pattern["tokens"]]
                matcher = Matcher(vocab, validate=True)
                matcher.add(key, [tokens])
                reqs = self._requirements(tokens)
                number = len(self.patterns)
                self.patterns.append((matcher, reqs))
                if reqs:
                    for word in min(reqs, key=len):
                        self.pattern_index.setdefault(word, []).append(number)
                else:
                    self.unanchored.append(number)
                self.rules[key] = (tid, "pattern", f"mönster:{pattern['name']}", False)
            if theme["exclude_phrases"]:
                self.exclude_matcher.add(tid, [self._norm_doc(p) for p in theme["exclude_phrases"]])
        neg = self.data["negation"]
        self.negators = set(neg["negators"])
        self.non_negations = _phrases(neg["non_negations"])
        self.denial = _phrases(neg["denial"])
        self.lack = _phrases(neg["lack"])
        self.breakers = set(neg["scope_breakers"])
        self._hit_cache: dict[str, tuple[tuple[str, str, str, bool], ...]] = {}
        self._compiled = True

    # -- matching --------------------------------------------------------------------------
    def _word_hits(self, a) -> tuple[tuple[str, str, str, bool], ...]:
        """(theme, layer, rule, negatable) for one analysed word; cached per word form."""
        found: dict[str, tuple[str, str, bool]] = {}

        def add(entries, layer, rule_kind):
            for tid, term in entries:
                if layer == "compound" and any(
                    a.lower.startswith(x) or x in a.bases for x in term["compound_exclude"]
                ):
                    continue
                if tid not in found or LAYER_ORDER.index(layer) < LAYER_ORDER.index(found[tid][0]):
                    found[tid] = (layer, f"{rule_kind}:{term['text']}", term["negatable"])

        add(self.surface.get(a.lower, ()), "surface", "term")
        add(self.single.get(a.primary, ()), "lemma", "term")
        for base in a.bases:
            add(self.single.get(base, ()), "alt_lemma", "term")
        for base in a.head:
            add(self.compound.get(base, ()), "compound", "sammansättning")
        if a.modifier is not None:
            add(self.prefix.get(a.modifier, ()), "compound", "sammansättning")
        return tuple((tid, layer, rule, negatable) for tid, (layer, rule, negatable) in found.items())

    def _token_hits(self, doc: Doc) -> list[tuple[str, int, int, str, str, bool]]:
        hits = []
        cache = self._hit_cache
        for i, a in enumerate(doc.user_data[ANALYSES]):
            word_hits = cache.get(a.lower)
            if word_hits is None:
                word_hits = cache[a.lower] = self._word_hits(a)
            for tid, layer, rule, negatable in word_hits:
                hits.append((tid, i, i + 1, layer, rule, negatable))
        return hits

    def _clause(self, lowers: list[str], start: int, end: int) -> tuple[int, int]:
        left = start
        while left > 0 and lowers[left - 1] not in self.breakers:
            left -= 1
        right = end
        while right < len(lowers) and lowers[right] not in self.breakers:
            right += 1
        return left, right

    @staticmethod
    def _find(seq: list[str], phrases: dict[str, list[tuple[str, ...]]], lo: int, hi: int) -> list[tuple[int, int]]:
        """Occurrences [j, j+n) of any phrase (indexed by first word) within seq[lo:hi]."""
        found = []
        for j in range(lo, hi):
            for phrase in phrases.get(seq[j], ()):
                n = len(phrase)
                if j + n <= hi and tuple(seq[j : j + n]) == phrase:
                    found.append((j, j + n))
        return found

    def _negated(self, lowers: list[str], start: int, end: int, kind: str, negatable: bool) -> bool:
        lo, hi = self._clause(lowers, start, end)
        if kind == "svarighet":
            if self._find(lowers, self.denial, lo, hi):
                return True
            lack = self._find(lowers, self.lack, lo, hi)
            if any(not (s <= start and e > start) for s, e in lack):
                return False
        else:
            for _s, e in self._find(lowers, self.lack, lo, start):
                if start - e <= 2:
                    return True
        if not negatable:
            return False
        non_neg = {s for s, _ in self._find(lowers, self.non_negations, lo, hi)}
        for j in range(max(lo, start - 4), start):
            if lowers[j] in self.negators and j not in non_neg:
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        if not self._compiled:
            self._compile()
        hits = self._token_hits(doc)
        for key, start, end in self.phrase_matcher(doc):
            tid, layer, rule, negatable = self.rules[self.nlp.vocab.strings[key]]
            hits.append((tid, start, end, layer, rule, negatable))
        analyses = doc.user_data[ANALYSES]
        words = {a.norm for a in analyses} | {a.lower for a in analyses}
        index = self.pattern_index
        candidates = set(self.unanchored)
        for word in words:
            candidates.update(index.get(word, ()))
        for number in sorted(candidates):
            matcher, reqs = self.patterns[number]
            if all(not words.isdisjoint(req) for req in reqs):
                for key, start, end in matcher(doc):
                    tid, layer, rule, negatable = self.rules[self.nlp.vocab.strings[key]]
                    hits.append((tid, start, end, layer, rule, negatable))
        blocked: dict[str, set[int]] = {}
        if hits:
            for key, start, end in self.exclude_matcher(doc):
                blocked.setdefault(self.nlp.vocab.strings[key], set()).update(range(start, end))
        lowers = [a.lower for a in analyses]
        best: dict[tuple[str, int, int], dict[str, Any]] = {}
        for tid, start, end, layer, rule, negatable in hits:
            if blocked.get(tid) and any(i in blocked[tid] for i in range(start, end)):
                continue
            span = doc[start:end]
            coding = {
                "theme": tid,
                "start": span.start_char,
                "end": span.end_char,
                "text": span.text,
                "rule": rule,
                "layer": layer,
                "confidence": CONFIDENCE[layer],
                "negated": self._negated(lowers, start, end, self.kind[tid], negatable),
                "token_start": start,
                "token_end": end,
            }
            key = (tid, span.start_char, span.end_char)
            if key not in best or coding["confidence"] > best[key]["confidence"]:
                best[key] = coding
        codings = _drop_overlaps(best.values())
        doc.user_data[CODINGS] = codings
        doc.spans[SPAN_KEY] = [
            Span(doc, c["token_start"], c["token_end"], label=c["theme"]) for c in codings if not c["negated"]
        ]
        return doc

    # -- persistence -----------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "codebook.json").write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: tuple = ()) -> ThemeMatcher:
        self.set_codebook(json.loads((Path(path) / "codebook.json").read_text(encoding="utf-8")))
        return self


def _drop_overlaps(codings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of overlapping matches of the same theme keep the most confident (then the longest)."""
    ranked = sorted(codings, key=lambda c: (-c["confidence"], c["start"] - c["end"], c["start"]))
    kept: list[dict[str, Any]] = []
    for c in ranked:
        if not any(k["theme"] == c["theme"] and k["start"] < c["end"] and c["start"] < k["end"] for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: (c["start"], c["end"], c["theme"]))


@Language.factory("samverkan_matcher", requires=["token.norm"])
def make_matcher(nlp: Language, name: str) -> ThemeMatcher:
    """spaCy factory for the theme matcher."""
    return ThemeMatcher(nlp, name)
