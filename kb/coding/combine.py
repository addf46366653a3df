"""Rules plus the learned second opinion: every predicted theme with its evidence and a confidence.

Three methods (``kb code eval --method``):

- ``regler``: the rule coder decides which themes apply. When a trained model exists
  (kb.coding.textcat), each rule coding also carries the model's score for its theme
  (``model_score``) and its confidence becomes a blend of the rule layer's confidence and that score;
  this is what ``kb code`` stores, and ``kb code review`` shows the least confident first.
- ``modell``: the classifier alone (a theme when its score >= ``ADD``).
- ``kombinerad``: the rules, minus rule hits the model scores below ``VETO``, plus themes the model
  scores >= ``ADD`` without a rule hit (evidence ``modell:textcat``, no span).

``ADD`` and ``VETO`` are the best pair in ``dev/cv_coding.py``: 5-fold cross-validation over the sources
of the *tune* split of tests/data/real_statements.csv (366 statements), the model retrained without each
fold. Any veto lost recall there (F1 0.72 -> 0.68 at a veto of 1e-4), and adding model-only themes
gained 0.001 F1, so the rules stay the default method.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.coding.codebook import Codebook
from kb.coding.pipeline import Result

ADD = 0.7
VETO = 0.0
MODEL_WEIGHT = 0.5
MODEL_RULE = "modell:textcat"
METHODS = ("regler", "modell", "kombinerad")


def model_strength(score: float) -> float:
    """The model's score on a 0-1 scale that spreads its small values: 1e-4 -> 0, 0.01 -> 0.5, 1 -> 1."""
    return min(1.0, max(0.0, 1.0 + math.log10(max(score, 1e-4)) / 4.0))


def blend(rule_confidence: float, score: float) -> float:
    """The confidence of a rule coding given the model's score for its theme."""
    return round((1.0 - MODEL_WEIGHT) * rule_confidence + MODEL_WEIGHT * model_strength(score), 3)


@dataclass
class Combined(Result):
    """The predicted themes of one text: rule codings (with model scores) and model-only themes."""

    scores: dict[str, float] = field(default_factory=dict)  # model score per theme ({} without a model)

    JSON_KEYS = (*Result.JSON_KEYS, "model_score")


def predict_rows(
    rows: Iterable[tuple[str, str, str | None]],
    codebook: Codebook,
    method: str = "regler",
    nlp=None,
    model=None,
) -> list[Combined]:
    """Code (id, text, kind) rows with the rules and, when trained, the classifier."""
    from kb.coding.normalise import ANALYSES
    from kb.coding.pipeline import load_pipeline
    from kb.coding.textcat import load_model, scores

    if method not in METHODS:
        raise ValueError(f"okänd metod {method!r} ({', '.join(METHODS)})")
    nlp = nlp or load_pipeline(codebook)
    model = model if model is not None else load_model()
    if method != "regler" and model is None:
        raise FileNotFoundError("ingen tränad modell finns (kör `kb code train`)")
    rows = list(rows)
    kinds = codebook.kind_of()
    matcher = nlp.get_pipe("samverkan_matcher")
    docs = list(nlp.pipe((unicodedata.normalize("NFC", text) for _, text, _ in rows), batch_size=1000))
    all_scores = scores(model, [d.user_data[ANALYSES] for d in docs]) if model is not None else [{}] * len(docs)
    out = []
    for (row_id, _, kind), doc, theme_scores in zip(rows, docs, all_scores, strict=True):
        found_codings = doc.user_data.get("kb_codings", [])
        codings = [{k: v for k, v in c.items() if not k.startswith("token_")} for c in found_codings]
        if kind:
            codings = [c for c in codings if matcher.kind.get(c["theme"]) == kind]
            theme_scores = {t: s for t, s in theme_scores.items() if kinds.get(t) == kind}
        if theme_scores:
            for c in codings:
                score = float(theme_scores.get(c["theme"], 0.0))
                c["model_score"] = round(score, 4)
                c["confidence"] = blend(c["confidence"], score)
        if method == "modell":
            codings = [_model_only(t, s) for t, s in sorted(theme_scores.items()) if s >= ADD]
        elif method == "kombinerad":
            codings = [c for c in codings if c["negated"] or c.get("model_score", 1.0) >= VETO]
            found = {c["theme"] for c in codings if not c["negated"]}
            codings += [_model_only(t, s) for t, s in sorted(theme_scores.items()) if s >= ADD and t not in found]
        out.append(Combined(row_id, kind, codings, {t: float(s) for t, s in theme_scores.items()}))
    return out


def _model_only(theme: str, score: float) -> dict[str, Any]:
    return {
        "theme": theme,
        "start": None,
        "end": None,
        "text": None,
        "rule": MODEL_RULE,
        "layer": "modell",
        "confidence": round(model_strength(score), 3),
        "model_score": round(float(score), 4),
        "negated": False,
    }
