"""The normaliser: a spaCy component giving each token its candidate base forms.

Registered as the factory ``samverkan_normaliser``. For each token it sets ``token.norm_`` to the
base form the codebook uses (so the PhraseMatcher and Matcher can match on NORM) and stores the
full analysis (kb.coding.forms.Analysis) in ``doc.user_data["kb_analyses"]``; ``token._.bases``
reads it. Codebook terms go through the same ``FormIndex.analyse``.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token

from kb.coding.forms import Analysis, FormIndex

ANALYSES = "kb_analyses"

if not Token.has_extension("bases"):
    Token.set_extension("bases", getter=lambda token: token.doc.user_data[ANALYSES][token.i].bases)


class Normaliser:
    """Sets NORM and candidate base forms on every token."""

    def __init__(self, nlp: Language, name: str = "samverkan_normaliser") -> None:
        self.nlp = nlp
        self.name = name
        self.index = FormIndex()

    def __call__(self, doc: Doc) -> Doc:
        analyse = self.index.analyse
        analyses: list[Analysis] = []
        for token in doc:
            analysis = analyse(token.lower_)
            if analysis.norm != analysis.lower:
                token.norm_ = analysis.norm
            analyses.append(analysis)
        doc.user_data[ANALYSES] = analyses
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        self.index.to_disk(Path(path))

    def from_disk(self, path: str | Path, *, exclude: tuple = ()) -> Normaliser:
        self.index = FormIndex.from_disk(Path(path))
        return self


@Language.factory("samverkan_normaliser")
def make_normaliser(nlp: Language, name: str) -> Normaliser:
    """spaCy factory for the normaliser."""
    return Normaliser(nlp, name)
