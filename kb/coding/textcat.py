"""A learned second opinion: a small spaCy ``textcat_multilabel`` over the codebook's themes.

Trained reproducibly (fixed seed, fixed order, CPU only, nothing downloaded) by ``kb code train`` from:

- human decisions on codings (``ingest/data/coding_decisions.csv``: accepted = 1, rejected = 0);
- the project's hand-coded sets ``tests/coding/gold.csv`` and ``dev.csv`` and the *tune* split of
  ``tests/data/real_statements.csv`` (never its test split, nor ``heldout.csv``/``unseen.csv``);
- the rule coder's confident hits (confidence >= 0.9) on the statements in the database (positives only;
  the other themes are left missing, not negative).

The classifier is a bag-of-words model (``spacy.TextCatBOW.v3``, uni- and bigrams) over the normaliser's
base forms plus five-letter stems, so it sees "rekryterar" and "rekrytering" alike. It is saved under
``ingest/models/textcat/`` (about 1 MB) and loaded lazily.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kb.coding.codebook import Codebook
from kb.core.paths import INGEST_DIR, ROOT

MODEL_DIR = INGEST_DIR / "models" / "textcat"
SEED = 13
EPOCHS = 30
BATCH = 8
DROPOUT = 0.2
LEARN_RATE = 0.01
HASH_LENGTH = 2**12  # feature buckets: the model's size is this x number of themes x 4 bytes
CONFIDENT = 0.9  # rule codings at or above this confidence count as silver positives
HAND_SETS = (
    (ROOT / "tests" / "coding" / "gold.csv", None),
    (ROOT / "tests" / "coding" / "dev.csv", None),
    (ROOT / "tests" / "data" / "real_statements.csv", "tune"),
)


def features(analyses: Iterable[Any]) -> str:
    """The text the classifier sees: base forms, then five-letter stems of the longer words."""
    norms = [a.norm for a in analyses if a.norm.strip()]
    stems = [f"~{n[:5]}" for n in norms if len(n) > 6 and n.isalpha()]
    return " ".join(norms + stems)


def _analyses(rule_nlp, texts: list[str]) -> list[list[Any]]:
    from kb.coding.normalise import ANALYSES

    normaliser = rule_nlp.get_pipe("samverkan_normaliser")
    out = []
    for doc in rule_nlp.tokenizer.pipe(texts):
        out.append(normaliser(doc).user_data[ANALYSES])
    return out


def _hand_examples(
    codebook: Codebook, exclude_ids: frozenset[str] = frozenset()
) -> list[tuple[str, str | None, dict[str, float]]]:
    from kb.coding.goldfile import read_gold

    kinds = codebook.kind_of()
    out = []
    for path, split in HAND_SETS:
        for g in read_gold(path, codebook.ids, split):
            if g["id"] in exclude_ids:
                continue
            cats = {t: float(t in g["themes"]) for t in codebook.ids if g["kind"] in (None, kinds[t])}
            out.append((g["text"], g["kind"], cats))
    return out


def _db_examples(codebook: Codebook, db_path: Path | None, rule_nlp) -> list[tuple[str, str | None, dict[str, float]]]:
    """Silver positives from the rule coder and human decisions, on the statements of the db."""
    import sqlite_utils

    from kb.coding.decisions import DECISIONS_PATH, load_decisions
    from kb.coding.pipeline import code_texts

    if db_path is None or not Path(db_path).exists():
        return []
    db = sqlite_utils.Database(db_path)
    if not db["statements"].exists():
        return []
    rows = [(r[0], r[1] or "", r[2]) for r in db.execute("SELECT id, text, kind FROM statements ORDER BY id")]
    cats: dict[str, dict[str, float]] = {r[0]: {} for r in rows}
    for result in code_texts(rule_nlp, rows):
        for c in result.themes:
            if c["confidence"] >= CONFIDENT:
                cats[result.id][c["theme"]] = 1.0
    known = set(codebook.ids)
    for _line, d in load_decisions(DECISIONS_PATH):
        if d["statement_id"] in cats and d["theme_id"] in known and d["status"] in ("accepterad", "avvisad"):
            value = 1.0 if d["status"] == "accepterad" else 0.0
            cats[d["statement_id"]][d["theme_id"]] = max(value, cats[d["statement_id"]].get(d["theme_id"], 0.0))
    return [(text, kind, cats[sid]) for sid, text, kind in rows if cats[sid]]


def training_data(
    codebook: Codebook, rule_nlp, db_path: Path | None = None, exclude_ids: Iterable[str] = ()
) -> list[tuple[str, dict[str, float]]]:
    """(feature text, cats) pairs in a fixed order; ``exclude_ids`` leaves hand-coded rows out (cross-validation)."""
    examples = _hand_examples(codebook, frozenset(exclude_ids)) + _db_examples(codebook, db_path, rule_nlp)
    texts = [features(a) for a in _analyses(rule_nlp, [t for t, _, _ in examples])]
    return [(text, cats) for text, (_, _, cats) in zip(texts, examples, strict=True)]


def train(codebook: Codebook, rule_nlp, data: list[tuple[str, dict[str, float]]], epochs: int = EPOCHS):
    """Train the classifier on (feature text, cats) pairs; deterministic for a given input."""
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(SEED)
    nlp = spacy.blank("sv")
    textcat = nlp.add_pipe(
        "textcat_multilabel",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": False,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": HASH_LENGTH,
            }
        },
    )
    for theme_id in codebook.ids:
        textcat.add_label(theme_id)
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": cats}) for text, cats in data]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = LEARN_RATE
    rng = random.Random(SEED)
    order = list(range(len(examples)))
    for _ in range(epochs):
        rng.shuffle(order)
        for batch in minibatch([examples[i] for i in order], size=BATCH):
            nlp.update(batch, sgd=optimizer, drop=DROPOUT)
    return nlp


def data_digest(data: list[tuple[str, dict[str, float]]]) -> str:
    """A short hash of the training data (stored in the model's meta)."""
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def save(nlp, codebook: Codebook, data: list[tuple[str, dict[str, float]]], path: Path = MODEL_DIR) -> Path:
    """Write the model with its provenance (codebook version and hash, data hash, seed) in meta.json."""
    import shutil
    import tempfile

    nlp.meta["name"] = "samverkan_textcat"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Andra åsikt för temakodningen (kb code train); inte en nedladdad modell."
    nlp.meta["kb"] = {
        "codebook_version": codebook.version,
        "codebook_sha": codebook.sha,
        "examples": len(data),
        "data_sha": data_digest(data),
        "seed": SEED,
        "epochs": EPOCHS,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".textcat-"))
    try:
        nlp.to_disk(tmp)
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


