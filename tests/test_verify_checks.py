"""`kb verify`'s internal checks on a small synthetic round (no build, no response rows).

The round is consistent by construction and sits on the checks' boundaries (a category at the round's
department count, a table 3 row at both bounds, a form at the text's maximum, zeros). Each test plants one
wrong figure and asserts exactly which findings fail, naming the table, row and measure a reader must
correct and the value the other figures imply.
"""

from __future__ import annotations

import pytest
import sqlite_utils

from kb.survey.schema import create_schema
from kb.survey.verify import DISCREPANCY, KNOWN, OK, verify

ROUND = 2099  # synthetic: not a real round
DEPARTMENTS = 4  # departments that answered the round (the divisor of table 3)
FORMS = ["dialog-enstaka-tillfalle", "dialog-aterkommande-lopande", "form-c", "form-d", "form-e"]

# (table_no or "text", row_id, measure) -> (value, decimals). Categories a-d; d is one nobody works with.
CATEGORIES = {  # category: (departments, forms, reported forms)
    "a": (4, 5, 6),  # departments = the round's 4, forms = all 5 forms
    "b": (2, 3, 3),  # reported = max(departments, forms): the lower bound
    "c": (1, 2, 2),  # reported = max(...) = departments * forms: both bounds
    "d": (0, 0, 0),
}


def consistent_figures() -> dict[tuple, tuple]:
    figures: dict[tuple, tuple] = {}
    for category, (departments, forms, reported) in CATEGORIES.items():
        figures[(1, category, "departments")] = (departments, 0)
        figures[(2, category, "departments")] = (departments, 0)
        figures[(2, category, "forms")] = (forms, 0)
        for table_no in (3, 4):
            figures[(table_no, category, "departments")] = (departments, 0)
            figures[(table_no, category, "forms")] = (forms, 0)
            figures[(table_no, category, "reported_forms")] = (reported, 0)
    figures.update(
        {
            (3, "a", "average_all"): (1.5, 1),  # 6 / 4
            (3, "b", "average_all"): (1, 0),  # 3 / 4 = 0.75, printed without decimals
            (3, "c", "average_all"): (0.5, 1),  # 2 / 4
            (3, "d", "average_all"): (0, 1),
            (4, "a", "average_collaborating"): (1.5, 1),  # 6 / 4
            (4, "b", "average_collaborating"): (1.5, 1),  # 3 / 2
            (4, "c", "average_collaborating"): (2, 1),  # 2 / 1; d has no average (no departments)
            (5, FORMS[0], "reported"): (2, 0),
            (5, FORMS[1], "reported"): (2, 0),
            (5, FORMS[2], "reported"): (3, 0),
            (5, FORMS[3], "reported"): (4, 0),  # = the text's maximum per form
            (5, FORMS[4], "reported"): (0, 0),  # table 5 sums to 11 = table 3's 6 + 3 + 2 + 0
            (7, "x", "amount_sek"): (1_000_000, 0),
            (7, "y", "amount_sek"): (1_500_000, 0),
            (7, "kommuntotal", "amount_sek"): (2_500_000, 0),
            (8, "x", "share_percent"): (50, 0),
            (8, "y", "share_percent"): (71, 0),
            ("text", "max-per-form", "reported"): (4, 0),
            ("text", "dialog-aggregerat", "reported"): (2, 0),
            ("text", "kommuntotal-utbetalda-medel-text", "amount_sek"): (3_000_000, 0),  # 2.5 millions half up
            ("text", "kommuntotal-andel-anstalld-personal", "share_percent"): (60.5, 1),  # (50 + 71) / 2
        }
    )
    return figures


def figure_rows(round_: int, figures: dict[tuple, tuple]) -> list[dict]:
    rows = []
    for position, ((table_no, row_id, measure), (value, decimals)) in enumerate(figures.items(), 1):
        text = table_no == "text"
        rows.append(
            {
                "id": f"{round_}-text-{row_id}" if text else f"{round_}-t{table_no}-{row_id}-{measure}",
                "round": round_,
                "table_no": None if text else table_no,
                "reference": "Text" if text else f"Tabell {table_no}",
                "section": "syntetisk",
                "title": "syntetisk",
                "row_kind": "kommun" if text else "rad",
                "row_id": "kommuntotal" if text else row_id,
                "row_label": row_id,
                "measure": measure,
                "printed": str(value),
                "value": value,
                "decimals": decimals,
                "status": "rapporterad",
                "position": position,
                "source_id": "syntetisk",
            }
        )
    return rows


