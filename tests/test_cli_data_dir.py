"""`--db` and `--data-dir` mean the same everywhere; `kb serve` on a port in use; where the OBS notice goes (issue 16).

A run with --db elsewhere never writes into the repository: it stores source files in that db's data dir
(`X-data/` beside it, or --data-dir), which starts as a copy of ingest/data.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from cli_helpers import assert_usage_failure, forms_csv, rounds_with_responses, run
from click.testing import CliRunner

from kb.cli import cli
from kb.core.fingerprint import fingerprint
from kb.core.paths import DEFAULT_DB, ROOT


def test_a_trial_ingest_with_db_elsewhere_never_writes_into_the_repository(tmp_path):
    repository = fingerprint()
    db = tmp_path / "prov.db"
    result = run(["ingest", "forms", forms_csv(tmp_path / "svar.csv"), "--round", "2024", "--db", db])
    assert result.exit_code == 0, result.output
    data_dir = tmp_path / "prov-data"
    assert (data_dir / "2024" / "manifest.yml").exists()
    assert (data_dir / "2022" / "manifest.yml").exists() and (data_dir / "forums.yml").exists()  # a copy
    assert rounds_with_responses(db) == [2022, 2024]
    assert fingerprint() == repository, "the run changed files under ingest/"
    # A later build of the same db reads its data dir, so it keeps the round.
    assert run(["build", "--db", db]).exit_code == 0
    assert rounds_with_responses(db) == [2022, 2024]
    # An explicit --data-dir works the same way.
    other = tmp_path / "annan.db"
    result = run(["ingest", "forms", tmp_path / "svar.csv", "--round", "2024", "--db", other,
                  "--data-dir", tmp_path / "d"])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'd' / '2024'}" in result.output
    assert (tmp_path / "d" / "2024").is_dir() and not (tmp_path / "annan-data").exists()
    assert rounds_with_responses(other) == [2022, 2024]


def test_bad_input_leaves_no_data_dir_behind(tmp_path):
    bad = tmp_path / "svar.csv"
    bad.write_text("Förvaltning\nOkänd\n", encoding="utf-8")
    result = run(["ingest", "forms", bad, "--round", "2024", "--db", tmp_path / "prov.db"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svar.csv"]


def test_data_dir_and_db_must_belong_together(tmp_path):
    repository = fingerprint()
    default_db = DEFAULT_DB.read_bytes()
    csv_file = forms_csv(tmp_path / "svar.csv")
    result = run(["ingest", "forms", csv_file, "--round", "2024", "--data-dir", tmp_path / "d"])
    assert_usage_failure(result, "går inte med standarddatabasen", "Ange också --db")
    result = run(["reconstruct", "--db", tmp_path / "x.db", "--data-dir", ROOT / "ingest" / "data"])
    assert_usage_failure(result, "hör till standarddatabasen", "skriver aldrig i förrådet")
    result = run(["build", "--db", tmp_path / "x.db", "--data-dir", tmp_path / "saknas"])
    assert_usage_failure(result, "finns inte")
    assert not (tmp_path / "d").exists() and not (tmp_path / "x.db").exists()
    assert fingerprint() == repository and DEFAULT_DB.read_bytes() == default_db


def test_reconstruct_with_db_elsewhere_stores_beside_it(tmp_path, monkeypatch):
    """The solver is replaced by the stored 2022 reconstruction: this test is about where files go."""
    import kb.survey.reconstruct_round
    from ingest.exports import load_stored_exports
    from ingest.reference import load_reference

    reference = load_reference()
    (stored,) = load_stored_exports(reference)
    summary = {"collaborations": 1, "goal_areas": 1, "departments": 9, "status": "Optimal",
               "table5_difference": {}, "table5_total_abs": 16, "report_gap": 16, "constraints": []}
    monkeypatch.setattr(kb.survey.reconstruct_round, "reconstruct",
                        lambda round_, seed: (stored.export, reference, dict(stored.manifest), summary))
    repository = fingerprint()
    result = run(["reconstruct", "--db", tmp_path / "x.db"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x-data" / "2022" / "manifest.yml").exists()
    assert rounds_with_responses(tmp_path / "x.db") == [2022]
    assert fingerprint() == repository


# ---------------------------------------------------------------- kb serve


def test_serve_refuses_a_port_in_use(built_db_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "--db", built_db_path, "--port", port])
    assert_usage_failure(result, f"porten {port}", "--port")


def test_serve_refuses_an_address_it_cannot_listen_on(built_db_path):
    assert_usage_failure(run(["serve", "--db", built_db_path, "--host", "ingen-sadan-dator.invalid"]),
                         "går inte att slå upp", "--host")


def test_serve_maps_a_late_bind_failure_to_exit_2(built_db_path):
    """If the port is taken between the check and Datasette's start, uvicorn's exit 3 becomes exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        script = (
            "import sys, kb.publish.serve as s; s.check_port = lambda host, port: None; from kb.cli import cli; "
            f"cli.main(['serve', '--db', {str(built_db_path)!r}, '--port', '{port}'], prog_name='kb')"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"Fel: porten {port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [["verify"], ["gaps", "--top", "1"], ["breadth"]], ids=" ".join)
def test_the_obs_notice_goes_to_stdout_for_tables_and_to_stderr_beside_csv_and_json(command, built_db_path):
    for fmt, stream in (("table", "stdout"), ("csv", "stderr"), ("json", "stderr")):
        result = CliRunner().invoke(cli, [*command, "--db", str(built_db_path), "--format", fmt])
        assert result.exit_code == 0, result.output
        other = "stderr" if stream == "stdout" else "stdout"
        assert "OBS: svarsraderna för 2022 är en rekonstruktion" in getattr(result, stream), (fmt, stream)
        assert "OBS" not in getattr(result, other), (fmt, other)


def test_an_empty_data_dir_is_filled_from_ingest_data_and_emptied_again_on_bad_input(tmp_path):
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    bad = tmp_path / "svar.csv"
    bad.write_text("Förvaltning\nOkänd\n", encoding="utf-8")
    result = run(["ingest", "forms", bad, "--round", "2024", "--db", tmp_path / "x.db", "--data-dir", data_dir])
    assert result.exit_code == 2
    assert list(data_dir.iterdir()) == [] and not (tmp_path / "x.db").exists()
    (tmp_path / "x-data").write_text("ingen mapp\n", encoding="utf-8")
    assert_usage_failure(run(["reconstruct", "--db", tmp_path / "x.db"]), "x-data (databasens datamapp) är en fil")


def test_a_build_reads_the_agreements_of_its_data_dir(tmp_path):
    import shutil

    import sqlite_utils
    import yaml

    data_dir = tmp_path / "d"
    shutil.copytree(ROOT / "ingest" / "data", data_dir)
    agreements = yaml.safe_load((data_dir / "agreements.yml").read_text(encoding="utf-8"))
    assert len(agreements) > 1
    (data_dir / "agreements.yml").write_text(
        yaml.safe_dump(agreements[:1], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    db = tmp_path / "x.db"
    result = run(["build", "--db", db, "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in sqlite_utils.Database(db)["agreements"].rows] == [agreements[0]["name"]]
    assert sqlite_utils.Database(DEFAULT_DB)["agreements"].count == len(agreements)
