"""Issue 15: reviewers are stored under stable pseudonyms; their names stay in a local, git-ignored file."""

import subprocess
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from kb.coding.commands import code, import_qdpx
from kb.coding.decisions import apply_decisions
from kb.coding.pseudonyms import DEFAULT_MAP, is_publishable, load_map, lookup, pseudonym
from kb.coding.store import write_codebook
from kb.core.errors import InputErrors
from kb.core.paths import ROOT
from tests.coding.conftest import make_db, other_tool_qdpx


def test_pseudonyms_are_stable_and_numbered(tmp_path):
    path = tmp_path / "map.yml"
    assert pseudonym("Anna Svensson", path) == "granskare-1"
    assert pseudonym("  anna  svensson ", path) == "granskare-1"  # the same person, written differently
    assert pseudonym("Bo", path, taken={"granskare-4"}) == "granskare-5"  # never reuses a stored number
    assert pseudonym("granskare-2", path) == "granskare-2" and pseudonym("regel:3", path) == "regel:3"
    assert load_map(path) == {"anna svensson": "granskare-1", "bo": "granskare-5"}
    assert lookup("Bo", path) == "granskare-5" and lookup("Okänd", path) is None
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_the_default_mapping_file_is_git_ignored():
    result = subprocess.run(
        ["git", "check-ignore", "-q", str(DEFAULT_MAP.relative_to(ROOT))], cwd=ROOT, capture_output=True
    )
    assert result.returncode == 0


@pytest.mark.parametrize("coder", ["granskare-1", "regel:2.1", "regel", None, ""])
def test_publishable_coders(coder):
    assert is_publishable(coder)


@pytest.mark.parametrize("coder", ["anna", "Anna Svensson", "granskare-0", "granskare-1 anna", "granskare"])
def test_names_are_not_publishable(coder):
    assert not is_publishable(coder)


def test_review_stores_the_pseudonym_and_agreement_accepts_the_name(tmp_path):
    db_path = tmp_path / "kb.db"
    make_db(db_path)
    assert CliRunner().invoke(code, ["--db", str(db_path)]).exit_code == 0
    result = CliRunner().invoke(code, ["review", "--coder", "Anna Svensson", "--db", str(db_path)], input="a\nq\n")
    assert result.exit_code == 0 and "granskare-1" in result.output, result.output
    db = sqlite_utils.Database(db_path)
    dump = "\n".join(db.conn.iterdump())
    assert "Anna" not in dump and "granskare-1" in dump
    assert {r[0] for r in db.execute("SELECT coder FROM coding_log")} == {"granskare-1"}
    by_name = CliRunner().invoke(code, ["agreement", "--db", str(db_path), "--coders", "regel,Anna Svensson"])
    by_id = CliRunner().invoke(code, ["agreement", "--db", str(db_path), "--coders", "regel,granskare-1"])
    assert by_name.exit_code == 0 and by_name.output == by_id.output and "granskare-1" in by_id.output


def test_qdpx_import_pseudonymises_user_names(tmp_path, codebook):
    db_path = tmp_path / "kb.db"
    write_codebook(make_db(db_path), codebook)
    path = other_tool_qdpx(tmp_path, "Bo Forskare")
    result = CliRunner().invoke(import_qdpx, [str(path), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    dump = "\n".join(sqlite_utils.Database(db_path).conn.iterdump())
    assert "Forskare" not in dump and "granskare-1" in dump


def test_build_refuses_a_decisions_file_with_a_name(built_db, tmp_path):
    path = tmp_path / "decisions.csv"
    header = "id,statement_id,theme_id,start,end,text,rule,layer,confidence,coder,status,decided_by,decided_at,"
    path.write_text(
        header + "codebook_version,note\n"
        "x1,2022-rapport-positivt-01,kunskap,,,,manuell,manuell,1.0,Anna Svensson,accepterad,Anna Svensson,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as caught:
        apply_decisions(built_db, path)
    messages = [str(e) for e in caught.value.errors]
    assert any("rad 2" in m and "'coder'" in m and "pseudonym" in m for m in messages), messages
    assert any("'decided_by'" in m for m in messages)


def test_committed_db_has_only_pseudonymous_coders():
    db = sqlite_utils.Database(Path(ROOT) / "data" / "samverkan.db")
    for table, column in (("codings", "coder"), ("codings", "decided_by"), ("coding_log", "coder")):
        values = {r[0] for r in db.execute(f"SELECT DISTINCT [{column}] FROM [{table}]")}
        assert all(is_publishable(v) for v in values), (table, column, values)