def make_db(rounds: dict[int, dict[tuple, tuple]], known: list[dict] = ()) -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    create_schema(db)
    for round_, figures in rounds.items():
        db["rounds"].insert(
            {"round": round_, "title": "syntetisk", "departments": DEPARTMENTS, "source_id": "syntetisk"}
        )
        if figures:
            db["published_figures"].insert_all(figure_rows(round_, figures))
    db["forms"].insert_all(
        {"id": form, "name": form, "position": i, "source_id": "syntetisk"} for i, form in enumerate(FORMS)
    )
    base = {"check_id": None, "rows": None, "tolerance_total": None, "published": None, "computed": None}
    db["known_inconsistencies"].insert_all(
        [{**base, "explanation": "syntetisk", "source_id": "syntetisk", **entry} for entry in known],
        pk="id",
    )
    return db


def discrepancies(result: dict) -> list[tuple]:
    return sorted(
        (
            (f["check"], f["table_no"] or 0, f["row_id"], f["measure"], f["published"], f["computed"])
            for f in result["findings"]
            if f["status"] == DISCREPANCY
        ),
        key=lambda finding: repr(finding[:4]),
    )


def planted(changes: dict[tuple, float | None]) -> dict:
    figures = consistent_figures()
    for key, value in changes.items():
        if value is None:
            del figures[key]
        else:
            figures[key] = (value, figures[key][1])
    return verify(make_db({ROUND: figures}))


def test_the_consistent_round_passes_every_internal_check():
    result = verify(make_db({ROUND: consistent_figures()}))
    assert result["ok"], discrepancies(result)
    assert result["rounds"] == [ROUND] and result["rounds_with_responses"] == []
    assert {f["check"] for f in result["findings"]} == {
        "t3_average",
        "t4_average",
        "cross_departments",
        "cross_forms",
        "cross_reported",
        "bounds",
        "t7_total",
        "text_funding_total",
        "text_staffed_share",
        "text_dialog",
        "grand_total",
    }
    assert {f["round"] for f in result["findings"]} == {ROUND}
    assert result["checks"] == {DISCREPANCY: 0, OK: len(result["findings"])}


