"""Cross-validation of the rules + model combination on the *tune* split of the real-statement set.

Run: .venv/bin/python dev/cv_coding.py [--folds 5]

The tune split's sources (kb.coding.goldfile.source_key) are dealt into folds in a fixed order (SHA-256
of the source key). For each fold the classifier is retrained without that fold's statements (everything
else in kb.coding.textcat's training data stays), and the fold is coded by the rules with the retrained
model's scores. The script prints pooled micro P/R/F1 for the rules alone and for a grid of the
combination's VETO (drop a rule hit whose model score is below it) and ADD (add a theme the model
scores at or above it) thresholds. kb.coding.combine's ADD and VETO are chosen from this table, so the
test split is never used to choose them. Nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook  # noqa: E402
from kb.coding.evaluate import by_confidence  # noqa: E402
from kb.coding.goldfile import read_gold, source_key  # noqa: E402

REAL = ROOT / "tests" / "data" / "real_statements.csv"
VETOES = (0.0, 1e-4, 2e-4, 5e-4, 1e-3, 3e-3, 1e-2, 3e-2)
ADDS = (0.2, 0.3, 0.4, 0.5, 0.7, 1.01)


def folds(rows: list[dict[str, str]], k: int) -> list[set[str]]:
    """Statement ids per fold; whole sources, dealt round-robin in SHA-256 order of the source key."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_source[source_key(r["source_url"])].add(r["id"])
    order = sorted(by_source, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    out: list[set[str]] = [set() for _ in range(k)]
    for i, source in enumerate(order):
        out[i % k] |= by_source[source]
    return out


def micro(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float, float]:
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "samverkan.db")
    args = parser.parse_args()

    from kb.coding.combine import predict_rows
    from kb.coding.pipeline import load_pipeline
    from kb.coding.textcat import train, training_data

    codebook = load_codebook(DEFAULT_CODEBOOK)
    rule_nlp = load_pipeline(codebook)
    with REAL.open(encoding="utf-8", newline="") as f:
        tune_rows = [r for r in csv.DictReader(f) if r["split"] == "tune"]
    gold = {g["id"]: g for g in read_gold(REAL, codebook.ids, "tune")}
    # per statement: gold themes, rule codings (theme, model score), model scores per theme
    coded: list[tuple[set[str], list[tuple[str, float]], dict[str, float]]] = []
    fold_gold, fold_results = [], []
    for held_out in folds(tune_rows, args.folds):
        data = training_data(codebook, rule_nlp, args.db if args.db.exists() else None, exclude_ids=held_out)
        model = train(codebook, rule_nlp, data)
        ids = sorted(held_out)
        rows = [(i, gold[i]["text"], gold[i]["kind"]) for i in ids]
        results = predict_rows(rows, codebook, "regler", nlp=rule_nlp, model=model)
        fold_gold += [gold[i] for i in ids]
        fold_results += results
        for i, result in zip(ids, results, strict=True):
            hits = [(c["theme"], c.get("model_score", 1.0)) for c in result.themes]
            coded.append((gold[i]["themes"], hits, result.scores))

    rules = micro([(g, {t for t, _ in hits}) for g, hits, _ in coded])
    print(f"{len(coded)} tune statements, {args.folds} folds by source")
    print(f"rules alone: P {rules[0]:.3f} R {rules[1]:.3f} F1 {rules[2]:.3f}")
    print("| VETO | ADD | P | R | F1 |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    results = []
    for veto in VETOES:
        for add in ADDS:
            pairs = []
            for g, hits, model_scores in coded:
                kept = {t for t, s in hits if s >= veto}
                added = {t for t, s in model_scores.items() if s >= add}
                pairs.append((g, kept | added))
            p, r, f1 = micro(pairs)
            results.append((f1, veto, add))
            print(f"| {veto:g} | {add:g} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    best = max(results)
    print(f"best F1 {best[0]:.3f} at VETO {best[1]:g}, ADD {best[2]:g} (rules alone {rules[2]:.3f})")
    print("\nRule themes by blended confidence (models retrained without the fold):")
    print("| confidence | themes | right | precision |")
    print("| --- | ---: | ---: | ---: |")
    for band in by_confidence(fold_gold, fold_results):
        upper = "" if band["to"] is None else f"{band['to']:.2f}"
        precision = "–" if band["precision"] is None else f"{band['precision']:.2f}"
        print(f"| {band['from']:.2f}–{upper} | {band['themes']} | {band['correct']} | {precision} |")


if __name__ == "__main__":
    main()
