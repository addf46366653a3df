"""REFI-QDA export (validated against the schemas with lxml), determinism and lossless round trip."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from kb.coding.refiqda import export_qdc, export_qdpx, guid
from kb.coding.refiqda_import import import_qdpx
from kb.coding.store import decide, ensure_coding_schema, write_codebook
from kb.core.errors import InputErrors
from tests.coding.conftest import XSD_DIR, make_db, other_tool_qdpx


def schema(name):
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name)))


def test_qdc_validates(tmp_path, codebook):
    path = tmp_path / "kodbok.qdc"
    n = export_qdc(path, codebook=codebook)
    doc = etree.parse(str(path))
    schema("Codebook.xsd").assertValid(doc)
    assert n == len(codebook.themes) + len(codebook.parents)
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    groups = doc.xpath("/q:CodeBook/q:Codes/q:Code", namespaces=ns)
    assert all(g.get("isCodable") == "false" for g in groups)
    assert doc.xpath("//q:Code[@name='Tid']/@isCodable", namespaces=ns) == ["true"]


def test_qdpx_validates_and_layout(decided_db, tmp_path):
    path = tmp_path / "projekt.qdpx"
    counts = export_qdpx(decided_db, path)
    assert counts["codings"] == 6
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "project.qde" in names
        sources = [n for n in names if n != "project.qde"]
        assert sources and all(n.startswith("sources/") and n.count("/") == 1 and n.endswith(".txt") for n in sources)
        for name in sources:
            assert not archive.read(name).startswith(b"\xef\xbb\xbf")
        doc = etree.fromstring(archive.read("project.qde"))
    schema("Project.xsd").assertValid(doc)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    order = [etree.QName(e).localname for e in doc]
    assert order == ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes"]
    source = doc.xpath(f"//q:TextSource[@guid='{guid('statement', 's5')}']", namespaces=ns)[0]
    assert source.get("plainTextPath") == f"internal://{guid('statement', 's5')}.txt"
    [sel] = source.xpath("q:PlainTextSelection[@name='invånare']", namespaces=ns)
    text = "Vi når ut till fler invånare 😊 genom föreningarna."
    assert text[int(sel.get("startPosition")) : int(sel.get("endPosition"))] == "invånare"
    cases = doc.xpath("//q:Case/@name", namespaces=ns)
    assert "Miljökontoret 2022" in cases


def test_export_is_deterministic(decided_db, tmp_path):
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(decided_db, a)
    export_qdpx(decided_db, b)
    assert a.read_bytes() == b.read_bytes()


def test_proposed_only_with_flag(decided_db, tmp_path):
    accepted = export_qdpx(decided_db, tmp_path / "a.qdpx")["codings"]
    everything = export_qdpx(decided_db, tmp_path / "b.qdpx", include_proposed=True)["codings"]
    n = decided_db.execute("SELECT COUNT(*) FROM codings WHERE negated = 0").fetchone()[0]
    assert accepted == 6 and everything == n > accepted


def test_round_trip_is_lossless(decided_db, tmp_path, codebook):
    proposal = next(decided_db.query("SELECT id FROM codings WHERE status = 'forslag' AND negated = 0 LIMIT 1"))
    decide(decided_db, proposal["id"], "avvisad", "bo")
    path = tmp_path / "projekt.qdpx"
    export_qdpx(decided_db, path, include_proposed=True)
    fresh = make_db(tmp_path / "fresh.db")
    write_codebook(fresh, codebook)
    result = import_qdpx(fresh, path)
    assert result["unknown_codes"] == []
    query = "SELECT * FROM codings WHERE negated = 0 ORDER BY id"
    assert decided_db.execute("SELECT COUNT(*) FROM codings WHERE status = 'avvisad'").fetchone()[0] > 0
    assert list(fresh.query(query)) == list(decided_db.query(query))  # rejections included, every column


def test_a_selection_outside_the_text_is_an_error(decided_db, tmp_path, codebook):
    path = tmp_path / "projekt.qdpx"
    export_qdpx(decided_db, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["project.qde"].decode("utf-8")
    start = xml.index('endPosition="') + len('endPosition="')
    members["project.qde"] = (xml[:start] + "9999" + xml[xml.index('"', start):]).encode("utf-8")
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    fresh = make_db(tmp_path / "fresh.db")
    write_codebook(fresh, codebook)
    with pytest.raises(InputErrors) as caught:
        import_qdpx(fresh, broken)
    assert "utanför svaret" in str(caught.value)


def test_import_from_other_tool(db, tmp_path, codebook):
    """A minimal project as another tool writes it: codings become accepted human codings."""
    write_codebook(db, codebook)
    path = other_tool_qdpx(tmp_path, "forskare")
    assert import_qdpx(db, path)["codings"] == 1
    [row] = db.query("SELECT * FROM codings")
    assert (row["coder"], row["status"], row["text"], row["start"], row["end"]) == (
        "forskare",
        "accepterad",
        "Tid",
        0,
        3,
    )


def test_import_rejects_bad_file(db, tmp_path):
    from kb.core.errors import InputErrors

    ensure_coding_schema(db)
    bad = tmp_path / "bad.qdpx"
    bad.write_text("inte en zip")
    with pytest.raises(InputErrors):
        import_qdpx(db, bad)


def test_import_without_our_note_skips_case_codes(decided_db, tmp_path, codebook):
    """A project re-saved by another tool loses our Note: codings still import, case codes are no themes."""
    path = tmp_path / "projekt.qdpx"
    export_qdpx(decided_db, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    doc = etree.fromstring(members["project.qde"])
    ns = {"q": "urn:QDA-XML:project:1.0"}
    for notes in doc.xpath("/q:Project/q:Notes", namespaces=ns):
        doc.remove(notes)
    members["project.qde"] = etree.tostring(doc, xml_declaration=True, encoding="utf-8")
    stripped = tmp_path / "stripped.qdpx"
    with zipfile.ZipFile(stripped, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    fresh = make_db(tmp_path / "fresh.db")
    write_codebook(fresh, codebook)
    result = import_qdpx(fresh, stripped)
    assert result["unknown_codes"] == [] and result["codings"] == 6
    notes = [r["note"] for r in fresh.query("SELECT note FROM codings")]
    assert all(n and "Status:" in n for n in notes)  # the Swedish memo is kept as the note