A, B, C = "a", "b", "c"
T1, T2, T3, T4 = "cross_departments", "cross_forms", "cross_reported", "bounds"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {(4, A, "average_collaborating"): 1.6},
            [("t4_average", 4, A, "average_collaborating", 1.6, 1.5)],
            id="table4-average",
        ),
        pytest.param(
            {(3, C, "average_all"): 0.6}, [("t3_average", 3, C, "average_all", 0.6, 0.5)], id="table3-average"
        ),
        pytest.param(
            {(2, B, "departments"): 3}, [("cross_departments", 2, B, "departments", 3, 2)], id="table2-departments"
        ),
        pytest.param(  # within table 3's bounds (3 <= 3 <= 1 * 3): only the cross check
            {(3, B, "departments"): 1}, [("cross_departments", 3, B, "departments", 1, 2)], id="table3-departments"
        ),
        pytest.param(  # 1 department x 5 forms cannot give 6 reported forms
            {(3, A, "departments"): 1},
            [("bounds", 3, A, "reported_forms", 6, "5-5"), ("cross_departments", 3, A, "departments", 1, 4)],
            id="table3-departments-out-of-bounds",
        ),
        pytest.param(  # table 4's average divides by table 4's own department count
            {(4, C, "departments"): 2},
            [
                ("cross_departments", 4, C, "departments", 2, 1),
                ("t4_average", 4, C, "average_collaborating", 2, 1.0),
            ],
            id="table4-departments",
        ),
        pytest.param(
            {(3, B, "forms"): 4},
            [("bounds", 3, B, "reported_forms", 3, "4-8"), ("cross_forms", 3, B, "forms", 4, 3)],
            id="table3-forms",
        ),
        pytest.param({(4, A, "forms"): 4}, [("cross_forms", 4, A, "forms", 4, 5)], id="table4-forms"),
        pytest.param(
            {(4, C, "reported_forms"): 3},
            [
                ("cross_reported", 4, C, "reported_forms", 3, 2),
                ("t4_average", 4, C, "average_collaborating", 2, 3.0),
            ],
            id="table4-reported",
        ),
        pytest.param(  # above 4 departments x 5 forms
            {(3, A, "reported_forms"): 21},
            [
                ("bounds", 3, A, "reported_forms", 21, "5-20"),
                ("cross_reported", 4, A, "reported_forms", 6, 21),
                ("grand_total", 5, "kommuntotal", "reported", 11, 26),
                ("t3_average", 3, A, "average_all", 1.5, 5.3),
            ],
            id="table3-reported-above-bound",
        ),
        pytest.param(  # below max(2 departments, 3 forms); 2 / 4 = 0.5 still prints as 1 without decimals
            {(3, B, "reported_forms"): 2},
            [
                ("bounds", 3, B, "reported_forms", 2, "3-6"),
                ("cross_reported", 4, B, "reported_forms", 3, 2),
                ("grand_total", 5, "kommuntotal", "reported", 11, 10),
            ],
            id="table3-reported-below-bound",
        ),
        pytest.param(
            {(1, B, "departments"): 5},  # more than the round's 4 departments
            [
                ("bounds", 1, B, "departments", 5, "<= 4"),
                ("cross_departments", 2, B, "departments", 2, 5),
                ("cross_departments", 3, B, "departments", 2, 5),
                ("cross_departments", 4, B, "departments", 2, 5),
            ],
            id="table1-above-round",
        ),
        pytest.param(
            {(2, C, "forms"): 6},  # more than the 5 forms
            [
                ("bounds", 2, C, "forms", 6, "<= 5"),
                ("cross_forms", 3, C, "forms", 2, 6),
                ("cross_forms", 4, C, "forms", 2, 6),
            ],
            id="table2-above-forms",
        ),
        pytest.param(
            {(5, FORMS[2], "reported"): 5},  # the text's maximum is 4
            [
                ("bounds", 5, FORMS[2], "reported", 5, "<= 4"),
                ("grand_total", 5, "kommuntotal", "reported", 13, 11),
            ],
            id="table5-above-text-max",
        ),
        pytest.param(  # without the text's maximum: 4 departments x 4 categories = 16 is still possible
            {("text", "max-per-form", "reported"): None, (5, FORMS[2], "reported"): 16},
            [("grand_total", 5, "kommuntotal", "reported", 24, 11)],
            id="table5-at-default-max",
        ),
        pytest.param(
            {("text", "max-per-form", "reported"): None, (5, FORMS[2], "reported"): 17},
            [
                ("bounds", 5, FORMS[2], "reported", 17, "<= 16"),
                ("grand_total", 5, "kommuntotal", "reported", 25, 11),
            ],
            id="table5-above-default-max",
        ),
        pytest.param(
            {(5, FORMS[4], "reported"): 1},
            [("grand_total", 5, "kommuntotal", "reported", 12, 11)],
            id="table5-grand-total",
        ),
        pytest.param(
            {(7, "x", "amount_sek"): 1_100_000},
            [("t7_total", 7, "kommuntotal", "amount_sek", 2_500_000, 2_600_000)],
            id="table7-department",
        ),
        pytest.param(  # 2.4 millions print as 2 millions in the text
            {(7, "kommuntotal", "amount_sek"): 2_400_000},
            [
                ("t7_total", 7, "kommuntotal", "amount_sek", 2_400_000, 2_500_000),
                ("text_funding_total", 0, "kommuntotal", "amount_sek", 3_000_000, 2_000_000),
            ],
            id="table7-total",
        ),
        pytest.param(  # 2.5 millions round half up to 3, not to the even 2
            {("text", "kommuntotal-utbetalda-medel-text", "amount_sek"): 2_000_000},
            [("text_funding_total", 0, "kommuntotal", "amount_sek", 2_000_000, 3_000_000)],
            id="text-funding",
        ),
        pytest.param(  # the share keeps its one decimal: 60.5, not 61
            {("text", "kommuntotal-andel-anstalld-personal", "share_percent"): 61},
            [("text_staffed_share", 0, "kommuntotal", "share_percent", 61, 60.5)],
            id="text-share",
        ),
        pytest.param(
            {(8, "y", "share_percent"): 72},
            [("text_staffed_share", 0, "kommuntotal", "share_percent", 60.5, 61.0)],
            id="table8-share",
        ),
        pytest.param(
            {("text", "dialog-aggregerat", "reported"): 3},
            [
                ("text_dialog", 5, FORMS[1], "reported", 3, 2),
                ("text_dialog", 5, FORMS[0], "reported", 3, 2),
            ],
            id="text-dialog",
        ),
        pytest.param(
            {(5, FORMS[1], "reported"): 3},
            [
                ("grand_total", 5, "kommuntotal", "reported", 12, 11),
                ("text_dialog", 5, FORMS[1], "reported", 2, 3),
            ],
            id="table5-dialog",
        ),
        pytest.param(  # a category left out of table 2 while transcribing
            {(2, C, "departments"): None, (2, C, "forms"): None},
            [
                ("cross_departments", 2, C, "departments", None, 1),
                ("cross_forms", 3, C, "forms", 2, None),
                ("cross_forms", 4, C, "forms", 2, None),
            ],
            id="table2-missing-category",
        ),
        pytest.param(  # table 4's average cannot be recomputed without its reported forms
            {(4, A, "reported_forms"): None},
            [
                ("cross_reported", 4, A, "reported_forms", None, 6),
                ("t4_average", 4, A, "average_collaborating", 1.5, None),
            ],
            id="table4-missing-reported",
        ),
    ],
)
def test_a_planted_error_fails_exactly_the_checks_it_breaks(changes, expected):
    result = planted(changes)
    assert not result["ok"]
    assert discrepancies(result) == sorted(expected, key=lambda finding: repr(finding[:4]))
    assert result["checks"][DISCREPANCY] == len(expected)
    assert result["checks"][OK] == len(result["findings"]) - len(expected)


