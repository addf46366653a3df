"""Fuzzing REFI-QDA imports: zip bombs, path traversal, malformed XML, XXE, odd values (issue 15).

Contract: `import_qdpx` imports or raises InputErrors naming the file; after a refusal the db file is
byte-identical.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kb.coding.refiqda import export_qdpx
from kb.coding.refiqda_import import import_qdpx
from kb.core.db import open_db
from tests.fuzz.conftest import FUZZ, NASTY, check_contract

XXE = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory, built_db_path):
    """A writable copy of the built db and a valid export of it (with the machine's proposals)."""
    folder = tmp_path_factory.mktemp("qdpx")
    db_path = folder / "kb.db"
    db_path.write_bytes(built_db_path.read_bytes())
    valid = folder / "valid.qdpx"
    export_qdpx(open_db(db_path), valid, include_proposed=True)
    with zipfile.ZipFile(valid) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return db_path, members, folder


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _import(setup, data: bytes):
    db_path, _members, folder = setup
    path = folder / "fuzz.qdpx"
    path.write_bytes(data)
    before = db_path.read_bytes()
    db = open_db(db_path)
    try:
        refusal = check_contract(lambda: import_qdpx(db, path, pseudonymise=lambda n: "granskare-1"), path.name)
    finally:
        db.close()
    if refusal is not None:
        assert db_path.read_bytes() == before, "the db changed although the import was refused"
    return refusal


@pytest.mark.parametrize(
    ("project", "expected"),
    [(XXE, "DTD"), (LAUGHS, "DTD"), ("<Project", "XML"), (b"\xff\xfe<", "XML"), ("", "XML")],
    ids=["xxe", "billion-laughs", "truncated", "bad-encoding", "empty"],
)
def test_hostile_project_xml_is_refused(setup, project, expected):
    data = project.encode() if isinstance(project, str) else project
    refusal = _import(setup, _zip({"project.qde": data}))
    assert refusal is not None and expected in str(refusal)


@pytest.mark.parametrize("member", ["../../etc/evil.txt", "/abs/evil.txt", "sources/../../x.txt", "C:/evil.txt"])
def test_path_traversal_member_names_are_refused(setup, member):
    _db, members, _ = setup
    refusal = _import(setup, _zip({**members, member: b"x"}))
    assert refusal is not None and "otillåten sökväg" in str(refusal)


def test_zip_bomb_is_refused_before_it_is_unpacked(setup, monkeypatch):
    import kb.coding.qdpx_read

    monkeypatch.setattr(kb.coding.qdpx_read, "MAX_QDPX_BYTES", 2**20)  # the real limit is 50 MB
    _db, members, _ = setup
    refusal = _import(setup, _zip({**members, "sources/bomb.txt": b"\0" * (3 * 2**20)}))
    assert refusal is not None and "för stort" in str(refusal)


def test_valid_export_imports(setup):
    _db, members, _ = setup
    assert _import(setup, _zip(members)) is None


ATTRIBUTES = ("startPosition", "endPosition", "creatingUser", "targetGUID", "guid", "plainTextPath", "name")


@FUZZ
@given(data=st.data())
@example(data=None)
def test_mutated_projects(setup, data):
    _db, members, _ = setup
    project = members["project.qde"].decode()
    if data is not None:
        for _ in range(data.draw(st.integers(1, 3))):
            attribute = data.draw(st.sampled_from(ATTRIBUTES))
            spots = [m.span(1) for m in re.finditer(rf'{attribute}="([^"]*)"', project)]
            if not spots:
                continue
            start, end = data.draw(st.sampled_from(spots))
            value = data.draw(st.one_of(NASTY, st.sampled_from(["-1", "99999999", "0", "", "1e3", "x"])))
            value = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            project = project[:start] + value + project[end:]
        if data.draw(st.booleans()):
            descriptions = [m.span(1) for m in re.finditer(r"<Description>([^<]*)</Description>", project)]
            if descriptions:
                start, end = data.draw(st.sampled_from(descriptions))
                junk = data.draw(st.sampled_from(['{"status": "x"}', '[1, 2]', '{"negated": "ja"}', "null",
                                                  '{"theme_id": "finns-inte", "status": "avvisad"}', "{",
                                                  '{"coder": 5}', '{"confidence": []}']))
                project = project[:start] + junk.replace('"', "&quot;") + project[end:]
    _import(setup, _zip({**members, "project.qde": project.encode()}))


@FUZZ
@given(data=st.binary(max_size=300))
@example(data=b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
def test_arbitrary_bytes(setup, data):
    _import(setup, data)


def test_regression_refused_import_leaves_the_db_file_untouched(setup):
    """Found by hypothesis: the import recreated the coding views (a write) before it refused a bad file."""
    _db, members, _ = setup
    project = members["project.qde"].decode()
    project = re.sub(r'startPosition="\d+"', 'startPosition="x"', project, count=1)
    refusal = _import(setup, _zip({**members, "project.qde": project.encode()}))
    assert refusal is not None and "utanför svaret" in str(refusal)
