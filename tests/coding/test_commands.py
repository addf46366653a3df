"""The click commands: output formats, exit code 2 on bad input, and no spaCy on quick paths."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from kb.coding.commands import code, export_qdc, export_qdpx, import_qdpx


def run(cmd, args):
    return CliRunner().invoke(cmd, [str(a) for a in args])


def test_help_is_swedish():
    for cmd, args in ((code, ["--help"]), (code, ["predict", "--help"]), (export_qdpx, ["--help"])):
        result = run(cmd, args)
        assert result.exit_code == 0 and ("Koda" in result.output or "Exportera" in result.output)


def test_predict_json_in_input_order(tmp_path):
    f = tmp_path / "svar.csv"
    f.write_text(
        "id,text,kind\nb,Tiden räcker inte.,svarighet\na,Inget att tillägga.,\nc,Vi når ut till fler.,positivt\n",
        encoding="utf-8",
    )
    result = run(code, ["predict", f])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["id"] for d in data] == ["b", "a", "c"]
    first = data[0]["themes"][0]
    # the span points into the input text: "Tiden räcker inte." starts the answer
    assert (first["start"], first["text"]) == (0, "Tiden räcker inte."[first["start"]:first["end"]])
    assert first["end"] > first["start"]
    assert set(data[0]["themes"][0]) == {"theme", "start", "end", "text", "rule", "layer", "confidence", "model_score"}
    assert 0.0 <= data[0]["themes"][0]["model_score"] <= 1.0  # the trained second opinion is there
    assert data[0]["themes"][0]["theme"] == "tid" and data[1]["themes"] == []


def test_predict_csv(tmp_path):
    f = tmp_path / "svar.csv"
    f.write_text("id,text\n1,Sekretessen är inget problem men tiden räcker inte.\n", encoding="utf-8")
    result = run(code, ["predict", f, "--format", "csv"])
    lines = result.output.strip().splitlines()
    assert lines[0] == "id,theme,start,end,text,rule,layer,confidence,model_score,negated"
    assert any(",sekretess," in line and line.endswith(",1") for line in lines)


def test_predict_bad_input_exit_2(tmp_path):
    f = tmp_path / "svar.csv"
    f.write_text("nr,svar\n1,x\n", encoding="utf-8")
    result = run(code, ["predict", f])
    assert result.exit_code == 2 and "kolumnen saknas" in result.output
    assert run(code, ["predict", tmp_path / "saknas.csv"]).exit_code == 2
    assert run(code, ["predict", f, "--format", "xml"]).exit_code == 2


def test_eval_formats(tmp_path):
    gold = tmp_path / "guld.csv"
    gold.write_text(
        "id,text,kind,themes\n1,Tiden räcker inte.,svarighet,tid\n2,Vi når ut till fler.,positivt,nar-ut;kraft\n",
        encoding="utf-8",
    )
    table = run(code, ["eval", gold])
    assert table.exit_code == 0 and "| tid |" in table.output and "mikro" in table.output
    data = json.loads(run(code, ["eval", gold, "--format", "json"]).output)
    rows = {r["theme"]: r for r in data["themes"]}
    assert rows["tid"]["f1"] == 1.0 and rows["kraft"]["recall"] == 0.0
    assert {"precision", "recall", "f1", "support", "kappa"} <= set(rows["tid"])
    assert data["micro"]["f1"] > 0 and "macro" in data


def test_eval_unknown_theme_exit_2(tmp_path):
    gold = tmp_path / "guld.csv"
    gold.write_text("id,text,kind,themes\n1,x,svarighet,okant\n", encoding="utf-8")
    result = run(code, ["eval", gold])
    assert result.exit_code == 2 and "okänt tema 'okant'" in result.output


def test_code_group_codes_db(db_path):
    result = run(code, ["--db", db_path])
    assert result.exit_code == 0 and "Kodade 7 svar" in result.output
    result = run(code, ["--db", db_path, "--round", "2023", "--format", "json"])
    assert json.loads(result.output)["statements"] == 2


def test_missing_db_exit_2(tmp_path):
    result = run(code, ["--db", tmp_path / "nej.db"])
    assert result.exit_code == 2 and "finns inte" in result.output


def test_agreement_command(db_path):
    run(code, ["--db", db_path])
    assert run(code, ["agreement", "--db", db_path]).exit_code == 2  # only the machine
    import sqlite_utils

    from kb.coding.store import ACCEPTED, decide

    db = sqlite_utils.Database(db_path)
    for row in db.query("SELECT id FROM codings WHERE statement_id = 's1'"):
        decide(db, row["id"], ACCEPTED, "anna")
    result = run(code, ["agreement", "--db", db_path, "--coders", "regel,anna", "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("theme,units,percent_agreement,kappa")


def test_review_command(db_path):
    run(code, ["--db", db_path])
    result = CliRunner().invoke(code, ["review", "--coder", "anna", "--db", str(db_path)], input="a\nq\n")
    assert result.exit_code == 0 and "1 accepterade" in result.output
    assert run(code, ["review", "--coder", "regel:x", "--db", db_path]).exit_code == 2


def test_export_import_commands(db_path, tmp_path):
    run(code, ["--db", db_path])
    qdc = tmp_path / "k.qdc"
    assert run(export_qdc, [qdc]).exit_code == 0 and qdc.exists()
    qdpx = tmp_path / "p.qdpx"
    result = run(export_qdpx, [qdpx, "--db", db_path, "--include-proposed"])
    assert result.exit_code == 0 and "kodningar" in result.output
    assert run(import_qdpx, [qdpx, "--db", db_path]).exit_code == 0
    assert run(import_qdpx, [tmp_path / "saknas.qdpx", "--db", db_path]).exit_code == 2


def test_quick_paths_do_not_import_spacy():
    code_ = (
        "import sys, kb.coding, kb.coding.commands, kb.coding.codebook, kb.coding.store, kb.coding.refiqda, "
        "kb.coding.agreement, kb.coding.review, kb.coding.evaluate; "
        "kb.coding.codebook.load_codebook(); print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code_], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_predict_csv_keeps_rows_without_a_theme(tmp_path):
    f = tmp_path / "svar.csv"
    f.write_text("id,text,kind\n1,Tiden räcker inte,svarighet\n2,Vet ej,svarighet\n", encoding="utf-8")
    result = run(code, ["predict", f, "--format", "csv"])
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("id,theme")
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2"]
    assert lines[2] == "2" + "," * 9


def test_review_refuses_a_blank_or_machine_coder_name(tmp_path, built_db_path):
    for name in ("  ", "regel:x"):
        result = CliRunner().invoke(code, ["review", "--coder", name, "--db", str(built_db_path)])
        assert result.exit_code == 2


def test_export_qdpx_names_the_proposals_it_leaves_out(db_path, tmp_path):
    run(code, ["--db", db_path])
    result = CliRunner().invoke(export_qdpx, [str(tmp_path / "a.qdpx"), "--db", str(db_path)])
    assert result.exit_code == 0 and "0 kodningar" in result.stdout
    assert "--include-proposed" in result.stderr and "förslag" in result.stderr
    result = CliRunner().invoke(export_qdpx, [str(tmp_path / "b.qdpx"), "--db", str(db_path), "--include-proposed"])
    assert result.exit_code == 0 and result.stderr == ""