def test_a_round_without_tables_7_and_8_skips_the_text_figures_they_back():
    figures = {k: v for k, v in consistent_figures().items() if k[0] not in (7, 8)}
    result = verify(make_db({ROUND: figures}))
    assert result["ok"], discrepancies(result)
    checks = {f["check"] for f in result["findings"]}
    assert not checks & {"t7_total", "text_funding_total", "text_staffed_share"}
    assert {"text_dialog", "grand_total", "bounds"} <= checks


@pytest.mark.parametrize("missing", [3, 5])
def test_a_round_without_table_3_or_5_skips_the_grand_total(missing):
    """A later round may publish only one of the two tables: nothing to compare, not a discrepancy."""
    figures = {k: v for k, v in consistent_figures().items() if k[0] != missing}
    figures.pop(("text", "dialog-aggregerat"), None)  # the text's dialog figure is read from table 5
    result = verify(make_db({ROUND: figures}))
    assert "grand_total" not in {f["check"] for f in result["findings"]}
    assert "grand_total" in {f["check"] for f in verify(make_db({ROUND: consistent_figures()}))["findings"]}


def test_every_round_is_checked_and_round_selects_one():
    wrong = consistent_figures()
    wrong[(2, B, "departments")] = (3, 0)
    db = make_db({2097: {}, 2098: wrong, ROUND: consistent_figures()})  # 2097 has no figures yet
    everything = verify(db)
    assert everything["rounds"] == [2097, 2098, ROUND]
    assert not everything["ok"]
    assert {f["round"] for f in everything["findings"]} == {2098, ROUND}
    assert [(f["round"], f["row_id"]) for f in everything["findings"] if f["status"] == DISCREPANCY] == [(2098, B)]
    assert verify(db, ROUND)["ok"] and verify(db, ROUND)["rounds"] == [ROUND]
    only_wrong = verify(db, 2098)
    assert only_wrong["rounds"] == [2098] and not only_wrong["ok"]
    assert {f["round"] for f in only_wrong["findings"]} == {2098}


def wrong_departments_in_table2() -> dict:
    figures = consistent_figures()
    for category, value in ((A, 3), (B, 1), (C, 2)):
        figures[(2, category, "departments")] = (value, 0)
    return figures


def test_a_known_inconsistency_covers_only_its_rows():
    known = [{"id": "kand-ab", "check_id": "cross_departments", "rows": "a;b"}, {"id": "not", "check_id": None}]
    result = verify(make_db({ROUND: wrong_departments_in_table2()}, known))
    assert [(f["row_id"], f["status"], f["known_id"]) for f in result["findings"] if f["status"] != OK] == [
        (A, KNOWN, "kand-ab"),
        (B, KNOWN, "kand-ab"),
        (C, DISCREPANCY, None),
    ]
    assert not result["ok"]
    assert result["known_inconsistencies"] == [
        {"id": "kand-ab", "check": "cross_departments", "matched": True, "explanation": "syntetisk"},
        {"id": "not", "check": None, "matched": False, "explanation": "syntetisk"},
    ]


def test_an_entry_over_its_tolerance_does_not_stop_the_next_entry():
    known = [
        # differences 1 + 1 + 1 = 3 exceed the tolerance 2: this entry covers nothing
        {"id": "a-tabell2", "check_id": "cross_departments", "tolerance_total": 2},
        {"id": "b-tabell7", "check_id": "t7_total"},
    ]
    figures = wrong_departments_in_table2()
    figures[(7, "x", "amount_sek")] = (1_100_000, 0)
    result = verify(make_db({ROUND: figures}, known))
    statuses = {(f["check"], f["row_id"]): f["status"] for f in result["findings"] if f["status"] != OK}
    assert statuses == {
        ("cross_departments", A): DISCREPANCY,
        ("cross_departments", B): DISCREPANCY,
        ("cross_departments", C): DISCREPANCY,
        ("t7_total", "kommuntotal"): KNOWN,
    }
    assert [k["matched"] for k in result["known_inconsistencies"]] == [False, True]


def test_a_tolerance_holds_at_its_total_and_fails_just_beyond():
    def result_with(tolerance):
        known = [{"id": "t", "check_id": "cross_departments", "tolerance_total": tolerance}]
        return verify(make_db({ROUND: wrong_departments_in_table2()}, known))

    assert result_with(3)["ok"]  # differences 1 + 1 + 1 = 3
    assert not result_with(2.99)["ok"]


def test_bounds_print_as_a_reader_writes_them():
    from kb.survey.verify import _plain

    assert (_plain(20.0), _plain(4), _plain(4.5)) == ("20", "4", "4.5")
