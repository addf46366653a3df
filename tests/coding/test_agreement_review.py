"""Agreement measures (per statement and theme) and the review workflow."""

from __future__ import annotations

import pytest

from kb.coding.agreement import agreement, coders_in, cohen_kappa, krippendorff_alpha, percent_agreement
from kb.coding.review import highlight, run_review
from kb.coding.store import ACCEPTED, REJECTED, add_human_coding, decide


def test_cohen_kappa_known_values():
    a = [True, True, False, False]
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(a, [False, False, True, True]) == -1.0
    # 20 units: po = 0.7, pe = 0.5 -> kappa 0.4
    x = [True] * 10 + [False] * 10
    y = [True] * 7 + [False] * 3 + [True] * 3 + [False] * 7
    assert cohen_kappa(x, y) == pytest.approx(0.4)
    assert cohen_kappa([], []) is None


def test_percent_and_alpha():
    ratings = [[True, False, True], [True, False, False], [True, False, True]]
    assert percent_agreement(ratings) == pytest.approx(2 / 3)
    assert krippendorff_alpha([[True, False], [True, False], [True, False]]) == pytest.approx(1.0)
    assert krippendorff_alpha(ratings) < 1.0


def test_machine_vs_human_per_statement(coded_db):
    # anna reviews s1 (accepts tid) and s4 (rejects kraft, adds narhet)
    for row in coded_db.query("SELECT id, statement_id, theme_id FROM codings WHERE statement_id IN ('s1', 's4')"):
        decide(coded_db, row["id"], REJECTED if row["theme_id"] == "kraft" else ACCEPTED, "anna")
    add_human_coding(coded_db, "s4", "narhet", "anna")
    assert coders_in(coded_db) == ["regel", "anna"]
    result = agreement(coded_db, ["regel", "anna"])
    assert result["summary"]["statements"] == 2
    rows = {r["theme"]: r for r in result["themes"]}
    assert rows["tid"]["percent_agreement"] == 1.0 and rows["tid"]["units"] == 1
    assert rows["kraft"]["present"] == {"regel": 1, "anna": 0}
    assert rows["narhet"]["present"] == {"regel": 0, "anna": 1}
    assert "kappa" in result["summary"]


def test_three_coders_use_alpha(coded_db):
    for name in ("anna", "bo"):
        for row in coded_db.query("SELECT id FROM codings WHERE statement_id IN ('s1', 's3')"):
            decide(coded_db, row["id"], ACCEPTED, name)
    result = agreement(coded_db, ["regel", "anna", "bo"])
    assert "alpha" in result["summary"]
    assert all("alpha" in r for r in result["themes"])


def test_agreement_needs_two_coders(coded_db):
    with pytest.raises(ValueError):
        agreement(coded_db, ["regel"])


def scripted(answers):
    it = iter(answers)
    return lambda label: next(it)


def test_highlight():
    assert "»tid«" in highlight("ingen tid", 6, 9)


def test_review_accept_reject_add_undo_resume(coded_db):
    out: list[str] = []
    open_before = coded_db.execute("SELECT COUNT(*) FROM codings WHERE status='forslag' AND negated=0").fetchone()[0]
    counts = run_review(coded_db, "anna", scripted(["a", "r", "t", "gensvar", "u", "q"]), out.append)
    assert counts == {"accepterade": 1, "avvisade": 1, "tillagda": 1, "ångrade": 1}
    assert any("»" in line for line in out)
    decided = list(coded_db.query("SELECT status, decided_by, decided_at FROM codings WHERE status != 'forslag'"))
    assert len(decided) == 2 and all(r["decided_by"] == "anna" and r["decided_at"] for r in decided)
    # resume: continues with the first coding still proposed
    left = coded_db.execute("SELECT COUNT(*) FROM codings WHERE status='forslag' AND negated=0").fetchone()[0]
    assert left == open_before - 2
    counts = run_review(coded_db, "anna", scripted(["s"] * left), out.append)
    assert out[-1] == "Inga fler förslag att granska."


def test_a_second_human_reviews_what_the_first_already_decided(coded_db):
    """Both humans judge every proposal, so their agreement can be measured."""
    from kb.coding.review import next_proposal

    first = next_proposal(coded_db, set(), "anna")
    decide(coded_db, first["id"], ACCEPTED, "anna")
    assert next_proposal(coded_db, set(), "anna")["id"] != first["id"]
    assert next_proposal(coded_db, set(), "bo")["id"] == first["id"]
    decide(coded_db, first["id"], "avvisad", "bo")
    assert coded_db["codings"].get(first["id"])["decided_by"] == "anna"
    result = agreement(coded_db, ["anna", "bo"])
    assert result["summary"]["statements"] >= 1