_MODELS: dict[Path, Any] = {}


def load_model(path: Path = MODEL_DIR):
    """The trained classifier, or None when none has been trained."""
    path = Path(path)
    if not (path / "config.cfg").exists():
        return None
    if path not in _MODELS:
        import spacy

        _MODELS[path] = spacy.load(path)
    return _MODELS[path]


def scores(model, rule_docs_analyses: list[list[Any]]) -> list[dict[str, float]]:
    """Theme scores (0-1) for each text, given the rule pipeline's analyses of it."""
    texts = [features(a) for a in rule_docs_analyses]
    return [dict(doc.cats) for doc in model.pipe(texts, batch_size=256)]


def train_from_repo(codebook: Codebook, db_path: Path | None = None, path: Path = MODEL_DIR) -> dict[str, Any]:
    """Train on the repository's data and save the model; returns a summary (examples, size, data hash)."""
    from kb.coding.pipeline import load_pipeline

    rule_nlp = load_pipeline(codebook)
    data = training_data(codebook, rule_nlp, db_path)
    nlp = train(codebook, rule_nlp, data)
    save(nlp, codebook, data, path)
    _MODELS.pop(Path(path), None)
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    return {"examples": len(data), "path": str(path), "bytes": size, "data_sha": data_digest(data)}
