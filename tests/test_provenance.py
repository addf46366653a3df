"""Everything that shows the reconstructed 2022 rows says so; machines still get clean JSON."""

import json

import pytest
from click.testing import CliRunner

from kb.cli import cli


@pytest.mark.parametrize(
    "args",
    [["verify"], ["gaps", "--top", "1"], ["breadth", "--by", "category"]],
)
def test_table_output_says_it_is_a_reconstruction(built_db_path, args):
    result = CliRunner().invoke(cli, [*args, "--db", str(built_db_path)])
    assert result.exit_code == 0, result.output
    assert "rekonstruktion" in result.stdout and "inte förvaltningarnas faktiska svar" in result.stdout


def test_json_stays_parseable_and_the_notice_goes_to_stderr(built_db_path):
    result = CliRunner().invoke(cli, ["gaps", "--top", "2", "--format", "json", "--db", str(built_db_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)
    assert "rekonstruktion" in result.stderr


def test_real_survey_rounds_get_no_notice(built_db):
    from kb.survey.provenance import reconstruction_notice

    built_db.execute("UPDATE sources SET kind = 'enkatexport' WHERE id = 'rekonstruktion-2022'")
    assert reconstruction_notice(built_db.conn, 2022) is None
