"""The codebook file: contract ids, content, and validation errors that name file and key."""

from __future__ import annotations

import pytest

from kb.coding.codebook import DEVELOPMENT_AREAS, load_codebook
from kb.core.errors import InputErrors

SVARIGHET = [
    "tid",
    "resurser",
    "forum",
    "forvantningar",
    "former-och-arbetssatt",
    "finansiering",
    "kontaktytor",
    "eldsjalar",
    "sekretess",
    "professionalitet",
    "likvardighet",
    "kulturer-och-forutsattningar",
    "langsiktighet",
    "omsesidig-forstaelse",
    "samverkan-pa-bestallning",
    "myndighetsgranser",
]
POSITIVT = [
    "kunskap",
    "erfarenhetsutbyte",
    "narhet",
    "kraft",
    "snabbhet",
    "flexibilitet",
    "gensvar",
    "komplement",
    "rostbarare",
    "forebyggande",
    "del-av-losningen",
    "resursutnyttjande",
    "maluppfyllelse",
    "nar-ut",
    "aterkoppling",
]


# Added in codebook 2026.1 (issue 13); the 31 ids of 2024.2 keep their order and meaning.
NEW_2026 = {"svarighet": ["ideell-kapacitet", "lokaler", "upphandling"], "positivt": ["tillit"]}


def test_contract_theme_ids(codebook):
    assert [t.id for t in codebook.themes if t.kind == "svarighet"] == SVARIGHET + NEW_2026["svarighet"]
    assert [t.id for t in codebook.themes if t.kind == "positivt"] == POSITIVT + NEW_2026["positivt"]


def test_version_history_names_the_current_version(codebook):
    versions = [v for v, _ in codebook.history]
    assert versions[-1] == codebook.version and "2024.2" in versions
    assert all(note for _, note in codebook.history)


def test_history_entries_need_version_and_note(tmp_path):
    path = _write(tmp_path, MINIMAL.replace('version: "1"', 'version: "1"\nhistory: [{version: "1"}]'))
    with pytest.raises(InputErrors) as err:
        load_codebook(path)
    assert "history" in str(err.value)


def test_new_themes_point_to_their_development_areas(codebook):
    assert codebook.theme("lokaler").development_areas == ("lokaler",)
    assert "upphandling-som-verktyg-for-att-framja-ideburen-valfard-och-sociala-foretag" in (
        codebook.theme("upphandling").development_areas
    )
    assert codebook.theme("tillit").kind == "positivt"


def test_every_theme_is_documented(codebook):
    for theme in codebook.themes:
        assert theme.label and theme.definition and theme.include and theme.exclude, theme.id
        assert 1 <= len(theme.examples) <= 2, theme.id
        assert theme.parent, theme.id
        assert set(theme.development_areas) <= set(DEVELOPMENT_AREAS)


def test_report_links_development_areas(codebook):
    assert "extern-finansiering" in codebook.theme("finansiering").development_areas
    assert "karta-over-befintliga-samverkansforum" in codebook.theme("forum").development_areas


def test_coder_name(codebook):
    assert codebook.coder == f"regel:{codebook.version}"


def _write(tmp_path, body: str):
    path = tmp_path / "kodbok.yml"
    path.write_text(body, encoding="utf-8")
    return path


MINIMAL = """version: "1"
themes:
  - id: tid
    kind: svarighet
    label: Tid
    definition: Tidsbrist.
    terms: [tid]
"""


def test_minimal_codebook_loads(tmp_path):
    cb = load_codebook(_write(tmp_path, MINIMAL))
    assert cb.ids == ["tid"] and cb.theme("tid").terms[0].text == "tid"


def _errors(tmp_path, body):
    with pytest.raises(InputErrors) as info:
        load_codebook(_write(tmp_path, body))
    return [str(e) for e in info.value.errors]


def test_unknown_key_names_file_line_and_key(tmp_path):
    errors = _errors(tmp_path, MINIMAL + "    colour: red\n")
    assert any("kodbok.yml" in e and "'colour'" in e and "okänt fält" in e and "rad 3" in e for e in errors)


def test_duplicate_id(tmp_path):
    body = (
        MINIMAL
        + """  - id: tid
    kind: svarighet
    label: Tid igen
    definition: Dubblett.
    terms: [tidsbrist]
"""
    )
    assert any("dubblett av id 'tid'" in e for e in _errors(tmp_path, body))


def test_bad_pattern_op(tmp_path):
    body = (
        MINIMAL
        + """    patterns:
      - name: fel
        pattern: [{BASE: hinna, OP: "x"}]
"""
    )
    assert any("ogiltig OP" in e and "patterns[0]" in e for e in _errors(tmp_path, body))


def test_bad_pattern_key(tmp_path):
    body = (
        MINIMAL
        + """    patterns:
      - name: fel
        pattern: [{LEMMA_X: hinna}]
"""
    )
    assert any("okänd nyckel i mönster: LEMMA_X" in e for e in _errors(tmp_path, body))


def test_bad_kind_and_area(tmp_path):
    body = MINIMAL.replace("kind: svarighet", "kind: svart") + "    development_areas: [mars]\n"
    errors = _errors(tmp_path, body)
    assert any("kind" in e for e in errors) and any("okänt utvecklingsområde 'mars'" in e for e in errors)


def test_unknown_parent(tmp_path):
    assert any("okänt övertema" in e for e in _errors(tmp_path, MINIMAL + "    parent: ingen\n"))


@pytest.mark.parametrize("value", ["[]", "{a: 1}", "3", "Inte Ett Id"])
def test_a_parent_that_is_not_an_id_is_an_error_not_a_crash(tmp_path, value):
    """Found by the YAML fuzzer: `parent: []` crashed with an unhashable list."""
    errors = _errors(tmp_path, MINIMAL + f"    parent: {value}\n")
    assert any(".parent" in e and "ska vara ett övertemas id" in e for e in errors), errors


def test_invalid_yaml(tmp_path):
    assert any("ogiltig YAML" in e for e in _errors(tmp_path, "themes: [\n"))
