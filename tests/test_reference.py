import shutil

import pytest

from ingest.figures import load_published_figures, load_report_statements
from ingest.reference import REFERENCE_DIR, load_reference
from kb.core.errors import InputErrors


@pytest.fixture(scope="module")
def reference():
    return load_reference()


def test_counts_match_the_report(reference):
    assert len(reference.departments) == 9
    assert len(reference.categories) == 15
    assert len(reference.forms) == 14
    assert len(reference.goal_areas) == 17
    assert len(reference.development_areas) == 9
    assert len(reference.questions) == 6
    assert "7 förvaltningar" in reference.rounds[0]["note"]


def test_contract_ids_exist(reference):
    ids = {r["id"] for kind in ("departments", "categories", "forms", "goal_areas") for r in getattr(reference, kind)}
    for expected in [
        "socialt-foretag",
        "forsamling-trossamfund",
        "cirkular-ekonomi",
        "dialog-enstaka-tillfalle",
        "partnerskap-overenskommelse-iop",
        "kultur-och-fritidsforvaltningen",
        "forvaltningen-for-utbildning-forsorjning-och-arbete",
    ]:
        assert expected in ids


def test_aliases_resolve(reference):
    departments = reference.resolver("departments")
    assert departments.get("FUFA") == "forvaltningen-for-utbildning-forsorjning-och-arbete"
    assert departments.get("  miljökontoret ") == "miljokontoret"
    forms = reference.resolver("forms")
    assert forms.get("Dialog (enstaka)") == "dialog-enstaka-tillfalle"
    assert forms.get("Stöd eller rådgivning till det civila samhället") == "stod-eller-radgivning-till-civilsamhallet"
    assert forms.suggest("Informationsutbyten") == "Informationsutbyte"


def test_samverkan_kring_verksamhet_keeps_its_explanation(reference):
    form = next(f for f in reference.forms if f["id"] == "samverkan-kring-verksamhet")
    assert form["description"] == "genom samverkan stärka, komplettera eller kvalitetssäkra den kommunala verksamheten"


def test_published_figures_transcribed(reference):
    figures = {f["id"]: f for f in load_published_figures(reference)}
    assert figures["2022-t3-studieforbund-average_all"]["printed"] == "5,8"
    assert figures["2022-t3-studieforbund-average_all"]["value"] == 5.8
    assert figures["2022-t4-idrottsforening-average_collaborating"]["value"] == 8.3
    assert figures["2022-t5-dialog-enstaka-tillfalle-reported"]["row_label"] == "Dialog (enstaka)"
    assert figures["2022-t7-kommuntotal-amount_sek"]["value"] == 50_680_000
    assert figures["2022-t7-tekniska-forvaltningen-amount_sek"]["status"] == "ej-fardigstallt"
    assert figures["2022-t7-miljokontoret-amount_sek"]["value"] is None
    assert figures["2022-t8-forvaltningen-for-utbildning-forsorjning-och-arbete-share_percent"]["value"] == 90
    assert figures["2022-text-kommuntotal-andel-anstalld-personal"]["value"] == 60
    per_table = {}
    for f in figures.values():
        per_table[f["table_no"]] = per_table.get(f["table_no"], 0) + 1
    assert per_table == {1: 15, 2: 30, 3: 60, 4: 60, 5: 14, 6: 17, 7: 10, 8: 9, None: 4}


def test_report_statements():
    statements = load_report_statements()
    kinds = [s["kind"] for s in statements]
    assert kinds.count("svarighet") == 16 and kinds.count("positivt") == 15
    assert statements[0]["text"] == "Tid"
    assert all(s["source_id"] == "rapport-2022" and s["department_id"] is None for s in statements)


def _copy_reference(tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def test_duplicate_and_unknown_keys_are_reported_with_file_and_line(tmp_path):
    directory = _copy_reference(tmp_path)
    path = directory / "categories.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "- name: Socialt  företag\n- name: X\n  colour: red\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as caught:
        load_reference(directory)
    messages = [str(e) for e in caught.value.errors]
    assert any("categories.yml, rad 17" in m and "socialt-foretag" in m for m in messages), messages
    assert any("kolumn 'colour'" in m and "okänt fält" in m for m in messages), messages


def test_invalid_yaml_names_the_line(tmp_path):
    directory = _copy_reference(tmp_path)
    (directory / "forms.yml").write_text("- name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_reference(directory)
    assert "forms.yml" in str(caught.value) and "ogiltig YAML" in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "label", "expected"),
    [
        ("departments", "Socialförvaltningen", "Förvaltningen för sociala insatser"),
        ("departments", "Tekniska", "Tekniska förvaltningen"),
        ("forms", "Dialogg", "Dialog (enstaka tillfälle)"),
        ("forms", "Avtal", "Avtal/kontrakt"),
        ("categories", "Sociala företag", "Socialt företag"),
        ("goal_areas", "Klimatet", "Klimat"),
    ],
)
def test_near_misses_get_a_useful_suggestion(reference, kind, label, expected):
    assert reference.resolver(kind).suggest(label) == expected


def test_unknown_messages_agree_in_gender(reference):
    assert reference.resolver("goal_areas").unknown_message("X", "delmålområde").startswith("okänt delmålområde")
    assert reference.resolver("forms").unknown_message("X", "samverkansform").startswith("okänd samverkansform")
