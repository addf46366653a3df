"""Person names in free text become [namn]; organisation and place names stay (issue 15)."""

from pathlib import Path

import pytest

from ingest.names import find_names, redact_names
from ingest.names_eval import score_names
from ingest.redact import find_personal_data, redact
from kb.core.db import open_db
from kb.pipeline import ingest_forms
from tests.survey.conftest import ROUND, write_csv

LABELLED = Path(__file__).parents[1] / "data" / "names_labelled.csv"


def test_labelled_set_recall_and_kept_names():
    result = score_names(LABELLED)
    assert result["persons"] >= 100 and result["kept_names"] >= 90  # the set is big enough to mean something
    assert result["recall"] >= 0.95, result["missed"]
    assert result["wrongly_redacted_share"] <= 0.05, result["wrongly_redacted"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kontakta Anna Svensson på fritid", "Kontakta [namn] på fritid"),
        ("Annas förslag var bra.", "[namn] förslag var bra."),
        ("Vi mötte Anna S. på fritid.", "Vi mötte [namn] på fritid."),
        ("Kontakta A. Svensson i dag", "Kontakta [namn] i dag"),
        ("kontakta anna svensson på fritid", "kontakta [namn] på fritid"),
        ("Mötet leddes av Lena Nilsson-Ek.", "Mötet leddes av [namn]."),
        ("Föreningen kontaktade Aino Virtanen.", "Föreningen kontaktade [namn]."),
        ("Kontaktpersonen Lindqvist svarade inte.", "Kontaktpersonen [namn] svarade inte."),
        ("Nguyen Van Minh ordnade festen.", "[namn] ordnade festen."),
    ],
)
def test_names_are_redacted(text, expected):
    assert redact_names(text) == expected
    assert redact_names(expected) == expected  # idempotent: a stored copy is redacted again at every build


@pytest.mark.parametrize(
    "text",
    [
        "Per capita blev kostnaden lägre.",  # an everyday word at the start of a sentence
        "Hans förslag togs emot väl.",
        "I Överenskommelsen står det att parterna ska träffas.",  # "I" is no initial without a full stop
        "Vi träffades i Nora och Hallsberg.",  # Nora is a first name and a municipality in ingest/names.yml
        "Kultur- och fritidsförvaltningen och FUFA samverkar med Svenska kyrkan.",  # reference data and names.yml
        "Samverkansrådet och Partnerskap Örebro träffas.",  # the forum registry
        "Träffarna hölls på Astrid Lindgren-skolan.",  # a compound with a lower-case part names a place
        "Studieförbundet Vuxenskolan höll kurser i Örebro.",
    ],
)
def test_organisations_places_and_words_are_kept(text):
    assert redact_names(text) == text
    assert find_names(text) == []


def test_redact_applies_names_after_the_other_kinds():
    text = "Mejla anna.svensson@orebro.se eller ring Anna Svensson på 070-123 45 67."
    assert redact(text) == "Mejla [e-post] eller ring [namn] på [telefon]."
    assert find_personal_data(redact(text)) == []


def test_forms_ingest_stores_no_person_name(tmp_path, headings, exports_dir):
    from tests.survey.test_forms_ingest import HARD, answer

    path = write_csv(tmp_path / "export.csv", headings, [answer(**{HARD: "Kontakta Karin Lindqvist på fritid."})])
    ingest_forms(path, ROUND, tmp_path / "kb.db", exports_dir)
    stored = (exports_dir / str(ROUND) / f"forms-{ROUND}.csv").read_text(encoding="utf-8")
    assert "Kontakta [namn] på fritid." in stored and "Lindqvist" not in stored
    dump = "\n".join(open_db(tmp_path / "kb.db").conn.iterdump())
    assert "Kontakta [namn] på fritid." in dump and "Karin" not in dump


def test_forum_registry_refuses_a_person_name_in_a_text_field(tmp_path):
    from ingest.forums import load_forums
    from kb.core.errors import InputErrors

    path = tmp_path / "forums.yml"
    path.write_text("- name: Ett forum\n  kind: råd\n  url: https://example.org/f\n  contact_role: Anna Svensson\n",
                    encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_forums(path)
    [error] = caught.value.errors
    assert (error.row, error.column) == (1, "contact_role") and "Anna Svensson" in error.message
    text = "- name: Ett forum\n  kind: råd\n  url: https://example.org/f\n  contact_role: Samordnare på Röda Korset\n"
    path.write_text(text, encoding="utf-8")
    assert load_forums(path)[0]["contact_role"] == "Samordnare på Röda Korset"
