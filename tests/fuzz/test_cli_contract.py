"""The user-facing contract for bad input, through the real `kb` commands (issue 15): exit status 2, a
Swedish message naming the file (and row and column where there is one), no traceback, and the database
and the stored files byte-identical afterwards."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.fuzz.test_fuzz_qdpx import XXE

FORMS_BAD = "Förvaltning;Okänd kolumn\nMiljökontoret;x\n"


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _qdpx(data: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", data)
    return buffer.getvalue()


CASES = {
    "forms-unknown-column": ("export.csv", FORMS_BAD.encode("cp1252"),
                             ["ingest", "forms", "{file}", "--round", "2024", "--data-dir", "{data}"],
                             ["export.csv", "rad 1", "kolumn 'Okänd kolumn'"]),
    "forms-not-a-spreadsheet": ("export.xlsx", b"PK\x03\x04 trasig",
                                ["ingest", "forms", "{file}", "--round", "2024", "--data-dir", "{data}"],
                                ["export.xlsx", "Excel"]),
    "forums-javascript-url": ("forum.yml", "- name: Ett forum\n  kind: råd\n  url: javascript:alert(1)\n".encode(),
                              ["ingest", "forums", "{file}", "--no-install"],
                              ["forum.yml", "rad 1", "kolumn 'url'"]),
    "forums-alias-bomb": ("forum.yml", None, ["ingest", "forums", "{file}", "--no-install"], ["forum.yml", "alias"]),
    "qdpx-xxe": ("p.qdpx", _qdpx(XXE), ["import", "qdpx", "{file}"], ["p.qdpx", "DTD"]),
    "codebook-invalid-yaml": ("kodbok.yml", b"themes: [a, {b: c}", ["code", "--codebook", "{file}"],
                              ["kodbok.yml", "rad"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_with_a_message_and_changes_nothing(case, tmp_path, built_db_path):
    from tests.fuzz.test_fuzz_yaml import ALIAS_BOMB

    name, content, args, expected = CASES[case]
    file = tmp_path / name
    file.write_bytes(ALIAS_BOMB.encode() if content is None else content)
    db = tmp_path / "kb.db"
    db.write_bytes(built_db_path.read_bytes())
    data = tmp_path / "data"
    data.mkdir()
    before = (db.read_bytes(), _tree_digest(data))
    argv = [a.format(file=file, data=data) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", *argv, "--db", str(db)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.startswith("Fel:")
    for piece in expected:
        assert piece in result.stderr, (piece, result.stderr)
    assert (db.read_bytes(), _tree_digest(data)) == before
    assert not list(tmp_path.glob(".*.tmp")) and not list(data.glob(".*"))
