"""Issue 13: scores on the real-statement set, the learned second opinion, and review by uncertainty.

The thresholds on the test split are the numbers the README reports minus a noise margin of 0.05 (one
or two statements of 113). They guard against regressions; the rules were never tuned on that split.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.coding.commands import code
from kb.coding.evaluate import evaluate_file, read_gold

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real_statements.csv"
MARGIN = 0.05
# Reported in README.md, "Kodning på verklig text (issue 13)" (rules, codebook 2026.2, test split).
CLAIM_TEST = {"precision": 0.77, "recall": 0.56, "f1": 0.65}


def test_split_option_reads_the_extra_columns(codebook):
    tune = read_gold(REAL, codebook.ids, "tune")
    test = read_gold(REAL, codebook.ids, "test")
    assert (len(tune), len(test)) == (366, 113)
    assert not {g["id"] for g in tune} & {g["id"] for g in test}


def test_split_on_a_file_without_the_column_is_exit_2(tmp_path):
    gold = tmp_path / "guld.csv"
    gold.write_text("id,text,kind,themes\n1,Tiden räcker inte.,svarighet,tid\n", encoding="utf-8")
    result = CliRunner().invoke(code, ["eval", str(gold), "--split", "test"])
    assert result.exit_code == 2 and "'split'" in result.output and "kolumnen saknas" in result.output


def test_rules_on_the_test_split_hold_the_reported_scores(codebook, nlp):
    result = evaluate_file(REAL, codebook, nlp, split="test")
    assert result["answers"] == 113
    for key, claimed in CLAIM_TEST.items():
        assert result["micro"][key] >= claimed - MARGIN, (key, result["micro"][key])


def test_eval_command_with_split_and_method(codebook):
    result = CliRunner().invoke(code, ["eval", str(REAL), "--split", "tune", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["answers"] == 366 and data["split"] == "tune" and data["method"] == "regler"
    args = ["eval", str(REAL), "--split", "test", "--method", "kombinerad", "--format", "json"]
    combined = json.loads(CliRunner().invoke(code, args).output)
    assert combined["method"] == "kombinerad" and combined["micro"]["precision"] >= 0.77 - MARGIN


def test_new_themes_were_added_mechanically_from_missing_concept(codebook):
    """In the first collection (rs001-rs194, labelled with codebook 2024.2) the four 2026.1 themes were
    added only where missing_concept named them; the tune extension was labelled with 2026.1 directly."""
    with REAL.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["id"][2:]) <= 194]
    assert len(rows) == 194
    new = {"ideell-kapacitet", "lokaler", "upphandling", "tillit"}
    for row in rows:
        themes = set(filter(None, row["themes"].split(";")))
        if row["missing_concept"] in new:
            assert row["missing_concept"] in themes, row["id"]
        else:
            assert not themes & new, row["id"]  # nothing else was relabelled


def test_training_data_never_holds_the_test_split(codebook, nlp):
    from kb.coding.textcat import HAND_SETS, _hand_examples

    assert all(split in (None, "tune") for _, split in HAND_SETS)
    assert {p.name for p, _ in HAND_SETS}.isdisjoint({"heldout.csv", "unseen.csv"})
    texts = {t for t, _, _ in _hand_examples(codebook)}
    test_texts = {g["text"] for g in read_gold(REAL, codebook.ids, "test")}
    assert texts and not texts & test_texts


def test_training_is_reproducible(codebook, nlp):
    """Two trainings on the same data give the same scores (fixed seed, fixed order)."""
    from kb.coding.textcat import _analyses, features, train

    texts = ["Tiden räcker inte.", "Personalen räcker inte.", "Inga problem."] * 4
    data = [(features(a), {"tid": float(i % 2 == 0), "resurser": float(i % 3 == 0)})
            for i, a in enumerate(_analyses(nlp, texts))]
    first, second = train(codebook, nlp, data, epochs=3), train(codebook, nlp, data, epochs=3)
    texts = [t for t, _ in data[:3]]
    assert [d.cats for d in first.pipe(texts)] == [d.cats for d in second.pipe(texts)]


def test_committed_model_matches_the_codebook(codebook):
    from kb.coding.textcat import MODEL_DIR, load_model

    model = load_model()
    assert model is not None, "kör `kb code train`"
    assert list(model.get_pipe("textcat_multilabel").labels) == codebook.ids
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["kb"]["codebook_version"] == codebook.version and meta["kb"]["seed"] == 13
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert size < 2_000_000


def test_every_theme_carries_evidence_and_a_blended_confidence(codebook, nlp):
    from kb.coding.combine import blend, predict_rows

    text = "Tiden räcker inte och lokalerna är för små."
    [result] = predict_rows([("1", text, "svarighet")], codebook, "regler", nlp)
    assert {"tid", "lokaler"} <= result.theme_ids
    for c in result.themes:
        assert c["rule"] and 0.0 <= c["model_score"] <= 1.0
        assert 0.0 <= c["confidence"] <= 1.0
    assert blend(0.9, 0.9) > blend(0.9, 0.001) > blend(0.7, 0.0001)


def test_model_only_predictions_have_no_span(codebook, nlp):
    from kb.coding.combine import MODEL_RULE, predict_rows

    results = predict_rows([("1", "Det tar mycket tid att bygga relationer.", "svarighet")], codebook, "modell", nlp)
    for c in results[0].themes:
        assert c["rule"] == MODEL_RULE and c["start"] is None and c["layer"] == "modell"


def test_unknown_method_is_refused(codebook, nlp):
    from kb.coding.combine import predict_rows

    with pytest.raises(ValueError):
        predict_rows([("1", "x", None)], codebook, "gissning", nlp)


def test_review_shows_the_least_confident_proposal_first(coded_db):
    from kb.coding.review import next_proposal

    rows = list(coded_db.query("SELECT id, confidence, model_score FROM codings WHERE negated = 0"))
    assert rows and all(r["model_score"] is not None for r in rows)
    lowest = min(r["confidence"] for r in rows)
    first = next_proposal(coded_db, set(), "anna")
    assert first["confidence"] == lowest
    assert next_proposal(coded_db, {first["id"]}, "anna")["confidence"] >= lowest


def test_blended_confidence_orders_the_review_better_than_the_rule_layer(codebook, nlp):
    """README: on the test split the blended confidence separates right from wrong proposals (AUC 0.75)
    far better than the rule layer's confidence (0.45)."""
    from kb.coding.combine import predict_rows
    from kb.coding.evaluate import theme_confidences
    from kb.coding.pipeline import code_texts

    gold = read_gold(REAL, codebook.ids, "test")
    rows = [(g["id"], g["text"], g["kind"]) for g in gold]

    def auc(results) -> float:
        items = theme_confidences(gold, list(results))
        right = [a for a, ok in items if ok]
        wrong = [a for a, ok in items if not ok]
        return sum((a > b) + 0.5 * (a == b) for a in right for b in wrong) / (len(right) * len(wrong))

    blended, rules = auc(predict_rows(rows, codebook, "regler", nlp)), auc(code_texts(nlp, rows))
    assert blended >= 0.75 - MARGIN and blended > rules + 0.1


