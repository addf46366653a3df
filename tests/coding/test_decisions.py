"""Human decisions survive a rebuild: saved to a file under ingest/, replayed by `kb build`."""

import pytest

from kb.coding.decisions import apply_decisions, save_decisions
from kb.coding.store import add_human_coding, decide
from kb.core.errors import InputErrors


def test_decisions_are_saved_and_replayed(built_db, built_db_path, tmp_path):
    from kb.core.db import open_db

    proposal = next(built_db.query("SELECT id FROM codings WHERE status = 'forslag' ORDER BY id LIMIT 1"))["id"]
    decide(built_db, proposal, "avvisad", "granskare-1")
    added = add_human_coding(built_db, "2022-rapport-positivt-01", "erfarenhetsutbyte", "granskare-1")
    path = tmp_path / "decisions.csv"
    assert save_decisions(built_db, path) == 2
    fresh = tmp_path / "fresh.db"
    fresh.write_bytes(built_db_path.read_bytes())
    db = open_db(fresh)
    assert db["codings"].get(proposal)["status"] == "forslag"
    assert apply_decisions(db, path) == 2
    assert db["codings"].get(proposal)["status"] == "avvisad"
    assert db["codings"].get(proposal)["decided_by"] == "granskare-1"
    assert db["codings"].get(added)["coder"] == "granskare-1"
    assert save_decisions(db, tmp_path / "again.csv") == 2
    assert (tmp_path / "again.csv").read_text() == path.read_text()


def test_a_decision_for_an_unknown_statement_is_an_error(built_db, tmp_path):
    path = tmp_path / "decisions.csv"
    add_human_coding(built_db, "2022-rapport-positivt-01", "kunskap", "granskare-1")
    save_decisions(built_db, path)
    path.write_text(path.read_text().replace("2022-rapport-positivt-01", "2022-okand"), encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        apply_decisions(built_db, path)
    assert "decisions.csv, rad 2, kolumn 'statement_id'" in str(caught.value)


def test_a_rejection_survives_a_new_codebook_version(built_db, built_db_path, tmp_path):
    """After a codebook change the machine proposes under a new coder id; the saved rejection still wins."""
    from kb.core.db import open_db

    proposal = next(built_db.query(
        "SELECT * FROM codings WHERE status = 'forslag' AND negated = 0 ORDER BY id LIMIT 1"))
    decide(built_db, proposal["id"], "avvisad", "granskare-1")
    path = tmp_path / "decisions.csv"
    save_decisions(built_db, path)
    fresh = tmp_path / "fresh.db"
    fresh.write_bytes(built_db_path.read_bytes())
    db = open_db(fresh)
    db.execute("UPDATE codings SET coder = 'regel:2099.1', id = id || '-ny' WHERE coder LIKE 'regel:%'")
    apply_decisions(db, path)
    left = db.execute(
        "SELECT status FROM codings WHERE statement_id = ? AND theme_id = ? AND start IS ?",
        [proposal["statement_id"], proposal["theme_id"], proposal["start"]],
    ).fetchall()
    assert left == [("avvisad",)]
