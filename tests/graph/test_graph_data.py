"""relevance.yml and ladder.yml: the repository's files load, and bad files give errors naming file, line, field."""

import textwrap

import pytest

from ingest.graph_data import load_ladder, load_relevance
from ingest.reference import load_reference
from kb.core.errors import InputErrors


@pytest.fixture(scope="module")
def reference():
    return load_reference()


def write(tmp_path, text, name="relevance.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(call):
    with pytest.raises(InputErrors) as info:
        call()
    return info.value.errors


def test_repository_relevance_is_complete(reference):
    records = load_relevance(reference)
    kinds = {k: [r for r in records if r["kind"] == k] for k in ("kategori-delmal", "delmal", "kategori-form")}
    assert len(kinds["kategori-delmal"]) == 15 * 17 and len(kinds["delmal"]) == 17
    assert len(kinds["kategori-form"]) == 15 * 14
    cell = {(r["category_id"], r["goal_area_id"]): r for r in kinds["kategori-delmal"]}
    for goal in ("sysselsattning-for-alla", "cirkular-ekonomi", "god-hushallning", "livsmedelsforsorjning"):
        assert cell["socialt-foretag", goal]["relevance"] == 3 and not cell["socialt-foretag", goal]["is_default"]
    assert cell["socialt-foretag", "naringsliv-och-innovation"]["relevance"] >= 1
    # the report: Arbetsgivare och arbetsmiljö is internal, so relevance 0 everywhere
    assert {cell[c["id"], "arbetsgivare-och-arbetsmiljo"]["relevance"] for c in reference.categories} == {0}
    explicit = [r for r in records if not r["is_default"]]
    assert all(r["rationale"] and r["source"] for r in explicit)
    assert all(r["rationale"] and r["source"].endswith(": default") for r in records if r["is_default"])


def test_relevance_errors_name_file_line_and_field(tmp_path, reference):
    path = write(tmp_path, """\
        default: {goal: 2, cell: 1, form: 1, rationale: standard}
        cells:
          - category: socialt-foretg
            goal: cirkular-ekonomi
            relevance: 3
            rationale: x
            source: y
          - category: socialt-foretag
            goal: cirkular-ekonomi
            relevance: 5
            rationale: x
            source: y
          - category: natverk
            goal: klimat
            relevance: 2
            rationale: x
          - category: natverk
            goal: vatten
            relevance: 1
            rationale: x
            source: y
            colour: red
        """)
    errors = errors_of(lambda: load_relevance(reference, path))
    by_field = {(e.row, e.column): e.message for e in errors}
    assert all(e.file == str(path) for e in errors)
    assert "menade du 'Socialt företag'" in by_field[3, "category"]
    assert "0-3" in by_field[8, "relevance"]
    assert by_field[13, "source"] == "obligatoriskt fält saknas"
    assert by_field[17, "colour"] == "okänt fält"


def test_relevance_duplicates_and_names(tmp_path, reference):
    path = write(tmp_path, """\
        default: {goal: 2, cell: 1, form: 1, rationale: standard}
        goals:
          - goal: Klimat
            relevance: 3
            rationale: x
            source: y
          - goal: klimat
            relevance: 1
            rationale: x
            source: y
        """)
    (error,) = errors_of(lambda: load_relevance(reference, path))
    assert (error.row, error.column) == (7, "goal") and "rad 3" in error.message


def test_relevance_missing_default(tmp_path, reference):
    path = write(tmp_path, "cells: []\n")
    errors = errors_of(lambda: load_relevance(reference, path))
    assert any(e.column == "default" for e in errors)


def test_repository_ladder_maps_every_form(reference):
    steps, forms = load_ladder(reference)
    assert [s["id"] for s in steps] == ["information", "konsultation", "dialog", "partnerskap"]
    assert len(forms) == 14 and all(f["rationale"] for f in forms)
    step = {f["form_id"]: f["step_id"] for f in forms}
    assert step["partnerskap-overenskommelse-iop"] == "partnerskap"
    assert step["samrad-referensgrupp"] == "konsultation"
    assert step["informationsutbyte"] == "information"


def test_ladder_errors(tmp_path, reference):
    path = write(tmp_path, """\
        source: x
        steps:
          - {id: information, name: Information, level: 1, description: d}
        forms:
          - form: informationsutbyte
            step: information
            rationale: r
          - form: Informationsutbyte
            step: information
            rationale: r
          - form: kunskapsutbyte
            step: samtal
            rationale: r
        """, "ladder.yml")
    errors = errors_of(lambda: load_ladder(reference, path))
    messages = [(e.row, e.column, e.message) for e in errors]
    assert (8, "form", "finns redan på rad 5") in messages
    assert any(row == 11 and col == "step" and "samtal" in msg for row, col, msg in messages)
    missing = [m for _, col, m in messages if col == "forms"]
    assert len(missing) == 13 - 1 + 1  # 14 forms, one mapped; kunskapsutbyte's bad step leaves it unmapped


def test_unknown_goal_area_message_agrees_in_gender(tmp_path, reference):
    path = write(tmp_path, """\
        default: {goal: 2, cell: 1, form: 1, rationale: standard}
        goals:
          - goal: Klimatt
            relevance: 3
            rationale: x
            source: y
        """)
    (error,) = errors_of(lambda: load_relevance(reference, path))
    assert (error.row, error.column) == (3, "goal")
    assert error.message.startswith("okänt delmålområde 'Klimatt'") and "okänd " not in error.message


def test_relevance_missing_default_is_one_error(tmp_path, reference):
    path = write(tmp_path, "version: '1'\ncells: []\n")
    errors = errors_of(lambda: load_relevance(reference, path))
    assert [(e.column, e.message) for e in errors] == [("default", "obligatoriskt fält saknas")]


def test_relevance_non_list_section_reports_its_own_line(tmp_path, reference):
    path = write(tmp_path, """\
        # kommentar
        version: '1'
        default:
          goal: 2
          cell: 1
          form: 1
          rationale: standard
        goals: []
        cells:
          category: natverk
        forms: fel
        """)
    errors = errors_of(lambda: load_relevance(reference, path))
    assert [(e.row, e.column, e.message) for e in errors] == [
        (9, "cells", "ska vara en lista"),
        (11, "forms", "ska vara en lista"),
    ]


def test_relevance_default_not_a_mapping_reports_its_line(tmp_path, reference):
    path = write(tmp_path, "version: '1'\n\ndefault: 2\n")
    errors = errors_of(lambda: load_relevance(reference, path))
    assert [(e.row, e.column, e.message) for e in errors] == [(3, "default", "ska vara en mappning")]


def _ladder(tmp_path, steps, forms_extra=""):
    forms = "".join(
        f"  - {{form: {form['id']}, step: information, rationale: r}}\n" for form in load_reference().forms
    )
    return write(tmp_path, f"source: x\nsteps:\n{steps}forms:\n{forms}{forms_extra}", "ladder.yml")


def test_ladder_step_fields_and_duplicate_ids(tmp_path, reference):
    path = _ladder(tmp_path, (
        "  - {id: information, name: Information, level: 1, description: d}\n"  # line 3
        "  - {name: Utan id, level: 2, description: d}\n"  # line 4
        "  - {id: '', name: Tomt id, level: 3, description: d}\n"  # line 5
        "  - {id: information, name: Igen, level: 4, description: d}\n"  # line 6
    ))
    errors = errors_of(lambda: load_ladder(reference, path))
    messages = {(e.row, e.column, e.message) for e in errors}
    assert messages == {
        (4, "id", "obligatoriskt fält saknas"),
        (5, "id", "obligatoriskt fält är tomt"),
        (6, "id", "finns redan på rad 3"),
    }


def test_ladder_empty_rationale_is_an_error(tmp_path, reference):
    path = _ladder(tmp_path, "  - {id: information, name: Information, level: 1, description: d}\n")
    text = path.read_text(encoding="utf-8").replace("rationale: r}", "rationale: ''}", 1)
    path.write_text(text, encoding="utf-8")
    errors = errors_of(lambda: load_ladder(reference, path))
    assert [(e.row, e.column, e.message) for e in errors] == [(5, "rationale", "obligatoriskt fält är tomt")]


def test_ladder_non_list_section_reports_its_own_line(tmp_path, reference):
    path = write(tmp_path, """\
        source: x

        steps:
          id: information
        forms: []
        """, "ladder.yml")
    errors = errors_of(lambda: load_ladder(reference, path))
    assert (3, "steps", "ska vara en lista") in [(e.row, e.column, e.message) for e in errors]
    assert not [e for e in errors if e.column == "steps" and e.row != 3]
