import json

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.survey.verify import DISCREPANCY, KNOWN, verify


def findings(result, status):
    return [f for f in result["findings"] if f["status"] == status]


def test_published_figures_hold_or_are_known(built_db):
    result = verify(built_db)
    assert result["ok"], findings(result, DISCREPANCY)
    known = {f["known_id"] for f in findings(result, KNOWN)}
    assert {"tabell5-summa-mot-tabell3", "andel-anstalld-personal-60-procent"} <= known
    grand = next(f for f in result["findings"] if f["check"] == "grand_total")
    assert (grand["published"], grand["computed"]) == (481, 497)


def alter(db, figure_id, value):
    db.execute("UPDATE published_figures SET value = ? WHERE id = ?", [value, figure_id])
    db.conn.commit()


@pytest.mark.parametrize(
    ("figure_id", "value", "check"),
    [
        ("2022-t4-kulturforening-average_collaborating", 5.7, "t4_average"),
        ("2022-t3-politisk-forening-average_all", 1.2, "t3_average"),
        ("2022-t2-natverk-departments", 5, "cross_departments"),
        ("2022-t3-socialt-foretag-forms", 9, "cross_forms"),
        ("2022-t4-etnisk-forening-reported_forms", 27, "cross_reported"),
        ("2022-t7-kommunstyrelseforvaltningen-amount_sek", 6_100_000, "t7_total"),
        ("2022-text-kommuntotal-utbetalda-medel-text", 50_800_000, "text_funding_total"),
        ("2022-t5-dialog-aterkommande-lopande-reported", 58, "text_dialog"),
        ("2022-t5-informationsutbyte-reported", 140, "bounds"),
        ("2022-t1-hembygdsforening-departments", 10, "bounds"),
    ],
)
def test_an_altered_figure_is_caught(built_db, figure_id, value, check):
    alter(built_db, figure_id, value)
    result = verify(built_db)
    assert not result["ok"]
    assert check in {f["check"] for f in findings(result, DISCREPANCY)}


def test_a_new_inconsistency_beyond_the_known_one_fails(built_db):
    alter(built_db, "2022-t5-kunskapsutbyte-reported", 45)  # grand total now 482 instead of the known 481
    result = verify(built_db)
    grand = next(f for f in result["findings"] if f["check"] == "grand_total")
    assert grand["status"] == DISCREPANCY
    assert not result["ok"]


def test_tolerance_limits_a_known_inconsistency(built_db):
    built_db.execute("UPDATE known_inconsistencies SET tolerance_total = 10 WHERE id = 'tabell5-summa-mot-tabell3'")
    built_db.conn.commit()
    result = verify(built_db)
    assert not result["ok"]  # 16 apart is more than the tolerance 10


def test_cli_exit_codes_and_json(built_db_path, built_db):
    runner = CliRunner()
    ok = runner.invoke(cli, ["verify", "--db", str(built_db_path), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    payload = json.loads(ok.stdout)  # the OBS notice on reconstructed rows goes to stderr (issue 16)
    assert payload["ok"] is True and payload["checks"]["kand"] >= 2
    alter(built_db, "2022-t4-kulturforening-average_collaborating", 5.7)
    bad = runner.invoke(cli, ["verify", "--db", built_db.conn.execute("PRAGMA database_list").fetchone()[2]])
    assert bad.exit_code == 1
    assert "AVVIKELSE" in bad.output and "kulturforening" in bad.output


def test_cli_missing_db_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["verify", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "kb build" in result.output


def discrepancies(result):
    return [
        (f["check"], f["table_no"], f["row_id"], f["measure"], f["published"], f["computed"])
        for f in findings(result, DISCREPANCY)
    ]


def test_table6_is_checked_against_the_response_rows(built_db):
    # table 6 has no internal check: only the response rows can catch a wrong figure in it
    alter(built_db, "2022-t6-klimat-departments", 7)
    result = verify(built_db)
    assert discrepancies(result) == [("responses_table6", 6, "klimat", "departments", 7, 6)]
    assert {f["round"] for f in result["findings"]} == {2022}
    assert verify(built_db, 2022)["findings"] == result["findings"]


@pytest.mark.parametrize(
    ("table_no", "department", "measure", "value"),
    [(7, "kommunstyrelseforvaltningen", "amount_sek", 6_000_000), (8, "stadsbyggnad", "share_percent", 30)],
)
def test_a_status_that_differs_from_the_response_rows_fails(built_db, table_no, department, measure, value):
    # the same amount, but printed as not finished: tables 7 and 8 compare the status too
    built_db.execute(
        "UPDATE published_figures SET status = 'ej-fardigstallt' WHERE id = ?",
        [f"2022-t{table_no}-{department}-{measure}"],
    )
    built_db.conn.commit()
    check = f"responses_table{table_no}"
    expected = (check, table_no, department, measure, (value, "ej-fardigstallt"), (value, "rapporterad"))
    assert discrepancies(verify(built_db)) == [expected]


def test_figures_without_response_rows_compare_with_nothing(built_db):
    # a department without a funding row, and a category the reference data no longer knows
    built_db.execute("DELETE FROM funding WHERE department_id = 'vard-och-omsorgsforvaltningen'")
    built_db.conn.commit()
    built_db.conn.execute("PRAGMA foreign_keys = OFF")  # the category's collaborations stay, unseen by the views
    built_db.execute("DELETE FROM categories WHERE id = 'kulturforening'")
    built_db.conn.commit()
    result = verify(built_db)
    computed = {(f["table_no"], f["measure"]): f["computed"] for f in findings(result, DISCREPANCY)}
    assert {f["row_id"] for f in findings(result, DISCREPANCY)} == {"vard-och-omsorgsforvaltningen", "kulturforening"}
    assert computed == {
        (7, "amount_sek"): (None, "saknas"),
        (1, "departments"): 0,
        (2, "departments"): 0,
        (2, "forms"): 0,
        (3, "departments"): 0,
        (3, "forms"): 0,
        (3, "reported_forms"): 0,
        (3, "average_all"): None,
        (4, "departments"): 0,
        (4, "forms"): 0,
        (4, "reported_forms"): 0,
        (4, "average_collaborating"): None,
    }


def test_an_average_is_compared_at_its_printed_precision(built_db):
    # 52 reported forms / 9 departments = 5.78: printed without decimals that is 6, with one decimal 5.8
    figure = "2022-t3-studieforbund-average_all"
    built_db.execute("UPDATE published_figures SET value = 6, decimals = 0 WHERE id = ?", [figure])
    built_db.conn.commit()
    assert verify(built_db)["ok"]
    built_db.execute("UPDATE published_figures SET decimals = 1 WHERE id = ?", [figure])
    built_db.conn.commit()
    assert discrepancies(verify(built_db)) == [
        ("t3_average", 3, "studieforbund", "average_all", 6, 5.8),
        ("responses_table3", 3, "studieforbund", "average_all", 6, 5.8),
    ]
