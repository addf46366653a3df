"""Each command's body run on small data: build, reconstruct, serve (a real process on a free port), template forms.

`kb reconstruct` here is the real 2022 problem (about 8 s: solve plus rebuild); its CSV must equal the
committed ingest/data/2022/rekonstruktion-2022.csv byte for byte, i.e. the committed set is a fresh solve
with the committed seed.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from ingest.figures import load_published_figures
from ingest.reference import load_reference
from kb.cli import cli
from kb.core.paths import ROOT
from kb.survey.reconstruct_round import report_gap

COMMITTED = ROOT / "ingest" / "data" / "2022"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_build_on_an_empty_data_dir(tmp_path):
    """Only ingest/ (reference and report): no response rows, every published figure loaded."""
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "ingest" / "data" / "forums.yml", tmp_path / "data" / "forums.yml")
    result = run("build", "--db", tmp_path / "x.db", "--data-dir", tmp_path / "data")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(tmp_path / "x.db")
    figures = conn.execute("SELECT COUNT(*) FROM published_figures").fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0
    assert figures == len(load_published_figures(load_reference()))
    assert conn.execute("SELECT COUNT(*) FROM forums").fetchone()[0] > 0
    assert result.output.startswith(f"Byggde {tmp_path / 'x.db'} (")


def test_reconstruct_equals_the_committed_set(tmp_path):
    data = tmp_path / "data"
    seed = yaml.safe_load((COMMITTED / "manifest.yml").read_text(encoding="utf-8"))["reconstruction"]["seed"]
    # no --round: the default is the report's newest round with published figures (2022)
    result = run("reconstruct", "--seed", seed, "--db", tmp_path / "x.db", "--data-dir", data)
    assert result.exit_code == 0, result.output
    fresh = (data / "2022" / "rekonstruktion-2022.csv").read_bytes()
    assert fresh == (COMMITTED / "rekonstruktion-2022.csv").read_bytes()
    ours = yaml.safe_load((data / "2022" / "manifest.yml").read_text(encoding="utf-8"))
    committed = yaml.safe_load((COMMITTED / "manifest.yml").read_text(encoding="utf-8"))
    assert ours["reconstruction"] == committed["reconstruction"] and ours["sha256"] == committed["sha256"]
    # the message's "report's own gap" is computed: Table 3 sums to 497 reported forms, Table 5 to 481
    assert "rapportens egen skillnad mellan tabell 3 och 5 är 16)" in result.output
    conn = sqlite3.connect(tmp_path / "x.db")
    assert conn.execute("SELECT COUNT(*) FROM responses WHERE round = 2022").fetchone()[0] == 9
    assert "EJ UPPFYLLT" not in result.output


def test_report_gap_on_a_tiny_problem():
    figures = [
        {"table_no": 3, "measure": "reported_forms", "row_id": "a", "value": 5},
        {"table_no": 3, "measure": "reported_forms", "row_id": "b", "value": 2},
        {"table_no": 3, "measure": "reported_forms", "row_id": "kommuntotal", "value": 7},
        {"table_no": 5, "measure": "reported", "row_id": "x", "value": 3},
        {"table_no": 5, "measure": "reported", "row_id": "y", "value": None},
    ]
    assert report_gap(figures) == 4


def test_serve_answers_on_a_free_port(built_db_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kb = Path(sys.executable).with_name("kb")
    process = subprocess.Popen(
        [str(kb), "serve", "--db", str(built_db_path), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while body is None and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    body = response.read().decode()
            except OSError:
                time.sleep(0.2)
        assert body is not None, "kb serve never answered"
        assert "Samverkan" in body and 'lang="sv"' in body
    finally:
        process.terminate()
        process.wait(10)


def test_template_forms_round_trips_through_the_forms_reader(tmp_path):
    from ingest.forms import parse_export

    path = tmp_path / "mall.xlsx"
    result = run("template", "forms", path, "--round", 2024)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Svar", "Giltiga val"]
    headings = [c.value for c in workbook["Svar"][1]]
    options = list(workbook["Giltiga val"].iter_rows(min_row=2, values_only=True))
    department = next(o for o in options if o[0] == "Förvaltning")
    # fill one answer as a coordinator would: the department's name, nothing else
    row = [None] * len(headings)
    row[headings.index("Förvaltning")] = department[1]
    workbook["Svar"].append(row)
    workbook.save(path)
    export = parse_export(path, load_reference(), 2024)
    assert list(export.responses) == [department[2]]
    assert run("template", "forms", path).exit_code == 2  # exists: only with --force
    civil = tmp_path / "civil.xlsx"
    assert run("template", "forms", civil, "--side", "civilsamhalle").exit_code == 0 and civil.stat().st_size > 0