def test_precision_by_confidence_band():
    from types import SimpleNamespace

    from kb.coding.evaluate import by_confidence

    gold = [{"id": "1", "themes": {"tid"}}, {"id": "2", "themes": {"resurser"}}]

    def coding(theme: str, confidence: float) -> dict:
        return {"theme": theme, "confidence": confidence, "negated": False}

    results = [
        # tid twice: the theme counts once, at its best confidence (0.9)
        SimpleNamespace(id="1", themes=[coding("tid", 0.6), coding("tid", 0.9), coding("forum", 0.7)]),
        SimpleNamespace(id="2", themes=[coding("resurser", 0.5), coding("tid", 0.2)]),
    ]
    bands = {b["from"]: (b["themes"], b["correct"], b["precision"]) for b in by_confidence(gold, results)}
    # >= 0.85: tid (right); 0.70-0.85: forum at exactly 0.70 (wrong); 0.50-0.70: resurser at 0.50 (right)
    assert bands == {0.85: (1, 1, 1.0), 0.7: (1, 0, 0.0), 0.5: (1, 1, 1.0), 0.0: (1, 0, 0.0)}


def test_confident_proposals_are_precise_on_unseen_text(codebook, nlp):
    """README: on the test split, rule themes with a blended confidence >= 0.70 were right in 40 of 44
    cases (0.91); the level 0.70 was chosen by cross-validation on the tune split (dev/cv_coding.py: 0.86)."""
    result = evaluate_file(REAL, codebook, nlp, split="test")
    confident = [b for b in result["by_confidence"] if b["from"] >= 0.7]
    right, proposed = sum(b["correct"] for b in confident), sum(b["themes"] for b in confident)
    assert proposed >= 40 and right / proposed >= 0.91 - MARGIN
    uncertain = [b for b in result["by_confidence"] if b["from"] < 0.7]
    assert sum(b["correct"] for b in uncertain) / sum(b["themes"] for b in uncertain) < right / proposed


def test_eval_table_shows_the_confidence_bands(codebook):
    result = CliRunner().invoke(code, ["eval", str(REAL), "--split", "test"])
    assert result.exit_code == 0, result.output
    assert "| säkerhet | föreslagna teman | rätt | precision |" in result.output
    assert "| ≥ 0.85 |" in result.output and "| < 0.50 |" in result.output


def test_review_under_leaves_the_confident_proposals(coded_db):
    from kb.coding.review import run_review

    confidences = [r[0] for r in coded_db.execute("SELECT confidence FROM codings WHERE negated = 0")]
    level = sorted(confidences)[len(confidences) // 2]
    below = sum(1 for c in confidences if c < level)
    assert 0 < below < len(confidences)
    out: list[str] = []
    answers = iter(["a"] * len(confidences))
    counts = run_review(coded_db, "anna", lambda label: next(answers), out.append, under=level)
    assert counts["accepterade"] == below
    assert out[0].startswith(f"{below} förslag med säkerhet under {level:.2f}")
    accepted = [r[0] for r in coded_db.execute("SELECT confidence FROM codings WHERE status = 'accepterad'")]
    assert accepted and max(accepted) < level
